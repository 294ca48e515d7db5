"""How an input file is known unchanged without reading it: one rule for every input (record
files, the spreadsheets and attachments they point to, templates, code, site.yaml).

An output file is known by the size and mtime the build recorded when it wrote it
(survey.py): moving it in changed its ctime, and only we write there."""
from __future__ import annotations

import os


def of(st: os.stat_result) -> tuple[int, int, int, int]:
    """Size, mtime, ctime and inode: any write changes the ctime, even one that keeps the
    size and mtime; a file replaced by another has another inode."""
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


MISSING = (-1, -1, -1, -1)


def of_path(path) -> tuple[int, int, int, int]:
    """of() for a path; MISSING when it cannot be read."""
    try:
        return of(os.stat(path))
    except OSError:
        return MISSING
