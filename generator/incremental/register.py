"""The publication register: for each thing the site has published, the day a build first
published it, a digest of its public content, and the day a build first published a change
to that content. Kept in the build state (`<out>.state`, state.py), never in `.cache/`:
deleting the cache must not make the site forget what it published when.

Entries are keyed by a string id. Records (check/pubdates.py) use `record:<索引号>` when
the 索引号 is written in the file (it is permanent: it survives the file being edited,
moved or renamed), and `page:<item>/<slug>` while the build derives one from the path
(a derived number can shift; the page address is what readers saw). When staff write the
number in, the `page:` entry is taken over by the `record:` id (`find`). Another output
uses ids of its own kind, e.g. `annual:<year>` for the annual report.

How an output uses it:

    entry = register.find(id)                 # None: never published by a build
    after = register.after(entry, digest, day, published)   # what this build makes of it
    after.changed                             # the day its content last changed, or None
    register.put(id, after)                   # once the output is shown (by this build)

`after` is pure: workers predict the 更新日期 a page shows with the last build's register
while the main process settles the new one. A build that fails saves no state, so the
register only ever holds what a completed build published.

A register made from nothing (no state, or a state of an older version without one) is a
`baseline`: whatever it is first told of is taken as published on its own `published`
date, so a first build raises no false alarm.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from . import keys

SCHEME = "content-1"  # how content digests are made: a register of another scheme has its digests retaken, no change shown


class Entry(NamedTuple):
    first: dt.date  # the day a build first published it (its `published` in a baseline)
    digest: bytes  # of its public content
    changed: dt.date | None = None  # the day a build first published its latest content change


@dataclass
class Register:
    entries: dict = field(default_factory=dict)  # id -> Entry
    baseline: bool = False  # made from nothing during this build: new entries take their `published` day
    scheme: str = SCHEME

    @classmethod
    def of(cls, kept: "Register | None") -> "Register":
        """The register a build works on: a copy of the last build's, or a baseline."""
        if not isinstance(kept, Register):
            return cls(baseline=True)
        return cls(dict(kept.entries), False, kept.scheme)

    def saved(self) -> "Register":
        """What the state keeps: no longer a baseline, digests of the current scheme."""
        return Register(self.entries, False, SCHEME)

    def find(self, key: str, *aliases: str) -> tuple[str | None, Entry | None]:
        """(id found, entry): `key` first, then each alias (an earlier id of the same thing)."""
        for name in (key, *aliases):
            entry = self.entries.get(name)
            if entry is not None:
                return name, entry
        return None, None

    def after(self, entry: Entry | None, digest: bytes, day: dt.date, published: dt.date) -> Entry:
        """The entry once a build on `day` shows the content `digest`: new, it is first
        published today (on `published` in a baseline); known, a different content is a change
        published today, unless today is its first day (no update on the day it appears)."""
        if entry is None:
            return Entry(min(published, day) if self.baseline else day, digest)
        if day < entry.first:  # a build dated later (--today) remembered it: shown today, so first published today
            entry = Entry(day, entry.digest, None if entry.changed and entry.changed > day else entry.changed)
        if entry.digest == digest:
            return entry
        if self.scheme != SCHEME:  # the digests were made another way: retaken, not a change
            return entry._replace(digest=digest)
        return Entry(entry.first, digest, day if day > entry.first else entry.changed)

    def put(self, key: str, entry: Entry, replacing: str | None = None) -> None:
        """Set `key`'s entry; `replacing`: the earlier id it was found under, dropped."""
        if replacing is not None and replacing != key:
            self.entries.pop(replacing, None)
        self.entries[key] = entry


def content_digest(*parts) -> bytes:
    """A digest of an output's public content, from values with a stable repr (text, dates,
    numbers, tuples of them)."""
    return keys.keyed(repr(part) for part in parts)


def shown_update(entry: Entry | None, published: dt.date) -> dt.date | None:
    """The 更新日期 a page shows: the day of the latest content change after its 公开日期."""
    if entry is None or entry.changed is None or entry.changed <= published:
        return None
    return entry.changed
