"""A progress bar for builds that take a while, on a terminal only.

It appears once a build has run for a second (short builds stay silent), goes away
when the build ends, and is never shown when stderr is piped or `CI` is set, so logs
and scripts see plain lines only.
"""
from __future__ import annotations

import os
import sys
import threading

STAGES = ("读取/检查", "渲染", "写入")


def wanted(stream=None) -> bool:
    stream = stream or sys.stderr
    return stream.isatty() and not os.environ.get("CI")


class BuildProgress:
    """Use as a context manager; call `stage(name)` as the build enters each stage and
    `tick(done, total)` as records are processed."""

    def __init__(self, enabled: bool, delay: float = 1.0, console=None):
        self.enabled, self.delay = enabled, delay
        self.console = console
        self.lock = threading.Lock()
        self.shown = self.done = False
        self.progress = self.task = self.timer = None
        self.records = None  # the task counting records, once there are records to process

    def __enter__(self) -> "BuildProgress":
        if self.enabled:
            # imported here: rich is slow to import, a good part of a small rebuild (docs/performance.md)
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                     console=self.console or Console(stderr=True), transient=True)
            self.task = self.progress.add_task("准备", total=len(STAGES))
            self.timer = threading.Timer(self.delay, self._show)
            self.timer.daemon = True
            self.timer.start()
        return self

    def _show(self) -> None:
        with self.lock:
            if not self.done:
                self.progress.start()
                self.shown = True

    def stage(self, name: str) -> None:
        if self.progress is not None:  # a stage added later only changes the label
            done = STAGES.index(name) if name in STAGES else None
            self.progress.update(self.task, description=name, completed=done)

    def tick(self, done: int, total: int) -> None:
        """`done` more of `total` records processed (checked, rendered)."""
        if self.progress is None:
            return
        if self.records is None or self.counted().total != total:
            if self.records is not None:
                self.progress.remove_task(self.records)
            self.records = self.progress.add_task("处理记录", total=total)
        self.progress.advance(self.records, done)

    def counted(self):
        """The records task, as rich keeps it."""
        return next(task for task in self.progress.tasks if task.id == self.records)

    def __exit__(self, *_exc) -> None:
        if self.progress is None:
            return
        self.timer.cancel()
        with self.lock:
            self.done = True
            if self.shown:
                self.progress.update(self.task, completed=len(STAGES))
                self.progress.stop()
