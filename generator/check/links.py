"""Records that name each other by 索引号: a policy document replaced (已修改, 已废止) by
another (its field 替代文件), a 解读 and the document it explains (被解读文件索引号).

A record's own fields are checked with it (check_validity, in the worker); the numbers it
names are checked against the whole site once every 索引号 is settled (check_references:
build._index_numbers, sitecheck.check_site). Both pages show the link: related() gives each
public record what its page shows of the others, and that goes into its render key
(stages.record_pages), so a page is made again when a record it links to, or that links
to it, is edited, renamed, withdrawn or deleted.
"""
from __future__ import annotations

from typing import NamedTuple

from ..model.diagnostics import Location, Report
from ..model.records import REFERENCE_FIELDS, VALIDITY, VALIDITY_DATE, Head, Record

IN_FORCE = "有效"  # what a document without 有效性 is
DATED = ("已修改", "已废止", "失效")  # need the date they took effect: the page and the annual report show it
REPLACED = ("已修改", "已废止")  # may name the record that replaces them
INVERSE = {"replaced_by": "replaces", "explains": "explained_by"}  # what the named record's page shows
FIELD_OF = {role: name for name, role in REFERENCE_FIELDS.items()}


class Linked(NamedTuple):
    """Another record as a page shows it: title and URL empty when it is not published today."""
    index_no: str
    title: str
    url: str
    validity: str


def check_validity(record: Record, report: Report) -> None:
    """A document marked 已修改, 已废止 or 失效 says since when (an error without: the page
    and the annual report's counts need the date); 替代文件 goes with 已修改 or 已废止."""
    validity = record.fields.get(VALIDITY)
    if validity in DATED and not record.fields.get(VALIDITY_DATE):
        report.error(record.locate("fields." + VALIDITY), "validity-date",
                     f"有效性为“{validity}”，但没有填写{VALIDITY_DATE}",
                     f"在 fields: 下写 {VALIDITY_DATE}: 2026-05-01（文件{validity[-2:]}的日期）；"
                     "页面和年度报告按这个日期标注、统计")
    replacing = FIELD_OF["replaced_by"]
    if record.fields.get(replacing) and validity not in REPLACED:
        report.warning(record.locate("fields." + replacing), "replaced-in-force",
                       f"填写了{replacing}，但{VALIDITY}是“{validity or IN_FORCE}”，页面不会标注本文件已被替代",
                       f"被修改或废止的文件写 {VALIDITY}: 已修改 或 已废止，并写 {VALIDITY_DATE}")


def check_references(heads: list[Head], report: Report) -> None:
    """Every 索引号 a record names belongs to another record of the site (drafts and
    scheduled ones included: their link appears when they are published)."""
    known = {head.index_no for head in heads}
    for head in heads:
        for role, number, line, col in head.refs:
            where = Location(head.shown, line, col)
            if number == head.index_no:
                report.error(where, "self-reference", f"{FIELD_OF[role]}“{number}”是本记录自己的索引号",
                             "写另一条记录的索引号")
            elif number not in known:
                report.error(where, "unknown-index-no", f"{FIELD_OF[role]}“{number}”不是本站任何记录的索引号",
                             "写那条记录文件中 index_no: 的值（也显示在它页面的“信息基本情况”中）；"
                             "那条记录须在 content/ 中")


def _linked(head: Head | None, number: str) -> Linked:
    if head is None:
        return Linked(number, "", "", "")
    return Linked(number, head.title, head.url, head.validity or IN_FORCE)


def related(public: list[Head]) -> dict[str, tuple]:
    """Record source -> ((role, Linked), ...), sorted: what its page shows of the records it
    names and of those that name it; records without any are left out. `public`: the
    records published today (a link to any other shows its 索引号 only)."""
    by_number = {head.index_no: head for head in public}
    found: dict[str, list] = {}
    for head in public:
        for role, number, _line, _col in head.refs:
            target = by_number.get(number)
            found.setdefault(head.source, []).append((role, _linked(target, number)))
            if target is not None and target is not head:
                found.setdefault(target.source, []).append((INVERSE[role], _linked(head, head.index_no)))
    return {source: tuple(sorted(links)) for source, links in found.items()}
