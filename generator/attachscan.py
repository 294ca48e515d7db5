"""Attachments: the text inside the files published beside a record, checked for personal data.

The full list attached to a 公示 as an Excel file is where real lists leak most often, and
an attachment is published as it is: masking cannot touch it. So the text of every
attachment about to be published (CSV and text files, spreadsheets, Word documents, a
PDF's text layer) is read and searched the way free text is: ID numbers, mobiles and
card numbers, and every raw sensitive value of the site (the mask stage's secrets).
A hit is an error naming the file and the place (cell, paragraph, page, line), so the
build stops before anything is written. A file whose text cannot be read (an image, a
scanned PDF, an old binary Office file) is a warning asking a person to look at it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import freetext, leakgate
from .diagnostics import Location, Report, display_path
from .mask import mask_bank_card, mask_id_card, mask_phone

TEXT_FILES = (".csv", ".txt")
SHEETS = (".xlsx", ".xls", ".ods")
REPORTED_PER_FILE = 5  # then one line counting the rest: a leaked list would give thousands
DAMAGED_NUMBER = 10 ** 15  # a number cell this big is an ID or card number Excel has rounded

UNREADABLE = {
    ".jpg": "图片", ".jpeg": "图片", ".png": "图片", ".gif": "图片", ".bmp": "图片",
    ".tif": "图片", ".tiff": "图片", ".webp": "图片",
    ".doc": "旧版 Word 文件（.doc）", ".wps": "WPS 文字文件", ".et": "WPS 表格文件",
    ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包",
}


class Unreadable(Exception):
    """The file's text cannot be read automatically; the message says why."""


@dataclass(frozen=True)
class Passage:
    place: Location  # where the text is: a cell, a paragraph, a page, a line
    text: str
    damaged: bool = False  # a number cell too long for Excel: an ID or card number, rounded


# -- reading ---------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel's “CSV” from Chinese Windows is GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("文字编码无法识别")


def _text_file(path: Path, shown: str):
    """One passage per line: a hit is named by line and column."""
    for number, line in enumerate(_decode(path.read_bytes()).splitlines(), start=1):
        yield Passage(Location(shown, number, 1), line)


def _cell(place: Location, value) -> Passage:
    if isinstance(value, float):
        if value.is_integer():  # a mobile typed as a number comes back as 13912345678.0
            return Passage(place, str(int(value)), damaged=abs(value) >= DAMAGED_NUMBER)
        return Passage(place, repr(value))
    return Passage(place, str(value))


def _sheets(path: Path, shown: str):
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names]
    except Exception as exc:  # calamine's own error types for damaged or encrypted files
        raise Unreadable(f"表格无法打开：{exc}") from None
    from .tables import column_letter

    for name, rows in sheets:
        for r, cells in enumerate(rows, start=1):
            for c, value in enumerate(cells):
                if value not in ("", None):
                    yield _cell(Location(shown, cell=f"{name}!{column_letter(c)}{r}"), value)


def _word(path: Path, shown: str):
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for damaged files
        raise Unreadable(f"Word 文件无法打开：{exc}") from None
    passages = [Passage(Location(shown, cell=f"第 {n} 段"), p.text)
                for n, p in enumerate(document.paragraphs, start=1) if p.text.strip()]
    for t, table in enumerate(document.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if cell.text.strip():
                    passages.append(Passage(Location(shown, cell=f"表格 {t} 第 {r} 行第 {c} 列"), cell.text))
    if not passages:
        pictures = len(document.inline_shapes)
        raise Unreadable("文件中只有图片，可能是扫描件" if pictures else "文件中没有文字")
    return passages


def _pdf(path: Path, shown: str):
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for damaged or encrypted files
        raise Unreadable(f"PDF 无法读取：{exc}") from None
    blank = [n for n, text in enumerate(pages, start=1) if not text.strip()]
    if len(blank) == len(pages):
        raise Unreadable("PDF 没有文字层，可能是扫描件或图片")
    passages = [Passage(Location(shown, cell=f"第 {n} 页"), text) for n, text in enumerate(pages, start=1)]
    return passages, blank


# -- checking --------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    where: Location
    name: str  # what was found, in Chinese
    shown: str  # masked, for the message


def _masked(kind: str, digits: str) -> str:
    if kind in (freetext.ID, freetext.OLD_ID):
        return mask_id_card(digits)
    return mask_bank_card(digits) if kind == freetext.BANK_CARD else mask_phone(digits)


def _at(place: Location, offset: int) -> Location:
    if place.line:  # a line of a text file: name the column too
        return Location(place.path, place.line, offset + 1)
    return place


def hits(passage: Passage, wanted: leakgate.Secrets, hotlines: set) -> list[Hit]:
    text = passage.text
    if passage.damaged:  # the digits Excel kept (birth date included) still identify someone
        return [Hit(passage.place, "身份证号或银行卡号（被存成了数字）", text[:3] + "***")]
    found = []
    for start, end in freetext.runs(text):
        secret = wanted.find(freetext.groups(text, start, end))
        if secret:
            found.append(Hit(_at(passage.place, start), "个人信息", leakgate.shown_form(secret)))
            continue
        for hit in freetext.hits_in_run(text, start, end):
            if hit.digits not in hotlines:
                found.append(Hit(_at(passage.place, hit.start), freetext.KIND_NAMES[hit.kind],
                                 _masked(hit.kind, hit.digits)))
    return found


def read(path: Path, shown: str) -> tuple[list[Passage], list[int]]:
    """The passages of text in a file, and the pages of a PDF that have none; Unreadable if none."""
    suffix = path.suffix.lower()
    if suffix in TEXT_FILES:
        return list(_text_file(path, shown)), []
    if suffix in SHEETS:
        return list(_sheets(path, shown)), []
    if suffix == ".docx":
        return _word(path, shown), []
    if suffix == ".pdf":
        return _pdf(path, shown)
    raise Unreadable(UNREADABLE.get(suffix, f"{suffix or '无扩展名'} 文件"))


def check_file(path: Path, shown: str, wanted: leakgate.Secrets, hotlines: set, report: Report) -> None:
    try:
        passages, blank_pages = read(path, shown)
    except Unreadable as why:
        report.warning(Location(shown), "attachment-unchecked",
                       f"附件“{path.name}”的文字无法自动检查（{why}）",
                       "请人工逐页查看其中有没有身份证号、手机号、银行卡号等个人信息；"
                       "能导出文字版（.docx、.xlsx 或带文字层的 PDF）的，请换成文字版")
        return
    if blank_pages:
        pages = "、".join(str(n) for n in blank_pages)
        report.warning(Location(shown), "attachment-unchecked",
                       f"附件“{path.name}”第 {pages} 页没有文字层，无法自动检查",
                       "请人工查看这几页（可能是扫描的图片）中有没有个人信息")
    found = [hit for passage in passages for hit in hits(passage, wanted, hotlines)]
    for hit in found[:REPORTED_PER_FILE]:
        report.error(hit.where, "attachment-leak", f"附件中有未隐藏的{hit.name} {hit.shown}",
                     "附件会原样发布，不经过隐藏处理：删去或隐藏这些号码后重新导出附件，或不附这个文件；"
                     "本次没有写入任何文件，原有的网站保持不变")
    if len(found) > REPORTED_PER_FILE:
        report.error(Location(shown), "attachment-leak",
                     f"附件“{path.name}”中共有 {len(found)} 处未隐藏的个人信息（以上只列出前 {REPORTED_PER_FILE} 处）",
                     "附件里像是一份完整的原始名单：请改附隐藏处理后的名单，或只在页面上公布")


def check(records, secrets: set[str], site, report: Report) -> None:
    """Every attachment of the records (each file once) checked; problems go to the report."""
    wanted = leakgate.Secrets(secrets)
    hotlines = {re.sub(r"\D", "", h) for h in site.privacy.hotlines}
    seen = set()
    for record in records:
        for attachment in record.attachments:
            if attachment.path in seen:
                continue
            seen.add(attachment.path)
            check_file(attachment.path, display_path(attachment.path, site.root), wanted, hotlines, report)
