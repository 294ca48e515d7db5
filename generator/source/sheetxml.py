"""What python-calamine does not tell about a spreadsheet, read from the file's XML.

calamine gives the cells and each sheet's visibility, but not which sheet is active, which
rows and columns are hidden, nor the cell comments. A person sees the active sheet and
none of the hidden rows, while the file holds them all: a list read for the site must be
the one the webmaster saw, and an attached file is published whole.

The sheet XML of a long list is large (docs/performance.md): hidden rows and columns are
found with byte regexes over the zip member (start tags only), not an XML parser.
"""
from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class SheetXmlError(Exception):
    """The file is not the zip of XML its suffix promises."""


@dataclass
class Hidden:
    """Rows (1-based) and columns (0-based) hidden in one sheet."""
    rows: set = field(default_factory=set)
    columns: set = field(default_factory=set)


def _open(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SheetXmlError(str(exc)) from None


def _read(book: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return book.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:  # damaged or encrypted member
        raise SheetXmlError(str(exc)) from None


def _xml(data: bytes):
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise SheetXmlError(str(exc)) from None


def relationships(book: zipfile.ZipFile, part: str) -> dict:
    """{relationship id: (type tail, target part)} of a part ("xl/workbook.xml")."""
    folder, name = posixpath.split(part)
    data = _read(book, posixpath.join(folder, "_rels", name + ".rels"))
    if data is None:
        return {}
    out = {}
    for rel in _xml(data).iter(_PKG + "Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
    return out


@dataclass(frozen=True)
class XlsxSheet:
    name: str
    part: str  # "xl/worksheets/sheet2.xml"
    hidden: bool


def xlsx_sheets(book: zipfile.ZipFile) -> tuple[list[XlsxSheet], int]:
    """The sheets in tab order and the index of the active one (workbookView activeTab)."""
    data = _read(book, "xl/workbook.xml")
    if data is None:
        raise SheetXmlError("缺少 xl/workbook.xml")
    root, rels = _xml(data), relationships(book, "xl/workbook.xml")
    sheets = []
    for sheet in root.iter(_MAIN + "sheet"):
        part = rels.get(sheet.get(_REL + "id"), ("", ""))[1]
        sheets.append(XlsxSheet(sheet.get("name", ""), part, sheet.get("state", "visible") != "visible"))
    view = root.find(f"{_MAIN}bookViews/{_MAIN}workbookView")
    try:
        active = int(view.get("activeTab", "0")) if view is not None else 0
    except ValueError:
        active = 0
    return sheets, active


def active_sheet(path, suffix: str) -> str | None:
    """The name of the sheet a person sees on opening the file, when the file says it."""
    try:
        with _open(path) as book:
            if suffix == ".xlsx":
                sheets, active = xlsx_sheets(book)
                return sheets[active].name if 0 <= active < len(sheets) else None
            if suffix == ".ods":
                data = _read(book, "settings.xml") or b""
                found = re.search(rb'config:name="ActiveTable"[^>]*>([^<]*)<', data)
                return _unescape(found.group(1).decode("utf-8", "replace")) if found else None
    except SheetXmlError:
        return None
    return None


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


# -- hidden rows and columns -------------------------------------------------------------

_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_COL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ZERO_HEIGHT = re.compile(rb'\bht="0*(?:\.0*)?"')
_ZERO_WIDTH = re.compile(rb'\bwidth="0*(?:\.0*)?"')
_R = re.compile(rb'\br="(\d+)"')
_MIN = re.compile(rb'\bmin="(\d+)"')
_MAX = re.compile(rb'\bmax="(\d+)"')
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b")
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData\b")


def _tags_with(data: bytes, needles: tuple, start: int):
    """The start tags holding any of the needles: bytes.find is memchr-fast over the whole
    sheet, and a hidden row is rare, where a regex over every tag is slow on a long list
    (docs/performance.md)."""
    seen = set()
    for needle in needles:
        at = data.find(needle, start)
        while at != -1:
            opened = data.rfind(b"<", start, at)
            if opened not in seen and opened != -1:
                seen.add(opened)
                yield data[opened:data.find(b">", at) + 1]
            at = data.find(needle, at + 1)


def xlsx_hidden(path, sheet_name: str) -> Hidden:
    """The hidden rows and columns of one sheet of an .xlsx (hidden, or of zero height/width)."""
    with _open(path) as book:
        sheets, _ = xlsx_sheets(book)
        part = next((s.part for s in sheets if s.name == sheet_name), None)
        data = _read(book, part) if part else None
    hidden = Hidden()
    if not data:
        return hidden
    start = _SHEET_DATA.search(data)
    for col in _COL.finditer(data, 0, start.start() if start else len(data)):
        attrs = col.group(1)
        if _HIDDEN.search(attrs) or _ZERO_WIDTH.search(attrs):
            low, high = _MIN.search(attrs), _MAX.search(attrs)
            if low:
                first = int(low.group(1))
                last = min(int(high.group(1)) if high else first, 16384)
                hidden.columns.update(range(first - 1, last))
    rows_from = start.start() if start else 0
    for tag in _tags_with(data, (b'hidden="', b'ht="0'), rows_from):
        if not _ROW_TAG.match(tag):
            continue
        if not (_HIDDEN.search(tag) or (_ZERO_HEIGHT.search(tag) and b"customHeight" in tag)):
            continue  # ht="0.75", or a height of 0 that is not set by hand
        given = _R.search(tag)
        hidden.rows.add(int(given.group(1)) if given else len(_ROW.findall(data, rows_from, data.find(tag))) + 1)
    return hidden


_ODS_TABLE = re.compile(rb'<table:table\b[^>]*?table:name="([^"]*)"[^>]*>')
_ODS_END = re.compile(rb"</table:table>")
_ODS_ROW_OR_COL = re.compile(rb"<table:table-(row|column)\b([^>]*)>")
_ODS_COLLAPSED = re.compile(rb'\btable:visibility="(?:collapse|filter)"')
_ODS_REPEATED = re.compile(rb'\btable:number-(?:rows|columns)-repeated="(\d+)"')
_ODS_MAX_REPEAT = 1_048_576  # a hidden tail of repeated empty rows runs to the sheet's end


def ods_hidden(path, sheet_name: str) -> Hidden:
    """The hidden (collapsed or filtered) rows and columns of one sheet of an .ods."""
    with _open(path) as book:
        data = _read(book, "content.xml") or b""
    hidden = Hidden()
    table = next((t for t in _ODS_TABLE.finditer(data) if _unescape(t.group(1).decode("utf-8", "replace"))
                  == sheet_name), None)
    if table is None:
        return hidden
    end = _ODS_END.search(data, table.end())
    counts = {b"row": 0, b"column": 0}
    for tag in _ODS_ROW_OR_COL.finditer(data, table.end(), end.start() if end else len(data)):
        kind, attrs = tag.group(1), tag.group(2)
        repeated = _ODS_REPEATED.search(attrs)
        times = min(int(repeated.group(1)), _ODS_MAX_REPEAT) if repeated else 1
        first = counts[kind]
        counts[kind] += times
        if _ODS_COLLAPSED.search(attrs) and times < 10_000:  # a huge hidden tail holds no data
            target = hidden.rows if kind == b"row" else hidden.columns
            target.update(range(first + 1, first + times + 1) if kind == b"row" else range(first, first + times))
    return hidden


# -- comments ----------------------------------------------------------------------------

def _text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter() if t.tag.endswith("}t"))


def xlsx_comments(path):
    """(sheet name, cell, text) of every cell comment, notes and threaded comments both;
    a comment part no sheet points to is still read (sheet name "")."""
    out, seen = [], set()
    with _open(path) as book:
        sheets, _ = xlsx_sheets(book)
        for sheet in sheets:
            for kind, target in (relationships(book, sheet.part) if sheet.part else {}).values():
                if kind in ("comments", "threadedComment") and target not in seen:
                    seen.add(target)
                    out += _comments(book, target, sheet.name)
        for name in book.namelist():
            if name.startswith(("xl/comments", "xl/threadedComments/")) and name.endswith(".xml") \
                    and name not in seen:
                out += _comments(book, name, "")
    return out


def _comments(book: zipfile.ZipFile, part: str, sheet: str):
    data = _read(book, part)
    if data is None:
        return []
    return [(sheet, c.get("ref", ""), _text_of(c)) for c in _xml(data).iter()
            if c.tag.rsplit("}", 1)[-1] in ("comment", "threadedComment")]


_ODS_ANNOTATION = re.compile(rb"<office:annotation\b.*?</office:annotation>", re.S)
_ODS_PARAGRAPH_END = re.compile(rb"</text:p>")
_TAG = re.compile(rb"<[^>]*>")


def ods_comments(path):
    """(sheet name, text) of every cell comment (office:annotation) of an .ods."""
    with _open(path) as book:
        data = _read(book, "content.xml") or b""
    out = []
    tables = list(_ODS_TABLE.finditer(data))
    for annotation in _ODS_ANNOTATION.finditer(data):
        sheet = next((_unescape(t.group(1).decode("utf-8", "replace")) for t in reversed(tables)
                      if t.start() < annotation.start()), "")
        body = _ODS_PARAGRAPH_END.sub(b"\n", annotation.group())
        body = re.sub(rb"<dc:(?:creator|date)>.*?</dc:(?:creator|date)>", b"", body, flags=re.S)
        out.append((sheet, _unescape(_TAG.sub(b"", body).decode("utf-8", "replace")).strip()))
    return out


def xlsx_drawing_texts(path):
    """(part, text) of the text boxes and shapes drawn over the sheets (xl/drawings/*.xml)."""
    out = []
    with _open(path) as book:
        for name in book.namelist():
            if name.startswith("xl/drawings/") and name.endswith(".xml") and "/_rels/" not in name:
                root = _xml(_read(book, name) or b"<x/>")
                for shape in root.iter():
                    if shape.tag.rsplit("}", 1)[-1] == "txBody":
                        text = "\n".join(_text_of(p) for p in shape if p.tag.endswith("}p"))
                        if text.strip():
                            out.append((name, text))
    return out
