"""Reading and writing deadline rows (the only module that queries ``deadlines``)."""
from datetime import datetime

from sqlalchemy import select

from osac_shared.db import is_postgres

from .domain import ACTIVE, STATE_FIELDS, DeadlineState, parse_time
from .models import Deadline


def state_of(row):
    """The row as a domain state; SQLite hands datetimes back naive (they are stored local)."""
    values = {}
    for name in STATE_FIELDS:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = parse_time(value)
        values[name] = value
    values["marks"] = tuple(row.marks or ())
    return DeadlineState(**values)


def save(session, row, state):
    """Write ``state`` into ``row`` (a new row when ``row`` is None); returns the row."""
    if row is None:
        row = Deadline(case_id=state.case_id, timer=state.timer)
        session.add(row)
    for name in STATE_FIELDS:
        value = getattr(state, name)
        if isinstance(value, datetime):
            value = parse_time(value)   # always stored in Asia/Shanghai
        setattr(row, name, list(value) if name == "marks" else value)
    return row


def _locking(session, query, skip_locked=False):
    if is_postgres(session):
        return query.with_for_update(skip_locked=skip_locked)
    return query


def get(session, case_id, timer, lock=False):
    query = select(Deadline).where(Deadline.case_id == case_id, Deadline.timer == timer)
    if lock:
        query = _locking(session, query)
    return session.scalars(query).first()


def many(session, case_ids, timer):
    return session.scalars(select(Deadline).where(Deadline.case_id.in_(list(case_ids)),
                                                  Deadline.timer == timer)).all()


def claim_due(session, now, limit=200):
    """Rows whose next alarm is due, locked so two SLA instances never fire the same one."""
    query = (select(Deadline)
             .where(Deadline.alarm_at.is_not(None), Deadline.alarm_at <= now,
                    Deadline.status.in_(ACTIVE))
             .order_by(Deadline.alarm_at).limit(limit))
    return session.scalars(_locking(session, query, skip_locked=True)).all()


def submitted_between(session, start, end, timer):
    return session.scalars(select(Deadline).where(Deadline.timer == timer,
                                                  Deadline.submitted_at >= start,
                                                  Deadline.submitted_at < end)).all()
