"""A record page's 信息基本情况 as government sites show it (索引号, 主题分类, 发布机构, 成文日期,
发布日期, 文号 once, 有效性, 内容概述), the banner on a document that was modified, repealed
or has lapsed, and its links to the records it names or that name it (check/links.py).
Plain display values only: the template does no logic."""
from __future__ import annotations

from ..check.links import IN_FORCE, Linked
from ..config.catalog import Item
from ..config.fieldtypes import show
from ..config.site import SiteConfig
from ..model.records import REFERENCE_FIELDS, VALIDITY, VALIDITY_DATE, Record

DOC_NO = "文号"
ISSUED = "发布日期"  # a policy document's own date of issue: the block's 发布日期, the section's date 公开日期
_DONE = {"已修改": "修改", "已废止": "废止", "失效": "失效"}  # 有效性 -> what happened on its date
_SUCCESSOR = {"已修改": "修改后的文件", "已废止": "现行文件"}  # the banner's label of the replacing record
_LABELS = {"explains": "被解读文件", "explained_by": "政策解读", "replaced_by": "替代文件"}
_REPLACES = {"已修改": "本文件修改了", "已废止": "本文件替代了"}  # by the replaced record's 有效性


def block_fields(item: Item) -> frozenset:
    """The fields the block (or the links) show: not repeated in the page's list of fields."""
    return frozenset({DOC_NO, ISSUED, item.issuer_field, VALIDITY, VALIDITY_DATE, *REFERENCE_FIELDS} - {""})


def issuer(record: Record, item: Item, site: SiteConfig) -> str:
    """发布机构: the record's own issuing body where its item has such a field, else the department."""
    own = show(record.fields.get(item.issuer_field)) if item.issuer_field else ""
    return own or site.department


def metadata(record: Record, item: Item, site: SiteConfig, linked: tuple) -> dict:
    """The block's values, the banner (None for a document in force) and the related records."""
    fields = record.fields
    validity, when, shown_validity = "", "", ""
    if VALIDITY in item.field_map:
        validity = fields.get(VALIDITY) or IN_FORCE
        when = show(fields.get(VALIDITY_DATE))
        shown_validity = f"{validity}（{when}）" if when and validity != IN_FORCE else validity
    notice = _notice(validity, when, linked)
    issued = show(fields.get(ISSUED)) if ISSUED in item.field_map else ""
    return {"issuer": issuer(record, item, site), "topic": record.topic or item.topic, "issued": issued,
            "doc_no": show(fields.get(DOC_NO)) or "无", "summary": record.summary, "validity": shown_validity,
            "notice": notice, "related": _related(linked, skip_successor=notice is not None)}


def _notice(validity: str, when: str, linked: tuple) -> dict | None:
    if validity not in _DONE:
        return None
    successor = next((link for role, link in linked if role == "replaced_by"), None)
    return {"text": f"本文件已于 {when} {_DONE[validity]}。" if when else f"本文件已{_DONE[validity]}。",
            "label": _SUCCESSOR.get(validity, "") if successor else "", "link": successor}


def _related(linked: tuple, skip_successor: bool) -> list[tuple[str, Linked]]:
    shown = []
    for role, link in linked:
        if role == "replaced_by" and skip_successor:
            continue  # the banner names it
        label = _REPLACES.get(link.validity, "本文件替代了") if role == "replaces" else _LABELS[role]
        shown.append((label, link))
    return shown
