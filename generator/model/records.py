"""The record: one disclosure, as it flows from validation to rendering."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..config.fieldtypes import Period
from .diagnostics import Location

ROW_PERIOD = "公示期限"  # the row column whose end withdraws the row (seed 000's blacklist)
# Fields by which a record names another by its 索引号 (check/links.py): field -> the link's role
REFERENCE_FIELDS = {"替代文件": "replaced_by", "被解读文件索引号": "explains"}
VALIDITY, VALIDITY_DATE = "有效性", "有效性日期"  # of policy documents: 有效/已修改/已废止/失效, and since when


@dataclass(frozen=True)
class Attachment:
    path: Path  # absolute path of the file
    name: str  # file name, as written in the output
    title: str  # link text
    size: int  # bytes
    where: Location


class Row:
    """One row of a list: column name -> typed value (None when the cell is empty), where
    the row is, and where each cell is: (line, col) in a YAML or CSV file, or "Sheet1!C17"
    in a spreadsheet, kept raw because big lists have millions of cells and few ever need
    a location. A plain class rather than a dataclass, and a table row's own location found
    only when asked for: a big site's lists have close to a million rows, each made when
    checked and again when masked."""
    __slots__ = ("values", "_where", "positions")

    def __init__(self, values: dict, where: Location | None = None, positions=None):
        # where None: positions is a tables.CellPositions, which knows the row's location
        self.values, self._where, self.positions = values, where, {} if positions is None else positions

    @property
    def where(self) -> Location:
        if self._where is None:
            self._where = self.positions.row_location()
        return self._where

    def with_values(self, values: dict) -> "Row":
        """The same row with other values (its masked form)."""
        return Row(values, self._where, self.positions)

    def locate(self, column: str) -> Location:
        position = self.positions.get(column)
        if isinstance(position, str):
            return Location(self.where.path, cell=position)
        if position:
            return Location(self.where.path, *position)
        return self.where

    def __eq__(self, other) -> bool:  # as the dataclass it was: the positions are not compared
        if not isinstance(other, Row):
            return NotImplemented
        return (self.values, self.where) == (other.values, other.where)

    __hash__ = None  # its values are a dict

    def __repr__(self) -> str:
        return f"Row(values={self.values!r}, where={self.where!r})"

    def __reduce__(self):  # the location found first: a CellPositions crosses processes as a plain dict
        return Row, (self.values, self.where, self.positions)


@dataclass(frozen=True)
class Total:
    """A list's 合计 row (from a spreadsheet): checked against the rows when read, shown as
    the table's footer, never counted as a row nor published as open data."""
    label: str  # 合计 or 总计, as the sheet has it
    values: dict  # column name -> typed value, numeric columns only
    where: Location


@dataclass(frozen=True)
class Record:
    source: Path  # absolute path of the record file
    shown: str  # the path as diagnostics show it (relative to the site root)
    item_id: str
    slug: str
    title: str
    date: dt.date  # 信息形成或变更日期
    published: dt.date  # 公开日期
    index_no: str
    index_no_derived: bool = False
    projects: tuple[str, ...] = ()
    window: Period | None = None  # 公示期
    fields: dict = field(default_factory=dict)
    rows: tuple[Row, ...] = ()
    rows_source: str = ""  # the spreadsheet the rows came from, if any
    total: Total | None = None  # its 合计 row, if it has one
    attachments: tuple[Attachment, ...] = ()
    draft: bool = False
    body: str = ""
    body_line: int = 0  # line of the file where the body starts
    summary: str = ""  # 内容概述: shown in the metadata block, the feeds' description, the page's meta description
    topic: str = ""  # 主题分类 of this record, when not its item's
    where: dict = field(default_factory=dict, compare=False)  # key -> Location
    updated: dt.date | None = None  # 更新日期: set by the build from its register (check/pubdates.py)

    @property
    def category(self) -> str:
        return self.item_id.split("/", 1)[0]

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def row_ends(self) -> tuple:
        """Per row, the end of its 公示期限 (None when it has none); empty when no row has one."""
        ends = tuple(getattr(row.values.get(ROW_PERIOD), "end", None) for row in self.rows)
        return ends if any(ends) else ()

    @property
    def url(self) -> str:
        return f"{self.item_id}/{self.slug}.html"

    def locate(self, key: str) -> Location:
        return self.where.get(key) or Location(self.shown, 1, 1)


def tuple_reduce(self):
    """Pickled as the plain tuple it is, remade by tuple.__new__ in C: a named tuple's own
    __new__ is Python, run for every entry of the store that every build loads."""
    return tuple.__new__, (type(self), tuple(self))


class Head(NamedTuple):
    """A record without its contents (no rows, fields or body): what the section's shared
    pages, the feeds, the statistics and the build's bookkeeping need. A build of tens of
    thousands of records holds every head but never every row at once: a named tuple, one
    object rather than an object and its dict, as the store loads all of them on every build."""
    source: str  # the record's source, as a str: heads are loaded and keyed by the ten thousand
    shown: str
    item_id: str
    slug: str
    title: str  # masked
    date: dt.date
    published: dt.date
    index_no: str
    index_no_derived: bool = False
    projects: tuple[str, ...] = ()
    window: Period | None = None
    draft: bool = False
    row_count: int = 0
    row_ends: tuple = ()  # per row, the end of its 公示期限 or None; empty when no row has one
    rows_source: str = ""
    attachments: tuple[Attachment, ...] = ()  # titles masked
    index_no_at: tuple = ()  # (line, col) of the 索引号 in the file, when it has one
    validity: str = ""  # 有效性 of a policy document ("" when it has none: 有效)
    refs: tuple = ()  # (role, 索引号, line, col) of each record it names (REFERENCE_FIELDS)
    updated: dt.date | None = None  # 更新日期, set by the build from its register (check/pubdates.py)

    __reduce__ = tuple_reduce

    @property
    def category(self) -> str:
        return self.item_id.split("/", 1)[0]

    @property
    def url(self) -> str:
        return f"{self.item_id}/{self.slug}.html"

    def locate(self, key: str) -> Location:
        if key == "index_no" and self.index_no_at:
            return Location(self.shown, *self.index_no_at)
        return Location(self.shown, 1, 1)


def references(record: Record) -> tuple:
    """(role, 索引号, line, col) of each record this one names by its 索引号."""
    refs = []
    for name, role in REFERENCE_FIELDS.items():
        value = record.fields.get(name)
        if value:
            where = record.locate("fields." + name)
            refs.append((role, value, where.line, where.col))
    return tuple(refs)


def head_of(record: Record, masked: Record) -> Head:
    """The head of a record: dates and numbers from the checked record, texts from its masked form."""
    index_where = record.where.get("index_no")
    return Head(str(record.source), record.shown, record.item_id, record.slug, masked.title, record.date,
                record.published, record.index_no, record.index_no_derived, record.projects, record.window,
                record.draft, len(record.rows), record.row_ends, record.rows_source,
                masked.attachments, (index_where.line, index_where.col) if index_where else (),
                record.fields.get(VALIDITY) or "", references(record))
