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
import json
import re
import shutil
import threading
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, checked_records, leaks, run
from test_browser_checks import AXE_TAGS, CHROMIUM, _missing

from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.model.diagnostics import ContentError, Report
from generator.outputs import search
from generator.pipeline import build
from generator.privacy import leakgate, mask

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


def _serve(out: Path):
    """The address of out's home, served below the server's root as on the real site (/zfbz/)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{out.name}/"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def served(demo):
    yield from _serve(demo)


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


def _search_each_term(page, served: str, out: Path) -> dict[str, list[str]]:
    """term -> the pages listed for it, after checking that every record containing it comes first."""
    records = {p.relative_to(out).as_posix(): _article_text(p) for p in out.rglob("*.html")}
    found = {}
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
        found[term] = listed
    return found


def test_typing_chinese_words_lists_the_records_containing_them(demo, served):
    from axe_playwright_python.sync_playwright import Axe

    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            _search_each_term(page, served, demo)
            violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            assert not violations.response["violations"], violations.response["violations"]
        finally:
            browser.close()


# a word the segmentation splits (翠湖公租房小区: 翠/湖/公租/房/小区), a project's name, a word of a record's body
EXCERPT_QUERIES = ["公租房", "滨江保障性租赁住房项目", "轮候库"]
META_LABELS = ("信息基本情况", "索引号", "信息名称", "发布机构", "生成日期", "公开方式", "公开时限")
_PAGEFIND_SPACING = re.compile(r"\.(?=\s|$)|\s+")  # Pagefind ends a block with ". " (after a letter) or " "


def _shown_text(page: Path) -> str:
    """The indexed text of a record's page as a reader sees it: each tag a space (a word starts after it)."""
    found = re.search(r"<article data-pagefind-body>(.*)</article>", page.read_text(encoding="utf-8"), re.DOTALL)
    text = re.sub(r"<table[^>]*data-pagefind-ignore.*?</table>", " ", found.group(1), flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _starts_a_word(text: str, at: int) -> bool:
    """Whether text[at] starts a clause: the text's start, an opening bracket or quote, or after a
    space or punctuation, except the "." of 12.5 or the "-" of 2026-11-20."""
    if at == 0 or unicodedata.category(text[at]) in ("Ps", "Pi"):
        return True
    before = text[at - 1]
    if before in ".,:/-—~～" and text[at - 2:at - 1].isdigit() and text[at].isdigit():
        return False
    return before.isspace() or unicodedata.category(before)[0] in "PSZ"


def _word_starts_in(text: str, excerpt: str) -> list[bool]:
    """For each place of the record's text that shows `excerpt` (spacing aside), whether it starts a word."""
    spacing = {i for m in _PAGEFIND_SPACING.finditer(text) for i in range(*m.span())}
    kept = [i for i in range(len(text)) if i not in spacing]
    squeezed, wanted = "".join(text[i] for i in kept), _PAGEFIND_SPACING.sub("", excerpt)
    return [_starts_a_word(text, kept[m.start()]) for m in re.finditer(f"(?={re.escape(wanted)})", squeezed)]


def test_excerpts_show_the_records_text_from_the_start_of_a_word(demo, served):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            shown = {}
            for query in EXCERPT_QUERIES + ["公租房资格定期审核"]:
                page.goto(served + "search/index.html?q=" + query)
                page.wait_for_function("() => /找到/.test(document.getElementById('search-status').textContent)")
                shown[query] = page.eval_on_selector_all("#search-results li", """items => items.map(li => [
                    li.querySelector("a").href, li.querySelector("a").textContent,
                    li.querySelector(".excerpt").textContent, li.querySelectorAll(".excerpt mark").length,
                    li.querySelector(".tag").textContent + " " + li.querySelector("time").dateTime])""")
        finally:
            browser.close()
    for query in EXCERPT_QUERIES:
        assert shown[query], query
        for url, title, excerpt, marks, tag in shown[query]:
            assert re.fullmatch(r"\S+ / \S+ \d{4}-\d\d-\d\d", tag), tag  # the 公开目录 and date, from Pagefind's metadata
            text, excerpt = _shown_text(demo / url[len(served):]), excerpt.removesuffix("…")
            assert not [label for label in META_LABELS if label in excerpt], (query, url, excerpt)
            places = _word_starts_in(text, excerpt)
            assert places, (query, url, excerpt)  # the record's own text
            assert any(places), (query, url, excerpt)  # from the start of a word
            assert marks or query not in text, (query, url, excerpt)
    cuihu = [excerpt for url, title, excerpt, *_ in shown["公租房"] if title.startswith("翠湖公租房小区")]
    assert len(cuihu) >= 5 and not [e for e in cuihu if e.startswith("湖")], cuihu
    assert shown["滨江保障性租赁住房项目"][0][1] == "滨江保障性租赁住房项目"  # the record of that title first
    # an item's name is searchable (公开目录, not shown on the page outside the metadata table)
    assert shown["公租房资格定期审核"][0][0] == served + "tenancy/periodic-review/2026-cuihu.html"


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
    secrets = set()
    for record in checked_records(site, catalog, Report()):
        secrets |= mask.mask_record(record, catalog.by_id[record.item_id], site).secrets
    return secrets


def test_no_personal_value_in_the_index(demo):
    secrets = _demo_secrets()
    assert sum(len(s) == 18 for s in secrets) > 50  # the demo's raw ID numbers
    index = {p.relative_to(demo).as_posix(): p.read_bytes() for p in (demo / "pagefind").rglob("*") if p.is_file()}
    text = b"".join(leakgate.readable(data) for data in index.values())
    assert "翠湖公租房小区".encode() in text  # the fragments were really read
    for secret in secrets:
        assert secret.encode() not in text
    assert leaks(index, secrets) == []


def test_leak_gate_reads_the_compressed_index():
    fragment = 'pagefind_dcd{"content":"身份证\u200b110101\u200b199003071233 电话 139\u200b12345678"}'
    files = {"pagefind/fragment/zh-cn_1.pf_fragment": gzip.compress(fragment.encode(), mtime=0)}
    assert [leak.shown for leak in leaks(files)] == ["110***1233"]  # a checksum-valid ID, even unknown
    found = leaks({"pagefind/index/zh-cn_1.pf_index": gzip.compress("139\u200b12345678".encode())}, {"13912345678"})
    assert [leak.shown for leak in found] == ["139****5678"]


def test_a_leak_in_the_index_made_in_the_background_fails_the_build(tmp_path, monkeypatch):
    """The index is made and gated while the shared pages are rendered: a leak in it still
    stops the build before anything is written."""
    site = shutil.copytree(ROOT / "tests/fixtures/small", tmp_path / "site")
    fragment = 'pagefind_dcd{"content":"身份证\u200b110101\u200b199003071233"}'
    monkeypatch.setattr(search, "find_binary", lambda: Path(__file__))

    def pagefind(staging, binary, folder, into):
        made = into / folder / "fragment/zh-cn_1.pf_fragment"
        made.parent.mkdir(parents=True)
        made.write_bytes(gzip.compress(fragment.encode(), mtime=0))
        return {folder + "fragment/zh-cn_1.pf_fragment": made.read_bytes()}
    monkeypatch.setattr(search, "run_pagefind", pagefind)
    with pytest.raises(ContentError) as raised:
        build.build(site / "site.yaml", tmp_path / "out", "2026-11-23")
    leaks = [d for d in raised.value.report.diagnostics if d.code == "leak"]
    assert [d.location.path for d in leaks] == ["pagefind/fragment/zh-cn_1.pf_fragment"]
    assert not (tmp_path / "out").exists()


def test_index_is_byte_identical_across_builds(demo, tmp_path):
    again = tmp_path / "again"
    assert run("build", "--today", "2026-11-23", "--out", str(again), cwd=ROOT).returncode == 0
    first = {p.relative_to(demo).as_posix(): p.read_bytes() for p in (demo / "pagefind").rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in (again / "pagefind").rglob("*") if p.is_file()}
    assert first == second and len(first) > 10


def _index_of(pages: dict) -> dict:
    with search.stage(pages) as staging:
        return search.run_pagefind(Path(staging), search.find_binary(), search.OUTPUT + "/", Path(staging))


def test_pagefind_is_given_only_what_it_indexes_and_makes_the_same_index(demo, monkeypatch):
    pages = {p.relative_to(demo).as_posix(): p.read_bytes() for p in demo.rglob("*.html")}
    pages = {path: page for path, page in pages.items() if b"data-pagefind-body" in page}
    given = {path: search.for_index(page) for path, page in pages.items()}
    assert sum(map(len, given.values())) < sum(map(len, pages.values())) * 3 / 4
    assert all(b'data-pagefind-meta="catalog, published:' in page for page in given.values())
    assert not any("信息基本情况".encode() in page for page in given.values())  # the metadata table is not indexed
    assert not any(b"data-pagefind-ignore" in page or b"<nav" in page for page in given.values())
    slim = _index_of(pages)
    monkeypatch.setattr(search, "for_index", lambda page: page)
    assert _index_of(pages) == slim


def test_a_page_with_metadata_outside_the_article_is_indexed_whole():
    page = ('<html lang="zh-CN"><head><title>t</title></head><body><h1 data-pagefind-meta="title">标题</h1>'
            '<article data-pagefind-body><p>正文</p><table data-pagefind-ignore><tr><td>行</td></tr></table>'
            '</article></body></html>').encode()
    assert search.for_index(page) == page
    page = page.replace(b' data-pagefind-meta="title"', b"")
    assert search.for_index(page) == ('<html lang="zh-CN"><head><title>t</title></head>\n<body>\n'
                                      '<article data-pagefind-body><p>正文</p></article>\n</body>\n</html>\n').encode()


def test_every_ignored_table_is_left_out_and_an_unclosed_one_kept():
    head = '<html lang="zh-CN"><head><title>t</title></head><body>'
    article = ('<article data-pagefind-body><p>甲</p><table class="data" data-pagefind-ignore><tr><td>1</td></tr>'
               '</table><p>乙</p><table><tr><td>保留</td></tr></table><table data-pagefind-ignore>'
               '<tr><td>2</td></tr></table><p>丙</p>{tail}</article>')
    slim = search.for_index((head + article.format(tail="") + "</body></html>").encode()).decode()
    assert "<p>甲</p><p>乙</p><table><tr><td>保留</td></tr></table><p>丙</p></article>" in slim
    assert "data-pagefind-ignore" not in slim
    unclosed = article.format(tail="<table data-pagefind-ignore><tr><td>3</td></tr>")
    slim = search.for_index((head + unclosed + "</body></html>").encode()).decode()
    assert "<p>丙</p><table data-pagefind-ignore><tr><td>3</td></tr></article>" in slim


def test_build_without_pagefind_warns_and_keeps_the_same_pages(tmp_path):
    out = tmp_path / "out"
    result = run("build", "--site", str(ROOT / "tests/fixtures/small/site.yaml"), "--out", str(out),
                 "--today", "2026-06-01", env={"PAGEFIND_BINARY_PATH": str(tmp_path / "no-such-pagefind")})
    assert result.returncode == 0, result.stderr
    assert "warning[search-unavailable]" in result.stderr and "no-such-pagefind" in result.stderr
    assert not (out / "pagefind").exists()
    golden = (ROOT / "tests/fixtures/small-golden/search/index.html").read_bytes()
    assert (out / "search/index.html").read_bytes() == golden


# -- a large site's index, in shards -------------------------------------------------------------
def _demo_copy(root: Path) -> Path:
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    return root / "site.yaml"


def _build_in_shards(site_yaml: Path, out: Path, monkeypatch) -> build.BuildResult:
    """An in-process build of the demo (67 indexed pages) with shards of at most 20 pages: 4
    shards, each with its fragments in 4 files."""
    monkeypatch.setattr(search, "SHARDED_FROM", 10)
    monkeypatch.setattr(search, "SHARD_SIZE", 20)
    monkeypatch.setattr(search, "FRAGMENTS", 4)
    result = build.build(site_yaml, out, today="2026-11-23")
    assert not [d for d in result.report.diagnostics if d.code == "search-unavailable"]
    return result


def _shard_of(out: Path) -> dict[str, str]:
    """Indexed page -> the folder of the shard whose fragments hold it (a shard's fragment
    files each hold a group of pages, by their fragment names)."""
    found = {}
    for fragment in (out / "pagefind").glob("*/fragment/*.pf_fragment"):
        group = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        for data in (group.values() if "url" not in group else [group]):  # a Pagefind before 1.6: one page a file
            assert data["url"][1:] not in found
            found[data["url"][1:]] = fragment.parent.parent.relative_to(out).as_posix() + "/"
    return found


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> Path:
    _need_pagefind()
    root = tmp_path_factory.mktemp("sharded")
    with pytest.MonkeyPatch.context() as patch:
        _build_in_shards(_demo_copy(root), root / "out", patch)
    return root / "out"


def test_shard_count_grows_by_powers_of_two():
    assert [search.shard_count(n) for n in (0, 999, 1000, 1200, 1201, 2400, 2401, 10_000)] == [1, 1, 4, 4, 8, 8, 16, 64]
    assert search.shard_count(100_000) == search.shard_count(1_000_000) == search.MAX_SHARDS == 256


def test_a_small_site_keeps_one_index_in_pagefind(demo):
    assert (demo / "pagefind/pagefind-entry.json").is_file()
    assert not [p for p in (demo / "pagefind").iterdir() if p.name.isdigit()]
    area = re.search(r'<div id="search-area"[^>]*>', (demo / "search/index.html").read_text(encoding="utf-8")).group()
    assert 'data-pagefind="../pagefind/pagefind.js"' in area and "data-merge" not in area


def test_search_page_loads_the_first_shard_and_merges_the_others(sharded):
    area = re.search(r'<div id="search-area"[^>]*>', (sharded / "search/index.html").read_text(encoding="utf-8")).group()
    assert 'data-pagefind="../pagefind/0/pagefind.js"' in area
    assert 'data-merge="pagefind/1/ pagefind/2/ pagefind/3/"' in area
    assert len(set(_shard_of(sharded).values())) == 4
    assert [len(list(shard.glob("fragment/*"))) for shard in sorted((sharded / "pagefind").iterdir())] == [4] * 4


@pytest.fixture(scope="module")
def served_shards(sharded):
    yield from _serve(sharded)


def test_results_come_from_every_shard_ranked_together(sharded, served_shards):
    shard_of = _shard_of(sharded)
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(error))
            listed = _search_each_term(page, served_shards, sharded)
            assert not errors
        finally:
            browser.close()
    shards = {shard_of[path] for pages in listed.values() for path in pages}
    assert len(shards) == 4, shards
    assert max(len({shard_of[path] for path in pages}) for pages in listed.values()) > 1


@pytest.mark.parametrize("help_text, grouped", [("--output-path <P>\n--max-fragments <N>", True),
                                                ("--output-path <P>", False)])
def test_fragments_are_grouped_only_by_a_pagefind_that_can(tmp_path, help_text, grouped):
    # PyPI's pagefind 1.5.2 has no --max-fragments: given it, it would fail and leave the site without search
    fake = tmp_path / f"pagefind-{grouped}"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = --help ]; then printf "%s\\n" "{help_text}"; exit 0; fi\n'
                    f'echo "$@" > "{tmp_path}/args"\n')
    fake.chmod(0o755)
    search.run_pagefind(tmp_path, fake, "pagefind/3/", tmp_path / "staging")
    assert ("--max-fragments 32" in (tmp_path / "args").read_text()) is grouped


def test_editing_one_record_indexes_only_its_shard(tmp_path, monkeypatch):
    _need_pagefind()
    site_yaml = _demo_copy(tmp_path)
    out = tmp_path / "out"
    _build_in_shards(site_yaml, out, monkeypatch)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    record = tmp_path / "content/planning/long-term/shiwuwu-zhufang-baozhang-guihua.md"
    record.write_text(record.read_text(encoding="utf-8") + "\n本规划由示例市住房和城乡建设局负责解释。\n", encoding="utf-8")
    _build_in_shards(site_yaml, out, monkeypatch)
    shard = _shard_of(out)["planning/long-term/shiwuwu-zhufang-baozhang-guihua.html"]
    manifest = json.loads((tmp_path / "out.manifest.json").read_text(encoding="utf-8"))
    touched = [p for kind in ("added", "changed", "removed") for p in manifest[kind] if p.startswith("pagefind/")]
    assert touched and {p[:len(shard)] for p in touched} == {shard}, touched
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    assert {p: b for p, b in after.items() if not p.startswith(shard)} == \
        {p: b for p, b in before.items() if not p.startswith(shard)}
    assert len([p for p in after if p.startswith("pagefind/") and p.endswith("pagefind-entry.json")]) == 4


def test_the_search_page_opened_from_disk_says_why_it_cannot_search(demo):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.goto((demo / "search/index.html").as_uri() + "?q=公租房")
            page.wait_for_function("() => document.getElementById('search-status').textContent.length > 0")
            status = page.inner_text("#search-status")
            assert "直接用浏览器打开本机上的文件时不能搜索" in status and "generator serve" in status
            assert "暂未提供" not in status
        finally:
            browser.close()



def test_without_a_memory_folder_the_pages_for_pagefind_go_to_the_temporary_folder(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(search, "_MEMORY", tmp_path / "no-dev-shm")  # Windows, macOS: no /dev/shm
    page = b'<html><head><title>t</title></head><body><article data-pagefind-body><p>x</p></article></body></html>'
    with search.stage({"a/b.html": page}) as staging:
        assert Path(staging).parent == Path(tempfile.gettempdir())
        assert (Path(staging) / "a/b.html").is_file()
