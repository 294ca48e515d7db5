"""The leak gate: the last check before anything is written.

Every file about to be written is scanned for the raw personal values seen in the
input (unpublished columns included) and for any checksum-valid ID number, whatever
put it there: content, a template, a theme. One hit fails the build.
"""
from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass

from .fieldtypes import id_birth_date, id_check_digit
from .mask import mask_id_card, mask_phone

_DIGIT_RUN = re.compile(rb"[0-9]{7,19}[Xx]?")
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


def _looks_like_id(run: bytes) -> bool:
    if len(run) != 18:
        return False
    text = run.decode().upper()
    return text[:17].isdigit() and id_check_digit(text[:17]) == text[17] and id_birth_date(text) is not None


def scan(files: dict[str, bytes], secrets: set[str]) -> list[Leak]:
    wanted = {s.encode() for s in secrets}
    leaks = []
    for path in sorted(files):
        data = readable(files[path])
        for match in _DIGIT_RUN.finditer(data):
            run = match.group()
            hit = next((s for s in wanted if s in run), None) if wanted else None
            if hit is None and not _looks_like_id(run):
                continue
            value = (hit or run).decode()
            shown = mask_id_card(value.upper()) if len(value) in (15, 18) else mask_phone(value)
            leaks.append(Leak(path, shown))
            break
    return leaks
