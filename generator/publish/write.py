"""Writing the output: only after every page is rendered and the leak gate has passed.

Pages wait in a staging folder beside the output and are moved in (a rename each); the
few files made in memory are written in place. Files whose bytes did not change are not touched (the CMS upload and the web server's
caches see no change); each changed file is replaced atomically; files the last
build wrote that are no longer produced are removed, and nothing else ever is. A manifest beside the output (never inside it) lists what was
added, changed and removed, for the webmaster's upload.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import journal


@dataclass
class Changes:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unchanged: int = 0
    written: dict = field(default_factory=dict)  # path -> (digest, size, mtime_ns), for the state
    foreign: list = field(default_factory=list)  # files in the output that no build of ours wrote: left alone


def manifest_path(out: Path) -> Path:
    return out.parent / (out.name + ".manifest.json")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    checkpoint()
    os.replace(tmp, path)
    checkpoint()


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


def read_manifest(out: Path) -> dict:
    """The manifest the last build left beside the output; empty when there is none or it is damaged."""
    try:
        manifest = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def write_manifest(out: Path, changes: Changes, site: dict | None = None) -> None:
    """`site`: outguard.identity of the site, so that another site's build refuses this output."""
    manifest = {"added": changes.added, "changed": changes.changed, "removed": changes.removed}
    if site is not None:
        manifest["site"] = site
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


def checkpoint() -> None:
    """Test-only: with GENERATOR_TEST_DIE_AFTER=N the process dies at once (as kill -9 would:
    no cleanup of any kind) at the Nth step of the write phase (which apply() starts);
    GENERATOR_TEST_STEPS=FILE keeps the number of steps so far in FILE."""
    global _steps
    limit, tally = os.environ.get("GENERATOR_TEST_DIE_AFTER"), os.environ.get("GENERATOR_TEST_STEPS")
    if _writing and (limit or tally):
        _steps += 1
        if tally:
            Path(tally).write_text(str(_steps), encoding="utf-8")
        if limit and _steps >= int(limit):
            os._exit(137)


_steps, _writing = 0, False


def _in_place(path: Path, data: bytes, known) -> tuple | None:
    """The entry to record when the file already holds data, else None."""
    try:
        if not _same(path, data, known):
            return None
    except OSError:
        return None
    st = path.stat()
    return known if known is not None and (known[1], known[2]) == (st.st_size, st.st_mtime_ns) else \
        (_digest(data), st.st_size, st.st_mtime_ns)


def apply(out: Path, staging: Path, staged: dict, produced: dict[str, bytes], kept: set[str],
          known: dict, existing: set[str], pending: journal.Pending | None = None) -> Changes:
    """Bring the output to this build's files: `staged` (path -> digest) are waiting in the
    staging folder and are moved in; `produced` (path -> bytes) are written when they
    differ; `kept` are already in place as the last build wrote them (`known`). Files the
    last build wrote (`known`) that this one does not make are removed; any other file
    (`existing`: what the output holds, survey.Survey.existing) is not ours and stays, listed
    in `foreign`. `pending`: the journal of builds that died while writing: its paths are
    told added, changed or removed against the last completed build, not the output."""
    global _writing
    _writing = True
    pending = pending or journal.Pending()
    base = pending.base
    changes = Changes()
    making = {*staged, *produced, *kept}
    removing = sorted({rel for rel in known if rel not in making} | {rel for rel in base if rel not in making})
    journal.begin(out, [*staged, *produced, *removing], known, pending)
    checkpoint()
    _move_staged(out, staging, staged, existing, base, changes)
    _write_produced(out, produced, known, existing, base, changes)
    for rel in kept:
        changes.written[rel] = known[rel]
        listed = _since_completed(base[rel], known[rel][0], changes) if rel in base else None
        if listed is None:
            changes.unchanged += 1
        else:
            listed.append(rel)
    for rel in removing:
        try:
            os.unlink(f"{out}/{rel}")
        except FileNotFoundError:
            pass
        if rel not in base or base[rel] is not None:  # what the CMS has, whether or not the output still does
            changes.removed.append(rel)
        checkpoint()
    temporary = journal.temporary_files(pending)
    for rel in temporary:  # what unfinished builds left half-written
        try:
            os.unlink(f"{out}/{rel}")
        except (FileNotFoundError, NotADirectoryError):
            pass
    _remove_emptied_folders(out, removing + temporary)
    changes.foreign = sorted(existing - known.keys() - making - base.keys() - set(temporary))
    changes.added.sort()
    changes.changed.sort()
    return changes


def _since_completed(was, digest: bytes, changes: Changes) -> list | None:
    """Where a path an unfinished build may have touched goes in the manifest: by its digest
    in the last completed build (`was`, None when that build did not have it)."""
    if was is None:
        return changes.added
    return None if was == digest else changes.changed


def _move_staged(out: Path, staging: Path, staged: dict, existing: set, base: dict, changes: Changes) -> None:
    folders = set()
    for rel in sorted(staged):  # string paths and each folder made once: a full build moves 20,000 pages
        path = f"{out}/{rel}"
        if rel in base:
            listed = _since_completed(base[rel], staged[rel], changes)
        else:
            listed = changes.changed if rel in existing else changes.added
        if listed is None:
            changes.unchanged += 1
        else:
            listed.append(rel)
        folder = path.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        os.replace(f"{staging}/{rel}", path)
        st = os.stat(path)
        changes.written[rel] = (staged[rel], st.st_size, st.st_mtime_ns)
        checkpoint()


def _write_produced(out: Path, produced: dict, known: dict, existing: set, base: dict, changes: Changes) -> None:
    for rel in sorted(produced):
        path, data = out / rel, produced[rel]
        entry = _in_place(path, data, known.get(rel)) if rel in existing else None
        if rel in base:
            listed = _since_completed(base[rel], _digest(data), changes)
        else:
            listed = None if entry is not None else changes.changed if rel in existing else changes.added
        if listed is None:
            changes.unchanged += 1
        else:
            listed.append(rel)
        if entry is None:
            write_atomic(path, data)
            entry = _entry(path, data)
        changes.written[rel] = entry


def _remove_emptied_folders(out: Path, removed: list[str]) -> None:
    """The folders that removing these files left empty, and theirs in turn: walking the
    whole output for them took a third of a second for 5,000 records."""
    folders = {(out / rel).parent for rel in removed}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
