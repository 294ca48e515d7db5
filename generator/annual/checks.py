"""The checks reviewers make of a 年度报告 (AR-1 … AR-9 of the reference), as diagnostics
at the cell, naming it (表二 “（七）总计” × “自然人”).

- annual-balance (AR-1, error): 表二, each column: 一 + 二 = （七）总计 + 四 (at 四).
- annual-total (AR-2, error): 表二, each column: （七）总计 = the sum of the rows above it.
- annual-row-total (AR-3, error): 表二, each row: 总计 = 自然人 + the five 法人或其他组织.
- annual-review-total (AR-4, error): 表三, each group: the four results = 总计.
- annual-blank, annual-number (AR-5, error): in load.py, where the cell is read.
- annual-carry-over (AR-6, error): 二、上年结转 = last year's 四、结转下年度继续办理.
- annual-in-force (AR-7, warning): 表一 现行有效件数 = last year's + 本年制发 − 本年废止.
- annual-text-figure (AR-8, warning): a figure written in a text section = its cell.
- annual-template (AR-9, error): in load.py, a row or column of the other template.
- annual-skipped (info): AR-6 or AR-7 not checked, and why (no report for last year).
"""
from __future__ import annotations

import re

from ..model.diagnostics import Location, Report
from . import forms
from .load import AnnualReport
from .scaffold import PLACEHOLDER

_TABLE2_ROWS = {t.id: t.table(forms.REQUESTS) for t in forms.TEMPLATES.values()}


def check_all(reports: dict[int, AnnualReport], report: Report) -> None:
    for year, annual in reports.items():
        check_one(annual, report)
        last = reports.get(year - 1)
        carry_over(annual, last, report)
        in_force(annual, last, report)


def check_one(annual: AnnualReport, report: Report) -> None:
    table2 = annual.template.table(forms.REQUESTS)
    balance(annual, table2, report)
    results_total(annual, table2, report)
    row_totals(annual, table2, report)
    review_totals(annual, annual.template.table(forms.REVIEWS), report)
    text_figures(annual, report)
    placeholders(annual, report)


def _known(annual: AnnualReport, table: forms.Table, cells: list) -> list | None:
    """The values of (row, column) cells, or None when one is missing (already an error)."""
    values = [annual.value(table, row.path, column) for row, column in cells]
    return None if any(v is None for v in values) else values


def _row(table: forms.Table, *path) -> forms.Row:
    return table.row(path)


def balance(annual: AnnualReport, table: forms.Table, report: Report) -> None:
    """AR-1: the 勾稽关系 printed in the table itself."""
    new, carried, total, out = (_row(table, forms.NEW), _row(table, forms.CARRIED_IN),
                                _row(table, forms.RESULTS, forms.RESULTS_TOTAL), _row(table, forms.CARRIED_OUT))
    for column in forms.APPLICANTS:
        values = _known(annual, table, [(new, column), (carried, column), (total, column), (out, column)])
        if values is None or values[0] + values[1] == values[2] + values[3]:
            continue
        a, b, c, d = values
        report.error(annual.locate((table.section, out.path, column)), "annual-balance",
                     f"{forms.cell_name(table, out, column)} 为 {d}，与勾稽关系不符：一 + 二 = {a} + {b} = {a + b}，"
                     f"（七）总计 + 四 = {c} + {d} = {c + d}",
                     f"应为 {a + b - c}（一 + 二 − （七）总计），或核对这一列的其他数字")


def results_total(annual: AnnualReport, table: forms.Table, report: Report) -> None:
    """AR-2: （七）总计 is the sum of every result row above it."""
    total = _row(table, forms.RESULTS, forms.RESULTS_TOTAL)
    parts = [r for r in table.rows if r.path[0] == forms.RESULTS and r is not total]
    for column in forms.APPLICANTS:
        values = _known(annual, table, [(r, column) for r in parts] + [(total, column)])
        if values is None or sum(values[:-1]) == values[-1]:
            continue
        report.error(annual.locate((table.section, total.path, column)), "annual-total",
                     f"{forms.cell_name(table, total, column)} 为 {values[-1]}，而（一）至（六）各行之和为 {sum(values[:-1])}",
                     "（七）总计 = 予以公开 + 部分公开 + 不予公开、无法提供、不予处理、其他处理的各小项")


def row_totals(annual: AnnualReport, table: forms.Table, report: Report) -> None:
    """AR-3: each row's 总计 is 自然人 plus the five kinds of 法人或其他组织."""
    for row in table.rows:
        values = _known(annual, table, [(row, c) for c in forms.APPLICANTS])
        if values is None or sum(values[:-1]) == values[-1]:
            continue
        report.error(annual.locate((table.section, row.path, forms.TOTAL)), "annual-row-total",
                     f"{forms.cell_name(table, row, forms.TOTAL)} 为 {values[-1]}，而自然人与法人或其他组织各列之和为 "
                     f"{sum(values[:-1])}", "总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他")


def review_totals(annual: AnnualReport, table: forms.Table, report: Report) -> None:
    """AR-4: in 表三, each group's four results add up to its 总计."""
    for row in table.rows:
        values = _known(annual, table, [(row, c) for c in forms.OUTCOME_COLUMNS])
        if values is None or sum(values[:-1]) == values[-1]:
            continue
        report.error(annual.locate((table.section, row.path, forms.TOTAL)), "annual-review-total",
                     f"{forms.cell_name(table, row, forms.TOTAL)} 为 {values[-1]}，而结果维持、结果纠正、其他结果、"
                     f"尚未审结之和为 {sum(values[:-1])}", "总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结")


def _skipped(annual: AnnualReport, rule: str, report: Report) -> None:
    report.info(Location(annual.shown), "annual-skipped",
                f"没有 {annual.year - 1} 年的年度报告（content/_annual/{annual.year - 1}.yaml），未核对{rule}",
                "把上一年度已公开的报告也录入，即可核对跨年度的数字")


def carry_over(annual: AnnualReport, last: AnnualReport | None, report: Report) -> None:
    """AR-6: what was carried over into this year is what last year carried out, column by column."""
    if last is None:
        _skipped(annual, "“二、上年结转政府信息公开申请数量”与上年“四、结转下年度继续办理”", report)
        return
    table, theirs = annual.template.table(forms.REQUESTS), last.template.table(forms.REQUESTS)
    into, out = _row(table, forms.CARRIED_IN), _row(theirs, forms.CARRIED_OUT)
    for column in forms.APPLICANTS:
        mine, before = annual.value(table, into.path, column), last.value(theirs, out.path, column)
        if mine is None or before is None or mine == before:
            continue
        report.error(annual.locate((table.section, into.path, column)), "annual-carry-over",
                     f"{forms.cell_name(table, into, column)} 为 {mine}，而 {last.year} 年报告的"
                     f"“{forms.CARRIED_OUT}” × “{column}” 为 {before}",
                     f"上年结转的申请数应等于上一年度报告结转下年度继续办理的数（{last.shown}）")


def in_force(annual: AnnualReport, last: AnnualReport | None, report: Report) -> None:
    """AR-7 (a warning: a document amended in the year can break it): in force = last year's + issued − repealed."""
    if annual.template.id != forms.T2021:
        return
    if last is None:
        _skipped(annual, "表一“现行有效件数”与上年", report)
        return
    if last.template.id != forms.T2021:
        return  # the 2019 template counts 对外公开总数量, not documents in force: nothing to carry on
    table = annual.template.table(forms.ACTIVE)
    for name in (forms.RULES, forms.NORMATIVE):
        row = _row(table, name)
        now, before = annual.value(table, row.path, forms.IN_FORCE), last.value(table, row.path, forms.IN_FORCE)
        issued, repealed = annual.value(table, row.path, forms.ISSUED), annual.value(table, row.path, forms.REPEALED)
        if None in (now, before, issued, repealed) or now == before + issued - repealed:
            continue
        report.warning(annual.locate((table.section, row.path, forms.IN_FORCE)), "annual-in-force",
                       f"{forms.cell_name(table, row, forms.IN_FORCE)} 为 {now}，而 {last.year} 年的 {before} + 本年制发 "
                       f"{issued} − 本年废止 {repealed} = {before + issued - repealed}",
                       "核对三个数；若是因为文件修改等原因确实不等，可在“六、其他需要报告的事项”中说明")


# -- AR-8: figures written in the text ---------------------------------------------------
_GAP = r"[^。；;，,\d]{0,16}?"
# (pattern, table section, row path, columns summed): a number in the text naming a figure of the tables
FIGURES = (
    (re.compile(r"新收(?:到)?" + _GAP + r"申请" + _GAP + r"(\d+)\s*件"), forms.REQUESTS, (forms.NEW,), None),
    (re.compile(r"上年结转" + _GAP + r"(\d+)\s*件"), forms.REQUESTS, (forms.CARRIED_IN,), None),
    (re.compile(r"结转下(?:一)?年度" + _GAP + r"(\d+)\s*件"), forms.REQUESTS, (forms.CARRIED_OUT,), None),
    (re.compile(r"(?:办结|办理完毕|答复)" + _GAP + r"申请" + _GAP + r"(\d+)\s*件"), forms.REQUESTS,
     (forms.RESULTS, forms.RESULTS_TOTAL), None),
    (re.compile(r"行政复议" + _GAP + r"(\d+)\s*件"), forms.REVIEWS, (forms.REVIEW,), None),
    (re.compile(r"行政诉讼" + _GAP + r"(\d+)\s*件"), forms.REVIEWS, None,
     ((forms.LAWSUIT, "未经复议直接起诉"), (forms.LAWSUIT, "复议后起诉"))),
)


def _text_location(annual: AnnualReport, section: str, text: str, offset: int) -> Location:
    at = annual.text_at[section]
    before = text[:offset]
    line = before.count("\n")
    col = offset - (before.rfind("\n") + 1)
    if at.block:
        return Location(annual.shown, at.line + line, at.col + col)
    return Location(annual.shown, at.line + line, (at.col if line == 0 else 1) + col)


def text_figures(annual: AnnualReport, report: Report) -> None:
    """AR-8: “本年新收政府信息公开申请 14 件” must be what 表二 says (its 总计 column)."""
    for section, text in annual.texts.items():
        for pattern, table_section, path, summed in FIGURES:
            table = annual.template.table(table_section)
            paths = summed or (path,)
            for match in pattern.finditer(text):
                values = [annual.value(table, p, forms.TOTAL) for p in paths]
                if any(v is None for v in values) or int(match.group(1)) == sum(values):
                    continue
                cells = "、".join(forms.cell_name(table, table.row(p), forms.TOTAL) for p in paths)
                report.warning(_text_location(annual, section, text, match.start(1)), "annual-text-figure",
                               f"“{section}”中写的“{match.group(0)}”与表中不一致：{cells} 为 {sum(values)}",
                               "正文中的数字应与表格一致：改正文或改表格")


def placeholders(annual: AnnualReport, report: Report) -> None:
    """A report to be published with a 待填写 note left in it; a draft (no `published`) may have them."""
    if annual.published is None:
        return
    for section, text in annual.texts.items():
        if PLACEHOLDER in text:
            report.error(_text_location(annual, section, text, text.index(PLACEHOLDER)), "annual-text",
                         f"“{section}”还有“{PLACEHOLDER}”的内容", "写好这一部分，删去（待填写）")
