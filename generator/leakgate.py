"""The leak gate: the last check before anything is written.

Every file about to be written is scanned for the raw personal values seen in the
input (unpublished columns included) and for any checksum-valid ID number, whatever
put it there: content, a template, a theme. Numbers are read the way free text is
(full-width digits, groups split by spaces, hyphens or line breaks). One hit fails
the build.
"""
from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass

from . import freetext
from .diagnostics import Location
from .mask import mask_bank_card, mask_id_card, mask_phone

LONG = 11  # secrets this long are found inside longer numbers; shorter ones only whole
_GZIP_MAGIC = b"\x1f\x8b"
_ZERO_WIDTH_SPACE = "\u200b".encode()  # Pagefind puts one between the words it segments


def readable(data: bytes) -> bytes:
    """The bytes as a reader of the file would get them: the search index's fragments are gzip
    files, and its text has zero-width spaces between words, which could split a number."""
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            pass  # not a gzip stream after all: scan the bytes as they are
    return data.replace(_ZERO_WIDTH_SPACE, b"")


@dataclass(frozen=True)
class Leak:
    path: str
    shown: str  # the value as the message may show it: masked


def _shown(value: str) -> str:
    if len(value) in (15, 18):
        return mask_id_card(value)
    return mask_bank_card(value) if len(value) > 15 else mask_phone(value)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # binary: Latin-1 keeps every ASCII digit where it was
        return data.decode("latin-1")


class _Secrets:
    def __init__(self, secrets: set[str]):
        self.long = {s for s in secrets if len(s) >= LONG}
        self.short = {s for s in secrets if len(s) < LONG}
        self.lengths = sorted({len(s) for s in self.long})

    def find(self, groups: list[str]) -> str | None:
        whole = "".join(groups)
        for group in (whole, *groups):
            if group in self.short:
                return group
        for length in self.lengths:
            for i in range(len(whole) - length + 1):
                if whole[i:i + length] in self.long:
                    return whole[i:i + length]
        return None


_READ: dict[str, tuple] = {}  # run -> (its digit groups, the ID number in it or None), for every gate
_READ_MOST = 200_000  # runs remembered; project codes, dates and 索引号 recur across thousands of records


def _read(run: str) -> tuple:
    """What a run holds whatever the secrets: its ASCII digit groups, and a checksum-valid ID
    number in it, if any. The same project codes and dates are on the pages of many records."""
    found = _READ.get(run)
    if found is None:
        digits = None
        if len(run) >= 18:
            ids = [h for h in freetext.hits_in_run(run, 0, len(run)) if h.kind == freetext.ID]
            digits = ids[0].digits if ids else None
        if len(_READ) >= _READ_MOST:
            _READ.clear()
        found = _READ[run] = (freetext.groups(run, 0, len(run)), digits)
    return found


def _run_leak(run: str, secrets: _Secrets) -> str | None:
    groups, id_digits = _read(run)
    return secrets.find(groups) or id_digits


class Gate:
    """Scans files one by one; a digit run seen before (dates, index numbers, the same
    masked value on many pages) is answered from memory."""

    def __init__(self, secrets: set[str]):
        self.secrets = _Secrets(secrets)
        self.seen: dict[str, str | None] = {}

    def first_leak(self, data: bytes, csv: bool = False) -> str | None:
        text = _text(readable(data))
        if csv:  # no run of digits holds a comma: a CSV's runs are those of its distinct cells,
            text = "\0".join(dict.fromkeys(text.split(",")))  # and dates and codes repeat on every row
        for run in freetext.long_runs(text):
            hit = self.seen.get(run, False)
            if hit is False:
                hit = self.seen[run] = _run_leak(run, self.secrets)
            if hit:
                return hit
        return None

    def leak(self, path: str, data: bytes) -> Leak | None:
        hit = self.first_leak(data, csv=path.endswith(".csv"))
        return Leak(path, _shown(hit)) if hit else None


def report(leak: Leak, into) -> None:
    """The diagnostic for a leak, into a diagnostics.Report."""
    into.error(Location(leak.path), "leak", f"输出文件中出现了未隐藏的个人信息 {leak.shown}",
               "检查模板是否直接输出了原始数据；本次没有写入任何文件，原有的网站保持不变")


def scan(files: dict[str, bytes], secrets: set[str]) -> list[Leak]:
    gate = Gate(secrets)
    return [leak for leak in (gate.leak(path, files[path]) for path in sorted(files)) if leak]


# The same matching for attachscan, which reads the text inside attachments.
Secrets = _Secrets
shown_form = _shown
