"""What inspectors and search engines read of a page besides its content: the footer's
identifiers (党政机关网站标识, 政府网站找错, ICP备案号, 公安机关备案号) and the meta description.

The footer differs from page to page (the 找错 link carries the page's own address), so it
is made from the page's path; a page's key holds its path (a record page's through its
source file) and site.yaml (the context digest), so no page keeps a stale footer.
A record's description is made from its masked form only: the renderer never sees a raw value.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..config import identifiers
from ..config.site import SiteConfig

DESCRIPTION_CHARS = 120  # search engines show about this many Chinese characters
CONTENT_SUMMARY = "内容概述"  # the optional field every record may carry (the metadata block's)
_HEADING = re.compile(r"<h[1-6][^>]*>.*?</h[1-6]>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*")  # to its end mark and closing quotes


@dataclass(frozen=True)
class Footer:
    """The links of a page's footer: empty where site.yaml does not give the identifier."""
    site_id_code: str
    conac: str  # the badge's link to the site's certificate
    badge: str  # the badge image
    jiucuo: str  # the 找错 page, for this page
    icp: str  # the ICP备案号 as written
    icp_link: str
    police: str  # the 公安机关备案号 as written
    police_link: str


def footer(site: SiteConfig, path: str) -> Footer:
    code = site.site_id_code
    police = identifiers.police_code(site.police_record)
    return Footer(
        site_id_code=code,
        conac=identifiers.CONAC_LINK.format(id=site.conac_id) if site.conac_id else "",
        badge=identifiers.CONAC_BADGE,
        jiucuo=identifiers.jiucuo_link(code, site.base_url + path) if code else "",
        icp=site.icp_record, icp_link=identifiers.ICP_LINK if site.icp_record else "",
        police=site.police_record, police_link=identifiers.POLICE_LINK.format(code=police) if police else "",
    )


def plain_text(markup: str) -> str:
    """The text of HTML a reader sees, headings left out, on one line."""
    text = html.unescape(_TAG.sub(" ", _HEADING.sub(" ", markup)))
    return _SPACE.sub(" ", text).strip()


def first_sentence(text: str) -> str:
    """The first sentence of plain text (to its 。！？), at most DESCRIPTION_CHARS characters."""
    text = _SPACE.sub(" ", text).strip()
    found = _SENTENCE.match(text)
    sentence = found.group(0).strip() if found else text
    if len(sentence) > DESCRIPTION_CHARS:
        sentence = sentence[:DESCRIPTION_CHARS - 1] + "…"
    return sentence


def content_summary(record) -> str:
    """The record's 内容概述: its `summary` (masked like any text), else a field of that name,
    which a local catalog may give an item."""
    value = record.summary or record.fields.get(CONTENT_SUMMARY)
    return _SPACE.sub(" ", value).strip() if isinstance(value, str) else ""


def record_description(record, item_name: str, body_html: str, field_views: list) -> str:
    """A record page's description: its 内容概述, else the first sentence of its body, else of
    its published fields, else its item and title. All from the masked record."""
    summary = content_summary(record)
    if summary:
        return summary if len(summary) <= DESCRIPTION_CHARS else summary[:DESCRIPTION_CHARS - 1] + "…"
    text = plain_text(body_html) if body_html else ""
    if not text:
        text = "；".join(f"{name}：{plain_text(value) if is_html else value}"
                        for name, value, is_html in field_views if value)
    return first_sentence(text) if text else f"{item_name}：{record.title}"


def section_description(site: SiteConfig, title: str, path: str) -> str:
    """A page made from the section (home, catalog, lists, reports…): fixed, from its title and the site."""
    if path == "index.html":
        about = f"：{site.description}" if site.description else ""
        return f"{site.title}（{site.department}）{about}"
    return f"{title} — {site.title}（{site.department}）"
