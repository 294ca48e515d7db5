"""What the output holds, against what the last build wrote there: one look at every file.

A build keeps a page when the output still holds it as the last build wrote it (the size
and mtime that build recorded), so that a page deleted or edited by hand is made again.
Asking the file system page by page cost a stat for each of the output's files, all on the
build's critical path (docs/performance.md). Instead a forked process walks the
output once, right at the start, on the other core, while this one reads the content and
the store; the build then asks a set. Where there is no fork, the walk is done in-process
when it is first needed.
"""
from __future__ import annotations

import marshal
import os
from pathlib import Path

from ..publish.write import walk


def compare(out: Path, files: dict) -> tuple[list, list, list]:
    """(changed, missing, extra): files the last build wrote (`files`: path -> (digest,
    size, mtime_ns)) that differ now or are gone, and files it did not write."""
    changed, extra, found = [], [], set()
    for rel, entry in walk(out):
        known = files.get(rel)
        if known is None:
            extra.append(rel)
            continue
        found.add(rel)
        st = entry.stat(follow_symlinks=False)
        if (st.st_size, st.st_mtime_ns) != (known[1], known[2]):
            changed.append(rel)
    missing = [] if len(found) == len(files) else sorted(files.keys() - found)
    return changed, missing, extra


class Survey:
    def __init__(self, out: Path, files: dict):
        self.out, self.files = out, files
        self._result: tuple | None = None
        self._child = self._fork()

    def _fork(self):
        if not hasattr(os, "fork") or os.environ.get("ZFBZ_START_METHOD") == "spawn":
            return None  # walked in this process when first needed
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: nothing of the parent's (buffers, atexit, finally) may run here
            status = 1
            try:
                os.close(read_end)
                data = marshal.dumps(compare(self.out, self.files))
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return pid, read_end

    def result(self) -> tuple[list, list, list]:
        """compare()'s answer: the child's, or this process's when the child gave none."""
        if self._result is None:
            self._result = self._join() or compare(self.out, self.files)
        return self._result

    def _join(self):
        if self._child is None:
            return None
        pid, read_end = self._child
        self._child = None
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return None
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None

    def intact(self) -> bool:
        """Every file the last build wrote is there as it wrote it. Other files do not count:
        a build never removes what no build of ours wrote (publish/commit.py)."""
        changed, missing, _ = self.result()
        return not changed and not missing

    def damaged(self) -> set[str]:
        """Files the last build wrote that are no longer there as it wrote them."""
        changed, missing, _ = self.result()
        return {*changed, *missing}

    def existing(self) -> set[str]:
        changed, missing, extra = self.result()
        return (self.files.keys() - set(missing)) | set(extra)

    def close(self) -> None:
        """Reaps the child when the build ends before asking (an error in the content)."""
        if self._child is not None:
            self._join()
