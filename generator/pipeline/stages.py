"""The build's stages after the records are checked, each taking the session and putting its
files in the ledger (publish/ledger.py) as groups: the records' pages, the shared pages,
已撤下 pages, the theme's static files, feeds, open data, the sitemap, attachments and the
search index. Each group's key is what its files are made from; a group whose key is the
last build's and whose files are intact is taken as it is."""
from __future__ import annotations

from pathlib import Path

from ..check import collisions, expire, links, pubdates
from ..config import workdays
from ..config.site import theme_dir
from ..incremental import products
from ..incremental.keys import digest, key_of
from ..model.diagnostics import Location, Report
from ..model.section import SectionInput
from ..outputs import feeds, opendata, search, sitemap
from ..privacy import leakgate
from ..publish import write
from ..render.pages import Gone, record_paths
from . import workers
from .session import Session


# -- the records' pages ---------------------------------------------------------------------
def _take(s: Session, done: workers.Checks, head, key: str, rendered: products.Rendered) -> None:
    """A record's render, made now: its pages were staged where they differ from the output."""
    done.renders[head.source] = (key, rendered)
    s.store.put(key, rendered)
    group = f"record:{head.shown}"
    s.ledger.open(group, key, stored=True)
    for path, page_digest in rendered.pages.items():
        s.ledger.placed(group, path, page_digest)


def record_pages(s: Session, files: list, done: workers.Checks, public: list, kept_rows: dict, tick) -> int:
    """Each public record's pages: made while checking, taken as they are when the record's
    render key is the last build's and its pages are intact, else made now (a 索引号 given
    by the build, rows expired today, a page changed or deleted in the output). How many
    records were rendered. A page that links to other records (check/links.py) is keyed by
    what it shows of them too: the workers rendered it before those were known, so it is
    made here."""
    at = {files[i].shown: i for i, check in enumerate(done.checks) if check is not None}  # str keys hash fast
    related = links.related(public)
    tasks, rendered = [], 0
    for head in public:
        index = at[head.shown]
        kept = kept_rows.get(head.source)
        kept = range(head.row_count) if kept is None else kept  # every row: the key is the same for a range
        linked = related.get(head.source, ())
        key = products.render_key(done.keys[index], done.checks[index].deps, kept, head.index_no, linked,
                                  head.updated)
        outcome = done.outcomes.get(index)
        if outcome is not None and outcome.render_key == key:
            if outcome.rendered is not None:
                _take(s, done, head, key, outcome.rendered)
                rendered += 1
            continue
        cached = s.store.get_render(key)
        if cached is not None and s.ledger.reuse(f"record:{head.shown}", key, cached.pages):
            done.renders[head.source] = (key, cached)
            continue
        tasks.append(workers.Task(index, files[index], done.keys[index],
                                  head.index_no if head.index_no_derived else "", linked, (head.updated,)))
    for outcome in workers.run(s.job, tasks, tick):
        s.report.diagnostics.extend(outcome.render_diagnostics if outcome.checked else outcome.diagnostics)
        if outcome.rendered is not None:
            _take(s, done, outcome.checked.head, outcome.render_key, outcome.rendered)
            rendered += 1
    done.outcomes = {}  # all they hold now is in done.renders and the store
    return rendered


def publication_dates(s: Session, done: workers.Checks, heads: list) -> list:
    """The public records against the publication register kept in the build state:
    `backdated` errors, and each head's 更新日期 (check/pubdates.py)."""
    checks = {c.head.source: c for c in done.checks if c is not None}

    def public(head) -> bool:
        return expire.status(head, s.day)[0] == "public" and workers.shows(s.job, head)
    return pubdates.settle(heads, checks, s.register, s.day, workdays.for_site(s.site), public, s.report)


# -- the shared pages -----------------------------------------------------------------------
def section_pages(s: Session, section: SectionInput) -> None:
    """Home, catalog, categories, item lists, projects, yearly statistics and search: one
    group, whose parts are the pages, each keyed by what it shows."""
    if s.ledger.reuse("section", section.key(s.context)):
        return  # the project codes too are the last build's, which had no two under one name
    from ..check import stats  # here: slow to import (its calendar), and an edit seldom needs it: docs/performance.md
    reports = stats.yearly(s.site, s.catalog, list(section.heads), section.seen, section.day)
    projects = {source: rendered.projects for source, rendered in section.projects.items()}  # unpickled once
    collisions.project_collisions(section.heads, projects, s.report)  # the lists' rows' codes, now known too
    with s.ledger.within("section"):
        s.renderer.section(section, reports, s.ledger, s.context, projects)


def annual_reports(s: Session, done: workers.Checks, heads: list) -> None:
    """The 年度报告 (annual/): read, counted from the policy records, checked (errors stop the
    build like any content error), and their pages and data as one group, keyed by what
    they show and by the years that have a statistics page to link to."""
    from ..annual import corrections, pages, review
    reports = review.gather(s.site, done.checks, s.report)
    visible = s.catalog.for_level(s.site.level).by_id
    stats_years = {h.published.year for h in heads if not h.draft and h.published <= s.day
                   and h.item_id in visible and not visible[h.item_id].on_request_only}
    shown = pages.published(reports, s.day)
    corrections.settle(shown, s.register, s.day, s.report)  # a report changed after publication says so
    if s.ledger.reuse(pages.GROUP, pages.key(s.context, shown, stats_years)):
        return
    for path, data in pages.files(s.renderer, s.site, shown, stats_years).items():
        s.ledger.put(pages.GROUP, path, data)


def _gone(s: Session, withdrawn: list) -> list[Gone]:
    """The pages of records withdrawn from view (公示期 over), where the site shows their item."""
    visible = s.catalog.for_level(s.site.level).by_id
    return [Gone(path, r.item_id, r.window.end if r.window else None)
            for r in withdrawn if r.item_id in visible and not visible[r.item_id].on_request_only
            for path in record_paths(r)]


def _deleted(s: Session, published) -> list[Gone]:
    """Record pages the last build wrote (`published`; its own 已撤下 pages included, so the
    memory carries on): any that no file of this build takes gets a 已撤下 page too, for a
    record deleted, renamed or turned back into a draft."""
    visible = s.catalog.for_level(s.site.level).by_id
    gone = []
    for path in published - s.ledger.claimed.keys():  # the set difference first: tens of thousands of pages
        parts = path.split("/")
        if len(parts) == 3 and parts[2].endswith(".html") and not collisions.INDEX_PAGE.fullmatch(parts[2][:-5]):
            item_id = f"{parts[0]}/{parts[1]}"
            if item_id in visible:
                gone.append(Gone(path, item_id))
    return sorted(gone, key=lambda g: g.path)


def _found_published(s: Session) -> set:
    """Without a state: what an earlier build of this site published, as far as the output
    and the manifest beside it tell (_deleted picks the record pages among them)."""
    manifest = write.read_manifest(s.out)
    listed = {p for kind in ("added", "changed") if isinstance(manifest.get(kind), list)
              for p in manifest[kind] if isinstance(p, str)}
    return s.existing | listed


def withdrawn_pages(s: Session, withdrawn: list) -> set[str]:
    """A 已撤下 page where a record was withdrawn today or earlier, or its page is no longer made."""
    published = s.output.known.keys() if s.last else _found_published(s)
    made = s.renderer.withdrawn_pages(_gone(s, withdrawn), s.ledger, s.context)
    made += s.renderer.withdrawn_pages(_deleted(s, published), s.ledger, s.context)
    return set(made)


# -- files made from many records -----------------------------------------------------------
def static_files(s: Session) -> None:
    static = theme_dir(s.site) / "static"
    s.ledger.open("static", None)
    for path in sorted(static.rglob("*")):
        if path.is_file():
            s.ledger.put("static", "static/" + path.relative_to(static).as_posix(), path.read_bytes())


def _page(s: Session, path: str, shown: str) -> bool:
    """Whether the file at `path`, made from what `shown` describes, is the last build's."""
    return s.ledger.reuse(f"page:{path}", key_of(s.context, path, shown))


def feed_files(s: Session, public: list, done: workers.Checks) -> None:
    summaries = {source: rendered.summary for source, (_, rendered) in done.renders.items()}
    for path, data in feeds.feeds(s.site, s.catalog, public, summaries, lambda p, shown: _page(s, p, shown)).items():
        s.ledger.put(f"page:{path}", path, data)


def open_data(s: Session, public: list, done: workers.Checks) -> None:
    """An item's CSV and JSON, made again only when one of its records changed, written
    straight to the staging folder a record's rows at a time. Each record's rows were gated
    with its own raw values when it was rendered."""
    by_item: dict[str, list] = {}
    for head in public:
        by_item.setdefault(head.item_id, []).append(head)
    for item in s.catalog.for_level(s.site.level).items:
        if not opendata.has_data(item):
            continue
        records = opendata.order(by_item.get(item.id, []))
        parts = [done.renders[h.source] for h in records if done.renders[h.source][1].data]
        group = f"data:{item.id}"
        if s.ledger.reuse(group, products.render_key("|".join(key for key, _ in parts), [], (), item.id)):
            continue
        paths = (f"data/{item.id}.csv", f"data/{item.id}.json")
        staging = s.output.staging
        digests = opendata.write_files(s.site, item, sum(r.data for _, r in parts),
                                       (s.store.get_data(key) for key, _ in parts), staging / paths[0],
                                       staging / paths[1])
        for path, file_digest in zip(paths, digests):
            s.ledger.placed(group, path, file_digest)


def sitemap_file(s: Session, withdrawn: set) -> None:
    """Every page to be found by search engines: not the 已撤下 ones (noindex)."""
    listed = sorted(p for p in s.ledger.paths("record:", "page:") if p.endswith(".html") and p not in withdrawn)
    if not _page(s, "sitemap.xml", "\n".join(listed)):
        for path, data in sitemap.sitemap_of(s.site, listed).items():
            s.ledger.put("page:sitemap.xml", path, data)


def attachments(s: Session, public: list) -> None:
    """Published as they are: checked with their records (attachscan), so not gated again."""
    s.ledger.open("attachments", None)
    for record in public:
        for attachment in record.attachments:
            path = f"{record.item_id}/{record.slug}/{attachment.name}"
            s.ledger.placed("attachments", path, s.output.place(path, attachment.path.read_bytes()))


# -- the search index -----------------------------------------------------------------------
def _indexed(done: workers.Checks, public: list) -> list:
    """(path, digest) of the pages the search index is made from: each record's first page, by
    what the index reads of it (a list's rows, the masthead and navigation are not read)."""
    return [(head.url, r.indexed or r.pages[head.url]) for head in public if head.source in done.renders
            for r in [done.renders[head.source][1]]]


def search_plan(done: workers.Checks, public: list) -> dict:
    return search.plan(_indexed(done, public))


def _search_unavailable(s: Session, problem: search.SearchUnavailable, report: Report) -> None:
    report.warning(Location(s.site.path.name), "search-unavailable", f"{problem}，本次生成的网站没有全文搜索",
                   "运行 npm install --prefix .tools pagefind@1.6.0（见 README 的“全文搜索”），"
                   "或用环境变量 PAGEFIND_BINARY_PATH 指定 pagefind_extended 的位置")


def search_index(s: Session, shards: dict):
    """Starts indexing the shards whose pages changed and returns what joins it. Pagefind
    is a process of its own: it indexes the record pages (all made by now) while this one
    makes the shared pages, feeds and open data, so both cores are busy. Each shard's files
    are gated in the thread that made them, as they are made; its diagnostics join the
    report when it is joined, where a serial build put them."""
    late = Report()
    todo, binary = [], None
    try:
        binary = search.find_binary()
        for folder, key in search.shard_keys(shards, binary).items():
            if not s.ledger.reuse(f"search:{folder}", key):
                todo.append((folder, key, shards[folder]))
    except search.SearchUnavailable as problem:
        _search_unavailable(s, problem, late)
    digests: dict[str, bytes] = {}
    join = _start_indexing(s, todo, binary, digests, late) if todo else None

    def finish() -> None:
        made = {}
        try:
            if join is not None:
                made = join()
        except search.SearchUnavailable as problem:  # no index at all rather than one with shards missing
            _search_unavailable(s, problem, late)
            s.ledger.forget("search:")
            made = {}
        for folder, (_, paths) in made.items():
            for path in paths:
                s.ledger.placed(f"search:{folder}", path, digests[path])
        s.report.diagnostics.extend(late.diagnostics)
    return finish


def _start_indexing(s: Session, todo: list, binary: Path, digests: dict, report: Report):
    claimed, output = dict(s.ledger.claimed), s.output  # the record pages, all placed by now

    def read(path: str) -> bytes:
        where = output.out if output.holds(path, claimed[path]) else output.staging
        return (where / path).read_bytes()

    gate = leakgate.Gate(set(), s.job.allowed)

    def made_now(files: dict) -> None:
        for path in sorted(files):
            data = files[path]
            digests[path] = digest(data)
            if not output.holds(path, digests[path]):
                leak = gate.leak(path, data)
                if leak:
                    leakgate.report(leak, report)
    return search.index(todo, read, binary, made_now, output.staging)
