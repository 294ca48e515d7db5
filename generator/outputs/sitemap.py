"""sitemap.xml: every HTML page of the section, with absolute URLs from `base_url`.

The build passes its pages but those marked `noindex` (a withdrawn record's 已撤下 notice).
"""
from __future__ import annotations

from html import escape  # quote=False: what xml.sax.saxutils.escape does, without importing urllib

from ..config.site import SiteConfig

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_of(site: SiteConfig, paths) -> dict[str, bytes]:
    """sitemap.xml listing `paths`, the pages to be found by search engines."""
    pages = sorted(paths)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NS}">']
    lines += [f"  <url><loc>{escape(site.base_url + path, quote=False)}</loc></url>" for path in pages]
    lines.append("</urlset>")
    return {"sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8")}
