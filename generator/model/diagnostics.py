"""Diagnostics: what a run tells the user about their input.

Every problem found in content or configuration becomes a `Diagnostic` with a
location; stages collect them in a `Report` instead of raising, so that one run
shows every problem at once. Only the command line turns them into an exit code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"
INFO = "info"  # for the record only (a check skipped, and why): never fails a run, even --strict


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int = 0
    col: int = 0
    # For spreadsheets: "Sheet1!C17"; shown instead of line:col.
    cell: str = ""

    def __str__(self) -> str:
        if self.cell:
            return f"{self.path}:{self.cell}"
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    severity: str
    code: str
    message: str
    hint: str = ""

    def sort_key(self):
        loc = self.location
        return (loc.path, loc.line, loc.col, loc.cell, self.code, self.message)

    def format(self) -> str:
        """The diagnostic as printed; any personal number in it (a file named by a mobile, a
        value quoted in the message) shown masked, as pages show it."""
        text = f"{self.location}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n    提示：{self.hint}"
        return redact(text)


def redact(text: str) -> str:
    """The text with every personal number in it masked (the default masking)."""
    from ..privacy import freetext  # here: freetext needs fieldtypes, whose errors become diagnostics
    from ..privacy.mask import masked_digits

    for hit in reversed(freetext.find(text)):
        text = text[:hit.start] + masked_digits(hit.digits) + text[hit.end:]
    return text


@dataclass
class Report:
    """Collects the diagnostics of one run."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(location, ERROR, code, message, hint))

    def warning(self, location: Location, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(location, WARNING, code, message, hint))

    def info(self, location: Location, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(location, INFO, code, message, hint))

    def extend(self, other: "Report") -> None:
        self.diagnostics.extend(other.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

    def strict(self) -> "Report":
        """The same report with every warning raised to an error (`--strict`)."""
        return Report([Diagnostic(d.location, ERROR if d.severity != INFO else INFO, d.code, d.message, d.hint)
                       for d in self.diagnostics])


class ConfigError(Exception):
    """A problem with site.yaml or the catalog: the run cannot go on (exit 2)."""

    def __init__(self, report: Report):
        super().__init__("configuration error")
        self.report = report


class ContentError(Exception):
    """Content errors stop a stage before anything is written (exit 1)."""

    def __init__(self, report: Report):
        super().__init__("content error")
        self.report = report


def display_path(path: Path, root: Path) -> str:
    """A path as the user should see it: relative to the site root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
