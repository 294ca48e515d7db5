"""Personal data: free-text detection, masking through the whole pipeline, the leak gate."""
import csv
import datetime as dt
import io
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, leaks, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config.catalog import base_catalog
from generator.config.fieldtypes import id_check_digit
from generator.pipeline.build import build
from generator.privacy import freetext, leakgate
from generator.privacy.mask import mask_id_card, mask_name, mask_phone

PERSONAL = FIXTURES / "personal"
TODAY = "2026-10-01"
# Every personal number written somewhere in tests/fixtures/personal.
RAW = ["320102198506123454", "440303197211300011", "510107200110098763", "500103198802295437",
       "110105491231002", "13912345678", "13800138000", "13600001111", "6222021234567890128"]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def output_text(out: Path) -> dict[str, str]:
    """Every output file as text; the search index's gzip fragments unpacked."""
    return {p.relative_to(out).as_posix(): leakgate.readable(p.read_bytes()).decode("utf-8", "replace")
            for p in sorted(out.rglob("*")) if p.is_file()}


def flattened(text: str) -> str:
    """Digits as a reader would copy them: full-width to ASCII, no spaces, hyphens or breaks."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return re.sub(r"[\s\-－\u3000]", "", text)


# -- the detector -------------------------------------------------------------------------

ID = valid_id("32010219850612345")


@pytest.mark.parametrize("text, digits", [
    (f"身份证号{ID}。", ID),
    (f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]} 号", ID),
    (f"{ID[:6]}-{ID[6:14]}-{ID[14:]}", ID),
    (f"{ID[:9]}\n   {ID[9:]}", ID),
    (ID.translate(FULL_WIDTH), ID),
    (f"[{ID}](https://www.example.gov.cn/)", ID),
    (f"| 张三 | {ID} |", ID),
    ("手机 139 1234 5678", "13912345678"),
    ("手机+86 139-1234-5678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),
    ("卡号 6222 0212 3456 7890 128", "6222021234567890128"),
    ("旧证 110105491231002", "110105491231002"),
])
def test_personal_numbers_are_found_in_every_form(text, digits):
    assert [hit.digits for hit in freetext.find(text)] == [digits]


@pytest.mark.parametrize("text", [
    "咨询电话 12329，办公电话 023-63211234",
    "项目编码 2024-500103-70-01-000123",
    "2026-03-02 至 2026-03-16 公示",
    "索引号 11500000MB0000001M/2026-00043",
    "总投资 1,200,000 元，面积 55.5㎡",
    f"身份证号 {ID[:17]}{'0' if ID[17] != '0' else '1'}",  # wrong check digit
    "13 50 80 10 20 3 户",  # small numbers in a row are not a phone
    "订单号 12345678901234567890123",
])
def test_ordinary_numbers_are_left_alone(text):
    assert freetext.find(text) == []


@st.composite
def id_numbers(draw):
    region = draw(st.integers(110000, 659999))
    birth = draw(st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)))
    first17 = f"{region}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + id_check_digit(first17)


mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
separators = st.sampled_from(["", " ", "-", " - ", "\n", "\u3000", "\n  "])


@given(id_numbers(), separators, st.booleans(), st.text(alphabet="住房保障公示申请人：，。", max_size=8))
def test_any_id_in_any_form_is_found(number, sep, wide, around):
    written = sep.join([number[:6], number[6:14], number[14:]])
    if wide:
        written = written.translate(FULL_WIDTH)
    assert [(h.kind, h.digits) for h in freetext.find(around + written + around)] == [("id_card", number)]


@given(mobiles, separators)
def test_any_mobile_in_any_form_is_found(number, sep):
    written = sep.join([number[:3], number[3:7], number[7:]])
    assert [(h.kind, h.digits) for h in freetext.find(f"联系电话：{written}。")] == [("mobile", number)]


# -- the leak gate ------------------------------------------------------------------------

def test_leak_gate_reads_numbers_as_free_text_does():
    grouped = f"<p>{ID[:6]} {ID[6:14]}\n{ID[14:]}</p>".encode()
    wide = f"<p>{ID.translate(FULL_WIDTH)}</p>".encode()
    phone = "<td>139-1234-5678</td>".encode()
    found = leaks({"a.html": grouped, "b.html": wide, "c.html": phone, "d.html": b"<p>12329</p>"},
                  {"13912345678", "12329999"})
    assert [(leak.path, leak.shown) for leak in found] == [
        ("a.html", "320***3454"), ("b.html", "320***3454"), ("c.html", "139****5678")]


csv_text = st.lists(st.one_of(st.sampled_from([ID, ID[:6] + " " + ID[6:], ID[:6] + "-" + ID[6:14] + "\r\n" + ID[14:],
                                                "139-1234-5678", "13912345678", "2024-500103-70-01-000123",
                                                "2026-06-01", "63211234", "6321 1234"]),
                              st.text(alphabet="0123456789 -\r\n,，X>张", max_size=30)), max_size=12)


@given(csv_text, st.sets(st.sampled_from(["13912345678", "63211234", "50010370", "1234567", "0123456789"])))
def test_the_gate_finds_in_a_csv_what_it_finds_in_the_same_text_elsewhere(cells, secrets):
    # a CSV is scanned by its distinct cells: the same first leak, or none, as the text read whole
    data = ",".join(cells).encode()
    assert leakgate.Gate(secrets).first_leak(data, csv=True) == leakgate.Gate(secrets).first_leak(data)


def test_an_id_split_by_a_csv_row_end_is_still_a_leak():
    data = f"索引号,姓名\r\nA,{ID[:10]}\r\n{ID[10:]},张*\r\n".encode()
    assert [leak.shown for leak in leaks({"data/x.csv": data})] == ["320***3454"]


def test_short_secrets_only_match_whole_numbers():
    # an unpublished 8-digit landline must not be "found" inside a project code
    found = leaks({"a.html": "项目 2024-500103-70-01-000123".encode(), "b.html": b"<td>63211234</td>"},
                  {"50010370", "63211234"})
    assert [leak.path for leak in found] == ["b.html"]


# -- a site full of personal data ----------------------------------------------------------

@pytest.fixture(scope="module")
def personal(tmp_path_factory):
    out = tmp_path_factory.mktemp("personal") / "out"
    result = run("build", "--site", str(PERSONAL / "site.yaml"), "--out", str(out), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    return out, result


def test_no_personal_number_reaches_any_output_file(personal):
    out, _ = personal
    files = output_text(out)
    assert len(files) > 20
    for path, text in files.items():
        flat = flattened(text)
        for raw in RAW:
            assert raw not in flat, f"{raw} in {path}"


def test_masked_forms_are_shown_where_the_numbers_were(personal):
    out, _ = personal
    notice = (out / "policy/laws/notice.html").read_text(encoding="utf-8")
    for shown in ["申请人 320***3454 的情况", "身份证号：440***0011", "联系电话 138****8000", "新号码 510***8763",
                  "查看 500***5437 的材料", 'alt="身份证 320***3454 复印件"', "***************0128",
                  "手机 139****5678", "旧证号110***002", "联系人 136****1111 的说明"]:
        assert shown in notice
    # public numbers stay: hotlines of site.yaml, landlines, codes and dates
    assert "咨询电话 12329、13512345678，办公电话 023-63211234，项目 2024-500103-70-01-000123" in notice
    results = (out / "allocation/results/2026-01.html").read_text(encoding="utf-8")
    assert "欧阳**" in results and "王**" in results and "欧阳晓梅" not in results
    assert "1-102（联系 139****5678）" in results


def test_free_text_findings_are_warnings_with_file_and_line(personal):
    _, result = personal
    warnings = re.findall(r"^(\S+): warning\[personal-number\]", result.stderr, re.M)
    assert warnings == [
        "content/allocation/results/2026-01.yaml:7:68", "content/policy/laws/notice.md:2:8",
        "content/policy/laws/notice.md:8:7", "content/policy/laws/notice.md:10:5",
        "content/policy/laws/notice.md:12:1", "content/policy/laws/notice.md:14:1",
        "content/policy/laws/notice.md:14:1", "content/policy/laws/notice.md:16:1",
        "content/policy/laws/notice.md:19:1", "content/policy/laws/notice.md:21:1",
        "content/policy/laws/notice.md:25:1", "content/tenancy/subsidy-payments/2026-09.csv:3:6"]
    assert "已隐藏为 320***3454" in result.stderr
    assert not any(raw in result.stderr for raw in RAW)
    assert "已隐藏个人信息" in result.stdout


def test_strict_makes_free_text_findings_errors_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = run("build", "--site", str(PERSONAL / "site.yaml"), "--out", str(out), "--today", TODAY, "--strict")
    assert result.returncode == 1
    assert "notice.md:12:1: error[personal-number]" in result.stderr
    assert not out.exists()


def test_validate_reports_free_text_findings_too():
    result = run("validate", "--site", str(PERSONAL / "site.yaml"))
    assert result.returncode == 0
    assert result.stderr.count("warning[personal-number]") == 12


def test_theme_printing_a_grouped_full_width_id_fails_the_build(tmp_path):
    site_dir = tmp_path / "site"
    shutil.copytree(PERSONAL, site_dir)
    out = tmp_path / "out"
    assert run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", TODAY).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    theme = site_dir / "themes/leaky"
    shutil.copytree(ROOT / "themes/default", theme)
    (theme / "templates").mkdir()
    base = (ROOT / "templates/base.html").read_text(encoding="utf-8")
    printed = "３１０１０４ １９７５１１０８ ００２９"  # 310104197511080029, as a theme might hard-code it
    (theme / "templates/base.html").write_text(base.replace("<main", f"<p>{printed}</p><main"), encoding="utf-8")
    (site_dir / "site.yaml").write_text((site_dir / "site.yaml").read_text(encoding="utf-8") + "theme: leaky\n",
                                        encoding="utf-8")
    result = run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", TODAY)
    assert result.returncode == 1 and "error[leak]" in result.stderr and "310***0029" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# -- any number, any place, any item: through the whole pipeline ---------------------------

def _sample(spec) -> str:
    if spec.type == "enum":
        return spec.values[0]
    return {"text": "示例", "markdown": "示例", "date": "2026-03-02", "month": "2026-02",
            "period": "2026-03-01至2026-03-10", "integer": "3", "decimal": "1.5", "money": "100",
            "area": "50.5", "id_card": "110101199003071233", "name": "赵六", "phone": "13700000000",
            "tel": "023-12345678", "bank_card": "6222021234567890128", "url": "https://www.example.gov.cn/",
            "uscc": "91500000MA5U7AB121", "project_code": "2024-500103-70-01-000123"}[spec.type]


CATALOG = base_catalog()[0]
ITEMS = [item for item in CATALOG.by_id.values() if not item.on_request_only]
PLACES = ["title", "body", "field", "row", "csv"]
SURNAMES = ["张", "王", "欧阳", "诸葛", "司马", "李"]
GIVEN = "晓梅俊峰亚琴宏伟嘉怡"


def _text_spec(specs):
    return next((s for s in specs if s.type in ("text", "markdown")), None)


def _record(item, place: str, written: str, construct: str) -> tuple[dict, str, list | None]:
    data = {"title": "关于住房保障的公示", "date": "2026-03-02", "index_no": "P/2026-00001"}
    body = "正文。"
    fields = {s.name: _sample(s) for s in item.fields if s.required}
    row = {s.name: _sample(s) for s in item.rows if s.required or s.type in ("text", "markdown")}
    if place == "title":
        data["title"] = f"关于{written}的公示"
    elif place == "body":
        body = construct.format(written)
    elif place == "field":
        fields[_text_spec(item.fields).name] = f"备注{written}"
    else:
        row[_text_spec(item.rows).name] = f"备注{written}"
    if fields:
        data["fields"] = fields
    table = None
    if item.rows and place == "csv":
        data["rows_from"] = "list.csv"
        table = [list(row), list(row.values())]
    elif item.rows:
        data["rows"] = [row]
    return data, body, table


CONSTRUCTS = ["{}", "申请人 {} 已公示。", "[{}](https://www.example.gov.cn/)", "## 申请人{}",
              "![身份证{}](a.png)", "| 姓名 | 号码 |\n| --- | --- |\n| 张三 | {} |", "> 引用 {}", "- 列表 {}"]


@st.composite
def placements(draw):
    place = draw(st.sampled_from(PLACES))
    fits = {"field": lambda i: _text_spec(i.fields), "row": lambda i: _text_spec(i.rows),
            "csv": lambda i: _text_spec(i.rows)}.get(place, lambda i: True)
    item = draw(st.sampled_from([i for i in ITEMS if fits(i)]))
    kind = draw(st.sampled_from(["id", "old_id", "mobile"]))
    if kind == "id":
        raw = draw(id_numbers())
        cuts = (6, 14)
    elif kind == "old_id":
        birth = draw(st.dates(dt.date(1920, 1, 1), dt.date(1999, 12, 31)))
        raw = f"{draw(st.integers(110000, 659999))}{birth:%y%m%d}{draw(st.integers(0, 999)):03d}"
        cuts = (6, 12)
    else:
        raw = draw(mobiles)
        cuts = (3, 7)
    construct = draw(st.sampled_from(CONSTRUCTS))
    one_line = place in ("title", "csv") or "|" in construct or "#" in construct
    sep = draw(separators.filter(lambda s: not (one_line and "\n" in s)))
    written = sep.join([raw[:cuts[0]], raw[cuts[0]:cuts[1]], raw[cuts[1]:]])
    if draw(st.booleans()):
        written = written.translate(FULL_WIDTH)
    shown = {"id": lambda: mask_id_card(raw), "old_id": lambda: mask_id_card(raw), "mobile": lambda: mask_phone(raw)}
    return item, place, construct, raw, written, shown[kind]()


def _write_site(root: Path, item, data: dict, body: str, table, mask_names: bool) -> Path:
    level = next(level for level in ("市级", "县级", "乡级") if level in item.elements["公开层级"])
    site_yaml = (f"title: 测试专栏\ndepartment: 测试局\nlevel: {level}\nbase_url: https://www.example.gov.cn/\n"
                 f"index_prefix: P\nprivacy: {{mask_names: {str(mask_names).lower()}}}\n")
    (root / "site.yaml").write_text(site_yaml, encoding="utf-8")
    folder = root / "content" / item.id
    folder.mkdir(parents=True)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (folder / "record.md").write_text(f"---\n{front}---\n{body}\n", encoding="utf-8")
    if table:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table)
        (folder / "list.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return root / "site.yaml"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placements())
def test_any_personal_number_anywhere_is_masked_in_every_output(case):
    item, place, construct, raw, written, shown = case
    data, body, table = _record(item, place, written, construct)
    with tempfile.TemporaryDirectory() as tmp:
        site = _write_site(Path(tmp), item, data, body, table, mask_names=False)
        result = build(site, Path(tmp) / "out", today="2026-03-10")
        assert not result.report.errors, [d.format() for d in result.report.errors]
        assert any(d.code == "personal-number" for d in result.report.warnings)
        files = output_text(Path(tmp) / "out")
        for path, text in files.items():
            assert raw not in flattened(text), path
        page = files[f"{item.id}/record.html"]
        assert shown in page


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_name_is_masked_everywhere_when_mask_names_is_on(data):
    item = data.draw(st.sampled_from([i for i in ITEMS if any(s.type == "name" for s in i.rows)]))
    name = data.draw(st.sampled_from(SURNAMES)) + data.draw(st.text(alphabet=GIVEN, min_size=1, max_size=2))
    record, body, _ = _record(item, "title", "住房", "")
    column = next(s.name for s in item.rows if s.type == "name")
    record["rows"][0][column] = name
    with tempfile.TemporaryDirectory() as tmp:
        site = _write_site(Path(tmp), item, record, body, None, mask_names=True)
        build(site, Path(tmp) / "out", today="2026-03-10")
        files = output_text(Path(tmp) / "out")
        assert all(name not in text for text in files.values())
        assert mask_name(name) in files[f"{item.id}/record.html"]
