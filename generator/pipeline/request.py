"""What a build was asked for, and the output as the last builds left it: all a build that
finds nothing changed needs (no template engine, no renderer, no store)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..config.site import SiteConfig
from ..incremental import state, survey
from ..incremental.state import State
from ..publish import journal, outguard


@dataclass(frozen=True)
class Request:
    """What the build was asked for."""
    site: SiteConfig
    site_path: Path  # site.yaml
    out: Path
    day: dt.date  # --today, else the machine's date (Beijing time)
    strict: bool
    start: float  # time.perf_counter() when the build started


@dataclass
class Previous:
    """The output as the last builds left it."""
    last: State | None  # the last completed build's state, None without one
    pending: journal.Pending  # builds that died writing since
    found: survey.Survey  # what the output holds against what the last build wrote

    @classmethod
    def of(cls, site: SiteConfig, out: Path) -> "Previous":
        """Read under the output's lock; another site's state is refused (outguard)."""
        last = state.load(out)
        outguard.check_owner(site, out, last.site if last else None)
        found = survey.Survey(out, last.files if last else {})  # forked now, while there are no threads
        return cls(last, journal.load(out), found)
