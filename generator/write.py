"""Writing the output: only after every page is rendered and the leak gate has passed.

Files whose bytes did not change are not touched (the CMS upload and the web server's
caches see no change); each changed file is replaced atomically; files no longer
produced are removed. A manifest beside the output (never inside it) lists what was
added, changed and removed, for the webmaster's upload.
"""
from __future__ import annotations

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


def manifest_path(out: Path) -> Path:
    return out.parent / (out.name + ".manifest.json")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def sync(files: dict[str, bytes], out: Path) -> Changes:
    changes = Changes()
    existing = set()
    if out.is_dir():
        existing = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for rel in sorted(files):
        path = out / rel
        data = files[rel]
        if rel in existing:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                changes.unchanged += 1
                continue
            changes.changed.append(rel)
        else:
            changes.added.append(rel)
        _write_atomic(path, data)
    for rel in sorted(existing - set(files)):
        (out / rel).unlink()
        changes.removed.append(rel)
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    manifest = {"added": changes.added, "changed": changes.changed, "removed": changes.removed}
    _write_atomic(manifest_path(out), json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return changes
