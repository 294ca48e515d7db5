"""The build: masked, deterministic, relative, atomic output (small fixture site)."""
import hashlib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import FIXTURES, ROOT, run

SMALL = FIXTURES / "small"
GOLDEN = FIXTURES / "small-golden"
TODAY = "2026-06-01"
RAW_IDS = ["110101199003071233", "11010119900307002X", "310104197511080029", "440305200012314565",
           "11010519491231002X"]


def build(site_dir: Path, out: Path, *extra):
    return run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", TODAY, *extra)


def snapshot(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def small(tmp_path):
    site_dir = tmp_path / "small"
    shutil.copytree(SMALL, site_dir)
    out = tmp_path / "out"
    result = build(site_dir, out)
    assert result.returncode == 0, result.stderr
    return site_dir, out, result


def test_golden_output(small):
    """Regenerate on purpose with: python tests/regen_golden.py"""
    _, out, _ = small
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    actual = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
              and not p.relative_to(out).as_posix().startswith("pagefind/")}  # Pagefind's version: test_search.py
    assert sorted(actual) == sorted(expected)
    for name, data in expected.items():
        assert actual[name] == data, f"{name} differs from the golden copy"


def test_every_url_of_the_scheme_exists(small):
    _, out, _ = small
    for path in ["index.html", "catalog/index.html", "allocation/index.html", "allocation/results/index.html",
                 "allocation/results/2026-01.html", "policy/laws/banfa.html",
                 "projects/2025-500199-70-01-000001.html", "construction/approvals/xiaozhan-gzf/pifu.txt"]:
        assert (out / path).is_file(), path


def test_no_raw_id_number_anywhere_and_masked_form_shown(small):
    _, out, _ = small
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for raw in RAW_IDS:
        assert raw.encode() not in everything and raw.lower().encode() not in everything
    page = (out / "allocation/results/2026-01.html").read_text(encoding="utf-8")
    assert "110***1233" in page and "110***002X" in page
    assert "欧阳晓梅" in page  # names are published in full by default


def test_withdrawn_draft_and_scheduled_appear_nowhere(small):
    _, out, result = small
    text = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    for title in ("已过公示期的分配结果", "草稿中的分配结果", "定时发布的分配结果", "过期人", "草稿人", "将来人"):
        assert title not in text
    assert "公示期已过 1 条，定时发布 1 条，草稿 1 条" in result.stdout


def test_a_withdrawn_record_keeps_a_short_noindex_page_at_its_url(small):
    site_dir, out, _ = small
    page = (out / "allocation/results/2025-old.html").read_text(encoding="utf-8")
    assert "本信息已撤下" in page and '<meta name="robots" content="noindex">' in page
    assert "公示期已于 2025-" in page
    raw = (site_dir / "content/allocation/results/2025-old.yaml").read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", raw, re.M).group(1)
    assert title not in page and "过期人" not in page  # nothing of the record itself
    assert "2025-old" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert not (out / "allocation/results/draft.html").exists()  # never published: no page at all


def test_markdown_cannot_inject_script(small):
    _, out, _ = small
    page = (out / "policy/laws/banfa.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "javascript:" not in page
    assert "&lt;script&gt;" in page
    assert '<th scope="col">类型</th>' in page


def test_links_are_relative(small):
    _, out, _ = small
    for page in out.rglob("*.html"):
        for link in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            assert not link.startswith("/"), (page, link)
            # the 找错 link carries the page's own address in its query: the host is what counts
            assert not link.startswith("http") or "xiaozhan.gov.cn" not in urlsplit(link).netloc, (page, link)


def test_government_meta_tags_and_title(small):
    _, out, _ = small
    page = (out / "allocation/results/2026-01.html").read_text(encoding="utf-8")
    for tag in ('name="SiteName" content="小站住房保障信息公开专栏"', 'name="SiteIDCode" content="5001000002"',
                'name="SiteDomain" content="www.xiaozhan.gov.cn"', 'name="ArticleTitle"',
                'name="PubDate" content="2026-04-03 00:00"', 'name="ContentSource" content="小站县住房和城乡建设局"'):
        assert tag in page, tag
    assert "<title>小站县2026年第一批公共租赁住房分配结果公示 - 分配结果 - 小站住房保障信息公开专栏</title>" in page
    item_page = (out / "allocation/results/index.html").read_text(encoding="utf-8")
    assert 'name="ColumnName" content="分配结果"' in item_page and 'name="ColumnType"' in item_page


def test_rebuild_is_byte_identical_and_rewrites_nothing(small):
    site_dir, out, _ = small
    before = snapshot(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = build(site_dir, out)
    assert again.returncode == 0
    assert snapshot(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes
    manifest = json.loads((out.parent / "out.manifest.json").read_text(encoding="utf-8"))
    assert manifest.pop("site")["path"] == str((site_dir / "site.yaml").resolve())  # whose output this is
    assert manifest == {"added": [], "changed": [], "removed": []}


def test_failed_build_leaves_previous_output_whole(small):
    site_dir, out, _ = small
    before = snapshot(out)
    (site_dir / "content/policy/laws/banfa.md").write_text("---\ntitle: [坏\n---\n", encoding="utf-8")
    result = build(site_dir, out)
    assert result.returncode == 1 and "banfa.md:3:1: error[yaml-syntax]" in result.stderr
    assert snapshot(out) == before


def test_leak_gate_stops_a_theme_printing_an_id_number(small):
    site_dir, out, _ = small
    before = snapshot(out)
    theme = site_dir / "themes/leaky/templates"
    theme.mkdir(parents=True)
    base = (ROOT / "templates/base.html").read_text(encoding="utf-8")
    (theme / "base.html").write_text(base.replace("<main", "<p>身份证：310104197511080029</p><main"), encoding="utf-8")
    shutil.copytree(ROOT / "themes/default/static", site_dir / "themes/leaky/static")
    site_yaml = site_dir / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "theme: leaky\n", encoding="utf-8")
    result = build(site_dir, out)
    assert result.returncode == 1
    assert "error[leak]" in result.stderr and "310***0029" in result.stderr
    assert "310104197511080029" not in result.stderr
    assert snapshot(out) == before


def test_a_deleted_record_leaves_a_withdrawn_page_and_its_attachment_is_listed_for_deletion(small):
    site_dir, out, _ = small
    (site_dir / "content/policy/laws/banfa.md").unlink()
    (site_dir / "content/construction/approvals/xiaozhan-gzf.md").unlink()
    result = build(site_dir, out)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out.parent / "out.manifest.json").read_text(encoding="utf-8"))
    assert {"policy/laws/banfa.html", "index.html"} <= set(manifest["changed"])
    page = (out / "policy/laws/banfa.html").read_text(encoding="utf-8")
    assert "本信息已撤下" in page and "公共租赁住房管理" not in page
    removed = [p for p in manifest["removed"] if not p.startswith("pagefind/")]  # old index fragments
    assert removed == ["construction/approvals/xiaozhan-gzf/pifu.txt"]
    assert not (out / "construction/approvals/xiaozhan-gzf").exists()  # the folder it left empty, too
    assert f"有 {len(manifest['removed'])} 个文件不再生成" in result.stdout
    again = build(site_dir, out)  # the memory carries on: the page stays, nothing changes
    assert "新增 0 个文件，更新 0 个，删除 0 个" in again.stdout
    assert (out / "policy/laws/banfa.html").exists()


def test_demo_site_builds(tmp_path):
    result = run("build", "--out", str(tmp_path / "out"), "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    assert "已隐藏个人信息" in result.stdout
    assert len(list((tmp_path / "out").rglob("*.html"))) > 100


def test_package_holds_exactly_the_added_and_changed_files(small, tmp_path):
    import zipfile
    site_dir, out, _ = small
    banfa = site_dir / "content/policy/laws/banfa.md"
    banfa.write_text(banfa.read_text(encoding="utf-8").replace("制定本办法", "制定本细则"), encoding="utf-8")
    package = tmp_path / "upload.zip"
    result = build(site_dir, out, "--package", str(package))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out.parent / "out.manifest.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        assert names == sorted(manifest["added"] + manifest["changed"])
        assert "policy/laws/banfa.html" in names
        for name in names:
            assert archive.read(name) == (out / name).read_bytes()
    first = package.read_bytes()
    build(site_dir, tmp_path / "again", "--package", str(package))  # a fresh output: everything is added
    with zipfile.ZipFile(package) as archive:
        assert len(archive.namelist()) == len([p for p in (tmp_path / "again").rglob("*") if p.is_file()])
    assert first != package.read_bytes()


def test_a_withdrawal_reaches_the_upload(small, tmp_path):
    """After the 公示期 ends: no output file holds the record's data, its URL holds the
    已撤下 page, and the zip carries that page."""
    import zipfile
    site_dir, out, _ = small
    calendar = (ROOT / "site.yaml").read_text(encoding="utf-8").split("calendar:", 1)[1]  # 2027 holidays
    with open(site_dir / "site.yaml", "a", encoding="utf-8") as site_yaml:
        site_yaml.write("calendar:" + calendar)
    package = tmp_path / "upload.zip"
    result = run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", "2027-01-05",
                 "--package", str(package))
    assert result.returncode == 0, result.stderr
    page = out / "allocation/results/2026-01.html"
    assert "本信息已撤下" in page.read_text(encoding="utf-8")
    from generator.privacy.leakgate import readable
    texts = [readable(p.read_bytes()).decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()]
    for raw in RAW_IDS + ["欧阳晓梅", "110***1233"]:
        assert not any(raw in text for text in texts), raw
    manifest = json.loads((out.parent / "out.manifest.json").read_text(encoding="utf-8"))
    assert "allocation/results/2026-01.html" in manifest["changed"]
    with zipfile.ZipFile(package) as archive:
        assert "allocation/results/2026-01.html" in archive.namelist()
