"""Reading and writing deadline rows (the only module that queries ``deadlines``)."""
from datetime import datetime

from sqlalchemy import func, select

from osac_shared.db import is_postgres

from .domain import OPEN, STATE_FIELDS, DeadlineState, parse_time
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


def lock_timers(session, case_id, timers):
    """{timer: row} of one case's existing rows among ``timers``, locked (one query)."""
    query = select(Deadline).where(Deadline.case_id == case_id,
                                   Deadline.timer.in_(list(timers)))
    return {row.timer: row for row in session.scalars(_locking(session, query)).all()}


def many(session, case_ids, timer):
    return session.scalars(select(Deadline).where(Deadline.case_id.in_(list(case_ids)),
                                                  Deadline.timer == timer)).all()


def of_case(session, case_id):
    return session.scalars(select(Deadline).where(Deadline.case_id == case_id)
                           .order_by(Deadline.timer)).all()


def claim_due(session, now, limit=200):
    """Rows whose next alarm is due (alarm_at is NULL when nothing is left to fire), locked
    so two SLA instances never fire the same one."""
    query = (select(Deadline)
             .where(Deadline.alarm_at.is_not(None), Deadline.alarm_at <= now)
             .order_by(Deadline.alarm_at).limit(limit))
    return session.scalars(_locking(session, query, skip_locked=True)).all()


def submitted_between(session, start, end, timers=None):
    query = select(Deadline).where(Deadline.submitted_at >= start, Deadline.submitted_at < end)
    if timers:
        query = query.where(Deadline.timer.in_(list(timers)))
    return session.scalars(query).all()


def at_risk(session, page, per_page, department=None):
    """(rows, total): open deadlines whose warning fired, not paused, soonest due first;
    only ``department``'s when given."""
    where = (Deadline.status == OPEN, Deadline.warned_at.is_not(None),
             Deadline.paused_since.is_(None))
    if department is not None:
        where += (Deadline.department == department,)
    total = session.scalar(select(func.count()).select_from(Deadline).where(*where))
    rows = session.scalars(select(Deadline).where(*where)
                           .order_by(Deadline.due_at, Deadline.case_id, Deadline.timer)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def counts_by_status(session, statuses):
    """[(department, timer, status, count)] of the rows whose status is among ``statuses``."""
    return session.execute(
        select(Deadline.department, Deadline.timer, Deadline.status, func.count())
        .where(Deadline.status.in_(list(statuses)))
        .group_by(Deadline.department, Deadline.timer, Deadline.status)).all()
