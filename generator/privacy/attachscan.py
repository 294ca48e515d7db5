"""Attachments: the text inside the files published beside a record, checked for personal data.

The full list attached to a 公示 as an Excel file is where real lists leak most often, and
an attachment is published as it is, whole: masking cannot touch it. So all the text of
every attachment about to be published is read (attach_text: text, CSV, HTML, XML, JSON
and Markdown files; attach_sheets: every sheet, hidden ones too, cell comments and drawn
text boxes; attach_word: paragraphs, tables, headers, footers, text boxes, footnotes,
endnotes, comments; attach_pdf: the text layer, with digits printed one per box joined)
and searched the way free text is: ID numbers, mobiles and card numbers, and every raw
sensitive value of the site (the mask stage's secrets). A hit is an error naming the file
and the place, so the build stops before anything is written. A file of a text kind that
cannot be read (damaged, encrypted, undecodable) is an error too; a file with no text to
read (an image, a scanned PDF, an old binary Office file) is a warning asking a person
to look at it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model.diagnostics import Location, Report, display_path
from . import freetext, leakgate, mask

TEXT_FILES = (".csv", ".txt", ".tsv", ".json", ".md", ".markdown", ".html", ".htm", ".xml")
SHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
REPORTED_PER_FILE = 5  # then one line counting the rest: a leaked list would give thousands

UNREADABLE = {
    ".jpg": "图片", ".jpeg": "图片", ".png": "图片", ".gif": "图片", ".bmp": "图片",
    ".tif": "图片", ".tiff": "图片", ".webp": "图片",
    ".doc": "旧版 Word 文件（.doc）", ".wps": "WPS 文字文件", ".et": "WPS 表格文件",
    ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包",
}


class Unchecked(Exception):
    """No text to read: an image, a scan, a format no reader here knows (a warning)."""


class Unreadable(Exception):
    """A file of a text kind whose text cannot be read: damaged, encrypted, undecodable (an error)."""


@dataclass(frozen=True)
class Passage:
    place: Location  # where the text is: a cell, a paragraph, a page, a line
    text: str
    damaged: bool = False  # a number cell too long for Excel: an ID or card number, rounded
    offsets: tuple | None = None  # a view of a line (tags removed): each character's column in the line
    note: str = ""  # said after the number: "（在隐藏的工作表中）"


# -- checking --------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    where: Location
    name: str  # what was found, in Chinese
    shown: str  # masked, for the message
    note: str = ""


def _at(passage: Passage, offset: int) -> Location:
    place = passage.place
    if place.line:  # a line of a text file: name the column too
        column = passage.offsets[offset] if passage.offsets else offset
        return Location(place.path, place.line, column + 1)
    return place


def hits(passage: Passage, wanted: leakgate.Secrets, hotlines: set) -> list[Hit]:
    text = passage.text
    if passage.damaged:  # the digits Excel kept (birth date included) still identify someone
        return [Hit(passage.place, "身份证号或银行卡号（被存成了数字）", text[:3] + "***", passage.note)]
    found = []
    for start, end in freetext.runs(text):
        secret = wanted.find(freetext.groups(text, start, end))
        if secret:
            found.append(Hit(_at(passage, start), "个人信息", mask.masked_digits(secret), passage.note))
            continue
        for hit in freetext.hits_in_run(text, start, end):
            if hit.digits not in hotlines:
                found.append(Hit(_at(passage, hit.start), freetext.KIND_NAMES[hit.kind],
                                 mask.shown(hit.kind, hit.digits), passage.note))
    return found


def read(path: Path, shown: str) -> tuple[list[Passage], list[int]]:
    """The passages of text in a file, and the pages of a PDF that have none.
    Unchecked when the file has no text to read, Unreadable when its text cannot be read."""
    suffix = path.suffix.lower()
    if suffix in TEXT_FILES:
        from . import attach_text
        return attach_text.read(path, shown, suffix), []
    if suffix in SHEETS:
        from . import attach_sheets
        return attach_sheets.read(path, shown, suffix), []
    if suffix in (".docx", ".docm"):
        from . import attach_word
        return attach_word.read(path, shown), []
    if suffix == ".pdf":
        from . import attach_pdf
        return attach_pdf.read(path, shown)
    raise Unchecked(UNREADABLE.get(suffix, f"{suffix or '无扩展名'} 文件"))


def check_file(path: Path, shown: str, wanted: leakgate.Secrets, hotlines: set, report: Report) -> None:
    try:
        passages, blank_pages = read(path, shown)
    except Unchecked as why:
        report.warning(Location(shown), "attachment-unchecked",
                       f"附件“{path.name}”的文字无法自动检查（{why}）",
                       "请人工逐页查看其中有没有身份证号、手机号、银行卡号等个人信息；"
                       "能导出文字版（.docx、.xlsx 或带文字层的 PDF）的，请换成文字版")
        return
    except Unreadable as why:
        report.error(Location(shown), "attachment-unreadable",
                     f"附件“{path.name}”读不出来（{why}），无法检查其中有没有个人信息",
                     "附件会原样发布：确认它能正常打开（没有损坏、没有设置密码），重新保存或导出后再附上；"
                     "本次没有写入任何文件，原有的网站保持不变")
        return
    if blank_pages:
        pages = "、".join(str(n) for n in blank_pages)
        report.warning(Location(shown), "attachment-unchecked",
                       f"附件“{path.name}”第 {pages} 页没有文字层，无法自动检查",
                       "请人工查看这几页（可能是扫描的图片）中有没有个人信息")
    # a line is read as it is and with its markup removed: the same number is reported once
    found = list(dict.fromkeys(hit for passage in passages for hit in hits(passage, wanted, hotlines)))
    noted = {(hit.where, hit.shown) for hit in found if hit.note}  # the same number, said more precisely
    found = [hit for hit in found if hit.note or (hit.where, hit.shown) not in noted]
    for hit in found[:REPORTED_PER_FILE]:
        report.error(hit.where, "attachment-leak", f"附件中有未隐藏的{hit.name} {hit.shown}{hit.note}",
                     "附件会原样发布，不经过隐藏处理：删去或隐藏这些号码后重新导出附件，或不附这个文件；"
                     "本次没有写入任何文件，原有的网站保持不变")
    if len(found) > REPORTED_PER_FILE:
        report.error(Location(shown), "attachment-leak",
                     f"附件“{path.name}”中共有 {len(found)} 处未隐藏的个人信息（以上只列出前 {REPORTED_PER_FILE} 处）",
                     "附件里像是一份完整的原始名单：请改附隐藏处理后的名单，或只在页面上公布")


def check(records, secrets: set[str], site, report: Report) -> None:
    """Every attachment of the records (each file once) checked; problems go to the report."""
    wanted = leakgate.Secrets(secrets)
    hotlines = leakgate.hotlines(site)
    seen = set()
    for record in records:
        for attachment in record.attachments:
            if attachment.path in seen:
                continue
            seen.add(attachment.path)
            check_file(attachment.path, display_path(attachment.path, site.root), wanted, hotlines, report)
