"""Yearly disclosure statistics (seed 003, the annual report): per year of publication,
per category and item, the records published, on time or late, withdrawn since, the
list rows disclosed, the records updated after publication (their 更新日期, from the build's
publication register), and the records per channel of the catalog (公开渠道和载体).

Counts only: no record text reaches the statistics pages.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..config.catalog import Catalog
from ..config.workdays import WorkCalendar, YearNotCovered, for_site
from . import deadlines, expire


@dataclass
class Counts:
    published: int = 0
    on_time: int = 0
    late: int = 0
    withdrawn: int = 0
    rows: int = 0
    uncounted: int = 0  # published, but on time or late cannot be told: a year missing from the calendar
    updated: int = 0  # whose public content changed after publication (更新日期: check/pubdates.py)

    def add(self, other: "Counts") -> None:
        for name in ("published", "on_time", "late", "withdrawn", "rows", "uncounted", "updated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class YearStats:
    year: int
    items: dict = field(default_factory=dict)  # item id -> Counts, every item of the site
    categories: dict = field(default_factory=dict)  # category id -> Counts
    channels: dict = field(default_factory=dict)  # channel -> records published through it
    total: Counts = field(default_factory=Counts)
    missing_years: set = field(default_factory=set)  # calendar years that the uncounted records need


def yearly(site, catalog: Catalog, records: list, seen: expire.Visibility, today: dt.date) -> dict[int, YearStats]:
    """Statistics for every year with a publication, up to today; drafts and scheduled
    records are not published yet and do not count. A record whose deadline needs a year
    the calendar lacks is counted as published, neither on time nor late but `uncounted`:
    no guessed numbers."""
    calendar: WorkCalendar = for_site(site)
    visible = catalog.for_level(site.level)
    items = [i for i in visible.items if not i.on_request_only]
    known = {i.id: i for i in items}
    withdrawn = {r.source for r in seen.withdrawn}
    years: dict[int, YearStats] = {}
    for record in records:
        item = known.get(record.item_id)
        if item is None or record.draft or record.published > today:
            continue
        year = years.get(record.published.year)
        if year is None:
            year = years[record.published.year] = YearStats(
                record.published.year, {i.id: Counts() for i in items},
                {c.id: Counts() for c in visible.categories})
        try:
            late = deadlines.timing(record.date, record.published, item.deadline, calendar).late
        except YearNotCovered as problem:
            late = None
            year.missing_years.add(problem.year)
        gone = record.source in withdrawn  # its 公示期 is over; it was published all the same
        one = Counts(published=1, on_time=int(late is False), late=int(late is True), withdrawn=int(gone),
                     rows=record.row_count, uncounted=int(late is None),
                     updated=int(record.updated is not None))
        year.items[item.id].add(one)
        for channel in item.elements["公开渠道和载体"]:
            year.channels[channel] = year.channels.get(channel, 0) + 1
    for year in years.values():
        for item in items:
            year.categories[item.category].add(year.items[item.id])
        for counts in year.categories.values():
            year.total.add(counts)
    return dict(sorted(years.items()))
