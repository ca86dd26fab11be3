"""SLA deadline rules, table-driven (no I/O): folding events, pauses, order independence,
alarms held to working hours, and the on-time report."""
import itertools
from dataclasses import replace
from datetime import datetime

import pytest

from osac_shared.clock import TZ
from osac_shared.contracts import make_event, read_event

from sla import domain
from sla.domain import BREACHED, CANCELLED, LATE, MET, OPEN

COMPLAINT = {"item_code": "logistics.complaint", "limit": {"value": 3, "unit": "working_days"},
             "post": "A"}
REPAIR = {"item_code": "logistics.dorm-repair", "limit": {"value": 48, "unit": "calendar_hours"}}
ACTION_STATUS = {"case.submitted": "submitted", "case.accepted": "accepted",
                 "case.returned": "returned", "case.resubmitted": "resubmitted",
                 "case.approved": "processing", "case.completed": "completed",
                 "case.rejected": "rejected", "case.withdrawn": "withdrawn"}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def event(type_, when, submitted="2026-03-02T10:00", item=COMPLAINT, case_id="logistics-1"):
    data = {"window": 11, "department": "logistics", "student_id": "2026000001",
            "status": ACTION_STATUS[type_], "actor_id": "x", "actor_role": "b_post",
            "submitted_at": at(submitted).isoformat(), **item}
    return read_event(make_event(type_, "logistics", data, occurred_at=at(when),
                                 case_id=case_id))


def fold(events, **kwargs):
    state = None
    for e in events:
        state = domain.apply_event(state, e, **kwargs)
    return state


def test_a_submitted_case_gets_its_deadline_and_warning():
    s = fold([event("case.submitted", "2026-03-02T10:00")])
    assert (s.status, s.due_at, s.flagged) == (OPEN, at("2026-03-05T17:30"), False)
    # 34.5 working hours in all; 75% of them end on Thursday at 08:52:30
    assert s.warning_at == at("2026-03-05T08:52:30")
    assert s.alarm_at == s.warning_at


# (events as (type, occurred_at), status, on_time, paused, paused hours, due)
SEQUENCES = [
    ([("case.submitted", "2026-03-02T10:00"), ("case.accepted", "2026-03-02T11:00"),
      ("case.approved", "2026-03-03T16:00"), ("case.completed", "2026-03-03T16:30")],
     MET, True, False, 0, "2026-03-05T17:30"),
    ([("case.submitted", "2026-03-02T10:00"), ("case.completed", "2026-03-05T17:30")],
     MET, True, False, 0, "2026-03-05T17:30"),             # exactly on the deadline
    ([("case.submitted", "2026-03-02T10:00"), ("case.completed", "2026-03-06T10:00")],
     LATE, False, False, 0, "2026-03-05T17:30"),
    ([("case.submitted", "2026-03-02T10:00"), ("case.rejected", "2026-03-02T12:00")],
     MET, True, False, 0, "2026-03-05T17:30"),
    ([("case.submitted", "2026-03-02T10:00"), ("case.withdrawn", "2026-03-09T12:00")],
     CANCELLED, None, False, 0, "2026-03-05T17:30"),
    # returned for a working day: the deadline moves a working day later
    ([("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T11:00"),
      ("case.resubmitted", "2026-03-03T11:00")],
     OPEN, None, False, 9, "2026-03-06T17:30"),
    # returned at 16:00, back at 18:00: 1.5 working hours
    ([("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T16:00"),
      ("case.resubmitted", "2026-03-02T18:00")],
     OPEN, None, False, 1.5, "2026-03-06T10:00"),
    # still returned: paused, the deadline so far is the unpaused one
    ([("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T11:00")],
     OPEN, None, True, 0, "2026-03-05T17:30"),
    # two pauses add up
    ([("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T11:00"),
      ("case.resubmitted", "2026-03-02T12:00"), ("case.returned", "2026-03-03T09:00"),
      ("case.resubmitted", "2026-03-03T10:00"), ("case.completed", "2026-03-06T08:45")],
     MET, True, False, 2, "2026-03-06T10:30"),
    # withdrawn while returned: the pause closes, the deadline is cancelled
    ([("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T11:00"),
      ("case.withdrawn", "2026-03-02T12:00")],
     CANCELLED, None, False, 1, "2026-03-06T09:30"),
]


@pytest.mark.parametrize("steps, status, on_time, paused, paused_hours, due", SEQUENCES)
def test_sequences(steps, status, on_time, paused, paused_hours, due):
    s = fold([event(t, w) for t, w in steps])
    assert (s.status, s.on_time, s.paused_since is not None) == (status, on_time, paused)
    assert s.paused_seconds == paused_hours * 3600
    assert s.due_at == at(due)


def test_calendar_hour_limits_pause_by_elapsed_time():
    steps = [("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T12:00"),
             ("case.resubmitted", "2026-03-02T20:00")]
    s = fold([event(t, w, item=REPAIR) for t, w in steps])
    assert s.due_at == at("2026-03-04T18:00") and s.paused_seconds == 8 * 3600


def test_any_order_and_any_repetition_end_in_the_same_state():
    steps = [("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T11:00"),
             ("case.resubmitted", "2026-03-03T11:00"), ("case.accepted", "2026-03-03T12:00"),
             ("case.approved", "2026-03-05T16:00"), ("case.completed", "2026-03-06T17:00")]
    events = [event(t, w) for t, w in steps]
    expected = domain.public(fold(events))
    assert (expected["status"], expected["on_time"]) == (MET, True)
    for order in itertools.permutations(events):
        assert domain.public(fold(order)) == expected
    assert domain.public(fold(events + events[::-1])) == expected     # duplicates


def test_a_final_event_alone_creates_the_row():
    s = fold([event("case.completed", "2026-03-06T10:00")])
    assert (s.case_id, s.item_code, s.status, s.on_time) == ("logistics-1",
                                                             "logistics.complaint", LATE, False)
    assert s.alarm_at is None


def test_a_deadline_in_an_uncovered_year_is_flagged():
    s = fold([event("case.submitted", "2026-12-30T10:00", submitted="2026-12-30T10:00")])
    assert s.flagged and s.due_at == at("2027-01-04T17:30")


WD_CASE = "2026-03-02T10:00"            # 3 working days: warning Thu 08:52:30, due Thu 17:30
REPAIR_CASE = "2026-03-06T20:00"        # 48 calendar hours: warning Sun 08:00, due Sun 20:00


def state_for(submitted, item, **changes):
    s = fold([event("case.submitted", submitted, submitted=submitted, item=item)])
    return domain.recompute(replace(s, **changes)) if changes else s


@pytest.mark.parametrize("submitted, item, changes, now, kinds, alarm_at", [
    (WD_CASE, COMPLAINT, {}, "2026-03-05T08:52", [], "2026-03-05T08:52:30"),
    (WD_CASE, COMPLAINT, {}, "2026-03-05T08:52:30", ["warning"], "2026-03-06T08:30"),
    (WD_CASE, COMPLAINT, {"warned_at": at("2026-03-05T09:00")}, "2026-03-05T17:30", [],
     "2026-03-06T08:30"),                                  # on the deadline: not yet late
    (WD_CASE, COMPLAINT, {"warned_at": at("2026-03-05T09:00")}, "2026-03-05T18:00", [],
     "2026-03-06T08:30"),                                  # late, but held to working hours
    (WD_CASE, COMPLAINT, {"warned_at": at("2026-03-05T09:00")}, "2026-03-06T08:30",
     ["breached"], None),
    (WD_CASE, COMPLAINT, {}, "2026-03-06T09:00", ["breached"], None),   # warning moot
    (WD_CASE, COMPLAINT, {"breached_at": at("2026-03-06T08:30")}, "2026-03-06T10:00", [],
     None),                                                 # fires once
    (WD_CASE, COMPLAINT, {"marks": ({"event_id": "r1", "type": "case.returned",
                                     "at": at("2026-03-02T11:00").isoformat()},)},
     "2026-03-09T10:00", [], None),                          # paused: nothing fires
    (REPAIR_CASE, REPAIR, {}, "2026-03-08T08:00", ["warning"], "2026-03-08T20:00:01"),
    (REPAIR_CASE, REPAIR, {"warned_at": at("2026-03-08T08:00")}, "2026-03-08T20:00:01",
     ["breached"], None),                                   # a Sunday night: fires anyway
])
def test_alarms(submitted, item, changes, now, kinds, alarm_at):
    state, fired = domain.fire_alarms(state_for(submitted, item, **changes), at(now))
    assert fired == kinds
    assert state.alarm_at == (at(alarm_at) if alarm_at else None)
    if "breached" in kinds:
        assert state.status == BREACHED and state.breached_at == at(now)
        assert domain.fire_alarms(state, at(now))[1] == []


def test_a_late_completion_after_a_breach_is_late():
    s, _ = domain.fire_alarms(state_for(WD_CASE, COMPLAINT), at("2026-03-06T09:00"))
    s = domain.apply_event(s, event("case.completed", "2026-03-06T10:00"))
    assert (s.status, s.on_time, s.breached_at, s.alarm_at) == (
        LATE, False, at("2026-03-06T09:00"), None)


def test_alarm_event_keeps_the_contract():
    s = state_for(WD_CASE, COMPLAINT)
    env = read_event(domain.alarm_event(s, "breached", at("2026-03-06T09:00")))
    assert env["type"] == "sla.breached" and env["source"] == "sla"
    assert env["case_id"] == "logistics-1"
    assert env["data"]["level"] == 2 and env["data"]["due_at"] == s.due_at.isoformat()


def test_warning_share_is_configurable():
    s = fold([event("case.submitted", REPAIR_CASE, submitted=REPAIR_CASE, item=REPAIR)],
             warning_share=0.5)
    assert s.warning_at == at("2026-03-07T20:00")


def test_summarize():
    base = state_for(WD_CASE, COMPLAINT)
    states = [replace(base, case_id="a", status=MET), replace(base, case_id="b", status=MET),
              replace(base, case_id="c", status=LATE),
              replace(base, case_id="d", status=BREACHED, item_code="logistics.dorm-repair"),
              replace(base, case_id="e", status=OPEN), replace(base, case_id="f", status=CANCELLED),
              replace(base, case_id="g", status=MET, window=5, department="academic",
                      item_code="academic.transcript")]
    r = domain.summarize(states)
    assert r["total"] == 7 and r["on_time_rate"] == round(3 / 5, 4)
    assert r["by_window"] == [
        {"window": 5, "total": 1, "open": 0, "breached": 0, "met": 1, "late": 0,
         "cancelled": 0, "on_time_rate": 1.0},
        {"window": 11, "total": 6, "open": 1, "breached": 1, "met": 2, "late": 1,
         "cancelled": 1, "on_time_rate": 0.5}]
    assert {d["department"]: d["on_time_rate"] for d in r["by_department"]} == {
        "academic": 1.0, "logistics": 0.5}
    assert {i["item"]: i["on_time_rate"] for i in r["by_item"]} == {
        "academic.transcript": 1.0, "logistics.complaint": round(2 / 3, 4),
        "logistics.dorm-repair": 0.0}
    assert [b["case_id"] for b in r["breaches"]] == ["c", "d"] and r["breaches_total"] == 2
    assert domain.summarize([])["on_time_rate"] is None
