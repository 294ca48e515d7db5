"""Rendering: masked records and the catalog become the pages of the section.

Every page is a (path, bytes) pair; links between pages are relative, so the section
works under any path of the CMS. Templates get plain display values only.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
from markupsafe import Markup, escape

from .. import HOME
from ..config.catalog import STAGES, Catalog, Item
from ..config.fieldtypes import show
from ..config.site import SiteConfig, theme_dir
from ..incremental import seal
from ..incremental.keys import key_of
from ..model.records import Head, Record
from ..model.section import SectionInput
from ..outputs import feeds, opendata
from ..outputs.search import OUTPUT as SEARCH_INDEX
from . import metadata, pagemeta
from .markup import Markdown

ROWS_PER_PAGE = 100
EXPIRED_SHOWN = 20  # lines of expired 公示 an item list shows, newest first
PACKAGE_TEMPLATES = HOME / "templates"

def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


FILE_TYPES = {".pdf": "PDF 文档", ".doc": "Word 文档", ".docx": "Word 文档", ".xls": "Excel 表格",
              ".xlsx": "Excel 表格", ".csv": "CSV 表格", ".txt": "文本文件", ".ods": "表格", ".zip": "压缩包",
              ".jpg": "图片", ".jpeg": "图片", ".png": "图片", ".wps": "WPS 文档", ".et": "WPS 表格"}


def _cells(row: list[str]) -> str:
    """`<td>` cells of a row, escaped in one call: a separator no cell holds is escaped
    as itself, so the row is joined, escaped and split again."""
    text = str(escape("\x00".join(row)))
    if text.count("\x00") != len(row) - 1:  # a cell held the separator after all
        return "".join(f"<td>{escape(cell)}</td>" for cell in row)
    return "<td>" + text.replace("\x00", "</td><td>") + "</td>" if row else ""


def row_lines(rows: list[list[str]], offset: int = 0) -> list[str]:
    """Each row's `<tr>` line of a list table, numbered from offset + 1. Long lists are most
    of a big site's pages: all the rows' cells are escaped in one call, joined by separators
    no cell holds (checked), then split again, instead of a Jinja loop per cell
    (docs/performance.md)."""
    text = str(escape("\x01".join(["\x00".join(row) for row in rows])))
    if not all(rows) or text.count("\x01") != len(rows) - 1 or \
            text.count("\x00") != sum(map(len, rows)) - len(rows):  # a row without cells, or a cell held a separator
        return [f"    <tr><td>{offset + n}</td>{_cells(row)}</tr>\n" for n, row in enumerate(rows, 1)]
    cells = text.replace("\x00", "</td><td>").split("\x01")
    return [f"    <tr><td>{n}</td><td>{line}</td></tr>\n" for n, line in enumerate(cells, offset + 1)]


def display_rows(record: Record, item: Item) -> list[list[str]]:
    """The published cells of a list, as citizens read them: shared by its pages and its open data."""
    columns = [spec.name for spec in item.rows if spec.publish]
    # most cells are text already: show() is called for the others only (a list has thousands of cells),
    # and whole numbers and dates, the most common of those, are shown as show() would without the call
    return [[v if type(v) is str else _SHOWN_AS.get(type(v), show)(v) for v in map(row.values.get, columns)]
            for row in record.rows]


_SHOWN_AS = {int: str, dt.date: dt.date.isoformat}  # exactly these types: as fieldtypes.show() shows them


def row_projects(record: Record) -> dict[str, str]:
    """The project codes a list's rows give, each with the name of its first row."""
    projects: dict[str, str] = {}
    for row in record.rows:
        code = row.values.get("项目编码")
        if code:
            projects.setdefault(code, show(row.values.get("项目名称")))
    return projects


@dataclass(frozen=True)
class Gone:
    """A record page that was public and is no longer: it gets a 已撤下 page."""
    path: str
    item_id: str
    ended: dt.date | None = None  # the end of its 公示期, when that is why


def expired_period(record: Head) -> tuple[str, str]:
    """(from, to) of a withdrawn record's 公示: its window, or for a list whose rows have all
    expired, its publication to its rows' last 公示期限. Dates only: its title may name people."""
    if record.window is not None:
        return show(record.window.start), show(record.window.end)
    return show(record.published), show(max(end for end in record.row_ends if end is not None))


def expired_lines(withdrawn: list[Head], items: set) -> dict[str, list[tuple[str, str]]]:
    """Item id -> the periods of its expired 公示, newest first: what keeps a column from
    going blank overnight when its last 公示 ends."""
    lines: dict[str, list[tuple[str, str]]] = {}
    for record in withdrawn:
        if record.item_id in items:
            lines.setdefault(record.item_id, []).append(expired_period(record))
    for periods in lines.values():
        periods.sort(key=lambda p: (p[1], p[0]), reverse=True)
    return lines


def record_paths(record: Record | Head) -> list[str]:
    """Every page of a record: its list is split into pages of ROWS_PER_PAGE rows."""
    pages = max(1, math.ceil(record.row_count / ROWS_PER_PAGE))
    base = f"{record.item_id}/{record.slug}"
    return [f"{base}.html" if n == 1 else f"{base}-{n}.html" for n in range(1, pages + 1)]


class SealedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's FileSystemBytecodeCache, each file sealed (seal.py): the files hold code that
    runs, so one not sealed with this account's key is compiled again instead."""

    def __init__(self, folder: Path):
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = seal.read(self.folder / f"{bucket.key}.cache", b"template")
        if payload is not None:
            bucket.bytecode_from_string(payload)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            seal.write(self.folder / f"{bucket.key}.cache", bucket.bytecode_to_string(), b"template")
        except OSError:
            pass  # compiled again next time


def _bytecode_cache(site: SiteConfig) -> jinja2.BytecodeCache | None:
    """Compiled templates kept in .cache/templates beside site.yaml: compiling them is a
    good part of a small rebuild. Jinja checks each template's source before using it."""
    folder = site.root / ".cache" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return SealedBytecodeCache(folder)


class Listed:
    """A record as a list shows it (home, item lists, project pages), with a short key of
    what it shows, so that a page listing hundreds of records is keyed cheaply."""
    __slots__ = ("url", "title", "date", "published", "item", "key")

    def __init__(self, record: Head, item: Item):
        self.url, self.title, self.item = record.url, record.title, item
        self.date, self.published = show(record.date), show(record.published)
        self.key = repr((self.url, self.title, self.date, self.published, item.id))


def _fingerprint(value) -> str:
    """What a template context shows, as text: Listed records by their key, the rest by repr."""
    if isinstance(value, Listed):
        return value.key
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(map(_fingerprint, value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_fingerprint(v)}" for k, v in value.items()) + "}"
    return repr(value)


@dataclass
class Link:
    label: str
    url: str  # relative to the section root


class Renderer:
    def __init__(self, site: SiteConfig, catalog: Catalog, today: dt.date):
        self.site, self.catalog, self.today = site, catalog, today
        search = [theme_dir(site) / "templates", site.templates_dir, PACKAGE_TEMPLATES]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in search if p.is_dir()]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True, bytecode_cache=_bytecode_cache(site),
            auto_reload=False)  # a build renders thousands of pages: no stat of the template files for each
        self.markdown = Markdown()
        self.pages: dict[str, bytes] = {}
        self.reports: dict = {}  # year -> stats.YearStats, while section() runs
        self.search_folders: tuple = (SEARCH_INDEX + "/",)  # the search index's shards, while section() runs
        self.listings: dict = {}  # record source -> Listed, made once a build
        self.visible = catalog.for_level(site.level)
        self.categories = [(c, self.visible.items_of(c.id)) for c in self.visible.categories]
        self._into = None  # (ledger, context digest) while shared pages are made: see _writing()

    # -- helpers ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self, ledger, context: bytes):
        """Pages made meanwhile go to the ledger (publish/ledger.py), each a group of its own
        keyed by everything it shows (`context`: the digest of the code, templates, theme and
        settings), and one whose key is the last build's is not rendered again."""
        self._into = (ledger, context)
        try:
            yield
        finally:
            self._into = None

    def _reused(self, path: str, template: str, title: str, crumbs, meta: dict, shown: str) -> bool:
        """`shown`: all the page's context shows, as text."""
        ledger, context = self._into
        return ledger.reuse(f"page:{path}", key_of(context, repr((path, template, title, crumbs, meta)), shown))

    def emit(self, path: str, template: str, title: str, crumbs: list[Link], meta: dict, **context) -> None:
        if self._into is not None and self._reused(path, template, title, crumbs, meta,
                                                   _fingerprint(dict(sorted(context.items())))):
            return
        self._render_page(path, template, title, crumbs, meta, context)

    def html(self, path: str, template: str, title: str, crumbs: list[Link], meta: dict, context: dict) -> bytes:
        """A page's bytes, for stages that keep their pages in a group of their own (annual/pages.py)."""
        depth = len(PurePosixPath(path).parts) - 1
        root = "../" * depth
        if "description" not in meta:  # keyed already: made from the title, the path and site.yaml
            meta = {"description": pagemeta.section_description(self.site, title, path), **meta}
        return self.env.get_template(template).render(
            site=self.site, root=root, path=path, title=title, crumbs=crumbs, meta=meta,
            footer=pagemeta.footer(self.site, path), categories=self.categories,
            feeds=feeds.links_for(self.site, context.get("category"), context.get("item")),
            **context).encode("utf-8")

    def _render_page(self, path: str, template: str, title: str, crumbs: list[Link], meta: dict,
                     context: dict) -> None:
        html = self.html(path, template, title, crumbs, meta, context)
        if self._into is None:
            self.pages[path] = html
        else:
            self._into[0].put(f"page:{path}", path, html)

    def column_meta(self, name: str, description: str, column_type: str) -> dict:
        return {"ColumnName": name, "ColumnDescription": description or name,
                "ColumnKeywords": ",".join(self.site.keywords + (name,)), "ColumnType": column_type}

    def listed(self, record: Head) -> Listed:
        found = self.listings.get(record.source)
        if found is None:
            found = self.listings[record.source] = Listed(record, self.catalog.by_id[record.item_id])
        return found

    def record_view(self, record: Record) -> dict:
        item = self.catalog.by_id[record.item_id]
        return {"record": record, "item": item, "url": record.url, "title": record.title,
                "date": show(record.date), "published": show(record.published), "updated": show(record.updated)}

    def field_views(self, record: Record, item: Item) -> list[tuple[str, str, bool]]:
        """(name, text or HTML, is_html) for each published field of a document, but those
        the metadata block shows (文号 once)."""
        views = []
        in_block = metadata.block_fields(item)
        for spec in item.fields:
            if not spec.publish or spec.name in in_block:
                continue
            value = show(record.fields.get(spec.name))
            if spec.type == "markdown" and value:
                views.append((spec.name, self.markdown.convert(value, 4), True))
            else:
                views.append((spec.name, value, False))
        return views

    # -- pages ----------------------------------------------------------------------------
    def section(self, section: SectionInput, reports: dict, ledger, context: bytes, projects: dict) -> None:
        """The pages shared by many records (home, catalog, categories, item lists, projects,
        reports, search), from `section` alone, into the ledger; `reports`: year ->
        stats.YearStats of the section's heads; `projects`: section.projects' codes, unpickled
        (record source -> code -> name)."""
        self.reports, self.search_folders = reports, section.search_folders
        with self._writing(ledger, context):
            self._section(section.seen.public, projects, section.seen.withdrawn,
                          {note.item_id: note for note in section.notes})

    def _section(self, records: list[Head], projects: dict, withdrawn: list[Head], notes: dict) -> None:
        visible = self.visible
        by_item: dict[str, list[Head]] = {item.id: [] for item in visible.items}
        expired = expired_lines(withdrawn, {i.id for i in visible.items if not i.on_request_only})
        for record in records:
            if record.item_id in by_item and not visible.by_id[record.item_id].on_request_only:
                by_item[record.item_id].append(record)
        for item_records in by_item.values():
            item_records.sort(key=lambda r: (r.published, r.date, r.index_no), reverse=True)
        published = sorted((r for rs in by_item.values() for r in rs),
                           key=lambda r: (r.published, r.date, r.index_no), reverse=True)
        stats = {item_id: (len(rs), show(rs[0].published) if rs else "") for item_id, rs in by_item.items()}
        self.home(published, stats)
        self.catalog_page(visible, stats)
        for category, items in self.categories:
            self.category_page(category, items, stats)
            for item in items:
                self.item_pages(item, by_item[item.id], notes.get(item.id), expired.get(item.id, []))
        self.project_pages(published, projects)
        self.report_pages()
        self.search_page()

    def pages_of(self, record: Record, rows: list[list[str]] | None = None, linked: tuple = ()) -> dict[str, bytes]:
        """The pages of one masked public record; `rows`: its display_rows(), when known;
        `linked`: what it shows of the records it links to or that link to it (check/links.related)."""
        self.pages = {}
        self.record_pages(record, self.catalog.by_id[record.item_id], rows, linked)
        return self.pages

    def search_page(self) -> None:
        """The same HTML whether or not an index gets built: the page's script says when search is missing."""
        self.emit("search/index.html", "search.html", "搜索", [Link("搜索", "search/index.html")],
                  self.column_meta("搜索", "搜索本专栏公开的信息", "搜索"),
                  search_bundle=self.search_folders[0], search_merged=" ".join(self.search_folders[1:]))

    def home(self, published: list[Record], stats: dict) -> None:
        latest = [self.listed(r) for r in published[:15]]
        self.emit("index.html", "home.html", self.site.title, [], self.column_meta(self.site.title, self.site.description, "首页"),
                  latest=latest, stats=stats, report_years=sorted(self.reports, reverse=True))

    def catalog_page(self, visible: Catalog, stats: dict) -> None:
        crumbs = [Link("公开目录", "catalog/index.html")]
        self.emit("catalog/index.html", "catalog.html", "公开目录", crumbs,
                  self.column_meta("公开目录", "保障性住房领域政务公开标准目录", "目录"), stats=stats,
                  feed_list=feeds.every_link(self.site, visible))

    def category_page(self, category, items: list[Item], stats: dict) -> None:
        crumbs = [Link(category.name, f"{category.id}/index.html")]
        self.emit(f"{category.id}/index.html", "category.html", category.name, crumbs,
                  self.column_meta(category.name, "", "栏目"), category=category, items=items, stats=stats)

    def item_pages(self, item: Item, records: list[Record], note=None, expired: list = ()) -> None:
        """`note`: the item's source.notes.Note, shown on the first page; `expired`: the
        periods of its expired 公示, their lines on the first page too."""
        category = self.catalog.category(item.category)
        size = self.site.page_size
        pages = max(1, math.ceil(len(records) / size))
        for number in range(1, pages + 1):
            path = f"{item.id}/index.html" if number == 1 else f"{item.id}/index-{number}.html"
            crumbs = [Link(category.name, f"{category.id}/index.html"), Link(item.name, f"{item.id}/index.html")]
            if number > 1:
                crumbs.append(Link(f"第 {number} 页", path))
            chunk = records[(number - 1) * size: number * size]
            pager = [(n, f"{item.id}/index.html" if n == 1 else f"{item.id}/index-{n}.html") for n in range(1, pages + 1)]
            self.emit(path, "item.html", item.name + (f"（第 {number} 页）" if number > 1 else ""), crumbs,
                      self.column_meta(item.name, "、".join(item.elements["公开内容"]), "栏目"),
                      item=item, category=category, records=[self.listed(r) for r in chunk],
                      data_links=opendata.links_for(item),
                      page=number, pages=pager if pages > 1 else [],
                      note=note and number == 1 and {"text": note.text, "checked": show(note.checked)} or None,
                      expired=list(expired[:EXPIRED_SHOWN]) if number == 1 else [],
                      expired_more=max(0, len(expired) - EXPIRED_SHOWN) if number == 1 else 0)

    def record_pages(self, record: Record, item: Item, rows: list[list[str]] | None = None,
                     linked: tuple = ()) -> None:
        category = self.catalog.category(item.category)
        view = self.record_view(record)
        view.update(metadata.metadata(record, item, self.site, linked))
        columns = [spec.name for spec in item.rows if spec.publish]
        rows = display_rows(record, item) if rows is None else rows
        lines = row_lines(rows)  # the escaping of all pages' rows at once
        total = record.total and {"label": record.total.label,
                                  "cells": [show(record.total.values.get(c)) for c in columns]}
        pages = max(1, math.ceil(len(rows) / ROWS_PER_PAGE))
        base = f"{item.id}/{record.slug}"
        attachments = [{"url": f"{base}/{a.name}", "title": a.title, "size": size_text(a.size),
                        "type": FILE_TYPES.get(Path(a.name).suffix.lower(), "文件")} for a in record.attachments]
        fields = self.field_views(record, item)  # before the body: the feed summary converts the body next (Markdown._last)
        body = self.markdown.convert(record.body) if record.body.strip() else ""
        meta = {"description": pagemeta.record_description(record, item.name, body, fields),
                "ArticleTitle": record.title, "PubDate": f"{record.published.isoformat()} 00:00",
                "ContentSource": view["issuer"], **self.column_meta(item.name, "", "栏目")}
        for number in range(1, pages + 1):
            path = f"{base}.html" if number == 1 else f"{base}-{number}.html"
            pager = [(n, f"{base}.html" if n == 1 else f"{base}-{n}.html") for n in range(1, pages + 1)]
            crumbs = [Link(category.name, f"{category.id}/index.html"), Link(item.name, f"{item.id}/index.html"),
                      Link(record.title, f"{base}.html")]
            self.emit(path, "record.html", record.title, crumbs, meta, view=view, item=item, category=category,
                      fields=fields,
                      columns=columns,
                      rows_html=Markup("".join(lines[(number - 1) * ROWS_PER_PAGE: number * ROWS_PER_PAGE])),
                      row_total=len(rows), total=total, page=number,
                      pages=pager if pages > 1 else [], body=body, attachments=attachments)

    def withdrawn_pages(self, gone: list[Gone], ledger, context: bytes) -> list[str]:
        """A short 已撤下 page at each URL that no longer shows its record and that no other
        file of this build takes: the CMS only ever receives uploads, so without it the old
        page would stay live. No record data at all."""
        made = []
        with self._writing(ledger, context):
            for page in gone:
                if ledger.has(page.path):
                    continue
                made.append(page.path)
                item = self.catalog.by_id[page.item_id]
                category = self.catalog.category(item.category)
                crumbs = [Link(category.name, f"{category.id}/index.html"), Link(item.name, f"{item.id}/index.html"),
                          Link("已撤下", page.path)]
                self.emit(page.path, "withdrawn.html", "本信息已撤下", crumbs, self.column_meta(item.name, "", "栏目"),
                          item=item, category=category, ended=show(page.ended))
        return made

    def project_pages(self, published: list[Head], row_projects: dict) -> None:
        """A page per project code. With a list giving hundreds of codes, a big site has
        hundreds of thousands of (project, record) pairs: each record's stage, sort key and
        listing are found once, and a page is keyed by its members' listing keys, so that
        one left as it was costs a join, not a template context."""
        order = {stage: i for i, stage in enumerate(STAGES)}
        stage_of = {item.id: item.stage for item in self.catalog.items}
        names: dict[str, str] = {}
        for record in published:  # a code's name: from the first record (newest) that names it
            for code, name in row_projects.get(record.source, {}).items():
                names.setdefault(code, name)
        # sorted once by (stage, date, 索引号), stable, so each project's records come in its order
        ordered = sorted(published, key=lambda r: (order.get(stage_of[r.item_id], len(STAGES)), r.date, r.index_no))
        projects: dict[str, list[int]] = {}  # code -> its records, by their place in `ordered`
        for number, record in enumerate(ordered):
            for code in set(record.projects).union(row_projects.get(record.source, ())):
                projects.setdefault(code, []).append(number)
        keys = [self.listed(record).key for record in ordered]
        meta = self.column_meta("项目信息", "按项目编码归集的建设和分配信息", "专题")
        for code, members in sorted(projects.items()):
            name = names.get(code) or next((ordered[n].title for n in members
                                             if stage_of[ordered[n].item_id] == "立项"), "")
            title = f"项目 {code}" + (f"（{name}）" if name else "")
            path, crumbs = f"projects/{code}.html", [Link("项目信息", f"projects/{code}.html")]
            shown = "\n".join([code] + [keys[n] for n in members])  # the stages follow from the items
            if self._reused(path, "project.html", title, crumbs, meta, shown):
                continue
            stages = []
            for number in members:
                record = ordered[number]
                stage = stage_of[record.item_id] or "其他"
                if not stages or stages[-1][0] != stage:
                    stages.append((stage, []))
                stages[-1][1].append(self.listed(record))
            self._render_page(path, "project.html", title, crumbs, meta, {"code": code, "stages": stages})

    def report_pages(self) -> None:
        for year, stats in self.reports.items():
            crumbs = [Link(f"{year}年本专栏公开统计", f"report/{year}.html")]
            tables = [(category, [(item, stats.items[item.id]) for item in items if item.id in stats.items],
                       stats.categories[category.id]) for category, items in self.categories]
            self.emit(f"report/{year}.html", "report.html", f"{year}年本专栏公开统计", crumbs,
                      self.column_meta("公开统计", "住房保障信息公开年度统计", "专题"),
                      year=year, stats=stats, tables=tables,
                      channels=sorted(stats.channels.items(), key=lambda kv: (-kv[1], kv[0])))
