"""Writing the output: only after every page is rendered and the leak gate has passed.

Pages wait in a staging folder beside the output and are moved in (a rename each); the
few files made in memory are written in place. Files whose bytes did not change are not touched (the CMS upload and the web server's
caches see no change); each changed file is replaced atomically; files no longer
produced are removed. A manifest beside the output (never inside it) lists what was
added, changed and removed, for the webmaster's upload.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Changes:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unchanged: int = 0
    written: dict = field(default_factory=dict)  # path -> (digest, size, mtime_ns), for the state


def manifest_path(out: Path) -> Path:
    return out.parent / (out.name + ".manifest.json")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _same(path: Path, data: bytes, known) -> bool:
    """Whether the file holds data: by the digest the last build recorded, when the file
    is still as that build left it (size and mtime), else by reading it."""
    st = path.stat()
    if st.st_size != len(data):
        return False
    if known is not None and (known[1], known[2]) == (st.st_size, st.st_mtime_ns):
        return known[0] == _digest(data)
    return path.read_bytes() == data


def write_manifest(out: Path, changes: Changes) -> None:
    manifest = {"added": changes.added, "changed": changes.changed, "removed": changes.removed}
    write_atomic(manifest_path(out), json.dumps(manifest, ensure_ascii=False, indent=1).encode())


def _entry(path: Path, data: bytes) -> tuple:
    st = path.stat()
    return _digest(data), st.st_size, st.st_mtime_ns


def walk(out: Path):
    """(path relative to out with forward slashes, os.DirEntry) of every file under out.
    String paths: os.path.relpath per file cost a second for 28,000 files."""
    stack = [("", str(out))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((prefix + entry.name + "/", entry.path))
            else:
                yield prefix + entry.name, entry


def apply(out: Path, staging: Path, staged: dict, produced: dict[str, bytes], kept: set[str],
          known: dict, existing: set[str]) -> Changes:
    """Bring the output to this build's files: `staged` (path -> digest) are waiting in the
    staging folder and are moved in; `produced` (path -> bytes) are written when they
    differ; `kept` are already in place as the last build wrote them (`known`). Any other
    file is removed. `existing`: the files the output holds (survey.Survey.existing)."""
    changes = Changes()
    folders = set()
    for rel in sorted(staged):  # string paths and each folder made once: a full build moves 20,000 pages
        path = f"{out}/{rel}"
        (changes.changed if rel in existing else changes.added).append(rel)
        folder = path.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        os.replace(f"{staging}/{rel}", path)
        st = os.stat(path)
        changes.written[rel] = (staged[rel], st.st_size, st.st_mtime_ns)
    for rel in sorted(produced):
        path, data = out / rel, produced[rel]
        if rel in existing:
            if _same(path, data, known.get(rel)):
                changes.unchanged += 1
                changes.written[rel] = known.get(rel) or _entry(path, data)
                continue
            changes.changed.append(rel)
        else:
            changes.added.append(rel)
        write_atomic(path, data)
        changes.written[rel] = _entry(path, data)
    for rel in kept:
        changes.unchanged += 1
        changes.written[rel] = known[rel]
    for rel in sorted(existing - changes.written.keys()):
        (out / rel).unlink()
        changes.removed.append(rel)
    _remove_emptied_folders(out, changes.removed)
    changes.added.sort()
    changes.changed.sort()
    write_manifest(out, changes)
    return changes


def _remove_emptied_folders(out: Path, removed: list[str]) -> None:
    """The folders that removing these files left empty, and theirs in turn: walking the
    whole output for them took a third of a second for 5,000 records."""
    folders = {(out / rel).parent for rel in removed}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
