"""The working calendar (工作日历) and deadline arithmetic, in Asia/Shanghai. Pure functions.

Working hours are 08:30–17:30 on working days (the A-post slot is 15:30–17:30). A working day is
a weekday that is not a CN public holiday, or a make-up working day (调休), taken from the
``holidays`` package for the *covered* years only, plus the campus's own closures and extra
working days (data). A year outside ``covered_years`` is never guessed: it is computed with
weekends only, and every computation that reaches into it is returned ``flagged``.

    due_at(start, value, unit, cal)     -> (deadline, flagged)
    is_working_day(day, cal)            -> bool
    next_working_moment(dt, cal)        -> dt itself inside working hours, else the next 08:30
    working_seconds_between(a, b, cal)  -> seconds of working time in [a, b]
    add_working_seconds(start, s, cal)  -> the moment ``s`` working seconds after ``start``

Rules: "N working days" counts from the day of receipt (the submission day if it is a working
day and the submission is before 17:30, else the next working day) and ends at 17:30 on the Nth
working day after it. "N working hours" counts only time inside working hours; a deadline that
lands exactly on 17:30 stays 17:30. "N calendar hours" is plain elapsed time (no calendar data is
used, so it is never flagged).
"""
from datetime import date, datetime, time, timedelta

import holidays

from .clock import TZ

WORK_START = time(8, 30)
WORK_END = time(17, 30)
A_POST_START = time(15, 30)
WORKING_UNITS = ("working_days", "working_hours")
CALENDAR_UNITS = ("calendar_hours",)
DEFAULT_COVERED_YEARS = frozenset({2025, 2026})
_MAX_DAYS = 3660   # no deadline search walks further than ten years


class WorkingCalendar:
    """Which days are working days. ``closures`` and ``extra_workdays`` (sets of dates) are the
    campus's own data and win over the national calendar; ``covered_years`` is configuration."""

    def __init__(self, closures=(), extra_workdays=(), covered_years=DEFAULT_COVERED_YEARS):
        self.closures = frozenset(closures)
        self.extra_workdays = frozenset(extra_workdays)
        self.covered_years = frozenset(int(y) for y in covered_years)
        national = holidays.CN(years=sorted(self.covered_years)) if self.covered_years else {}
        self.public_holidays = frozenset(d for d in national if d.year in self.covered_years)
        self.makeup_workdays = frozenset(
            d for d in getattr(national, "weekend_workdays", ()) if d.year in self.covered_years)

    def covers(self, day):
        return day.year in self.covered_years

    def is_working_day(self, day):
        if day in self.closures:
            return False
        if day in self.extra_workdays or day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.public_holidays

    def uncovered_between(self, a, b):
        """True when any year from ``a`` to ``b`` (dates or datetimes) is not covered."""
        return any(y not in self.covered_years for y in range(a.year, b.year + 1))

    def __repr__(self):
        return (f"WorkingCalendar(covered_years={sorted(self.covered_years)}, "
                f"closures={len(self.closures)}, extra_workdays={len(self.extra_workdays)})")


DEFAULT = WorkingCalendar()


def _parse_dates(text):
    if not text:
        return set()
    if isinstance(text, date):          # YAML reads a lone "2026-03-03" as a date
        return {text}
    if isinstance(text, (list, tuple, set)):
        return {d if isinstance(d, date) else date.fromisoformat(str(d).strip()) for d in text}
    return {date.fromisoformat(p.strip()) for p in str(text).split(",") if p.strip()}


def calendar_from_config(config):
    """Build the calendar from a service config: ``CALENDAR_COVERED_YEARS`` ("2025,2026"),
    ``CALENDAR_CLOSURES`` and ``CALENDAR_EXTRA_WORKDAYS`` (comma-separated ISO dates)."""
    years = config.get("CALENDAR_COVERED_YEARS") or ""
    if isinstance(years, int):
        years = str(years)
    covered = ({int(y) for y in str(years).split(",") if y.strip()} if years
               else DEFAULT_COVERED_YEARS)
    return WorkingCalendar(closures=_parse_dates(config.get("CALENDAR_CLOSURES")),
                           extra_workdays=_parse_dates(config.get("CALENDAR_EXTRA_WORKDAYS")),
                           covered_years=covered)


# ---- moments -----------------------------------------------------------------------------
def local(dt):
    """``dt`` in Asia/Shanghai; a naive datetime is refused (it is a bug, not a guess)."""
    if dt.tzinfo is None:
        raise ValueError(f"naive datetime {dt!r}: times must carry a time zone")
    return dt.astimezone(TZ)


def _at(day, t):
    return datetime.combine(day, t, tzinfo=TZ)


def is_working_day(day, cal=DEFAULT):
    if isinstance(day, datetime):
        day = local(day).date()
    return cal.is_working_day(day)


def next_working_day(day, cal=DEFAULT):
    """The first working day strictly after ``day``."""
    for n in range(1, _MAX_DAYS):
        candidate = day + timedelta(days=n)
        if cal.is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {_MAX_DAYS} days after {day}")


def in_working_hours(dt, cal=DEFAULT):
    dt = local(dt)
    return cal.is_working_day(dt.date()) and WORK_START <= dt.time() < WORK_END


def in_a_post_slot(dt, cal=DEFAULT):
    dt = local(dt)
    return cal.is_working_day(dt.date()) and A_POST_START <= dt.time() < WORK_END


def next_working_moment(dt, cal=DEFAULT):
    """``dt`` if it is inside working hours, else 08:30 of the next working day (today's 08:30
    when ``dt`` is early on a working day). Used to hold alarms outside working hours."""
    dt = local(dt)
    if cal.is_working_day(dt.date()):
        if dt.time() < WORK_START:
            return _at(dt.date(), WORK_START)
        if dt.time() < WORK_END:
            return dt
    return _at(next_working_day(dt.date(), cal), WORK_START)


# ---- arithmetic --------------------------------------------------------------------------
def working_seconds_between(a, b, cal=DEFAULT):
    """Seconds of working time between ``a`` and ``b`` (0 when ``b`` is not after ``a``)."""
    a, b = local(a), local(b)
    if b <= a:
        return 0.0
    total = 0.0
    day = a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            lo = max(a, _at(day, WORK_START))
            hi = min(b, _at(day, WORK_END))
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def add_working_seconds(start, seconds, cal=DEFAULT):
    """The moment ``seconds`` of working time after ``start``; 0 seconds returns ``start``.
    A result that lands exactly on 17:30 stays 17:30."""
    start = local(start)
    remaining = timedelta(seconds=seconds)
    if remaining <= timedelta(0):
        return start
    current = next_working_moment(start, cal)
    while True:
        available = _at(current.date(), WORK_END) - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = _at(next_working_day(current.date(), cal), WORK_START)


def receipt_day(start, cal=DEFAULT):
    """The day a submission counts as received (受理日)."""
    start = local(start)
    if cal.is_working_day(start.date()) and start.time() < WORK_END:
        return start.date()
    return next_working_day(start.date(), cal)


def due_at(start, value, unit, cal=DEFAULT):
    """The deadline for a limit of ``value`` ``unit`` from ``start``; returns (due, flagged)."""
    start = local(start)
    value = int(value)
    if value < 0:
        raise ValueError(f"a limit cannot be negative: {value}")
    if unit == "calendar_hours":
        return start + timedelta(hours=value), False
    if unit == "working_hours":
        due = add_working_seconds(start, value * 3600, cal)
    elif unit == "working_days":
        day = receipt_day(start, cal)
        for _ in range(value):
            day = next_working_day(day, cal)
        due = _at(day, WORK_END)
    else:
        raise ValueError(f"unknown limit unit {unit!r}")
    return due, cal.uncovered_between(start, due)


def shift(moment, seconds, unit, cal=DEFAULT):
    """Move a deadline later by paused time: working seconds for working-calendar limits,
    elapsed seconds for calendar-hour limits. Returns (moment, flagged)."""
    moment = local(moment)
    if seconds <= 0:
        return moment, False
    if unit in CALENDAR_UNITS:
        return moment + timedelta(seconds=seconds), False
    moved = add_working_seconds(moment, seconds, cal)
    return moved, cal.uncovered_between(moment, moved)


def elapsed_seconds(a, b, unit, cal=DEFAULT):
    """Time between ``a`` and ``b`` as the limit's unit counts it (for pause accounting)."""
    if unit in CALENDAR_UNITS:
        return max(0.0, (local(b) - local(a)).total_seconds())
    return working_seconds_between(a, b, cal)
