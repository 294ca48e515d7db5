"""Personal numbers hidden in text: one detector for every text that reaches the output.

Staff paste from Word, WPS and Excel, so an ID number may come in full-width digits,
split into groups by spaces, hyphens, dots or a line break (`110101 19900307 1234`,
`1101-0119-9003-0712-34`), glued to other digits, or broken by markup (`110101**1990**…`,
`110101&#49;990…`) that a reader does not see. Detection runs on the text as a reader
sees it (visible()): Markdown emphasis and HTML tags between digits dropped, character
references decoded. A run of digit groups is then read as a whole:

- 18 characters with a valid check digit and birth date, anywhere in the run's digits,
  in any grouping (a window crossing the hyphen of a date, `03-15`, does not count);
- 15 digits with a birth date: a whole stretch of groups, or glued to at most three more
  digits when it starts with a province code;
- a mobile: 11 digits starting 13–19, alone or after `86`, `0086` (`+86 139 1234 5678`);
- 16–19 digits, Luhn-valid, unbroken or in groups of four: a bank card.

Stretches of several groups (for all but the 18-character IDs) count only when every group
has at least three digits, so dates (2024-03-15) and project codes
(2024-500103-70-01-000123) stay what they are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from ..config.fieldtypes import id_birth_date, id_check_digit, luhn_valid, normalize_digits

_D = "0-9０-９"
_SPACE = " \t\u3000\u00a0"
_DASH = "\\-－‐‑–—"
_SEP = (rf"(?:[{_SPACE}]{{1,3}}"  # spaces
        rf"|[{_SPACE}]?[{_DASH}.．·][{_SPACE}]?"  # a hyphen, dash or dot
        rf"|[{_SPACE}]{{0,8}}\r?\n[{_SPACE}>]{{0,8}})")  # a line break (Markdown keeps paragraphs joined)
_RUN = re.compile(rf"[{_D}]+(?:{_SEP}[{_D}]+)*[XxＸｘ]?")
# the same runs, skipping at once those that cannot be 7 characters long (most numbers on a page)
# (a digit first, then the look-ahead: a pattern that starts with a character class lets the
# regex engine skip quickly to the next digit; the leak gate runs it over every page: docs/performance.md)
_LONG_RUN = re.compile(rf"[{_D}](?=[{_D}{_SPACE}\r\n>{_DASH}.．·XxＸｘ]{{6}})[{_D}]*" + _RUN.pattern[len(f"[{_D}]+"):])
_NOT_DIGITS = str.maketrans("", "", f"{_SPACE}\r\n>-－‐‑–—.．·")
_GROUP = re.compile(rf"[{_D}]+[XxＸｘ]?")
_MAYBE = re.compile(rf"[{_D}]{{3}}")  # a cheap test before the real search
_MAYBE_BOXES = re.compile(rf"[{_D}] [{_D}] [{_D}]")  # a number printed one digit per box

ID, OLD_ID, BANK_CARD, MOBILE = "id_card", "old_id_card", "bank_card", "mobile"
KIND_NAMES = {ID: "身份证号", OLD_ID: "身份证号", BANK_CARD: "银行卡号", MOBILE: "手机号"}
_PREFIXES = ("0086", "86")  # China's country code before a mobile, the + dropped
# the first two digits of every ID number: the province (or 71 Taiwan, 81/82/83 HK, Macao, residence permits)
_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
                       "61 62 63 64 65 71 81 82 83 91".split())
_GLUED_MOST = 3  # digits glued to a 15-digit number for it to be looked for inside them


@dataclass(frozen=True)
class Hit:
    start: int  # span in the text, from the first digit to the last
    end: int
    kind: str
    digits: str  # ASCII digits, upper-case X


def _is_id(digits: str) -> bool:
    if "X" in digits[:-1] or id_check_digit(digits[:17]) != digits[17]:
        return False
    born = id_birth_date(digits)
    return born is not None and 1900 <= born.year <= 2100


def _is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789" and digits.isdigit()


def _classify(digits: str, groups: list[str]) -> tuple[str, int] | None:
    """(kind, offset of the number in digits) of a stretch of whole groups, or None."""
    n, several = len(digits), len(groups) > 1
    if "X" in digits[:-1]:
        return None
    if n == 18 and _is_id(digits):
        return ID, 0
    if digits.endswith("X"):
        return None
    for prefix in _PREFIXES:
        if n == 11 + len(prefix) and digits.startswith(prefix) and _is_mobile(digits[len(prefix):]):
            return MOBILE, len(prefix)
    if n == 15 and digits[0] in "12345678" and id_birth_date(digits):
        return OLD_ID, 0
    if 16 <= n <= 19 and luhn_valid(digits) and (not several or all(len(g) == 4 for g in groups[:-1])):
        return BANK_CARD, 0
    if _is_mobile(digits):
        return MOBILE, 0
    return None


def _boundaries_ok(ends: list[int], sizes: list[int], start: int, end: int) -> bool:
    """Whether a window of the joined digits [start, end) crosses no boundary between two
    groups of one or two digits (the 03-15 of a date), unless it is all single digits (a
    form printed one digit per box)."""
    inside = [k for k, boundary in enumerate(ends) if boundary > start and boundary - sizes[k] < end]
    if any(sizes[k] <= 2 and sizes[k + 1] <= 2 for k in inside[:-1]):
        return all(sizes[k] == 1 for k in inside)
    return True


def _ids_anywhere(digits: str, ends: list[int], sizes: list[int]) -> list[tuple[int, int]]:
    """(start, end) in the joined digits of every 18-character ID number, wherever it begins."""
    found, s, last = [], 0, len(digits) - 18
    while s <= last:
        window = digits[s:s + 18]
        if window[:17].isdigit() and _is_id(window) and _boundaries_ok(ends, sizes, s, s + 18):
            found.append((s, s + 18))
            s += 18
        else:
            s += 1
    return found


def _old_id_glued(digits: str) -> int | None:
    """Where a 15-digit number starts inside a group of 16 to 18 digits, if one does."""
    for s in range(len(digits) - 14):
        window = digits[s:s + 15]
        if window[:2] in _PROVINCES and window.isdigit() and id_birth_date(window):
            return s
    return None


def hits_in_run(text: str, start: int, end: int) -> list[Hit]:
    """The personal numbers in one run of digit groups, in order, not overlapping."""
    groups = [(m.start(), normalize_digits(m.group()).upper()) for m in _GROUP.finditer(text, start, end)]
    positions = [g_start + k for g_start, digits in groups for k in range(len(digits))]  # text offset per digit
    joined = "".join(digits for _, digits in groups)
    sizes = [len(digits) for _, digits in groups]
    ends, total = [], 0
    for size in sizes:
        total += size
        ends.append(total)
    taken = _ids_anywhere(joined, ends, sizes) if len(joined) >= 18 else []
    hits = [Hit(positions[a], positions[b - 1] + 1, ID, joined[a:b]) for a, b in taken]
    hits += _stretches(groups, ends, positions, taken)
    hits.sort(key=lambda h: h.start)
    return hits


def _stretches(groups: list, ends: list[int], positions: list[int], taken: list) -> list[Hit]:
    """Numbers made of whole groups (or one group with a few glued digits), outside `taken`."""
    def free(a: int, b: int) -> bool:
        return not any(a < t_end and t_start < b for t_start, t_end in taken)

    hits, i = [], 0
    while i < len(groups):
        found = None
        digits = ""
        first = ends[i] - len(groups[i][1])
        for j in range(i, len(groups)):
            if j > i and (len(groups[j][1]) < 3 or (len(groups[i][1]) < 3 and groups[i][1] not in _PREFIXES)):
                break  # a date's 03-15, small numbers in a row; a country code may be short
            digits += groups[j][1]
            if len(digits) > 19 or not free(first, ends[j]):
                break
            kind = _classify(digits, [g[1] for g in groups[i:j + 1]])
            if kind:
                found = (kind, first, ends[j], j)
                if kind[0] in (ID, OLD_ID):
                    break
        if found is None and 16 <= len(groups[i][1]) <= 15 + _GLUED_MOST and free(first, ends[i]):
            at = _old_id_glued(groups[i][1])
            if at is not None:
                found = ((OLD_ID, at), first, first + at + 15, i)
        if found:
            (kind, offset), a, b, j = found
            a += offset
            number = "".join(g[1] for g in groups[i:j + 1])[offset:offset + (b - a)]
            hits.append(Hit(positions[a], positions[b - 1] + 1, kind, number))
            i = j + 1
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
    return {run: None for run in dict.fromkeys(_LONG_RUN.findall(text)) if len(run.translate(_NOT_DIGITS)) >= 7}


def groups(text: str, start: int, end: int) -> list[str]:
    """The ASCII digit groups of a run."""
    return [normalize_digits(m.group()).upper() for m in _GROUP.finditer(text, start, end)]


def may_hold(text: str) -> bool:
    """False when the text cannot hold a personal number: a cheap test before find()."""
    return len(text) >= 11 and (_MAYBE.search(text) is not None or "&#" in text or
                                (" " in text and _MAYBE_BOXES.search(text) is not None))


# -- the text a reader sees ------------------------------------------------------------------

# What may stand between two digits and not be seen: Markdown emphasis and escapes, an HTML
# tag, a character reference (shown as the character it names).
_HIDDEN = re.compile(r"[*_~`\\]+|</?[A-Za-z][^<>\n]{0,80}>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
                     r"|\]\([^()\s]{0,300}(?:\s+\"[^\"\n]{0,100}\")?\)|\]\[[^\]\n]{0,60}\]|!?\[")  # a link's text joins what is around it
_MARKS = "*_~`\\<&;>[])"
_NEAR_DIGIT = re.compile(rf"[{_D}](?:[*_~`\\<&;>\]])|[*_~`\\>;\[)](?=[{_D}])|&#")


def visible(text: str) -> tuple[str, list[int] | None]:
    """(the text as a reader sees it, the offset in `text` of each of its characters); the
    offsets are None when nothing is hidden (most texts)."""
    if not any(mark in text for mark in _MARKS) or not _NEAR_DIGIT.search(text):
        return text, None
    out, at, pos = [], [], 0
    for m in _HIDDEN.finditer(text):
        out.append(text[pos:m.start()])
        at.extend(range(pos, m.start()))
        token = m.group()
        if token[0] == "&":
            shown = unescape(token)
            out.append(shown)
            at.extend([m.start()] * len(shown))
        pos = m.end()
    out.append(text[pos:])
    at.extend(range(pos, len(text)))
    return "".join(out), at


def find(text: str) -> list[Hit]:
    """Every personal number in the text as a reader sees it, in order, not overlapping; the
    spans are those of the text given (markup inside a number lies inside its span)."""
    if not may_hold(text):
        return []
    shown, at = visible(text)
    hits = []
    for start, end in runs(shown, 11):
        hits.extend(hits_in_run(shown, start, end))
    if at is None:
        return hits
    found = [Hit(at[h.start], _source_end(text, at, h.end), h.kind, h.digits) for h in hits]
    for start, end in runs(text, 11):  # what the projection hides is read too: a link's address
        for hit in hits_in_run(text, start, end):
            if not any(hit.start < other.end and other.start < hit.end for other in found):
                found.append(hit)
    return sorted(found, key=lambda h: h.start)


def _source_end(text: str, at: list[int], end: int) -> int:
    """The end in the source of a span ending at visible offset `end`: past the whole of the
    character reference its last character came from."""
    last = at[end - 1]
    if text[last] == "&":
        m = _HIDDEN.match(text, last)
        return m.end() if m else last + 1
    return last + 1
