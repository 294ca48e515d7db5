"""PDF attachments: the text layer of each page, form fields, annotations and properties.

A form printed with one box per digit comes out of the text layer as `1 1 0 1 0 1 1 9 …`.
Such runs of single digits are joined and kept only when the joined number is itself a
plausible personal number: a whole 18-digit ID (check digit and birth date), or the
whole run being a 15-digit ID, a mobile or a UnionPay card. A table of small numbers
joined at random would rarely pass, and anything shorter is left alone.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..model.diagnostics import Location
from . import freetext
from .attachscan import Passage, Unchecked, Unreadable

_SPACED = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ \u00a0][0-9]){9,}(?:[ \u00a0][Xx])?(?![0-9A-Za-z])")
_BOXED = "（逐位分开印刷）"


def _plausible(digits: str) -> list[str]:
    """The personal numbers a run of joined single digits is, or holds (an ID)."""
    whole = freetext.hits_in_run(digits, 0, len(digits)) if len(digits) <= 19 else []
    if whole and (whole[0].start, whole[0].end) == (0, len(digits)):
        kind = whole[0].kind
        if kind != freetext.BANK_CARD or digits.startswith("62"):
            return [digits]
    found, at = [], 0
    while at + 18 <= len(digits):  # an ID among other boxes printed on the same line
        window = digits[at:at + 18]
        if any(h.kind == freetext.ID for h in freetext.hits_in_run(window, 0, 18)):
            found.append(window)
            at += 18
        else:
            at += 1
    return found


def joined(text: str) -> list[str]:
    """The personal numbers printed one digit per box in a page's text."""
    return [number for run in _SPACED.finditer(text)
            for number in _plausible(re.sub(r"[ \u00a0]", "", run.group()).upper())]


def _extras(reader, shown: str) -> list[Passage]:
    """Form field values, annotation texts (批注) and the document's properties."""
    passages = []
    for name, field in (reader.get_fields() or {}).items():
        value = field.get("/V")
        if value not in (None, ""):
            passages.append(Passage(Location(shown, cell=f"表单域“{name}”"), str(value)))
    for number, page in enumerate(reader.pages, start=1):
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if hasattr(annotations, "get_object") else annotations
        for annotation in annotations or ():
            contents = annotation.get_object().get("/Contents")
            if contents:
                passages.append(Passage(Location(shown, cell=f"第 {number} 页的批注"), str(contents)))
    for value in (reader.metadata or {}).values():
        passages.append(Passage(Location(shown, cell="文档属性"), str(value)))
    return passages


def read(path: Path, shown: str) -> tuple[list[Passage], list[int]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):  # a permissions-only password opens with ""
            raise Unreadable("PDF 设置了打开密码")
        pages = [page.extract_text() or "" for page in reader.pages]
        extras = _extras(reader, shown)
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise Unreadable(f"PDF 无法读取，可能已损坏：{exc}") from None
    blank = [n for n, text in enumerate(pages, start=1) if not text.strip()]
    if len(blank) == len(pages):
        raise Unchecked("PDF 没有文字层，可能是扫描件或图片")
    passages = []
    for n, text in enumerate(pages, start=1):
        place = Location(shown, cell=f"第 {n} 页")
        passages.append(Passage(place, text))
        passages += [Passage(place, number, note=_BOXED) for number in joined(text)]
    return passages + extras, blank
