"""One build at a time on one output: an operating-system lock on `<out>.lock` beside it.

The lock is the kernel's (flock on POSIX, msvcrt.locking on Windows), so it goes away
with the process that held it, however that process ended: a build killed with kill -9
never leaves a lock behind that blocks the next one. The file itself stays (removing it
would let a build that opened it just before lock a file nobody else sees); it holds the
pid of the last build that took it, for a person looking.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from ..model.diagnostics import ConfigError, Location, Report, display_path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)  # forked helpers share the open file: unlock it for all of them
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    except OSError:
        pass


class OutputLock:
    """`with OutputLock(out):` holds the lock for the build, or raises ConfigError (exit 2)
    at once when another build holds it."""

    def __init__(self, out: Path):
        self.path = out.parent / (out.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            report = Report()
            report.error(Location(display_path(self.path, Path.cwd())), "output-locked",
                         "另一个生成正在进行，使用同一个输出目录；本次没有改动任何文件",
                         "等那次生成结束后再运行；如果没有别的生成在运行，这个锁会随进程结束自动解除")
            raise ConfigError(report)
        self.fd = fd
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b" %10d\n" % os.getpid())  # always 12 bytes: nothing to truncate
        _held_for_test(self.path)
        return self

    def __exit__(self, *_exc) -> None:
        if self.fd is not None:
            _unlock(self.fd)
            os.close(self.fd)
            self.fd = None


def _held_for_test(path: Path) -> None:
    """Test-only: with GENERATOR_TEST_HOLD_LOCK=FILE, the build that took the lock says so
    (FILE.held) and waits until FILE exists, so that a test can start a second build while
    the first surely holds the lock, without timing anything."""
    release = os.environ.get("GENERATOR_TEST_HOLD_LOCK")
    if not release:
        return
    Path(release + ".held").write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + 120
    while not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.01)
