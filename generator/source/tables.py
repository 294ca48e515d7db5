"""Tabular row sources beside a record (`rows_from:`): CSV and spreadsheets.

Each reader yields the header and the data rows with the location of every cell,
so that a diagnostic can name `results.csv:17:3` or `results.xlsx:Sheet1!C17`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from ..model.diagnostics import Location
from . import sheetxml, yamlsource

SPREADSHEETS = (".xlsx", ".xls", ".ods")
TABLE_SUFFIXES = (".csv",) + SPREADSHEETS


class TableProblem(Exception):
    def __init__(self, where: Location, message: str, hint: str = "", severity: str = "error", code: str = "table"):
        super().__init__(message)
        self.where, self.message, self.hint, self.severity, self.code = where, message, hint, severity, code


@dataclass(frozen=True)
class Table:
    shown: str
    sheet: str  # "" for CSV
    header: list  # column names, trimmed
    header_row: int  # 1-based line (CSV) or row (spreadsheet) of the header
    rows: list  # list of (raw cells, 1-based line or row number)
    problems: tuple = ()  # TableProblem: hidden rows or columns, CSV rows too wide; the rows are still read

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


def _table(shown: str, sheet: str, rows: list, known: frozenset, problems=()) -> Table:
    """Header and data rows out of the non-empty rows [(cells, number)]."""
    at = _header_at(rows, known)
    cells, number = rows[at]
    return Table(shown, sheet, [_trim(c) for c in cells], number, rows[at + 1:], tuple(problems))


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_CSV_ERRORS = {
    "unexpected end of data": "引号没有闭合：从这一行起，后面的内容都被读进了同一个单元格",
    "',' expected after '\"'": "引号闭合后紧跟了其他字符（引号应在单元格的开头和结尾成对出现）",
}
REPORTED = 5  # hidden rows or wide lines named one by one, then counted


def read_csv(path: Path, shown: str, known: frozenset = frozenset()) -> Table:
    try:
        text = yamlsource.decode(path.read_bytes())
    except yamlsource.YamlProblem as problem:
        raise TableProblem(Location(shown, problem.line, problem.col), problem.message,
                           "用 Excel 另存为“CSV UTF-8（逗号分隔）”") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, begins = [], 1  # begins: the line the next row starts on
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((cells, reader.line_num))
            begins = reader.line_num + 1
    except csv.Error as exc:
        raise TableProblem(Location(shown, begins, 1), _CSV_ERRORS.get(str(exc), f"CSV 格式错误（{exc}）"),
                           "检查这一行的引号是否成对；单元格里本来就有的引号要写成两个（\"\"）") from None
    if not rows:
        raise TableProblem(Location(shown), "表格是空的", "第一行应为列名")
    table = _table(shown, "", rows, known)
    problems, swallowed = _csv_problems(table)
    # a row that swallowed others is not checked further: its messages would echo the other rows
    return replace(table, rows=[row for row in table.rows if row[1] not in swallowed], problems=problems)


def _csv_problems(table: Table) -> tuple[list, set]:
    """Rows wider than the header, and cells that swallowed whole lines of the file (and
    the numbers of those rows)."""
    width, found, swallowed_rows = len(table.header), [], set()
    for cells, number in table.rows:
        extra = next((i for i in range(width, len(cells)) if cells[i].strip()), None)
        if extra is not None:
            found.append(TableProblem(Location(table.shown, number, extra + 1),
                                      f"这一行有 {len(cells)} 个单元格，比列名（{width} 列）多",
                                      "多出的内容不会发布：检查是否多了逗号，或单元格里的逗号没有用引号括起来", code="table-csv"))
            continue
        swallowed = next((i for i, cell in enumerate(cells) if "\n" in cell and any(
            line.count(",") >= max(width - 1, 1) for line in cell.split("\n")[1:])), None)
        if swallowed is not None:
            swallowed_rows.add(number)
            first = number - sum(cell.count("\n") for cell in cells)
            found.append(TableProblem(Location(table.shown, first, swallowed + 1),
                                      "这个单元格跨了几行，里面像是另外几行数据：可能是引号没有闭合",
                                      "检查这一行的引号是否成对", code="table-csv"))
    return _few(found, table.shown, "行的单元格比列名多或引号没有闭合"), swallowed_rows


def _few(found: list, shown: str, what: str) -> list:
    if len(found) <= REPORTED:
        return found
    return found[:REPORTED] + [TableProblem(Location(shown), f"共有 {len(found)} {what}（以上只列出前 {REPORTED} 处）",
                                            code=found[0].code)]


def _shown_sheet(workbook, path: Path, suffix: str) -> str:
    """The sheet a person sees on opening the file: the active one if visible, else the
    first visible one; never a hidden one."""
    from python_calamine import SheetVisibleEnum

    visible = [m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
    if not visible:
        raise TableProblem(Location(path.name), "表格中没有可见的工作表", "在 Excel 中取消隐藏名单所在的工作表")
    active = sheetxml.active_sheet(path, suffix)
    return active if active in visible else visible[0]


def _fill_merged(data: list, merged) -> None:
    """A cell merged down several rows holds its value once: every row it spans gets it
    (the value a person sees beside each of those rows). Columns of a merge are not filled."""
    for (top, left), (bottom, _right) in merged or ():
        if top < len(data) and left < len(data[top]):
            for r in range(top + 1, min(bottom, len(data) - 1) + 1):
                if left < len(data[r]) and data[r][left] in ("", None):
                    data[r][left] = data[top][left]


def _hidden_problems(path: Path, suffix: str, shown: str, sheet: str, data: list) -> list:
    """An error for each hidden row and column that holds data: it would be published."""
    try:
        if suffix == ".xlsx":
            hidden = sheetxml.xlsx_hidden(path, sheet)
        elif suffix == ".ods":
            hidden = sheetxml.ods_hidden(path, sheet)
        else:
            return [TableProblem(Location(shown), "无法检查 .xls 文件中有没有隐藏的行和列：隐藏的行列也会被发布",
                                 "在 Excel 中另存为 .xlsx，本工具会检查隐藏的行和列", "warning", "table-unchecked")]
    except sheetxml.SheetXmlError as exc:
        return [TableProblem(Location(shown), f"无法检查表格中隐藏的行和列（{exc}）", "确认文件能用 Excel 打开并另存为 .xlsx")]
    found = []
    for row in sorted(hidden.rows):
        if row <= len(data) and any(_trim(c) for c in data[row - 1]):
            found.append(TableProblem(Location(shown, cell=f"{sheet}!{row}:{row}"),
                                      f"第 {row} 行是隐藏的，但其中有内容：隐藏的行也会被读进名单并发布",
                                      "在 Excel 中取消隐藏并核对这一行：不该公开的请删除整行，该公开的取消隐藏后保存", code="table-hidden"))
    for col in sorted(hidden.columns):
        if any(col < len(cells) and _trim(cells[col]) for cells in data):
            letter = column_letter(col)
            found.append(TableProblem(Location(shown, cell=f"{sheet}!{letter}:{letter}"),
                                      f"第 {letter} 列是隐藏的，但其中有内容：隐藏的列也会被读进名单",
                                      "在 Excel 中取消隐藏并核对这一列：不该公开的请删除整列（或在目录中声明为 publish: false），"
                                      "该公开的取消隐藏后保存", code="table-hidden"))
    return _few(found, shown, "处隐藏的行或列有内容")


def read_spreadsheet(path: Path, shown: str, known: frozenset = frozenset()) -> Table:
    from python_calamine import CalamineWorkbook

    suffix = path.suffix.lower()
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = _shown_sheet(workbook, path, suffix)
        sheet = workbook.get_sheet_by_name(sheet_name)
        data = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges
    except TableProblem as problem:
        raise TableProblem(Location(shown), problem.message, problem.hint) from None
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise TableProblem(Location(shown), f"无法读取表格文件（{exc}）",
                           "确认文件能用 Excel 或 WPS 打开，并另存为 .xlsx") from None
    _fill_merged(data, merged)
    problems = _hidden_problems(path, suffix, shown, sheet_name, data)
    rows = [(cells, r) for r, cells in enumerate(data, start=1) if any(_trim(c) for c in cells)]
    if not rows:
        raise TableProblem(Location(shown, cell=f"{sheet_name}!A1"), "表格是空的", "第一行应为列名")
    return _table(shown, sheet_name, rows, known, problems)


def read_table(path: Path, shown: str, known=()) -> Table:
    """The sheet a person sees (or the CSV) as a Table. `known` column names let a title line above
    the header be skipped."""
    known = frozenset(known)
    if path.suffix.lower() == ".csv":
        return read_csv(path, shown, known)
    return read_spreadsheet(path, shown, known)
