"""The journey walker: one catalogue item carried to its end through the public API, the way
its users do it, on the platform as ``make run`` starts it.

    apply   the plan's student logs in and submits the item's own example form
            (``form_schema.examples[0]``, with the plan's ``form`` overrides and what its
            ``prepare`` step returns) and every mandatory material (plus the plan's extra
            ones), with an Idempotency-Key; the 201 carries the promised ``due_at``
    follow  while the case is open: whoever ``waiting_for`` names (the student, the
            department's B post / A post / committee) opens the case and takes the first of
            its ``next_actions`` the plan prefers (default: the first with tone "primary",
            else the first), with the plan's input for it or one built from the action's
            ``input_schema``; a case that waits ``until`` a moment (a public notice) moves
            the platform's clock past it
    check   the SLA's stored deadline equals the promised ``due_at``; the history went
            through the expected actions; the student was told (notifications); the plan's
            ``check`` looks at the effects in other services

A ``Plan`` (one per item, in ``plans/<department>.py`` as ``PLANS = {item code: Plan(...)}``):
    student     who applies (a demo student id; default 2026000001)
    form        form fields to override in the example ({} = the example as it is)
    materials   optional materials to add to the mandatory ones
    prepare     ctx -> dict of form overrides, run before applying (e.g. get a security
                approval first and put its case id in the form); ctx is a ``Journey``
    inputs      {action: body} for actions whose input the walker cannot build itself
                (e.g. {"record_payout": {"amount_cents": 12000}}); a callable (ctx, case)
                -> body also works
    prefer      actions to choose, in order, when several are open (e.g. ("approve",))
    path        the actions the history must contain, in order (default: derived)
    check       (ctx, case) -> None: assert the effects elsewhere (ledger, card, ...)
    blocked     "" or the reason the item cannot be walked to its end (the test then
                fails, naming it: a journey that cannot finish is a defect to fix)
"""
import copy
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests

from osac_shared.testing import eventually, login_session

DEFAULT_STUDENT = "2026000001"
ENDS = ("completed",)
MAX_STEPS = 20


@dataclass
class Plan:
    student: str = DEFAULT_STUDENT
    form: dict = field(default_factory=dict)
    materials: tuple = ()
    prepare: object = None
    inputs: dict = field(default_factory=dict)
    prefer: tuple = ()
    path: tuple = ()
    check: object = None
    blocked: str = ""


class Journey:
    """What a plan's callables get: the platform, logged-in sessions, the item, helpers."""

    def __init__(self, platform, item, plan, sessions):
        self.platform, self.item, self.plan = platform, item, plan
        self.url = platform.gateway_url
        self._sessions = sessions
        self.case = None
        self.steps = []          # (username, action, status after)

    def as_user(self, username):
        if username not in self._sessions:
            self._sessions[username] = login_session(self.url, username)
        return self._sessions[username]

    def get(self, username, path, **kw):
        r = self.as_user(username).get(self.url + path, timeout=30, **kw)
        assert r.status_code == 200, f"GET {path} as {username}: {r.status_code} {r.text}"
        return r.json()

    def post(self, username, path, body=None, expect=(200, 201), **kw):
        r = self.as_user(username).post(self.url + path, json=body or {}, timeout=30, **kw)
        assert r.status_code in expect, \
            f"POST {path} as {username}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def apply(self, student, item_code, form, materials=(), green_reason=""):
        """Submit an application as ``student``; -> the 201's case."""
        return self.post(student, "/api/cases", {
            "item_code": item_code, "form": form, "materials": list(materials),
            "green_reason": green_reason}, expect=(201,),
            headers={"Idempotency-Key": uuid.uuid4().hex})

    def walk_to_end(self, case, student, plan=None):
        """Follow ``case`` through its next_actions until it ends; -> the final case."""
        return follow(self, case, student, plan or Plan(student=student))

    def set_time(self, when):
        self.platform.set_time(when)


def account_for(waiting, student):
    role, department = waiting["role"], waiting.get("department")
    if role == "student":
        return student
    if role == "b_post":
        return f"{department}_b"
    if role == "a_post":
        return f"{department}_a"
    if role == "committee":
        return f"{department}_committee" if department else "committee"
    raise AssertionError(f"no demo account acts as {waiting}")


def sample(schema):
    """A value that fits a JSON Schema (its example or default first, then by type)."""
    if "examples" in schema:
        return copy.deepcopy(schema["examples"][0])
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "object":
        return {k: sample(v) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", ())}
    if kind == "array":
        return [sample(schema["items"])] * int(schema.get("minItems", 0))
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if schema.get("format") == "date":
        return datetime.now().date().isoformat()
    return "经核实，同意办理。"          # text: a reason or note a person would write


def body_for(action, case, plan, journey):
    given = plan.inputs.get(action["action"])
    if callable(given):
        return given(journey, case)
    if given is not None:
        return copy.deepcopy(given)
    return sample(action["input_schema"])


def choose(actions, plan):
    names = [a["action"] for a in actions]
    for wanted in plan.prefer:
        if wanted in names:
            return actions[names.index(wanted)]
    safe = [a for a in actions if a["action"] not in ("withdraw", "reject", "return",
                                                      "expedite")]
    primary = [a for a in safe if a.get("tone") == "primary"]
    return (primary or safe or [None])[0]


def follow(journey, case, student, plan):
    for _ in range(MAX_STEPS):
        case = journey.get(student, f"/api/cases/{case['id']}")
        if case["status"] in ENDS or case["status"] in ("rejected", "withdrawn"):
            return case
        waiting = case.get("waiting_for")
        assert waiting, f"{case['id']} is {case['status']} and waits for nobody"
        user = account_for(waiting, student)
        seen = journey.get(user, f"/api/cases/{case['id']}")
        action = choose(seen.get("next_actions") or [], plan)
        if action is None:
            until = waiting.get("until")
            assert until, (f"{case['id']} ({case['status']}) waits for {waiting} but {user} "
                           f"has nothing to do: {seen.get('next_actions')}")
            journey.set_time(datetime.fromisoformat(until) + timedelta(minutes=1))
            continue
        assert action["href"].startswith("/api/cases/"), action
        journey.post(user, action["href"], body_for(action, seen, plan, journey))
        journey.steps.append((user, action["action"]))
    raise AssertionError(f"{case['id']} did not end in {MAX_STEPS} steps: {journey.steps}")


def mandatory(item):
    return [m["code"] for m in item["materials"] if m.get("mandatory", True)]


def stored_deadline(journey, case_id, student):
    def probe():
        due = journey.get(student, f"/api/cases/{case_id}").get("due_at")
        return due
    return eventually(probe, timeout=20)


def same_moment(a, b):
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)
