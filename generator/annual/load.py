"""Read `content/_annual/<year>.yaml`: the report as staff fill it in.

Top-level keys are the template's section titles verbatim (forms.SECTIONS), plus
`index_no` (索引号), `published` (公开日期; without it the report is a draft, checked but
not published) and an optional `更正说明` (a list of {日期, 说明}). Text sections are
Markdown; each table is nested mappings down to row → column → number, with the names of
the paper form. Every cell keeps the line and column where it stands, so that each
diagnostic points at the cell and names it (表二 “（七）总计” × “自然人”). A blank cell or
one that is not a number is an error, never a silent 0.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..config import fieldtypes
from ..model.diagnostics import Location, Report, display_path
from ..source import yamlsource
from . import forms

FOLDER = "_annual"
META_KEYS = ("index_no", "published", "更正说明")
_NUMBER = {forms.COUNT: re.compile(r"\d+"), forms.CHANGE: re.compile(r"[+-]?\d+"),
           forms.AMOUNT: re.compile(r"\d+(?:\.\d+)?")}
_KIND_TEXT = {forms.COUNT: "应为不小于 0 的整数", forms.CHANGE: "应为整数（减少写负数，如 -2）",
              forms.AMOUNT: "应为不小于 0 的数（单位：万元，可有小数，如 0.35）"}


@dataclass(frozen=True)
class TextAt:
    """Where a text section's first line of text stands, to place a finding inside it."""
    line: int
    col: int
    block: bool  # a `|` block: line i of the text is at line + i, indented by col - 1


@dataclass(frozen=True)
class Correction:
    day: dt.date
    text: str


@dataclass
class AnnualReport:
    year: int
    path: Path
    shown: str  # as diagnostics show it
    template: forms.Template
    texts: dict = field(default_factory=dict)  # section -> Markdown
    text_at: dict = field(default_factory=dict)  # section -> TextAt
    cells: dict = field(default_factory=dict)  # (section, row path, column) -> int | Decimal
    where: dict = field(default_factory=dict)  # the same keys -> (line, col)
    left_out: set = field(default_factory=set)  # cells not in the file that the records can count
    counted: dict = field(default_factory=dict)  # cells filled from the records -> the count
    index_no: str = ""
    published: dt.date | None = None
    corrections: tuple = ()
    pos: tuple = (1, 1)

    def locate(self, key: tuple) -> Location:
        line, col = self.where.get(key) or self.pos
        return Location(self.shown, line, col)

    def value(self, table: forms.Table, path: tuple, column: str):
        return self.cells.get((table.section, path, column))

    def public_on(self, day: dt.date) -> bool:
        return self.published is not None and self.published <= day


def countable(template: forms.Template, section: str, path: tuple, column: str) -> bool:
    """A cell the records can count (annual/counts.py): 表一's 规章 and 行政规范性文件 in the 2021 template."""
    return template.id == forms.T2021 and section == forms.ACTIVE and path in ((forms.RULES,), (forms.NORMATIVE,))


def files(site) -> list[Path]:
    folder = site.content_dir / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def load_all(site, report: Report) -> dict[int, AnnualReport]:
    """Every report of the site by year; a file that cannot be read is reported and left out."""
    found = {}
    for path in files(site):
        shown = display_path(path, site.root)
        match = re.fullmatch(r"(\d{4})\.ya?ml", path.name)
        if not match:
            report.error(Location(shown), "annual-file", f"年度报告文件名“{path.name}”应为 年份.yaml",
                         "如 content/_annual/2026.yaml；用 python -m generator new annual-report --year 2026 生成")
            continue
        year = int(match.group(1))
        if year in found:
            report.error(Location(shown), "annual-file", f"{year} 年的年度报告有两个文件", "删去其中一个")
            continue
        loaded = load(path, shown, year, report)
        if loaded is not None:
            found[year] = loaded
    return dict(sorted(found.items()))


def load(path: Path, shown: str, year: int, report: Report) -> AnnualReport | None:
    template = forms.template_for(year)
    if template is None:
        report.error(Location(shown), "annual-template",
                     f"{year} 年没有全国统一的年度报告模板（2019 年起才有）", "年度报告从 2019 年度起按模板编写")
        return None
    try:
        text = yamlsource.decode(path.read_bytes())
        data = yamlsource.parse(text)
    except OSError as problem:
        report.error(Location(shown), "annual-file", f"无法读取年度报告（{problem.strerror or problem}）")
        return None
    except yamlsource.YamlProblem as problem:
        report.error(Location(shown, problem.line, problem.col), problem.code, problem.message, problem.hint)
        return None
    if not isinstance(data, dict):
        report.error(Location(shown, 1, 1), "annual-file", "年度报告应为键值对（各部分标题: 内容）",
                     "用 python -m generator new annual-report 生成模板再填写")
        return None
    annual = AnnualReport(year, path, shown, template, pos=data.pos)
    _Reader(annual, text.split("\n"), report).read(data)
    return annual


class _Reader:
    def __init__(self, annual: AnnualReport, lines: list[str], report: Report):
        self.annual, self.lines, self.report = annual, lines, report
        self.other = forms.other(annual.template)

    def at(self, data, key, value=True) -> Location:
        line, col = (data.value_pos if value else data.key_pos).get(key, data.pos)
        return Location(self.annual.shown, line, col)

    def read(self, data) -> None:
        annual = self.annual
        for key in data:
            if key not in forms.SECTIONS and key not in META_KEYS:
                self.report.error(self.at(data, key, False), "annual-unknown", f"年度报告中没有“{key}”这一部分",
                                  "各部分标题须与模板一字不差：" + "、".join(forms.SECTIONS))
        for section in forms.SECTIONS:
            if section not in data:
                self.report.error(Location(annual.shown, *data.pos), "annual-missing", f"缺少“{section}”部分",
                                  "各部分按模板顺序写全，标题一字不差")
            elif section in forms.TEXT_SECTIONS:
                self.text(data, section)
            else:
                self.table(data, annual.template.table(section))
        self.meta(data)

    # -- text ---------------------------------------------------------------------------
    def text(self, data, section: str) -> None:
        value = data[section]
        if not isinstance(value, str) or not value.strip():
            self.report.error(self.at(data, section), "annual-text", f"“{section}”应为一段文字，不能为空",
                              "写在“|”下面，每行缩进两个空格")
            return
        self.annual.texts[section] = value
        line, col = data.value_pos[section]
        raw = self.lines[line - 1][col - 1:] if line <= len(self.lines) else ""
        if raw[:1] in "|>":
            following = next((s for s in self.lines[line:] if s.strip()), "")
            indent = len(following) - len(following.lstrip())
            self.annual.text_at[section] = TextAt(line + 1, indent + 1, True)
        else:
            self.annual.text_at[section] = TextAt(line, col + (1 if raw[:1] in "'\"" else 0), False)

    # -- tables -------------------------------------------------------------------------
    def table(self, data, table: forms.Table) -> None:
        value = data[table.section]
        if not isinstance(value, dict):
            self.report.error(self.at(data, table.section), "annual-missing",
                              f"“{table.section}”应为{table.name}（行名: {{列名: 数字}}）", "用 new annual-report 生成的模板填写")
            return
        mine = _tree(table.rows)
        theirs = _tree(self.other.table(table.section).rows)
        self.walk(table, value, mine, theirs, ())

    def walk(self, table: forms.Table, data, mine: dict, theirs, path: tuple) -> None:
        for key in data:
            if key not in mine:
                self.stray(table, data, key, theirs.get(key) if isinstance(theirs, dict) else None, path)
        for key, below in mine.items():
            here = (*path, key)
            if key not in data or data[key] is None and not isinstance(below, forms.Row):
                if not self.may_leave_out(table, here, below):
                    self.report.error(self.place(data, key), "annual-missing",
                                      f"{table.name}缺少“{_shown(here)}”", "模板的每一行都要写，没有发生的填 0")
                continue
            value = data[key]
            if isinstance(below, forms.Row):
                self.row(table, below, data, key)
            elif not isinstance(value, dict):
                self.report.error(self.at(data, key), "annual-missing",
                                  f"{table.name}“{key}”下应分行填写：" + "、".join(below), "")
            else:
                other = theirs.get(key) if isinstance(theirs, dict) else None
                if isinstance(other, forms.Row) and set(value) & set(other.columns):
                    self.report.error(self.at(data, key, False), "annual-template",
                                      f"{table.name}“{key}”按{self.other.name}写成了一行；{self.annual.year} 年的报告用"
                                      f"{self.annual.template.name}，它分为：" + "、".join(below),
                                      "按模板把这一项分行填写")
                    continue
                self.walk(table, value, below, other, here)

    def may_leave_out(self, table, path: tuple, below) -> bool:
        if not isinstance(below, forms.Row) or not countable(self.annual.template, table.section, path, ""):
            return False
        self.annual.left_out.update((table.section, path, c) for c in below.columns)
        return True

    def place(self, data, key) -> Location:
        if key in data:
            return self.at(data, key)
        return Location(self.annual.shown, *data.pos)

    def stray(self, table: forms.Table, data, key: str, theirs, path: tuple) -> None:
        if theirs is not None:
            self.report.error(self.at(data, key, False), "annual-template",
                              f"{table.name}的“{_shown((*path, key))}”是{self.other.name}的行；{self.annual.year} 年的报告用"
                              f"{self.annual.template.name}", "按本年度的模板改写这一行（见 docs/staff.md“年度报告”）")
        else:
            self.report.error(self.at(data, key, False), "annual-unknown",
                              f"{table.name}中没有“{_shown((*path, key))}”这一行", "行名须与模板一字不差（含全角括号和序号）")

    def row(self, table: forms.Table, row: forms.Row, data, key: str) -> None:
        value = data[key]
        if not isinstance(value, dict):
            self.report.error(self.at(data, key), "annual-missing",
                              f"{table.name}“{row.name}”应写成 {{列名: 数字}}", "列名：" + "、".join(row.columns))
            return
        other = self.other.table(table.section).row(row.path)
        for column in value:
            if column in row.columns:
                continue
            if other is not None and column in other.columns:
                self.report.error(self.at(value, column, False), "annual-template",
                                  f"{forms.cell_name(table, row, column)}：“{column}”是{self.other.name}的列；"
                                  f"{self.annual.year} 年的报告用{self.annual.template.name}",
                                  "本行的列：" + "、".join(row.columns))
            else:
                self.report.error(self.at(value, column, False), "annual-unknown",
                                  f"{table.name}“{row.name}”没有“{column}”这一列", "本行的列：" + "、".join(row.columns))
        for column, kind in zip(row.columns, row.kinds):
            key3 = (table.section, row.path, column)
            if column not in value:
                if countable(self.annual.template, table.section, row.path, column):
                    self.annual.left_out.add(key3)
                    continue
                self.report.error(Location(self.annual.shown, *value.pos), "annual-missing",
                                  f"{forms.cell_name(table, row, column)} 没有填写", "没有发生的填 0")
                continue
            self.annual.where[key3] = value.value_pos[column]
            self.cell(table, row, column, kind, value[column], self.at(value, column), key3)

    def cell(self, table, row, column, kind, raw, where: Location, key3) -> None:
        name = forms.cell_name(table, row, column)
        if raw is None or isinstance(raw, str) and not raw.strip():
            self.report.error(where, "annual-blank", f"{name} 为空", "没有发生的填 0，不能空着")
            return
        text = raw.strip() if isinstance(raw, str) else None
        if text is None or not _NUMBER[kind].fullmatch(text):
            self.report.error(where, "annual-number", f"{name} 为“{raw}”，{_KIND_TEXT[kind]}",
                              "只写数字，不写单位和说明")
            return
        self.annual.cells[key3] = Decimal(text) if kind == forms.AMOUNT else int(text)

    # -- meta ---------------------------------------------------------------------------
    def meta(self, data) -> None:
        annual = self.annual
        index_no = data.get("index_no")
        if "index_no" in data:
            annual.where[("index_no",)] = data.value_pos["index_no"]
        if index_no is not None:
            annual.index_no = fieldtypes.as_text(index_no)
        if not annual.index_no:
            self.report.error(self.place(data, "index_no"), "annual-meta", "年度报告缺少索引号 index_no",
                              "python -m generator new annual-report 生成的文件已取好一个未用的索引号")
        annual.published = self.date(data, "published", "公开日期 published")
        if annual.published is not None and annual.published.year <= annual.year:
            self.report.error(self.at(data, "published"), "annual-meta",
                              f"{annual.year} 年度报告的公开日期 {annual.published} 早于统计期结束",
                              f"年度报告在 {annual.year + 1} 年公开")
        annual.corrections = self.corrections(data)

    def date(self, data, key: str, label: str) -> dt.date | None:
        raw = data.get(key)
        if raw is None or raw == "":
            return None
        try:
            return fieldtypes.parse_date(fieldtypes.as_text(raw))
        except fieldtypes.Invalid as problem:
            self.report.error(self.at(data, key), "annual-meta", f"{label}：{problem.message}", problem.hint)
            return None

    def corrections(self, data) -> tuple:
        raw = data.get("更正说明")
        if raw is None:
            return ()
        where = self.at(data, "更正说明", False)
        self.annual.where[("更正说明",)] = (where.line, where.col)
        if not isinstance(raw, list):
            self.report.error(self.at(data, "更正说明"), "annual-correction", "更正说明应为列表",
                              "每一项写成“- {日期: 2027-02-10, 说明: 更正了表二……}”")
            return ()
        found = []
        for n, entry in enumerate(raw):
            where = Location(self.annual.shown, *raw.item_pos[n])
            if not isinstance(entry, dict) or set(entry) != {"日期", "说明"}:
                self.report.error(where, "annual-correction", f"第 {n + 1} 条更正说明应写日期和说明两项",
                                  "写成“- {日期: 2027-02-10, 说明: 更正了表二……}”")
                continue
            day = self.date(entry, "日期", "更正说明的日期")
            text = fieldtypes.as_text(entry["说明"]) if entry["说明"] is not None else ""
            if day is None or not text:
                if day is not None:
                    self.report.error(where, "annual-correction", f"第 {n + 1} 条更正说明没有写说明", "")
                elif entry.get("日期") in (None, ""):
                    self.report.error(where, "annual-correction", f"第 {n + 1} 条更正说明没有写日期", "")
                continue
            found.append(Correction(day, text))
        return tuple(sorted(found, key=lambda c: c.day))


def _tree(rows) -> dict:
    """The rows as the nested mappings a file holds them in: key -> subtree, or the Row at a leaf."""
    tree: dict = {}
    for row in rows:
        node = tree
        for key in row.path[:-1]:
            node = node.setdefault(key, {})
        node[row.path[-1]] = row
    return tree


def _shown(path: tuple) -> str:
    return " ".join(path[-2:]) if len(path) > 1 and path[-1][:1].isdigit() else path[-1]
