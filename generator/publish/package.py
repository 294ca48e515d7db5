"""`build --package FILE.zip`: exactly the files this build added or changed, for the upload.

Deterministic: entries sorted, timestamps fixed, so the same build gives the same zip.
Removed files cannot travel in a zip; the build lists them for the webmaster to delete
on the CMS (withdrawn records keep a 已撤下 page instead, which does travel).
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

from .write import Changes

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def pack(out: Path, changes: Changes, target: Path) -> int:
    """Write the zip atomically; returns the number of files in it."""
    names = sorted(changes.added + changes.changed)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            entry = zipfile.ZipInfo(name, _EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, (out / name).read_bytes())
    os.replace(temporary, target)
    return len(names)
