"""The validated-record cache: a record file already checked is not parsed again.

Reading YAML is most of the cost of a build (PyYAML's parser on long lists), and a
daily rebuild changes few records. One entry per record file, under `.cache/records/`
beside site.yaml, named by a digest of everything that decides the result: the file's
bytes, its path, the generator's own code, site.yaml and the effective catalog. The
files a record points to (rows_from, attachments) are checked by size and mtime.
An entry keeps the checked record and the warnings it gave, so a cached run reports
exactly what a fresh one does. Records with errors are never cached. Deleting
`.cache/` is always safe.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic
from .records import Record

FORMAT = b"records-1"
_CODE = Path(__file__).resolve().parent


@dataclass
class Entry:
    record: Record
    warnings: list[Diagnostic]
    deps: list[tuple[str, int, int]]  # (path, size, mtime_ns) of rows_from and attachments


def _stat(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
        return path, st.st_size, st.st_mtime_ns
    except OSError:
        return path, -1, -1


def dependencies(record: Record, root: Path) -> list[tuple[str, int, int]]:
    paths = [str(root / record.rows_source)] if record.rows_source else []
    paths += [str(a.path) for a in record.attachments]
    return [_stat(p) for p in paths]


def context_digest(site_yaml: bytes, local_catalog: bytes) -> bytes:
    """What every entry depends on besides its own file: our code and base catalog,
    site.yaml and the local catalog extension."""
    digest = hashlib.blake2b(FORMAT, digest_size=16)
    for path in sorted(_CODE.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for part in (site_yaml, local_catalog):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


class RecordCache:
    def __init__(self, folder: Path, context: bytes, write: bool = True):
        self.folder, self.context, self.write = folder, context, write
        self.used: set[str] = set()
        self.hits = 0

    def _name(self, shown: str, data: bytes) -> str:
        digest = hashlib.blake2b(self.context, digest_size=20)
        digest.update(shown.encode() + b"\0" + data)
        return digest.hexdigest() + ".pickle"

    def get(self, shown: str, data: bytes) -> Entry | None:
        name = self._name(shown, data)
        self.used.add(name)
        try:
            with open(self.folder / name, "rb") as handle:
                entry = pickle.load(handle)
        except Exception:  # missing, half-written or from another Python: just check again
            return None
        if not isinstance(entry, Entry) or any(_stat(path) != (path, size, mtime) for path, size, mtime in entry.deps):
            return None
        self.hits += 1
        return entry

    def put(self, shown: str, data: bytes, entry: Entry) -> None:
        if not self.write:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        name = self._name(shown, data)
        self.used.add(name)
        temporary = self.folder / (name + ".tmp")
        with open(temporary, "wb") as handle:
            pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / name)

    def prune(self) -> None:
        """Drop entries no file of this run asked for (edited, deleted, or old context)."""
        if not self.write or not self.folder.is_dir():
            return
        for name in os.listdir(self.folder):
            if name not in self.used:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass
