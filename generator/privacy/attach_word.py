"""Word attachments (.docx): every text a reader can be shown, read from the XML parts.

A .docx is a zip of XML parts. The body (word/document.xml) gives the paragraphs and
tables; the text boxes drawn in it (w:txbxContent) are read on their own; headers and
footers (every section, first-page and even-page ones too) are the parts its section
properties point to; footnotes, endnotes and comments have parts of their own; deleted
text kept by 修订 (w:delText) is still in the file and is read with its paragraph. Any
other part with text (charts, SmartArt, document properties) is read too, its texts kept
apart so that the numbers of a chart do not run together, and so are Excel sheets and
Word documents embedded as objects (word/embeddings/*.xlsx, *.docx).
"""
from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

from ..model.diagnostics import Location
from .attachscan import Passage, Unchecked, Unreadable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"  # a copy of the Choice
_TEXT = {W + "t", W + "delText", W + "instrText"}
_BREAK = {W + "br": "\n", W + "cr": "\n", W + "tab": "\t"}
_SEPARATORS = {"separator", "continuationSeparator", "continuationNotice"}
_KINDS = {"default": "", "first": "首页", "even": "偶数页"}
_PICTURES = ("}drawing", "}pict", "}object")


class _Part:
    """The passages of one XML part, and the text boxes found inside its paragraphs."""

    def __init__(self, shown: str):
        self.shown, self.passages, self.boxes = shown, [], 0

    def add(self, where: str, text: str) -> None:
        if text.strip():
            self.passages.append(Passage(Location(self.shown, cell=where), text))

    def text(self, element, where: str) -> str:
        """The text of an element, its text boxes set apart as passages of their own."""
        out = []
        self._collect(element, out, where)
        return "".join(out).strip("\n")

    def _collect(self, element, out: list, where: str) -> None:
        tag = element.tag
        if tag == W + "txbxContent":
            self.boxes += 1
            self.add(f"{_box_prefix(where)}文本框 {self.boxes}", self.text_of_block(element, where))
            return
        if tag == _FALLBACK:
            return
        if tag in _TEXT:
            out.append(element.text or "")
        elif tag in _BREAK:
            out.append(_BREAK[tag])
        for child in element:
            self._collect(child, out, where)
        if tag == W + "p":
            out.append("\n")

    def text_of_block(self, element, where: str) -> str:
        out = []
        for child in element:
            self._collect(child, out, where)
        return "".join(out).strip("\n")


def _box_prefix(where: str) -> str:
    """Text boxes in a header are named after it: “页眉中的文本框 1”; in the body just “文本框 1”."""
    return f"{where}中的" if "页眉" in where or "页脚" in where else ""


def _xml(book: zipfile.ZipFile, name: str):
    try:
        return ET.fromstring(book.read(name))
    except KeyError:
        return None
    except (ET.ParseError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise Unreadable(f"文件中的 {name} 已损坏：{exc}") from None


def _relationships(book: zipfile.ZipFile) -> dict:
    root = _xml(book, "word/_rels/document.xml.rels")
    if root is None:
        return {}
    out = {}
    for rel in root.iter(_PKG + "Relationship"):
        target = rel.get("Target", "")
        out[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath("word/" + target)
    return out


def _blocks(part: _Part, container, label: str = "") -> None:
    """Paragraphs and tables in order. In the body (no label) they are named 第 n 段 (empty
    ones counted, as Word does) and 表格 t 第 r 行第 c 列; in a header or footer by its label."""
    paragraphs = tables = 0

    def walk(parent):
        nonlocal paragraphs, tables
        for child in parent:
            if child.tag == W + "p":
                paragraphs += 1
                part.add(label or f"第 {paragraphs} 段", part.text(child, label or "正文"))
            elif child.tag == W + "tbl":
                tables += 1
                for r, row in enumerate(child.findall(W + "tr"), start=1):
                    for c, cell in enumerate(row.findall(W + "tc"), start=1):  # a nested table: in its cell's text
                        part.add(label or f"表格 {tables} 第 {r} 行第 {c} 列", part.text(cell, label or "正文"))
            elif child.tag != W + "sectPr":
                walk(child)  # content controls (w:sdt), custom XML: their paragraphs are the body's

    walk(container)


def _headers_and_footers(book, part: _Part, document, rels: dict, done: set) -> None:
    sections = list(document.iter(W + "sectPr"))
    for number, section in enumerate(sections, start=1):
        for reference in section:
            kind = {W + "headerReference": "页眉", W + "footerReference": "页脚"}.get(reference.tag)
            target = rels.get(reference.get(_R + "id"))
            if not kind or not target or target in done:
                continue
            done.add(target)
            name = (f"第 {number} 节" if len(sections) > 1 else "") + _KINDS.get(reference.get(W + "type"), "") + kind
            _paragraphs(part, _xml(book, target), name)


def _paragraphs(part: _Part, root, name: str) -> None:
    if root is not None:
        _blocks(part, root, name)


def _notes(book, part: _Part, name: str, tag: str, label: str, numbered_by_id: bool) -> None:
    root = _xml(book, name)
    if root is None:
        return
    count = 0
    for note in root.iter(W + tag):
        if note.get(W + "type") in _SEPARATORS:
            continue
        count += 1
        part.add(f"{label} {note.get(W + 'id') if numbered_by_id else count}", part.text_of_block(note, label))


def _other_part(book, part: _Part, name: str, label: str) -> None:
    """Every text of a part, kept apart by “ | ” so that numbers of a chart do not run together."""
    root = _xml(book, name)
    if root is not None:
        texts = [e.text.strip() for e in root.iter() if e.text and e.text.strip()]
        part.add(label, " | ".join(texts))


def read(path: Path, shown: str) -> list[Passage]:
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Unreadable(f"不是有效的 Word 文件，可能已损坏或设置了密码：{exc}") from None
    with book:
        document = _xml(book, "word/document.xml")
        if document is None:
            raise Unreadable("不是有效的 Word 文件：缺少 word/document.xml")
        part = _Part(shown)
        body = document.find(W + "body")
        if body is not None:
            _blocks(part, body)
        rels = _relationships(book)
        done = {"word/document.xml"}
        _headers_and_footers(book, part, document, rels, done)
        for name in sorted(book.namelist()):  # headers no section points to
            base = posixpath.basename(name)
            if name.startswith("word/") and base.startswith(("header", "footer")) and name not in done:
                done.add(name)
                _paragraphs(part, _xml(book, name), f"{'页眉' if base.startswith('header') else '页脚'}（{base}）")
        _notes(book, part, "word/footnotes.xml", "footnote", "脚注", True)
        _notes(book, part, "word/endnotes.xml", "endnote", "尾注", True)
        _notes(book, part, "word/comments.xml", "comment", "批注", False)
        done |= {"word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"}
        for name in sorted(book.namelist()):
            if name.endswith(".xml") and name not in done and _has_text(name):
                _other_part(book, part, name, f"其他部分（{name}）")
            elif name.startswith("word/embeddings/"):
                part.passages += _embedded(book, name, shown)
        if not part.passages:  # document properties alone are no text of the document
            pictures = any(e.tag.endswith(_PICTURES) for e in document.iter())
            raise Unchecked("文件中只有图片，可能是扫描件" if pictures else "文件中没有文字")
        _other_part(book, part, "docProps/core.xml", "文档属性")
    return part.passages


def _embedded(book: zipfile.ZipFile, name: str, shown: str) -> list[Passage]:
    """An Excel sheet or Word document pasted in as an object is in the file whole: read it too."""
    suffix = posixpath.splitext(name)[1].lower()
    if suffix not in (".xlsx", ".xlsm", ".docx"):
        return []  # an old binary object (oleObject.bin): its text is not read
    inner = io.BytesIO(book.read(name))
    base = posixpath.basename(name)
    try:
        if suffix == ".docx":
            passages = read(inner, shown)
        else:
            from . import attach_sheets
            passages = attach_sheets.read(inner, shown, suffix)
    except (Unreadable, Unchecked) as why:
        if isinstance(why, Unchecked):
            return []
        raise Unreadable(f"嵌入的文件 {base} 读不出来：{why}") from None
    return [replace(p, place=Location(shown, cell=f"嵌入的 {base} 中的 {p.place.cell}")) for p in passages]


def _has_text(name: str) -> bool:
    """Parts whose text a reader can see or open: not styles, settings, fonts, themes."""
    return name.startswith(("word/charts/", "word/diagrams/data", "word/glossary/document"))
