"""Tabular row sources beside a record (`rows_from:`): CSV and spreadsheets.

Each reader yields the header and the data rows with the location of every cell,
so that a diagnostic can name `results.csv:17:3` or `results.xlsx:Sheet1!C17`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from . import yamlsource
from .diagnostics import Location

SPREADSHEETS = (".xlsx", ".xls", ".ods")
TABLE_SUFFIXES = (".csv",) + SPREADSHEETS


class TableProblem(Exception):
    def __init__(self, where: Location, message: str, hint: str = ""):
        super().__init__(message)
        self.where, self.message, self.hint = where, message, hint


@dataclass(frozen=True)
class Table:
    header: list  # column names, trimmed
    header_cells: list  # Location of each header cell
    rows: list  # list of (cells: list of raw values, locations: list of Location, row Location)


def _trim(value) -> str:
    return str(value).strip(" \t\u3000\r\n") if value is not None else ""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_csv(path: Path, shown: str) -> Table:
    try:
        text = yamlsource.decode(path.read_bytes())
    except yamlsource.YamlProblem as problem:
        raise TableProblem(Location(shown, problem.line, problem.col), problem.message,
                           "用 Excel 另存为“CSV UTF-8（逗号分隔）”") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header, header_cells, rows = None, [], []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(_trim(c) for c in cells):
                continue
            if header is None:
                header = [_trim(c) for c in cells]
                header_cells = [Location(shown, line, i + 1) for i in range(len(cells))]
                continue
            rows.append((cells, [Location(shown, line, i + 1) for i in range(len(cells))],
                         Location(shown, line, 1)))
    except csv.Error as exc:
        raise TableProblem(Location(shown, reader.line_num, 1), f"CSV 格式错误（{exc}）",
                           "检查引号是否成对") from None
    if header is None:
        raise TableProblem(Location(shown), "表格是空的", "第一行应为列名")
    return Table(header, header_cells, rows)


def read_spreadsheet(path: Path, shown: str) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = workbook.sheet_names[0]
        data = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise TableProblem(Location(shown), f"无法读取表格文件（{exc}）",
                           "确认文件能用 Excel 或 WPS 打开，并另存为 .xlsx") from None

    def cell(row: int, col: int) -> Location:
        return Location(shown, cell=f"{sheet_name}!{column_letter(col)}{row + 1}")

    header, header_cells, rows = None, [], []
    for r, cells in enumerate(data):
        if not any(_trim(c) for c in cells):
            continue
        if header is None:
            header = [_trim(c) for c in cells]
            header_cells = [cell(r, c) for c in range(len(cells))]
            continue
        rows.append((list(cells), [cell(r, c) for c in range(len(cells))], cell(r, 0)))
    if header is None:
        raise TableProblem(Location(shown, cell=f"{sheet_name}!A1"), "表格是空的", "第一行应为列名")
    return Table(header, header_cells, rows)


def read_table(path: Path, shown: str) -> Table:
    if path.suffix.lower() == ".csv":
        return read_csv(path, shown)
    return read_spreadsheet(path, shown)
