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
    shown: str
    sheet: str  # "" for CSV
    header: list  # column names, trimmed
    header_row: int  # 1-based line (CSV) or row (spreadsheet) of the header
    rows: list  # list of (raw cells, 1-based line or row number)

    def position(self, row: int, col: int):
        """Where a cell is: (line, col) in a CSV, "Sheet1!C17" in a spreadsheet (col 0-based)."""
        return f"{self.sheet}!{column_letter(col)}{row}" if self.sheet else (row, col + 1)

    def positions(self, row: int, columns: dict) -> "CellPositions":
        return CellPositions(self, row, columns)

    def locate(self, row: int, col: int) -> Location:
        position = self.position(row, col)
        if isinstance(position, str):
            return Location(self.shown, cell=position)
        return Location(self.shown, *position)


class CellPositions:
    """The positions of one table row's cells, computed only when asked for."""

    __slots__ = ("table", "row", "columns")

    def __init__(self, table: Table, row: int, columns: dict):
        self.table, self.row, self.columns = table, row, columns

    def get(self, column: str):
        index = self.columns.get(column)
        return None if index is None else self.table.position(self.row, index)

    def row_location(self) -> Location:
        """The row's location: its first cell."""
        return self.table.locate(self.row, 0)

    def __reduce__(self):  # pickled as a plain dict when records cross processes
        return dict, ({name: self.get(name) for name in self.columns},)


def _trim(value) -> str:
    return str(value).strip(" \t\u3000\r\n") if value is not None else ""


def squeeze(value) -> str:
    """A header or label with every space and line break removed: "姓  名", "身份证\n号码"."""
    return "".join(_trim(value).split()) if value is not None else ""


TOTAL_LABELS = ("合计", "总计")
ROW_NUMBER = "序号"  # a column of row numbers, ignored unless the item declares it
HEADER_SEARCH = 10  # rows above the header (a title, a date line) are skipped up to this many


def total_label(cells) -> tuple[int, str] | None:
    """(column, label) when this row is a 合计/总计 row rather than data."""
    try:
        if "计" not in "".join(cells):  # a CSV's cells are all text: most rows are ruled out in one call
            return None
    except TypeError:
        pass  # a spreadsheet's numbers and dates
    for index, cell in enumerate(cells):
        if type(cell) is str and "计" in cell and len(cell) < 12 and squeeze(cell) in TOTAL_LABELS:
            return index, squeeze(cell)
    return None


def _header_at(rows: list, known: frozenset) -> int:
    """Index of the header among the first non-empty rows: the first naming a known column
    (several, when the item has several), else the first row."""
    wanted = min(2, len(known)) or 1
    for index, (cells, _number) in enumerate(rows[:HEADER_SEARCH]):
        if sum(squeeze(c) in known for c in cells) >= wanted:
            return index
    return 0


def _table(shown: str, sheet: str, rows: list, known: frozenset) -> Table:
    """Header and data rows out of the non-empty rows [(cells, number)]."""
    at = _header_at(rows, known)
    cells, number = rows[at]
    return Table(shown, sheet, [_trim(c) for c in cells], number, rows[at + 1:])


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_csv(path: Path, shown: str, known: frozenset = frozenset()) -> Table:
    try:
        text = yamlsource.decode(path.read_bytes())
    except yamlsource.YamlProblem as problem:
        raise TableProblem(Location(shown, problem.line, problem.col), problem.message,
                           "用 Excel 另存为“CSV UTF-8（逗号分隔）”") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((cells, reader.line_num))
    except csv.Error as exc:
        raise TableProblem(Location(shown, reader.line_num, 1), f"CSV 格式错误（{exc}）",
                           "检查引号是否成对") from None
    if not rows:
        raise TableProblem(Location(shown), "表格是空的", "第一行应为列名")
    return _table(shown, "", rows, known)


def read_spreadsheet(path: Path, shown: str, known: frozenset = frozenset()) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = workbook.sheet_names[0]
        data = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise TableProblem(Location(shown), f"无法读取表格文件（{exc}）",
                           "确认文件能用 Excel 或 WPS 打开，并另存为 .xlsx") from None

    rows = [(cells, r) for r, cells in enumerate(data, start=1) if any(_trim(c) for c in cells)]
    if not rows:
        raise TableProblem(Location(shown, cell=f"{sheet_name}!A1"), "表格是空的", "第一行应为列名")
    return _table(shown, sheet_name, rows, known)


def read_table(path: Path, shown: str, known=()) -> Table:
    """The first sheet (or the CSV) as a Table. `known` column names let a title line above
    the header be skipped."""
    known = frozenset(known)
    if path.suffix.lower() == ".csv":
        return read_csv(path, shown, known)
    return read_spreadsheet(path, shown, known)
