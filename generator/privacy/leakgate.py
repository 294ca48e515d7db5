"""The leak gate: the last check before anything is written.

Every file about to be written is scanned for the raw personal values seen in the
input (unpublished columns included) and for any checksum-valid ID number, whatever
put it there: content, a template, a theme. In text files (pages, feeds, open data, the
search index's text) the masking stage's detector runs again on what a reader sees, tags
removed and character references decoded, so a number the masking missed is still caught.
Numbers are read the way free text is (full-width digits, groups split by spaces, hyphens,
dots or line breaks). One hit fails the build, naming the record it came from when known.
"""
from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass
from html import unescape

from ..model.diagnostics import Location
from ..outputs.search import OUTPUT as SEARCH_INDEX
from . import freetext
from .mask import masked_digits

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
    source: str = ""  # the record file the value came from, with its line when found


def _text(data: bytes) -> tuple[str, bool]:
    """(the text, whether it is text at all)."""
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:  # binary: Latin-1 keeps every ASCII digit where it was
        return data.decode("latin-1"), False


# What a reader of a page sees: inline tags join the text around them (a number split by
# <strong> reads as one number); other tags, attributes included, separate it.
_INLINE = ("a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strike|strong|"
           "sub|sup|time|tt|u|var|wbr")
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_TAG = re.compile(r"<[!/?A-Za-z][^<>]*>")
# Where the visible text can hold a number the raw text does not: digits on both sides of inline
# tags (escaped ones too, in a feed), or a character reference that stands for a digit. Each
# pattern starts with a literal, which the regex engine finds fast: most pages have none.
_DIGIT_TAG_DIGIT = re.compile(rf"<(?<=[0-9０-９]<)/?(?:{_INLINE})\b[^<>]{{0,200}}>(?:<[^<>]{{0,200}}>)*[0-9０-９]",
                              re.IGNORECASE)
_DIGIT_ESCAPED_TAG = re.compile(rf"&lt;(?<=[0-9０-９]&lt;)/?(?:{_INLINE})\b", re.IGNORECASE)
_DIGIT_REFERENCE = re.compile(r"&#(?:0*(?:4[89]|5[0-7]|6529[6-9]|6530[0-5])|[xX]0*(?:3[0-9]|[fF][fF]1[0-9a-fA-F]))")


def _hides_digits(text: str) -> bool:
    return bool(_DIGIT_TAG_DIGIT.search(text) or _DIGIT_ESCAPED_TAG.search(text) or _DIGIT_REFERENCE.search(text))


def shown_text(text: str) -> str:
    """The text of a page as a browser (or a feed reader, which reads the escaped HTML of an
    RSS description as HTML) shows it: tags removed, character references decoded, twice."""
    for _ in range(2):
        if "<" in text:
            text = _TAG.sub("\0", _INLINE_TAG.sub("", text))
        if "&" not in text:
            break
        text = unescape(text)
    return text


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


_READ: dict[str, tuple] = {}  # run -> (its digit groups, the ID numbers, every personal number), for every gate
_READ_MOST = 200_000  # runs remembered; project codes, dates and 索引号 recur across thousands of records


def _read(run: str) -> tuple:
    """What a run holds whatever the secrets: its ASCII digit groups, the checksum-valid ID
    numbers in it, and every personal number the detector finds in it. The same project codes
    and dates are on the pages of many records."""
    found = _READ.get(run)
    if found is None:
        hits = tuple(h.digits for h in freetext.hits_in_run(run, 0, len(run))) if len(run) >= 11 else ()
        ids = tuple(d for d in hits if len(d) == 18)
        if len(_READ) >= _READ_MOST:
            _READ.clear()
        found = _READ[run] = (freetext.groups(run, 0, len(run)), ids, hits)
    return found


class Gate:
    """Scans files one by one: for the raw values of the input (`secrets`) and every
    checksum-valid ID number in any file, and in text files for every personal number the
    detector finds in what a reader sees, except the declared hotlines (`allowed`). A digit
    run seen before (dates, index numbers, the same masked value on many pages) is answered
    from memory."""

    def __init__(self, secrets: set[str], allowed=frozenset()):
        self.secrets = _Secrets(secrets)
        self.allowed = frozenset(allowed)
        self.seen: dict[tuple, str | None] = {}

    def _run_leak(self, run: str, every_kind: bool) -> str | None:
        groups, ids, hits = _read(run)
        found = self.secrets.find(groups)
        if found:
            return found
        for digits in hits if every_kind else ids:
            if digits not in self.allowed:
                return digits
        return None

    def first_leak(self, data: bytes, csv: bool = False) -> str | None:
        text, is_text = _text(readable(data))
        if csv:  # no run of digits holds a comma: a CSV's runs are those of its distinct cells,
            text = "\0".join(dict.fromkeys(text.split(",")))  # and dates and codes repeat on every row
        texts = [(text, is_text)]  # in a text file, every kind of number; in a binary one, ID numbers
        if is_text and _hides_digits(text):
            texts.append((shown_text(text), True))
        for part, every_kind in texts:
            for run in freetext.long_runs(part):
                key = (run, every_kind)
                hit = self.seen.get(key, False)
                if hit is False:
                    hit = self.seen[key] = self._run_leak(run, every_kind)
                if hit:
                    return hit
        return None

    def _name_leak(self, path: str) -> str | None:
        for hit in freetext.find(path) if freetext.may_hold(path) else ():
            if hit.digits not in self.allowed:
                return hit.digits
        return None

    def leak(self, path: str, data: bytes, source: tuple | None = None) -> Leak | None:
        """`source`: (the record file as diagnostics show it, its path), when one record made the file.
        The file's own name is read too (its address on the site), but for the search index's,
        which are digests."""
        hit = None if path.startswith(SEARCH_INDEX) else self._name_leak(path)
        if path.startswith(SEARCH_INDEX) and path.endswith(_SEARCH_ENTRY):
            data = _without_digests(data)
        hit = hit or self.first_leak(data, csv=path.endswith(".csv"))
        if not hit:
            return None
        return Leak(path, masked_digits(hit), _source_line(*source, hit) if source else "")


_SEARCH_ENTRY = "pagefind-entry.json"  # the search index's table of contents: its `hash` values are digests


def _without_digests(data: bytes) -> bytes:
    """The search index's entry file without the digests that name its files (hex, so now and
    then eleven digits in a row that read as a mobile number): the rest is scanned as ever."""
    try:
        entry = json.loads(data)
    except ValueError:
        return data

    def drop(value):
        if isinstance(value, dict):
            return {key: drop(inner) for key, inner in value.items() if key != "hash"}
        return [drop(inner) for inner in value] if isinstance(value, list) else value
    return json.dumps(drop(entry), ensure_ascii=False).encode("utf-8")


def hotlines(site) -> frozenset:
    """The site's declared public hotlines, as the gate compares them: ASCII digits."""
    return frozenset(re.sub(r"\D", "", freetext.normalize_digits(h)) for h in site.privacy.hotlines)


def _source_line(shown: str, path, digits: str) -> str:
    """The record file as diagnostics show it, with the line where the digits are if they are
    found there whatever their grouping or markup; else the file alone."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if any(h.digits == digits for h in freetext.find(line)) or \
                        digits in re.sub(r"\D", "", freetext.normalize_digits(line)):
                    return f"{shown}:{number}"
    except OSError:
        pass
    return shown


def report(leak: Leak, into) -> None:
    """The diagnostic for a leak, into a diagnostics.Report."""
    origin = f"，来自 {leak.source}" if leak.source else ""
    into.error(Location(leak.path), "leak", f"输出文件中出现了未隐藏的个人信息 {leak.shown}{origin}",
               "它在原文中的写法没有被识别（如被格式符号或字符引用拆开）：请在原文中删除或改写这个号码；"
               "若来源不明，检查模板是否直接输出了原始数据。本次没有写入任何文件，原有的网站保持不变")


# The same matching for attachscan, which reads the text inside attachments.
Secrets = _Secrets
