"""Masking: the stage after which no raw personal value is left in a record.

Templates only ever receive the records this stage returns, so they cannot print
what they never get. Every raw value masked here is remembered as a secret for the
leak gate, which scans the written output for them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .catalog import Catalog, FieldSpec
from .config import SiteConfig
from .records import Record, Row

COMPOUND_SURNAMES = {
    "欧阳", "太史", "端木", "上官", "司马", "东方", "独孤", "南宫", "万俟", "闻人", "夏侯", "诸葛", "尉迟",
    "公羊", "赫连", "澹台", "皇甫", "宗政", "濮阳", "公冶", "太叔", "申屠", "公孙", "慕容", "仲孙", "钟离",
    "长孙", "宇文", "司徒", "鲜于", "司空", "闾丘", "子车", "亓官", "司寇", "巫马", "公西", "颛孙", "壤驷",
    "公良", "漆雕", "乐正", "宰父", "谷梁", "拓跋", "夹谷", "轩辕", "令狐", "段干", "百里", "呼延", "东郭",
    "南门", "羊舌", "微生", "公户", "公玉", "公仪", "梁丘", "公仲", "公上", "公门", "公山", "公坚", "左丘",
    "公伯", "西门", "公祖", "第五", "公乘", "贯丘", "公皙", "南荣", "东里", "东宫", "仲长", "子书", "子桑",
    "即墨", "达奚", "褚师", "吴铭",
}


def mask_id_card(number: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """440***1010: the birth date (8 of 18 digits, 6 of 15) is never shown."""
    if len(number) == 15:
        keep_end = min(keep_end, 3)
    keep_start = min(keep_start, 6)
    return number[:keep_start] + "***" + (number[-keep_end:] if keep_end else "")


def mask_phone(number: str) -> str:
    """138****5678 for a mobile; other numbers keep their first 3 and last 4 digits too."""
    if len(number) <= 7:
        return number[:1] + "*" * (len(number) - 1)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """张** ; compound surnames stay whole: 欧阳**."""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return surname + "*" * (len(name) - len(surname))


@dataclass
class MaskResult:
    records: list
    secrets: set = field(default_factory=set)  # raw values that must never be output
    counts: Counter = field(default_factory=Counter)  # record source path -> values masked


class _Masker:
    def __init__(self, site: SiteConfig):
        self.privacy = site.privacy
        self.secrets: set[str] = set()
        self.count = 0

    def value(self, spec: FieldSpec, value):
        """The published form of a value, or None to drop it (unpublished fields)."""
        if value is None:
            return None
        if not spec.publish:
            self.secrets.add(str(value))
            return None
        if spec.type == "id_card":
            self.secrets.add(value)
            self.count += 1
            return mask_id_card(value, self.privacy.id_keep_start, self.privacy.id_keep_end)
        if spec.type == "phone" and spec.mask and value not in self.privacy.hotlines:
            self.secrets.add(value)
            self.count += 1
            return mask_phone(value)
        if spec.type == "name" and (spec.mask or self.privacy.mask_names):
            self.count += 1
            return mask_name(value)
        if spec.type == "bank_card":
            self.secrets.add(value)
            self.count += 1
            return "*" * (len(value) - 4) + value[-4:]
        return value

    def mapping(self, specs: dict, values: dict) -> dict:
        out = {}
        for name, value in values.items():
            spec = specs[name]
            if spec.publish:
                out[name] = self.value(spec, value)
            else:
                self.value(spec, value)  # remembered as a secret, never published
        return out


def mask_records(records: list[Record], catalog: Catalog, site: SiteConfig) -> MaskResult:
    masker = _Masker(site)
    result = MaskResult([])
    for record in records:
        item = catalog.by_id[record.item_id]
        before = masker.count
        fields = masker.mapping(item.field_map, record.fields)
        rows = tuple(Row(masker.mapping(item.row_map, row.values), row.where) for row in record.rows)
        result.records.append(replace(record, fields=fields, rows=rows, where={}))
        result.counts[record.source] = masker.count - before
    result.secrets = masker.secrets
    return result
