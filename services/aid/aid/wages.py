"""Work-study wages of the hall's B-post student assistants (plan, attachment 3).

The assistants are paid from aid funds at ``WORK_STUDY_BASE_RATE`` yuan an hour (default 15).
The hall assesses them; when one collects 2 or more demerits in a month it publishes
``hall.wage_adjusted`` (rate_delta_yuan -1) once, and aid records that month's adjusted rate
here. ``work_study_rate(assistant_id, month)`` answers base + adjustments (never below 0).
"""
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from osac_shared.auth import A_POST, B_POST, COMMITTEE, DIRECTOR, SYSTEM
from osac_shared.clock import TZ
from osac_shared.errors import forbidden, validation_failed

from .models import WageAdjustment

DEFAULT_BASE_RATE = Decimal("15")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ASSISTANT_ID = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")


def base_rate(value):
    """The configured base hourly rate in yuan (a positive number; empty = 15)."""
    if value in (None, ""):
        return DEFAULT_BASE_RATE
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"WORK_STUDY_BASE_RATE must be a number of yuan, got {value!r}")
    if rate <= 0:
        raise ValueError(f"WORK_STUDY_BASE_RATE must be positive, got {value!r}")
    return rate


def adjusted_rate(base, deltas):
    """Base plus every adjustment of the month, never below zero."""
    return max(Decimal(0), base + sum((Decimal(d) for d in deltas), Decimal(0)))


def as_number(amount):
    """A Decimal as an int when whole, else a float (JSON over RPC)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def check_query(actor, assistant_id, month):
    """The director, the committee, the system, aid's staff and the assistant may look."""
    role = (actor or {}).get("role")
    own = role == B_POST and actor.get("id") == assistant_id
    aid_staff = role in (A_POST, B_POST) and actor.get("department") == "aid"
    if not (role in (DIRECTOR, COMMITTEE, SYSTEM) or own or aid_staff):
        raise forbidden("只有本人、资助窗口工作人员或大厅主任可以查看勤工助学时薪",
                        "Only the assistant, aid staff or the director can see this rate")
    errors = {}
    if not ASSISTANT_ID.match(str(assistant_id or "")):
        errors["assistant_id"] = "请填写学生助理工号 / give the assistant's id"
    if not MONTH.match(str(month or "")):
        errors["month"] = "月份须写作 YYYY-MM，如 2026-12 / a month like 2026-12"
    if errors:
        raise validation_failed(errors)


def record(session, event, now):
    """Record a ``hall.wage_adjusted`` event (validated): once per assistant-month, whatever
    event carries it. -> the row, or None when that month was already adjusted."""
    data = event["data"]
    key = (WageAdjustment.assistant_id == data["assistant_id"],
           WageAdjustment.month == data["month"])
    if session.scalar(select(WageAdjustment).where(*key)) is not None:
        return None
    row = WageAdjustment(assistant_id=data["assistant_id"], month=data["month"],
                         rate_delta_yuan=data["rate_delta_yuan"], demerits=data["demerits"],
                         event_id=event["event_id"], recorded_at=now)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:          # a concurrent delivery recorded the month first
        session.rollback()
        return None
    return row


def rate_for(session, assistant_id, month, base):
    rows = session.scalars(select(WageAdjustment).where(
        WageAdjustment.assistant_id == assistant_id, WageAdjustment.month == month)).all()
    rate = adjusted_rate(base, [r.rate_delta_yuan for r in rows])
    return {"assistant_id": assistant_id, "month": month, "base_rate_yuan": as_number(base),
            "rate_yuan": as_number(rate), "adjusted": bool(rows),
            "adjustments": [{"rate_delta_yuan": r.rate_delta_yuan, "demerits": r.demerits,
                             "event_id": r.event_id,
                             "recorded_at": _iso(r.recorded_at)} for r in rows]}


def _iso(dt):
    if not isinstance(dt, datetime):
        return None
    return (dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)).isoformat()
