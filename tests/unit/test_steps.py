"""What comes next on a case (osac_shared.steps): for each status, item kind and actor, the
steps offered are exactly the ones the engine would let through, and the case says who it
waits for. Plus the SLA's promise built from a just-submitted case."""
from types import SimpleNamespace

import pytest

from osac_shared import lifecycle as lc
from osac_shared.catalogue import Item, Limit, Material
from osac_shared.cases import authorize_action
from osac_shared.errors import DomainError
from osac_shared.steps import lifecycle_steps, waiting_for

A_ITEM = Item(code="aid.x", window=2, department="aid", department_zh="资助",
              department_en="Aid", name_zh="项目", name_en="Item", description_zh="",
              description_en="", limit=Limit(5, "working_days"), post="A",
              green_channel=True, materials=(Material("form", "表", "Form"),))
B_ITEM = Item(code="aid.y", window=2, department="aid", department_zh="资助",
              department_en="Aid", name_zh="咨询", name_en="Ask", description_zh="",
              description_en="", limit=Limit(1, "working_days"), post="B",
              kind="consultation")
OWNER = {"id": "2026000001", "role": "student"}
OTHER = {"id": "2026000002", "role": "student"}
B = {"id": "aid_b", "role": "b_post", "department": "aid"}
A = {"id": "aid_a", "role": "a_post", "department": "aid"}
ELSEWHERE = {"id": "finance_a", "role": "a_post", "department": "finance"}
DIRECTOR = {"id": "director", "role": "director"}


def case(status, green=False):
    return SimpleNamespace(status=status, student_id=OWNER["id"], green_channel=green)


def names(status, item, actor, delegated=(), green=False):
    return [s.action for s in lifecycle_steps(case(status, green), item, actor, delegated)]


@pytest.mark.parametrize("status, item, actor, delegated, expected", [
    (lc.SUBMITTED, A_ITEM, OWNER, (), ["withdraw"]),
    (lc.SUBMITTED, A_ITEM, OTHER, (), []),
    (lc.SUBMITTED, A_ITEM, B, (), ["accept", "return", "expedite"]),    # refusal: the A post
    (lc.SUBMITTED, A_ITEM, DIRECTOR, (), []),
    (lc.SUBMITTED, A_ITEM, ELSEWHERE, (), []),
    (lc.ACCEPTED, A_ITEM, B, (), ["return", "expedite"]),          # approval is the A post's
    (lc.ACCEPTED, A_ITEM, B, ("aid.x",), ["approve", "reject", "return", "expedite"]),
    (lc.ACCEPTED, A_ITEM, A, (), ["approve", "reject", "return", "expedite"]),
    (lc.PROCESSING, A_ITEM, A, (), ["complete", "reject", "expedite"]),
    (lc.RETURNED, A_ITEM, OWNER, (), ["resubmit", "withdraw"]),
    (lc.RETURNED, A_ITEM, B, (), ["expedite"]),
    (lc.COMPLETED, A_ITEM, A, (), []),
    (lc.COMPLETED, A_ITEM, OWNER, (), []),
    (lc.ACCEPTED, B_ITEM, B, (), ["approve", "reject"]),   # no green channel, no materials
])
def test_steps_offered(status, item, actor, delegated, expected):
    assert names(status, item, actor, delegated) == expected


@pytest.mark.parametrize("status", lc.STATUSES)
@pytest.mark.parametrize("actor", [OWNER, OTHER, B, A, DIRECTOR, ELSEWHERE])
def test_never_a_step_the_engine_would_refuse(status, actor):
    for step in lifecycle_steps(case(status), A_ITEM, actor):
        if step.action == "expedite":
            continue
        authorize_action(actor, case(status), A_ITEM, step.action)     # does not raise
        lc.next_status(status, step.action)


def test_green_channel_is_offered_once():
    assert "expedite" not in names(lc.SUBMITTED, A_ITEM, B, green=True)


def test_a_consultation_is_completed_with_its_answer():
    found = lifecycle_steps(case(lc.PROCESSING), B_ITEM, B)
    complete = next(s for s in found if s.action == "complete")
    assert complete.input_schema()["required"] == ["answer"]


def test_return_input_names_the_items_materials():
    step = next(s for s in lifecycle_steps(case(lc.SUBMITTED), A_ITEM, B) if s.action == "return")
    schema = step.input_schema(A_ITEM)
    assert schema["properties"]["missing"]["items"]["enum"] == ["form"]
    assert schema["required"] == ["reason"]


@pytest.mark.parametrize("status, item, role", [
    (lc.SUBMITTED, A_ITEM, "b_post"), (lc.RESUBMITTED, A_ITEM, "b_post"),
    (lc.RETURNED, A_ITEM, "student"), (lc.ACCEPTED, A_ITEM, "a_post"),
    (lc.PROCESSING, A_ITEM, "a_post"), (lc.ACCEPTED, B_ITEM, "b_post"),
    (lc.PROCESSING, B_ITEM, "b_post"), (lc.COMPLETED, A_ITEM, None),
    (lc.WITHDRAWN, A_ITEM, None), (lc.REJECTED, A_ITEM, None),
])
def test_waiting_for(status, item, role):
    found = waiting_for(case(status), item)
    assert (found or {}).get("role") == role
    if found:
        assert found["label_zh"] and found["label_en"]
        assert found["department"] == (None if role == "student" else "aid")
