"""The ledger: every output file a build makes, by the group it is made from, and the one
way it reaches the output.

A *group* is the files made from one input value, with one key, the digest of that value:
a record's pages (`record:<file>`), an item's open data (`data:<item>`), a search shard
(`search:<folder>`), one shared page or feed (`page:<path>`), and the section (`section`),
whose parts are the groups of its shared pages. A build asks, for each group in turn:

- `reuse(name, key)`: when the last build made the group from the same key and its files
  (and its parts' files) are still in the output as written, they are claimed as they are;
  otherwise the group is opened anew and its files are made. The state keeps each group's
  key and files, except a record's: the store (incremental/products.py) keeps its render,
  digests of its pages included, under its key, and the build passes them in;
- `put(name, path, data)`: a file of the open group, digested, gated (once: a file whose
  bytes the output already holds was gated when first written, unless the gate now lets
  fewer numbers through, `regate`) and staged;
- `placed(name, path, digest)`: a file staged by someone else, already gated (a worker's
  record pages, gated with the record's raw values; Pagefind's index; open data);
- the commit (publish/commit.py): every claimed file is in the output, and nothing else of ours.

A file nobody claimed is removed when the last build wrote it, and left alone otherwise.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..incremental.keys import digest
from ..model.diagnostics import Report
from ..privacy import leakgate


@dataclass
class Output:
    """The output folder as the last build left it, and the staging folder beside it: what a
    worker needs to stage a file (sent to it, so picklable and small but for `known`)."""
    out: Path
    staging: Path
    known: dict  # path -> (digest, size, mtime_ns) as the last build wrote it
    damaged: set = field(default_factory=set)  # of `known`, files no longer as written (survey.py)
    folders: set = field(default_factory=set)  # staging folders made by this process

    def holds(self, path: str, page_digest: bytes | None = None) -> bool:
        """Whether the output holds at `path` what the last build wrote there (and, given a
        digest, that these are the bytes)."""
        known = self.known.get(path)
        if known is None or (page_digest is not None and known[0] != page_digest):
            return False
        return path not in self.damaged

    def stage(self, path: str, data: bytes) -> None:
        target = f"{self.staging}/{path}"  # a str, and each folder made once: this runs for every page
        folder = target.rpartition("/")[0]
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        with open(target, "wb") as handle:
            handle.write(data)

    def place(self, path: str, data: bytes) -> bytes:
        """Stages `data` unless the output holds these bytes at `path` already; its digest."""
        found = digest(data)
        if not self.holds(path, found):
            self.stage(path, data)
        return found

    def for_worker(self) -> "Output":
        return Output(self.out, self.staging, self.known, self.damaged)


class Ledger:
    def __init__(self, output: Output, last: dict, allowed: frozenset = frozenset(), report: Report | None = None,
                 regate: bool = False):
        """`last`: the last build's groups, name -> (key, files, parts); `allowed`: the
        numbers the leak gate lets through (declared hotlines); leaks go to `report`.
        `regate`: the gate lets fewer numbers through than when the output's files were
        gated, so a file is gated even where the output holds its bytes."""
        self.regate = regate
        self.output, self.last = output, last
        self.groups: dict[str, tuple] = {}  # this build's: name -> (key, files, parts)
        self.claimed: dict[str, bytes] = {}  # output path -> digest, every file of this build
        self.gate = leakgate.Gate(set(), allowed)
        self.report = report if report is not None else Report()
        self.reused = 0  # groups taken as they were
        self.made = 0  # groups made anew
        self.clashes: list[str] = []  # paths two groups made: never committed (commit.plan)
        self._within: list[str] = []
        self.stored: set[str] = set()  # groups the store keeps by their key: not in the state

    # -- groups ---------------------------------------------------------------------------
    def reuse(self, name: str, key: bytes | str | None, stored: dict | None = None) -> bool:
        """Claims the group as the last build made it when its key is `key` (None: never) and
        its files are intact; else opens it anew, empty, and returns False. `stored`: for a
        group the store keeps by its key instead (a record's pages: products.Rendered.pages,
        path -> digest), what it holds under `key`; None when it holds nothing."""
        if stored is not None:
            self.stored.add(name)
            if self._holds_all(stored):
                self._attach(name)
                self.groups[name] = (key, list(stored), [])
                for path, file_digest in stored.items():
                    self._add(path, file_digest)
                self.reused += 1
                return True
        elif key is not None and self._intact(name, key):
            self._attach(name)
            self._claim(name)
            self.reused += 1
            return True
        self.open(name, key)
        return False

    def open(self, name: str, key: bytes | str | None, stored: bool = False) -> None:
        """A group made anew from `key` (None: made on every build); once opened, it stays
        open. `stored`: the store keeps what the group is made of by its key (reuse())."""
        if stored:
            self.stored.add(name)
        if name in self.groups:
            return
        self.groups[name] = (key, [], [])
        self._attach(name)
        self.made += 1

    def _attach(self, name: str) -> None:
        if self._within:
            self.groups[self._within[-1]][2].append(name)

    def _holds_all(self, files: dict) -> bool:
        known, damaged = self.output.known, self.output.damaged  # holds(), inlined: this runs for every record
        for path, file_digest in files.items():
            entry = known.get(path)
            if entry is None or entry[0] != file_digest or path in damaged:
                return False
        return True

    def _intact(self, name: str, key) -> bool:
        entry = self.last.get(name)
        if entry is None or entry[0] != key:
            return False
        known, damaged = self.output.known, self.output.damaged
        for path in entry[1]:
            if path not in known or path in damaged:
                return False
        return all(part in self.last and self._intact(part, self.last[part][0]) for part in entry[2])

    def _claim(self, name: str) -> None:
        entry = self.groups[name] = self.last[name]
        known = self.output.known
        for path in entry[1]:
            self._add(path, known[path][0])
        for part in entry[2]:
            self._claim(part)

    @contextlib.contextmanager
    def within(self, name: str):
        """The groups opened meanwhile are parts of `name`: reused with it, as a whole."""
        self._within.append(name)
        try:
            yield
        finally:
            self._within.pop()

    def forget(self, prefix: str) -> None:
        """Drops the groups named `prefix`… and their files: made in vain (Pagefind failed)."""
        for name in [n for n in self.groups if n.startswith(prefix)]:
            for path in self.groups.pop(name)[1]:
                self.claimed.pop(path, None)

    # -- files ----------------------------------------------------------------------------
    def put(self, name: str, path: str, data: bytes) -> None:
        """A file of the open group `name`: gated and staged unless the output holds it."""
        found = digest(data)
        held = self.output.holds(path, found)
        if not held or self.regate:
            leak = self.gate.leak(path, data)
            if leak:
                leakgate.report(leak, self.report)
        if not held:
            self.output.stage(path, data)
        self._file(name, path, found)

    def placed(self, name: str, path: str, file_digest: bytes) -> None:
        """A file of the open group `name` staged elsewhere (or found in place), already gated."""
        self._file(name, path, file_digest)

    def _file(self, name: str, path: str, file_digest: bytes) -> None:
        self.groups[name][1].append(path)
        self._add(path, file_digest)

    def _add(self, path: str, file_digest: bytes) -> None:
        if path in self.claimed:  # two records on one path: collisions.py reports it, and the build stops
            self.clashes.append(path)
            return
        self.claimed[path] = file_digest

    def has(self, path: str) -> bool:
        return path in self.claimed

    def paths(self, *prefixes: str) -> list[str]:
        """The files of the groups whose names start with one of `prefixes`."""
        return [path for name, entry in self.groups.items() if name.startswith(prefixes) for path in entry[1]]

    def saved_groups(self) -> dict:
        """This build's groups as the state keeps them: name -> (key, files, parts), tuples;
        not those the store keeps (a record's pages, ten thousand of them on a large site)."""
        stored = self.stored
        return {name: (key, tuple(files), tuple(parts)) for name, (key, files, parts) in self.groups.items()
                if name not in stored}
