"""When the report is due (条例 art. 50: by 31 January, or `annual_report.deadline`), for `check`.

The report on year Y is due on the deadline day of Y+1. Until it is published, `check`
says so: for the record (info) from 1 December of Y, a warning from 10 working days
before the deadline (the site's working-day calendar: 元旦 and 春节 holidays and 调休
count as they should), and an error once the deadline has passed.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from ..config.workdays import WorkCalendar
from .load import FOLDER

WARN_WORKING_DAYS = 10
INFO, WARNING, ERROR = "info", "warning", "error"


class Due(NamedTuple):
    year: int  # the report's year
    path: str
    severity: str
    message: str
    deadline: dt.date
    late_days: int | None = None  # working days after the deadline


def deadline_of(site, year: int) -> dt.date:
    month, day = site.annual_report.deadline
    return dt.date(year + 1, month, day)


def due(site, published: dict, today: dt.date, calendar: WorkCalendar) -> list[Due]:
    """`published`: year -> the report's 公开日期 (None for a draft). May raise YearNotCovered."""
    found = []
    for year in (today.year - 1, today.year):
        deadline = deadline_of(site, year)
        day = published.get(year)
        if day is not None and day <= today:
            continue
        path = f"content/{FOLDER}/{year}.yaml"
        name = f"{year} 年政府信息公开工作年度报告"
        how = "尚未录入" if year not in published else ("尚未填写公开日期" if day is None else f"定于 {day} 公开")
        if today > deadline:
            late = calendar.between(deadline, today)
            found.append(Due(year, path, ERROR, f"{name}已逾期：应在 {deadline} 前公开，{how}（已逾期 {late} 个工作日）",
                             deadline, late))
        elif today.year == year and today.month < 12:
            continue
        else:
            left = calendar.between(today, deadline)
            severity = WARNING if left <= WARN_WORKING_DAYS else INFO
            found.append(Due(year, path, severity, f"{name}应在 {deadline} 前公开（还有 {left} 个工作日），{how}",
                             deadline))
    return found
