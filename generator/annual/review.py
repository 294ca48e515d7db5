"""Every report of the site read, its 表一 counts filled from the records, and checked:
what `validate`, `check` and `build` run (pipeline/sitecheck.py, pipeline/stages.py)."""
from __future__ import annotations

from ..model.diagnostics import Report
from . import checks, counts, load


def gather(site, checked: list, report: Report) -> dict:
    """year -> AnnualReport; `checked`: the build's products.Checked (None for a file with errors)."""
    reports = load.load_all(site, report)
    if not reports:
        return reports
    facts = [f for c in checked if c is not None and not c.head.draft for f in c.facts]
    for annual in reports.values():
        counts.fill(annual, facts, site.department, report)
    checks.check_all(reports, report)
    _index_numbers(reports, {c.head.index_no: c.head.shown for c in checked if c is not None}, report)
    return reports


def _index_numbers(reports: dict, taken: dict, report: Report) -> None:
    seen: dict[str, str] = {}
    for annual in reports.values():
        number = annual.index_no
        if not number:
            continue
        other = taken.get(number) or seen.get(number)
        if other:
            report.error(annual.locate(("index_no",)), "annual-meta", f"索引号 {number} 已被 {other} 使用",
                         "每条公开信息的索引号唯一：换一个未用的流水号")
        seen[number] = annual.shown
