"""The build, stage by stage (_build reads as the pipeline).

Every output file belongs to a group of the ledger (publish/ledger.py), which takes a group
as the last build made it when its key is unchanged, and commits every file at the end, all
or nothing (publish/commit.py). A build whose inputs are all as they were writes nothing.
"""
from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..check import collisions, expire, links
from ..check.index_numbers import assign_index_numbers
from ..config.site import load_site, theme_dir
from ..incremental import products, state
from ..model.diagnostics import ConfigError, ContentError, Location, Report, display_path
from ..model.section import SectionInput
from ..publish import commit, outguard, outlock, write
from ..source.discover import discover
from .request import Previous, Request

if TYPE_CHECKING:  # imported when the build has work to do (_build): a no-op needs no renderer
    from . import workers
    from .session import Session


@dataclass
class BuildResult:
    report: Report
    records: int = 0
    visibility: expire.Visibility | None = None
    masked: dict = field(default_factory=dict)  # item name -> values masked in what was published
    changes: write.Changes | None = None
    seconds: float = 0.0
    rendered: int = 0  # records whose pages were made this build (the others were taken as they were)
    groups_made: int = 0  # ledger groups made anew, and taken as they were
    groups_reused: int = 0


def _quiet(_stage: str) -> None:
    pass


# The cyclic collector runs after this many new objects, not Python's 700: a build makes
# hundreds of thousands that live all build long (the state, the store, every record's
# bookkeeping) and little cyclic garbage (docs/performance.md).
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
            commit.recover(out)  # a build that died committing is carried through first
            previous = Previous.of(site, out)
            request = Request(site, site_path, out, expire.today(today), strict, start)
            try:
                try:
                    return _changed_build(request, previous, stage, tick)
                except products.Unsealed:  # an open-data file not sealed by us, now removed: its list is rendered anew
                    return _changed_build(request, previous, stage, tick)
            finally:
                previous.found.close()
    finally:
        gc.set_threshold(*thresholds)


def _nothing_changed(request: Request, previous: Previous, stats: dict) -> tuple[BuildResult | None, bytes]:
    """(last build's result, fingerprint): the result when no input changed, the records
    visible today are the same and the output is as the last build left it (and no build
    died writing it since); else None. `stats` gets the stat of every file of the content
    folder."""
    site, last = request.site, previous.last
    inputs = state.fingerprint(site, request.site_path, theme_dir(site), last.deps if last else [], request.strict,
                               stats)
    if last is None or last.inputs != inputs or not state.same_day_view(last, request.day) or \
            previous.pending.base or not previous.found.intact():
        return None, inputs
    result = last.summary
    result.changes = write.Changes(unchanged=len(last.files))
    result.rendered = result.groups_made = result.groups_reused = 0
    write.write_manifest(request.out, result.changes, outguard.identity(site))  # nothing to upload this time
    result.seconds = time.perf_counter() - request.start
    return result, inputs


def _changed_build(request: Request, previous: Previous, stage, tick) -> BuildResult:
    stats: dict = {}
    quick, inputs = _nothing_changed(request, previous, stats)
    if quick:
        return quick
    from .session import close_session, open_session  # here: a build that changes nothing needs no renderer
    session = open_session(request, previous, inputs, stats)
    gc.freeze()  # the store's entries live all build long: the collector need not walk them again and again
    try:
        return _build(session, stage, tick)
    finally:
        close_session(session)
        gc.unfreeze()


def _build(s: Session, stage, tick) -> BuildResult:
    from ..source.notes import load_notes
    from . import stages, workers
    files = discover(s.site.content_dir, s.site.root, s.catalog, s.report)   # the record files
    done = workers.check_files(s.job, files, s.report, tick)                 # checked, masked (and rendered)
    heads = _index_numbers(s, done)                                          # 索引号 settled, collisions
    heads = stages.publication_dates(s, done, heads)                         # backdated? 更新日期 (register)
    notes = load_notes(s.site, s.catalog, s.report)                  # the items' 无信息说明
    seen = expire.sort_out(heads, s.day)                                     # public, drafts, scheduled, withdrawn
    public = [h for h in seen.public if workers.shows(s.job, h)]
    collisions.long_paths(s.out, public, s.report, s.site.path.name)
    rendered = stages.record_pages(s, files, done, public, seen.kept_rows, tick)  # record pages, attachments' checks
    stages.annual_reports(s, done, heads)                                    # annual-report/: 年度报告, checked
    _stop_on_errors(s, done, public, heads)
    stage("渲染")
    shards = stages.search_plan(done, public)
    search_joined = stages.search_index(s, shards)                           # pagefind/, in the background
    section = SectionInput(tuple(heads), seen, s.day, {src: r for src, (_, r) in done.renders.items()}, tuple(shards),
                           tuple(notes.values()))
    stages.section_pages(s, section)                                         # home, catalog, lists, projects, stats
    withdrawn = stages.withdrawn_pages(s, seen.withdrawn)                   # 已撤下 pages
    stages.static_files(s)                                                   # static/
    stages.feed_files(s, public, done)                                       # feeds/
    try:
        stages.open_data(s, public, done)                                    # data/
    except products.Unsealed:
        search_joined()  # Pagefind writes to the staging folder: done before build() starts again
        raise
    stages.sitemap_file(s, withdrawn)                                        # sitemap.xml
    s.store.save()  # while Pagefind runs: the renders hold whatever the output gets
    stages.attachments(s, public)                                            # each record's attachments
    search_joined()
    s.report.diagnostics.extend(s.ledger.report.diagnostics)                 # leaks in shared files
    if s.report.has_errors():
        raise ContentError(s.report)
    stage("写入")
    return _commit(s, done, seen, rendered)                                  # output, manifest, state


def _index_numbers(s: Session, done: workers.Checks) -> list:
    heads = assign_index_numbers([c.head for c in done.checks if c is not None], s.site, s.report)
    collisions.paged_collisions(heads, s.report)
    links.check_references(heads, s.report)  # 替代文件, 被解读文件索引号: numbers of this site
    return heads


def _stop_on_errors(s: Session, done: workers.Checks, public: list, heads: list) -> None:
    """The attachments' findings join the report; with --strict every warning is an error. A
    missing calendar year is a warning even then: publishing must not wait for next year's calendar."""
    at = {c.head.source: c for c in done.checks if c is not None}
    for head in public:
        s.report.diagnostics.extend(at[head.source].attachments)
    if s.strict:
        s.report = s.report.strict()
    _calendar_gaps(s, [h for h in heads if h.published <= s.day])
    if s.report.has_errors():
        raise ContentError(s.report)


def _commit(s: Session, done: workers.Checks, seen: expire.Visibility, rendered: int) -> BuildResult:
    plan = commit.plan(s.ledger, s.existing, s.pending)
    _writable(s, [*(move[0] for move in plan.moves), *plan.removing])
    _warn_foreign(s.out, plan.changes.foreign, s.report)
    result = BuildResult(s.report, len(seen.public), seen, _masked(s, done), plan.changes, 0.0, rendered,
                         s.ledger.made, s.ledger.reused)
    identity = outguard.identity(s.site)
    heads = [c.head for c in done.checks if c is not None]
    remembered = (state.outside_deps(s.site, heads), state.transitions(heads))

    def save_state(path: Path) -> None:
        summary = BuildResult(result.report, result.records, _slim(seen), result.masked)
        state.save(path, state.State(s.inputs, *remembered, s.day, plan.changes.written, summary,
                                     state.State.pack(s.ledger.saved_groups()), site=identity,
                                     register=s.register.saved(), allowed=tuple(sorted(s.job.allowed))))
    try:
        commit.commit(s.output, plan, s.pending, identity, save_state)
    except OSError as problem:  # not foreseen by _writable: say which path, never a traceback
        raise _output_error(s.site, f"无法写入 {problem.filename or s.out}（{problem.strerror or problem}），"
                                    "输出可能只更新了一部分",
                            "确认该文件夹存在、可写、没有被其他程序占用，然后重新生成") from None
    result.seconds = time.perf_counter() - s.start
    return result


def _masked(s: Session, done: workers.Checks) -> dict:
    """Item name -> how many values were masked in its published records."""
    counts: dict[str, int] = {}
    for check in done.checks:
        if check is not None and check.masked and check.head.source in done.renders:
            name = s.catalog.by_id[check.head.item_id].name
            counts[name] = counts.get(name, 0) + check.masked
    return counts


def _slim(seen: expire.Visibility) -> expire.Visibility:
    """What the state keeps of the visibility: the paths, for a build that changes nothing."""
    return expire.Visibility(*([r.shown for r in rs] for rs in (seen.public, seen.drafts, seen.scheduled,
                                                                   seen.withdrawn)),
                             rows_withdrawn=seen.rows_withdrawn)


def _calendar_gaps(s: Session, published: list) -> None:
    """One warning when the working-day calendar lacks a year that some published record's
    deadline needs: publishing goes on (withdrawal cannot wait for a calendar); the yearly
    statistics leave those records uncounted and `check` fails until the year is added."""
    from ..check import deadlines
    from ..config import workdays
    visible = s.catalog.for_level(s.site.level)
    rules = {item.id: item.deadline for item in visible.items if not item.on_request_only}
    missing = deadlines.missing_years(published, rules, workdays.for_site(s.site))
    if missing:
        count = sum(map(len, missing.values()))
        s.report.warning(Location(s.site.path.name), "calendar-year",
                         f"工作日历中没有 {workdays.years_text(missing)}的节假日安排（chinesecalendar 只收录 "
                         f"{workdays.PACKAGE_FIRST}–{workdays.PACKAGE_LAST} 年）：{count} 条记录的公开时限未计算，"
                         "年度统计不计其按时或逾期，check 会报错；记录照常发布、撤下和定时发布",
                         workdays.add_years_hint(missing))


def _output_error(site, message: str, hint: str) -> ConfigError:
    report = Report()
    report.error(Location(site.path.name), "output-unwritable", message, hint)
    return ConfigError(report)


def _writable(s: Session, paths: list) -> None:
    """Before anything is moved in: every folder the write needs can be written."""
    blocked = collisions.unwritable(s.out, paths)
    if blocked:
        raise _output_error(s.site, f"输出文件夹中的 {blocked} 不可写入，本次生成没有改动输出",
                            "修改这个文件夹的权限（或取消只读属性），然后重新生成")


def _warn_foreign(out: Path, foreign: list, report: Report) -> None:
    if not foreign:
        return
    shown = "、".join(foreign[:5]) + ("等" if len(foreign) > 5 else "")
    report.warning(Location(display_path(out, Path.cwd())), "foreign-files",
                   f"输出目录中有 {len(foreign)} 个文件不是本站以前的生成写下的，没有删除也不会上传：{shown}",
                   "输出目录应只放生成的文件；这些若是删除生成记录（.state）前留下的旧文件，可以手工删除")
