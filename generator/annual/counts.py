"""表一's figures the section already knows: 规章 and 行政规范性文件 issued, repealed and in
force in a year, counted from the policy documents' 文件类型 and 有效性 (schema.yaml).

Each checked policy record carries its `facts` (a small tuple, kept in the store with its
check), so counting reads no file again. Only the department's own documents count
(发布部门 is the site's department): a 规章 of the city government published here for
reference is not the bureau's. A cell left out of the report is filled with the count; a
cell given that differs is a warning naming both numbers (annual-records-differ).
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from ..model.diagnostics import Report
from . import forms
from .load import AnnualReport

POLICY_ITEMS = ("policy/laws", "policy/documents")
GONE = ("已废止", "失效")


class Facts(NamedTuple):
    """What the count reads of one policy record."""
    kind: str  # 文件类型, "" when not given
    validity: str  # 有效性, "" (= 有效) when not given
    validity_date: dt.date | None
    department: str
    issued: dt.date  # 发布日期, else the record's date


def facts_of(record) -> tuple:
    """(the record's Facts,) when it is a policy document with a 文件类型 the report counts, else ()."""
    if record.item_id not in POLICY_ITEMS:
        return ()
    fields = record.fields
    kind = fields.get("文件类型") or ""
    if kind not in (forms.RULES, forms.NORMATIVE):
        return ()
    return (Facts(kind, fields.get("有效性") or "", fields.get("有效性日期"), str(fields.get("发布部门") or ""),
                  fields.get("发布日期") or record.date),)


def count(all_facts: list, department: str, year: int) -> dict:
    """(row, column) -> count for 规章 and 行政规范性文件 in `year`."""
    end = dt.date(year, 12, 31)
    counts = {(row, column): 0 for row in (forms.RULES, forms.NORMATIVE)
              for column in (forms.ISSUED, forms.REPEALED, forms.IN_FORCE)}
    for facts in all_facts:
        if facts.department.strip() != department:
            continue
        gone = facts.validity in GONE
        if facts.issued.year == year:
            counts[(facts.kind, forms.ISSUED)] += 1
        if gone and facts.validity_date is not None and facts.validity_date.year == year:
            counts[(facts.kind, forms.REPEALED)] += 1
        ended = gone and (facts.validity_date is None or facts.validity_date <= end)
        if facts.issued <= end and not ended:
            counts[(facts.kind, forms.IN_FORCE)] += 1
    return counts


def fill(annual: AnnualReport, all_facts: list, department: str, report: Report) -> None:
    """Fill the cells left out from the records; warn where a cell given differs from them."""
    if annual.template.id != forms.T2021:
        return
    table = annual.template.table(forms.ACTIVE)
    for (name, column), n in count(all_facts, department, annual.year).items():
        key = (table.section, (name,), column)
        if key in annual.left_out:
            annual.cells[key] = n
            annual.counted[key] = n
            continue
        given = annual.cells.get(key)
        if given is not None and given != n:
            report.warning(annual.locate(key), "annual-records-differ",
                           f"{forms.cell_name(table, table.row((name,)), column)} 填写为 {given}，"
                           f"而按本专栏法规政策记录统计为 {n}",
                           "核对记录的文件类型、发布部门、有效性和有效性日期；删去这一行则采用统计数")
