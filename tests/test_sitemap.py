"""sitemap.xml lists every HTML page with an absolute URL."""
import shutil
import xml.etree.ElementTree as ET

from conftest import FIXTURES, run

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://www.xiaozhan.gov.cn/zfbz/"


def test_sitemap_lists_every_page_absolute(tmp_path):
    site_dir = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", site_dir)
    out = tmp_path / "out"
    assert run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", "2026-06-01").returncode == 0
    locs = [e.text for e in ET.parse(out / "sitemap.xml").getroot().findall("s:url/s:loc", NS)]
    pages = sorted(BASE + p.relative_to(out).as_posix() for p in out.rglob("*.html")
                   if b'content="noindex"' not in p.read_bytes())  # 已撤下 pages stay out
    assert locs == pages
    assert BASE + "allocation/results/2025-old.html" not in locs and (out / "allocation/results/2025-old.html").exists()
    assert BASE + "index.html" in locs and BASE + "allocation/results/2026-01.html" in locs


def test_noindex_pages_are_left_out():
    from types import SimpleNamespace

    from generator.outputs.sitemap import sitemap
    site = SimpleNamespace(base_url=BASE)
    files = {"a.html": b"<html>", "gone.html": b'<meta name="robots" content="noindex">', "a.css": b""}
    text = sitemap(site, files)["sitemap.xml"].decode()
    assert BASE + "a.html" in text and "gone.html" not in text and "a.css" not in text
