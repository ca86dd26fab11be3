"""Who may read which deadline (DESIGN.md section 1 roles): plain functions over the actor the
gateway puts in the RPC context (``osac_shared.auth``) and a deadline's state.

    student            the deadlines of their own cases (and of their own referred questions)
    B / A post         their department's (a referral counts for the department it went to)
    consultation desk  referral deadlines only (it follows first-question referrals up)
    director, committee, system (the hall's own calls)   everything
Reports and the at-risk list are staff and manager views: staff see their department's part.
``compute_deadline`` reads no personal data and is open to any caller.
"""
from osac_shared.auth import (COMMITTEE, DESK, DIRECTOR, STAFF, SYSTEM, can_read_case,
                              require_actor, require_role)
from osac_shared.errors import forbidden

from .domain import REFERRAL

MANAGERS = (DIRECTOR, COMMITTEE, SYSTEM)
VIEWERS = MANAGERS + STAFF            # report and at_risk


def can_read(actor, state):
    if actor.get("role") == DESK:
        return state.timer == REFERRAL
    return can_read_case(actor, state.student_id, state.department)


def require_read(actor, states):
    """Refuse (403) unless ``actor`` may read every one of ``states``."""
    require_actor(actor)
    if not all(can_read(actor, s) for s in states):
        raise forbidden("您无权查看该事项的时限", "You may not see this case's deadlines")


def viewer_department(actor):
    """The department a report or at-risk viewer is limited to (None: every department);
    refuses everyone but staff and managers."""
    require_role(actor, *VIEWERS)
    if actor["role"] not in STAFF:
        return None
    if not actor.get("department"):
        raise forbidden("工作人员须属于某个部门", "Staff must belong to a department")
    return actor["department"]
