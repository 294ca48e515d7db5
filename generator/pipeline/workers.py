"""Per-record work: each record file is checked, masked, rendered and gated on its own, on
every core, and what comes of it is kept (products.py) so that a rebuild redoes only the
records that changed.

A worker takes a record file. It checks and masks it; when the record is public today it
renders the record's pages, runs the leak gate on them with the record's own raw values,
and puts in the staging folder the pages whose bytes differ from what the output holds.
It returns small things only: the record's head, its diagnostics, the digests of its
pages, its feed summary and the project names its rows give; its open-data rows go to the
store. So the main process never holds a record's rows, and a build of tens of thousands
of records needs little memory.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
from dataclasses import dataclass, field, replace

from ..annual.counts import facts_of
from ..check import expire, pubdates
from ..check.validate import after_check, check_record
from ..config.catalog import Catalog
from ..config.site import SiteConfig
from ..incremental.keys import digest
from ..incremental.products import Checked, Rendered, Store, dependencies, render_key
from ..model.diagnostics import Location, Report
from ..model.records import Record, head_of
from ..outputs import feeds, opendata, search
from ..outputs.feeds import Summaries
from ..privacy import attachscan, leakgate, mask
from ..publish.ledger import Output
from ..render.pages import Renderer, display_rows, row_projects
from ..source import yamlsource
from ..source.discover import SourceFile, read

PARALLEL_FROM = 200  # tasks; below this a process pool costs more than it saves


@dataclass
class Job:
    """What every task needs; set before the pool forks, so the workers inherit it (or sent: for_worker)."""
    site: SiteConfig
    catalog: Catalog
    day: object  # datetime.date
    store: Store
    renderer: Renderer | None
    output: Output | None  # None: check only (the validate and check commands)
    visible: set = field(default_factory=set)  # ids of the items of the site's level
    summaries: Summaries = field(default_factory=Summaries)
    stats: dict = field(default_factory=dict)  # record file location -> os.stat_result, taken this run
    register: object = None  # the last build's publication register (incremental/register.py), read only

    def for_worker(self) -> "Job":
        """What a worker started afresh (spawn: Windows, macOS, wherever there is no fork) is
        sent: everything but what it can make again itself or does not need, the store's
        entries and the renderer (made in the worker by adopt())."""
        return replace(self, store=self.store.for_worker(), renderer=None, summaries=Summaries(), stats={},
                       output=self.output and self.output.for_worker())

    @property
    def allowed(self) -> frozenset:
        """The numbers the leak gate lets through: the site's declared hotlines."""
        return leakgate.hotlines(self.site)


@dataclass
class Task:
    index: int  # in the build's list of files
    file: SourceFile
    check_key: str | None  # None: the worker finds it from the bytes it reads
    index_no: str = ""  # the 索引号 to publish under when it is not the file's own (derived)
    linked: tuple = ()  # what its page shows of the records it links to or that link to it (check/links.py)
    updated: tuple = ()  # (更新日期 or None,) as the build settled it (check/pubdates.py); () while checking


@dataclass
class Outcome:
    index: int
    checked: Checked | None  # None when the file has errors
    diagnostics: list  # every diagnostic of the file, errors too
    check_key: str = ""
    render_key: str = ""
    rendered: Rendered | None = None
    render_diagnostics: list = field(default_factory=list)  # those of the rendering alone


_job: Job | None = None


def start_method() -> str:
    """fork where the system has it (the workers inherit the job as it is, at no cost), else
    spawn; the environment variable ZFBZ_START_METHOD=spawn asks for spawn anyway (the tests
    run the Windows way with it)."""
    wanted = os.environ.get("ZFBZ_START_METHOD", "")
    if wanted in ("fork", "spawn"):
        return wanted if wanted == "spawn" or hasattr(os, "fork") else "spawn"
    return "fork" if hasattr(os, "fork") else "spawn"


def adopt(job: Job) -> None:
    """A spawned worker's start: the job it was sent, with a renderer of its own."""
    global _job
    if job.output is not None:
        job.renderer = Renderer(job.site, job.catalog, job.day)
    _job = job


def shows(job: Job, record) -> bool:
    """Whether the site publishes the record's item at all."""
    item = job.catalog.by_id[record.item_id]
    return record.item_id in job.visible and not item.on_request_only


def _file_bytes(file: SourceFile) -> bytes | None:
    try:
        return file.path.read_bytes()
    except OSError:
        return None  # read() tries again and says why it cannot


def _check(task: Task, report: Report):
    """(checked record, mask.MaskResult) or None when the file has errors."""
    job = _job
    data = None
    if task.check_key is None:
        data = _file_bytes(task.file)
        task.check_key = job.store.check_key(task.file.shown, data or b"")
    try:
        raw = read(task.file, data)
    except yamlsource.YamlProblem as problem:
        report.error(Location(task.file.shown, problem.line, problem.col), problem.code, problem.message, problem.hint)
        return None
    item = job.catalog.by_id[task.file.item_id]
    record = check_record(raw, item, job.site, report)
    if record is None:
        return None
    after_check(record, job.catalog, job.site, job.visible, report)
    masked = mask.mask_record(record, item, job.site)
    mask.report_findings(masked.findings, report)
    return record, masked


def _leaks(gate: leakgate.Gate, parts: dict, report: Report, source: tuple) -> None:
    for path, data in parts.items():
        leak = gate.leak(path, data, source)
        if leak:
            leakgate.report(leak, report)


def _render(task: Task, outcome: Outcome, record: Record, masked: Record, secrets: set, kept: tuple,
            updated: dt.date | None) -> None:
    """The record's pages, feed summary, project names and open-data rows, gated with its
    own raw values; the changed pages staged. Nothing is kept when the gate finds a leak."""
    job = _job
    report = Report()
    item = job.catalog.by_id[record.item_id]
    index_no = task.index_no or record.index_no
    shown = replace(expire.trimmed(masked, kept), index_no=index_no, index_no_derived=bool(task.index_no),
                    updated=updated)
    rows = display_rows(shown, item)
    pages = job.renderer.pages_of(shown, rows, task.linked)
    summary = job.summaries(shown, item)
    projects = row_projects(shown)
    data = opendata.fragment(item, shown, rows) if opendata.has_data(item) else None
    parts = dict(pages)
    parts[feeds.all_path()] = "\n".join([summary, *projects.values()]).encode()  # shown in feeds and project pages
    if data:  # the JSON holds the same cells as the CSV
        parts[f"data/{item.id}.csv"] = data[1]
    _leaks(leakgate.Gate(secrets, job.allowed), parts, report, (record.shown, record.source))
    outcome.render_key = render_key(task.check_key, outcome.checked.deps, kept, index_no, task.linked, updated)
    outcome.diagnostics += report.diagnostics
    outcome.render_diagnostics = report.diagnostics
    if report.has_errors():
        return
    digests = {path: job.output.place(path, page) for path, page in pages.items()}
    if data:
        job.store.put_data(outcome.render_key, data)
    # the search index reads less than the page (not a list's rows): a shard is made again only when that changes
    indexed = digest(search.for_index(pages[shown.url])) if shown.url in pages else b""
    outcome.rendered = Rendered.of(digests, summary, projects, data[0] if data else 0, indexed)


def work(task: Task) -> Outcome:
    """One record file: checked, masked, and rendered when it is public today."""
    job = _job
    report = Report()
    checked = _check(task, report)
    if checked is None or report.has_errors():
        return Outcome(task.index, None, report.diagnostics, task.check_key)
    record, result = checked
    masked = result.records[0]
    head = head_of(record, masked)
    attachments = Report()  # attachments are published as they are: masking cannot touch them
    attachscan.check([masked], result.secrets, job.site, attachments)
    content = pubdates.content_digest(masked, job.catalog.by_id[record.item_id])
    published_at = record.where.get("published") or record.where.get("date")
    outcome = Outcome(task.index, Checked(head, tuple(report.diagnostics), result.counts[record.source],
                                          dependencies(head, job.site.root), tuple(attachments.diagnostics),
                                          facts=facts_of(record), content=content,
                                          published_at=(published_at.line, published_at.col) if published_at else ()),
                      list(report.diagnostics), task.check_key)
    state, kept = expire.status(head, job.day)
    if job.output is not None and state == "public" and shows(job, head) and (task.index_no or head.index_no) \
            and not (head.refs and not task.linked):  # its links are known once every record is checked
        if task.updated:
            updated = task.updated[0]
        else:  # while checking: the 更新日期 the build will settle, from the same register
            updated = pubdates.predicted(job.register, head, content, job.day)
        _render(task, outcome, record, masked, result.secrets, kept, updated)
    return outcome


def _work_chunk(tasks: list[Task]) -> list[Outcome]:
    return [work(task) for task in tasks]


def run(job: Job, tasks: list[Task], progress=None) -> list[Outcome]:
    """work() on every task, on every core when there are many; outcomes in task order.
    `progress(n, total)` is told as each n of the total tasks are done."""
    global _job
    _job = job
    try:
        workers = os.cpu_count() or 1
        if len(tasks) < PARALLEL_FROM or workers < 2:
            outcomes = []
            for task in tasks:
                outcomes.append(work(task))
                if progress:
                    progress(1, len(tasks))
            return outcomes
        size = max(1, min(50, -(-len(tasks) // (workers * 8))))
        chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        outcomes = []
        frozen = gc.get_freeze_count() > 0  # by the build, until it ends
        gc.freeze()  # the workers share the parent's objects: keep their collector off those pages
        try:
            import multiprocessing  # records needs no pool, and importing it has a cost (docs/performance.md)
            from concurrent.futures import ProcessPoolExecutor  # here, not at the top: a rebuild of a few
            method = start_method()
            start = {} if method == "fork" else {"initializer": adopt, "initargs": (job.for_worker(),)}
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), **start) as pool:
                for chunk in pool.map(_work_chunk, chunks):
                    outcomes += chunk
                    if progress:
                        progress(len(chunk), len(tasks))
        finally:
            if not frozen:
                gc.unfreeze()
        return outcomes
    finally:
        _job = None


@dataclass
class Checks:
    """Every file's check, and the renders of the public records."""
    keys: list  # per file, its check key
    checks: list  # per file, products.Checked or None
    outcomes: dict = field(default_factory=dict)  # file index -> Outcome, for the files checked now
    renders: dict = field(default_factory=dict)  # record source -> (render key, products.Rendered)


def check_files(job: Job, files: list[SourceFile], report: Report, tick=None) -> Checks:
    """Every file's check, from the store or done now (rendering the public records on the
    way when the job renders); the diagnostics go to the report."""
    store = job.store
    cold = not store.entries  # nothing kept to find: each worker hashes the file it reads anyway
    stats = job.stats
    keys = [store.file_key(f.shown, f.location, read=not cold, st=stats.get(f.location)) for f in files]
    done = Checks(keys, [store.get_check(key) if key else None for key in keys])
    for check in done.checks:
        if check is not None:
            report.diagnostics.extend(check.diagnostics)
    tasks = [Task(i, f, keys[i]) for i, f in enumerate(files) if done.checks[i] is None]
    done.outcomes = {o.index: o for o in run(job, tasks, tick)}
    for index, outcome in done.outcomes.items():
        if keys[index] is None:
            keys[index] = outcome.check_key
            store.found_key(files[index].shown, outcome.check_key)
        report.diagnostics.extend(outcome.diagnostics)
        done.checks[index] = outcome.checked
        if outcome.checked is not None:
            store.put(keys[index], outcome.checked)
    return done
