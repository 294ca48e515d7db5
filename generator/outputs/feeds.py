"""RSS 2.0 feeds: the whole section, each category and each item.

Built from the masked public records only (the same ones the pages get), so a
withdrawn, scheduled or draft record never reaches a feed. Feeds need absolute
links, taken from site.yaml's `base_url`. Nothing depends on the build's clock:
lastBuildDate is the newest pubDate in the channel.

Titles and descriptions are plain text, escaped for HTML and then for XML: RSS readers
take a description (and many a title) as HTML, so `<img onerror=…>` written in a body
reaches them as the text `&lt;img onerror=…&gt;`, never as markup. A summary is the
body's text without its markup (links and images included), never HTML of our making.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..config.catalog import Catalog, Item
from ..config.site import SiteConfig
from ..model.records import Head, Record
from ..render.markup import Markdown

FEED_SIZE = 50  # latest entries per channel
SUMMARY_CHARS = 140
ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("atom", ATOM)


@dataclass(frozen=True)
class FeedLink:
    label: str
    url: str  # relative to the section root


def all_path() -> str:
    return "feeds/all.xml"


def category_path(category_id: str) -> str:
    return f"feeds/{category_id}.xml"


def item_path(item: Item) -> str:
    return f"feeds/{item.id}.xml"  # item ids are "<category>/<item>"


def links_for(site: SiteConfig, category=None, item: Item | None = None) -> list[FeedLink]:
    """The feeds a page announces: the whole section, its category, its item."""
    links = [FeedLink(f"{site.title}：全部更新", all_path())]
    if category is not None:
        links.append(FeedLink(f"{category.name}：更新", category_path(category.id)))
    if item is not None and not item.on_request_only:
        links.append(FeedLink(f"{item.name}：更新", item_path(item)))
    return links


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pub_date(day: dt.date) -> str:
    """RFC 822 date of the 公开日期, at midnight Beijing time: `Mon, 03 Nov 2025 00:00:00 +0800`.
    Written out here: importing email.utils (with socket) would slow every build's start
    (docs/performance.md)."""
    return f"{_DAYS[day.weekday()]}, {day.day:02d} {_MONTHS[day.month - 1]} {day.year:04d} 00:00:00 +0800"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _html_text(text: str) -> str:
    """Plain text as the HTML a reader makes of it: `<`, `>` and `&` escaped (ElementTree
    then escapes the result once more for XML)."""
    return html.escape(text, quote=False)


class Summaries:
    """A short plain-text summary of a masked record: its 内容概述 (`summary`) as written,
    else the start of its body, else its fields; a list's size first."""

    def __init__(self):
        self.markdown = Markdown()

    def __call__(self, record: Record, item: Item) -> str:
        prefix = f"【{item.name}】" + (f"名单共 {len(record.rows)} 条。" if record.rows else "")
        if record.summary.strip():
            return prefix + re.sub(r"\s+", " ", record.summary).strip()
        text = ""
        if record.body.strip():
            text = re.sub(r"<[^>]+>", " ", self.markdown.convert(record.body))
            text = html.unescape(text)
        if not text.strip():
            text = "；".join(f"{k}：{v}" for k, v in record.fields.items() if v not in (None, ""))
        text = re.sub(r"\s+", " ", text).strip()
        if len(text) > SUMMARY_CHARS:
            text = text[:SUMMARY_CHARS] + "……"
        return prefix + text


def _channel(site: SiteConfig, title: str, page: str, description: str, path: str,
             entries: list[tuple[Head, Item]], summaries: dict) -> bytes:
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")

    def add(parent, tag, text, **attrs):
        element = ET.SubElement(parent, tag, attrs)
        element.text = _clean(text)
        return element

    add(channel, "title", _html_text(title))
    add(channel, "link", site.base_url + page)
    add(channel, "description", _html_text(description))
    add(channel, "language", "zh-cn")
    ET.SubElement(channel, f"{{{ATOM}}}link", href=site.base_url + path, rel="self", type="application/rss+xml")
    if entries:
        add(channel, "lastBuildDate", pub_date(max(r.published for r, _ in entries)))
    for record, item in entries[:FEED_SIZE]:
        url = site.base_url + record.url
        entry = ET.SubElement(channel, "item")
        add(entry, "title", _html_text(record.title))
        add(entry, "link", url)
        add(entry, "description", _html_text(summaries[record.source]))
        add(entry, "category", item.name)
        add(entry, "guid", url, isPermaLink="true")
        add(entry, "pubDate", pub_date(record.published))
    ET.indent(rss)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode").encode() + b"\n"


def feeds(site: SiteConfig, catalog: Catalog, records: list[Head], summaries: dict, unchanged=None) -> dict[str, bytes]:
    """{path: RSS bytes} for the public records, newest first; `summaries`: record source ->
    the summary of its masked form (made by Summaries, once per record). `unchanged(path,
    shown)`, when given, says whether the feed made last from what `shown` describes is
    still in the output: such a feed is not made again (Renderer.unchanged)."""
    visible = catalog.for_level(site.level)
    entries = [(r, visible.by_id[r.item_id]) for r in records
               if r.item_id in visible.by_id and not visible.by_id[r.item_id].on_request_only]
    entries.sort(key=lambda e: (e[0].published, e[0].date, e[0].index_no), reverse=True)
    out = {}

    def channel(title: str, page: str, description: str, path: str, mine: list) -> None:
        if unchanged is not None:
            shown = repr((title, page, description, mine[0][0].published if mine else None,
                          [(r.url, r.title, summaries[r.source], item.name, r.published) for r, item in mine[:FEED_SIZE]]))
            if unchanged(path, shown):
                return
        out[path] = _channel(site, title, page, description, path, mine, summaries)

    channel(f"{site.title}：全部更新", "index.html", site.description or site.title, all_path(), entries)
    by_category: dict[str, list] = {}
    by_item: dict[str, list] = {}
    for entry in entries:  # once, in order: not a pass over every record for each channel
        by_category.setdefault(entry[1].category, []).append(entry)
        by_item.setdefault(entry[1].id, []).append(entry)
    for category in visible.categories:
        channel(f"{site.title}：{category.name}", f"{category.id}/index.html",
                f"{site.department}公开的{category.name}信息", category_path(category.id),
                by_category.get(category.id, []))
        for item in visible.items_of(category.id):
            if item.on_request_only:
                continue
            channel(f"{site.title}：{item.name}", f"{item.id}/index.html", "、".join(item.elements["公开内容"]),
                    item_path(item), by_item.get(item.id, []))
    return out


def every_link(site: SiteConfig, catalog: Catalog) -> list[tuple[FeedLink, list[FeedLink]]]:
    """For the catalog page: each category's feed with its items' feeds, after the whole section's."""
    visible = catalog.for_level(site.level)
    listing = [(FeedLink(f"{site.title}：全部更新", all_path()), [])]
    for category in visible.categories:
        items = [FeedLink(item.name, item_path(item)) for item in visible.items_of(category.id)
                 if not item.on_request_only]
        listing.append((FeedLink(category.name, category_path(category.id)), items))
    return listing
