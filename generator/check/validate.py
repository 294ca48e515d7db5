"""Check every raw record against its catalog item and turn it into a typed Record.

Every problem is reported with the line of the key or value (or the spreadsheet
cell) it concerns; a record with errors yields no Record, but checking goes on so
that one run lists everything.
"""
from __future__ import annotations

import difflib
from pathlib import Path

from ..config import fieldtypes
from ..config.catalog import Catalog, FieldSpec, Item
from ..config.fieldtypes import Period
from ..config.site import SiteConfig
from ..model.diagnostics import Location, Report, display_path
from ..model.records import Attachment, Record, Row, Total
from ..render import safeurl
from ..source import tables, yamlsource
from ..source.discover import RawRecord, SourceFile
from . import collisions, links
from .expire import ROW_PERIOD

RECORD_KEYS = ("title", "date", "published", "index_no", "summary", "topic", "project", "window", "fields",
               "rows", "rows_from", "attachments", "draft", "body")
CHINESE_KEYS = {"标题": "title", "名称": "title", "信息名称": "title", "日期": "date", "成文日期": "date",
                "公开日期": "published", "发布日期": "published", "项目编码": "project", "项目": "project",
                "公示期": "window", "公示期限": "window", "附件": "attachments", "索引号": "index_no",
                "正文": "body", "草稿": "draft", "字段": "fields", "名单": "rows",
                "内容概述": "summary", "摘要": "summary", "主题分类": "topic"}
EMPTY_CELLS = ("", "-", "—", "－", "/", "无")
SUMMED_TYPES = ("integer", "decimal", "money", "area")  # columns a 合计 row adds up


def _example(spec: FieldSpec) -> str:
    return spec.example or (spec.values[0] if spec.values else fieldtypes.TYPES[spec.type].example)


_EMPTY = frozenset(EMPTY_CELLS)
_PLANS: dict[int, tuple] = {}  # id of an item's specs -> (the specs, their plan)


def _plan(specs: dict) -> tuple:
    """((name, spec, parse or None) of each field spec, whether any has a condition).
    parse is None when a value needs more than parsing: an enum's values, a doubt such as
    an ID number's checksum."""
    known = _PLANS.get(id(specs))
    if known is None or known[0] is not specs:
        parsers = tuple((name, spec, None if spec.values or fieldtypes.TYPES[spec.type].doubt
                         else fieldtypes.TYPES[spec.type].parse) for name, spec in specs.items())
        known = _PLANS[id(specs)] = (specs, (parsers, any(spec.required_if for spec in specs.values())))
    return known[1]


_BLANKS = " \t\u3000"  # what a cell may hold around an empty mark ("", "-", "无")


def _typed_column(spec: FieldSpec, column: list) -> list | None:
    """A column's typed values (None for an empty cell) when none of its cells has anything
    to report: nothing required is missing, no value is invalid, outside its enum or in
    doubt. None otherwise: the row-by-row check then says what is wrong, cell by cell."""
    kind = fieldtypes.TYPES[spec.type]
    try:
        stripped = [raw.strip(_BLANKS) for raw in column]
    except AttributeError:  # None, a number or a date in a spreadsheet: one cell at a time
        blank = [raw is None or (type(raw) is str and raw.strip(_BLANKS) in _EMPTY) for raw in column]
    else:
        blank = None if _EMPTY.isdisjoint(stripped) else [text in _EMPTY for text in stripped]
    try:
        if blank is None and kind.parse is fieldtypes.as_text:  # None only when every cell is a string
            values = [raw.strip() for raw in column]  # what as_text() gives a string, without a call per cell
        elif blank is None or not any(blank):
            values = list(map(kind.parse, column))
        elif spec.required:
            return None
        else:
            values = [None if empty else kind.parse(raw) for raw, empty in zip(column, blank)]
    except Exception:  # noqa: BLE001 (the row-by-row check gives the diagnostic, or raises the same)
        return None
    present = [value for value in values if value is not None] if blank else values
    if spec.values and not set(spec.values).issuperset(present):
        return None
    if kind.doubt and any(map(kind.doubt, present)):
        return None
    return values


def _typed_rows(specs: dict, columns: dict, count: int) -> list[dict] | None:
    """The typed values of `count` rows, from the cells of each column (column name -> its
    cells, in row order; a column left out is empty), when no cell has anything to report;
    else None. A list of thousands of rows is almost always clean, and a column parsed
    with map() costs a fraction of the cell-by-cell check."""
    if _plan(specs)[1]:
        return None  # required_if: the row-by-row check weighs one cell against another
    typed = []
    for name, spec in specs.items():
        column = columns.get(name)
        if column is None and spec.required:
            return None
        values = _typed_column(spec, column) if column is not None else [None] * count
        if values is None:
            return None
        typed.append(values)
    names = list(specs)
    return [dict(zip(names, cells)) for cells in zip(*typed)] if typed else [{} for _ in range(count)]


def _pos(data, key, value=True):
    positions = getattr(data, "value_pos" if value else "key_pos", None) or {}
    return positions.get(key) or getattr(data, "pos", (1, 1))


class _Checker:
    """Validates one record; collects its diagnostics in the shared report."""

    def __init__(self, raw: RawRecord, item: Item, site: SiteConfig, report: Report):
        self.raw, self.item, self.site, self.report = raw, item, site, report
        self.file: SourceFile = raw.file
        self.failed = False
        self.where: dict[str, Location] = {}

    # -- reporting --------------------------------------------------------------------
    def at(self, data, key, value=True) -> Location:
        return Location(self.file.shown, *_pos(data, key, value))

    def error(self, where: Location, code: str, message: str, hint: str = "") -> None:
        self.failed = True
        self.report.error(where, code, message, hint)

    def warning(self, where: Location, code: str, message: str, hint: str = "") -> None:
        self.report.warning(where, code, message, hint)

    # -- values -----------------------------------------------------------------------
    def value(self, spec: FieldSpec, raw, locate, key: str, context: str):
        """The typed value of one field or cell, or None (with an error) when invalid.

        `locate(key)` gives the Location; it is called only when there is something to say.
        """
        kind = fieldtypes.TYPES[spec.type]
        try:
            value = kind.parse(raw)
        except fieldtypes.Invalid as problem:
            self.error(locate(key), "field-value", f"{context}“{spec.name}”{problem.message}",
                       problem.hint or f"应填写{spec.type_label}")
            return None
        if spec.values and value not in spec.values:
            close = difflib.get_close_matches(value, spec.values, n=1, cutoff=0.5)
            hint = (f"是否想写“{close[0]}”？" if close else "") + "可选：" + "、".join(spec.values)
            self.error(locate(key), "enum-value", f"{context}“{spec.name}”不能取“{value}”", hint)
            return None
        if kind.doubt:
            message = kind.doubt(value)
            if message:
                self.warning(locate(key), "field-doubt", f"{context}“{spec.name}”：{message}", "")
        return value

    @classmethod
    def empty_cell(cls, cells: list, index: int | None) -> bool:
        return index is None or index >= len(cells) or cls.empty(cells[index])

    @staticmethod
    def empty(raw) -> bool:
        return raw is None or (isinstance(raw, str) and raw.strip(" \t\u3000") in EMPTY_CELLS)

    def mapping_values(self, specs: dict, data, context: str, missing_at: Location, unknown_hint: str) -> dict:
        """Typed values of a YAML mapping (fields, or one row) against its field specs."""
        values = {}
        locate = lambda key: self.at(data, key)  # noqa: E731
        misspelt = set()  # a typo is one defect: no second error for the field it meant
        for key in data:
            if key not in specs:
                close = difflib.get_close_matches(key, [s for s in specs if s not in data], n=1, cutoff=0.5)
                misspelt.update(close)
                self.error(self.at(data, key, False), "unknown-field",
                           f"事项“{self.item.name}”没有{context}“{key}”",
                           (f"是否想写“{close[0]}”？" if close else "") + unknown_hint)
        parsers, conditional = _plan(specs)
        for name, spec, parse in parsers:
            raw = data.get(name)
            if raw is None or (type(raw) is str and raw.strip(" \t\u3000") in _EMPTY):
                values[name] = None
                if spec.required and name not in misspelt:
                    self.error(missing_at, "missing-field", f"缺少必填的{context}“{name}”",
                               f"应填写{spec.type_label}，例如 {_example(spec)}")
                continue
            if parse:  # most cells: a type with nothing to doubt and no list of allowed values
                try:
                    values[name] = parse(raw)
                    continue
                except fieldtypes.Invalid:
                    pass  # value() says why
            values[name] = self.value(spec, raw, locate, name, context)
        if conditional:
            self.conditions(specs, values, lambda name: self.empty(data.get(name)),
                            lambda name: self.at(data, name) if name in data else missing_at, context)
        return values

    def conditions(self, specs: dict, values: dict, empty, locate, context: str) -> None:
        """Fields required by another field's value (required_if), e.g. 单位名称 when 主体类型 is an organisation."""
        for name, spec in specs.items():
            if not spec.required_if or not empty(name):
                continue
            other, wanted = spec.required_if
            if values.get(other) == wanted:
                self.error(locate(name), "missing-field", f"{other}为“{wanted}”时必须填写{context}“{name}”",
                           f"应填写{spec.type_label}，例如 {_example(spec)}")

    # -- record keys --------------------------------------------------------------------
    def check(self) -> Record | None:
        data = self.raw.data
        for key in data:
            if key not in RECORD_KEYS or (key == "body" and self.raw.body is not None):
                self.unknown_key(key)
        title = self.text_key("title", required=True)
        date = self.date_key("date", required=True)
        published = self.date_key("published") or date
        if self.empty(data.get("published")):  # 公开日期 is its 生成日期: a `backdated` error points there
            self.where["published"] = self.where["date"]
        if date and published and published < date:
            self.error(self.at(data, "published"), "published-before-date",
                       f"公开日期 {published} 早于信息形成日期 {date}", "检查 date 和 published 是否写反")
        projects = self.projects()
        window = self.window()
        if window and published and window.end < published:
            self.warning(self.at(data, "window"), "window-before-published",
                         f"公示期 {window} 在公开日期 {published} 之前就已结束，这条记录不会出现在网站上",
                         "检查 window 的结束日期和 published 是否写错")
        fields = self.fields()
        rows, rows_source, total = self.rows()
        attachments = self.attachments()
        draft = self.draft()
        index_no = self.text_key("index_no")
        summary, topic = self.text_key("summary"), self.text_key("topic")
        body, body_line = self.body()
        if self.failed:
            return None
        return Record(source=self.file.path, shown=self.file.shown, item_id=self.item.id, slug=self.file.slug,
                      title=title, date=date, published=published, index_no=index_no or "",
                      projects=projects, window=window, fields=fields, rows=rows, rows_source=rows_source,
                      total=total,
                      attachments=attachments, draft=draft, body=body, body_line=body_line,
                      summary=summary or "", topic=topic or "", where=self.where)

    def unknown_key(self, key: str) -> None:
        where = self.at(self.raw.data, key, value=False)
        if key == "body":
            self.error(where, "unknown-key", "Markdown 记录的正文写在第二个 --- 之后，不用 body:", "")
            return
        specs = self.item.field_map
        if key in specs or key in self.item.row_map:
            hint = f"“{key}”是本事项的{'字段，写在 fields: 下面' if key in specs else '名单列，写在 rows: 的每一行中'}"
        elif key in CHINESE_KEYS:
            hint = f"这里的键用英文：{CHINESE_KEYS[key]}"
        else:
            close = difflib.get_close_matches(key, RECORD_KEYS, n=1, cutoff=0.6)
            hint = f"是否想写“{close[0]}”？" if close else "可用的键：" + "、".join(RECORD_KEYS)
        self.error(where, "unknown-key", f"记录中没有“{key}”这一项", hint)

    def text_key(self, key: str, required: bool = False) -> str | None:
        data = self.raw.data
        self.where[key] = self.at(data, key)
        if self.empty(data.get(key)):
            if required:
                self.error(Location(self.file.shown, *data.pos), "missing-key", f"缺少必填的“{key}”",
                           "title 是信息名称" if key == "title" else "")
            return None
        try:
            return fieldtypes.as_text(data[key])
        except fieldtypes.Invalid as problem:
            self.error(self.at(data, key), "key-type", f"“{key}”{problem.message}", problem.hint)
            return None

    def date_key(self, key: str, required: bool = False):
        data = self.raw.data
        self.where[key] = self.at(data, key)
        if self.empty(data.get(key)):
            if required:
                self.error(Location(self.file.shown, *data.pos), "missing-key", f"缺少必填的“{key}”",
                           "date 是信息形成或变更的日期，写作 2026-03-15")
            return None
        try:
            return fieldtypes.parse_date(data[key])
        except fieldtypes.Invalid as problem:
            self.error(self.at(data, key), "bad-date", f"“{key}”：{problem.message}", problem.hint)
            return None

    def projects(self) -> tuple[str, ...]:
        raw = self.raw.data.get("project")
        if self.empty(raw):
            return ()
        values = raw if isinstance(raw, list) else [raw]
        codes = []
        for i, value in enumerate(values):
            where = (Location(self.file.shown, *raw.item_pos[i]) if isinstance(raw, list)
                     else self.at(self.raw.data, "project"))
            try:
                codes.append(fieldtypes.parse_project_code(value))
            except fieldtypes.Invalid as problem:
                self.error(where, "bad-project", problem.message, problem.hint)
        return tuple(codes)

    def window(self):
        raw = self.raw.data.get("window")
        self.where["window"] = self.at(self.raw.data, "window")
        if self.empty(raw):
            return None
        try:
            return fieldtypes.parse_period(raw)
        except fieldtypes.Invalid as problem:
            self.error(self.at(self.raw.data, "window"), "bad-window", f"公示期 window：{problem.message}",
                       problem.hint)
            return None

    def fields(self) -> dict:
        data = self.raw.data
        raw = data.get("fields")
        specs = self.item.field_map
        if raw is None:
            raw = yamlsource.YDict()
            raw.pos, raw.key_pos, raw.value_pos = data.pos, {}, {}
        if not isinstance(raw, dict):
            self.error(self.at(data, "fields"), "key-type", "fields 应为键值对（字段名: 值）",
                       "在 fields: 下面缩进两个空格，每行写一个字段")
            return {}
        for name in raw:
            self.where["fields." + name] = self.at(raw, name)
        missing_at = self.at(data, "fields", value=False) if "fields" in data else Location(self.file.shown, *data.pos)
        return self.mapping_values(specs, raw, "字段", missing_at, "本事项的字段：" + ("、".join(specs) or "（无）"))

    # -- rows ---------------------------------------------------------------------------
    def rows(self) -> tuple[tuple[Row, ...], str, Total | None]:
        """The list's rows, the spreadsheet they came from, and its 合计 row if any."""
        data = self.raw.data
        has_rows, has_source = "rows" in data, "rows_from" in data
        if self.item.kind == "document":
            for key in ("rows", "rows_from"):
                if key in data:
                    self.error(self.at(data, key, False), "unexpected-rows",
                               f"事项“{self.item.name}”是单篇文件，不能有名单（{key}）",
                               "把内容写进 fields 或正文")
            return (), "", None
        if has_rows and has_source:
            self.error(self.at(data, "rows_from", False), "rows-twice", "rows 和 rows_from 只能写一个", "")
            return (), "", None
        if not has_rows and not has_source:
            self.error(Location(self.file.shown, *data.pos), "missing-rows",
                       f"名单类事项“{self.item.name}”需要 rows（直接写各行）或 rows_from（表格文件）", "")
            return (), "", None
        if has_source:
            return self.table_rows()
        raw = data["rows"]
        if not isinstance(raw, list) or not raw:
            self.error(self.at(data, "rows"), "key-type", "rows 应为非空列表，每一行以“- ”开头", "")
            return (), "", None
        specs = self.item.row_map
        if all(isinstance(entry, dict) and entry.keys() <= specs.keys() for entry in raw):
            typed = _typed_rows(specs, {name: [entry.get(name) for entry in raw] for name in specs}, len(raw))
            if typed is not None:
                shown = self.file.shown
                return tuple(Row(values, Location(shown, *at), entry.value_pos)
                             for values, at, entry in zip(typed, raw.item_pos, raw)), "", None
        rows = []
        for i, entry in enumerate(raw):
            where = Location(self.file.shown, *raw.item_pos[i])
            if not isinstance(entry, dict):
                self.error(where, "row-type", f"第 {i + 1} 行应为键值对（列名: 值）", "")
                continue
            values = self.mapping_values(self.item.row_map, entry, "列", where, self.undeclared_hint())
            rows.append(Row(values, where, entry.value_pos))
        return tuple(rows), "", None

    def undeclared_hint(self) -> str:
        return "；若是本地需要的列，请在 content/_catalog.yaml 中声明（内部使用、不公开的列写 publish: false）"

    def table_rows(self) -> tuple[tuple[Row, ...], str, Total | None]:
        data = self.raw.data
        where = self.at(data, "rows_from")
        path = self.local_path(data.get("rows_from"), where, "rows_from")
        if path is None:
            return (), "", None
        if path.suffix.lower() not in tables.TABLE_SUFFIXES:
            self.error(where, "rows-from-type", f"rows_from 只支持 {'、'.join(tables.TABLE_SUFFIXES)} 文件", "")
            return (), "", None
        shown = display_path(path, self.site.root)
        specs = self.item.row_map
        by_squeezed = {tables.squeeze(name): name for name in specs}
        try:
            table = tables.read_table(path, shown, by_squeezed)
        except tables.TableProblem as problem:
            self.error(problem.where, "table", problem.message, problem.hint)
            return (), shown, None
        for problem in table.problems:  # hidden rows or columns, CSV lines too wide: the rows are still checked
            report = self.warning if problem.severity == "warning" else self.error
            report(problem.where, problem.code, problem.message, problem.hint)
        columns = self.table_columns(table, specs, by_squeezed)
        used = [(name, spec, columns[name]) for name, spec in specs.items() if name in columns]
        lines, total_at = [], None
        for cells, number in table.rows:
            label = tables.total_label(cells)
            if label:
                if total_at:
                    self.error(table.locate(number, label[0]), "table-total",
                               f"表格有两个{label[1]}行（另一个在第 {total_at[1]} 行）", "只保留最后的合计行")
                total_at = (cells, number, label)
            else:
                lines.append((cells, number))
        typed = _typed_rows(specs, {name: [cells[index] if index < len(cells) else None for cells, _ in lines]
                                    for name, _, index in used}, len(lines))
        if typed is not None:
            rows = [Row(values, None, table.positions(number, columns)) for values, (_, number) in zip(typed, lines)]
        else:
            rows = self.table_lines(table, lines, specs, columns, used)
        if not rows:
            self.error(Location(shown), "empty-table", "表格中没有数据行", "")
        total = self.table_total(table, used, rows, *total_at) if total_at else None
        return tuple(rows), shown, total

    def table_lines(self, table: tables.Table, lines: list, specs: dict, columns: dict, used: list) -> list[Row]:
        """The rows of a table checked cell by cell, each problem with its cell."""
        conditional = _plan(specs)[1]
        rows = []
        for cells, number in lines:
            values = dict.fromkeys(specs)
            locate = lambda name, n=number: table.locate(n, columns[name])  # noqa: E731
            width = len(cells)
            for name, spec, index in used:
                raw = cells[index] if index < width else None
                if raw is None or (type(raw) is str and raw.strip(" \t\u3000") in EMPTY_CELLS):
                    if spec.required:
                        self.error(locate(name), "missing-field", f"缺少必填的列“{name}”",
                                   f"应填写{spec.type_label}")
                    continue
                values[name] = self.value(spec, raw, locate, name, "列")
            if conditional:
                self.conditions(specs, values, lambda name, c=cells: self.empty_cell(c, columns.get(name)),
                                lambda name, n=number: table.locate(n, columns.get(name, 0)), "列")
            rows.append(Row(values, None, table.positions(number, columns)))
        return rows

    def table_columns(self, table: tables.Table, specs: dict, by_squeezed: dict) -> dict[str, int]:
        """Column name -> index; header cells match the catalog's names whatever spaces they hold."""
        columns = {}
        for index, text in enumerate(table.header):
            if not text:
                continue
            name = text if text in specs else by_squeezed.get(tables.squeeze(text), text)
            if name not in specs and tables.squeeze(name) == tables.ROW_NUMBER:
                continue  # the export's own row numbers: pages number the rows themselves
            if name not in specs:
                close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.5)
                self.error(table.locate(table.header_row, index), "unknown-column",
                           f"事项“{self.item.name}”没有“{name}”这一列",
                           (f"是否想写“{close[0]}”？" if close else "本事项的列：" + "、".join(specs))
                           + self.undeclared_hint())
            elif name in columns:
                self.error(table.locate(table.header_row, index), "duplicate-column", f"列“{name}”出现了两次", "")
            else:
                columns[name] = index
        for name, spec in specs.items():
            if spec.required and name not in columns:
                self.error(table.locate(table.header_row, 0), "missing-column",
                           f"表格缺少必填的列“{name}”", "第一行是列名，须与目录中的字段名一致")
        return columns

    def table_total(self, table: tables.Table, used: list, rows: list, cells: list, number: int,
                    label: tuple[int, str]) -> Total:
        """The 合计 row's numbers, each checked against the sum of its column (a warning on mismatch)."""
        values = {}
        for name, spec, index in used:
            raw = cells[index] if index < len(cells) else None
            if spec.type not in SUMMED_TYPES or index == label[0] or self.empty(raw):
                continue
            locate = lambda _name, i=index: table.locate(number, i)  # noqa: E731
            value = self.value(spec, raw, locate, name, f"{label[1]}行的")
            if value is None:
                continue
            values[name] = value
            column_sum = sum(row.values[name] for row in rows if row.values.get(name) is not None)
            if column_sum != value:
                self.warning(locate(name), "total-mismatch",
                             f"{label[1]}行“{name}”为 {value}，而各行相加是 {column_sum}",
                             "核对是否漏了行、多了行，或合计公式的范围不对")
        return Total(label[1], values, table.locate(number, label[0]))

    # -- files beside the record ------------------------------------------------------
    def local_path(self, raw, where: Location, key: str) -> Path | None:
        """A file named relative to the record's folder; it may not leave that folder."""
        try:
            text = fieldtypes.as_text(raw)
        except fieldtypes.Invalid as problem:
            self.error(where, "key-type", f"{key}：{problem.message}", "写文件名，如 results.xlsx")
            return None
        folder = self.file.path.parent.resolve()
        path = (folder / text).resolve()
        if not text or not path.is_relative_to(folder):
            self.error(where, "path-escape", f"文件“{text}”不在记录所在的文件夹中",
                       f"把文件放进 {display_path(folder, self.site.root)}/，再只写文件名")
            return None
        if not path.is_file():
            self.error(where, "file-missing", f"找不到文件“{text}”",
                       f"文件应放在 {display_path(folder, self.site.root)}/ 中，注意大小写和扩展名")
            return None
        return path

    def attachments(self) -> tuple[Attachment, ...]:
        data = self.raw.data
        raw = data.get("attachments")
        if self.empty(raw):
            return ()
        if not isinstance(raw, list):
            self.error(self.at(data, "attachments"), "key-type", "attachments 应为列表，每个附件一行“- 文件名”", "")
            return ()
        found = []
        for i, entry in enumerate(raw):
            where = Location(self.file.shown, *raw.item_pos[i])
            title = None
            if isinstance(entry, dict):
                unknown = sorted(set(entry) - {"path", "title"})
                if unknown or "path" not in entry:
                    self.error(where, "attachment", "附件写作“- 文件名”或 {path: 文件名, title: 显示名称}", "")
                    continue
                title, entry = entry.get("title"), entry["path"]
            path = self.local_path(entry, where, "附件")
            if path is not None:
                found.append(Attachment(path, path.name, fieldtypes.as_text(title) if title else path.name,
                                        path.stat().st_size, where))
        return tuple(collisions.duplicate_attachments(found, self.error))

    def draft(self) -> bool:
        raw = self.raw.data.get("draft")
        if raw is None:
            return False
        if not isinstance(raw, bool):
            self.error(self.at(self.raw.data, "draft"), "key-type", "draft 应为 true 或 false", "")
            return False
        return raw

    def body(self) -> tuple[str, int]:
        data = self.raw.data
        if self.raw.body is not None:
            body, line = self.raw.body, self.raw.body_line
        else:
            body, line = "", 0
            if "body" in data:
                try:
                    body = fieldtypes.as_text(data["body"])
                except fieldtypes.Invalid as problem:
                    self.error(self.at(data, "body"), "key-type", f"body {problem.message}", problem.hint)
                line = _pos(data, "body")[0] + 1
        self.where["body"] = Location(self.file.shown, max(line, 1), 1)
        for offset, scheme in safeurl.refused_links(body):
            self.warning(Location(self.file.shown, max(line, 1) + body.count("\n", 0, offset), 1), "unsafe-link",
                         "正文中的" + safeurl.link_warning(scheme), f"链接只能以 {safeurl.ALLOWED_TEXT} 开头，或写站内相对地址")
        if self.item.body_required and not body.strip():
            self.error(Location(self.file.shown, *data.pos), "missing-body",
                       f"缺少正文（{self.item.body_label}）",
                       "Markdown 记录在第二个 --- 之后写正文；YAML 记录写在 body: | 下面")
        return body, line


def check_record(raw: RawRecord, item: Item, site: SiteConfig, report: Report) -> Record | None:
    return _Checker(raw, item, site, report).check()


MAX_ROW_PERIOD_YEARS = 3  # credit-repair rules in force since 2026-04-01: serious cases at most 3 years


def after_check(record: Record, catalog: Catalog, site: SiteConfig, visible: set, report: Report) -> None:
    """Warnings on a checked record that need more than its file: whether the site's level
    publishes its item, and row periods beyond the national maximum. `visible`: the ids
    of the items of the site's level."""
    item = catalog.by_id[record.item_id]
    if record.item_id not in visible:
        report.warning(Location(record.shown, 1, 1), "level", f"事项“{item.name}”不在{site.level}公开目录中，这条记录不会发布",
                       "公开层级见目录的“公开层级”一栏")
    elif item.on_request_only:
        report.warning(Location(record.shown, 1, 1), "on-request", f"事项“{item.name}”只依申请公开，这条记录不会发布", "")
    _overlong_row_periods(record, report)
    links.check_validity(record, report)


def _overlong_row_periods(record: Record, report: Report) -> None:
    """A 公示期限 longer than the national maximum is a warning, naming the cell."""
    for row in record.rows:
        period = row.values.get(ROW_PERIOD)
        if not isinstance(period, Period):
            continue
        start = period.start
        limit = start.replace(year=start.year + MAX_ROW_PERIOD_YEARS, day=min(start.day, 28)
                              if (start.month, start.day) == (2, 29) else start.day)
        if period.end > limit:
            report.warning(row.locate(ROW_PERIOD), "period-too-long",
                           f"公示期限 {period} 超过 {MAX_ROW_PERIOD_YEARS} 年",
                           "失信信息公示期限最长 3 年（2026 年 4 月 1 日起施行的信用修复规定）；请核对期限")
