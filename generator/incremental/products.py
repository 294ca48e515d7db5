"""What a build keeps of each record between runs, under `.cache/products/` beside site.yaml.

A record file is checked, masked and rendered once per version of it; later builds take
the results from here and redo only the records that changed. Two kinds of entry:

- a *check*, per version of the file (its bytes and path, our code and templates, the
  theme, site.yaml and the local catalog): the record's head, its warnings, how many
  values were masked. Files the record points to (rows_from, attachments) are checked by
  size, mtime, ctime and inode. Records with errors are never kept.
- a *render*, per check and what of it is shown (the rows still in their 公示期限, the
  索引号 it is published under): the digest of each page as written to the output, the
  feed summary, the project names its rows give, and its open-data rows.

The store holds raw records' heads, so it lives beside site.yaml and never in the
output. Deleting `.cache/` is always safe: the next build does everything again. Every
file is sealed with this account's key (seal.py) and ignored when it is not.
"""
from __future__ import annotations

import array
import copy
import gc
import os
import pickle
import time
from pathlib import Path
from typing import NamedTuple

from .. import HOME
from ..model.records import Head, tuple_reduce
from . import keys, seal, stamps

FORMAT = b"products-3"
_PURPOSE, _DATA = b"products", b"products-data"  # what a sealed file is (seal.py)


class Unsealed(Exception):
    """An open-data file of the store not sealed by this account's key (seal.py)."""
_PACKAGE = HOME


class Checked(NamedTuple):
    """Named tuples, pickled as plain ones (records.tuple_reduce): a build loads two entries
    per record, and an object with a dict is much slower to load (docs/performance.md)."""
    head: Head
    diagnostics: tuple  # warnings, replayed on every build
    masked: int  # values masked in the record
    deps: tuple  # (path, size, mtime_ns, ctime_ns, inode) of rows_from and attachments
    attachments: tuple = ()  # what the attachment scan found: counts when published
    facts: tuple = ()  # what the annual report counts of a policy document (annual/counts.py), else ()
    content: bytes = b""  # digest of its public content (check/pubdates.py): the register's 更新日期
    published_at: tuple = ()  # (line, col) of its `published` (else `date`) in the file

    __reduce__ = tuple_reduce


class Rendered(NamedTuple):
    pages: dict  # output path -> digest of its bytes
    summary: str  # the feed's description of the record
    packed: bytes  # the project names its rows give, pickled: see `projects`
    data: int = 0  # how many open-data rows it has, kept in a file of their own (lists only)
    indexed: bytes = b""  # digest of what the search index reads of its first page (search.for_index)
    projects_key: bytes = b""  # digest of `projects`, made once: the build's section key reads it for every record

    __reduce__ = tuple_reduce

    @classmethod
    def of(cls, pages: dict, summary: str, projects: dict, data: int = 0, indexed: bytes = b"") -> Rendered:
        """`projects`: project code -> name (from its rows; "" when only the code is known)."""
        return cls(pages, summary, pickle.dumps(projects, protocol=pickle.HIGHEST_PROTOCOL), data, indexed,
                   keys.digest(repr(projects).encode()))

    # `projects` is kept pickled and unpickled each time it is read: the lists' project names
    # are a large part of the store's loading time (docs/performance.md), and only a build
    # that renders the project pages again reads them, once.
    @property
    def projects(self) -> dict:
        return pickle.loads(self.packed)


def _stat(path: str) -> tuple[str, int, int, int, int]:
    return (path, *stamps.of_path(path))


def dependencies(head: Head, root: Path) -> tuple[tuple[str, int, int, int, int], ...]:
    paths = [str(root / head.rows_source)] if head.rows_source else []
    paths += [str(a.path) for a in head.attachments]
    return tuple(_stat(p) for p in paths)


def _files(folder: Path, digest) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())


def context_digest(site, theme: Path) -> bytes:
    """What every entry depends on besides its own file: our code, base catalog and
    templates, the site's templates and theme, site.yaml and the local catalog."""
    digest = keys.hasher()
    digest.update(FORMAT)
    for folder in (_PACKAGE / "generator", _PACKAGE / "templates", site.templates_dir, theme):
        digest.update(b"\0folder\0" + str(folder).encode())
        _files(folder, digest)
    local = site.catalog_path.read_bytes() if site.catalog_path.is_file() else b""
    for part in (site.path.read_bytes(), local):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


def render_key(check_key: str, deps: list, kept: tuple, index_no: str, linked: tuple = (), updated=None) -> str:
    """A render is made from a check (the record file, and the spreadsheet and attachments
    as `deps` found them), the rows shown (`kept`: their indices, increasing, as a tuple or
    a range), the 索引号, what it shows of the records it links to or that link to it
    (`linked`: check/links.related) and the 更新日期 (from the build state's register)."""
    if not kept or kept[-1] == len(kept) - 1:  # every row (`kept` is increasing), as most lists: no array made
        rows = b"rows 0-%d" % len(kept)
    else:  # the rows shown as bytes, not repr(): a list's hundreds of row numbers, for every list, every build
        rows = array.array("q", kept).tobytes()
    shown = (deps, index_no)
    if linked:
        shown += (linked,)
    if updated is not None:
        shown += (updated,)
    return keys.key_of(check_key, repr(shown), rows).hex()


def _segment(key: str) -> str:
    return key[:2]  # keys are hex digests: 256 small segments, so an edit rewrites a few (docs/performance.md)


class Store:
    """Every check and render of the last build, in segment files by the first two hex
    digits of their key, all loaded at once (a build needs the head of every record) and
    only the segments that changed written again: an edit rewrites a few of them, not the
    whole index. Each list's open-data rows in a file of their own, read only when its
    item's data files are made again. And what each record file's key was, by its size,
    mtime, ctime and inode, so that an unchanged file is not read again."""
    SEGMENTS = "index-"
    FILES = "files.pickle"
    RACY_NS = 1_000_000_000  # a file changed this close to the run's start is read again next time:
    # file times tick coarsely (a few ms on Linux, seconds on some file systems)

    def __init__(self, folder: Path, context: bytes):
        self.folder, self.context = folder, context
        self.entries: dict = {}
        self.used: dict = {}
        self.loaded: dict = {}  # segment -> the keys its file holds
        self.dirty: set = set()  # segments with an entry put anew
        self.hits = 0  # checks taken from the store
        self.started = time.time_ns()
        # the key read (or made) now, before the workers fork: they seal the open-data files with it
        self.sealer, self.data_sealer = seal.Sealer(_PURPOSE), seal.Sealer(_DATA)
        self.header = pickle.dumps((FORMAT, context), protocol=pickle.HIGHEST_PROTOCOL)  # each file starts with it
        file_keys = self._load(folder / self.FILES)
        self.file_keys = file_keys if isinstance(file_keys, dict) else {}  # shown path -> (stat, check key)
        self.rewrite_file_keys = file_keys is None and (folder / self.FILES).exists()  # not sealed by us: replaced
        self.file_keys_seen: dict = {}
        self.unread: dict = {}  # shown path -> stat, of the files whose key a worker finds
        try:
            listed = os.listdir(folder)
        except OSError:
            listed = []
        names = sorted(n for n in listed if n.startswith(self.SEGMENTS) and n.endswith(".pickle"))
        self.data_files = {n for n in listed if n.endswith(".data")}  # a list's open-data rows (put_data)
        collecting = gc.isenabled()
        gc.disable()  # tens of thousands of new objects, none of them garbage: no collections while loading
        try:
            for name in names:
                entries = self._load(folder / name)
                segment = name[len(self.SEGMENTS):-len(".pickle")]
                if isinstance(entries, dict):
                    self.entries.update(entries)
                    self.loaded[segment] = set(entries)
                else:  # not sealed by us, or of another version: written again or removed by save()
                    self.dirty.add(segment)
        finally:
            if collecting:
                gc.enable()

    def for_worker(self) -> "Store":
        """A copy with none of the entries, for a spawned worker: it only hashes the record
        files it reads (check_key) and writes open-data rows (put_data), sealed with the keys
        this process holds (an account without a key folder has a key of this process only)."""
        light = copy.copy(self)
        light.entries, light.used, light.loaded, light.dirty = {}, {}, {}, set()
        light.file_keys, light.file_keys_seen, light.unread, light.data_files = {}, {}, {}, set()
        return light

    def _load(self, path: Path):
        payload = self.sealer.read(path)  # None unless sealed by this account's key: nothing else unpickled
        header = self.header
        if payload is None or payload[:len(header)] != header:  # of another version or context: no entry can match
            return None
        try:
            return pickle.loads(payload[len(header):])
        except Exception:  # of another version: do it all again
            return None

    def file_key(self, shown: str, path, read: bool = True, st: os.stat_result | None = None) -> str | None:
        """The check key of a record file: taken from the last run when the file's size,
        mtime, ctime and inode are as they were then (any write changes the ctime), else
        from its bytes; or, when not `read`, None (the caller hashes the bytes it reads,
        and tells found_key). A file changed just before that run is read again: a second
        write within the same clock tick would leave its times as they were. `st`: the
        file's stat when the caller has it, taken this run."""
        try:
            st = st or os.stat(path)
        except OSError:
            return self.check_key(shown, b"")  # never a stored check; the check itself reports the problem
        stamp = stamps.of(st)
        known = self.file_keys.get(shown)
        if known is not None and known[0] == stamp:
            key = known[1]
        elif not read:
            self.unread[shown] = stamp
            return None
        else:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                data = b""
            key = self.check_key(shown, data)
        self._remember(shown, stamp, key)
        return key

    def found_key(self, shown: str, key: str) -> None:
        """The key of a file that file_key left unread, found from the bytes a worker read
        after the file's stat was taken (a later write changes the stat: read again next time)."""
        self._remember(shown, self.unread.pop(shown), key)

    def _remember(self, shown: str, stamp: tuple, key: str) -> None:
        if self.started - max(stamp[1], stamp[2]) > self.RACY_NS:
            self.file_keys_seen[shown] = (stamp, key)

    def check_key(self, shown: str, data: bytes) -> str:
        return keys.key_of(self.context, shown, data).hex()

    def get_check(self, key: str) -> Checked | None:
        entry = self.entries.get(key)
        if not isinstance(entry, Checked) or (entry.deps and any(_stat(dep[0]) != dep for dep in entry.deps)):
            return None
        self.used[key] = entry
        self.hits += 1
        return entry

    def get_render(self, key: str) -> Rendered | None:
        entry = self.entries.get(key)
        if not isinstance(entry, Rendered) or (entry.data and f"{key}.data" not in self.data_files):
            return None
        self.used[key] = entry
        return entry

    def put(self, key: str, entry) -> None:
        if self.entries.get(key) is not entry:
            self.dirty.add(_segment(key))
        self.used[key] = entry

    def data_path(self, key: str) -> Path:
        return self.folder / f"{key}.data"

    def put_data(self, key: str, data: tuple) -> None:
        """Called by the workers, each for the records it renders."""
        self.data_sealer.write(self.data_path(key), pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        self.data_files.add(f"{key}.data")  # in this process; a worker's own copy is dropped with it

    def get_data(self, key: str) -> tuple:
        """A list's open-data rows; raises Unsealed when the file is not sealed by this account
        (it and any other such file are removed first: build.build builds again)."""
        path = self.data_path(key)
        payload = self.data_sealer.read(path)
        if payload is None:
            self._drop_unsealed_data()
            raise Unsealed(path)
        return pickle.loads(payload)

    def _drop_unsealed_data(self) -> None:
        """Every open-data file not sealed by this account removed: the build starts again
        once, and renders their lists anew."""
        for name in sorted(self.data_files):
            path = self.folder / name
            if self.data_sealer.read(path) is None:
                path.unlink(missing_ok=True)
                self.data_files.discard(name)

    def save(self, prune: bool = True) -> None:
        """Keep what this run used; drop the rest (edited, deleted, or from an old context)
        unless `prune` is false (a run that only checks leaves the renders alone). Only the
        segments whose entries changed are written."""
        self.folder.mkdir(parents=True, exist_ok=True)
        header = self.header
        kept = self.used if prune else {**self.entries, **self.used}
        segments: dict = {}
        for key, entry in kept.items():
            segments.setdefault(_segment(key), {})[key] = entry
        for segment in sorted(segments.keys() | self.loaded.keys() | self.dirty):
            entries = segments.get(segment, {})
            if segment not in self.dirty and self.loaded.get(segment) == entries.keys():
                continue
            path = self.folder / f"{self.SEGMENTS}{segment}.pickle"
            if entries:
                self.sealer.write(path, header + pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
            else:
                path.unlink(missing_ok=True)
        seen = self.file_keys_seen if prune else {**self.file_keys, **self.file_keys_seen}
        if seen != self.file_keys or self.rewrite_file_keys:
            self.sealer.write(self.folder / self.FILES, header + pickle.dumps(seen, protocol=pickle.HIGHEST_PROTOCOL))
        if not prune:
            return
        wanted = {f"{key}.data" for key, entry in self.used.items() if isinstance(entry, Rendered) and entry.data}
        for name in os.listdir(self.folder):
            if (name.endswith(".data") and name not in wanted) or name == "index.pickle":  # the old single index
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass
