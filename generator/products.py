"""What a build keeps of each record between runs, under `.cache/products/` beside site.yaml.

A record file is checked, masked and rendered once per version of it; later builds take
the results from here and redo only the records that changed. Two kinds of entry:

- a *check*, per version of the file (its bytes and path, our code and templates, the
  theme, site.yaml and the local catalog): the record's head, its warnings, how many
  values were masked. Files the record points to (rows_from, attachments) are checked by
  size and mtime. Records with errors are never kept.
- a *render*, per check and what of it is shown (the rows still in their 公示期限, the
  索引号 it is published under): the digest of each page as written to the output, the
  feed summary, the project names its rows give, and its open-data rows.

The store holds raw records' heads, so it lives beside site.yaml and never in the
output. Deleting `.cache/` is always safe: the next build does everything again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from .records import Head
from .write import write_atomic

FORMAT = b"products-1"
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass
class Checked:
    head: Head
    diagnostics: list  # warnings, replayed on every build
    masked: int  # values masked in the record
    deps: list  # (path, size, mtime_ns) of rows_from and attachments
    attachments: list = field(default_factory=list)  # what the attachment scan found: counts when published


@dataclass
class Rendered:
    pages: dict  # output path -> digest of its bytes
    summary: str  # the feed's description of the record
    projects: dict  # project code -> name (from its rows; "" when only the code is known)
    data: int = 0  # how many open-data rows it has, kept in a file of their own (lists only)


def _stat(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
        return path, st.st_size, st.st_mtime_ns
    except OSError:
        return path, -1, -1


def dependencies(head: Head, root: Path) -> list[tuple[str, int, int]]:
    paths = [str(root / head.rows_source)] if head.rows_source else []
    paths += [str(a.path) for a in head.attachments]
    return [_stat(p) for p in paths]


def _files(folder: Path, digest) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())


def context_digest(site, theme: Path) -> bytes:
    """What every entry depends on besides its own file: our code, base catalog and
    templates, the site's templates and theme, site.yaml and the local catalog."""
    digest = hashlib.blake2b(FORMAT, digest_size=16)
    for folder in (_PACKAGE / "generator", _PACKAGE / "templates", site.templates_dir, theme):
        digest.update(b"\0folder\0" + str(folder).encode())
        _files(folder, digest)
    local = site.catalog_path.read_bytes() if site.catalog_path.is_file() else b""
    for part in (site.path.read_bytes(), local):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


def render_key(check_key: str, deps: list, kept: tuple, index_no: str) -> str:
    """A render is made from a check (the record file, and the spreadsheet and attachments
    as `deps` found them), the rows shown and the 索引号."""
    digest = hashlib.blake2b(check_key.encode(), digest_size=20)
    digest.update(repr((deps, kept, index_no)).encode())
    return digest.hexdigest()


class Store:
    """Every check and render of the last build in one index file, loaded at once (a build
    needs the head of every record); each list's open-data rows in a file of their own,
    read only when its item's data files are made again."""
    INDEX = "index.pickle"

    def __init__(self, folder: Path, context: bytes):
        self.folder, self.context = folder, context
        self.entries: dict = {}
        self.used: dict = {}
        self.hits = 0  # checks taken from the store
        try:
            with open(folder / self.INDEX, "rb") as handle:
                version, their_context = pickle.load(handle)
                if (version, their_context) == (FORMAT, context):  # else no entry can match: skip them
                    entries = pickle.load(handle)
                    self.entries = entries if isinstance(entries, dict) else {}
        except Exception:  # missing, half-written or from another version: do it all again
            pass

    def check_key(self, shown: str, data: bytes) -> str:
        digest = hashlib.blake2b(self.context, digest_size=20)
        digest.update(shown.encode() + b"\0" + data)
        return digest.hexdigest()

    def get_check(self, key: str) -> Checked | None:
        entry = self.entries.get(key)
        if not isinstance(entry, Checked) or any(_stat(p) != (p, s, m) for p, s, m in entry.deps):
            return None
        self.used[key] = entry
        self.hits += 1
        return entry

    def get_render(self, key: str) -> Rendered | None:
        entry = self.entries.get(key)
        if not isinstance(entry, Rendered) or (entry.data and not self.data_path(key).is_file()):
            return None
        self.used[key] = entry
        return entry

    def put(self, key: str, entry) -> None:
        self.used[key] = entry

    def data_path(self, key: str) -> Path:
        return self.folder / f"{key}.data"

    def put_data(self, key: str, data: tuple) -> None:
        """Called by the workers, each for the records it renders."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.data_path(key), pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))

    def get_data(self, key: str) -> tuple:
        with open(self.data_path(key), "rb") as handle:
            return pickle.load(handle)

    def save(self, prune: bool = True) -> None:
        """Keep what this run used; drop the rest (edited, deleted, or from an old context)
        unless `prune` is false (a run that only checks leaves the renders alone)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        kept = self.used if prune else {**self.entries, **self.used}
        write_atomic(self.folder / self.INDEX, pickle.dumps((FORMAT, self.context), protocol=pickle.HIGHEST_PROTOCOL)
                + pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        if not prune:
            return
        wanted = {f"{key}.data" for key, entry in self.used.items() if isinstance(entry, Rendered) and entry.data}
        for name in os.listdir(self.folder):
            if name.endswith(".data") and name not in wanted:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass

