"""Lists from Excel and CSV (`rows_from:`) are read as the webmaster sees them: the visible
sheet, no hidden row or column slipped in, no CSV row swallowed by an unclosed quote."""
import zipfile
from pathlib import Path

import openpyxl
from conftest import run
from test_tables import diagnostics, load

from generator.source import tables

TODAY = "2026-10-01"
FOLDER = "content/tenancy/subsidy-payments"
HEADER = ["保障对象姓名", "身份证号", "发放金额", "发放年月"]
ZHANG = ["张三", "110101199003071233", 100, "2026-09"]
LI = ["李四", "440305200012314565", 200, "2026-09"]
OLD = ["王五", "11010519491231002X", 300, "2026-09"]  # the person who must not be published


def list_site(root: Path, name: str) -> Path:
    (root / FOLDER).mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text("title: 测试县住房保障信息公开专栏\ndepartment: 测试县住房和城乡建设局\n"
                                    "level: 县级\nbase_url: https://www.example.gov.cn/zfbz/\nindex_prefix: TEST\n",
                                    encoding="utf-8")
    (root / FOLDER / "a.yaml").write_text("title: 2026年9月租赁补贴发放\ndate: 2026-09-28\n"
                                          f"index_no: TEST/2026-00001\nrows_from: {name}\n", encoding="utf-8")
    return root / "site.yaml"


def book(*sheets) -> openpyxl.Workbook:
    """A workbook with sheets given as (title, rows)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return workbook


def build(site: Path, out: Path):
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    return result, result.stdout + result.stderr


def output_text(out: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())


def leak_refused(tmp_path, site: Path, place: str, code: str, raw: str) -> str:
    """The build refuses with an error at the place, and the raw digits are in no message."""
    result, said = build(site, tmp_path / "out")
    assert result.returncode == 1, said
    line = next((l for l in said.splitlines() if f"error[{code}]" in l), "")
    assert line.startswith(f"{FOLDER}/{place}: error[{code}]"), said
    assert raw not in said
    return line


# -- which sheet -----------------------------------------------------------------------

def test_a_hidden_first_sheet_is_never_read_instead_of_the_visible_one(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("旧名单", [HEADER, OLD]), ("Sheet1", [HEADER, ZHANG, LI]))
    workbook["旧名单"].sheet_state = "hidden"
    workbook.active = 1
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    records, report = load(site)
    assert not report.has_errors(), diagnostics(report)
    assert [row.values["保障对象姓名"] for row in records[0].rows] == ["张三", "李四"]
    result, said = build(site, tmp_path / "out")
    assert result.returncode == 0, said
    assert "王五" not in output_text(tmp_path / "out") and "110105" not in output_text(tmp_path / "out")


def test_a_hidden_sheet_marked_active_is_not_read_either(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("Sheet1", [HEADER, ZHANG]), ("旧名单", [HEADER, OLD]))
    workbook.active = 1  # saved while the old list was active, then hidden
    workbook["旧名单"].sheet_state = "hidden"
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    records, _ = load(site)
    assert [row.values["保障对象姓名"] for row in records[0].rows] == ["张三"]


def test_the_active_sheet_is_read_when_it_is_visible(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("说明", [["本表为 2026 年 9 月发放名单"]]), ("名单", [HEADER, ZHANG, LI]))
    workbook.active = 1
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    records, report = load(site)
    assert not report.has_errors(), diagnostics(report)
    assert [row.values["保障对象姓名"] for row in records[0].rows] == ["张三", "李四"]
    assert str(records[0].rows[1].where) == f"{FOLDER}/a.xlsx:名单!A3"


# -- hidden rows and columns -------------------------------------------------------------

def test_a_hidden_row_holding_a_person_is_an_error_naming_the_row(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("Sheet1", [HEADER, ZHANG, OLD, LI]))
    workbook["Sheet1"].row_dimensions[3].hidden = True
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    line = leak_refused(tmp_path, site, "a.xlsx:Sheet1!3:3", "table-hidden", OLD[1])
    assert "第 3 行是隐藏的" in line


def test_a_hidden_column_is_an_error_naming_the_column(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("Sheet1", [HEADER + ["备注"], ZHANG + ["电话 13912345678"], LI + [""]]))
    workbook["Sheet1"].column_dimensions["E"].hidden = True
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    line = leak_refused(tmp_path, site, "a.xlsx:Sheet1!E:E", "table-hidden", "13912345678")
    assert "第 E 列是隐藏的" in line


def test_a_row_of_zero_height_counts_as_hidden(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("Sheet1", [HEADER, ZHANG, OLD]))
    workbook["Sheet1"].row_dimensions[3].height = 1
    path = tmp_path / "site" / FOLDER / "a.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:  # openpyxl leaves a height of 0 out; other programs write it
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'ht="1"', b'ht="0"')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    _, report = load(site)
    assert any(l.startswith(f"{FOLDER}/a.xlsx:Sheet1!3:3: error[table-hidden]") for l in diagnostics(report))


def test_hidden_empty_rows_and_columns_are_no_problem(tmp_path):
    # templates often hide the unused columns beyond the list, and blank spacer rows
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("Sheet1", [HEADER, ZHANG, [], LI]))
    sheet = workbook["Sheet1"]
    sheet.row_dimensions[3].hidden = True
    sheet.column_dimensions.group("F", "Z", hidden=True)
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    records, report = load(site)
    assert not report.diagnostics, diagnostics(report)
    assert len(records[0].rows) == 2


def test_many_hidden_rows_are_named_five_then_counted(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("Sheet1", [HEADER] + [ZHANG] * 12))
    for row in range(2, 14):
        workbook["Sheet1"].row_dimensions[row].hidden = True
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    _, report = load(site)
    hidden = [l for l in diagnostics(report) if "table-hidden" in l]
    assert len(hidden) == tables.REPORTED + 1 and "共有 12 处" in hidden[-1]


def ods(path: Path, rows: list, hidden_row: int | None = None, comment: str = "") -> None:
    """A minimal OpenDocument spreadsheet (no writer is installed): one sheet 'Sheet1';
    `comment` is a cell comment (批注) on the first cell."""
    def cell(value):
        if comment and value == rows[0][0]:
            return ('<table:table-cell office:value-type="string"><office:annotation><dc:creator>经办人</dc:creator>'
                    f'<dc:date>2026-09-01T08:00:00</dc:date><text:p>{comment}</text:p></office:annotation>'
                    f'<text:p>{value}</text:p></table:table-cell>')
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    collapsed = ' table:visibility="collapse"'
    body = "".join(
        f'<table:table-row{collapsed if n == hidden_row else ""}>'
        + "".join(cell(v) for v in row) + "</table:table-row>" for n, row in enumerate(rows, start=1))
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               f'<table:table-column table:number-columns-repeated="{len(rows[0])}"/>{body}'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)


def test_a_collapsed_row_of_an_ods_list_is_an_error_too(tmp_path):
    site = list_site(tmp_path / "site", "a.ods")
    ods(tmp_path / "site" / FOLDER / "a.ods", [HEADER, ZHANG, OLD], hidden_row=3)
    _, report = load(site)
    lines = diagnostics(report)
    assert any(l.startswith(f"{FOLDER}/a.ods:Sheet1!3:3: error[table-hidden]") for l in lines), lines


# -- merged cells ------------------------------------------------------------------------

def test_a_cell_merged_down_several_rows_fills_each_row(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    workbook = book(("Sheet1", [HEADER, ZHANG, LI[:3] + [None], ["赵六", "110101199003076519", 150, None]]))
    workbook["Sheet1"].merge_cells("D2:D4")  # one 发放年月 for the three rows
    workbook.save(tmp_path / "site" / FOLDER / "a.xlsx")
    records, report = load(site)
    assert not report.has_errors(), diagnostics(report)
    assert [str(row.values["发放年月"]) for row in records[0].rows] == ["2026-09"] * 3


# -- CSV ---------------------------------------------------------------------------------

def csv_site(tmp_path, text: str) -> Path:
    site = list_site(tmp_path / "site", "a.csv")
    (tmp_path / "site" / FOLDER / "a.csv").write_text(text, encoding="utf-8")
    return site


def test_an_unclosed_quote_in_a_csv_is_an_error_at_its_line(tmp_path):
    text = ("保障对象姓名,身份证号,发放金额,发放年月\n张三,110101199003071233,100,2026-09\n"
            "李四,440305200012314565,\"200,2026-09\n王五,11010519491231002X,300,2026-09\n")
    line = leak_refused(tmp_path, csv_site(tmp_path, text), "a.csv:3:1", "table", "11010519491231002X")
    assert "引号没有闭合" in line


def test_a_quote_closed_lines_later_is_an_error_at_the_cell_that_swallowed_them(tmp_path):
    text = ("保障对象姓名,身份证号,发放金额,发放年月\n张三,110101199003071233,\"100,2026-09\n"
            "王五,11010519491231002X,300,2026-09\n李四,440305200012314565,200\",2026-09\n")
    line = leak_refused(tmp_path, csv_site(tmp_path, text), "a.csv:2:3", "table-csv", "11010519491231002X")
    assert "引号没有闭合" in line


def test_a_multi_line_cell_without_a_swallowed_row_is_fine(tmp_path):
    text = ("保障对象姓名,身份证号,发放金额,发放年月\n\"张三\n（户主）\",110101199003071233,100,2026-09\n")
    records, report = load(csv_site(tmp_path, text))
    assert not report.has_errors(), diagnostics(report)
    assert len(records[0].rows) == 1


def test_a_csv_row_with_more_cells_than_the_header_is_an_error_at_its_line(tmp_path):
    text = ("保障对象姓名,身份证号,发放金额,发放年月\n张三,110101199003071233,100,2026-09\n"
            "李四,440305200012314565,200,2026-09,13912345678\n")
    line = leak_refused(tmp_path, csv_site(tmp_path, text), "a.csv:3:5", "table-csv", "13912345678")
    assert "比列名（4 列）多" in line


def test_trailing_empty_cells_of_a_csv_are_not_too_many(tmp_path):
    text = "保障对象姓名,身份证号,发放金额,发放年月\n张三,110101199003071233,100,2026-09,,\n"
    _, report = load(csv_site(tmp_path, text))
    assert not report.diagnostics, diagnostics(report)


# -- numbers Excel has rounded -----------------------------------------------------------

def test_an_id_stored_as_an_excel_number_is_not_echoed_in_the_message(tmp_path):
    site = list_site(tmp_path / "site", "a.xlsx")
    book(("Sheet1", [HEADER, ["张三", 110101198001070000.0, 100, "2026-09"]])).save(tmp_path / "site" / FOLDER / "a.xlsx")
    result, said = build(site, tmp_path / "out")
    assert result.returncode == 1
    line = next(l for l in said.splitlines() if "被存成了数字" in l)
    assert line.startswith(f"{FOLDER}/a.xlsx:Sheet1!B2: error[field-value]") and "110***" in line
    assert "1101011980" not in said and "1.101011980" not in said and "e+17" not in said
