"""The official Chinese working-day calendar: weekends, statutory holidays and the
调休 Saturdays and Sundays that are worked instead.

chinesecalendar carries the State Council's announcements for 2004–2026; a later
year must be declared in site.yaml (`calendar.holidays`, `calendar.workdays`) until
the package catches up. A year known to neither raises YearNotCovered: guessing
"weekends only" would silently move every deadline around 春节 and 国庆. `check` and the
yearly statistics then report the deadlines they cannot count; publishing goes on.

Every year is turned once into a sorted list of its working days (date ordinals), so
counting and stepping are a bisect, not a walk: a check over tens of thousands of
records stays fast.
"""
from __future__ import annotations

import bisect
import datetime as dt
from pathlib import Path

from chinese_calendar import constants as package_days  # the package's tables: {date: holiday}

from ..model.diagnostics import ConfigError, Location, Report, display_path

PACKAGE_FIRST = min(package_days.holidays).year
PACKAGE_LAST = max(package_days.holidays).year


class YearNotCovered(Exception):
    def __init__(self, year: int):
        super().__init__(f"no calendar for {year}")
        self.year = year


class WorkCalendar:
    def __init__(self, holidays=frozenset(), workdays=frozenset()):
        self.holidays = frozenset(holidays)  # site.yaml additions, applied over the package's days
        self.workdays = frozenset(workdays)
        self.declared_years = frozenset(d.year for d in self.holidays)
        self._years: dict[int, list[int]] = {}

    def covers(self, year: int) -> bool:
        return PACKAGE_FIRST <= year <= PACKAGE_LAST or year in self.declared_years

    def _is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        if PACKAGE_FIRST <= day.year <= PACKAGE_LAST:
            if day in package_days.workdays:
                return True
            if day in package_days.holidays:
                return False
        return day.weekday() < 5

    def year(self, year: int) -> list[int]:
        """The working days of a year as sorted date ordinals."""
        days = self._years.get(year)
        if days is None:
            if not self.covers(year):
                raise YearNotCovered(year)
            start = dt.date(year, 1, 1).toordinal()
            end = dt.date(year, 12, 31).toordinal()
            days = [n for n in range(start, end + 1) if self._is_workday(dt.date.fromordinal(n))]
            self._years[year] = days
        return days

    def is_workday(self, day: dt.date) -> bool:
        days = self.year(day.year)
        n = day.toordinal()
        i = bisect.bisect_left(days, n)
        return i < len(days) and days[i] == n

    def add(self, day: dt.date, count: int) -> dt.date:
        """The count-th working day after day (day itself not counted, as the law counts periods)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        year, after = day.year, day.toordinal()
        while True:
            days = self.year(year)
            i = bisect.bisect_right(days, after)
            available = len(days) - i
            if count <= available:
                return dt.date.fromordinal(days[i + count - 1])
            count -= available
            year += 1
            after = 0

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after start up to and including end (0 when end <= start)."""
        if end <= start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            days = self.year(year)
            low = bisect.bisect_right(days, start.toordinal()) if year == start.year else 0
            high = bisect.bisect_right(days, end.toordinal()) if year == end.year else len(days)
            total += high - low
        return total


def for_site(site) -> WorkCalendar:
    return WorkCalendar(site.calendar.holidays, site.calendar.workdays)


def years_text(years) -> str:
    return "、".join(f"{y} 年" for y in sorted(years))


def add_years_hint(years) -> str:
    """How to declare years the package calendar lacks."""
    shown = years_text(years)
    return (f"按国务院办公厅公布的 {shown}部分节假日安排，在 site.yaml 的 calendar.holidays 中写入全部放假日期、"
            f"calendar.workdays 中写入调休上班的周末（示例见 README“工作日历”）；或升级 chinesecalendar")


def not_covered(site, year: int, needed_by: str = "") -> ConfigError:
    """The configuration error for a year neither the package nor site.yaml knows."""
    report = Report()
    reason = f"（{needed_by}）" if needed_by else ""
    report.error(Location(display_path(Path(site.path), Path.cwd())), "calendar-year",
                 f"工作日历中没有 {year} 年的节假日安排{reason}：chinesecalendar 只收录 "
                 f"{PACKAGE_FIRST}–{PACKAGE_LAST} 年，site.yaml 的 calendar 也没有写 {year} 年",
                 f"按国务院办公厅公布的 {year} 年部分节假日安排，在 site.yaml 的 calendar.holidays 中写入 {year} 年"
                 f"全部放假日期、calendar.workdays 中写入调休上班的周末（示例见 README“工作日历”）；"
                 "或升级 chinesecalendar")
    return ConfigError(report)
