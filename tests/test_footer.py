"""Footer identifiers, SiteName and the meta description (issue 27, part 1): each identifier
present, missing (check) and malformed (configuration error with its line); the 找错 link of
a page deep in the section; descriptions from the masked record only."""
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import IDENTIFIERS, MINIMAL_SITE, copy_fixture, run
from hypothesis import given
from hypothesis import strategies as st

from generator.config.identifiers import jiucuo_link, production
from generator.render.pagemeta import content_summary, first_sentence, record_description

TODAY = "2026-06-01"
DISCLOSURE = """\
disclosure:
  guide: https://www.xiaozhan.gov.cn/zwgk/zn/
  rules: https://www.xiaozhan.gov.cn/zwgk/zd/
  apply: https://www.xiaozhan.gov.cn/zwgk/ysq/
"""
LAWS = """\
---
title: {title}
date: 2026-03-02
published: 2026-03-05
index_no: XZ/2026-{serial}
fields:
  文号: 小站府发〔2026〕{serial}号
  发布部门: 小站县人民政府
  发布日期: 2026-03-02
{extra}---
{body}
"""
RAW_ID = "110101199003071233"


def _law(title: str, serial: str, body: str, extra: str = "") -> str:
    return LAWS.format(title=title, serial=serial, body=body, extra=extra)


def _small(tmp_path: Path, settings: str = IDENTIFIERS + DISCLOSURE, files: dict | None = None) -> Path:
    site = copy_fixture("small", tmp_path / "site")
    yaml = (site / "site.yaml").read_text(encoding="utf-8")
    yaml = "\n".join(line for line in yaml.splitlines() if not line.startswith("site_id_code")) + "\n"
    (site / "site.yaml").write_text(yaml + settings, encoding="utf-8")
    for name, text in (files or {}).items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    return site


def _build(site: Path, out: Path):
    result = run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", TODAY)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _meta(page: str, name: str) -> str | None:
    found = re.search(rf'<meta name="{name}" content="([^"]*)">', page)
    return html.unescape(found.group(1)) if found else None


def _footer(page: str) -> str:
    return page[page.index("<footer"):page.index("</footer>")]


# ---------------------------------------------------------------- present: the footer of every page

def _long_list(rows: int) -> str:
    lines = ["title: 第一批公租房分配结果", "date: 2026-04-01", "published: 2026-04-02", "index_no: XZ/2026-00090",
             "window: {from: 2026-04-02, to: 2026-12-31}", "rows:"]
    lines += [f'  - {{保障对象姓名: 张{n}, 身份证号: "{RAW_ID}", 保障性住房类型: 公共租赁住房, 房号: 1-{n}, '
              f'面积: "45.50", 套型: 一室一厅, 所在建设项目名称: 小站公租房}}' for n in range(1, rows + 1)]
    return "\n".join(lines) + "\n"


def test_footer_shows_every_identifier_linked(tmp_path):
    site = _small(tmp_path)
    out = tmp_path / "out"
    _build(site, out)
    footer = _footer((out / "policy/laws/banfa.html").read_text(encoding="utf-8"))
    assert "网站标识码：5001120001" in footer
    assert '<a href="https://beian.miit.gov.cn/">渝ICP备05000001号-1</a>' in footer
    assert ('<a href="https://beian.mps.gov.cn/#/query/webSearch?code=50011202000001">'
            "渝公网安备 50011202000001号</a>") in footer
    assert ('<a class="conac" href="https://bszs.conac.cn/sitename?method=show&amp;id='
            '0123456789ABCDEF0123456789ABCDEF"><img src="https://dcs.conac.cn/image/red.png" alt="党政机关网站标识"'
            ' data-pagefind-ignore="all"></a>') in footer
    assert "<script" not in footer


def test_the_report_error_link_of_a_page_deep_in_the_section_carries_its_own_address(tmp_path):
    """A list's second page, three folders down: its address, base_url + path, URL-encoded whole."""
    site = _small(tmp_path, files={"content/allocation/results/2026-04.yaml": _long_list(130)})
    out = tmp_path / "out"
    _build(site, out)
    page = (out / "allocation/results/2026-04-2.html").read_text(encoding="utf-8")
    expected = ("https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5001120001&amp;url="
                "https%3A%2F%2Fwww.xiaozhan.gov.cn%2Fzfbz%2Fallocation%2Fresults%2F2026-04-2.html")
    assert f'<a class="jiucuo" href="{expected}">政府网站找错</a>' in _footer(page)
    first = (out / "allocation/results/2026-04.html").read_text(encoding="utf-8")
    assert "url=https%3A%2F%2Fwww.xiaozhan.gov.cn%2Fzfbz%2Fallocation%2Fresults%2F2026-04.html\"" in first
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "url=https%3A%2F%2Fwww.xiaozhan.gov.cn%2Fzfbz%2Findex.html\"" in home


@given(st.text(alphabet="abc/-._~%?&=#中文 ", min_size=1, max_size=30))
def test_the_report_error_link_keeps_the_address_whole(path):
    from urllib.parse import parse_qs, urlsplit
    address = "https://www.xiaozhan.gov.cn/zfbz/" + path
    query = parse_qs(urlsplit(jiucuo_link("5001120001", address)).query, keep_blank_values=True)
    assert query == {"site_code": ["5001120001"], "url": [address]}


def test_site_name_is_the_registered_name_not_the_section_title(tmp_path):
    site = _small(tmp_path)
    out = tmp_path / "out"
    _build(site, out)
    for path in ("index.html", "policy/laws/banfa.html", "policy/laws/index.html"):
        page = (out / path).read_text(encoding="utf-8")
        assert _meta(page, "SiteName") == "测试县住房和城乡建设局网站", path
        assert _meta(page, "SiteIDCode") == "5001120001", path


def test_disclosure_pages_are_linked_from_home_and_item_pages(tmp_path):
    site = _small(tmp_path)
    out = tmp_path / "out"
    _build(site, out)
    links = ('<a href="https://www.xiaozhan.gov.cn/zwgk/zn/">政府信息公开指南</a>',
             '<a href="https://www.xiaozhan.gov.cn/zwgk/zd/">政府信息公开制度</a>',
             '<a href="https://www.xiaozhan.gov.cn/zwgk/ysq/">依申请公开</a>')
    for path in ("index.html", "policy/laws/index.html", "guides/apply/index.html"):
        page = (out / path).read_text(encoding="utf-8")
        assert all(link in page for link in links), path


# ---------------------------------------------------------------- missing

def test_without_identifiers_the_footer_has_none_and_site_name_is_the_title(tmp_path):
    site = _small(tmp_path, settings="")
    out = tmp_path / "out"
    _build(site, out)
    page = (out / "policy/laws/banfa.html").read_text(encoding="utf-8")
    footer = _footer(page)
    for absent in ("网站标识码", "beian.miit", "beian.mps", "conac", "jiucuo", "registrations", "badges"):
        assert absent not in footer, absent
    assert _meta(page, "SiteName") == "小站住房保障信息公开专栏"
    assert "政府信息公开指南" not in (out / "index.html").read_text(encoding="utf-8")


KEYS = ["site_id_code", "site_name", "conac_id", "icp_record", "police_record"]


def _check(site: Path):
    result = run("check", "--site", str(site / "site.yaml"), "--today", TODAY, "--format", "json")
    return result, [f for f in json.loads(result.stdout) if f["kind"] == "identifier"]


@pytest.mark.parametrize("key", KEYS)
def test_check_reports_a_missing_identifier_as_an_error_on_a_production_site(tmp_path, key):
    settings = "".join(line + "\n" for line in IDENTIFIERS.splitlines() if not line.startswith(key))
    site = _small(tmp_path, settings)  # base_url https://www.xiaozhan.gov.cn/zfbz/
    result, found = _check(site)
    assert [(f["path"], f["severity"]) for f in found] == [("site.yaml", "error")]
    assert result.returncode == 1
    text = run("check", "--site", str(site / "site.yaml"), "--today", TODAY).stdout
    assert "不合格  缺少" in text and f"填写 {key}" in text


def test_check_warns_of_missing_identifiers_on_a_test_site(site):
    path = site({}, MINIMAL_SITE)  # base_url https://www.example.gov.cn/zfbz/
    result = run("check", "--site", str(path), "--today", TODAY, "--format", "json")
    found = [f for f in json.loads(result.stdout) if f["kind"] == "identifier"]
    assert len(found) == len(KEYS) and {f["severity"] for f in found} == {"warning"}
    text = run("check", "--site", str(path), "--today", TODAY).stdout
    assert all(f"填写 {key}" in text for key in KEYS)


def test_check_finds_nothing_missing_when_every_identifier_is_given(tmp_path):
    _, found = _check(_small(tmp_path))
    assert found == []


@pytest.mark.parametrize("url,live", [
    ("https://www.xiaozhan.gov.cn/zfbz/", True), ("http://zfcxjw.cq.gov.cn/", True),
    ("https://www.example.gov.cn/zfbz/", False), ("https://example.com/", False),
    ("https://example.org:8080/x/", False), ("http://localhost:8000/", False), ("http://127.0.0.1/zfbz/", False),
    ("https://examples.gov.cn/", True),  # only the label “example” marks a test address
])
def test_production_is_decided_by_base_url(url, live):
    assert production(url) is live


# ---------------------------------------------------------------- malformed

@pytest.mark.parametrize("extra,column,message", [
    ('site_id_code: "50011200"\n', 15, "不是网站标识码"),
    ('site_id_code: "9901120001"\n', 15, "不是省级行政区划代码"),
    ("conac_id: 0123456789ABCDEF\n", 11, "不是党政机关网站标识的编号"),
    ("icp_record: 渝ICP备123号\n", 13, "不是 ICP 备案号"),
    ("icp_record: ICP备12345678号\n", 13, "不是 ICP 备案号"),
    ("police_record: 渝公网安备 5001120200000号\n", 16, "不是公安机关备案号"),
    ("police_record: 京公网安备 50011202000001号\n", 16, "和编号前两位 50 不一致"),
    ("site_name: " + "长" * 61 + "\n", 12, "网站名称应为一行文字（60 字以内）"),
    ("site_name: [a, b]\n", 12, "应为一段文字，而不是列表"),
    ("disclosure:\n  guide: www.xiaozhan.gov.cn/zn/\n", 10, "“disclosure.guide”：“www.xiaozhan.gov.cn/zn/”不是完整网址"),
    ("disclosure:\n  manual: https://www.xiaozhan.gov.cn/\n", 3, "没有“disclosure.manual”这一设置"),
])
def test_a_malformed_identifier_is_a_configuration_error_at_its_line(site, extra, column, message):
    path = site({}, MINIMAL_SITE + extra)
    result = run("validate", "--site", str(path))
    assert result.returncode == 2, result.stderr
    line = next(l for l in result.stderr.splitlines() if "error[" in l)
    row = 7 if extra.startswith("disclosure") else 6
    assert line.split(": error")[0].endswith(f"site.yaml:{row}:{column}"), line
    assert message in line and "Traceback" not in result.stderr


def test_full_width_digits_and_an_empty_value_are_accepted(site):
    path = site({}, MINIMAL_SITE + 'site_id_code: "５００１１２０００１"\nicp_record: ""\n')
    assert run("validate", "--site", str(path)).returncode == 0
    from generator.config.site import load_site
    loaded = load_site(path)
    assert loaded.site_id_code == "5001120001" and loaded.icp_record == ""


# ---------------------------------------------------------------- meta description

SUMMARY_FIELD = "items:\n  - id: policy/laws\n    fields:\n      - {name: 内容概述, type: text}\n"


def test_meta_description_from_content_summary_else_first_sentence_masked(tmp_path):
    files = {
        "content/_catalog.yaml": SUMMARY_FIELD,
        "content/policy/laws/gaiyao.md": _law("小站县保障性住房配租办法", "00011", "第一条 正文第一句。第二句。",
                                              "  内容概述: 规定保障性住房配租的条件、程序和监督。\n"),
        "content/policy/laws/diyiju.md": _law("小站县住房保障工作规程", "00012",
                                              "# 总则\n\n本规程自发布之日起施行！其余条款见附件。"),
        "content/policy/laws/shenfen.md": _law("关于张某资格的说明", "00013",
                                               f"申请人张某（身份证号 {RAW_ID}）符合条件。其他说明。"),
    }
    site = _small(tmp_path, files=files)
    out = tmp_path / "out"
    _build(site, out)
    read = lambda path: (out / path).read_text(encoding="utf-8")  # noqa: E731
    assert _meta(read("policy/laws/gaiyao.html"), "description") == "规定保障性住房配租的条件、程序和监督。"
    assert _meta(read("policy/laws/diyiju.html"), "description") == "本规程自发布之日起施行！"  # not the heading
    masked = read("policy/laws/shenfen.html")
    description = _meta(masked, "description")
    assert description.startswith("申请人张某（身份证号 110***1233）") and description.endswith("符合条件。")
    assert RAW_ID not in masked and "19900307" not in description


def test_every_page_has_a_meta_description(tmp_path):
    site = _small(tmp_path)
    out = tmp_path / "out"
    _build(site, out)
    pages = sorted(out.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert _meta(text, "description"), page.relative_to(out)
    item = (out / "policy/laws/index.html").read_text(encoding="utf-8")
    assert _meta(item, "description") == "法律法规 — 小站住房保障信息公开专栏（小站县住房和城乡建设局）"


def test_content_summary_is_read_from_a_field_or_from_the_record_itself():
    """内容概述 is the masked record's `summary`; a local catalog may make it a field. Either is the description, before any sentence of the body."""
    from types import SimpleNamespace
    kept = SimpleNamespace(fields={}, summary="  本通知说明  申请条件。 ", title="通知")
    assert content_summary(kept) == "本通知说明 申请条件。"
    assert record_description(kept, "政策文件", "<p>正文第一句。</p>", []) == "本通知说明 申请条件。"
    field = SimpleNamespace(fields={"内容概述": "字段中的概述。"}, summary="", title="通知")
    assert content_summary(field) == "字段中的概述。"
    bare = SimpleNamespace(fields={}, summary="", title="通知")
    assert record_description(bare, "政策文件", "", [("文号", "示府发〔2026〕1号", False)]) == "文号：示府发〔2026〕1号"
    assert record_description(bare, "政策文件", "", []) == "政策文件：通知"


@pytest.mark.parametrize("text,sentence", [
    ("第一句。第二句。", "第一句。"),
    ("他说：“可以。”然后走了。", "他说：“可以。”"),
    ("没有句号的一段话", "没有句号的一段话"),
    ("Is it? Yes.", "Is it?"),
    ("长" * 300, "长" * 119 + "…"),
])
def test_first_sentence(text, sentence):
    assert first_sentence(text) == sentence


# ---------------------------------------------------------------- incremental

def _snapshot(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_changing_one_identifier_renders_every_page_again_and_then_nothing(tmp_path):
    site = _small(tmp_path)
    out = tmp_path / "out"
    _build(site, out)
    yaml = site / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("渝ICP备05000001号-1", "渝ICP备05000001号-2"),
                    encoding="utf-8")
    _build(site, out)
    manifest = json.loads((tmp_path / "out.manifest.json").read_text(encoding="utf-8"))
    pages = {p for p in _snapshot(out) if p.endswith(".html")}
    assert pages and pages <= set(manifest["changed"])
    assert all("渝ICP备05000001号-2" in (out / p).read_text(encoding="utf-8") for p in pages)
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".cache"))
    _build(fresh, tmp_path / "fresh-out")
    assert _snapshot(out) == _snapshot(tmp_path / "fresh-out")
    _build(site, out)  # and a build after it changes nothing
    manifest = json.loads((tmp_path / "out.manifest.json").read_text(encoding="utf-8"))
    assert (manifest["added"], manifest["changed"], manifest["removed"]) == ([], [], [])
