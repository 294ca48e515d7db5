"""No blank column by surprise: an item's no-information note (_说明.yaml), the dated line an
expired 公示 leaves in its item list, the six-month rule for policy and notice items, and
`check`'s count of each inspection rule against its limit (国办秘函〔2019〕19号)."""
import datetime as dt
import json

import pytest
from conftest import copy_fixture, run
from test_check import TODAY, _record, planted_site

from generator.check.inspection import add_months
from generator.config.catalog import base_catalog, load_catalog
from generator.config.site import load_site
from generator.model.diagnostics import Report
from generator.source.discover import discover
from generator.source.notes import NOTE_FILE, Note, load_notes

CATALOG, _ = base_catalog()
NOTE = "text: 本栏目2026年度无此类信息。\nchecked: {checked}\n"


def _findings(site_yaml, today=TODAY) -> list[dict]:
    result = run("check", "--site", str(site_yaml), "--today", today, "--format", "json")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)


def _note(site_yaml, item: str, checked: str) -> None:
    folder = site_yaml.parent / "content" / item
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NOTE_FILE).write_text(NOTE.format(checked=checked), encoding="utf-8")


def _of(findings, item, kind):
    return [(f["severity"], f["path"]) for f in findings if f["item"] == item and f["kind"] == kind]


# -- the no-information note ------------------------------------------------------------------
def test_a_note_is_shown_on_the_item_page_and_turns_empty_into_info(site, tmp_path):
    path = planted_site(site)
    _note(path, "guides/exchange", "2026-11-20")
    findings = _findings(path)
    assert _of(findings, "guides/exchange", "empty") == [("info", "content/guides/exchange")]
    assert _of(findings, "evaluation/superior", "empty") == [("warning", "content/evaluation/superior")]
    out = tmp_path / "out"
    assert run("build", "--site", str(path), "--out", str(out), "--today", TODAY).returncode == 0
    page = (out / "guides/exchange/index.html").read_text(encoding="utf-8")
    assert '<p class="no-info">本栏目2026年度无此类信息。<span class="checked">（核实日期：' \
           '<time datetime="2026-11-20">2026-11-20</time>）</span></p>' in page
    assert "本事项暂无公开信息" not in page
    assert "本事项暂无公开信息" in (out / "evaluation/superior/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("checked", "today", "stale"), [
    ("2025-12-31", "2026-01-01", True),  # checked last year: the year it speaks of is over
    ("2025-11-20", "2026-11-23", True),  # more than a year ago
    ("2026-01-01", "2026-12-31", False),
    ("2026-11-23", "2026-11-23", False),
])
def test_a_note_checked_in_an_earlier_year_is_stale(checked, today, stale):
    note = Note("guides/exchange", "本栏目无此类信息。", dt.date.fromisoformat(checked), "x")
    assert note.stale(dt.date.fromisoformat(today)) is stale


def test_a_stale_note_is_a_warning_and_leaves_the_column_blank(site):
    path = planted_site(site)
    _note(path, "guides/exchange", "2025-11-20")
    findings = _findings(path)
    assert _of(findings, "guides/exchange", "note") == [("warning", f"content/guides/exchange/{NOTE_FILE}")]
    assert _of(findings, "guides/exchange", "empty") == [("warning", "content/guides/exchange")]
    text = run("check", "--site", str(path), "--today", TODAY).stdout
    assert "无信息说明已过期：核实日期是 2025-11-20" in text and "空白栏目 2 个" in text


def test_a_note_beside_records_is_info_and_one_a_record_of_its_year_contradicts_is_a_warning(site):
    path = planted_site(site)
    laws = path.parent / "content/policy/laws" / NOTE_FILE  # records published in 2025 and 2026-03-05
    laws.write_text(NOTE.format(checked="2026-11-20"), encoding="utf-8")
    assert _of(_findings(path), "policy/laws", "note") == [("warning", f"content/policy/laws/{NOTE_FILE}")]
    (path.parent / "content/policy/laws/base.yaml").unlink()  # only the 2025 record is left
    assert _of(_findings(path), "policy/laws", "note") == [("info", "content/policy/laws")]


def test_the_note_file_is_not_read_as_a_record(site):
    path = site({f"content/guides/exchange/{NOTE_FILE}": NOTE.format(checked="2026-11-20"),
                 "content/guides/exchange/_other.yaml": "not: a record\n"})
    config = load_site(path)
    catalog = load_catalog(config)
    report = Report()
    assert discover(config.content_dir, config.root, catalog, report) == []
    assert not report.diagnostics
    notes = load_notes(config, catalog, report)
    assert list(notes) == ["guides/exchange"] and notes["guides/exchange"].checked == dt.date(2026, 11, 20)
    result = run("validate", "--site", str(path))
    assert result.returncode == 0 and "0 条记录，0 个错误，0 个警告" in result.stdout


@pytest.mark.parametrize(("text", "code", "where"), [
    ("text: 本栏目无此类信息。\n", "note-invalid", ":1:1:"),  # no checked date
    ("text: 本栏目无此类信息。\nchecked: 2026-02-30\n", "note-invalid", ":2:10:"),
    ("text: \"\"\nchecked: 2026-11-20\n", "note-invalid", ":1:7:"),
    ("text: 本栏目无此类信息。\nchecked: 2026-11-20\nyear: 2026\n", "note-invalid", ":3:1:"),
    ("text: 请联系 13912345678\nchecked: 2026-11-20\n", "note-personal", ":1:7:"),
])
def test_an_unusable_note_is_an_error_with_its_line(site, tmp_path, text, code, where):
    path = site({f"content/guides/exchange/{NOTE_FILE}": text})
    result = run("build", "--site", str(path), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"content/guides/exchange/{NOTE_FILE}{where} error[{code}]" in result.stderr
    assert "13912345678" not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


# -- the line an expired 公示 leaves ------------------------------------------------------------
EXPIRED = ("过期人", "310104197511080029", "310***0029", "已过公示期的分配结果")  # name, ID, masked, title


def test_an_expired_notice_leaves_a_dated_line_without_its_content(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    out = tmp_path / "out"
    assert run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", "2026-06-01").returncode == 0
    page = (out / "allocation/results/index.html").read_text(encoding="utf-8")
    assert ('<li>分配结果：<time datetime="2025-04-03">2025-04-03</time> 至 <time datetime="2025-04-12">'
            '2025-04-12</time> 公示，公示期满，已撤下</li>') in page
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [secret for secret in EXPIRED if secret.encode() in data], path


def test_a_column_left_with_expired_lines_only_is_not_blank(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    (site / "content/allocation/results/2026-01.yaml").unlink()
    findings = _findings(site / "site.yaml", "2026-06-01")
    assert _of(findings, "allocation/results", "empty") == [("info", "content/allocation/results")]
    text = run("check", "--site", str(site / "site.yaml"), "--today", "2026-06-01").stdout
    assert "1 个只有公示期满已撤下的记录" in text


# -- six months for policy and notice items -----------------------------------------------------
def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2026, 5, 23), 6) == dt.date(2026, 11, 23)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 30), 2) == dt.date(2027, 1, 30)


@pytest.mark.parametrize(("today", "stale"), [("2026-11-23", False), ("2026-11-24", True)])
def test_a_policy_item_six_months_without_update_is_a_warning(site, today, stale):
    path = site({"content/policy/documents/a.yaml": _record(CATALOG.by_id["policy/documents"],
                                                            "2026-05-20", "2026-05-23")})
    found = [f for f in _findings(path, today) if f["item"] == "policy/documents" and f["kind"] == "stale"]
    expected = [{"path": "content/policy/documents", "item": "policy/documents", "kind": "stale",
                 "severity": "warning", "deadline": "2026-11-23", "published": "2026-05-23",
                 "late_working_days": None}]
    assert found == (expected if stale else [])


def test_the_freshness_rule_is_catalog_data_and_five_stale_items_fail_the_site(site):
    assert {i.id for i in CATALOG.items if i.freshness_months == 6} == {
        "policy/laws", "policy/documents", "allocation/lottery-notices", "allocation/contract-notices"}
    stale = ["policy/laws", "policy/documents", "allocation/lottery-notices", "allocation/contract-notices",
             "decisions/results"]
    files = {f"content/{item}/a.yaml": _record(CATALOG.by_id[item], "2026-03-02", "2026-03-05") for item in stale}
    files["content/decisions/meetings/recent.yaml"] = _record(CATALOG.by_id["decisions/meetings"], "2026-11-16", "2026-11-18")
    files["content/_catalog.yaml"] = "items:\n  - {id: decisions/results, freshness_months: 6}\n"
    path = site(files)
    catalog = run("catalog", "--site", str(path), "--format", "json")
    assert [i.get("freshness_months") for i in json.loads(catalog.stdout)["items"]
            if i["id"] == "decisions/results"] == [6]
    findings = _findings(path)
    assert sorted(f["item"] for f in findings if f["kind"] == "stale" and f["item"]) == sorted(stale)
    section = [f for f in findings if f["item"] is None and f["kind"] == "stale"]
    assert [f["severity"] for f in section] == ["error"]
    assert "5 个政策文件、通知公告类栏目 6 个月内未更新" in run("check", "--site", str(path), "--today", TODAY).stdout
    path.parent.joinpath("content/_catalog.yaml").write_text(
        "items:\n  - {id: policy/laws, freshness_months: 12}\n", encoding="utf-8")
    weakened = run("check", "--site", str(path), "--today", TODAY)
    assert weakened.returncode == 2 and "只增不减" in weakened.stderr


# -- the count of each rule against its limit ---------------------------------------------------
def test_check_sums_up_each_inspection_rule_against_its_limit(site):
    path = planted_site(site)
    _note(path, "guides/exchange", "2026-11-20")
    text = run("check", "--site", str(path), "--today", TODAY).stdout
    block = text[text.index("检查指标对照"):text.index("\n\n", text.index("检查指标对照"))].splitlines()[1:]
    assert [line.strip() for line in block] == [
        "网站不更新：最近一次更新 2026-11-10，距今 13 天（上限 14 天，超过即单项否决）",
        "栏目不更新（政策文件、通知公告）：超过六个月未更新的政策/通知栏目 1 个（上限 4 个，5 个及以上为单项否决）",
        "栏目不更新（长期未更新）：应更新而长期未更新的栏目 1 个（上限 9 个，10 个及以上为单项否决）",
        "空白栏目 1 个（上限 4 个，5 个及以上为单项否决）；另有 1 个已注明无此类信息",
        "逾期公开 3 条（超过法定公开时限，年度统计计入）",
    ]
    assert "检查指标对照" not in run("check", "--site", str(path), "--today", TODAY, "--format", "json").stdout


def test_a_note_checked_after_today_is_shown_and_check_warns(site, tmp_path):
    """A build for an earlier day (--today) shows the note as later builds do: the pages never
    depend on the day through a note; `check` asks for the real date."""
    path = planted_site(site)
    _note(path, "guides/exchange", "2026-12-01")
    out = tmp_path / "out"
    assert run("build", "--site", str(path), "--out", str(out), "--today", TODAY).returncode == 0
    assert '<p class="no-info">' in (out / "guides/exchange/index.html").read_text(encoding="utf-8")
    assert _of(_findings(path), "guides/exchange", "note") == [("warning", f"content/guides/exchange/{NOTE_FILE}")]
