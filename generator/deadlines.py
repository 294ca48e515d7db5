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

from .catalog import Deadline
from .workdays import WorkCalendar


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
