"""What the hall does with other services' events (each called once per event id):

* every ``case.*`` event updates the case read model (last staff actor, finished time);
* ``case.notice_violation`` is a demerit for the staff member who tried the return;
* ``sla.breached`` is a demerit for the case's last staff actor, or, when none is known, for
  the window's A post.
"""
import logging

from osac_shared.auth import STAFF

from ..models import CaseSeen
from ..rules.periods import datetime_of, local
from ..windows import A_POST, POST_OF_ROLE
from . import demerits
from .roster import a_post_of

log = logging.getLogger(__name__)
FINISHED = ("case.completed", "case.rejected")


def note_case_event(session, event):
    data, at = event["data"], datetime_of(event["occurred_at"])
    row = session.get(CaseSeen, event["case_id"], with_for_update=True)
    if row is None:
        row = CaseSeen(case_id=event["case_id"], department=data["department"],
                       window=data["window"], status=data["status"])
        session.add(row)
    if data["actor_role"] in STAFF and (row.last_staff_at is None
                                        or at >= local(row.last_staff_at)):
        row.last_staff_id, row.last_staff_role, row.last_staff_at = (
            data["actor_id"], data["actor_role"], at)
    if event["type"] in FINISHED:
        row.status, row.finished_at = data["status"], at
    elif event["type"] != "case.notice_violation" and row.finished_at is None:
        row.status = data["status"]
    session.flush()
    return row


def notice_violation(session, event, now):
    data = event["data"]
    post = POST_OF_ROLE.get(data["actor_role"])
    if post is None:
        log.warning("notice violation %s by a non-staff actor; no demerit", event["event_id"])
        return None
    return demerits.add(session, person_id=data["actor_id"], post=post, window=data["window"],
                        kind="notice_violation", source=event["source"],
                        source_ref=event["event_id"], at=datetime_of(event["occurred_at"]),
                        recorded_by="system", now=now, case_id=event["case_id"],
                        note="、".join(data.get("materials") or []),
                        correlation_id=event.get("correlation_id"))


def responsible_for(session, case_id, window):
    """(person id, post) who answers for a case: its last staff actor, else the window's A
    post (else the window itself, when the roster has no A post)."""
    row = session.get(CaseSeen, case_id) if case_id else None
    if row is not None and row.last_staff_id:
        return row.last_staff_id, POST_OF_ROLE[row.last_staff_role]
    return a_post_of(session, window) or f"window-{window}", A_POST


def sla_breach(session, event, now):
    data = event["data"]
    person, post = responsible_for(session, event["case_id"], data["window"])
    return demerits.add(session, person_id=person, post=post, window=data["window"],
                        kind="sla_breach", source="sla", source_ref=event["event_id"],
                        at=datetime_of(event["occurred_at"]), recorded_by="system", now=now,
                        case_id=event["case_id"],
                        note=f"{data['item_code']} 超过办结时限（{data['due_at']}）",
                        correlation_id=event.get("correlation_id"))
