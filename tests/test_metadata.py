"""The record page's 信息基本情况 as inspectors read it, and the links between records named by
索引号: a repealed or modified document and the one replacing it, a 解读 and its document."""
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, checked_records, run, write_site

from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.model.diagnostics import Report
from generator.render.metadata import issuer

TODAY = "2026-06-01"
OLD, NEW, EXPLAINER = "TEST/2019-00001", "TEST/2025-00001", "TEST/2025-00002"
OLD_TITLE, NEW_TITLE, EXPLAINER_TITLE = "测试县公租房管理暂行规定", "测试县公租房管理实施细则", "实施细则政策解读"


def document(title: str, number: str, extra: str = "", date: str = "2025-04-10", top: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: {date}\nindex_no: {number}\n{top}fields:\n  文号: 测府办发〔2025〕31号\n"
            f"  发布部门: 测试县人民政府办公室\n  发布日期: {date}\n{extra}---\n正文。\n")


def explainer(target: str = NEW) -> str:
    return (f"---\ntitle: {EXPLAINER_TITLE}\ndate: 2025-04-14\nindex_no: {EXPLAINER}\nfields:\n"
            f"  解读主体: 测试县住房和城乡建设局\n  解读方式: 文字解读\n  解读时间: 2025-04-14\n"
            f"  被解读文件索引号: {target}\n---\n解读。\n")


REPEALED = f"  有效性: 已废止\n  有效性日期: 2025-05-01\n  替代文件: {NEW}\n"
LINKED = {
    "content/policy/documents/old.md": document(OLD_TITLE, OLD, REPEALED, "2019-03-01"),
    "content/policy/documents/new.md": document(NEW_TITLE, NEW),
    "content/interpretation/local/jiedu.md": explainer(),
}


def build(site_yaml: Path, out: Path):
    return run("build", "--site", str(site_yaml), "--out", str(out), "--today", TODAY)


def built(tmp_path, files: dict) -> Path:
    site_yaml = write_site(tmp_path / "site", files)
    result = build(site_yaml, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    return tmp_path / "out"


def page(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def block(html: str) -> dict:
    """The 信息基本情况 table: label -> text."""
    table = html[html.index('<table class="meta"'):html.index("</table>")]
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td[^>]*>([^<]*)</td>', table))


def test_issuer_is_the_records_own_body_else_the_department(tmp_path):
    out = built(tmp_path, {**LINKED, "content/responses/proactive/huiying.md":
                           "---\ntitle: 回应\ndate: 2025-04-10\nindex_no: TEST/2025-00009\nfields:\n"
                           "  回应类别: 意见建议回复\n---\n回复。\n"})
    new = page(out, "policy/documents/new.html")
    assert block(new)["发布机构"] == "测试县人民政府办公室"
    assert '<meta name="ContentSource" content="测试县人民政府办公室">' in new
    assert block(page(out, "interpretation/local/jiedu.html"))["发布机构"] == "测试县住房和城乡建设局"
    assert block(page(out, "responses/proactive/huiying.html"))["发布机构"] == "测试县住房和城乡建设局"  # site.yaml


def test_the_block_labels_dates_as_government_sites_do_and_shows_the_document_number_once(tmp_path):
    out = built(tmp_path, LINKED)
    html = page(out, "policy/documents/new.html")
    shown = block(html)
    assert shown["成文日期"] == "2025-04-10" and shown["发布日期"] == "2025-04-10"
    assert shown["主题分类"] == "城乡建设、环境保护\\住房保障" and shown["有效性"] == "有效"
    assert html.count("测府办发〔2025〕31号") == 1 and shown["文号"] == "测府办发〔2025〕31号"
    assert "<dt>发布部门</dt>" not in html  # shown as 发布机构
    assert "有效性" not in block(page(out, "interpretation/local/jiedu.html"))  # not a policy document


def test_a_document_issued_before_it_was_published_here_shows_both_dates_once(tmp_path):
    """A policy document's own 发布日期 (its date of issue) is the block's 发布日期; the day this
    section published it is 公开日期: never two 发布日期 with different dates."""
    source = LINKED["content/policy/documents/new.md"].replace("date: 2025-04-10\n", "date: 2025-04-08\npublished: 2025-04-20\n", 1)
    out = built(tmp_path, {**LINKED, "content/policy/documents/new.md": source})
    html = page(out, "policy/documents/new.html")
    shown = block(html)
    assert (shown["成文日期"], shown["发布日期"], shown["公开日期"]) == ("2025-04-08", "2025-04-10", "2025-04-20")
    assert html.count("发布日期") == 1 and "<dt>发布日期</dt>" not in html


def test_the_demo_document_of_the_general_office_names_it_as_issuer():
    """Issue 27: 示府办发〔2025〕31号 said 示例市住房和城乡建设局 although its 发布部门 is the office."""
    site = load_site(ROOT / "site.yaml")
    catalog = load_catalog(site)
    records = [r for r in checked_records(site, catalog, Report()) if r.fields.get("文号") == "示府办发〔2025〕31号"]
    assert [issuer(r, catalog.by_id[r.item_id], site) for r in records] == ["示例市人民政府办公室"]


def test_a_repealed_document_says_so_and_links_to_its_successor_which_links_back(tmp_path):
    out = built(tmp_path, LINKED)
    old = page(out, "policy/documents/old.html")
    banner = re.search(r'<div class="notice" role="note">(.*?)</div>', old, re.S).group(1)
    assert "本文件已于 2025-05-01 废止" in banner
    assert f'现行文件：<a href="../../policy/documents/new.html">{NEW_TITLE}</a>（索引号 {NEW}）' in banner
    assert block(old)["有效性"] == "已废止（2025-05-01）"
    new = page(out, "policy/documents/new.html")
    assert 'role="note"' not in new
    assert f'本文件替代了：<a href="../../policy/documents/old.html">{OLD_TITLE}</a>（索引号 {OLD}）' in new


def test_a_modified_document_is_marked_and_its_successor_says_it_modified_it(tmp_path):
    modified = REPEALED.replace("已废止", "已修改")
    out = built(tmp_path, {**LINKED, "content/policy/documents/old.md": document(OLD_TITLE, OLD, modified, "2019-03-01")})
    assert "本文件已于 2025-05-01 修改。</strong>修改后的文件：" in page(out, "policy/documents/old.html")
    assert "本文件修改了：<a" in page(out, "policy/documents/new.html")


def test_an_interpretation_and_its_document_link_to_each_other(tmp_path):
    out = built(tmp_path, LINKED)
    assert (f'被解读文件：<a href="../../policy/documents/new.html">{NEW_TITLE}</a>（索引号 {NEW}）'
            in page(out, "interpretation/local/jiedu.html"))
    assert (f'政策解读：<a href="../../interpretation/local/jiedu.html">{EXPLAINER_TITLE}</a>（索引号 {EXPLAINER}）'
            in page(out, "policy/documents/new.html"))
    assert "<dt>被解读文件索引号</dt>" not in page(out, "interpretation/local/jiedu.html")


def test_a_link_to_a_record_not_yet_public_shows_its_number_only(tmp_path):
    scheduled = document(NEW_TITLE, NEW, "", "2025-04-10").replace("date: 2025-04-10\n", "date: 2025-04-10\npublished: 2026-12-01\n", 1)
    out = built(tmp_path, {**LINKED, "content/policy/documents/new.md": scheduled})
    old = page(out, "policy/documents/old.html")
    assert f"现行文件：索引号 {NEW}（未在本专栏公开）" in old and NEW_TITLE not in old


@pytest.mark.parametrize("command", ["build", "validate"])
def test_an_unknown_index_number_is_an_error_with_its_line(tmp_path, command):
    files = {**LINKED, "content/interpretation/local/jiedu.md": explainer("TEST/2025-09999")}
    site_yaml = write_site(tmp_path / "site", files)
    args = ["--out", str(tmp_path / "out"), "--today", TODAY] if command == "build" else []
    result = run(command, "--site", str(site_yaml), *args)
    assert result.returncode == 1
    assert ("content/interpretation/local/jiedu.md:9:13: error[unknown-index-no]: "
            "被解读文件索引号“TEST/2025-09999”不是本站任何记录的索引号") in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_record_naming_itself_is_an_error(tmp_path):
    files = {**LINKED, "content/policy/documents/old.md": document(OLD_TITLE, OLD, REPEALED.replace(NEW, OLD))}
    result = run("validate", "--site", str(write_site(tmp_path / "site", files)))
    assert result.returncode == 1 and "error[self-reference]" in result.stderr


def test_repealed_without_a_date_is_an_error_and_a_successor_of_a_valid_document_a_warning(tmp_path):
    undated = REPEALED.replace("  有效性日期: 2025-05-01\n", "")
    files = {**LINKED, "content/policy/documents/old.md": document(OLD_TITLE, OLD, undated, "2019-03-01")}
    result = run("validate", "--site", str(write_site(tmp_path / "a", files)))
    assert result.returncode == 1
    assert "content/policy/documents/old.md:9:8: error[validity-date]: 有效性为“已废止”，但没有填写有效性日期" in result.stderr
    valid = REPEALED.replace("已废止", "有效")
    files = {**LINKED, "content/policy/documents/old.md": document(OLD_TITLE, OLD, valid, "2019-03-01")}
    result = run("validate", "--site", str(write_site(tmp_path / "b", files)))
    assert result.returncode == 0 and "warning[replaced-in-force]" in result.stderr


def test_a_summary_is_shown_masked_and_is_the_feed_description(tmp_path):
    summary = "明确公租房申请条件，咨询 13812345678。"
    out = built(tmp_path, {**LINKED, "content/policy/documents/new.md":
                           document(NEW_TITLE, NEW, top=f"summary: {summary}\n")})
    assert block(page(out, "policy/documents/new.html"))["内容概述"] == "明确公租房申请条件，咨询 138****5678。"
    items = {i.findtext("title"): i.findtext("description")
             for i in ET.parse(out / "feeds/all.xml").getroot().iter("item")}
    assert items[NEW_TITLE] == "【政策文件】明确公租房申请条件，咨询 138****5678。"
    assert items[OLD_TITLE].startswith("【政策文件】正文")  # no summary: the body, as before
    assert "内容概述" not in block(page(out, "policy/documents/old.html"))


def test_the_topic_comes_from_the_item_the_local_catalog_or_the_record(tmp_path):
    catalog = "items:\n  - id: interpretation/local\n    主题分类: 城乡建设、环境保护\\城乡建设（含住房）\n"
    out = built(tmp_path, {**LINKED, "content/_catalog.yaml": catalog, "content/policy/documents/new.md":
                           document(NEW_TITLE, NEW, top="topic: 综合政务\\政务公开\n")})
    assert block(page(out, "policy/documents/old.html"))["主题分类"] == "城乡建设、环境保护\\住房保障"
    assert block(page(out, "policy/documents/new.html"))["主题分类"] == "综合政务\\政务公开"
    assert block(page(out, "interpretation/local/jiedu.html"))["主题分类"] == "城乡建设、环境保护\\城乡建设（含住房）"
