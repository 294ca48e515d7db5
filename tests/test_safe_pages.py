"""No script in a page, a feed or an open-data file (issue 24, item 3).

Links in bodies, `markdown` fields and `url` fields allow only http, https, mailto, tel and
relative addresses, read after character references are decoded and whitespace and control
characters removed (generator/render/safeurl.py); feed titles and descriptions are plain text escaped
for HTML inside XML; CSV cells and headers that a spreadsheet would run as formulas start with `'`.
"""
import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest
from conftest import run, write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.render.markup import Markdown, safe_url

TODAY = "2026-06-01"
CATALOG = """\
categories:
  - {id: safe, name: 安全测试}
items:
  - id: safe/doc
    name: 安全文件
    公开内容: [说明]
    公开依据: [依据]
    公开时限: 20个工作日内
    公开主体: 测试县住建局
    公开渠道和载体: [政府网站]
    公开对象: [全社会]
    公开方式: [主动]
    公开层级: [县级]
    body: {label: 正文}
    fields:
      - {name: 原文链接, type: url}
      - {name: 补充说明, type: markdown}
  - id: safe/list
    name: 安全名单
    公开内容: [名单]
    公开依据: [依据]
    公开时限: 20个工作日内
    公开主体: 测试县住建局
    公开渠道和载体: [政府网站]
    公开对象: [全社会]
    公开方式: [主动]
    公开层级: [县级]
    kind: list
    body: {label: 说明}
    rows:
      - {name: 名称, type: text, required: true}
      - {name: 金额, type: money}
      - {name: 余额, type: decimal}
      - {name: '=HYPERLINK("http://evil.example/","点我")', type: text}
"""


def document(body: str, fields: str = "", title: str = "安全测试文件") -> str:
    return f"---\ntitle: {title}\ndate: 2026-03-02\nindex_no: TEST/2026-00001\n{fields}---\n{body}\n"


LIST = """\
title: 安全测试名单
date: 2026-03-03
index_no: TEST/2026-00002
body: 名单如下。
rows:
  - {名称: "-2+3+cmd|' /C calc'!A0", 金额: "-12.5", 余额: "-3", '=HYPERLINK("http://evil.example/","点我")': "=1+1"}
  - {名称: "@SUM(1+1)*cmd|' /C calc'!A0", 金额: "8", 余额: "0.5", '=HYPERLINK("http://evil.example/","点我")': "-"}
  - {名称: "正常名称", 金额: "1,200元", 余额: "2", '=HYPERLINK("http://evil.example/","点我")': "2026-03-03"}
"""


def build_site(tmp_path, body: str, fields: str = "", title: str = "安全测试文件", extra: dict | None = None):
    files = {"content/_catalog.yaml": CATALOG, "content/safe/doc/a.md": document(body, fields, title),
             "content/safe/list/b.yaml": LIST, **(extra or {})}
    site_yaml = write_site(tmp_path / "site", files)
    out = tmp_path / "out"
    result = run("build", "--site", str(site_yaml), "--out", str(out), "--today", TODAY)
    return result, out



# -- what a browser makes of an address: an implementation independent of generator/render/safeurl.py --
ALLOWED = {"http", "https", "mailto", "tel"}


class _Links(HTMLParser):
    """Every href and src of a page, as a browser reads the attribute (references decoded),
    and every element and attribute name seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [name for name, _ in attrs]))
        self.links += [(tag, name, value or "") for name, value in attrs if name in ("href", "src")]


def links_of(page: str) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(page)
    parser.close()
    return parser.links


def browser_scheme(address: str) -> str | None:
    """The scheme of an address after the browser's clean-up (leading and trailing C0 controls
    and spaces dropped, tab and newline removed anywhere), and after removing every other
    whitespace or control character too; None for a relative address."""
    address = address.strip("".join(map(chr, range(0x21))))
    address = re.sub(r"[\t\n\r]", "", address)
    for candidate in (address, re.sub(r"[\x00-\x20\x7f-\x9f\s]", "", address)):
        match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", candidate)
        if match and match.group(1).lower() not in ALLOWED:
            return match.group(1).lower()
    return None


def dangerous_links(out) -> list:
    found = []
    for page in sorted(out.rglob("*.html")):
        for tag, attribute, value in links_of(page.read_text(encoding="utf-8")):
            if browser_scheme(value) is not None:
                found.append((page.relative_to(out).as_posix(), tag, attribute, value))
    return found


def anchor(page: str, text: str) -> str:
    """The href of the link whose text is `text`."""
    match = re.search(r'<a href="([^"]*)">' + re.escape(text) + "</a>", page)
    assert match, text
    return match.group(1)


# -- the examples of issue 24, on built pages ---------------------------------------------------
DISGUISES = {
    "entity-colon": "javascript&#58;alert(document.domain)",
    "entity-first-letter": "&#106;avascript:alert(1)",
    "hex-entity-letter": "&#x6A;avascript:alert(1)",
    "named-colon": "javascript&colon;alert(1)",
    "named-tab": "java&Tab;script:alert(1)",
    "entity-newline": "java&#10;script:alert(1)",
    "raw-tab": "java\tscript:alert(1)",
    "mixed-case": "JaVaScRiPt:alert(1)",
    "leading-spaces": "   javascript:alert(1)",
    "leading-control-entity": "&#1;&#31;javascript:alert(1)",
    "leading-nul-entity": "&#0;javascript:alert(1)",
    "vbscript": "vbscript:msgbox(1)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file": "file:///C:/Windows/win.ini",
    "url-encoded-letter": "%6Aavascript:alert(1)",
    "url-encoded-colon": "javascript%3Aalert(1)",
    "no-semicolon-entity": "&#106avascript:alert(1)",
}
KEPT = {
    "https": "https://www.example.gov.cn/a?b=1",
    "http": "http://www.example.gov.cn/",
    "mailto": "mailto:zfbz@example.gov.cn",
    "tel": "tel:023-12329",
    "relative": "../list/index.html",
    "fragment": "#h-1",
    "query": "?page=2",
    "protocol-relative": "//www.example.gov.cn/zfbz/",  # takes the page's http(s): an http(s) link
}


def _links_markdown(prefix: str) -> str:
    lines = [f"[{prefix}-{name}]({target})" for name, target in {**DISGUISES, **KEPT}.items()]
    lines += [f"![{prefix}-image-{name}]({target})" for name, target in DISGUISES.items()]
    lines.append(f"[{prefix}-reference][r]\n\n[r]: javascript&#58;alert(2)")
    return "\n\n".join(lines)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    field = json.dumps(_links_markdown("field"), ensure_ascii=False)
    result, out = build_site(
        tmp_path_factory.mktemp("safe"),
        "<img src=x onerror=alert('img')>\n\n" + _links_markdown("body") + "\n",
        fields=f"fields:\n  原文链接: https://www.example.gov.cn/yuanwen.html\n  补充说明: {field}\n",
        title="<script>alert('title')</script>公告 & 说明")
    assert result.returncode == 0, result.stderr
    return out, (out / "safe/doc/a.html").read_text(encoding="utf-8")


def test_entity_colon_link_in_body_becomes_a_dead_link():
    """`[查看原文](javascript&#58;alert(document.domain))` came out as href="javascript&#58;…"."""
    page = Markdown().convert("[查看原文](javascript&#58;alert(document.domain))")
    assert page == '<p><a href="#">查看原文</a></p>'


@pytest.mark.parametrize("where", ["body", "field"])
def test_entity_letter_link_becomes_a_dead_link(built, where):
    """`[下载](&#106;avascript:alert(1))`, in the body and in a markdown field."""
    _, page = built
    assert anchor(page, f"{where}-entity-first-letter") == "#"
    assert anchor(page, f"{where}-entity-colon") == "#"


@pytest.mark.parametrize("where", ["body", "field"])
def test_image_with_entity_colon_gets_no_source(built, where):
    """`![图](javascript&#58;…)`."""
    _, page = built
    assert f'<img alt="{where}-image-entity-colon" src="#">' in page


@pytest.mark.parametrize("where", ["body", "field"])
@pytest.mark.parametrize("name", sorted(DISGUISES))
def test_every_disguise_becomes_a_dead_link(built, where, name):
    _, page = built
    assert anchor(page, f"{where}-{name}") == "#"
    assert f'<img alt="{where}-image-{name}" src="#">' in page


@pytest.mark.parametrize("where", ["body", "field"])
def test_a_reference_link_is_checked_too(built, where):
    _, page = built
    assert anchor(page, f"{where}-reference") == "#"


@pytest.mark.parametrize("where", ["body", "field"])
@pytest.mark.parametrize("name", sorted(KEPT))
def test_allowed_links_are_kept_as_written(built, where, name):
    _, page = built
    assert anchor(page, f"{where}-{name}") == html.escape(KEPT[name], quote=True).replace("&#x27;", "'")


def test_no_page_of_the_site_has_a_dangerous_link(built):
    out, _ = built
    assert dangerous_links(out) == []


def test_raw_html_in_a_body_stays_text(built):
    _, page = built
    assert "&lt;img src=x onerror=alert(&#39;img&#39;)&gt;" in page or "&lt;img src=x onerror=alert('img')&gt;" in page
    assert not any(tag == "img" and "onerror" in names for tag, names in _tags(page))


def _tags(page: str) -> list:
    parser = _Links()
    parser.feed(page)
    return parser.tags


# -- url fields ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["javascript&#58;alert(1)", "&#106;avascript:alert(1)", "JaVaScRiPt:alert(1)",
                                   "vbscript:msgbox(1)", "data:text/html,x", "file:///etc/passwd",
                                   "%6Aavascript:alert(1)", "java&Tab;script:alert(1)"])
def test_a_url_field_with_a_forbidden_scheme_is_an_error_with_its_line(tmp_path, value):
    result, out = build_site(tmp_path, "正文。", fields=f"fields:\n  原文链接: {json.dumps(value)}\n")
    assert result.returncode == 1
    assert "content/safe/doc/a.md:6:9:" in result.stderr and "error[field-value]" in result.stderr
    assert "不允许的协议" in result.stderr and "Traceback" not in result.stderr
    assert not (out / "safe/doc/a.html").exists()


def test_a_url_field_with_a_tab_inside_the_scheme_is_an_error(tmp_path):
    result, _ = build_site(tmp_path, "正文。", fields='fields:\n  原文链接: "java\\tscript:alert(1)"\n')
    assert result.returncode == 1 and "content/safe/doc/a.md:6:9:" in result.stderr
    assert "“javascript:”" in result.stderr


@pytest.mark.parametrize("value", ["https://www.example.gov.cn/a?b=1&c=2", "HTTP://WWW.EXAMPLE.GOV.CN/",
                                   "mailto:zfbz@example.gov.cn", "tel:023-12329"])
def test_a_url_field_takes_http_https_mailto_and_tel(value):
    from generator.config.fieldtypes import parse_url
    assert parse_url(value) == value


@pytest.mark.parametrize("value", ["../a.html", "//www.example.gov.cn/", "www.example.gov.cn"])
def test_a_url_field_is_an_absolute_address(value):
    """A relative path is a safe link in a body but no 网址 a citizen can read."""
    from generator.config.fieldtypes import Invalid, parse_url
    with pytest.raises(Invalid, match="不是网址"):
        parse_url(value)


# -- feeds --------------------------------------------------------------------------------------
class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def markup_in(text: str) -> list:
    """The elements an RSS reader would make of a title or description taken as HTML."""
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser.elements


def test_feed_descriptions_and_titles_are_inert_text(built):
    out, _ = built
    for name in ("feeds/all.xml", "feeds/safe.xml", "feeds/safe/doc.xml"):
        channel = ET.parse(out / name).getroot().find("channel")
        entry = next(e for e in channel.iter("item") if e.findtext("link").endswith("safe/doc/a.html"))
        title, description = entry.findtext("title"), entry.findtext("description")
        assert markup_in(title) == [] and markup_in(description) == [], name
        # what the reader shows once the HTML is read: the text as the staff wrote it
        assert html.unescape(title) == "<script>alert('title')</script>公告 & 说明"
        assert "<img src=x onerror=alert('img')>" in html.unescape(description)
        for element in channel.iter():
            if element.tag in ("title", "description"):
                assert markup_in(element.text or "") == [], (name, element.tag)


def test_feedparser_sees_no_element_from_content(built):
    out, _ = built
    parsed = feedparser.parse((out / "feeds/safe/doc.xml").read_bytes())
    entry = parsed.entries[0]
    for text in (entry.title, entry.summary):
        assert "<" not in text and markup_in(text) == []
    assert "&lt;img src=x onerror=alert('img')&gt;" in entry.summary
    assert "&lt;script&gt;alert('title')&lt;/script&gt;" in entry.title


def test_a_channel_title_from_site_yaml_is_text_too(tmp_path):
    from conftest import MINIMAL_SITE
    site_yaml = write_site(tmp_path / "site", {"content/_catalog.yaml": CATALOG, "content/safe/doc/a.md": document("正文。")},
                           MINIMAL_SITE.replace("title: 测试县", "title: <b onmouseover=alert(1)>测试县"))
    result = run("build", "--site", str(site_yaml), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    channel = ET.parse(tmp_path / "out/feeds/all.xml").getroot().find("channel")
    assert markup_in(channel.findtext("title")) == []
    assert html.unescape(channel.findtext("title")).startswith("<b onmouseover=alert(1)>测试县")


# -- open data ----------------------------------------------------------------------------------
def _csv(out) -> list[list[str]]:
    return list(csv.reader(io.StringIO((out / "data/safe/list.csv").read_text(encoding="utf-8-sig"), newline="")))


HEADER = '=HYPERLINK("http://evil.example/","点我")'


def test_csv_text_cells_that_would_be_formulas_start_with_a_quote(built):
    out, _ = built
    rows = _csv(out)[1:]
    assert [row[3] for row in rows] == ["'-2+3+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", "正常名称"]
    assert rows[0][6] == "'=1+1"


def test_csv_header_from_a_local_column_name_is_neutralised(built):
    out, _ = built
    assert _csv(out)[0][-1] == "'" + HEADER


def test_csv_negative_numbers_stay_numbers(built):
    out, _ = built
    rows = _csv(out)[1:]
    assert [row[4] for row in rows] == ["-12.5", "8", "1200"]  # money
    assert [row[5] for row in rows] == ["-3", "0.5", "2"]  # decimal


def test_json_keeps_values_and_keys_exactly(built):
    out, _ = built
    data = json.loads((out / "data/safe/list.json").read_text(encoding="utf-8"))
    assert data["列"][-1] == HEADER
    first = data["行"][0]
    assert first["名称"] == "-2+3+cmd|' /C calc'!A0" and first["金额"] == "-12.5" and first[HEADER] == "=1+1"


@pytest.mark.parametrize("cell, written", [
    ("-12.5", "-12.5"), ("-3", "-3"), ("+3", "+3"), ("-", "-"), ("--", "--"), ("2026-03-03", "2026-03-03"),
    ("-1+1", "'-1+1"), ("-A1", "'-A1"), ("+86 138", "'+86 138"), ("=1", "'=1"), ("@x", "'@x"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-12.5e3", "'-12.5e3"), ("a=b", "a=b"),
])
def test_csv_cell_neutralises_only_what_could_be_a_formula(cell, written):
    from generator.outputs.opendata import _csv_cell
    assert _csv_cell(cell) == written


# -- the rule itself ----------------------------------------------------------------------------
@pytest.mark.parametrize("address", [*DISGUISES.values(), "javascript:alert(1)", " \x01javascript:x", "java\nscript:x",
                                     "java\x00script:x", "\u3000javascript:x", "java\u200bscript:x",
                                     "javascript&#x3A;x", "ftp://x", "a:b", "\\\\javascript:x"])
def test_safe_url_refuses(address):
    assert not safe_url(address)


@pytest.mark.parametrize("address", [*KEPT.values(), "", "a/b:c", "a.html#x:y", "?q=a:b", "HTTPS://X", "MailTo:a@b",
                                     "%E4%B8%AD%E6%96%87.html", "&#x2F;&#x2F;host/",
                                     "&amp;#106;avascript:x"])  # a browser reads `&#106;avascript:x`: a fragment
def test_safe_url_allows(address):
    assert safe_url(address)


# -- hypothesis: any dangerous scheme, any disguise ----------------------------------------------
SCHEMES = ["javascript", "vbscript", "data", "file", "jav&#x61;script"]
_ENTITY = st.sampled_from(["&#{};", "&#x{:x};", "&#x{:X};", "&#00{};", "&#{}"])
_INSERT = st.sampled_from(["", "\t", "&#9;", "&#10;", "&#13;", "&Tab;", "&NewLine;", "&#0;", "\u200b"])
_COLON = st.sampled_from([":", "&#58;", "&#x3a;", "&#x3A;", "&colon;", "&#058;", "%3A", "%3a"])


@st.composite
def disguised(draw, raw_controls: bool = True):
    scheme = draw(st.sampled_from(["javascript", "vbscript", "data", "file"]))
    letters = []
    for letter in scheme:
        if draw(st.booleans()):
            letter = letter.upper()
        if draw(st.integers(0, 4)) == 0:
            letter = draw(_ENTITY).format(ord(letter))
        elif draw(st.integers(0, 6)) == 0:
            letter = "%{:02X}".format(ord(letter))
        letters.append(letter)
        inserted = draw(_INSERT)
        if raw_controls and draw(st.integers(0, 5)) == 0:
            inserted = draw(st.sampled_from(["\t", "\x00", "\x0b", "\x7f"]))
        letters.append(inserted)
    lead = draw(st.sampled_from(["", " ", "   ", "&#32;", "&#1;", "\x01" if raw_controls else "&#1;"]))
    return lead + "".join(letters) + draw(_COLON) + "alert(1)"


@settings(max_examples=400, deadline=None)
@given(address=disguised(), form=st.sampled_from(["[t]({})", "![t]({})", "[t][r]\n\n[r]: {}", "<{}>"]))
def test_no_disguised_scheme_survives_markdown(address, form):
    page = Markdown().convert(form.format(address))
    assert [link for link in links_of(page) if browser_scheme(link[2]) is not None] == []


@settings(max_examples=400, deadline=None)
@given(address=disguised())
def test_safe_url_refuses_every_disguise(address):
    assert not safe_url(address)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(addresses=st.lists(disguised(raw_controls=False), min_size=25, max_size=25))
def test_no_page_of_a_built_site_links_a_disguised_scheme(tmp_path_factory, addresses):
    body = "\n\n".join(f"[正文{n}]({a})\n\n![图{n}]({a})" for n, a in enumerate(addresses))
    field = json.dumps("\n\n".join(f"[字段{n}]({a})" for n, a in enumerate(addresses)), ensure_ascii=False)
    result, out = build_site(tmp_path_factory.mktemp("drawn"), body, fields=f"fields:\n  补充说明: {field}\n")
    assert result.returncode == 0, result.stderr
    assert dangerous_links(out) == []
    page = (out / "safe/doc/a.html").read_text(encoding="utf-8")
    assert page.count('href="#"') >= 2 * len(addresses) and page.count('src="#"') == len(addresses)


# -- staff are told ---------------------------------------------------------------------------
def test_a_refused_link_in_a_body_is_a_warning_with_its_line(tmp_path):
    result = run("validate", "--site", str(write_site(tmp_path / "site", {
        "content/_catalog.yaml": CATALOG,
        "content/safe/doc/a.md": document("第一段。\n\n[查看原文](javascript&#58;alert(document.domain))")})))
    assert result.returncode == 0, result.stderr
    # lines: 1 ---, 2 title, 3 date, 4 index_no, 5 ---, 6 第一段, 7 empty, 8 the link
    assert "content/safe/doc/a.md:8:1: warning[unsafe-link]: 正文中的链接使用了不允许的协议“javascript:”" in result.stderr


def test_a_refused_link_in_a_markdown_field_is_a_warning(tmp_path):
    result = run("validate", "--site", str(write_site(tmp_path / "site", {
        "content/_catalog.yaml": CATALOG,
        "content/safe/doc/a.md": document("正文。", 'fields:\n  补充说明: "[下载](&#106;avascript:alert(1))"\n')})))
    assert result.returncode == 0, result.stderr
    assert "content/safe/doc/a.md:6:" in result.stderr and "warning[field-doubt]" in result.stderr
    assert "“补充说明”：其中的链接使用了不允许的协议“javascript:”" in result.stderr


def test_allowed_links_give_no_warning(tmp_path):
    body = "\n\n".join(f"[{name}]({target})" for name, target in KEPT.items()) + "\n\n<https://www.example.gov.cn/>"
    result = run("validate", "--site", str(write_site(tmp_path / "site", {
        "content/_catalog.yaml": CATALOG, "content/safe/doc/a.md": document(body)})))
    assert result.returncode == 0 and "unsafe-link" not in result.stderr, result.stderr


@settings(max_examples=300, deadline=None)
@given(address=disguised(), form=st.sampled_from(["[t]({})", "![t]({})", "x\n\n[r]: {}\n"]))
def test_every_link_made_dead_is_found_for_the_warning(address, form):
    from generator.render.safeurl import refused_links
    text = form.format(address)
    if 'href="#"' in Markdown().convert(text) or 'src="#"' in Markdown().convert(text):
        assert refused_links(text)
