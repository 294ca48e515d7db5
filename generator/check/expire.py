"""Which records are public today: drafts, scheduled records (published in the future)
and records whose 公示期 has ended are kept out of every output.

Rows expire too: a list row with a 公示期限 column (the credit blacklist of seed 000:
every name has its own period) is withdrawn the day after its period ends; a record
whose rows have all expired is withdrawn as a whole.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace

from ..model.records import ROW_PERIOD, Record  # noqa: F401 (ROW_PERIOD is used by other stages)


@dataclass
class Visibility:
    public: list = field(default_factory=list)  # rows already filtered
    drafts: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)
    withdrawn: list = field(default_factory=list)
    # source -> indices of the rows still shown, for public records that lost some rows
    kept_rows: dict = field(default_factory=dict)
    rows_withdrawn: int = 0


def today(value: str | None) -> dt.date:
    """`--today`, else SOURCE_DATE_EPOCH, else the machine's date (Beijing time)."""
    if value:
        return dt.date.fromisoformat(value)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone(dt.timedelta(hours=8))).date()
        except (ValueError, OverflowError, OSError):
            raise _bad_epoch(epoch) from None
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def _bad_epoch(epoch: str):
    from ..model.diagnostics import ConfigError, Location, Report
    report = Report()
    # not echoed when it could be a personal number (a long run of digits) or is long
    shown = f"“{epoch}”" if len(epoch) <= 40 and not re.search(r"\d{11}", epoch) else f"（{len(epoch)} 个字符）"
    report.error(Location("环境变量 SOURCE_DATE_EPOCH"), "source-date-epoch",
                 f"SOURCE_DATE_EPOCH 的值{shown}不是有效的时间戳",
                 "应为 1970-01-01 以来的秒数（整数），如 1767225600；或删除这个环境变量，改用 --today YYYY-MM-DD")
    return ConfigError(report)


def kept_rows(ends: tuple, count: int, day: dt.date) -> tuple[int, ...]:
    """The indices of the rows still shown on `day`, given each row's 公示期限 end (or None)."""
    if not ends:
        return tuple(range(count))
    return tuple(i for i, end in enumerate(ends) if end is None or end >= day)


def trimmed(record: Record, kept: tuple[int, ...]) -> Record:
    """The record with only the rows `kept` (kept_rows), itself when it keeps them all."""
    if len(kept) == len(record.rows):
        return record
    return replace(record, rows=tuple(record.rows[i] for i in kept))


def status(record, day: dt.date) -> tuple[str, tuple[int, ...] | None]:
    """What happens to a record or head (records.Head) on `day`: draft, scheduled, withdrawn
    or public, with the indices of the rows it still shows (None when its rows do not
    matter: a draft, scheduled, or its 公示期 over). A list whose rows have all expired is withdrawn."""
    if record.draft:
        return "draft", None
    if record.published > day:
        return "scheduled", None
    if record.window is not None and record.window.end < day:
        return "withdrawn", None
    kept = kept_rows(record.row_ends, record.row_count, day)
    return ("withdrawn" if record.row_count and not kept else "public"), kept


def sort_out(records: list, day: dt.date) -> Visibility:
    """Records or heads sorted by what happens to them on `day`; public records lose their
    withdrawn rows, heads keep their row count (kept_rows says which rows are shown)."""
    seen = Visibility()
    lists = {"draft": seen.drafts, "scheduled": seen.scheduled, "withdrawn": seen.withdrawn}
    for record in records:
        state, kept = status(record, day)
        if kept is not None:
            seen.rows_withdrawn += record.row_count - len(kept)
        if state != "public":
            lists[state].append(record)
        elif len(kept) == record.row_count:
            seen.public.append(record)
        else:
            seen.kept_rows[record.source] = kept
            seen.public.append(trimmed(record, kept) if isinstance(record, Record) else record)
    return seen
