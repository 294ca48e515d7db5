"""`check`: a site with every item on time except what is planted here, counted by hand."""
import datetime as dt
import itertools
import json
import random
import sys

from conftest import IDENTIFIERS, MINIMAL_SITE, ROOT, run

sys.path.insert(0, str(ROOT))
from bench.synth import _quote, _value  # noqa: E402  (field values that validate)
from generator.config.catalog import base_catalog  # noqa: E402

TODAY = "2026-11-23"
EMPTY = ("guides/exchange", "evaluation/superior")


SERIAL = itertools.count(1)


def _record(item, date, published, extra="", rng=random.Random(7)):
    day = dt.date.fromisoformat(date)
    lines = [f"title: {_quote(item.name + date)}", f"date: {date}", f"published: {published}",
             f"index_no: T/{date[:4]}-{next(SERIAL):05d}", extra, "body: 说明"]
    if item.fields:
        lines += ["fields:"] + [f"  {s.name}: {_quote(_value(s, rng, day))}" for s in item.fields]
    if item.rows:
        pairs = ", ".join(f"{s.name}: {_quote(_value(s, rng, day))}" for s in item.rows)
        lines += ["rows:", f"  - {{{pairs}}}"]
    return "\n".join(line for line in lines if line) + "\n"


def planted_site(site):
    catalog, _ = base_catalog()
    files = {}
    for item in catalog.items:
        if item.id in EMPTY or item.on_request_only:
            continue
        files[f"content/{item.id}/base.yaml"] = _record(item, "2026-03-02", "2026-03-05")
        if item.deadline.monthly:
            for month in range(3, 11):
                if item.id == "tenancy/voluntary-exit" and month == 8:
                    continue  # planted: August missing, due 2026-09-14
                published = "2026-10-22" if item.id == "allocation/housing-stock" and month == 9 else \
                    f"2026-{month + 1:02d}-02"
                files[f"content/{item.id}/m{month:02d}.yaml"] = _record(item, f"2026-{month:02d}-15", published)
    by_id = catalog.by_id
    # Planted late: 20 working days after 2025-09-30 across 国庆 2025 is 2025-11-04; published
    # Saturday 11-08: late 11-05, 11-06, 11-07.
    files["content/policy/laws/late-national-day.yaml"] = _record(by_id["policy/laws"], "2025-09-30", "2025-11-08")
    # Planted late across 春节 2024: from 2024-01-12 the 20th working day is 2-08 (2-04 worked);
    # published on the worked Sunday 2-18: late 2-09 and 2-18.
    files["content/policy/documents/late-spring.yaml"] = _record(by_id["policy/documents"], "2024-01-12", "2024-02-18")
    # A recent update, so the section is not 2 weeks without update.
    files["content/policy/documents/recent.yaml"] = _record(by_id["policy/documents"], "2026-11-05", "2026-11-10")
    # The notice items had news in the last six months; policy/laws (planted) has not since 2026-03-05.
    for notice in ("allocation/lottery-notices", "allocation/contract-notices"):
        files[f"content/{notice}/autumn.yaml"] = _record(by_id[notice], "2026-09-01", "2026-09-02")
    files["content/allocation/results/scheduled.yaml"] = _record(by_id["allocation/results"], "2026-11-20", "2026-12-01")
    files["content/allocation/results/old.yaml"] = _record(
        by_id["allocation/results"], "2026-06-01", "2026-06-03", "window: {from: 2026-06-03, to: 2026-06-10}")
    return site(files, MINIMAL_SITE + IDENTIFIERS)  # no identifier missing: test_footer.py has those


EXPECTED = [
    ["content/policy/laws/late-national-day.yaml", "policy/laws", "late", "warning", "2025-11-04", "2025-11-08", 3],
    ["content/policy/documents/late-spring.yaml", "policy/documents", "late", "warning", "2024-02-08", "2024-02-18", 2],
    ["content/guides/exchange", "guides/exchange", "empty", "warning", None, None, None],
    # six months after its last update, 2026-03-05: fresh until 2026-09-05
    ["content/policy/laws", "policy/laws", "stale", "warning", "2026-09-05", "2026-03-05", None],
    # September 2026 list: month end 9-30, 国庆 10-01…10-07, Saturday 10-10 worked: due 10-20.
    ["content/allocation/housing-stock/m09.yaml", "allocation/housing-stock", "late", "warning", "2026-10-20",
     "2026-10-22", 2],
    ["content/allocation/results/scheduled.yaml", "allocation/results", "scheduled", "info", "2026-12-18",
     "2026-12-01", None],
    ["content/allocation/results/old.yaml", "allocation/results", "withdrawn", "info", None, "2026-06-03", None],
    ["content/tenancy/voluntary-exit", "tenancy/voluntary-exit", "stale", "warning", "2026-09-14", None, None],
    ["content/evaluation/superior", "evaluation/superior", "empty", "warning", None, None, None],
]


def _key(f):
    return (f["path"], f["kind"])


def test_check_reports_exactly_what_was_planted(site):
    path = planted_site(site)
    result = run("check", "--site", str(path), "--today", TODAY, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    findings = json.loads(result.stdout)
    keys = ["path", "item", "kind", "severity", "deadline", "published", "late_working_days"]
    assert all(list(f) == keys for f in findings)
    assert sorted(findings, key=_key) == sorted((dict(zip(keys, e)) for e in EXPECTED), key=_key)


def test_text_report_groups_by_category_and_strict_fails_on_warnings(site):
    path = planted_site(site)
    result = run("check", "--site", str(path), "--today", TODAY)
    assert result.returncode == 0
    out = result.stdout
    assert out.index("法规政策（policy）") < out.index("逾期 3 个工作日公开")
    assert "缺少 2026年8月 的更新（应在 2026-09-14 前公开）" in out
    assert "合计：不合格 0 项，警告 7 项，提示 2 项。" in out
    assert run("check", "--site", str(path), "--today", TODAY, "--strict").returncode == 1


def test_inspection_rules_fail_the_site(site):
    catalog, _ = base_catalog()
    path = site({"content/policy/laws/a.yaml": _record(catalog.by_id["policy/laws"], "2026-10-09", "2026-10-09")},
                MINIMAL_SITE + IDENTIFIERS)
    result = run("check", "--site", str(path), "--today", TODAY, "--format", "json")
    assert result.returncode == 1
    section = [f for f in json.loads(result.stdout) if f["item"] is None]
    assert [(f["kind"], f["severity"]) for f in section] == [("stale", "error"), ("empty", "error")]
    assert section[0]["published"] == "2026-10-09" and section[0]["deadline"] == "2026-10-23"
    text = run("check", "--site", str(path), "--today", TODAY).stdout
    assert "网站不更新" in text and "空白栏目 42 个" in text


def test_a_deadline_in_an_undeclared_year_is_an_error_finding(site):
    """Not a configuration error any more (that blocked every build): the rest of the report
    is still made, and the deadline it cannot count fails the check."""
    catalog, _ = base_catalog()
    path = site({"content/policy/laws/a.yaml": _record(catalog.by_id["policy/laws"], "2026-12-20", "2026-12-21")})
    result = run("check", "--site", str(path), "--today", "2026-12-22")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "不合格  工作日历中没有 2027 年的节假日安排" in result.stdout and "content/policy/laws/a.yaml" in result.stdout
    assert "calendar.holidays" in result.stdout and "Traceback" not in result.stderr


def test_demo_site_checks_with_its_2027_calendar():
    result = run("check", "--today", "2026-12-28", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert isinstance(json.loads(result.stdout), list)


def _report_row(page: str, item_id: str) -> list[str]:
    import re
    row = re.search(rf'<tr><th scope="row"><a href="../{item_id}/index.html">[^<]*</a></th>(.*?)</tr>', page)
    return re.findall(r"<td>(\d+)</td>", row.group(1))


def test_yearly_statistics_pages_count_on_time_late_and_withdrawn(site, tmp_path):
    path = planted_site(site)
    out = tmp_path / "out"
    result = run("build", "--site", str(path), "--out", str(out), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "report").iterdir()) == ["2024.html", "2025.html", "2026.html"]
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="report/2026.html"' in home and 'href="report/2024.html"' in home
    page = (out / "report/2024.html").read_text(encoding="utf-8")
    # published, on time, late, withdrawn, rows, updated after publication
    assert _report_row(page, "policy/documents") == ["1", "0", "1", "0", "0", "0"]
    assert "主动公开信息 1 条，其中按时公开 0 条、逾期公开 1 条" in page
    page = (out / "report/2026.html").read_text(encoding="utf-8")
    assert _report_row(page, "allocation/housing-stock") == ["9", "8", "1", "0", "9", "0"]
    assert _report_row(page, "allocation/results")[:4] == ["2", "2", "0", "1"]  # the scheduled one not yet
    assert _report_row(page, "guides/exchange") == ["0", "0", "0", "0", "0", "0"]
    assert "<caption>2026年按公开渠道和载体统计</caption>" in page
