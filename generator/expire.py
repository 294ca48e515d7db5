"""Which records are public today: drafts, scheduled records (published in the future)
and records whose 公示期 has ended are kept out of every output."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace

from .fieldtypes import Period
from .records import Record


@dataclass
class Visibility:
    public: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)
    withdrawn: list = field(default_factory=list)


def today(value: str | None) -> dt.date:
    """`--today`, else SOURCE_DATE_EPOCH, else the machine's date (Beijing time)."""
    if value:
        return dt.date.fromisoformat(value)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone(dt.timedelta(hours=8))).date()
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def sort_out(records: list[Record], day: dt.date) -> Visibility:
    seen = Visibility()
    for record in records:
        if record.draft:
            seen.drafts.append(record)
        elif record.published > day:
            seen.scheduled.append(record)
        elif record.window is not None and record.window.end < day:
            seen.withdrawn.append(record)
        else:
            seen.public.append(record)
    return seen


def drop_ended_rows(records: list[Record], day: dt.date) -> list[Record]:
    """Rows carrying their own 公示期 (a period column, e.g. a blacklist's 公示期限) leave
    every output once it has ended, like a record whose window has ended."""
    kept = []
    for record in records:
        rows = tuple(row for row in record.rows
                     if not any(isinstance(v, Period) and v.end < day for v in row.values.values()))
        kept.append(record if len(rows) == len(record.rows) else replace(record, rows=rows))
    return kept
