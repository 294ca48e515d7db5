"""Time loading a long Excel export: `python bench/excel_bench.py --rows 50000`.

The export looks like a department's: a title line, a 序号 column, Excel date cells,
amounts partly typed with units, two internal columns (联系电话, 银行卡号, declared
`publish: false`) and a 合计 row. Prints the median of several runs of reading the sheet
alone and of validating the record (read + typed check of every cell). Never run as a test.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # for conftest.checked_records: a record checked as the build's workers do

from conftest import checked_records  # noqa: E402
from synth import SITE_YAML  # noqa: E402  (bench/ is on sys.path)

from generator.config.catalog import load_catalog  # noqa: E402
from generator.config.fieldtypes import id_check_digit, luhn_valid  # noqa: E402
from generator.config.site import load_site  # noqa: E402
from generator.model.diagnostics import Report  # noqa: E402
from generator.source import tables  # noqa: E402

LOCAL_CATALOG = """\
items:
  - id: tenancy/subsidy-payments
    rows:
      - {name: 联系电话, type: phone, publish: false}
      - {name: 银行卡号, type: bank_card, publish: false}
"""
HEADER = ["序号", "保障对象姓名", "身份证号", "发放金额", "发放年月", "发放日期", "发放方式", "联系电话", "银行卡号"]
FOLDER = "content/tenancy/subsidy-payments"


def _card(rng: random.Random) -> str:
    while True:
        digits = "6222" + "".join(str(rng.randrange(10)) for _ in range(15))
        if luhn_valid(digits):
            return digits


def write_site(work: Path, rows: int) -> Path:
    import openpyxl

    folder = work / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (work / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (work / "content/_catalog.yaml").write_text(LOCAL_CATALOG, encoding="utf-8")
    (folder / "list.yaml").write_text("title: 租赁补贴发放名单\ndate: 2026-09-28\nindex_no: BENCH/2026-00001\n"
                                      "rows_from: list.xlsx\n", encoding="utf-8")
    sheet_path = folder / "list.xlsx"
    if sheet_path.is_file() and sheet_path.with_suffix(".rows").read_text() == str(rows):
        return work / "site.yaml"
    rng = random.Random(50)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(["租赁补贴发放名单"])
    sheet.append(HEADER)
    total = Decimal(0)
    for n in range(1, rows + 1):
        first17 = f"500103{dt.date(1950, 1, 1) + dt.timedelta(rng.randrange(20000)):%Y%m%d}{rng.randrange(1000):03d}"
        amount = Decimal(rng.randrange(50000, 200000)) / 100
        total += amount
        sheet.append([n, f"王{n}", first17 + id_check_digit(first17),
                      f"{amount:,}元" if n % 7 == 0 else float(amount), "2026-09",
                      dt.date(2026, 9, 20) + dt.timedelta(n % 6), "本人银行账户代发", f"139{n:08d}", _card(rng)])
    sheet.append(["合计", None, None, float(total)])
    book.save(sheet_path)
    sheet_path.with_suffix(".rows").write_text(str(rows))
    return work / "site.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default=str(Path(__file__).parent / "work" / "excel"))
    args = parser.parse_args()
    site_path = write_site(Path(args.work), args.rows)
    sheet = site_path.parent / FOLDER / "list.xlsx"
    reads, loads = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        table = tables.read_table(sheet, "list.xlsx", HEADER)
        reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        site = load_site(site_path)
        report = Report()
        records = checked_records(site, load_catalog(site), report)
        loads.append(time.perf_counter() - start)
    print(f"{len(records[0].rows) if records else 0} rows + 合计 × {len(table.header)} columns ({sheet.stat().st_size // 1024} KB), "
          f"{len(report.errors)} errors, {len(report.warnings)} warnings, "
          f"合计 {records[0].total.values if records and records[0].total else '—'}")
    for label, times in (("read sheet (calamine)", reads), ("read + validate every cell", loads)):
        print(f"{label}: median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
