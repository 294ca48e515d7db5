"""Every record checked, without rendering: what `validate` and `check` run, from the store a
build left when the files are unchanged; and the records' 公开日期 against the publication
register of the site's default output (`output.state`), when a build left one there."""
from __future__ import annotations

from ..check import collisions, expire, links, pubdates
from ..check.index_numbers import assign_index_numbers
from ..config import workdays
from ..config.site import theme_dir
from ..incremental import products, state
from ..incremental.register import Register
from ..model.diagnostics import Report
from ..publish import outguard
from ..source.discover import discover
from . import workers


def open_store(site) -> products.Store:
    return products.Store(site.root / ".cache" / "products", products.context_digest(site, theme_dir(site)))


def check_site(site, catalog, report: Report, store: products.Store | None = None, save: bool = False,
               day=None) -> list:
    """The heads of every record checked, with their 索引号 settled; every attachment's
    findings go to the report too, and `backdated` errors as a build on `day` (default
    today) would find them. Nothing is written unless `save` (the benchmark and tests keep
    what they checked)."""
    store = store or open_store(site)
    day = day or expire.today(None)
    job = workers.Job(site, catalog, day, store, None, None,
                      {i.id for i in catalog.for_level(site.level).items})
    done = workers.check_files(job, discover(site.content_dir, site.root, catalog, report), report)
    checks = [c for c in done.checks if c is not None]
    for check in checks:
        report.diagnostics.extend(check.attachments)
    if save:
        store.save(prune=False)
    collisions.paged_collisions([c.head for c in checks], report)
    collisions.project_collisions([c.head for c in checks], {}, report)  # a list's rows: found when rendered
    from ..annual import review  # the 年度报告 too: checked, its 表一 counted from the records
    reports = review.gather(site, checks, report)
    heads = assign_index_numbers([c.head for c in checks], site, report)
    links.check_references(heads, report)
    _publication_dates(site, job, heads, checks, reports, report)
    return heads


def _publication_dates(site, job: workers.Job, heads: list, checks: list, reports: dict, report: Report) -> None:
    """`backdated` errors, and annual reports changed without a 更正说明, against the register
    a build of the default output left (none without one, or with another site's): the
    更新日期 are a build's business."""
    kept = state.load(site.root / "output")
    if kept is None or kept.register is None or not outguard.same_site(kept.site, site):
        return

    def public(head) -> bool:
        return expire.status(head, job.day)[0] == "public" and workers.shows(job, head)
    register = Register.of(kept.register)
    pubdates.settle(heads, {c.head.source: c for c in checks}, register, job.day, workdays.for_site(site), public,
                    report)
    from ..annual import corrections, pages
    corrections.settle(pages.published(reports, job.day), register, job.day, report)
