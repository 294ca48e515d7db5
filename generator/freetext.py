"""Personal numbers hidden in free text: titles, bodies, text fields, CSV cells.

Staff paste from Word, WPS and Excel, so an ID number may come in full-width digits,
split into groups by spaces, hyphens or a line break (`110101 19900307 1234`). A run of
digit groups is read as a whole and every stretch of whole groups is tried:

- 18 characters with a valid check digit and birth date: an ID number;
- 15 digits with a plausible region and birth date: an old ID number;
- 16–19 digits, Luhn-valid, unbroken or in groups of four: a bank card;
- 11 digits starting 13–19: a mobile number.

Stretches of several groups count only when every group has at least three digits, so
dates (2024-03-15) and project codes (2024-500103-70-01-000123) stay what they are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .fieldtypes import id_birth_date, id_check_digit, luhn_valid, normalize_digits

_D = "0-9０-９"
_SPACE = " \t\u3000\u00a0"
_SEP = (rf"(?:[{_SPACE}]{{1,3}}"  # spaces
        rf"|[{_SPACE}]?[-－‐‑–—][{_SPACE}]?"  # a hyphen or dash
        rf"|[{_SPACE}]{{0,8}}\r?\n[{_SPACE}>]{{0,8}})")  # a line break (Markdown keeps paragraphs joined)
_RUN = re.compile(rf"[{_D}]+(?:{_SEP}[{_D}]+)*[XxＸｘ]?")
# the same runs, skipping at once those that cannot be 7 characters long (most numbers on a page)
# (a digit first, then the look-ahead: a pattern that starts with a character class lets the
# regex engine skip quickly to the next digit, which made the leak gate's scan twice as fast)
_LONG_RUN = re.compile(rf"[{_D}](?=[{_D}{_SPACE}\r\n>\-－‐‑–—XxＸｘ]{{6}})[{_D}]*" + _RUN.pattern[len(f"[{_D}]+"):])
_GROUP = re.compile(rf"[{_D}]+[XxＸｘ]?")
_MAYBE = re.compile(rf"[{_D}]{{3}}")  # a cheap test before the real search

ID, OLD_ID, BANK_CARD, MOBILE = "id_card", "old_id_card", "bank_card", "mobile"
KIND_NAMES = {ID: "身份证号", OLD_ID: "身份证号", BANK_CARD: "银行卡号", MOBILE: "手机号"}


@dataclass(frozen=True)
class Hit:
    start: int  # span in the text, from the first digit to the last
    end: int
    kind: str
    digits: str  # ASCII digits, upper-case X


def _classify(digits: str, groups: list[str]) -> str | None:
    n, several = len(digits), len(groups) > 1
    if "X" in digits[:-1]:
        return None
    if n == 18 and id_check_digit(digits[:17]) == digits[17] and id_birth_date(digits):
        born = id_birth_date(digits)
        if 1900 <= born.year <= 2100:
            return ID
    if digits.endswith("X"):
        return None
    if n == 15 and digits[0] in "12345678" and id_birth_date(digits):
        return OLD_ID
    if 16 <= n <= 19 and luhn_valid(digits) and (not several or all(len(g) == 4 for g in groups[:-1])):
        return BANK_CARD
    if n == 11 and digits[0] == "1" and digits[1] in "3456789":
        return MOBILE
    return None


def hits_in_run(text: str, start: int, end: int) -> list[Hit]:
    groups = [(m.start(), m.end(), normalize_digits(m.group()).upper())
              for m in _GROUP.finditer(text, start, end)]
    hits, i = [], 0
    while i < len(groups):
        found, digits = None, ""
        for j in range(i, len(groups)):
            if j > i and min(len(groups[i][2]), len(groups[j][2])) < 3:
                break
            digits += groups[j][2]
            if len(digits) > 19:
                break
            kind = _classify(digits, [g[2] for g in groups[i:j + 1]])
            if kind:
                found = Hit(groups[i][0], groups[j][1], kind, digits)
                if kind in (ID, OLD_ID):
                    break
        if found:
            hits.append(found)
            i = next(k for k, g in enumerate(groups) if g[1] == found.end) + 1
        else:
            i += 1
    return hits


def runs(text: str, shortest: int = 7):
    """(start, end) of every run of digit groups at least `shortest` (7 or more) characters long."""
    for run in (_LONG_RUN if shortest >= 7 else _RUN).finditer(text):
        if run.end() - run.start() >= shortest:
            yield run.start(), run.end()


def long_runs(text: str) -> dict:
    """Every distinct run of digit groups 7 or more characters long, in order of first
    appearance (a dict used as an ordered set): a page repeats the same dates hundreds of
    times, and the runs are found in one call rather than one at a time."""
    return {run: None for run in dict.fromkeys(_LONG_RUN.findall(text)) if len(run) >= 7}


def groups(text: str, start: int, end: int) -> list[str]:
    """The ASCII digit groups of a run."""
    return [normalize_digits(m.group()).upper() for m in _GROUP.finditer(text, start, end)]


def may_hold(text: str) -> bool:
    """False when the text cannot hold a personal number: a cheap test before find()."""
    return len(text) >= 11 and _MAYBE.search(text) is not None


def find(text: str) -> list[Hit]:
    """Every personal number in the text, in order, not overlapping."""
    if not may_hold(text):
        return []
    hits = []
    for start, end in runs(text, 11):
        hits.extend(hits_in_run(text, start, end))
    return hits
