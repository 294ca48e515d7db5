"""A report changed after publication must say so (AR-10): each published report is kept in
the publication register (incremental/register.py) as `annual:<year>`, with a digest of what
its page shows but the corrections themselves. A build that shows different content for a
report published on an earlier day needs a `更正说明` dated after the last change already
published (the first time: after the day the report was first published) and not after
today; without one the change is an error `annual-changed` and nothing is published. The
register is saved only by a build that completes, so the error stays until the note is written."""
from __future__ import annotations

import datetime as dt

from ..incremental.register import Entry, Register, content_digest
from ..model.diagnostics import Location, Report
from .load import AnnualReport


def register_id(annual: AnnualReport) -> str:
    return f"annual:{annual.year}"


def content(annual: AnnualReport) -> bytes:
    """What the report's page and data show of its content: its 索引号, texts and cells (those
    counted from the records included), not its corrections or its `published` date."""
    return content_digest(annual.index_no, sorted(annual.texts.items()),
                          sorted((repr(key), str(value)) for key, value in annual.cells.items()))


def settle(shown: list[AnnualReport], register: Register, day: dt.date, report: Report) -> None:
    """Each report shown on `day` told to the register; a change since an earlier day's
    publication without a 更正说明 that covers it is an error."""
    for annual in shown:
        found, entry = register.find(register_id(annual))
        after = register.after(entry, content(annual), day, annual.published)
        if entry is not None and after.digest != entry.digest and after.changed == day \
                and not _explained(annual, entry, day):
            _report(annual, entry, day, report)
            continue
        register.put(register_id(annual), after, found)


def _since(entry: Entry, day: dt.date) -> dt.date:
    """The first day a correction of a change shown on `day` may carry: after the day of the
    last change already published (or of the first publication); the same day when the last
    change was made today too (one note covers a day's edits)."""
    last = entry.changed or entry.first
    return day if last == day else last + dt.timedelta(days=1)


def _explained(annual: AnnualReport, entry: Entry, day: dt.date) -> bool:
    since = _since(entry, day)
    return any(since <= c.day <= day for c in annual.corrections)


def _report(annual: AnnualReport, entry: Entry, day: dt.date, report: Report) -> None:
    at = annual.locate(("更正说明",)) if annual.corrections else Location(annual.shown, *annual.pos)
    report.error(at, "annual-changed",
                 f"{annual.year} 年度报告已于 {entry.first} 公开，本次内容有改动，但没有 {_since(entry, day)} 以后的更正说明",
                 "已公开的年度报告不能悄悄修改：在 `更正说明:` 下加一条"
                 "“- {日期: 今天的日期, 说明: 更正了哪一部分、哪一格、为什么}”，页面会显示这条说明")
