"""Every item of the catalogue carried to its end through the public API, by the demo
accounts (tests/journeys/walk.py says how; plans/<department>.py what each item needs)."""
import importlib
import pkgutil

import pytest

from osac_shared.registry import DEPARTMENTS, SERVICES

from . import plans as plan_package
from .walk import Plan, Journey, follow, mandatory, same_moment, stored_deadline


def department_items():
    codes = []
    for name in DEPARTMENTS:
        module, cls = SERVICES[name][0].split(":")
        service = getattr(importlib.import_module(module), cls)
        codes += list(service.ITEMS)
    return codes


def all_plans():
    found = {}
    for info in pkgutil.iter_modules(plan_package.__path__):
        module = importlib.import_module(f"{plan_package.__name__}.{info.name}")
        found.update(getattr(module, "PLANS", {}))
    return found


PLANS = all_plans()
ITEMS = department_items()


def test_every_plan_names_an_item():
    assert set(PLANS) - set(ITEMS) == set()


@pytest.mark.parametrize("code", ITEMS)
def test_item_is_carried_to_its_end(platform, catalogue, sessions, code):
    item = catalogue[code]
    plan = PLANS.get(code, Plan())
    assert not plan.blocked, f"{code} cannot be carried to its end: {plan.blocked}"
    journey = Journey(platform, item, plan, sessions)
    form = dict(item["form_schema"]["examples"][0])
    form.update(plan.form)
    if plan.prepare is not None:
        form.update(plan.prepare(journey) or {})
    created = journey.apply(plan.student, code, form, mandatory(item) + list(plan.materials))
    # the promise kept: the 201's due_at is the deadline the SLA service holds the case to
    assert created["due_at"], created
    stored = stored_deadline(journey, created["id"], plan.student)
    assert stored and same_moment(stored, created["due_at"]), (stored, created["due_at"])
    # the student may do only what the student may do
    assert {a["action"] for a in created["next_actions"]} <= {"withdraw", "resubmit"}
    final = follow(journey, created, plan.student, plan)
    assert final["status"] == "completed", (final["status"], journey.steps, final["history"])
    actions = [h["action"] for h in final["history"]]
    assert actions[0] == "submit" and actions[-1] == "complete", actions
    if plan.path:
        assert [a for a in actions if a in plan.path] == list(plan.path), actions
    assert final["waiting_for"] is None and final["next_actions"] == [] or \
        all(a["action"] not in ("accept", "approve", "complete")
            for a in final.get("next_actions") or [])
    # the student was told: the completion is among their notifications
    told = journey.get(plan.student, "/api/me/notifications?per_page=100")["notifications"]
    assert any(n["case_id"] == final["id"] and n["kind"] == "complete" for n in told), told
    if plan.check is not None:
        plan.check(journey, final)
