"""The build: every stage in order, one line each.

config → catalog → per record (workers.py, on every core, kept in products.py): check → mask →
render → leak gate → staged; then 索引号 → expire → the shared pages, feeds, open data, sitemap,
search index → leak gate → write
"""
from __future__ import annotations

import gc
import hashlib
import marshal
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import workers
from ..check import collisions, expire
from ..incremental import products, state, survey
from ..outputs import feeds, opendata, search, sitemap
from ..privacy import leakgate
from ..publish import journal, outguard, outlock, write
from ..config.catalog import load_catalog
from ..config.site import load_site
from ..model.diagnostics import ConfigError, ContentError, Location, Report, display_path
from ..source.discover import discover
from ..render.pages import Gone, Renderer, record_paths, theme_dir
from ..check.validate import assign_index_numbers


@dataclass
class BuildResult:
    report: Report
    records: int = 0
    visibility: expire.Visibility | None = None
    masked: dict = field(default_factory=dict)  # item name -> values masked in what was published
    changes: write.Changes | None = None
    seconds: float = 0.0


def _static_files(site) -> dict[str, bytes]:
    static = theme_dir(site) / "static"
    return {"static/" + p.relative_to(static).as_posix(): p.read_bytes()
            for p in sorted(static.rglob("*")) if p.is_file()}


def _attachments(records) -> dict[str, bytes]:
    return {f"{r.item_id}/{r.slug}/{a.name}": a.path.read_bytes() for r in records for a in r.attachments}


def _gone(withdrawn, catalog, site) -> list[Gone]:
    """The pages of records withdrawn from view (公示期 over), where the site shows their item."""
    visible = catalog.for_level(site.level).by_id
    return [Gone(path, r.item_id, r.window.end if r.window else None)
            for r in withdrawn if r.item_id in visible and not visible[r.item_id].on_request_only
            for path in record_paths(r)]


def _deleted(published, catalog, site, shown=frozenset()) -> list[Gone]:
    """Record pages the last build wrote (`published`, a set or a dict's keys; its own 已撤下
    pages included, so the memory carries on): any that this build does not make again gets a 已撤下 page too, for a
    record deleted, renamed or turned back into a draft. `shown`: the record pages this
    build makes, left out at once (thousands of them)."""
    visible = catalog.for_level(site.level).by_id
    gone = []
    for path in published - shown:
        parts = path.split("/")
        if len(parts) == 3 and parts[2].endswith(".html") and not collisions.INDEX_PAGE.fullmatch(parts[2][:-5]):
            item_id = f"{parts[0]}/{parts[1]}"
            if item_id in visible:
                gone.append(Gone(path, item_id))
    return sorted(gone, key=lambda g: g.path)


def _quiet(_stage: str) -> None:
    pass


def _search_index(job: workers.Job, done: workers.Checks, todo: list, binary, report: Report):
    """Starts indexing the shards `todo` again and returns what waits for it, join() ->
    (index files staged now: path -> digest, those the same as the output's, what each
    shard indexed was made from). Pagefind writes each shard's files to the staging folder,
    where they are gated while it indexes the next, as the record pages were: after the
    join they are only moved in, and never all held at once."""
    def read(path: str) -> bytes:
        return ((job.staging if path in done.staged else job.out) / path).read_bytes()

    staged, same = {}, set()

    def made_now(files: dict) -> None:
        _gate(files, job.known, report, job.allowed)
        for path, data in files.items():
            digest = state.digest(data)
            if workers.in_output(job, path, digest):
                same.add(path)  # its staged copy is left behind with the staging folder
            else:
                staged[path] = digest

    indexing = search.index(todo, read, binary, made_now, job.staging)
    return lambda: (staged, same, indexing())


def _search_unavailable(job: workers.Job, problem: search.SearchUnavailable, report: Report) -> None:
    report.warning(Location(job.site.path.name), "search-unavailable", f"{problem}，本次生成的网站没有全文搜索",
                   "运行 npm install --prefix .tools pagefind@1.6.0（见 README 的“全文搜索”），"
                   "或用环境变量 PAGEFIND_BINARY_PATH 指定 pagefind_extended 的位置")


def _search_in_background(job: workers.Job, done: workers.Checks, shards: dict, last):
    """Finds the shards to index again, starts indexing them and returns what joins it,
    `finish(report)` -> (index files staged: path -> digest, index files kept, what each
    shard was made from). Pagefind is a process of its own: it indexes the record pages
    (all made by now) while this one renders the shared pages, feeds and open data, so both
    cores are busy. Its diagnostics join the report when it is joined, where a serial build
    put them."""
    late = Report()
    kept, keys, todo, binary = set(), {}, [], None
    try:
        binary = search.find_binary()
        kept, keys, todo = search.outdated(shards, lambda path: workers.in_output(job, path),
                                           last.search_keys if last else {}, binary)
    except search.SearchUnavailable as problem:
        _search_unavailable(job, problem, late)
    join = _search_index(job, done, todo, binary, late) if todo else None

    def finish(report: Report) -> tuple[dict, set, dict]:
        staged, same, indexed = {}, set(), {}
        try:
            if join is not None:
                staged, same, indexed = join()
        except search.SearchUnavailable as problem:  # no index at all rather than one with shards missing
            _search_unavailable(job, problem, late)
            kept.clear()
            keys.clear()
        report.diagnostics.extend(late.diagnostics)
        return staged, kept | same, {**keys, **indexed}
    return finish


def _nothing_changed(site, site_path: Path, out: Path, last, day, strict: bool, start: float, seen: dict,
                     output: survey.Survey, pending: journal.Pending):
    """(last build's result, fingerprint): the result when no input changed, the records
    visible on `day` are the same and the output is as the last build left it (and no
    build died writing it since); else None. `seen` gets the stat of every file of the
    content folder."""
    inputs = state.fingerprint(site, site_path, theme_dir(site), last.deps if last else [], strict, seen)
    if last is None or last.inputs != inputs or not state.same_day_view(last, day) or pending.base or \
            not output.intact():
        return None, inputs
    result = last.summary
    result.changes = write.Changes(unchanged=len(last.files))
    write.write_manifest(out, result.changes, outguard.identity(site))  # nothing to upload this time
    result.seconds = time.perf_counter() - start
    return result, inputs


def _save_state(out: Path, inputs: bytes, remembered: tuple, day, changes: write.Changes, result: BuildResult,
                data_keys: dict, page_keys: dict, search_keys: dict, section: tuple, site: dict) -> None:
    """`remembered`: (state.outside_deps, state.transitions) of the records."""
    seen = result.visibility
    slim = expire.Visibility(*([r.shown for r in rs] for rs in (seen.public, seen.drafts, seen.scheduled,
                                                                   seen.withdrawn)),
                             rows_withdrawn=seen.rows_withdrawn)
    summary = BuildResult(result.report, result.records, slim, result.masked)
    state.save(out, state.State(inputs, *remembered, day, changes.written, summary, data_keys, page_keys,
                                search_keys, section, site=site))


def _section_key(job: workers.Job, heads: list, seen: expire.Visibility, done: workers.Checks,
                 search_folders: list) -> bytes:
    """What the section's shared pages (home, catalog, categories, item lists, projects,
    reports, search) and the yearly statistics are made from: every head as lists and
    statistics show it, what happens to it today, and the project codes of the public
    records' rows. An edit that none of these see (a record's body, a list's cells) leaves
    the key as it was, and the hundreds of shared pages are kept as a group, without
    keying each page's context."""
    digest = hashlib.blake2b(job.store.context, digest_size=16)
    digest.update(repr(search_folders).encode())
    # marshal's version 0 writes equal values as equal bytes (no references to objects seen before)
    digest.update(marshal.dumps([(h.source, h.item_id, h.slug, h.title, h.date.toordinal(), h.published.toordinal(),
                                  h.index_no, h.draft, h.row_count, h.projects) for h in heads], 0))
    for group in (seen.public, seen.drafts, seen.scheduled, seen.withdrawn):
        digest.update(b"\x1e" + "\n".join([h.source for h in group]).encode())
    renders = done.renders
    digest.update(b"".join([renders[h.source][1].projects_key for h in seen.public if h.source in renders]))
    return digest.digest()


def _pages_in_output(job: workers.Job, rendered) -> bool:
    """workers.in_output for each page, inlined: this runs for every page of every record."""
    known, damaged = job.known, job.damaged
    for path, page in rendered.pages.items():
        entry = known.get(path)
        if entry is None or entry[0] != page or path in damaged:
            return False
    return True


def _render_all(job: workers.Job, files: list, done: workers.Checks, public: list, kept_rows: dict, report: Report,
                tick) -> None:
    """Each public record's render: made while checking, taken from the store when its pages
    are still in the output, else made now (a 索引号 given by the build, rows expired today,
    a page changed or deleted in the output)."""
    at = {files[i].shown: i for i, check in enumerate(done.checks) if check is not None}  # str keys hash fast
    tasks = []
    for head in public:
        index = at[head.shown]
        kept = kept_rows.get(head.source)
        kept = range(head.row_count) if kept is None else kept  # every row: the key is the same for a range
        key = products.render_key(done.keys[index], done.checks[index].deps, kept, head.index_no)
        outcome = done.outcomes.get(index)
        if outcome is not None and outcome.render_key == key:
            if outcome.rendered is not None:
                done.renders[head.source] = (key, outcome.rendered)
                job.store.put(key, outcome.rendered)
                done.staged.update((path, outcome.rendered.pages[path]) for path in outcome.staged)
            continue
        cached = job.store.get_render(key)
        if cached is not None and _pages_in_output(job, cached):
            done.renders[head.source] = (key, cached)
            continue
        tasks.append(workers.Task(index, files[index], done.keys[index],
                                  head.index_no if head.index_no_derived else ""))
    for outcome in workers.run(job, tasks, tick):
        report.diagnostics.extend(outcome.render_diagnostics if outcome.checked else outcome.diagnostics)
        if outcome.rendered is not None:
            done.renders[outcome.checked.head.source] = (outcome.render_key, outcome.rendered)
            job.store.put(outcome.render_key, outcome.rendered)
            done.staged.update((path, outcome.rendered.pages[path]) for path in outcome.staged)


def _open_data(job: workers.Job, public: list, done: workers.Checks, last) -> tuple[dict, set, dict]:
    """(files staged now: path -> digest, files kept as they are, what each item's files were
    made from). An item's files are made again only when one of its records changed; they
    are written straight to the staging folder, a record's rows at a time. Each record's rows
    were gated with its own raw values when it was rendered."""
    site, visible = job.site, job.catalog.for_level(job.site.level)
    staged, kept, keys = {}, set(), {}
    by_item: dict[str, list] = {}
    for head in public:
        by_item.setdefault(head.item_id, []).append(head)
    for item in visible.items:
        if not opendata.has_data(item):
            continue
        records = opendata.order(by_item.get(item.id, []))
        parts = [done.renders[h.source] for h in records if done.renders[h.source][1].data]
        keys[item.id] = products.render_key("|".join(key for key, _ in parts), [], (), item.id)
        paths = (f"data/{item.id}.csv", f"data/{item.id}.json")
        if last and last.data_keys.get(item.id) == keys[item.id] and \
                all(workers.in_output(job, p) for p in paths):
            kept.update(paths)
            continue
        digests = opendata.write_files(site, item, sum(r.data for _, r in parts),
                                       (job.store.get_data(key) for key, _ in parts),
                                       job.staging / paths[0], job.staging / paths[1])
        for path, digest in zip(paths, digests):
            if workers.in_output(job, path, digest):
                (job.staging / path).unlink()
                kept.add(path)
            else:
                staged[path] = digest
    return staged, kept, keys


def _indexed(done: workers.Checks, public: list) -> list:
    """(path, digest) of the pages the search index is made from: each record's first page, by
    what the index reads of it (a list's rows, the masthead and navigation are not read)."""
    return [(head.url, r.indexed or r.pages[head.url]) for head in public if head.source in done.renders
            for r in [done.renders[head.source][1]]]


def _gate(files: dict[str, bytes], known: dict, report: Report, allowed: frozenset) -> None:
    """The leak gate on the files made here from many records: every checksum-valid ID number.
    Each record's own outputs were gated with its raw values when it was rendered."""
    gate = leakgate.Gate(set(), allowed)
    for path in sorted(files):
        data = files[path]
        previous = known.get(path)
        if previous is not None and previous[0] == state.digest(data):
            continue  # gated when it was first written
        leak = gate.leak(path, data)
        if leak:
            leakgate.report(leak, report)


def _sink(job: workers.Job, done: workers.Checks, unchanged: set, report: Report):
    """Where the shared pages go as they are rendered: gated and staged, or, when the output
    already holds the same bytes, added to `unchanged`. Thousands of list and project pages
    are never held at once."""
    gate = leakgate.Gate(set(), job.allowed)

    def put(path: str, data: bytes) -> None:
        digest = state.digest(data)
        if workers.in_output(job, path, digest):
            unchanged.add(path)
            return
        leak = gate.leak(path, data)
        if leak:
            leakgate.report(leak, report)
        workers.stage(job, path, data)
        done.staged[path] = digest
    return put


def open_store(site) -> products.Store:
    return products.Store(site.root / ".cache" / "products", products.context_digest(site, theme_dir(site)))


def check_site(site, catalog, report: Report, store: products.Store | None = None, save: bool = False) -> list:
    """Every record checked (from the store a build left when unchanged), for validate and
    check: the heads, with their 索引号 settled; every attachment's findings go to the report
    too. Nothing is written unless `save` (the benchmark and tests keep what they checked)."""
    store = store or open_store(site)
    job = workers.Job(site, catalog, expire.today(None), store, None, site.root, site.root, {},
                      {i.id for i in catalog.for_level(site.level).items}, render=False)
    done = workers.check_files(job, discover(site.content_dir, site.root, catalog, report), report)
    checks = [c for c in done.checks if c is not None]
    for check in checks:
        report.diagnostics.extend(check.attachments)
    if save:
        store.save(prune=False)
    collisions.paged_collisions([c.head for c in checks], report)
    return assign_index_numbers([c.head for c in checks], site, report)


def _calendar_gaps(site, catalog, published: list, report: Report) -> None:
    """One warning when the working-day calendar lacks a year that some published record's
    deadline needs: publishing goes on (withdrawal cannot wait for a calendar); the yearly
    statistics leave those records uncounted and `check` fails until the year is added."""
    from ..check import deadlines
    from ..config import workdays
    visible = catalog.for_level(site.level)
    rules = {item.id: item.deadline for item in visible.items if not item.on_request_only}
    missing = deadlines.missing_years(published, rules, workdays.for_site(site))
    if missing:
        count = sum(map(len, missing.values()))
        report.warning(Location(site.path.name), "calendar-year",
                       f"工作日历中没有 {workdays.years_text(missing)}的节假日安排（chinesecalendar 只收录 "
                       f"{workdays.PACKAGE_FIRST}–{workdays.PACKAGE_LAST} 年）：{count} 条记录的公开时限未计算，"
                       "年度统计不计其按时或逾期，check 会报错；记录照常发布、撤下和定时发布",
                       workdays.add_years_hint(missing))


def _output_error(site, message: str, hint: str) -> ConfigError:
    report = Report()
    report.error(Location(site.path.name), "output-unwritable", message, hint)
    return ConfigError(report)


def _writable(out: Path, paths: list, site) -> None:
    """Before anything is moved in: every folder the write needs can be written."""
    blocked = collisions.unwritable(out, paths)
    if blocked:
        raise _output_error(site, f"输出文件夹中的 {blocked} 不可写入，本次生成没有改动输出",
                            "修改这个文件夹的权限（或取消只读属性），然后重新生成")


def _staging_folder(out: Path) -> Path:
    staging = out.parent / (out.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    return staging


# The cyclic collector runs after this many new objects, not Python's 700: a build makes
# hundreds of thousands that live all build long (the state, the store, every record's
# bookkeeping) and little cyclic garbage. With the default, a one-record edit at 10,000
# records spent 0.1 s collecting: 200 young collections and two full ones, each walking
# everything made since the store was frozen. Now a dozen young ones, 0.03 s.
_COLLECT_EVERY = (10_000, 10, 10)


def build(site_path: Path, out: Path | None = None, today: str | None = None, strict: bool = False,
          stage=_quiet, tick=None) -> BuildResult:
    """`stage(name)` is told when each stage starts (读取/检查, 渲染, 写入), and `tick(n, total)`
    as each n of the records to process are done, for a progress bar."""
    start = time.perf_counter()
    thresholds = gc.get_threshold()
    gc.set_threshold(*_COLLECT_EVERY)
    try:
        stage("读取/检查")
        site = load_site(site_path)
        out = out or site.root / "output"
        outguard.check_place(site, out)  # before anything is written, the lock included
        with outlock.OutputLock(out):
            last = state.load(out)
            outguard.check_owner(site, out, last.site if last else None)
            pending = journal.load(out)
            output = survey.Survey(out, last.files if last else {})  # forked now, while there are no threads
            try:
                try:
                    return _changed_build(site, site_path, out, last, today, strict, stage, tick, start, output,
                                          pending)
                except products.Unsealed:  # an open-data file not sealed by us, now removed: its list is rendered anew
                    return _changed_build(site, site_path, out, last, today, strict, stage, tick, start, output,
                                          pending)
            finally:
                output.close()
    finally:
        gc.set_threshold(*thresholds)


def _changed_build(site, site_path: Path, out: Path, last, today, strict: bool, stage, tick, start: float,
                   output: survey.Survey, pending: journal.Pending) -> BuildResult:
    day = expire.today(today)
    stats: dict = {}
    quick, inputs = _nothing_changed(site, site_path, out, last, day, strict, start, stats, output, pending)
    if quick:
        return quick
    catalog = load_catalog(site, cache=True)
    report = Report()
    store = open_store(site)
    gc.freeze()  # the store's entries live all build long: the collector need not walk them again and again
    staging = _staging_folder(out)
    job = workers.Job(site, catalog, day, store, Renderer(site, catalog, day), out, staging,
                      last.files if last else {}, {i.id for i in catalog.for_level(site.level).items}, stats=stats,
                      damaged=output.damaged())
    try:
        return _build(job, last, inputs, strict, report, stage, tick, start, output.existing(), pending)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        gc.unfreeze()


def _build(job: workers.Job, last, inputs: bytes, strict: bool, report: Report, stage, tick,
           start: float, existing: set, pending: journal.Pending) -> BuildResult:
    site, catalog, day, out = job.site, job.catalog, job.day, job.out
    files = discover(site.content_dir, site.root, catalog, report)
    done = workers.check_files(job, files, report, tick)
    heads = assign_index_numbers([c.head for c in done.checks if c is not None], site, report)
    collisions.paged_collisions(heads, report)
    seen = expire.sort_out(heads, day)
    public = [h for h in seen.public if workers.shows(job, h)]
    collisions.long_paths(out, public, report, site.path.name)
    _render_all(job, files, done, public, seen.kept_rows, report, tick)
    done.outcomes = {}  # all they hold now is in done.renders and the store
    at = {c.head.source: c for c in done.checks if c is not None}
    for head in public:
        report.diagnostics.extend(at[head.source].attachments)
    if strict:
        report = report.strict()
    _calendar_gaps(site, catalog, [h for h in heads if h.published <= day], report)  # a warning even when strict:
    if report.has_errors():  # publishing must not wait for next year's calendar
        raise ContentError(report)
    stage("渲染")
    renderer = job.renderer
    renderer.remember(job.store.context, last.page_keys if last else {},
                      lambda path: workers.in_output(job, path))
    shards = search.plan(_indexed(done, public))
    renderer.search_folders = list(shards)
    search_done = _search_in_background(job, done, shards, last)
    shared: set[str] = set()
    renderer.sink = _sink(job, done, shared, report)  # shared pages go to staging as they are made
    section = (_section_key(job, heads, seen, done, renderer.search_folders), ())
    if last and last.section and last.section[0] == section[0] and \
            all(workers.in_output(job, path) for path in last.section[1]):
        renderer.keep_section(last.section[1], last.page_keys)
        section, made = last.section, {}
    else:
        from ..check import stats  # here: with its working-day calendar, 7 ms to import, and an edit seldom needs it
        renderer.reports = stats.yearly(site, catalog, heads, seen, day)
        made = renderer.section(seen.public, {source: r.projects for source, (_, r) in done.renders.items()})
        section = (section[0], tuple(sorted({*made, *renderer.sunk, *renderer.kept})))
    pages = {path: page for _, r in done.renders.values() for path, page in r.pages.items()}
    withdrawn = renderer.withdrawn_pages(_gone(seen.withdrawn, catalog, site), pages)
    published = job.known.keys() if last else _found_published(out, existing)
    withdrawn += renderer.withdrawn_pages(_deleted(published, catalog, site, pages.keys()), pages)
    made.update(_static_files(site))
    made.update(feeds.feeds(site, catalog, public, {s: r.summary for s, (_, r) in done.renders.items()},
                            renderer.unchanged))
    try:
        data, data_kept, data_keys = _open_data(job, public, done, last)
    except products.Unsealed:
        search_done(Report())  # Pagefind writes to the staging folder: done before build() starts again
        raise
    done.staged.update(data)
    withdrawn = set(withdrawn)  # noindex: not for search engines
    listed = sorted(p for p in [*pages, *renderer.sunk, *renderer.kept] if p.endswith(".html") and p not in withdrawn)
    if not renderer.unchanged("sitemap.xml", "\n".join(listed)):
        made.update(sitemap.sitemap_of(site, listed))
    job.store.save()  # while Pagefind runs: the renders hold whatever the output gets (_render_all checks)
    remembered = (state.outside_deps(site, heads), state.transitions(heads))
    attachments = _attachments(public)  # checked with their records (attachscan)
    index, index_kept, search_keys = search_done(report)  # gated and staged as it was made
    done.staged.update(index)
    _gate(made, job.known, report, job.allowed)
    made.update(attachments)
    if report.has_errors():
        raise ContentError(report)
    stage("写入")
    kept = {path for path in pages if path not in done.staged} | data_kept | renderer.kept | index_kept | shared
    _writable(out, [*done.staged, *made, *(existing - kept - done.staged.keys() - made.keys())], site)
    try:
        changes = write.apply(out, job.staging, done.staged, made, kept, job.known, existing, pending)
    except OSError as problem:  # not foreseen by _writable: say which path, never a traceback
        raise _output_error(site, f"无法写入 {problem.filename or out}（{problem.strerror or problem}），输出可能只更新了一部分",
                            "确认该文件夹存在、可写、没有被其他程序占用，然后重新生成") from None
    _warn_foreign(out, changes.foreign, report)
    counts: dict[str, int] = {}
    for check in done.checks:
        if check is not None and check.masked and check.head.source in done.renders:
            name = catalog.by_id[check.head.item_id].name
            counts[name] = counts.get(name, 0) + check.masked
    result = BuildResult(report, len(seen.public), seen, counts, changes, time.perf_counter() - start)
    identity = outguard.identity(site)
    write.write_manifest(out, changes, identity)
    write.checkpoint()
    _save_state(out, inputs, remembered, day, changes, result, data_keys, renderer.keys, search_keys, section,
                identity)
    write.checkpoint()
    journal.end(out)  # done: until here, the next build lists again whatever this one changed
    return result


def _found_published(out: Path, existing: set) -> set:
    """Without a state: what an earlier build of this site published, as far as the output
    and the manifest beside it tell (_deleted picks the record pages among them)."""
    manifest = write.read_manifest(out)
    listed = {p for kind in ("added", "changed") if isinstance(manifest.get(kind), list)
              for p in manifest[kind] if isinstance(p, str)}
    return existing | listed


def _warn_foreign(out: Path, foreign: list, report: Report) -> None:
    if not foreign:
        return
    shown = "、".join(foreign[:5]) + ("等" if len(foreign) > 5 else "")
    report.warning(Location(display_path(out, Path.cwd())), "foreign-files",
                   f"输出目录中有 {len(foreign)} 个文件不是本站以前的生成写下的，没有删除也不会上传：{shown}",
                   "输出目录应只放生成的文件；这些若是删除生成记录（.state）前留下的旧文件，可以手工删除")
