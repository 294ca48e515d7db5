"""Open data: every list item's rows as CSV and JSON, for researchers and inspectors.

One file pair per list item (`data/<category>/<item>.csv` and `.json`), holding the
rows of all its public records, newest record first. Values are the masked ones the
pages show; unpublished columns are left out; columns follow the catalog's order,
after three columns naming the record each row comes from. The CSV starts with a
byte-order mark so that Excel opens Chinese text correctly.

CSV cells and header cells that a spreadsheet would take for a formula (starting with
`=`, `+`, `-`, `@`, a tab or a carriage return: `-2+3+cmd|' /C calc'!A0`, a local column
named `=HYPERLINK(…)`) get a leading `'`, as OWASP advises against CSV injection. A cell that
is a plain number (`-12.5`, `+3`) or only hyphens (`-`, written for 无) is no formula and is
kept as it is, so negative amounts stay numbers. JSON is data, not a sheet: its values and
keys are kept exactly.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode
from operator import add
from pathlib import Path

from ..config.catalog import Item
from ..config.fieldtypes import show
from ..config.site import SiteConfig
from ..incremental import keys
from ..model.records import Record

SOURCE_COLUMNS = ("索引号", "信息名称", "公开日期")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # Excel would run these as formulas
_NO_FORMULA = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?|-+")  # a plain number, or a dash for 无
_COMMA = itertools.repeat(", ")
_CSV_SPECIAL = '"\r=+@\t'  # a cell holding one may need quoting or may start a formula (commas and line breaks are counted;
# `-`, common inside dates and numbers, is looked for only where a cell starts)


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


def _csv_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) and not _NO_FORMULA.fullmatch(text) else text


def fragment(item: Item, record: Record, rows: list[list[str]]) -> tuple[int, bytes, bytes]:
    """One record's part of its item's data files: (rows, CSV lines, JSON rows one per line),
    UTF-8, from its rows as shown (render.display_rows). Each record's part is made once,
    when the record is rendered, and kept for later builds as bytes: a large site's data
    files are big, and are read back and written out as they are, never decoded and encoded
    again (docs/performance.md)."""
    source = [record.index_no, record.title, show(record.published)]
    keys = (*SOURCE_COLUMNS, *columns(item))
    return len(rows), _csv_lines(source, rows).encode(), ",\n  ".join(_json_rows(keys, source, rows)).encode()


def _csv_lines(source: list[str], rows: list[list[str]]) -> str:
    """The CSV lines of the rows, each after the source cells, as csv.writer writes them
    (RFC 4180: quoted as needed, CRLF line ends). When no cell needs quoting or could start
    a formula, which is nearly always, the lines are joined as they are, much faster than
    csv.writer (docs/performance.md)."""
    csv_source = [_csv_cell(cell) for cell in source]
    lines = [",".join(row) for row in rows]
    text = "\n".join(lines)
    if rows and all(rows) and text.count("\n") == len(rows) - 1 and \
            text.count(",") == sum(map(len, rows)) - len(rows) and not any(c in text for c in _CSV_SPECIAL) and \
            not text.startswith("-") and ",-" not in text and "\n-" not in text:
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerow(csv_source)
        lead = buffer.getvalue()[:-2] + ","  # the source cells, quoted as needed, start every line
        return lead + ("\r\n" + lead).join(lines) + "\r\n"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([*csv_source, *map(_csv_cell, row)] for row in rows)
    return buffer.getvalue()


def _json_rows(keys: tuple, source: list[str], rows: list[list[str]]) -> list[str]:
    """Each row as json.dumps(dict(zip(keys, cells)), ensure_ascii=False) writes it, made
    from the cells' encoded strings: the same text, without a dict and a dumps() per row
    (docs/performance.md)."""
    if len(set(keys)) < len(keys):  # a column named like a source column: the dict keeps one
        return [json.dumps(dict(zip(keys, [*source, *row])), ensure_ascii=False) for row in rows]
    prefixes = [_encode(key) + ": " for key in keys]
    head = "{" + ", ".join(map(add, prefixes, map(_encode, source)))
    tail = prefixes[len(source):]
    return [head + "".join(map(add, _COMMA, map(add, tail, map(_encode, row)))) + "}" for row in rows]


class _Out:
    """A file written piece by piece, with the digest of what was written."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(path, "wb")
        self.digest = keys.hasher()

    def write(self, text: str | bytes) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        self.handle.write(data)
        self.digest.update(data)

    def close(self) -> bytes:
        self.handle.close()
        return self.digest.digest()


def write_files(site: SiteConfig, item: Item, rows: int, fragments, csv_path: Path, json_path: Path) -> tuple:
    """The item's CSV and JSON files, written from its records' fragments (newest record
    first) one at a time, so that a list of millions of rows is never held at once.
    `rows`: how many rows the fragments hold. Returns the two files' digests."""
    csv_out, json_out = _Out(csv_path), _Out(json_path)
    header = io.StringIO(newline="")
    csv.writer(header).writerow([_csv_cell(name) for name in (*SOURCE_COLUMNS, *columns(item))])
    csv_out.write("\ufeff" + header.getvalue())  # the byte-order mark Excel needs
    head = {"事项": item.name, "编号": item.id, "公开主体": site.department,
            "网页": site.base_url + f"{item.id}/index.html",
            "列": [*SOURCE_COLUMNS, *columns(item)], "行数": rows}
    json_out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2])  # without its closing "\n}"
    json_out.write(',\n "行": [' if rows else ',\n "行": []\n}\n')
    first = True
    for count, csv_data, json_data in fragments:
        csv_out.write(csv_data)
        if count:
            json_out.write("\n  " if first else ",\n  ")
            json_out.write(json_data)
            first = False
    if rows:
        json_out.write("\n ]\n}\n")
    return csv_out.close(), json_out.close()


def order(records: list) -> list:
    """Newest record first, as the item's pages list them."""
    return sorted(records, key=lambda r: (r.published, r.date, r.index_no), reverse=True)
