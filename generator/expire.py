"""Which records are public today: drafts, scheduled records (published in the future)
and records whose 公示期 has ended are kept out of every output.

Rows expire too: a list row with a 公示期限 column (the credit blacklist of seed 000:
every name has its own period) is withdrawn the day after its period ends; a record
whose rows have all expired is withdrawn as a whole.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace

from .fieldtypes import Period
from .records import Record

ROW_PERIOD = "公示期限"  # the row column whose end withdraws the row


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
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone(dt.timedelta(hours=8))).date()
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def row_expired(row, day: dt.date) -> bool:
    period = row.values.get(ROW_PERIOD)
    return isinstance(period, Period) and period.end < day


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
            kept = [i for i, row in enumerate(record.rows) if not row_expired(row, day)]
            if len(kept) == len(record.rows):
                seen.public.append(record)
                continue
            seen.rows_withdrawn += len(record.rows) - len(kept)
            if not kept:
                seen.withdrawn.append(record)
                continue
            seen.kept_rows[record.source] = tuple(kept)
            seen.public.append(replace(record, rows=tuple(record.rows[i] for i in kept)))
    return seen


def shown(masked: list[Record], seen: Visibility) -> list[Record]:
    """The masked forms of the public records, without their withdrawn rows."""
    public = {r.source for r in seen.public}
    out = []
    for record in masked:
        if record.source not in public:
            continue
        kept = seen.kept_rows.get(record.source)
        if kept is not None:
            record = replace(record, rows=tuple(record.rows[i] for i in kept))
        out.append(record)
    return out
