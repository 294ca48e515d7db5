"""Row-level 公示期限: a blacklist row is withdrawn from every output after its period ends."""
import datetime as dt
from pathlib import Path

from conftest import ROOT, run

from generator.check import expire
from generator.config.fieldtypes import Period
from generator.model.diagnostics import Location
from generator.model.records import Record, Row
from generator.privacy.leakgate import readable

D = dt.date


def _record(*ends, window=None):
    rows = tuple(Row({"姓名": f"人{n}", "公示期限": Period(D(2025, 1, 1), end)}, Location("x.yaml"))
                 for n, end in enumerate(ends))
    return Record(source=Path(f"/x/{len(ends)}-{window}.yaml"), shown="x.yaml", item_id="credit/blacklist",
                  slug="x", title="t", date=D(2025, 1, 1), published=D(2025, 1, 2), index_no="P/1",
                  rows=rows, window=window)


def test_rows_after_their_period_are_dropped_and_counted():
    partly = _record(D(2026, 11, 22), D(2026, 11, 23), D(2027, 1, 1))
    seen = expire.sort_out([partly], D(2026, 11, 23))
    assert [r.values["姓名"] for r in seen.public[0].rows] == ["人1", "人2"]  # the last day still shown
    assert seen.rows_withdrawn == 1 and seen.kept_rows[partly.source] == (1, 2)
    assert expire.trimmed(partly, seen.kept_rows[partly.source]).rows == seen.public[0].rows


def test_a_record_whose_rows_all_expired_is_withdrawn():
    gone = _record(D(2026, 1, 1), D(2026, 6, 30))
    seen = expire.sort_out([gone], D(2026, 11, 23))
    assert seen.public == [] and seen.withdrawn == [gone] and seen.rows_withdrawn == 2
    assert gone.source not in seen.kept_rows


def test_demo_blacklist_row_whose_period_ended_is_in_no_output_file(tmp_path):
    out = tmp_path / "out"
    result = run("build", "--site", str(ROOT / "site.yaml"), "--out", str(out), "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    assert "已撤下 1 行" in result.stdout
    # pages, feeds, open data and the search index (its fragments unpacked)
    everything = b"".join(readable(p.read_bytes()) for p in out.rglob("*") if p.is_file())
    assert any(p.suffix == ".pf_fragment" for p in out.rglob("*")) or "search-unavailable" in result.stderr
    assert "李红军".encode() not in everything  # 公示期限 2025-03-20 至 2025-12-31
    assert "黄玉兰".encode() in everything  # same record, period to 2027-03-19
    # The day the period ends the row is still public.
    result = run("build", "--site", str(ROOT / "site.yaml"), "--out", str(tmp_path / "o2"), "--today", "2025-12-31")
    assert result.returncode == 0, result.stderr
    assert "李红军" in (tmp_path / "o2/credit/blacklist/2025-batch1.html").read_text(encoding="utf-8")


def test_a_period_longer_than_three_years_is_a_warning_naming_the_cell(site):
    catalog = (ROOT / "content/_catalog.yaml").read_text(encoding="utf-8")
    row = ("  - {{序号: {n}, 主体类型: 自然人, 姓名: 张三, 身份证号: \"110101199003071233\", 日期: 2026-04-16, 原因: 转租, "
           "决策依据: 办法, 决策主体: 局, 公示期限: {period}}}\n")
    record = ("title: 黑名单\ndate: 2026-04-24\npublished: 2026-04-30\nindex_no: T/2026-00001\nrows:\n"
              + row.format(n=1, period="2026-04-30 至 2029-04-30")
              + row.format(n=2, period="2026-04-30 至 2029-05-01"))
    path = site({"content/_catalog.yaml": catalog, "content/credit/blacklist/a.yaml": record})
    result = run("validate", "--site", str(path))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "period-too-long" in line]
    assert len(warnings) == 1 and "a.yaml:7:" in warnings[0] and "2029-05-01" in warnings[0]


def test_a_window_ending_before_publication_is_a_warning(site):
    record = ("title: 结果公示\ndate: 2026-04-01\npublished: 2026-04-10\nindex_no: T/2026-00001\n"
              "window: {from: 2026-04-01, to: 2026-04-08}\n"
              "rows:\n  - {保障对象姓名: 张三, 保障性住房类型: 公共租赁住房, 所在建设项目名称: 城南}\n")
    path = site({"content/allocation/results/a.yaml": record})
    result = run("validate", "--site", str(path))
    assert result.returncode == 0
    assert "a.yaml:5:9: warning[window-before-published]" in result.stderr
