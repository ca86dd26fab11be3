"""Who may read which deadline (sla.access), table-driven: role x timer x whose case."""
from datetime import datetime

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from sla import access
from sla.domain import ACCEPTANCE, COMPLETION, REFERRAL, DeadlineState

OWNER, OTHER, DIRECTOR = ACTORS["student"], ACTORS["student2"], ACTORS["director"]
DESK = {"id": "desk", "role": "desk"}
COMMITTEE = {"id": "c1", "role": "committee"}
LOG_B, LOG_A, AID_B = staff("logistics"), staff("logistics", "a_post"), staff("aid")
STAFF_NO_DEPT = {"id": "x", "role": "b_post"}


def state(timer=COMPLETION, department="logistics", student_id=OWNER["id"]):
    return DeadlineState(case_id="logistics-1", timer=timer, department=department, window=11,
                         item_code="logistics.complaint", student_id=student_id,
                         limit_value=3, limit_unit="working_days",
                         submitted_at=datetime(2026, 3, 2, 10, tzinfo=TZ))


@pytest.mark.parametrize("actor, deadline, allowed", [
    (OWNER, state(), True),
    (OWNER, state(ACCEPTANCE), True),
    (OTHER, state(), False),
    (LOG_B, state(), True),
    (LOG_A, state(ACCEPTANCE), True),
    (AID_B, state(), False),
    (STAFF_NO_DEPT, state(), False),
    (DESK, state(), False),
    (DESK, state(ACCEPTANCE), False),
    (DESK, state(REFERRAL, "aid"), True),               # the desk follows its referrals up
    (AID_B, state(REFERRAL, "aid"), True),              # ... and the receiving department
    (LOG_B, state(REFERRAL, "aid"), False),
    (OWNER, state(REFERRAL, "aid"), True),              # the student who asked
    (OTHER, state(REFERRAL, "aid"), False),
    (DIRECTOR, state(), True),
    (COMMITTEE, state(REFERRAL, "aid"), True),
    ({"id": "x", "role": "janitor"}, state(), False),
])
def test_who_reads_a_deadline(actor, deadline, allowed):
    assert access.can_read(actor, deadline) is allowed


def test_a_batch_is_refused_when_one_deadline_is_not_the_callers():
    access.require_read(OWNER, [state(), state(ACCEPTANCE)])
    access.require_read(OWNER, [])
    with pytest.raises(DomainError) as err:
        access.require_read(OWNER, [state(), state(student_id=OTHER["id"])])
    assert err.value.status == 403 and err.value.message and err.value.message_en


@pytest.mark.parametrize("actor", [None, {}, {"id": "x"}, {"id": "x", "role": "janitor"}])
def test_no_actor_is_unauthenticated(actor):
    with pytest.raises(DomainError) as err:
        access.require_read(actor, [])
    assert err.value.status == 401


@pytest.mark.parametrize("actor, scope", [
    (DIRECTOR, None), (COMMITTEE, None), ({"id": "hall", "role": "system"}, None),
    (LOG_B, "logistics"), (LOG_A, "logistics"), (AID_B, "aid"),
    (OWNER, 403), (DESK, 403), (STAFF_NO_DEPT, 403), (None, 401),
])
def test_report_and_at_risk_viewers(actor, scope):
    if isinstance(scope, int):
        with pytest.raises(DomainError) as err:
            access.viewer_department(actor)
        assert err.value.status == scope
    else:
        assert access.viewer_department(actor) == scope
