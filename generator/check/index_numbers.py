"""索引号 across the site: duplicates are errors, a missing one is derived from the record's path."""
from __future__ import annotations

import zlib
from dataclasses import replace

from ..config.site import SiteConfig, index_pattern
from ..model.diagnostics import Location, Report
from ..model.records import Record


def assign_index_numbers(records: list[Record], site: SiteConfig, report: Report) -> list[Record]:
    """Duplicate 索引号 are errors; a missing one gets a warning and a number derived
    from the record's path, stable across builds, until staff write one in."""
    first: dict[str, Record] = {}
    kept = []
    form = index_pattern(site)
    ordered = sorted(records, key=lambda r: r.shown)
    for record in ordered:
        if not record.index_no:
            continue
        if not form.fullmatch(record.index_no):
            example = site.index_format.format(prefix=site.index_prefix, year=record.date.year,
                                               month=record.date.month, serial=1)
            report.warning(record.locate("index_no"), "index-no-format",
                           f"索引号“{record.index_no}”不符合本站的格式（如 {example}）",
                           "已经公开的索引号不再改变，可以保留；新记录请按 site.yaml 的 index_prefix 和 "
                           "index_format 编号（python -m generator new 会自动取号）")
        if record.index_no in first:
            report.error(record.locate("index_no"), "duplicate-index-no",
                         f"索引号“{record.index_no}”与 {first[record.index_no].shown} 重复",
                         "索引号必须唯一且一经公开不再改变；给较新的记录换一个流水号")
            continue
        first[record.index_no] = record
    used = set(first)
    for record in ordered:
        if record.index_no:
            if first.get(record.index_no) is record:
                kept.append(record)
            continue
        serial = 90000 + zlib.crc32(record.shown.encode()) % 10000
        number = site.index_format.format(prefix=site.index_prefix, year=record.date.year,
                                          month=record.date.month, serial=serial)
        while number in used:
            serial = serial + 1 if serial < 99999 else 90000
            number = site.index_format.format(prefix=site.index_prefix, year=record.date.year,
                                              month=record.date.month, serial=serial)
        used.add(number)
        report.warning(Location(record.shown, 1, 1), "missing-index-no", f"记录没有索引号，暂用 {number}",
                       f"请写入本年度下一个流水号（用 python -m generator new 新建的记录会自动填好），"
                       f"或写入 index_no: {number}；索引号一经公开不再改变")
        kept.append(_numbered(record, number))
    return kept


def _numbered(record, number: str):
    """A record, or a head (a named tuple), under a derived 索引号."""
    if isinstance(record, tuple):
        return record._replace(index_no=number, index_no_derived=True)
    return replace(record, index_no=number, index_no_derived=True)
