"""Months and terms (学期) in Asia/Shanghai.

Terms follow the plan's assessment year as two halves: ``YYYY-term1`` is February to July of
YYYY (spring), ``YYYY-term2`` is August YYYY to January YYYY+1 (autumn), so January 2027
belongs to ``2026-term2``.
"""
import re
from datetime import datetime

from osac_shared.clock import TZ
from osac_shared.errors import validation_failed

MONTH = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$")     # years 2000-2099
TERM = re.compile(r"^(20\d{2})-term([12])$")


def local(dt):
    return dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)


def datetime_of(text):
    """An ISO 8601 time (an event's ``occurred_at``) in Asia/Shanghai; naive means local."""
    return local(datetime.fromisoformat(text))


def month_of(dt):
    dt = local(dt)
    return f"{dt.year:04d}-{dt.month:02d}"


def term_of(dt):
    dt = local(dt)
    if 2 <= dt.month <= 7:
        return f"{dt.year}-term1"
    return f"{dt.year if dt.month >= 8 else dt.year - 1}-term2"


def _start(year, month):
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=TZ)


def _bad(field, period):
    return validation_failed({field: f"“{period}”不是有效期间，月份写作 2026-12，学期写作 "
                                     f"2026-term1（2–7月）或 2026-term2（8月–次年1月）/ not a "
                                     f"period: use a month like 2026-12 or a term like "
                                     f"2026-term1 (Feb–Jul) or 2026-term2 (Aug–Jan)"})


def parse_month(month, field="month"):
    """(start, end) of a "YYYY-MM" month, end exclusive; raises a 422 naming ``field``."""
    match = MONTH.match(str(month or ""))
    if not match:
        raise validation_failed({field: f"月份须写作 YYYY-MM，如 2026-12 / a month like "
                                        f"2026-12, not “{month}”"})
    year, mon = int(match.group(1)), int(match.group(2))
    return _start(year, mon), _start(year, mon + 1)


def period_bounds(period, field="period"):
    """("month"|"term", start, end) for "YYYY-MM" or "YYYY-term1|term2" (end exclusive)."""
    text = str(period or "")
    if MONTH.match(text):
        return ("month", *parse_month(text, field))
    match = TERM.match(text)
    if not match:
        raise _bad(field, period)
    year = int(match.group(1))
    if match.group(2) == "1":
        return "term", _start(year, 2), _start(year, 8)
    return "term", _start(year, 8), _start(year, 14)


def within(dt, start, end):
    return dt is not None and start <= local(dt) < end
