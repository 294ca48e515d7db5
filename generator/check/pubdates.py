"""Honest dates: each public record against the publication register (incremental/register.py).

- A record's id in the register is `record:<索引号>` when the file gives its 索引号, else
  `page:<item>/<slug>` (a derived number depends on the path and the date and may shift;
  the page address is what readers saw). A record whose 索引号 is then written in takes over
  its page's entry; a file moved or renamed keeps its entry through its 索引号.
- `backdated`: a `published` date more than one working day before the day a build first
  published the record is an error naming both dates. A record new to the register is first
  published today, so a new record dated yesterday is fine, one dated last week is not.
  Scheduled, withdrawn and draft records are not looked at (not shown by this build).
- A record whose public content (what its page shows, masked: not the 索引号 nor the dates a
  build decides) changes after its first day shows `更新日期`: the day of the build that
  first published the change. A list's rows leaving at the end of their 公示期限 are not a
  change; rows added or edited are.
"""
from __future__ import annotations

import datetime as dt

from ..config.fieldtypes import show
from ..config.workdays import WorkCalendar, YearNotCovered
from ..incremental import keys
from ..incremental.register import Entry, Register, shown_update
from ..model.diagnostics import Location, Report

TOLERANCE = 1  # working days a `published` date may lie before the first day a build showed the record


def record_id(head) -> str:
    return f"page:{head.url}" if head.index_no_derived or not head.index_no else f"record:{head.index_no}"


def aliases(head) -> tuple[str, ...]:
    """Earlier ids of the same record: its page's, from before its 索引号 was written in."""
    return () if head.index_no_derived or not head.index_no else (f"page:{head.url}",)


def content_digest(masked, item) -> bytes:
    """What a record's pages show of what staff wrote (masked; published fields and columns
    only): title, 生成日期, 公示期, project codes, fields, rows, 合计, body, attachments (name,
    title and size). Not the 索引号, `published` or anything the build decides."""
    digest = keys.hasher()

    def add(text: str) -> None:
        data = text.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    add(repr((masked.title, show(masked.date), show(masked.window), masked.projects)))
    for spec in item.fields:
        if spec.publish:
            add(f"{spec.name}\0{show(masked.fields.get(spec.name))}")
    columns = [spec.name for spec in item.rows if spec.publish]
    for row in masked.rows:
        add("\0".join(show(row.values.get(c)) for c in columns))
    if masked.total is not None:
        add(repr((masked.total.label, [show(masked.total.values.get(c)) for c in columns])))
    add(masked.body.strip())
    add(repr([(a.name, a.title, a.size) for a in masked.attachments]))
    return digest.digest()


def backdated(published: dt.date, first: dt.date, calendar: WorkCalendar) -> bool:
    """Whether `published` lies more than TOLERANCE working days before `first`: the working
    days from `published` up to the day before `first`. Days of a year the calendar lacks are
    not counted (no false alarm: `calendar-year` asks for the year)."""
    if published >= first:
        return False
    count = 0
    for year in range(published.year, first.year + 1):
        low = max(published, dt.date(year, 1, 1)) - dt.timedelta(days=1)
        high = min(first - dt.timedelta(days=1), dt.date(year, 12, 31))
        try:
            count += calendar.between(low, high)
        except YearNotCovered:
            continue
        if count > TOLERANCE:
            return True
    return False


def settle(heads: list, checks: dict, register: Register, day: dt.date, calendar: WorkCalendar,
           public, report: Report) -> list:
    """The heads with `updated` set for the public ones (`public(head)`), `backdated` errors
    in the report, and `register` told what this build shows. `checks`: record source ->
    products.Checked (its content digest and where its `published` is)."""
    settled = []
    for head in heads:
        if not public(head):
            settled.append(head)
            continue
        check = checks[head.source]
        key = record_id(head)
        found, entry = register.find(key, *aliases(head))
        entry = register.after(entry, check.content, day, head.published)  # new: first published today
        if backdated(head.published, entry.first, calendar):
            _report_backdated(head, entry, check, report)
        register.put(key, entry, found)
        updated = shown_update(entry, head.published)
        settled.append(head if updated == head.updated else head._replace(updated=updated))  # most are None
    return settled


def predicted(register: Register | None, head, content: bytes, day: dt.date) -> dt.date | None:
    """The 更新日期 a worker renders a page with, from the last build's register (settle()
    gives the same from the same register)."""
    if register is None:
        return None
    _, entry = register.find(record_id(head), *aliases(head))
    return shown_update(register.after(entry, content, day, head.published), head.published)


def _report_backdated(head, entry: Entry, check, report: Report) -> None:
    where = Location(head.shown, *check.published_at) if check.published_at else Location(head.shown, 1, 1)
    report.error(where, "backdated",
                 f"公开日期 {head.published} 早于本站首次发布这条信息的日期 {entry.first}（相差超过 "
                 f"{TOLERANCE} 个工作日），属于倒填发布日期",
                 (f"写上 published: {entry.first}（没有写 published 时，公开日期就是 date）"
                  if head.published == head.date else f"把 published 改回 {entry.first}（首次发布的日期）")
                 + "；若这条信息确实更早已在别处公开，"
                 "保留真实的首次发布日期，并在正文中写明更早公开的渠道和日期（见 docs/staff.md“公开日期”）")
