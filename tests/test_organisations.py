"""Blacklist subjects that are organisations: 主体类型 decides which columns a row needs (required_if)."""
import openpyxl
from conftest import ROOT, checked_records, run

from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.model.diagnostics import Report

AGENCY = "91500105MA60XK3Q2L"  # checksum-valid, fictional
CATALOG = (ROOT / "content/_catalog.yaml").read_text(encoding="utf-8")
RECORD = "title: 信用清单\ndate: 2026-04-24\nindex_no: TEST/2026-00001\nbody: 说明\n"
ROW = "日期: 2026-04-16, 原因: 伪造材料, 决策依据: 办法第七条, 决策主体: 示例市住房和城乡建设局, 公示期限: 2026-04-30 至 2027-04-29"


def load(path):
    site = load_site(path)
    report = Report()
    return checked_records(site, load_catalog(site), report), report


def test_the_demo_blacklist_shows_an_organisation_in_full_and_a_person_masked(tmp_path):
    result = run("build", "--out", str(tmp_path / "out"), "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out/credit/blacklist/2026-batch1.html").read_text(encoding="utf-8")
    assert f"<td>{AGENCY}</td>" in page and "<td>示例市安居房产经纪有限公司</td>" in page
    assert "<td>法人或其他组织</td>" in page and "<td>500***4814</td>" in page
    assert "500104199209204814" not in page
    data = (tmp_path / "out/data/credit/blacklist.csv").read_text(encoding="utf-8-sig")
    assert AGENCY in data and "主体类型" in data.splitlines()[0]


def test_each_subject_type_needs_its_own_columns(site):
    rows = ("rows:\n"
            f"  - {{序号: 1, 主体类型: 自然人, 单位名称: 某公司, {ROW}}}\n"
            f"  - {{序号: 2, 主体类型: 法人或其他组织, 单位名称: 某公司, {ROW}}}\n"
            f"  - {{序号: 3, 主体类型: 法人或其他组织, 单位名称: 某公司, 统一社会信用代码: 91500105MA60XK3Q2A, {ROW}}}\n"
            f"  - {{序号: 4, 主体类型: 法人或其他组织, 单位名称: 某公司, 统一社会信用代码: {AGENCY}, {ROW}}}\n")
    path = site({"content/_catalog.yaml": CATALOG, "content/credit/blacklist/a.yaml": RECORD + rows},
                "title: t\ndepartment: d\nlevel: 市级\nbase_url: https://x.gov.cn/\nindex_prefix: TEST\n")
    records, report = load(path)
    assert not records
    assert [d.format().split("\n")[0] for d in report.diagnostics] == [
        "content/credit/blacklist/a.yaml:6:5: error[missing-field]: 主体类型为“自然人”时必须填写列“姓名”",
        "content/credit/blacklist/a.yaml:6:5: error[missing-field]: 主体类型为“自然人”时必须填写列“身份证号”",
        "content/credit/blacklist/a.yaml:7:5: error[missing-field]: 主体类型为“法人或其他组织”时必须填写列“统一社会信用代码”",
        "content/credit/blacklist/a.yaml:8:49: error[field-value]: 列“统一社会信用代码”“91500105MA60XK3Q2A”不是有效的统一社会信用代码",
    ]


def test_a_spreadsheet_row_names_the_missing_cell(site, tmp_path):
    path = site({"content/_catalog.yaml": CATALOG, "content/credit/blacklist/a.yaml": RECORD + "rows_from: a.xlsx\n"},
                "title: t\ndepartment: d\nlevel: 市级\nbase_url: https://x.gov.cn/\nindex_prefix: TEST\n")
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["序号", "主体类型", "姓名", "身份证号", "单位名称", "统一社会信用代码", "日期", "原因",
                        "决策依据", "决策主体", "公示期限"])
    book.active.append([1, "法人或其他组织", None, None, "某公司", "-", "2026-04-16", "伪造材料", "办法",
                        "住建局", "2026-04-30 至 2027-04-29"])
    book.save(path.parent / "content/credit/blacklist/a.xlsx")
    _, report = load(path)
    assert [d.format().split("\n")[0] for d in report.diagnostics] == [
        "content/credit/blacklist/a.xlsx:Sheet1!F2: error[missing-field]: 主体类型为“法人或其他组织”时必须填写列“统一社会信用代码”"]


def test_a_condition_on_an_unknown_field_is_a_catalog_error(site):
    catalog = CATALOG.replace("required_if: {主体类型: 自然人}}", "required_if: {类型: 自然人}}", 1)
    path = site({"content/_catalog.yaml": catalog},
                "title: t\ndepartment: d\nlevel: 市级\nbase_url: https://x.gov.cn/\nindex_prefix: TEST\n")
    result = run("validate", "--site", str(path))
    assert result.returncode == 2 and "引用了不存在的字段“类型”" in result.stderr
    bad_value = CATALOG.replace("required_if: {主体类型: 自然人}}", "required_if: {主体类型: 个人}}", 1)
    path.parent.joinpath("content/_catalog.yaml").write_text(bad_value, encoding="utf-8")
    result = run("validate", "--site", str(path))
    assert result.returncode == 2 and "“主体类型”没有取值“个人”" in result.stderr


def test_the_editor_schema_knows_which_columns_each_subject_needs():
    import jsonschema

    from generator.commands import editorschema

    site = load_site(ROOT / "site.yaml")
    schema = editorschema.item_schema(load_catalog(site).by_id["credit/blacklist"], site)
    check = jsonschema.Draft202012Validator(schema)
    row = {"序号": 1, "主体类型": "法人或其他组织", "单位名称": "某公司", "统一社会信用代码": AGENCY, "日期": "2026-04-16",
           "原因": "伪造材料", "决策依据": "办法", "决策主体": "局", "公示期限": "2026-04-30 至 2027-04-29"}
    record = {"title": "信用清单", "date": "2026-04-24", "rows": [row]}
    assert check.is_valid(record)
    del row["统一社会信用代码"]
    assert not check.is_valid(record)
    row.update({"主体类型": "自然人", "姓名": "张三", "身份证号": "110101199003071233"})
    assert check.is_valid(record)
