"""Legal deadlines of a record, counted in Chinese working days.

Periods are counted as Chinese law counts them: the day the information forms or
changes (`date`) is not counted; the deadline is the N-th working day after it;
publishing on the deadline is on time; a late record is late by the working days
after the deadline up to and including its `published` day.

- `working_days_after` N: N working days after `date` (seed 001: 20).
- `monthly` N: N working days after the end of the month of `date` (seed 001: 10).
- `annual_by` MM-DD is a yearly requirement of the item, not of a record: each year
  the item must have been published by that day (see check.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config.catalog import Deadline
from ..config.workdays import WorkCalendar, YearNotCovered


@dataclass(frozen=True)
class Timing:
    deadline: dt.date | None
    late_working_days: int  # 0 when on time or without a deadline

    @property
    def late(self) -> bool:
        return self.late_working_days > 0


def month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def month_deadline(year: int, month: int, rule: Deadline, calendar: WorkCalendar) -> dt.date:
    """When the update for a month is due under a monthly rule."""
    return calendar.add(month_end(dt.date(year, month, 1)), rule.monthly)


def deadline(day: dt.date, rule: Deadline, calendar: WorkCalendar) -> dt.date | None:
    """The deadline of information formed on day; the stricter one when a rule has both."""
    candidates = []
    if rule.monthly is not None:
        candidates.append(calendar.add(month_end(day), rule.monthly))
    if rule.working_days_after is not None:
        candidates.append(calendar.add(day, rule.working_days_after))
    return min(candidates) if candidates else None


def timing(day: dt.date, published: dt.date, rule: Deadline, calendar: WorkCalendar) -> Timing:
    due = deadline(day, rule, calendar)
    if due is None:
        return Timing(None, 0)
    return Timing(due, calendar.between(due, published))


def annual_date(rule: Deadline, year: int) -> dt.date | None:
    """This year's day of an `annual_by` rule (02-29 falls back to 02-28)."""
    if rule.annual_by is None:
        return None
    month, day = (int(part) for part in rule.annual_by.split("-"))
    if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return dt.date(year, month, day)


def _reach(rule: Deadline) -> dt.timedelta:
    """Days that surely take a record's date past its deadline: a month to the month's end,
    and N working days are never more than 7N/5 days plus the longest run of holidays."""
    count = max(rule.monthly or 0, rule.working_days_after or 0)
    return dt.timedelta(days=(31 if rule.monthly is not None else 0) + count * 7 // 5 + 30)


def missing_years(records, rules: dict, calendar: WorkCalendar) -> dict[int, list[str]]:
    """Year -> the records (their `shown` paths) whose deadline or lateness needs that year
    of a calendar that lacks it. `rules`: item id -> Deadline, of the items that count.
    Date arithmetic settles almost every record (every build runs this, for ten thousand
    records): only those reaching into an uncovered year have their deadline counted."""
    reach = {item: _reach(rule) for item, rule in rules.items()
             if rule.monthly is not None or rule.working_days_after is not None}
    wanted = [r for r in records if r.item_id in reach and not r.draft]
    if not wanted:
        return {}
    first = min(r.date for r in wanted).year
    last = max(max(r.published for r in wanted).year, max(r.date for r in wanted).year + 1)
    gaps = [year for year in range(first, last + 1) if not calendar.covers(year)]
    missing: dict[int, list[str]] = {}
    if not gaps:
        return missing
    start = dt.date(gaps[0], 1, 1)
    cut = {item: start - days for item, days in reach.items()}  # a date from which the deadline may need a gap
    for record in wanted:
        if record.date < cut[record.item_id] and record.published < start:
            continue
        try:
            timing(record.date, record.published, rules[record.item_id], calendar)
        except YearNotCovered as problem:
            missing.setdefault(problem.year, []).append(record.shown)
    return missing
