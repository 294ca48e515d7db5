"""Timeliness and completeness (`check`): what a webmaster must fix or explain.

Findings, each with a severity:
- `late` (warning): published after its legal deadline. It already happened and cannot
  be undone, but the yearly report counts it; a scheduled record that will be late is
  still fixable by moving `published` earlier.
- `stale` (warning): a monthly item with a month missing, or an `annual_by` item not
  published this year by its day.
- `empty` (warning): an item the site must carry with no public record (空白栏目); info
  when the item's no-information note (source/notes.py) explains it, or when its list
  shows the lines of expired 公示 (it is not blank then).
- `stale` (warning) too: a policy or notice item (`freshness_months` in the catalog) with no
  new or changed record in that many months (by `published`, to today).
- `note` (warning): a no-information note checked in an earlier year or over a year ago, or
  one that a record published in its year contradicts; (info) a note beside public records.
- `withdrawn`, `scheduled` (info): records out of the site today, for the record.
- `annual` (info, warning, error): the 政府信息公开工作年度报告 due (annual/due.py): info
  from 1 December, a warning from 10 working days before `annual_report.deadline`, an error after.
- `calendar` (error): deadlines that need a year the working-day calendar lacks are not
  computed; the report says which years and how many records, at site.yaml.
- `identifier` (error for a production site, else warning): a footer identifier or the
  registered site name that site.yaml lacks (check/footer.py), at site.yaml.
- The national site-inspection rules (国办秘函〔2019〕19号, check/inspection.py) that fail
  a site outright (error): no update in the whole section for two weeks (网站不更新); five
  or more policy and notice items over six months old, or ten or more items behind their
  update rule (栏目不更新); five or more empty items (空白栏目). The text report sets each
  count against its limit (inspection.Summary).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..check import deadlines, expire, footer, inspection
from ..check.inspection import EMPTY_COLUMNS_LIMIT, NO_UPDATE_DAYS, POLICY_STALE_LIMIT, STALE_COLUMNS_LIMIT
from ..config.catalog import Catalog, Item
from ..config.workdays import (
    PACKAGE_FIRST,
    PACKAGE_LAST,
    WorkCalendar,
    YearNotCovered,
    add_years_hint,
    for_site,
    years_text,
)
from ..model.diagnostics import display_path

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_LABEL = {ERROR: "不合格", WARNING: "警告", INFO: "提示"}
SECTION = "content"  # the path of findings about the whole section


@dataclass(frozen=True)
class Finding:
    path: str
    item: str | None
    kind: str
    severity: str
    deadline: dt.date | None
    published: dt.date | None
    late_working_days: int | None
    message: str
    category: str = ""  # category id, for grouping; "" for the whole section

    def as_json(self) -> dict:
        return {"path": self.path, "item": self.item, "kind": self.kind, "severity": self.severity,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "published": self.published.isoformat() if self.published else None,
                "late_working_days": self.late_working_days}


def _months(first: dt.date, last: dt.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class _Checker:
    def __init__(self, site, catalog: Catalog, today: dt.date):
        self.site, self.today = site, today
        self.calendar: WorkCalendar = for_site(site)
        visible = catalog.for_level(site.level)
        self.items = [i for i in visible.items if not i.on_request_only]
        self.findings: list[Finding] = []
        self.behind: list[Item] = []  # items behind their update rule today
        self.policy_stale: list[Item] = []  # items over their freshness_months today
        self.missing: dict[int, set[str]] = {}  # calendar year lacking -> paths whose deadlines need it

    def uncovered(self, problem: YearNotCovered, path: str) -> None:
        self.missing.setdefault(problem.year, set()).add(path)

    def add(self, item: Item | None, path: str, kind: str, severity: str, message: str,
            deadline=None, published=None, late=None) -> None:
        self.findings.append(Finding(path, item.id if item else None, kind, severity, deadline, published,
                                     late, message, item.category if item else ""))

    def records(self, item: Item, records: list, seen: expire.Visibility) -> None:
        scheduled = {r.source for r in seen.scheduled}
        withdrawn = {r.source for r in seen.withdrawn}
        for record in records:
            try:
                timing = deadlines.timing(record.date, record.published, item.deadline, self.calendar)
            except YearNotCovered as problem:
                self.uncovered(problem, record.shown)
                timing = deadlines.Timing(None, 0)
            if timing.late:
                self.add(item, record.shown, "late", WARNING,
                         f"逾期 {timing.late_working_days} 个工作日公开：时限 {timing.deadline}，公开日期 {record.published}"
                         + ("（尚未发布，可提前公开日期）" if record.source in scheduled else ""),
                         timing.deadline, record.published, timing.late_working_days)
            if record.source in scheduled:
                self.add(item, record.shown, "scheduled", INFO, f"定时发布：将于 {record.published} 公开",
                         timing.deadline, record.published)
            elif record.source in withdrawn:
                self.add(item, record.shown, "withdrawn", INFO, "公示期已满，已从网站撤下", None, record.published)

    def monthly(self, item: Item, out: list) -> None:
        """Every month from the item's first record to the last month now due needs a record."""
        covered = {(r.date.year, r.date.month) for r in out}
        folder = f"{SECTION}/{item.id}"
        missing_latest = False
        for year, month in _months(min(r.date for r in out), self.today):
            try:
                due = deadlines.month_deadline(year, month, item.deadline, self.calendar)
            except YearNotCovered as problem:
                self.uncovered(problem, folder)
                break
            if due >= self.today:
                break
            missing_latest = (year, month) not in covered
            if missing_latest:
                self.add(item, folder, "stale", WARNING, f"缺少 {year}年{month}月 的更新（应在 {due} 前公开）", due)
        if missing_latest:
            self.behind.append(item)

    def annual(self, item: Item, out: list) -> None:
        due = deadlines.annual_date(item.deadline, self.today.year)
        if due is None or due >= self.today:
            return
        this_year = sorted(r.published for r in out if r.published.year == due.year)
        if this_year and this_year[0] <= due:
            return
        folder = f"{SECTION}/{item.id}"
        if this_year:
            try:
                late = self.calendar.between(due, this_year[0])
            except YearNotCovered as problem:
                self.uncovered(problem, folder)
                late = None
            self.add(item, folder, "stale", WARNING,
                     f"{due.year} 年首次公开晚于每年 {due.month}月{due.day}日 的时限（{this_year[0]} 才公开）",
                     due, this_year[0], late)
        else:
            self.add(item, folder, "stale", WARNING, f"{due.year} 年尚未公开（应在 {due.month}月{due.day}日 前公开）", due)
            self.behind.append(item)

    def freshness(self, item: Item, out: list) -> None:
        """A policy or notice item needs a new or changed record every `freshness_months`."""
        last = max(r.published for r in out)
        until = inspection.add_months(last, item.freshness_months)
        if self.today > until:
            self.add(item, f"{SECTION}/{item.id}", "stale", WARNING,
                     f"超过 {item.freshness_months} 个月未更新：最近一次公开是 {last}，应在 {until} 前有新的或更新的信息"
                     "（政策文件、通知公告类栏目，国办秘函〔2019〕19号）", until, last)
            self.policy_stale.append(item)

    def note(self, item: Item, note, out: list) -> None:
        """A note over a year old, or contradicted by a record of its year; beside records, info."""
        folder = f"{SECTION}/{item.id}"
        if note.checked > self.today:
            self.add(item, note.shown, "note", WARNING, f"无信息说明的核实日期 {note.checked} 晚于今天：请写实际核实的日期")
        if note.stale(self.today):
            self.add(item, note.shown, "note", WARNING,
                     f"无信息说明已过期：核实日期是 {note.checked}，请重新核实本栏目并更新说明（或删除说明文件）")
        same_year = [r for r in out if r.published.year == note.checked.year]
        if same_year:
            self.add(item, note.shown, "note", WARNING,
                     f"无信息说明与记录不符：本栏目 {note.checked.year} 年已公开 {len(same_year)} 条信息，说明却仍在",
                     None, max(r.published for r in same_year))
        elif out:
            self.add(item, folder, "note", INFO, f"栏目有公开信息，同时显示无信息说明：“{note.text}”")

    def long_stale(self) -> list[Item]:
        """Items behind their update rule or their freshness rule, each once."""
        return list({item.id: item for item in self.behind + self.policy_stale}.values())

    def calendar_gaps(self) -> None:
        """One finding for every deadline not computed: no guessed numbers, and no pass."""
        if not self.missing:
            return
        paths = set().union(*self.missing.values())
        self.add(None, display_path(self.site.path, self.site.root), "calendar", ERROR,
                 f"工作日历中没有 {years_text(self.missing)}的节假日安排（chinesecalendar 只收录 "
                 f"{PACKAGE_FIRST}–{PACKAGE_LAST} 年），{len(paths)} 处的公开时限无法计算"
                 f"（如 {min(paths)}）。{add_years_hint(self.missing)}")

    def inspection(self, public: list, empty: list) -> None:
        """The 单项否决 rules of check/inspection.py, as section-wide findings."""
        last = max((r.published for r in public), default=None)
        if last is None or (self.today - last).days > NO_UPDATE_DAYS:
            since = f"最近一次更新是 {last}" if last else "没有任何公开信息"
            self.add(None, SECTION, "stale", ERROR,
                     f"网站不更新：监测时间点前 2 周内整个专栏没有更新（{since}），属单项否决",
                     last + dt.timedelta(days=NO_UPDATE_DAYS) if last else None, last)
        if len(self.policy_stale) >= POLICY_STALE_LIMIT:
            names = "、".join(i.name for i in self.policy_stale)
            self.add(None, SECTION, "stale", ERROR,
                     f"栏目不更新：{len(self.policy_stale)} 个政策文件、通知公告类栏目 6 个月内未更新"
                     f"（超过（含）{POLICY_STALE_LIMIT} 个即单项否决）：{names}")
        long_stale = self.long_stale()
        if len(long_stale) >= STALE_COLUMNS_LIMIT:
            names = "、".join(i.name for i in long_stale)
            self.add(None, SECTION, "stale", ERROR,
                     f"栏目不更新：{len(long_stale)} 个栏目应更新而长期未更新（超过（含）{STALE_COLUMNS_LIMIT} 个即单项否决）：{names}")
        if len(empty) >= EMPTY_COLUMNS_LIMIT:
            names = "、".join(i.name for i in empty)
            self.add(None, SECTION, "empty", ERROR,
                     f"空白栏目 {len(empty)} 个（超过（含）{EMPTY_COLUMNS_LIMIT} 个即单项否决）：{names}")


@dataclass(frozen=True)
class Result:
    findings: list  # Finding, section-wide ones first, then by catalog order
    summary: inspection.Summary


def check(site, catalog: Catalog, records: list, today: dt.date, notes: dict | None = None) -> list[Finding]:
    """Every finding of the site as of today, section-wide ones first, then by catalog order."""
    return run(site, catalog, records, today, notes).findings


def run(site, catalog: Catalog, records: list, today: dt.date, notes: dict | None = None) -> Result:
    """The findings and each inspection rule's count; `notes`: item id -> source.notes.Note."""
    notes = notes or {}
    seen = expire.sort_out(records, today)
    checker = _Checker(site, catalog, today)
    by_item: dict[str, list] = {item.id: [] for item in checker.items}
    for record in records:
        if not record.draft and record.item_id in by_item:
            by_item[record.item_id].append(record)
    public_ids = {r.item_id for r in seen.public}
    gone = {r.source for r in seen.scheduled}
    withdrawn = {r.source for r in seen.withdrawn}
    empty, explained = [], {"noted": 0, "expired": 0}
    for item in checker.items:
        mine = sorted(by_item[item.id], key=lambda r: (r.date, r.shown))
        checker.records(item, mine, seen)
        out = [r for r in mine if r.source not in gone]  # ever published, withdrawn or not
        note = notes.get(item.id)
        if item.id not in public_ids:
            _empty(checker, item, note, sum(r.source in withdrawn for r in mine), empty, explained)
        if note is not None:
            checker.note(item, note, out)
        if not out:
            continue
        if item.deadline.monthly is not None:
            checker.monthly(item, out)
        if item.deadline.annual_by is not None:
            checker.annual(item, out)
        if item.freshness_months:
            checker.freshness(item, out)
    _annual_report(checker, site, today)
    checker.calendar_gaps()
    for severity, message in footer.missing(site):
        checker.add(None, display_path(site.path, site.root), "identifier", severity, message)
    checker.inspection(seen.public, empty)
    order = {item.id: n for n, item in enumerate(checker.items)}
    kinds = ("calendar", "identifier", "annual", "late", "stale", "empty", "note", "scheduled", "withdrawn")
    findings = sorted(checker.findings, key=lambda f: (
        f.item is not None, order.get(f.item, -1), f.path, kinds.index(f.kind), f.deadline or dt.date.min))
    summary = inspection.Summary(
        max((r.published for r in seen.public), default=None), today, len(checker.policy_stale),
        len(checker.long_stale()), len(empty), explained["noted"], explained["expired"],
        sum(f.kind == "late" for f in findings))
    return Result(findings, summary)


def _empty(checker: _Checker, item: Item, note, expired: int, empty: list, explained: dict) -> None:
    """An item with no public record: a blank column, unless a current note explains it or
    its list shows the lines of expired 公示 (render/pages.py)."""
    path = f"{SECTION}/{item.id}"
    if note is not None and not note.stale(checker.today):
        explained["noted"] += 1
        checker.add(item, path, "empty", INFO, f"没有公开中的信息，已注明：“{note.text}”（核实日期 {note.checked}）")
    elif expired:
        explained["expired"] += 1
        checker.add(item, path, "empty", INFO,
                    f"没有公开中的信息；栏目列出公示期满已撤下的 {expired} 条记录（只有日期，不含内容）")
    else:
        empty.append(item)
        checker.add(item, path, "empty", WARNING, "空白栏目：没有公开中的信息"
                    + ("（无信息说明已过期）" if note is not None else ""))


def _annual_report(checker: _Checker, site, today: dt.date) -> None:
    """The 年度报告 due (annual/due.py): its problems were reported by check_site already."""
    from ..annual import due, load
    from ..model.diagnostics import Report
    if not (site.content_dir / load.FOLDER).is_dir():
        return  # the site keeps no 年度报告 column (the report is published elsewhere)
    published = {year: r.published for year, r in load.load_all(site, Report()).items()}
    try:
        found = due.due(site, published, today, checker.calendar)
    except YearNotCovered as problem:
        checker.uncovered(problem, f"{SECTION}/{load.FOLDER}")
        return
    for d in found:
        checker.add(None, d.path, "annual", d.severity, d.message, d.deadline, published.get(d.year), d.late_days)


def as_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_json() for f in findings], ensure_ascii=False, indent=2)


def as_text(findings: list[Finding], catalog: Catalog, site, today: dt.date,
            summary: inspection.Summary | None = None) -> str:
    """The report a webmaster reads: each inspection rule's count against its limit,
    section-wide failures, then by category and item."""
    lines = [f"{site.title} 时效与完整性检查（以 {today} 为准）", ""]
    if summary is not None:
        lines.append("检查指标对照（《政府网站与政务新媒体检查指标》国办秘函〔2019〕19号）")
        lines += [f"  {line}" for line in summary.lines()]
        lines.append("")
    section = [f for f in findings if f.item is None]
    if section:
        lines.append("全站：政府网站检查指标（国办秘函〔2019〕19号）")
        lines += [f"  {SEVERITY_LABEL[f.severity]}  {f.message}" for f in section]
        lines.append("")
    current_category = current_item = None
    for finding in findings:
        if finding.item is None:
            continue
        item = catalog.by_id[finding.item]
        if finding.category != current_category:
            current_category = finding.category
            lines.append(f"{catalog.category(finding.category).name}（{finding.category}）")
        if finding.item != current_item:
            current_item = finding.item
            lines.append(f"  {item.name}（{item.id}）")
        lines.append(f"    {SEVERITY_LABEL[finding.severity]}  {finding.path}：{finding.message}")
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITY_LABEL}
    if findings:
        lines.append("")
    lines.append(f"合计：不合格 {counts[ERROR]} 项，警告 {counts[WARNING]} 项，提示 {counts[INFO]} 项。"
                 + ("有不合格项：网站检查会被判为不合格，请尽快处理。" if counts[ERROR] else ""))
    return "\n".join(lines) + "\n"
