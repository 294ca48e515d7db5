"""Writing beside and into the output: atomic files, the manifest, the walk of the output.

The manifest beside the output (never inside it) lists what a build added, changed and
removed, for the webmaster's upload. How a build's files reach the output is commit.py's.
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


def read_manifest(out: Path) -> dict:
    """The manifest the last build left beside the output; empty when there is none or it is damaged."""
    try:
        manifest = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def manifest_data(changes: Changes, site: dict | None = None) -> dict:
    """`site`: outguard.identity of the site, so that another site's build refuses this output."""
    manifest = {"added": changes.added, "changed": changes.changed, "removed": changes.removed}
    if site is not None:
        manifest["site"] = site
    return manifest


def manifest_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def write_manifest(out: Path, changes: Changes, site: dict | None = None) -> None:
    write_atomic(manifest_path(out), manifest_bytes(manifest_data(changes, site)))


def walk(out: Path):
    """(path relative to out with forward slashes, os.DirEntry) of every file under out.
    String paths: os.path.relpath per file is slow over a large output (docs/performance.md)."""
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


_steps, _writing = 0, False


def start_writing() -> None:
    """The write phase begins: checkpoint() counts from here."""
    global _writing
    _writing = True


def checkpoint() -> None:
    """Test-only: with GENERATOR_TEST_DIE_AFTER=N the process dies at once (as kill -9 would:
    no cleanup of any kind) at the Nth step of the write phase (which start_writing() starts);
    GENERATOR_TEST_STEPS=FILE keeps the number of steps so far in FILE."""
    global _steps
    limit, tally = os.environ.get("GENERATOR_TEST_DIE_AFTER"), os.environ.get("GENERATOR_TEST_STEPS")
    if _writing and (limit or tally):
        _steps += 1
        if tally:
            Path(tally).write_text(str(_steps), encoding="utf-8")
        if limit and _steps >= int(limit):
            os._exit(137)
