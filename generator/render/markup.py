"""Markdown to safe HTML: tables and heading ids, and nothing executable from content.

Raw HTML in content is shown as text, not interpreted; link and image addresses must
be http(s), mailto, tel or relative, read as a browser reads them (safeurl.safe_url): no
`javascript:` URL survives, however it is disguised. A refused address becomes `#`.
"""
from __future__ import annotations

import re

import markdown
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, ETX, STX

from .safeurl import safe_url

__all__ = ["Markdown", "safe_url"]


def _written_safe(value: str) -> bool:
    """Whether an address as it stands in Markdown's tree is safe once written out: the
    serializer keeps character references as they are, and `&` hidden as AMP_SUBSTITUTE
    (the obfuscated mailto: of an autolink) comes back. Any other placeholder is refused."""
    value = value.replace(AMP_SUBSTITUTE, "&")
    return STX not in value and ETX not in value and safe_url(value)


class _SafeLinks(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not _written_safe(value):
                    element.set(attribute, "#")
            for attribute in list(element.keys()):
                if attribute.lower().startswith("on"):
                    del element.attrib[attribute]
            if element.tag == "table":
                element.set("class", "data")
            elif element.tag == "th":
                element.set("scope", "col")


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CAPTION_LINE = re.compile(r"^(?:表\s*[0-9一二三四五六七八九十]+(?:[\s：:.、].{0,58})?|.{1,58}[：:])$")


def _text(element) -> str:
    return "".join(element.itertext()).strip()


class _TableCaptions(Treeprocessor):
    """Markdown has no caption syntax, but every data table needs one (GB/T 37668).
    A short line just above the table ending in a colon (or starting with 表) becomes
    its caption; otherwise the heading the table stands under; otherwise 表 N."""

    def run(self, root):
        self.count, self.heading = 0, ""
        self.walk(root)

    def walk(self, parent):
        previous = None
        for child in list(parent):
            if child.tag in _HEADINGS:
                self.heading = _text(child)
            elif child.tag == "table":
                self.count += 1
                caption = child.makeelement("caption", {})
                if previous is not None and previous.tag == "p" and _CAPTION_LINE.match(_text(previous)):
                    caption.text = _text(previous).rstrip("：:")
                    parent.remove(previous)
                else:
                    caption.text = self.heading or f"表 {self.count}"
                child.insert(0, caption)
            else:
                self.walk(child)
            previous = child


class _NoRawHtml(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
        md.treeprocessors.register(_TableCaptions(md), "table_captions", 1)


def _slugify(value: str, separator: str) -> str:
    return "h-" + re.sub(r"[^\w\u4e00-\u9fff]+", separator, value).strip(separator).lower()


class Markdown:
    """One converter, reset between documents (building it is the slow part)."""

    def __init__(self):
        self._md = None  # made at the first conversion: a rebuild may convert nothing, or only in one converter

    def _converter(self) -> markdown.Markdown:
        if self._md is None:
            # instances, not names: a name makes Markdown scan every installed package's entry
            # points, a cost even a one-record rebuild pays (docs/performance.md)
            self._md = markdown.Markdown(extensions=[
                TableExtension(), SaneListExtension(), _NoRawHtml(), TocExtension(slugify=_slugify, permalink=False),
            ], output_format="html")
        return self._md

    _last = (None, None, "")  # (text, top, HTML) of the last conversion, shared by every converter

    def convert(self, text: str, top: int = 3) -> str:
        """HTML of a body whose highest heading becomes h<top>, so the page outline never skips a level.
        A record's page and its feed summary convert the same body one after the other: the
        second is answered from the last conversion (every converter is set up alike)."""
        last_text, last_top, last_html = Markdown._last
        if text == last_text and top == last_top:
            return last_html
        html = self._convert(text, top)
        Markdown._last = (text, top, html)
        return html

    def _convert(self, text: str, top: int) -> str:
        levels = [len(m) for m in re.findall(r"^(#{1,6})(?=\s)", text, flags=re.MULTILINE)]
        shift = top - min(levels) if levels else 0
        if shift:
            text = re.sub(r"^(#{1,6})(?=\s)", lambda m: "#" * max(1, min(len(m.group(1)) + shift, 6)),
                          text, flags=re.MULTILINE)
        return self._converter().reset().convert(text)
