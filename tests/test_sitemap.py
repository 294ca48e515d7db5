"""sitemap.xml lists every HTML page with an absolute URL."""
import shutil
import xml.etree.ElementTree as ET

from conftest import FIXTURES, run

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://www.xiaozhan.gov.cn/zfbz/"
NOINDEX = b'content="noindex"'


def build(site_dir, out):
    return run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", "2026-06-01")


def build_small(tmp_path):
    """The small fixture site built: (its folder, the output folder)."""
    site_dir = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", site_dir)
    out = tmp_path / "out"
    assert build(site_dir, out).returncode == 0
    return site_dir, out


def listed(out) -> list[str]:
    return [e.text for e in ET.parse(out / "sitemap.xml").getroot().findall("s:url/s:loc", NS)]


def test_sitemap_lists_every_page_absolute(tmp_path):
    _, out = build_small(tmp_path)
    locs = listed(out)
    pages = sorted(BASE + p.relative_to(out).as_posix() for p in out.rglob("*.html")
                   if NOINDEX not in p.read_bytes())  # 已撤下 pages stay out
    assert locs == pages
    assert BASE + "allocation/results/2025-old.html" not in locs and (out / "allocation/results/2025-old.html").exists()
    assert BASE + "index.html" in locs and BASE + "allocation/results/2026-01.html" in locs


def test_noindex_pages_are_left_out(tmp_path):
    # a record deleted since the last build leaves a 已撤下 notice for search engines to drop
    site_dir, out = build_small(tmp_path)
    assert BASE + "policy/laws/banfa.html" in listed(out)
    (site_dir / "content/policy/laws/banfa.md").unlink()
    assert build(site_dir, out).returncode == 0
    locs = listed(out)
    assert NOINDEX in (out / "policy/laws/banfa.html").read_bytes() and BASE + "policy/laws/banfa.html" not in locs
    assert list(out.rglob("*.css")) and all(loc.endswith(".html") for loc in locs)  # nor any file but pages
