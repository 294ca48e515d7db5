"""Every record checked, without rendering: what `validate` and `check` run, from the store a
build left when the files are unchanged."""
from __future__ import annotations

from ..check import collisions, expire, links
from ..check.index_numbers import assign_index_numbers
from ..config.site import theme_dir
from ..incremental import products
from ..model.diagnostics import Report
from ..source.discover import discover
from . import workers


def open_store(site) -> products.Store:
    return products.Store(site.root / ".cache" / "products", products.context_digest(site, theme_dir(site)))


def check_site(site, catalog, report: Report, store: products.Store | None = None, save: bool = False) -> list:
    """The heads of every record checked, with their 索引号 settled; every attachment's
    findings go to the report too. Nothing is written unless `save` (the benchmark and tests
    keep what they checked)."""
    store = store or open_store(site)
    job = workers.Job(site, catalog, expire.today(None), store, None, None,
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
    review.gather(site, checks, report)
    heads = assign_index_numbers([c.head for c in checks], site, report)
    links.check_references(heads, report)
    return heads
