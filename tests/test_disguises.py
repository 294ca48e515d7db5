"""A personal number never reaches the output, whatever its disguise and wherever it is written.

Each build here is of a small site whose local catalog item has a field and a list column
of every kind a number can be typed into. A number is written in one place, in one
disguise; the build must either refuse, naming the record file, or mask it in every
output file. Never exit 0 with the raw digits anywhere, and never a raw number in a message.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import leaks, run, write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config.fieldtypes import id_check_digit
from generator.model.diagnostics import ConfigError, ContentError
from generator.pipeline.build import build
from generator.privacy import freetext, leakgate

TODAY = "2026-10-01"
RECORD = "content/test/every/r1.md"
SITE = """\
title: 伪装测试县住房保障信息公开专栏
department: 伪装测试县住房和城乡建设局
level: 县级
base_url: https://www.example.gov.cn/zfbz/
index_prefix: PD
privacy:
  hotlines: ["12329", "13512345678"]
"""
CATALOG = """\
categories:
  - id: test
    name: 测试分类
items:
  - id: test/every
    name: 各种字段
    公开内容: [说明]
    公开依据: [测试依据]
    公开时限: 信息形成（变更）20个工作日内
    公开主体: 县住房保障部门
    公开渠道和载体: [政府网站]
    公开对象: [全社会]
    公开方式: [主动]
    公开层级: [市级, 县级]
    kind: list
    fields:
      - {name: 说明文字, type: text}
      - {name: 详细说明, type: markdown}
      - {name: 咨询电话, type: tel}
      - {name: 户数, type: integer}
      - {name: 金额, type: money}
    rows:
      - {name: 姓名, type: name}
      - {name: 备注, type: text}
      - {name: 电话, type: tel}
      - {name: 编号, type: integer}
      - {name: 面积, type: decimal}
      - {name: 项目编码, type: project_code}
"""
FIELDS = {"说明文字": "本批次公示说明", "详细说明": "详见**正文**", "咨询电话": "023-63211234",
          "户数": 12, "金额": "1200.50"}
ROW = {"姓名": "张三", "备注": "无", "电话": "023-63211235", "编号": 1, "面积": "45.5",
       "项目编码": "2024-500103-70-01-000123"}
BODY = "公示内容如下。\n\n| 序号 | 说明 |\n|---|---|\n| 1 | 无 |\n"
FIELD_PLACES = ("说明文字", "详细说明", "咨询电话", "户数", "金额")
CELL_PLACES = ("姓名", "备注", "电话", "编号", "面积", "项目编码")
BODY_PLACES = ("body-paragraph", "body-link-text", "body-table-cell", "body-heading", "body-list", "body-quote")
NAME_PLACES = ("slug", "project", "attachment-name", "index_no")
PLACES = ("title", *BODY_PLACES, *(f"field:{p}" for p in FIELD_PLACES), *(f"cell:{p}" for p in CELL_PLACES),
          "attachment-title", *NAME_PLACES)


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def _yaml(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML: every value quoted as it should be


def record_files(place: str, written: str) -> dict:
    """The files of a one-record site with `written` in `place`."""
    fields, row, title, body, slug = dict(FIELDS), dict(ROW), "公示", BODY, "r1"
    project, attachment, index_no = None, None, "PD/2026-00001"
    attachment_title = "附件"
    if place == "title":
        title = f"公示{written}号"
    elif place.startswith("field:"):
        fields[place[6:]] = written
    elif place.startswith("cell:"):
        row[place[5:]] = written
    elif place == "body-paragraph":
        body = f"申请人 {written} 的情况说明。\n\n" + BODY
    elif place == "body-link-text":
        body = f"[材料 {written}](https://www.example.gov.cn/a.html)\n\n" + BODY
    elif place == "body-table-cell":
        body = BODY + f"| 2 | {written} |\n"
    elif place == "body-heading":
        body = f"## 关于 {written}\n\n" + BODY
    elif place == "body-list":
        body = f"- 联系 {written}\n- 其他\n\n" + BODY
    elif place == "body-quote":
        body = f"> 来信 {written}\n\n" + BODY
    elif place == "slug":
        slug = written
    elif place == "project":
        project = [written]
    elif place == "attachment-name":
        attachment = f"{written}.txt"
    elif place == "attachment-title":
        attachment, attachment_title = "note.txt", f"材料 {written}"
    elif place == "index_no":
        index_no = written
    front = [f"title: {_yaml(title)}", "date: 2026-03-02", f"index_no: {_yaml(index_no)}",
             "window: {from: 2026-03-02, to: 2026-12-31}",
             f"fields: {_yaml(fields)}", f"rows:\n  - {_yaml(row)}"]
    if project:
        front.append(f"project: {_yaml(project)}")
    files = {"content/_catalog.yaml": CATALOG}
    if attachment:
        front.append(f"attachments: [{{path: {_yaml(attachment)}, title: {_yaml(attachment_title)}}}]")
        files[f"content/test/every/{attachment}"] = "附件正文，无个人信息。\n"
    files[f"content/test/every/{slug}.md"] = "---\n" + "\n".join(front) + "\n---\n" + body
    return files


def flat(text: str) -> str:
    """Digits as a reader would copy them off the page: markup and references gone, full-width
    to ASCII, no separators."""
    text = leakgate.shown_text(text).translate(str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX"))
    return re.sub(r"[\s\-－‐‑–—.．·\u3000\0*_~`\\]", "", text)


def outputs(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): leakgate.readable(p.read_bytes()).decode("utf-8", "replace")
            for p in sorted(out.rglob("*")) if p.is_file()}


def assert_never_published(root: Path, digits: str):
    """Build the site at root: refused naming the record, or built with the digits in no file."""
    out = root / "out"
    try:
        result = build(root / "site.yaml", out, TODAY)
    except (ContentError, ConfigError) as problem:
        messages = [d.format() for d in problem.report.sorted()]
        errors = [m for m in messages if ": error[" in m]
        assert errors, messages
        assert any(m.startswith("content/test/every/") or "来自 content/test/every/" in m for m in errors), messages
        assert not any(digits in flat(m) for m in messages), messages
        assert not out.exists() or not any(digits in flat(t) for t in outputs(out).values())
        return "refused"
    messages = [d.format() for d in result.report.sorted()]
    assert not any(digits in flat(m) for m in messages), messages
    files = outputs(out)
    assert len(files) > 10
    for path, text in files.items():
        assert digits not in flat(text), f"{digits} published in {path}"
    assert any(": warning[personal-number]" in m for m in messages), messages
    return "masked"


def write_case(root: Path, place: str, written: str) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    return write_site(root, record_files(place, written), SITE).parent


# -- the reported cases, one by one ---------------------------------------------------------

ID_1980 = valid_id("11010119800101001")  # 110101198001010010
GLUED_ID = valid_id("11010119800102002")  # 110101198001020024
GROUPS_ID = valid_id("11010119800104004")  # 110101198001040041
MARKUP_ID = valid_id("11010119800114014")  # 110101198001140149
REF_ID = valid_id("11010119800113013")  # 110101198001130135

REPORTED = [
    ("+8613912345671", "13912345671"),
    ("8613912345672", "13912345672"),
    ("0086 139 1234 5673", "13912345673"),
    ("+86 139-1234-5674", "13912345674"),
    ("1" + ID_1980, ID_1980),
    (GLUED_ID + "001", GLUED_ID),
    ("-".join([GROUPS_ID[i:i + 4] for i in range(0, 18, 4)]), GROUPS_ID),
    (f"{MARKUP_ID[:6]}**{MARKUP_ID[6:14]}**{MARKUP_ID[14:]}", MARKUP_ID),
    (f"{REF_ID[:6]}&#{ord(REF_ID[6])};{REF_ID[7:]}", REF_ID),
    (f"[{MARKUP_ID[:6]}](https://www.example.gov.cn/a.html){MARKUP_ID[6:]}", MARKUP_ID),
    ("110101800102002", "110101800102002"),
]


@pytest.mark.parametrize("written, digits", REPORTED)
def test_each_reported_disguise_is_found(written, digits):
    assert [h.digits for h in freetext.find(f"号码 {written} 。")] == [digits]


@pytest.mark.parametrize("written, digits", REPORTED)
def test_each_reported_disguise_is_masked_in_a_body(tmp_path, written, digits):
    root = write_case(tmp_path / "site", "body-paragraph", written)
    assert assert_never_published(root, digits) == "masked"


@pytest.mark.parametrize("column, written, digits", [
    ("编号", "13977778888", "13977778888"),
    ("面积", "110101800102002", "110101800102002"),
    ("电话", "13977778889", "13977778889"),
    ("备注", "+8613977778880", "13977778880"),
])
def test_numbers_in_columns_that_are_not_text_are_masked(tmp_path, column, written, digits):
    root = write_case(tmp_path / "site", f"cell:{column}", written)
    assert assert_never_published(root, digits) == "masked"
    data = (root / "out/data/test/every.json").read_text(encoding="utf-8")
    assert digits[:3] + "****" in data or digits[:3] + "***" in data


def test_a_personal_mobile_in_a_tel_field_is_masked_with_a_warning(tmp_path):
    root = write_case(tmp_path / "site", "field:咨询电话", "咨询电话: 13900000001")
    assert assert_never_published(root, "13900000001") == "masked"
    page = (root / "out/test/every/r1.html").read_text(encoding="utf-8")
    assert "139****0001" in page


def test_a_declared_hotline_in_a_tel_field_is_published(tmp_path):
    root = write_case(tmp_path / "site", "field:咨询电话", "13512345678")
    build(root / "site.yaml", root / "out", TODAY)
    assert "13512345678" in (root / "out/test/every/r1.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("place, written, digits", [
    ("slug", "13900000003", "13900000003"),
    ("slug", "110101800102002", "110101800102002"),
    ("project", "13900000007", "13900000007"),
    ("cell:项目编码", "13900000008", "13900000008"),
    ("attachment-name", "13900000009", "13900000009"),
    ("index_no", "PD/" + ID_1980, ID_1980),
])
def test_a_number_in_a_name_or_code_is_an_error_naming_the_file(tmp_path, place, written, digits):
    root = write_case(tmp_path / "site", place, written)
    assert assert_never_published(root, digits) == "refused"
    result = run("build", "--site", str(root / "site.yaml"), "--out", str(root / "out2"), "--today", TODAY)
    assert result.returncode == 1
    assert "error[number-in-name]" in result.stderr
    assert digits not in flat(result.stderr + result.stdout)
    checked = run("validate", "--site", str(root / "site.yaml"))  # validate refuses what build refuses
    assert checked.returncode == 1 and "error[number-in-name]" in checked.stderr
    assert digits not in flat(checked.stderr + checked.stdout)


def test_an_unknown_field_named_by_an_id_is_not_echoed(tmp_path):
    root = write_case(tmp_path / "site", "title", "无")
    record = root / RECORD
    record.write_text(record.read_text(encoding="utf-8").replace("title:", f'"{ID_1980}": 1\ntitle:'),
                      encoding="utf-8")
    result = run("validate", "--site", str(root / "site.yaml"))
    assert result.returncode == 1
    assert "unknown-key" in result.stderr
    assert ID_1980 not in flat(result.stderr + result.stdout)
    assert "110***0010" in result.stderr


def test_an_id_stored_as_an_excel_number_is_not_echoed():
    from generator.config.fieldtypes import Invalid, parse_id_card

    with pytest.raises(Invalid) as problem:
        parse_id_card(1.1010119800107e+17)
    assert "11010119800107" not in problem.value.message.replace(".", "")
    assert "110***" in problem.value.message


def test_the_leak_gate_names_the_source_record_and_line(tmp_path):
    from generator.pipeline import workers

    root = write_case(tmp_path / "site", "title", "无")
    record = root / RECORD
    text = record.read_text(encoding="utf-8")
    record.write_text(text + "\n隐藏的号码 1<b></b>3912345678\n", encoding="utf-8")
    gate = leakgate.Gate(set())
    leak = gate.leak("test/every/r1.html", "<p>1<span>39</span>12345678</p>".encode(),
                     ("content/test/every/r1.md", record))
    assert leak.shown == "139****5678"
    assert leak.source == f"content/test/every/r1.md:{text.count(chr(10)) + 2}"
    assert workers  # the per-record gate passes the record as the source (workers._render)


@pytest.mark.parametrize("page", [
    "<p>110101<strong>19800114</strong>0149</p>",
    "<p>110101&#49;98001130135</p>",
    "<td>+86 139 1234 5678</td>",
    "<item><description>&lt;p&gt;1391234&lt;b&gt;5678&lt;/b&gt;&lt;/p&gt;</description></item>",
])
def test_the_leak_gate_reads_what_a_reader_sees(page):
    assert leaks({"a.html": page.encode()}), page


def test_the_leak_gate_lets_declared_hotlines_and_public_numbers_through():
    page = ("<p>咨询电话 12329、135-1234-5678，办公电话 023-63211234，项目 2024-500103-70-01-000123，"
            "索引号 11500000MB0000001M/2026-00043，日期 2026-03-02 至 2026-03-16，面积 55.5</p>").encode()
    assert leaks({"a.html": page}, allowed={"12329", "13512345678"}) == []


# -- every disguise, every place --------------------------------------------------------------

@st.composite
def id_numbers(draw):
    region = draw(st.sampled_from(["110101", "440305", "500103", "320102", "650102"]))
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31)))
    return valid_id(f"{region}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}")


@st.composite
def old_ids(draw):
    region = draw(st.sampled_from(["110101", "440305", "500103"]))
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(1999, 12, 31)))
    return f"{region}{birth:%y%m%d}{draw(st.integers(0, 999)):03d}"


mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z").filter(lambda m: m != "13512345678")
WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _groups(digits: str, sizes) -> list[str]:
    out, at = [], 0
    for size in sizes:
        if at >= len(digits):
            break
        out.append(digits[at:at + size])
        at += size
    if at < len(digits):
        out.append(digits[at:])
    return out


@st.composite
def disguised(draw):
    """(what is written, the digits that must never be published, whether names may hold it)."""
    kind = draw(st.sampled_from(["id", "old", "mobile"]))
    digits = draw({"id": id_numbers(), "old": old_ids(), "mobile": mobiles}[kind])
    how = draw(st.sampled_from(["plain", "spaces", "hyphens", "fours", "dots", "break", "glued", "markup",
                                "reference", "wide", "prefix", "link"]))
    if kind == "mobile":
        sizes = (3, 4, 4)
    elif kind == "id":
        sizes = (6, 8, 4)
    else:
        sizes = (6, 6, 3)
    text = digits
    if how == "spaces":
        text = " ".join(_groups(digits, sizes))
    elif how == "hyphens":
        text = "-".join(_groups(digits, sizes))
    elif how == "fours":
        text = "-".join(_groups(digits, [4] * 5))
    elif how == "dots":
        text = ".".join(_groups(digits, sizes))
    elif how == "break":
        text = "\n".join(_groups(digits, sizes))
    elif how == "glued":  # a mobile is found glued only to a country code: any 12-digit run may hold one
        extra = draw(st.sampled_from(["1", "7", "00", "123"]))
        if kind == "mobile":
            text = draw(st.sampled_from(["86", "0086"])) + digits
        else:
            text = extra + digits if kind != "old" and draw(st.booleans()) else digits + extra
    elif how == "markup":
        cut = draw(st.integers(2, len(digits) - 2))
        mark = draw(st.sampled_from(["**", "*", "_", "`", "~~", "\\"]))
        text = digits[:cut] + mark + digits[cut:cut + 3] + mark + digits[cut + 3:] if mark != "\\" else \
            digits[:cut] + "\\" + digits[cut:]
    elif how == "link":  # part of the number is a link's text: [110101](https://…)19800114…
        cut = draw(st.integers(2, len(digits) - 2))
        text = f"[{digits[:cut]}](https://www.example.gov.cn/a.html){digits[cut:]}"
    elif how == "reference":
        cut = draw(st.integers(1, len(digits) - 1))
        ref = draw(st.sampled_from(["&#{};", "&#x{:x};"])).format(ord(digits[cut]))
        text = digits[:cut] + ref + digits[cut + 1:]
    elif how == "wide":
        text = digits.translate(WIDE)
    elif how == "prefix":
        if kind == "mobile":
            text = draw(st.sampled_from(["+86", "86", "0086", "+86 ", "(+86)", "+86-"])) + \
                draw(st.sampled_from(["", " ", "-"])).join(_groups(digits, sizes))
    nameable = how in ("plain", "hyphens", "fours", "glued")
    return text, digits, nameable


TEXT_PLACES = [p for p in PLACES if p not in NAME_PLACES and p not in
               ("cell:编号", "cell:面积", "field:户数", "field:金额", "cell:项目编码")]
NUMBER_PLACES = ["cell:编号", "cell:面积", "field:户数", "field:金额"]


@settings(max_examples=int(__import__("os").environ.get("DISGUISE_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(disguised(), st.sampled_from(PLACES))
def test_no_disguise_in_any_place_is_published(tmp_path, case, place):
    written, digits, nameable = case
    if place in NAME_PLACES + ("cell:项目编码",) and not nameable:
        written = digits  # a name holds no spaces or markup: the number as it is
    if place == "slug" or place == "attachment-name":
        written = written.lower()
    root = write_case(tmp_path / "site", place, written)
    outcome = assert_never_published(root, digits)
    if place in NAME_PLACES:
        assert outcome == "refused"


def test_a_command_line_value_is_not_echoed(tmp_path):
    result = run("build", "--site", str(tmp_path / "site.yaml"), "--today", "13912345678")
    assert result.returncode == 2
    assert "139****5678" in result.stderr and "13912345678" not in result.stderr


def test_the_leak_gate_reads_the_names_of_the_files_it_is_given():
    # a second line behind number-in-name: an address holding a mobile is a leak, a search index's digest is not
    found = leaks({"test/every/13900000003.html": b"<p>x</p>", "test/every/r1.html": b"<p>x</p>",
                   "pagefind/fragment/zh-cn_13912345678a.pf_fragment": b"x"})
    assert [(leak.path, leak.shown) for leak in found] == [("test/every/13900000003.html", "139****0003")]


def test_a_number_no_longer_declared_a_hotline_is_caught_in_pages_the_output_already_holds(tmp_path):
    """The footer shows contact.phone, a mobile declared in privacy.hotlines: published. Once
    it is taken off the list, every page that shows it is a leak, although the page's bytes
    are the ones the output holds (a file is gated when it is written, and these are not):
    the build stops and the output keeps what it had."""
    with_contact = SITE + "contact:\n  phone: 135-1234-5678\n"
    site = write_site(tmp_path / "site", {"content/_catalog.yaml": CATALOG}, with_contact)
    out = tmp_path / "out"
    first = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert first.returncode == 0, first.stderr
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    assert "135-1234-5678" in (out / "index.html").read_text(encoding="utf-8")
    site.write_text(with_contact.replace(', "13512345678"', ""), encoding="utf-8")
    second = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert second.returncode == 1 and "index.html" in second.stderr
    assert "13512345678" not in second.stderr and "135-1234-5678" not in second.stderr
    assert {p: p.read_bytes() for p in out.rglob("*.html")} == before


def test_the_search_index_entry_file_is_not_stopped_by_a_digest_that_reads_as_a_mobile():
    """Pagefind names its files by hex digests, listed in pagefind-entry.json: now and then one
    holds eleven digits in a row (a 10,000-record bench site's did: 182…7612), which stopped the
    build as a leak. The digests are passed over; anything else in the file is scanned."""
    entry = {"version": "1.6.0", "languages": {"zh-cn": {"hash": "zh-cn_18212347612ab", "wasm": "zh-cn",
                                                           "page_count": 136}}}
    data = json.dumps(entry).encode()
    assert leaks({"pagefind/13/pagefind-entry.json": data}) == []
    assert leaks({"pagefind/pagefind-entry.json": data}) == []
    assert leaks({"static/entry.json": data})  # not the search index: every number counts
    entry["languages"]["zh-cn"]["wasm"] = "13812345678"
    assert leaks({"pagefind/pagefind-entry.json": json.dumps(entry).encode()})
