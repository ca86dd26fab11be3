"""Who is acting: the actor carried in every RPC's context data, and the rules for roles.

The gateway puts ``{"actor": {"id", "role", "department", "window", "name"}}`` in the context of
each call; a service reads it with ``actor = CurrentActor()`` and decides with the plain
functions below. A call without an actor is refused.
"""
from nameko.contextdata import ContextDataProvider

from .errors import forbidden, unauthenticated

STUDENT, B_POST, A_POST, DESK, DIRECTOR, COMMITTEE, SYSTEM = (
    "student", "b_post", "a_post", "desk", "director", "committee", "system")
ROLES = (STUDENT, B_POST, A_POST, DESK, DIRECTOR, COMMITTEE, SYSTEM)
STAFF = (B_POST, A_POST)
ROLE_ZH = {STUDENT: "学生", B_POST: "B岗（学生助理）", A_POST: "A岗（窗口教师）",
           DESK: "咨询台", DIRECTOR: "事务大厅主任", COMMITTEE: "管理委员会", SYSTEM: "系统"}
DEPARTMENT_COMMITTEE_ZH = "评审委员会"      # a department's own committee (role committee)


class CurrentActor(ContextDataProvider):
    context_key = "actor"


def require_actor(actor):
    if not actor or not isinstance(actor, dict) or actor.get("role") not in ROLES:
        raise unauthenticated()
    return actor


def is_staff_of(actor, department):
    return actor.get("role") in STAFF and actor.get("department") == department


def is_committee_of(actor, department):
    """A department's own review committee (e.g. aid's 评审委员会): role ``committee`` with
    that department. The centre's management committee has no department."""
    return actor.get("role") == COMMITTEE and actor.get("department") == department


def can_read_case(actor, case_student_id, department):
    role = actor.get("role")
    if role == STUDENT:
        return actor.get("id") == case_student_id
    if role == COMMITTEE and actor.get("department"):
        return actor.get("department") == department
    if role in (DIRECTOR, COMMITTEE, SYSTEM):
        return True
    return is_staff_of(actor, department)


def require_read(actor, case_student_id, department):
    if not can_read_case(actor, case_student_id, department):
        raise forbidden("您无权查看该事项", "You may not see this case")


def require_role(actor, *roles):
    require_actor(actor)
    if actor["role"] not in roles:
        raise forbidden()
