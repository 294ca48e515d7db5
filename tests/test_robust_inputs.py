"""Inputs that used to end in 程序内部错误 or a blocked build: each is now a diagnostic in
Chinese naming the path or value, with exit 1 (content) or 2 (usage, configuration,
output) (issue 24, item 6 and "Internal errors instead of diagnostics")."""
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run

TODAY = "2026-06-01"
RESULTS = "content/allocation/results"
INTERNAL = "程序内部错误"


@pytest.fixture
def small(tmp_path) -> Path:
    site_dir = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", site_dir)
    return site_dir


def build(site_dir: Path, out: Path, *extra, today=TODAY, env=None):
    return run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", today, *extra, env=env)


# ---- a year missing from the working-day calendar ---------------------------------------

def _record_in_2027(site_dir: Path, published: str = "2027-01-16") -> None:
    text = (site_dir / RESULTS / "2026-01.yaml").read_text(encoding="utf-8")
    text = (text.replace("date: 2026-04-01", "date: 2027-01-15").replace("published: 2026-04-03", f"published: {published}")
            .replace("index_no: XZ/2026-00002", "index_no: XZ/2027-00001")
            .replace("window: {from: 2026-04-03, to: 2026-12-31}", "window: {from: 2027-01-16, to: 2027-06-30}")
            .replace("第一批", "2027年第一批"))
    (site_dir / RESULTS / "2027-01.yaml").write_text(text, encoding="utf-8")


def test_a_missing_calendar_year_still_withdraws_and_publishes_with_one_warning(small, tmp_path):
    _record_in_2027(small)
    out = tmp_path / "out"
    result = build(small, out, today="2027-02-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.count("warning[calendar-year]") == 1
    assert "2027 年" in result.stderr and "calendar.holidays" in result.stderr
    assert "本信息已撤下" in (out / "allocation/results/2026-01.html").read_text(encoding="utf-8")  # 公示期 over
    assert "2027年第一批" in (out / "allocation/results/2027-01.html").read_text(encoding="utf-8")


def test_a_missing_calendar_year_does_not_fail_a_strict_build(small, tmp_path):
    _record_in_2027(small)
    banfa = small / "content/policy/laws/banfa.md"  # its javascript: link is a warning, an error under --strict
    banfa.write_text("\n".join(line for line in banfa.read_text(encoding="utf-8").splitlines()
                               if "javascript:" not in line) + "\n", encoding="utf-8")
    result = build(small, tmp_path / "out", "--strict", today="2027-02-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning[calendar-year]" in result.stderr
    assert "error[calendar-year]" not in result.stderr


def test_a_missing_calendar_year_still_schedules(small, tmp_path):
    _record_in_2027(small, published="2027-03-01")
    out = tmp_path / "out"
    result = build(small, out, today="2027-02-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (out / "allocation/results/2027-01.html").exists()
    assert "定时发布 1 条" in result.stdout  # the fixture's own scheduled record is public by now


def test_the_yearly_statistics_leave_uncomputable_deadlines_uncounted(small, tmp_path):
    _record_in_2027(small)
    out = tmp_path / "out"
    assert build(small, out, today="2027-02-01").returncode == 0
    page = (out / "report/2027.html").read_text(encoding="utf-8")
    # the fixture's scheduled record was published on 2027-01-04 too
    assert "主动公开信息 2 条，其中按时公开 0 条、逾期公开 0 条" in page
    assert "另有 2 条信息的公开时限未计算" in page and "2027 年的节假日安排" in page
    assert "另有" not in (out / "report/2026.html").read_text(encoding="utf-8")


def test_check_reports_a_missing_calendar_year_as_an_error_finding(small):
    _record_in_2027(small)
    result = run("check", "--site", str(small / "site.yaml"), "--today", "2027-02-01", "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)
    gaps = [f for f in findings if f["kind"] == "calendar"]
    assert [(g["path"], g["severity"], g["item"]) for g in gaps] == [("site.yaml", "error", None)]
    assert not any(f["kind"] == "late" and f["path"].endswith("2027-01.yaml") for f in findings)
    text = run("check", "--site", str(small / "site.yaml"), "--today", "2027-02-01").stdout
    assert "不合格  工作日历中没有 2027 年的节假日安排" in text and "calendar.holidays" in text


def test_a_declared_year_makes_check_and_statistics_count_again(small, tmp_path):
    _record_in_2027(small)
    with open(small / "site.yaml", "a", encoding="utf-8") as site_yaml:
        site_yaml.write("calendar:\n  holidays: [2027-01-01, 2027-02-05 至 2027-02-12]\n")
    result = build(small, tmp_path / "out", today="2027-02-01")
    assert result.returncode == 0 and "calendar-year" not in result.stderr
    check = run("check", "--site", str(small / "site.yaml"), "--today", "2027-02-01", "--format", "json")
    assert not any(f["kind"] == "calendar" for f in json.loads(check.stdout))


def test_missing_years_decides_most_records_without_the_calendar():
    import datetime as dt

    from generator.check.deadlines import missing_years
    from generator.config.catalog import Deadline
    from generator.config.workdays import WorkCalendar
    from generator.model.records import Head

    def head(name, date, published):
        return Head(name, name, "a/b", name, "t", dt.date.fromisoformat(date), dt.date.fromisoformat(published), "1")
    rules = {"a/b": Deadline(working_days_after=20)}
    heads = [head("early", "2026-03-02", "2026-03-05"), head("december", "2026-12-20", "2026-12-21"),
             head("late", "2026-03-02", "2027-01-04")]
    assert missing_years(heads, rules, WorkCalendar()) == {2027: ["december", "late"]}
    assert missing_years(heads, rules, WorkCalendar(holidays={dt.date(2027, 1, 1)})) == {}


# ---- names too long for the file system -------------------------------------------------

def test_a_251_character_slug_is_an_error_before_anything_is_written(small, tmp_path):
    slug = "a" * 251
    shutil.copy(small / "content/policy/laws/banfa.md", small / f"content/policy/laws/{slug}.md")
    text = (small / f"content/policy/laws/{slug}.md").read_text(encoding="utf-8")
    (small / f"content/policy/laws/{slug}.md").write_text(text.replace("XZ/2026-00001", "XZ/2026-00091"),
                                                         encoding="utf-8")
    validate = run("validate", "--site", str(small / "site.yaml"))
    assert validate.returncode == 1, validate.stdout + validate.stderr
    assert f"content/policy/laws/{slug}.md: error[name-too-long]" in validate.stderr
    result = build(small, tmp_path / "out")
    assert result.returncode == 1 and INTERNAL not in result.stderr
    assert "error[name-too-long]" in result.stderr and "255 字节" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_output_path_over_260_characters_is_a_warning(small, tmp_path):
    out = tmp_path / ("o" * 200) / "out"
    result = build(small, out)
    assert result.returncode == 0, result.stderr
    assert "warning[path-too-long]" in result.stderr and "260 个字符" in result.stderr


# ---- usage and configuration --------------------------------------------------------------

def test_site_pointing_at_a_folder_is_a_usage_error_naming_it(small):
    here = {"PYTHONPATH": str(ROOT)}  # this checkout's generator, from the site's folder
    result = run("build", "--site", "content", "--today", TODAY, cwd=small, env=here)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "content: error[config-not-file]" in result.stderr and "是一个文件夹" in result.stderr
    assert INTERNAL not in result.stderr
    dot = run("validate", "--site", ".", cwd=small, env=here)
    assert dot.returncode == 2 and "改用 --site site.yaml" in dot.stderr


@pytest.mark.parametrize("epoch", ["garbage", "99999999999999999999", "1.5"])
def test_a_bad_source_date_epoch_is_a_configuration_error(small, tmp_path, epoch):
    result = run("build", "--site", str(small / "site.yaml"), "--out", str(tmp_path / "out"),
                 env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error[source-date-epoch]" in result.stderr and "SOURCE_DATE_EPOCH" in result.stderr
    assert (f"“{epoch}”" in result.stderr) == (len(epoch) < 11)  # a long run of digits is never echoed
    assert INTERNAL not in result.stderr


def test_an_id_number_in_source_date_epoch_is_not_echoed(small):
    result = run("validate", "--site", str(small / "site.yaml"), env={"SOURCE_DATE_EPOCH": "110101199003071233"})
    assert result.returncode == 2 and "110101199003071233" not in result.stderr


@pytest.mark.parametrize("form", ["{serial:99999999999}", "{prefix}/{year}-{serial:>0999999}", "{serial:{year}}"])
def test_an_index_format_with_a_huge_width_is_a_configuration_error(small, form):
    with open(small / "site.yaml", "a", encoding="utf-8") as site_yaml:
        site_yaml.write(f'index_format: "{form}"\n')
    result = run("validate", "--site", str(small / "site.yaml"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "site.yaml:8:15: error[config-value]" in result.stderr and "索引号格式" in result.stderr
    assert INTERNAL not in result.stderr


def test_an_index_format_width_of_twenty_is_accepted(small, tmp_path):
    with open(small / "site.yaml", "a", encoding="utf-8") as site_yaml:
        site_yaml.write('index_format: "{prefix}/{year}-{serial:020}"\n')
    assert run("validate", "--site", str(small / "site.yaml")).returncode in (0, 1)  # 1: the fixture's old numbers


# ---- the output folder ---------------------------------------------------------------------

def test_out_pointing_at_an_existing_file_is_refused_and_the_file_kept(small, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("重要笔记", encoding="utf-8")
    result = build(small, target)
    assert result.returncode == 2, result.stdout + result.stderr
    # refused by the output guard (outguard.py), before the build's own check of the folder
    assert "error[unsafe-output]" in result.stderr and f"{target} 已存在，但不是文件夹" in result.stderr
    assert target.read_text(encoding="utf-8") == "重要笔记" and INTERNAL not in result.stderr


def test_an_output_subfolder_replaced_by_a_file_is_named(small, tmp_path):
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    shutil.rmtree(out / "allocation/results")
    (out / "allocation/results").write_text("x", encoding="utf-8")
    result = build(small, out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error[output-unwritable]" in result.stderr and str(out / "allocation/results") in result.stderr
    assert INTERNAL not in result.stderr


def test_a_read_only_output_folder_is_found_before_anything_is_moved_in(small, tmp_path, monkeypatch, capsys):
    """As root every folder is writable, so os.access is made to say what it says to
    another user for a folder with mode 555."""
    from generator.check import collisions
    from generator.commands import cli
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    record = small / RESULTS / "2026-01.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("第一批", "第一批（更正）"), encoding="utf-8")
    locked = str(out / "allocation" / "results")
    real_access = os.access
    monkeypatch.setattr(collisions.os, "access", lambda p, mode: p != locked and real_access(p, mode))
    code = cli.main(["build", "--site", str(small / "site.yaml"), "--out", str(out), "--today", TODAY])
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    assert f"{locked} 不可写入" in stderr and "没有改动输出" in stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into a mode-555 folder anyway")
def test_a_mode_555_output_folder_is_named(small, tmp_path):
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    record = small / RESULTS / "2026-01.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("第一批", "第一批（更正）"), encoding="utf-8")
    (out / "allocation/results").chmod(0o555)
    try:
        result = build(small, out)
    finally:
        (out / "allocation/results").chmod(0o755)
    assert result.returncode == 2 and str(out / "allocation/results") in result.stderr
