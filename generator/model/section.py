"""The one value the section's shared pages are made from."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import chain

from ..incremental.keys import keyed


@dataclass(frozen=True)
class SectionInput:
    """What the shared pages (home, catalog, categories, item lists, projects, yearly
    statistics, search) can read, and nothing else: every record's head as checked (its
    索引号 settled), what happens to each today (the withdrawn ones leave a dated line in their
    item's list), the day, the project names the public lists' rows give, the search index's
    folders and the items' no-information notes. Its key is the digest of all of it, so that
    whatever a shared page shows is in the key by construction (`seen` follows from the
    heads and the day: expire.sort_out)."""
    heads: tuple  # model.records.Head, every record with no error
    seen: object  # check.expire.Visibility of the heads on `day`
    day: dt.date
    projects: dict  # public record source -> incremental.products.Rendered (its projects)
    search_folders: tuple  # outputs.search.plan's folders, the first the one the search page loads
    notes: tuple = ()  # source.notes.Note of the items that have one

    def key(self, context: bytes) -> bytes:
        """`context`: the digest of the code, templates, theme and settings (products.context_digest)."""
        projects = self.projects
        return keyed(chain(
            (context, repr((self.day, self.search_folders, self.notes))),
            (repr(tuple(head)) for head in self.heads),  # all its fields; a tuple's repr is quicker than a named tuple's
            (b"".join([projects[h.source].projects_key for h in self.seen.public if h.source in projects]),)))
