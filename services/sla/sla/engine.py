"""The SLA's units of work, each committed on the caller's session (no Nameko here, so the
benchmark and the tests drive exactly what the service runs).

    read(payload)                                   -> event, or None (invalid / not ours)
    consume(session, event, rules, now, stage)      one event -> its deadlines (+ sla.urgent)
    tick(session, now, rules, stage, batch)         due alarms -> sla.* events; -> count

``stage(session, envelope)`` adds an event to the transactional outbox.
"""
import logging

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from osac_shared.contracts import CASE_EVENT_TYPES, read_event
from osac_shared.outbox import first_time

from . import domain, store

log = logging.getLogger(__name__)
CONSUMER = "sla"
TYPES = frozenset(CASE_EVENT_TYPES) | frozenset(domain.REFERRAL_TYPES)
MAX_BATCHES = 20            # one tick claims at most MAX_BATCHES x batch rows


def read(payload):
    try:
        event = read_event(payload)
    except ValidationError as err:
        log.warning("sla: dropping an invalid event: %s", err.messages)
        return None
    if event["type"] not in TYPES:
        return None
    if event["type"] in domain.REFERRAL_TYPES and not event["case_id"]:
        event["case_id"] = event["data"]["referral_id"]
    return event if event["case_id"] else None


def consume(session, event, rules, now, stage, attempts=3):
    """Fold ``event`` into each of its timers' rows, once per event id. A concurrent event
    that created the same new row first makes this attempt fail; it is then retried."""
    for attempt in range(attempts):
        try:
            return _consume(session, event, rules, now, stage)
        except IntegrityError:
            session.rollback()
            if attempt == attempts - 1:
                raise


def _consume(session, event, rules, now, stage):
    if not first_time(session, event["event_id"], CONSUMER):
        session.rollback()
        return False
    timers = domain.timers_for(event["type"])
    rows = store.lock_timers(session, event["case_id"], timers)
    for timer in timers:
        row = rows.get(timer)
        state = domain.apply_event(store.state_of(row) if row else None, event, rules, timer)
        state, alarms = domain.urgent_alarm(state, now)
        store.save(session, row, state)
        for alarm in alarms:
            stage(session, domain.alarm_event(state, alarm, now))
    session.commit()
    return True


def tick(session, now, rules, stage, batch=200):
    """Fire every alarm due at ``now``; one transaction per batch of claimed rows (claimed
    with SKIP LOCKED, so another instance's tick takes other rows). Returns alarms staged."""
    staged = 0
    for _ in range(MAX_BATCHES):
        rows = store.claim_due(session, now, batch)
        for row in rows:
            state, alarms = domain.fire_alarms(store.state_of(row), now, rules)
            store.save(session, row, state)
            for alarm in alarms:
                stage(session, domain.alarm_event(state, alarm, now))
            staged += len(alarms)
        session.commit()
        if len(rows) < batch:
            break
    return staged
