"""Open data: every list item's rows as CSV and JSON, for researchers and inspectors.

One file pair per list item (`data/<category>/<item>.csv` and `.json`), holding the
rows of all its public records, newest record first. Values are the masked ones the
pages show; unpublished columns are left out; columns follow the catalog's order,
after three columns naming the record each row comes from. The CSV starts with a
byte-order mark so that Excel opens Chinese text correctly.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from .catalog import Catalog, Item
from .config import SiteConfig
from .records import Record
from .fieldtypes import show

SOURCE_COLUMNS = ("索引号", "信息名称", "公开日期")
_FORMULA_START = ("=", "+", "@", "\t", "\r")  # Excel would run these as formulas


@dataclass(frozen=True)
class DataLink:
    label: str
    url: str  # relative to the section root


def has_data(item: Item) -> bool:
    return bool(item.rows) and not item.on_request_only


def columns(item: Item) -> list[str]:
    """The published list columns, in catalog order."""
    return [spec.name for spec in item.rows if spec.publish]


def links_for(item: Item | None) -> list[DataLink]:
    if item is None or not has_data(item):
        return []
    return [DataLink("CSV 表格", f"data/{item.id}.csv"), DataLink("JSON 数据", f"data/{item.id}.json")]


def _rows(item: Item, records: list[Record]) -> list[dict]:
    out = []
    for record in records:
        source = (record.index_no, record.title, show(record.published))
        for row in record.rows:
            values = dict(zip(SOURCE_COLUMNS, source))
            values.update((name, show(row.values.get(name))) for name in columns(item))
            out.append(values)
    return out


def _csv_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(item: Item, rows: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # RFC 4180: quoted as needed, CRLF line ends
    header = [*SOURCE_COLUMNS, *columns(item)]
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in header])
    return buffer.getvalue().encode("utf-8-sig")


def to_json(site: SiteConfig, item: Item, rows: list[dict]) -> bytes:
    data = {"事项": item.name, "编号": item.id, "公开主体": site.department,
            "网页": site.base_url + f"{item.id}/index.html",
            "列": [*SOURCE_COLUMNS, *columns(item)], "行数": len(rows), "行": rows}
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def opendata(site: SiteConfig, catalog: Catalog, records: list[Record]) -> dict[str, bytes]:
    """{path: bytes} for every list item of the site's level, from the masked public records."""
    visible = catalog.for_level(site.level)
    by_item: dict[str, list[Record]] = {item.id: [] for item in visible.items if has_data(item)}
    for record in records:
        if record.item_id in by_item:
            by_item[record.item_id].append(record)
    files = {}
    for item_id, item_records in by_item.items():
        item = visible.by_id[item_id]
        item_records.sort(key=lambda r: (r.published, r.date, r.index_no), reverse=True)
        rows = _rows(item, item_records)
        files[f"data/{item_id}.csv"] = to_csv(item, rows)
        files[f"data/{item_id}.json"] = to_json(site, item, rows)
    return files
