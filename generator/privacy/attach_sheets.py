"""Spreadsheet attachments (.xlsx .xlsm .xls .ods): every cell of every sheet, hidden sheets,
rows and columns included (the file is published whole, and anyone can unhide them), and
for .xlsx the cell comments (批注) and the text of shapes and text boxes drawn on the sheets,
for .ods the cell comments. An .xls file's comments are not read (calamine gives none).
"""
from __future__ import annotations

import io
from pathlib import Path

from ..model.diagnostics import Location
from ..source import sheetxml
from ..source.tables import column_letter
from .attachscan import Passage, Unreadable

DAMAGED_NUMBER = 10 ** 15  # a number cell this big is an ID or card number Excel has rounded


def _cell(place: Location, value, note: str) -> Passage:
    if isinstance(value, float):
        if value.is_integer():  # a mobile typed as a number comes back as 13912345678.0
            return Passage(place, f"{value:.0f}", damaged=abs(value) >= DAMAGED_NUMBER, note=note)
        return Passage(place, repr(value), note=note)
    return Passage(place, str(value), note=note)


def _hidden(path: Path, suffix: str, name: str) -> sheetxml.Hidden:
    try:
        if suffix in (".xlsx", ".xlsm"):
            return sheetxml.xlsx_hidden(path, name)
        if suffix == ".ods":
            return sheetxml.ods_hidden(path, name)
    except sheetxml.SheetXmlError:
        pass  # calamine has read the cells: they are all checked, only the note is lost
    return sheetxml.Hidden()


def _note(sheet_hidden: bool, hidden: sheetxml.Hidden, row: int, col: int) -> str:
    if sheet_hidden:
        return "（在隐藏的工作表中）"
    if row in hidden.rows:
        return "（在隐藏的行中）"
    return "（在隐藏的列中）" if col in hidden.columns else ""


def read(path: Path, shown: str, suffix: str) -> list[Passage]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_object(path if isinstance(path, io.BytesIO) else str(path))
        sheets = [(m.name, m.visible != SheetVisibleEnum.Visible,
                   book.get_sheet_by_name(m.name).to_python(skip_empty_area=False)) for m in book.sheets_metadata]
    except Exception as exc:  # calamine's own error types for damaged or encrypted files
        raise Unreadable(f"表格无法打开，可能已损坏或设置了密码：{exc}") from None
    passages = []
    for name, sheet_hidden, rows in sheets:
        hidden = _hidden(path, suffix, name)
        for r, cells in enumerate(rows, start=1):
            for c, value in enumerate(cells):
                if value not in ("", None):
                    place = Location(shown, cell=f"{name}!{column_letter(c)}{r}")
                    passages.append(_cell(place, value, _note(sheet_hidden, hidden, r, c)))
    if suffix in (".xlsx", ".xlsm"):
        try:
            for sheet, ref, text in sheetxml.xlsx_comments(path):
                passages.append(Passage(Location(shown, cell=f"{sheet}!{ref} 的批注" if sheet else f"批注 {ref}"), text))
            for part, text in sheetxml.xlsx_drawing_texts(path):
                passages.append(Passage(Location(shown, cell=f"图形中的文字（{part}）"), text))
        except sheetxml.SheetXmlError as exc:
            raise Unreadable(f"表格中的批注或图形无法读取：{exc}") from None
    if suffix == ".ods":
        try:
            for number, (sheet, text) in enumerate(sheetxml.ods_comments(path), start=1):
                passages.append(Passage(Location(shown, cell=f"{sheet} 的批注 {number}"), text))
        except sheetxml.SheetXmlError as exc:
            raise Unreadable(f"表格中的批注无法读取：{exc}") from None
    return passages
