"""Lists kept in Excel and CSV (`rows_from:`): headers, 合计 rows, dates, units, internal columns."""
import datetime as dt
import pickle
import random
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import checked_records, run, write_site

from generator.config.catalog import load_catalog
from generator.config.fieldtypes import id_check_digit, luhn_valid
from generator.config.site import load_site
from generator.model.diagnostics import Report
from generator.privacy import leakgate

TODAY = "2026-10-01"
RECORD = "content/tenancy/subsidy-payments/2026-09.yaml"
SHEET = "content/tenancy/subsidy-payments/2026-09.xlsx"
# The export carries two internal columns the department must not publish.
LOCAL_CATALOG = """\
items:
  - id: tenancy/subsidy-payments
    rows:
      - {name: 联系电话, type: phone, publish: false}
      - {name: 银行卡号, type: bank_card, publish: false}
"""
HEADER = ["序号", "保障对象 姓名", "身份证号\u3000", "发放金额", "发放年月", "发放日期", "发放方式", "联系电话", "银行卡号"]


def id_number(rng: random.Random) -> str:
    first17 = f"500103{dt.date(1950, 1, 1) + dt.timedelta(rng.randrange(20000)):%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def card_number(rng: random.Random) -> str:
    while True:
        digits = "6222" + "".join(str(rng.randrange(10)) for _ in range(15))
        if luhn_valid(digits):
            return digits


def export_rows(count: int, seed: int = 10):
    """Rows as a department's export holds them: numbers, Excel dates, text with units, '-'."""
    rng = random.Random(seed)
    rows = []
    for n in range(1, count + 1):
        amount = Decimal(rng.randrange(50000, 200000)) / 100
        written = f"{amount:,}元" if n % 7 == 0 else float(amount)  # some typed with a unit
        way = "-" if n % 5 == 0 else "本人银行账户代发"
        day = dt.date(2026, 9, 20) + dt.timedelta(n % 6)
        rows.append([n, f"王{n}", id_number(rng), written, "2026-09", day if n % 3 else f"{day:%Y年%-m月%-d日}",
                     way, f"139{n:08d}", card_number(rng)])
    return rows


def write_export(path: Path, rows, total=None, title="2026年9月租赁补贴发放名单"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append([title])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if total is not None:
        sheet.append(["合 计", None, None, total, None, None, None, None, None])
    book.save(path)


def export_site(root: Path, rows, total="sum") -> Path:
    site = write_site(root, {
        "content/_catalog.yaml": LOCAL_CATALOG,
        RECORD: "title: 2026年9月租赁补贴发放情况\ndate: 2026-09-28\nindex_no: TEST/2026-00001\n"
                "rows_from: 2026-09.xlsx\n"})
    if total == "sum":
        total = float(sum(Decimal(str(r[3]).replace(",", "").replace("元", "")) for r in rows))
    write_export(root / SHEET, rows, total)
    return site


def all_output_text(out: Path) -> str:
    """Every output file as a reader gets it (search fragments unzipped), digits run together."""
    texts = [leakgate.readable(p.read_bytes()).decode("utf-8", "replace") for p in sorted(out.rglob("*")) if p.is_file()]
    return re.sub(r"[\s\-\u3000\u200b]", "", "\n".join(texts))


@pytest.fixture(scope="module")
def big_export(tmp_path_factory):
    root = tmp_path_factory.mktemp("export") / "site"
    rows = export_rows(2000)
    site = export_site(root, rows)
    out = root / "output"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    return rows, out, result


def test_a_2000_row_export_with_internal_columns_builds(big_export):
    rows, out, result = big_export
    assert result.returncode == 0, result.stderr
    assert "error[" not in result.stderr and "total-mismatch" not in result.stderr
    page = (out / "tenancy/subsidy-payments/2026-09.html").read_text(encoding="utf-8")
    assert "名单（共 2000 条）" in page  # the 合计 row is not a row
    assert "<th scope=\"col\">联系电话</th>" not in page and "银行卡号" not in page
    total = sum(Decimal(str(r[3]).replace(",", "").replace("元", "")) for r in rows)
    shown = format(total.normalize(), "f")
    assert re.search(rf"<tfoot><tr><th scope=\"row\">合计</th>.*<td>{shown}</td>", page)
    assert "<td>2026-09-21</td>" in page  # an Excel date cell, shown as a date


def test_no_phone_or_card_number_reaches_any_output_file(big_export):
    rows, out, _ = big_export
    text = all_output_text(out)
    assert (out / "data/tenancy/subsidy-payments.csv").is_file()
    for row in rows:
        assert row[7] not in text and row[8] not in text and row[2] not in text


def test_open_data_has_neither_internal_columns_nor_the_total(big_export):
    _, out, _ = big_export
    lines = (out / "data/tenancy/subsidy-payments.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2001 and "联系电话" not in lines[0] and "银行卡号" not in lines[0]
    assert not any("合计" in line for line in lines)


def load(site: Path):
    config = load_site(site)
    report = Report()
    records = checked_records(config, load_catalog(config), report)
    return records, report


def diagnostics(report: Report) -> list[str]:
    return [d.format().split("\n")[0] for d in report.diagnostics]


def test_a_bad_cell_is_named_by_sheet_and_cell(tmp_path):
    rows = export_rows(2000)
    rows[1499][5] = "2026-09-31"  # row 1500 of data: sheet row 1502 (title, header above)
    rows[99][2] = float(rows[99][2])  # an ID typed as a number: digits already lost
    rows[199][3] = "1200美元"
    records, report = load(export_site(tmp_path / "site", rows, total=None))
    lines = diagnostics(report)
    assert not records
    assert any(l.startswith("content/tenancy/subsidy-payments/2026-09.xlsx:Sheet1!F1502: error[field-value]")
               and "不存在" in l for l in lines), lines
    assert any(l.startswith("content/tenancy/subsidy-payments/2026-09.xlsx:Sheet1!C102: error[field-value]")
               and "被存成了数字" in l for l in lines), lines
    assert any(l.startswith("content/tenancy/subsidy-payments/2026-09.xlsx:Sheet1!D202: error") for l in lines), lines


def test_a_wrong_total_is_a_warning_naming_its_cell(tmp_path):
    rows = export_rows(20)
    records, report = load(export_site(tmp_path / "site", rows, total=1.0))
    assert records and records[0].total.values == {"发放金额": Decimal("1.0")}
    [line] = [l for l in diagnostics(report) if "total-mismatch" in l]
    assert line.startswith("content/tenancy/subsidy-payments/2026-09.xlsx:Sheet1!D23: warning[total-mismatch]")
    assert "合计行“发放金额”为 1.0" in line


def test_cells_with_units_dashes_and_text_dates(tmp_path):
    rows = export_rows(10)
    records, report = load(export_site(tmp_path / "site", rows))
    assert not report.has_errors(), diagnostics(report)
    [record] = records
    values = [row.values for row in record.rows]
    assert values[6]["发放金额"] == Decimal(str(rows[6][3]).replace(",", "").replace("元", ""))  # "1,234.50元"
    assert values[4]["发放方式"] is None  # "-" means no value
    assert values[2]["发放日期"] == dt.date(2026, 9, 23)  # written 2026年9月23日
    assert values[0]["发放日期"] == dt.date(2026, 9, 21)  # an Excel date cell
    assert values[0]["银行卡号"] == rows[0][8]  # internal columns validated and kept until masking


def test_unknown_column_names_the_column_and_says_where_to_declare_it(tmp_path):
    rows = export_rows(3)
    site = export_site(tmp_path / "site", rows)
    (tmp_path / "site/content/_catalog.yaml").write_text("", encoding="utf-8")
    _, report = load(site)
    [line] = [d.format() for d in report.diagnostics if d.code == "unknown-column" and "联系电话" in d.message]
    assert line.startswith("content/tenancy/subsidy-payments/2026-09.xlsx:Sheet1!H2: error[unknown-column]")
    assert "content/_catalog.yaml" in line and "publish: false" in line


def test_unpublished_values_are_still_validated(tmp_path):
    rows = export_rows(3)
    rows[1][8] = "6222 1234"  # too short for a card
    _, report = load(export_site(tmp_path / "site", rows))
    assert any(l.startswith("content/tenancy/subsidy-payments/2026-09.xlsx:Sheet1!I4: error[field-value]")
               and "银行卡号" in l for l in diagnostics(report))


def csv_list(site, csv_text: str):
    """A site with one subsidy-payment record whose rows are in a.csv beside it."""
    return site({"content/tenancy/subsidy-payments/a.yaml":
                 "title: 发放\ndate: 2026-09-28\nindex_no: TEST/2026-00001\nrows_from: a.csv\n",
                 "content/tenancy/subsidy-payments/a.csv": csv_text})


def test_csv_list_with_a_total_row(site):
    csv_text = ("保障对象姓名,身份证号,发放金额,发放年月\n"
                "张三,110101199003071233,100.50,2026-09\n"
                "李四,440305200012314565,200元,2026-09\n"
                "总计,,300.5,\n")
    path = csv_list(site, csv_text)
    records, report = load(path)
    assert not report.diagnostics, diagnostics(report)
    assert len(records[0].rows) == 2
    assert (records[0].total.label, records[0].total.values) == ("总计", {"发放金额": Decimal("300.5")})


def test_a_table_row_knows_where_it_and_its_cells_are_also_after_pickling(site):
    # a table row's own location is found only when asked for: it must be its first cell,
    # and survive the trip between processes (its cell positions go as a plain dict)
    csv_text = "保障对象姓名,身份证号,发放金额,发放年月\n\n张三,110101199003071233,100,2026-09\n李四,440305200012314565,200,2026-09\n"
    path = csv_list(site, csv_text)
    records, report = load(path)
    assert not report.diagnostics, diagnostics(report)
    row = records[0].rows[1]
    for copy in (row, pickle.loads(pickle.dumps(row))):
        assert str(copy.where) == "content/tenancy/subsidy-payments/a.csv:4:1"
        assert str(copy.locate("发放金额")) == "content/tenancy/subsidy-payments/a.csv:4:3"
        assert copy.values["保障对象姓名"] == "李四"
        assert copy == row


def test_csv_total_mismatch_is_named_by_line_and_column(site):
    csv_text = "保障对象姓名,身份证号,发放金额,发放年月\n张三,110101199003071233,100,2026-09\n合计,,90,\n"
    path = csv_list(site, csv_text)
    _, report = load(path)
    assert [d.format().split("\n")[0] for d in report.diagnostics] == [
        "content/tenancy/subsidy-payments/a.csv:3:3: warning[total-mismatch]: 合计行“发放金额”为 90，而各行相加是 100"]
