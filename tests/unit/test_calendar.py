"""The working calendar: table-driven checks around Spring Festival 2026, Golden Week 2025/2026,
nights, holidays, exactly 17:30 and year ends (2027 is not covered, so it is flagged)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from osac_shared.calendar import (DEFAULT, WorkingCalendar, add_working_seconds,
                                  calendar_from_config, due_at, in_a_post_slot,
                                  in_working_hours, is_working_day, next_working_moment,
                                  receipt_day, shift, working_seconds_between)
from osac_shared.clock import TZ


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize("day, working", [
    ("2026-03-02", True),     # an ordinary Monday
    ("2026-03-07", False),    # an ordinary Saturday
    ("2026-02-13", True),     # Friday before Spring Festival
    ("2026-02-14", True),     # make-up Saturday (调休)
    ("2026-02-15", False),    # Spring Festival break: Sun Feb 15 ...
    ("2026-02-17", False),
    ("2026-02-20", False),
    ("2026-02-23", False),    # ... to Mon Feb 23
    ("2026-02-24", True),
    ("2026-02-28", True),     # make-up Saturday
    ("2025-09-28", True),     # make-up Sunday before Golden Week 2025
    ("2025-10-01", False),
    ("2025-10-08", False),
    ("2025-10-09", True),
    ("2025-10-11", True),     # make-up Saturday
    ("2026-09-20", True),     # make-up Sunday before Golden Week 2026
    ("2026-10-05", False),
    ("2026-10-07", False),
    ("2026-10-08", True),
    ("2026-10-10", True),     # make-up Saturday
    ("2026-01-01", False),
    ("2026-01-02", False),
    ("2026-01-04", True),     # make-up Sunday
    ("2027-01-01", True),     # uncovered year: weekends only, no guessed holiday
    ("2027-01-02", False),
])
def test_is_working_day(day, working):
    assert is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize("start, value, unit, due, flagged", [
    # working days: receipt day, then the Nth working day after it, at 17:30
    ("2026-03-02T10:00", 1, "working_days", "2026-03-03T17:30", False),
    ("2026-03-02T06:00", 1, "working_days", "2026-03-03T17:30", False),  # early: same day
    ("2026-03-02T17:29", 1, "working_days", "2026-03-03T17:30", False),
    ("2026-03-02T17:30", 1, "working_days", "2026-03-04T17:30", False),  # 17:30: next day
    ("2026-03-02T23:00", 1, "working_days", "2026-03-04T17:30", False),  # at night
    ("2026-03-02T10:00", 3, "working_days", "2026-03-05T17:30", False),
    ("2026-03-06T10:00", 1, "working_days", "2026-03-09T17:30", False),  # over a weekend
    ("2026-03-07T10:00", 1, "working_days", "2026-03-10T17:30", False),  # on a Saturday
    # Spring Festival 2026
    ("2026-02-13T10:00", 1, "working_days", "2026-02-14T17:30", False),  # make-up Sat
    ("2026-02-13T10:00", 2, "working_days", "2026-02-24T17:30", False),
    ("2026-02-14T10:00", 1, "working_days", "2026-02-24T17:30", False),
    ("2026-02-17T10:00", 1, "working_days", "2026-02-25T17:30", False),  # on a holiday
    ("2026-02-27T10:00", 1, "working_days", "2026-02-28T17:30", False),  # make-up Sat
    # Golden Week 2025 and 2026
    ("2025-09-26T10:00", 1, "working_days", "2025-09-28T17:30", False),  # make-up Sun
    ("2025-09-30T10:00", 1, "working_days", "2025-10-09T17:30", False),
    ("2025-10-03T20:00", 1, "working_days", "2025-10-10T17:30", False),
    ("2025-10-09T10:00", 2, "working_days", "2025-10-11T17:30", False),  # make-up Sat
    ("2026-09-18T10:00", 1, "working_days", "2026-09-20T17:30", False),  # make-up Sun
    ("2026-09-30T10:00", 1, "working_days", "2026-10-08T17:30", False),
    ("2026-10-09T10:00", 1, "working_days", "2026-10-10T17:30", False),  # make-up Sat
    # year ends
    ("2025-12-31T10:00", 1, "working_days", "2026-01-04T17:30", False),  # make-up Sun
    ("2026-12-30T10:00", 1, "working_days", "2026-12-31T17:30", False),
    ("2026-12-31T10:00", 1, "working_days", "2027-01-01T17:30", True),   # into 2027
    ("2024-12-31T10:00", 3, "working_days", "2025-01-06T17:30", True),   # from 2024
    # working hours: only 08:30-17:30 on working days counts
    ("2026-03-02T16:30", 2, "working_hours", "2026-03-03T09:30", False),
    ("2026-03-02T15:30", 2, "working_hours", "2026-03-02T17:30", False),  # stays 17:30
    ("2026-03-02T08:30", 9, "working_hours", "2026-03-02T17:30", False),
    ("2026-03-02T17:30", 1, "working_hours", "2026-03-03T09:30", False),
    ("2026-03-02T07:00", 1, "working_hours", "2026-03-02T09:30", False),
    ("2026-02-13T17:00", 1, "working_hours", "2026-02-14T09:00", False),
    ("2026-02-14T17:00", 1, "working_hours", "2026-02-24T09:00", False),
    ("2026-10-03T12:00", 9, "working_hours", "2026-10-08T17:30", False),
    ("2026-12-31T17:00", 1, "working_hours", "2027-01-01T09:00", True),
    # calendar hours: plain elapsed time, any day, never flagged
    ("2026-02-13T20:00", 48, "calendar_hours", "2026-02-15T20:00", False),
    ("2026-12-31T20:00", 48, "calendar_hours", "2027-01-02T20:00", False),
])
def test_due_at(start, value, unit, due, flagged):
    assert due_at(at(start), value, unit) == (at(due), flagged)


def test_due_at_accepts_any_zone_and_answers_in_shanghai():
    due, flagged = due_at(datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc), 1, "working_days")
    assert due == at("2026-03-03T17:30") and due.utcoffset() == timedelta(hours=8)
    assert flagged is False


@pytest.mark.parametrize("bad", [
    (datetime(2026, 3, 2, 10, 0), 1, "working_days"),        # naive
    (at("2026-03-02T10:00"), 1, "fortnights"),               # unknown unit
    (at("2026-03-02T10:00"), -1, "working_days"),            # negative
])
def test_due_at_refuses_bugs(bad):
    with pytest.raises(ValueError):
        due_at(*bad)


@pytest.mark.parametrize("moment, expected", [
    ("2026-03-02T10:00", "2026-03-02T10:00"),   # inside: unchanged
    ("2026-03-02T07:00", "2026-03-02T08:30"),
    ("2026-03-02T17:30", "2026-03-03T08:30"),
    ("2026-03-06T18:00", "2026-03-09T08:30"),   # Friday evening -> Monday
    ("2026-02-13T18:00", "2026-02-14T08:30"),   # make-up Saturday
    ("2026-02-14T18:00", "2026-02-24T08:30"),   # across Spring Festival
    ("2025-09-30T18:00", "2025-10-09T08:30"),
])
def test_next_working_moment(moment, expected):
    assert next_working_moment(at(moment)) == at(expected)


@pytest.mark.parametrize("a, b, hours", [
    ("2026-03-02T16:30", "2026-03-03T09:30", 2),
    ("2026-03-02T10:00", "2026-03-02T10:00", 0),
    ("2026-03-03T10:00", "2026-03-02T10:00", 0),               # reversed
    ("2026-03-02T18:00", "2026-03-03T08:00", 0),               # all night
    ("2026-03-06T17:00", "2026-03-09T09:00", 1),               # over a weekend
    ("2026-02-13T17:00", "2026-02-24T09:00", 10),              # Fri .5 + Sat 9 + Tue .5
    ("2026-03-02T00:00", "2026-03-09T00:00", 45),              # a plain week
])
def test_working_seconds_between(a, b, hours):
    assert working_seconds_between(at(a), at(b)) == hours * 3600


@pytest.mark.parametrize("start, seconds", [
    ("2026-03-02T16:30", 7200), ("2026-02-13T17:00", 36000), ("2026-09-30T12:00", 100000),
    ("2025-12-31T09:00", 12345),
])
def test_add_is_the_inverse_of_between(start, seconds):
    end = add_working_seconds(at(start), seconds)
    assert working_seconds_between(at(start), end) == seconds


def test_zero_working_seconds_stays_put():
    assert add_working_seconds(at("2026-03-02T17:30"), 0) == at("2026-03-02T17:30")


@pytest.mark.parametrize("moment, working, a_post", [
    ("2026-03-02T08:29", False, False), ("2026-03-02T08:30", True, False),
    ("2026-03-02T15:30", True, True), ("2026-03-02T17:29", True, True),
    ("2026-03-02T17:30", False, False), ("2026-02-14T16:00", True, True),
    ("2026-02-17T16:00", False, False),
])
def test_working_hours_and_a_post_slot(moment, working, a_post):
    assert in_working_hours(at(moment)) is working
    assert in_a_post_slot(at(moment)) is a_post


@pytest.mark.parametrize("start, shifted_by, unit, expected", [
    ("2026-03-03T17:30", 3600, "working_days", "2026-03-04T09:30"),
    ("2026-03-03T12:00", 0, "working_days", "2026-03-03T12:00"),
    ("2026-03-03T12:00", 7200, "calendar_hours", "2026-03-03T14:00"),
])
def test_shift_by_paused_time(start, shifted_by, unit, expected):
    assert shift(at(start), shifted_by, unit)[0] == at(expected)


def test_campus_closures_and_extra_workdays_are_data():
    cal = WorkingCalendar(closures={date(2026, 3, 3), date(2026, 2, 14)},
                          extra_workdays={date(2026, 3, 7)})
    assert due_at(at("2026-03-02T10:00"), 1, "working_days", cal)[0] == at("2026-03-04T17:30")
    assert due_at(at("2026-03-06T10:00"), 1, "working_days", cal)[0] == at("2026-03-07T17:30")
    assert not cal.is_working_day(date(2026, 2, 14))       # a closure beats a make-up day
    assert receipt_day(at("2026-03-03T10:00"), cal) == date(2026, 3, 4)
    assert DEFAULT.is_working_day(date(2026, 3, 3))        # the default is untouched


def test_covered_years_are_configuration():
    only_2025 = WorkingCalendar(covered_years={2025})
    # 2026 is not covered: Feb 17 counts as a plain Tuesday and the answer is flagged
    assert due_at(at("2026-02-16T10:00"), 1, "working_days", only_2025) == (
        at("2026-02-17T17:30"), True)
    cal = calendar_from_config({"CALENDAR_COVERED_YEARS": "2025,2026,2027",
                                "CALENDAR_CLOSURES": "2026-03-03, 2026-03-04",
                                "CALENDAR_EXTRA_WORKDAYS": None})
    assert cal.covered_years == {2025, 2026, 2027}
    assert cal.closures == {date(2026, 3, 3), date(2026, 3, 4)}
    assert due_at(at("2026-12-31T10:00"), 1, "working_days", cal)[1] is False
    assert calendar_from_config({}).covered_years == {2025, 2026}
    # YAML turns a lone date or year into a date / an int; both are accepted
    cal = calendar_from_config({"CALENDAR_COVERED_YEARS": 2026,
                                "CALENDAR_CLOSURES": date(2026, 3, 3)})
    assert cal.covered_years == {2026} and cal.closures == {date(2026, 3, 3)}
