"""Text attachments (.txt .csv .tsv .json .md .html .htm .xml): decoded whatever the
encoding, read line by line as they are and, where markup could split a number, as a
reader sees them: tags removed and character references decoded (`110101&#49;98…`),
Markdown emphasis removed (`110101**19800114**0149`), JSON `\\u0031` escapes decoded.
"""
from __future__ import annotations

import codecs
import html
import re
from pathlib import Path

from ..model.diagnostics import Location
from .attachscan import Passage, Unreadable

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> str:
    """Text with a byte-order mark (UTF-8, UTF-16 as Excel's “Unicode 文本”, UTF-32), UTF-16
    without one, UTF-8, then GBK/GB18030 (Excel's “CSV” and Notepad's ANSI on Chinese Windows)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise Unreadable(f"文件开头标明是 {encoding.upper()} 编码，但内容不是") from None
    encodings = ["utf-8", "gb18030"]
    if b"\x00" in data:  # no UTF-8 or GBK text has a 0 byte; UTF-16 has one in every digit
        encodings.insert(0, "utf-16-le" if data[1::2].count(0) >= data[0::2].count(0) else "utf-16-be")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("文字编码无法识别，请另存为 UTF-8")


_INLINE = {"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
           "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
           "time", "tt", "u", "var", "wbr"}
_MARKUP = re.compile(r"<!--.*?-->|</?([A-Za-z][\w:.-]*)[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_MARKDOWN = re.compile(r"\\?[*_~`]|" + _MARKUP.pattern)
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _markup(match: re.Match) -> str:
    token = match.group()
    if token.startswith("&"):
        return html.unescape(token)
    if token.startswith("<"):  # an inline tag joins the text around it, a block tag parts it
        name = (match.group(1) or "").rsplit(":", 1)[-1].lower()
        return "" if name in _INLINE else " "
    return ""  # Markdown emphasis


def _json_escape(match: re.Match) -> str:
    return chr(int(match.group(1), 16))


_VIEWS = {".html": (_MARKUP, _markup), ".htm": (_MARKUP, _markup), ".xml": (_MARKUP, _markup),
          ".md": (_MARKDOWN, _markup), ".markdown": (_MARKDOWN, _markup), ".json": (_JSON_ESCAPE, _json_escape)}


def view(line: str, pattern: re.Pattern, replace) -> tuple[str, tuple] | None:
    """The line as a reader sees it, and for each of its characters the column it came from;
    None when nothing in the line changes."""
    pieces, offsets, last = [], [], 0
    for match in pattern.finditer(line):
        pieces.append(line[last:match.start()])
        offsets.extend(range(last, match.start()))
        shown = replace(match)
        pieces.append(shown)
        offsets.extend([match.start()] * len(shown))
        last = match.end()
    if not last:
        return None
    pieces.append(line[last:])
    offsets.extend(range(last, len(line)))
    return "".join(pieces), tuple(offsets)


def read(path: Path, shown: str, suffix: str) -> list[Passage]:
    """One passage per line (a hit is named by line and column), and one for the line as a
    reader sees it when markup is in it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"文件无法打开：{exc.strerror}") from None
    pattern, replace = _VIEWS.get(suffix, (None, None))
    passages = []
    for number, line in enumerate(decode(data).splitlines(), start=1):
        place = Location(shown, number, 1)
        passages.append(Passage(place, line))
        seen = view(line, pattern, replace) if pattern else None
        if seen:
            passages.append(Passage(place, seen[0], offsets=seen[1]))
    return passages
