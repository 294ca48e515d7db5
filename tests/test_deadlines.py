"""Working days and deadlines, pinned against dates counted by hand on the State Council's
announced holiday arrangements (国办发明电)."""
import datetime as dt

import pytest
from conftest import MINIMAL_SITE, run

from generator.check import deadlines
from generator.config.catalog import Deadline
from generator.config.site import load_site
from generator.config.workdays import WorkCalendar, YearNotCovered, for_site, not_covered
from generator.model.diagnostics import ConfigError

D = dt.date
CAL = WorkCalendar()
TWENTY = Deadline(working_days_after=20)
MONTHLY = Deadline(working_days_after=None, monthly=10)


@pytest.mark.parametrize("day,count,expected", [
    # 春节 2024: 2-10 to 2-17 off; Sunday 2-04 and Sunday 2-18 worked (调休); 2-09 (除夕) a workday.
    (D(2024, 2, 8), 1, D(2024, 2, 9)),
    (D(2024, 2, 8), 2, D(2024, 2, 18)),
    (D(2024, 2, 8), 3, D(2024, 2, 19)),
    (D(2024, 2, 2), 1, D(2024, 2, 4)),
    # 国庆 and 中秋 2025: 10-01 to 10-08 off; Sunday 9-28 and Saturday 10-11 worked.
    (D(2025, 9, 26), 1, D(2025, 9, 28)),
    (D(2025, 9, 26), 4, D(2025, 10, 9)),
    (D(2025, 9, 26), 6, D(2025, 10, 11)),
    (D(2025, 9, 26), 7, D(2025, 10, 13)),
    # Year end: 2026-01-01 to 01-03 off, Sunday 2026-01-04 worked.
    (D(2025, 12, 30), 1, D(2025, 12, 31)),
    (D(2025, 12, 30), 2, D(2026, 1, 4)),
    (D(2025, 12, 30), 3, D(2026, 1, 5)),
    # A Saturday start: the weekend is skipped, the day itself never counts.
    (D(2025, 3, 1), 1, D(2025, 3, 3)),
])
def test_nth_working_day_after(day, count, expected):
    assert CAL.add(day, count) == expected


def test_twenty_working_days_across_national_day_2025():
    # 10-09, 10-10, 10-11 (调休), then 10-13 … : the 20th is Tuesday 2025-11-04.
    assert deadlines.deadline(D(2025, 9, 30), TWENTY, CAL) == D(2025, 11, 4)


def test_twenty_working_days_across_spring_festival_2024():
    # 2-01, 2-02, 2-04 (调休), 2-05 … 2-09, 2-18 (调休), 2-19 …: the 20th is 2024-03-04.
    assert deadlines.deadline(D(2024, 1, 31), TWENTY, CAL) == D(2024, 3, 4)


@pytest.mark.parametrize("day,expected", [
    (D(2024, 1, 5), D(2024, 2, 19)),  # January 2024: 8 days before 春节, 2-18 and 2-19 after
    (D(2025, 9, 12), D(2025, 10, 21)),  # September 2025: 10-09, 10-10, 10-11 (调休), 10-13 …
    (D(2025, 10, 31), D(2025, 11, 14)),  # the month's last day is the month's
    (D(2025, 12, 1), D(2026, 1, 15)),  # December into the next year, 1-04 worked
])
def test_monthly_rule_counts_from_month_end(day, expected):
    assert deadlines.deadline(day, MONTHLY, CAL) == expected


def test_published_on_the_deadline_is_on_time_and_lateness_counts_working_days():
    on_time = deadlines.timing(D(2025, 9, 30), D(2025, 11, 4), TWENTY, CAL)
    assert on_time.deadline == D(2025, 11, 4) and on_time.late_working_days == 0
    early = deadlines.timing(D(2025, 9, 30), D(2025, 10, 2), TWENTY, CAL)
    assert not early.late
    # 11-05, 11-06, 11-07: a Saturday publication adds no working day.
    assert deadlines.timing(D(2025, 9, 30), D(2025, 11, 8), TWENTY, CAL).late_working_days == 3
    # Across 春节 2024: from Friday 1-12, the 16th working day is Sunday 2-04 (调休), the 20th
    # Thursday 2-08; published 2-18 (worked Sunday): late by 2-09 and 2-18.
    late = deadlines.timing(D(2024, 1, 12), D(2024, 2, 18), Deadline(working_days_after=20), CAL)
    assert late.deadline == D(2024, 2, 8) and late.late_working_days == 2


def test_stricter_of_two_rules_wins():
    both = Deadline(working_days_after=5, monthly=10)
    assert deadlines.deadline(D(2025, 11, 3), both, CAL) == D(2025, 11, 10)
    assert deadlines.deadline(D(2025, 11, 28), both, CAL) == D(2025, 12, 5)


def test_annual_date():
    rule = Deadline(annual_by="06-30")
    assert deadlines.annual_date(rule, 2026) == D(2026, 6, 30)
    assert deadlines.annual_date(Deadline(annual_by="02-29"), 2026) == D(2026, 2, 28)
    assert deadlines.annual_date(TWENTY, 2026) is None


def test_between_counts_working_days_after_start_through_end():
    assert CAL.between(D(2024, 2, 8), D(2024, 2, 18)) == 2
    assert CAL.between(D(2025, 12, 31), D(2026, 1, 5)) == 2
    assert CAL.between(D(2025, 11, 4), D(2025, 11, 4)) == 0
    assert CAL.between(D(2025, 11, 4), D(2025, 11, 1)) == 0


def test_uncovered_year_raises_instead_of_guessing():
    with pytest.raises(YearNotCovered) as caught:
        CAL.add(D(2026, 12, 28), 10)
    assert caught.value.year == 2027
    with pytest.raises(YearNotCovered):
        CAL.is_workday(D(2003, 6, 2))


def test_site_additions_cover_a_later_year(site):
    path = site({}, MINIMAL_SITE + "calendar:\n  holidays:\n    - 2027-01-01\n"
                "    - 2027-02-05 至 2027-02-12\n  workdays: [2027-02-20]\n")
    calendar = for_site(load_site(path))
    # 12-29, 12-30, 12-31, then 2027-01-04 (1-01 off) …
    assert calendar.add(D(2026, 12, 28), 4) == D(2027, 1, 4)
    assert not calendar.is_workday(D(2027, 2, 8)) and calendar.is_workday(D(2027, 2, 20))
    assert calendar.is_workday(D(2027, 2, 4)) and not calendar.is_workday(D(2027, 2, 21))


def test_site_additions_override_the_package(site):
    path = site({}, MINIMAL_SITE + "calendar:\n  holidays: [2025-11-03]\n")
    calendar = for_site(load_site(path))
    assert not calendar.is_workday(D(2025, 11, 3))
    assert calendar.add(D(2025, 10, 31), 1) == D(2025, 11, 4)


def test_not_covered_message_names_the_year_and_the_key(site):
    problem = not_covered(load_site(site({})), 2027, "content/a.yaml 的时限")
    assert isinstance(problem, ConfigError)
    text = problem.report.diagnostics[0].format()
    assert "error[calendar-year]" in text and "2027 年" in text and "calendar.holidays" in text


def test_a_day_both_holiday_and_workday_is_a_config_error(site):
    path = site({}, MINIMAL_SITE + "calendar:\n  holidays: [2027-02-20]\n  workdays: [2027-02-20]\n")
    result = run("validate", "--site", str(path))
    assert result.returncode == 2
    assert "同时写在 calendar.holidays 和 calendar.workdays 中" in result.stderr
