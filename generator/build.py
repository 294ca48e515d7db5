"""The build: every stage in order, one line each.

config → catalog → load/validate → expire → mask → render → feeds/data/sitemap → search index → leak gate → write
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import attachscan, expire, feeds, leakgate, mask, opendata, search, sitemap, state, stats, write
from .catalog import load_catalog
from .config import load_site
from .diagnostics import ContentError, Location, Report, display_path
from .render import Gone, Renderer, record_paths, theme_dir
from .validate import load_records, open_cache


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


def _unreported(leaks, records, site, report: Report):
    """Leaks minus those in attachments that the attachment scan has already reported."""
    flagged = {d.location.path for d in report.errors if d.code == "attachment-leak"}
    source = {f"{r.item_id}/{r.slug}/{a.name}": display_path(a.path, site.root) for r in records for a in r.attachments}
    return [leak for leak in leaks if source.get(leak.path) not in flagged]


def _gone(withdrawn, catalog, site) -> list[Gone]:
    """The pages of records withdrawn from view (公示期 over), where the site shows their item."""
    visible = catalog.for_level(site.level).by_id
    return [Gone(path, r.item_id, r.window.end if r.window else None)
            for r in withdrawn if r.item_id in visible and not visible[r.item_id].on_request_only
            for path in record_paths(r)]


def _deleted(published: dict, catalog, site) -> list[Gone]:
    """Record pages the last build wrote (its own 已撤下 pages included, so the memory
    carries on): any that this build does not make again gets a 已撤下 page too, for a
    record deleted, renamed or turned back into a draft."""
    visible = catalog.for_level(site.level).by_id
    gone = []
    for path in published:
        parts = path.split("/")
        if len(parts) == 3 and parts[2].endswith(".html") and not parts[2].startswith("index"):
            item_id = f"{parts[0]}/{parts[1]}"
            if item_id in visible:
                gone.append(Gone(path, item_id))
    return sorted(gone, key=lambda g: g.path)


def _quiet(_stage: str) -> None:
    pass


def _search_index(site, files: dict[str, bytes], report: Report) -> dict[str, bytes]:
    try:
        return search.build_index(files, search.find_binary())
    except search.SearchUnavailable as problem:
        report.warning(Location(site.path.name), "search-unavailable", f"{problem}，本次生成的网站没有全文搜索",
                       "运行 npm install --prefix .tools pagefind@1.6.0（见 README 的“全文搜索”），"
                       "或用环境变量 PAGEFIND_BINARY_PATH 指定 pagefind_extended 的位置")
        return {}


def _nothing_changed(site, site_path: Path, out: Path, last, day, strict: bool, start: float):
    """(last build's result, fingerprint): the result when no input changed, the records
    visible on `day` are the same and the output is as the last build left it; else None."""
    inputs = state.fingerprint(site, site_path, theme_dir(site), last.deps if last else [], strict)
    if last is None or last.inputs != inputs or not state.same_day_view(last, day) \
            or not state.output_intact(out, last.files):
        return None, inputs
    result = last.summary
    result.changes = write.Changes(unchanged=len(last.files))
    write.write_manifest(out, result.changes)  # nothing to upload this time
    result.seconds = time.perf_counter() - start
    return result, inputs


def _save_state(out: Path, inputs: bytes, site, records, day, changes: write.Changes, result: BuildResult) -> None:
    seen = result.visibility
    slim = expire.Visibility(*([r.shown for r in rs] for rs in (seen.public, seen.drafts, seen.scheduled,
                                                                   seen.withdrawn)),
                             rows_withdrawn=seen.rows_withdrawn)
    summary = BuildResult(result.report, result.records, slim, result.masked)
    state.save(out, state.State(inputs, state.outside_deps(site, records), state.transitions(records), day,
                                changes.written, summary))


def build(site_path: Path, out: Path | None = None, today: str | None = None, strict: bool = False,
          stage=_quiet) -> BuildResult:
    """`stage(name)` is told when each stage starts (读取/检查, 渲染, 写入), for a progress bar."""
    start = time.perf_counter()
    stage("读取/检查")
    site = load_site(site_path)
    out = out or site.root / "output"
    last = state.load(out)
    day = expire.today(today)
    quick, inputs = _nothing_changed(site, site_path, out, last, day, strict, start)
    if quick:
        return quick
    catalog = load_catalog(site)
    report = Report()
    records = load_records(site, catalog, report, open_cache(site, catalog))
    masked = mask.mask_records(records, catalog, site)  # every record: all raw values become secrets
    mask.report_findings(masked.findings, report)
    if strict:
        report = report.strict()
    if report.has_errors():
        raise ContentError(report)
    seen = expire.sort_out(records, day)
    shown = expire.shown(masked.records, seen)  # withdrawn rows (公示期限 over) dropped too
    stage("渲染")
    renderer = Renderer(site, catalog, day)
    renderer.reports = stats.yearly(site, catalog, records, seen, day)
    files = renderer.render(shown)
    renderer.withdrawn_pages(_gone(seen.withdrawn, catalog, site))
    renderer.withdrawn_pages(_deleted(last.files if last else {}, catalog, site))
    files.update(_static_files(site))
    files.update(_attachments(shown))
    files.update(feeds.feeds(site, catalog, shown))
    files.update(opendata.opendata(site, catalog, shown))
    files.update(sitemap.sitemap(site, files))
    files.update(_search_index(site, files, report))
    attachscan.check(shown, masked.secrets, site, report)  # attachments are published as they are
    for leak in _unreported(leakgate.scan(files, masked.secrets), shown, site, report):
        report.error(Location(leak.path), "leak", f"输出文件中出现了未隐藏的个人信息 {leak.shown}",
                     "检查模板是否直接输出了原始数据；本次没有写入任何文件，原有的网站保持不变")
    if report.has_errors():
        raise ContentError(report)
    stage("写入")
    changes = write.sync(files, out, last.files if last else None)
    counts: dict[str, int] = {}
    for record in shown:
        if masked.counts[record.source]:
            name = catalog.by_id[record.item_id].name
            counts[name] = counts.get(name, 0) + masked.counts[record.source]
    result = BuildResult(report, len(shown), seen, counts, changes, time.perf_counter() - start)
    _save_state(out, inputs, site, records, day, changes, result)
    return result
