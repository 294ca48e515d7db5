"""One build's values, made once it is clear the build has work to do, and read by every stage."""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..config.catalog import Catalog, load_catalog
from ..config.site import SiteConfig
from ..incremental import products
from ..incremental.register import Register
from ..incremental.state import State
from ..model.diagnostics import Report
from ..publish import journal, outguard
from ..publish.ledger import Ledger, Output
from ..render.pages import Renderer
from . import workers
from .request import Previous, Request
from .sitecheck import open_store


@dataclass
class Session:
    """One build's values, made once and read by every stage."""
    site: SiteConfig
    catalog: Catalog
    day: dt.date
    out: Path
    strict: bool
    last: State | None  # the last completed build's, None without one
    pending: journal.Pending  # builds that died writing since
    existing: set  # every file the output holds now
    inputs: bytes  # state.fingerprint of every input
    start: float  # time.perf_counter() when the build started
    store: products.Store
    renderer: Renderer
    output: Output
    ledger: Ledger
    job: workers.Job
    report: Report = field(default_factory=Report)
    register: Register = field(default_factory=Register)  # the publication register this build settles

    @property
    def context(self) -> bytes:
        """The digest of the code, templates, theme and settings: in every key."""
        return self.store.context


def open_session(request: Request, previous: Previous, inputs: bytes, stats: dict) -> Session:
    """`inputs`: the fingerprint of every input; `stats`: the stat of each content file,
    taken by the fingerprint (a build need not stat them again)."""
    site, out, last = request.site, request.out, previous.last
    catalog = load_catalog(site, cache=True)
    store = open_store(site)
    renderer = Renderer(site, catalog, request.day)
    staging = outguard.beside(out, ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    output = Output(out, staging, last.files if last else {}, previous.found.damaged())
    visible = {i.id for i in catalog.for_level(site.level).items}
    job = workers.Job(site, catalog, request.day, store, renderer, output, visible, stats=stats,
                      register=last.register if last else None)
    ledger = Ledger(output, last.groups if last else {}, job.allowed, regate=_allowed_fewer(last, job.allowed))
    return Session(site, catalog, request.day, out, request.strict, last, previous.pending,
                   previous.found.existing(), inputs, request.start, store, renderer, output, ledger, job,
                   register=Register.of(last.register if last else None))


def _allowed_fewer(last: State | None, allowed: frozenset) -> bool:
    """Whether the leak gate lets fewer numbers through than when the output's files were
    gated (or it is not known): then a file is gated even where the output holds its bytes."""
    return last is not None and (last.allowed is None or not set(last.allowed) <= allowed)


def close_session(session: Session) -> None:
    shutil.rmtree(session.output.staging, ignore_errors=True)
