"""The two national templates of the 政府信息公开工作年度报告, as data.

国办公开办函〔2021〕30号 (reports on 2021 and later) and the trial template of
国办公开办函〔2019〕60号 (reports on 2019 and 2020): their sections, and each table's rows,
columns, spans and block titles with the names printed on the paper form, verbatim
(/work/shared/reference/annual-report-template.md). Everything else in annual/ reads the
templates from here: the loader, the checks, the scaffold, the pages and the open data.

A report file holds each table as nested mappings: a row's `path` is the keys from the
section down to the mapping of its columns (表二's numbered rows sit under their
（三）…（六） heading, under 三、本年度办理结果), so the file reads like the form.
"""
from __future__ import annotations

from dataclasses import dataclass

T2021, T2019 = "2021", "2019"
FIRST_YEAR = 2019  # the first year with a national template (the regulation as revised in 2019)
TEMPLATE_NAMES = {T2021: "2021 年模板（国办公开办函〔2021〕30号）",
                  T2019: "2019 年模板（国办公开办函〔2019〕60号）"}

OVERVIEW = "一、总体情况"
ACTIVE = "二、主动公开政府信息情况"
REQUESTS = "三、收到和处理政府信息公开申请情况"
REVIEWS = "四、政府信息公开行政复议、行政诉讼情况"
PROBLEMS = "五、存在的主要问题及改进情况"
OTHER = "六、其他需要报告的事项"
SECTIONS = (OVERVIEW, ACTIVE, REQUESTS, REVIEWS, PROBLEMS, OTHER)
TEXT_SECTIONS = (OVERVIEW, PROBLEMS, OTHER)

# the kinds of cell: a count is a whole number >= 0; a change (2019's 本年增/减) a whole
# number of either sign; an amount (万元) a decimal >= 0
COUNT, CHANGE, AMOUNT = "count", "change", "amount"


@dataclass(frozen=True)
class Row:
    path: tuple[str, ...]  # the keys from the section to this row's columns
    columns: tuple[str, ...]
    kinds: tuple[str, ...]  # per column

    @property
    def name(self) -> str:
        """As a message names it: a numbered row with its heading (“（三）不予公开 1.属于国家秘密”)."""
        if len(self.path) > 1 and self.path[-1][:1].isdigit():
            return f"{self.path[-2]} {self.path[-1]}"
        return " · ".join(self.path) if self.path[0] == "行政诉讼" else self.path[-1]


@dataclass(frozen=True)
class Block:
    """A block of 表一: its title row (spanning the table), its column headers, its rows."""
    title: str
    headers: tuple[str, ...]  # after 信息内容
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Table:
    name: str  # 表一, 表二, 表三
    section: str
    rows: tuple[Row, ...]
    blocks: tuple[Block, ...] = ()  # 表一 only

    def row(self, path: tuple) -> Row | None:
        return next((r for r in self.rows if r.path == path), None)


@dataclass(frozen=True)
class Template:
    id: str
    tables: tuple[Table, ...]

    @property
    def name(self) -> str:
        return TEMPLATE_NAMES[self.id]

    def table(self, section: str) -> Table | None:
        return next((t for t in self.tables if t.section == section), None)


def cell_name(table: Table, row: Row, column: str) -> str:
    """The cell as every message names it: 表二 “（七）总计” × “自然人”."""
    return f"{table.name} “{row.name}” × “{column}”"


# ---- 表一 -----------------------------------------------------------------------------
def _block(title: str, headers: tuple, kinds: tuple, names: tuple) -> Block:
    return Block(title, headers, tuple(Row((name,), headers, kinds) for name in names))


_FEE = "本年收费金额（单位：万元）"
_DECISIONS = "本年处理决定数量"
ISSUED, REPEALED, IN_FORCE = "本年制发件数", "本年废止件数", "现行有效件数"
RULES, NORMATIVE = "规章", "行政规范性文件"
_BLOCKS_2021 = (
    _block("第二十条第（一）项", (ISSUED, REPEALED, IN_FORCE), (COUNT,) * 3, (RULES, NORMATIVE)),
    _block("第二十条第（五）项", (_DECISIONS,), (COUNT,), ("行政许可",)),
    _block("第二十条第（六）项", (_DECISIONS,), (COUNT,), ("行政处罚", "行政强制")),
    _block("第二十条第（八）项", (_FEE,), (AMOUNT,), ("行政事业性收费",)),
)
_ITEMS_2019 = ("上一年项目数量", "本年增/减", "处理决定数量")
_BLOCKS_2019 = (
    _block("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"), (COUNT,) * 3,
           ("规章", "规范性文件")),
    _block("第二十条第（五）项", _ITEMS_2019, (COUNT, CHANGE, COUNT), ("行政许可", "其他对外管理服务事项")),
    _block("第二十条第（六）项", _ITEMS_2019, (COUNT, CHANGE, COUNT), ("行政处罚", "行政强制")),
    _block("第二十条第（八）项", _ITEMS_2019[:2], (COUNT, CHANGE), ("行政事业性收费",)),
    _block("第二十条第（九）项", ("采购项目数量", "采购总金额"), (COUNT, AMOUNT), ("政府集中采购",)),
)
TABLE1_WIDTH = 4  # 信息内容 and up to three figures: a block with fewer spans the last one over the rest

# ---- 表二 -----------------------------------------------------------------------------
NATURAL, TOTAL = "自然人", "总计"
LEGAL = "法人或其他组织"
ORGS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
APPLICANTS = (NATURAL, *ORGS, TOTAL)
TABLE2_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
NEW, CARRIED_IN, RESULTS, CARRIED_OUT = ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                                         "三、本年度办理结果", "四、结转下年度继续办理")
RESULTS_TOTAL = "（七）总计"
_OUTCOMES = (
    ("（一）予以公开", ()),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ()),
    ("（三）不予公开", ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
                   "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")),
    ("（四）无法提供", ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")),
    ("（五）不予处理", ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                   "5.要求行政机关确认或重新出具已获取信息")),
)
_OTHER_2021 = ("（六）其他处理", ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                               "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"))
_OTHER_2019 = ("（六）其他处理", ())


def _table2(outcomes: tuple) -> tuple[Row, ...]:
    def row(*path):
        return Row(path, APPLICANTS, (COUNT,) * len(APPLICANTS))
    rows = [row(NEW), row(CARRIED_IN)]
    for heading, numbered in (*outcomes, (RESULTS_TOTAL, ())):
        rows += [row(RESULTS, heading, n) for n in numbered] if numbered else [row(RESULTS, heading)]
    return (*rows, row(CARRIED_OUT))


# ---- 表三 -----------------------------------------------------------------------------
REVIEW = "行政复议"
LAWSUIT = "行政诉讼"
OUTCOME_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", TOTAL)
_TABLE3 = tuple(Row(path, OUTCOME_COLUMNS, (COUNT,) * 5)
                for path in ((REVIEW,), (LAWSUIT, "未经复议直接起诉"), (LAWSUIT, "复议后起诉")))


def _template(tid: str, blocks: tuple, outcomes: tuple) -> Template:
    return Template(tid, (
        Table("表一", ACTIVE, tuple(r for b in blocks for r in b.rows), blocks),
        Table("表二", REQUESTS, _table2(outcomes)),
        Table("表三", REVIEWS, _TABLE3),
    ))


TEMPLATES = {
    T2021: _template(T2021, _BLOCKS_2021, (*_OUTCOMES, _OTHER_2021)),
    T2019: _template(T2019, _BLOCKS_2019, (*_OUTCOMES, _OTHER_2019)),
}


def template_for(year: int) -> Template | None:
    """The template a report on `year` is in; None before 2019 (no national template)."""
    if year < FIRST_YEAR:
        return None
    return TEMPLATES[T2021 if year >= 2021 else T2019]


def other(template: Template) -> Template:
    return TEMPLATES[T2019 if template.id == T2021 else T2021]
