"""Full-text search of the demo site: Chinese words found in headless Chromium, nothing personal
in the index, the leak gate reading the index, and a build that goes on without Pagefind.

The browser test skips when Chromium or Pagefind is missing, except under CI (CI set),
where a missing tool is a failure (.ci/run installs both).
"""
import functools
import gzip
import html
import http.server
import importlib.util
import re
import threading
from pathlib import Path

import pytest

from conftest import ROOT, run
from generator import leakgate, search
from generator.catalog import load_catalog
from generator.config import load_site
from generator.diagnostics import Report
from generator.mask import mask_records
from generator.validate import load_records
from test_browser_checks import AXE_TAGS, CHROMIUM, _missing

TERMS = ["公租房", "廉租房", "配租", "住房保障", "公示期", "翠湖公租房小区"]


def _need_pagefind():
    try:
        search.find_binary()
    except search.SearchUnavailable as problem:
        _missing(f"Pagefind ({problem})")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    _need_pagefind()
    out = tmp_path_factory.mktemp("search-site") / "out"
    result = run("build", "--today", "2026-11-23", "--out", str(out), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert (out / "pagefind/pagefind.js").is_file(), result.stderr
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(demo):
    """The address of the demo's home, served below the server's root as on the real site (/zfbz/)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(demo.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{demo.name}/"
    server.shutdown()
    thread.join()


def _article_text(page: Path) -> str:
    """What Pagefind indexes: the article marked data-pagefind-body, less the list's rows."""
    found = re.search(r"<article data-pagefind-body>(.*)</article>", page.read_text(encoding="utf-8"), re.S)
    if not found:
        return ""
    text = re.sub(r"<table[^>]*data-pagefind-ignore.*?</table>", "", found.group(1), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _browser():
    if not Path(CHROMIUM).exists():
        _missing(CHROMIUM)
    for module in ("playwright", "axe_playwright_python"):
        if importlib.util.find_spec(module) is None:
            _missing(f"Python module {module}")
    from playwright.sync_api import sync_playwright
    return sync_playwright()


def test_typing_chinese_words_lists_the_records_containing_them(demo, served):
    from axe_playwright_python.sync_playwright import Axe

    records = {p.relative_to(demo).as_posix(): _article_text(p) for p in demo.rglob("*.html")}
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            for term in TERMS:
                page.goto(served + "index.html")
                page.fill("#search-q", term)
                page.press("#search-q", "Enter")
                page.wait_for_function("() => /找到/.test(document.getElementById('search-status').textContent)")
                listed = [h[len(served):] for h in
                          page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)")]
                containing = {path for path, text in records.items() if term in text}
                assert containing, f"the demo has no record containing {term}"
                assert set(listed[:len(containing)]) == containing, term  # all of them, first
                assert f"找到 {len(containing)} 条包含“{term}”的信息" in page.inner_text("#search-status")
            violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            assert not violations.response["violations"], violations.response["violations"]
        finally:
            browser.close()


def test_without_javascript_the_search_page_points_to_the_catalog(demo, served):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(served + "index.html")
            page.fill("#search-q", "公租房")
            page.press("#search-q", "Enter")
            page.wait_for_url("**/search/index.html?q=*")
            assert page.is_visible("#search-fallback") and not page.is_visible("#search-results")
            page.click("#search-fallback a")
            assert page.url == served + "catalog/index.html"
        finally:
            browser.close()


def _demo_secrets() -> set[str]:
    site = load_site(ROOT / "site.yaml")
    catalog = load_catalog(site)
    return mask_records(load_records(site, catalog, Report()), catalog, site).secrets


def test_no_personal_value_in_the_index(demo):
    secrets = _demo_secrets()
    assert sum(len(s) == 18 for s in secrets) > 50  # the demo's raw ID numbers
    index = {p.relative_to(demo).as_posix(): p.read_bytes() for p in (demo / "pagefind").rglob("*") if p.is_file()}
    text = b"".join(leakgate.readable(data) for data in index.values())
    assert "翠湖公租房小区".encode() in text  # the fragments were really read
    for secret in secrets:
        assert secret.encode() not in text
    assert leakgate.scan(index, secrets) == []


def test_leak_gate_reads_the_compressed_index():
    fragment = 'pagefind_dcd{"content":"身份证\u200b110101\u200b199003071233 电话 139\u200b12345678"}'
    files = {"pagefind/fragment/zh-cn_1.pf_fragment": gzip.compress(fragment.encode(), mtime=0)}
    leaks = leakgate.scan(files, set())
    assert [leak.shown for leak in leaks] == ["110***1233"]  # a checksum-valid ID, even unknown
    leaks = leakgate.scan({"pagefind/index/zh-cn_1.pf_index": gzip.compress("139\u200b12345678".encode())},
                          {"13912345678"})
    assert [leak.shown for leak in leaks] == ["139****5678"]


def test_index_is_byte_identical_across_builds(demo, tmp_path):
    again = tmp_path / "again"
    assert run("build", "--today", "2026-11-23", "--out", str(again), cwd=ROOT).returncode == 0
    first = {p.relative_to(demo).as_posix(): p.read_bytes() for p in (demo / "pagefind").rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in (again / "pagefind").rglob("*") if p.is_file()}
    assert first == second and len(first) > 10


def test_build_without_pagefind_warns_and_keeps_the_same_pages(tmp_path):
    out = tmp_path / "out"
    result = run("build", "--site", str(ROOT / "tests/fixtures/small/site.yaml"), "--out", str(out),
                 "--today", "2026-06-01", env={"PAGEFIND_BINARY_PATH": str(tmp_path / "no-such-pagefind")})
    assert result.returncode == 0, result.stderr
    assert "warning[search-unavailable]" in result.stderr and "no-such-pagefind" in result.stderr
    assert not (out / "pagefind").exists()
    golden = (ROOT / "tests/fixtures/small-golden/search/index.html").read_bytes()
    assert (out / "search/index.html").read_bytes() == golden
