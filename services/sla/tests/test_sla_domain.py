"""SLA deadline rules, table-driven (no I/O): folding events, pauses, order independence,
alarms held to working hours, the escalation ladder, the acceptance and referral timers, the
green channel, the policy table, and the report."""
import itertools
import random
from dataclasses import replace
from datetime import datetime

import pytest

from osac_shared.clock import TZ
from osac_shared.contracts import make_event, read_event

from sla import domain
from sla.domain import (ACCEPTANCE, BREACHED, CANCELLED, COMPLETION, LATE, MET, OPEN, REFERRAL,
                        Policy, Rules)

COMPLAINT = {"item_code": "logistics.complaint", "limit": {"value": 3, "unit": "working_days"},
             "post": "A", "kind": "report"}
REPAIR = {"item_code": "logistics.dorm-repair", "limit": {"value": 48, "unit": "calendar_hours"},
          "kind": "report"}
SUNSHINE = {"item_code": "sunshine.complaint-suggestion", "window": 13, "department": "sunshine",
            "limit": {"value": 5, "unit": "working_days"}, "post": "A", "kind": "report"}
GRANT = {"item_code": "aid.national-grant", "window": 2, "department": "aid",
         "limit": {"value": 10, "unit": "working_days"}, "post": "A"}
ACTION_STATUS = {"case.submitted": "submitted", "case.accepted": "accepted",
                 "case.returned": "returned", "case.resubmitted": "resubmitted",
                 "case.approved": "processing", "case.completed": "completed",
                 "case.rejected": "rejected", "case.withdrawn": "withdrawn",
                 "case.expedited": "accepted"}

STUDENT_ACTS = ("case.submitted", "case.resubmitted", "case.withdrawn")


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def event(type_, when, submitted="2026-03-02T10:00", item=COMPLAINT, case_id="logistics-1",
          green=False, actor=None):
    if actor is None:                   # the student submits; staff do the rest
        actor = ("2026000001", "student") if type_ in STUDENT_ACTS else ("x", "b_post")
    data = {"window": 11, "department": "logistics", "student_id": "2026000001",
            "status": ACTION_STATUS[type_], "actor_id": actor[0], "actor_role": actor[1],
            "submitted_at": at(submitted).isoformat(), "green_channel": green, **item}
    return read_event(make_event(type_, data["department"], data, occurred_at=at(when),
                                 case_id=case_id))


def fold(events, rules=domain.DEFAULT_RULES, timer=COMPLETION):
    state = None
    for e in events:
        state = domain.apply_event(state, e, rules, timer)
    return state


def test_a_submitted_case_gets_its_deadline_and_warning():
    s = fold([event("case.submitted", "2026-03-02T10:00")])
    assert (s.status, s.due_at, s.flagged) == (OPEN, at("2026-03-05T17:30"), False)
    # 34.5 working hours in all; 75% of them end on Thursday at 08:52:30
    assert s.warning_at == at("2026-03-05T08:52:30")
    assert s.alarm_at == s.warning_at and s.basis == "limit"


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


ORDER_STEPS = [("case.submitted", "2026-03-02T10:00"), ("case.returned", "2026-03-02T11:00"),
               ("case.resubmitted", "2026-03-03T11:00"), ("case.accepted", "2026-03-03T12:00"),
               ("case.expedited", "2026-03-03T13:00"), ("case.approved", "2026-03-03T16:00"),
               ("case.completed", "2026-03-06T17:00")]


@pytest.mark.parametrize("timer", [COMPLETION, ACCEPTANCE])
def test_any_order_and_any_repetition_end_in_the_same_state(timer):
    events = [event(t, w, green=(t in ("case.expedited", "case.approved", "case.completed")),
                    actor=("logistics_a", "a_post") if t == "case.approved" else
                    ("2026000001", "student") if t == "case.resubmitted" else
                    ("logistics_b", "b_post"))
              for t, w in ORDER_STEPS]
    expected = domain.public(fold(events, timer=timer))
    orders = list(itertools.permutations(events))         # 5040: a fixed sample of them
    for order in random.Random(7).sample(orders, 300) + [orders[-1]]:
        assert domain.public(fold(order, timer=timer)) == expected
    assert domain.public(fold(events + events[::-1], timer=timer)) == expected   # duplicates
    assert (expected["actor_id"], expected["actor_role"]) == ("logistics_b", "b_post")
    if timer == COMPLETION:             # green from 13:00: due 2 working hours later
        assert (expected["green_since"], expected["basis"]) == ("2026-03-03T13:00:00+08:00",
                                                                "green")
        assert expected["due_at"] == "2026-03-03T15:00:00+08:00"
        assert (expected["status"], expected["on_time"]) == (LATE, False)
    else:                               # 4 working hours from Monday 10:00; accepted at once
        assert expected["due_at"] == "2026-03-02T14:00:00+08:00"
        assert (expected["status"], expected["completed_at"]) == (
            MET, "2026-03-02T11:00:00+08:00")     # the return closed it


def test_a_final_event_alone_creates_the_row():
    s = fold([event("case.completed", "2026-03-06T10:00")])
    assert (s.case_id, s.item_code, s.status, s.on_time) == ("logistics-1",
                                                             "logistics.complaint", LATE, False)
    assert s.alarm_at == at("2026-03-06T08:30")          # its breach is still to be raised


@pytest.mark.parametrize("completed, now, alarms", [
    ("2026-03-05T19:00", "2026-03-05T20:00", []),        # late at night: raised next morning
    ("2026-03-05T19:00", "2026-03-06T08:30", [("breached", 1)]),   # once; no escalation
    ("2026-03-05T17:00", "2026-03-06T08:30", []),        # on time: nothing to raise
])
def test_a_timer_closed_late_before_its_breach_raises_it_once(completed, now, alarms):
    s = fold([event("case.submitted", WD_CASE), event("case.completed", completed)])
    s, fired = domain.fire_alarms(s, at(now))
    assert fired == alarms
    if alarms:
        assert s.alarm_at is None
        assert (s.status, s.level, s.breached_at) == (LATE, 1, at(now))
        assert domain.fire_alarms(s, at("2026-03-09T12:00"))[1] == []


def test_a_deadline_in_an_uncovered_year_is_flagged():
    s = fold([event("case.submitted", "2026-12-30T10:00", submitted="2026-12-30T10:00")])
    assert s.flagged and s.due_at == at("2027-01-04T17:30")


# ---- acceptance --------------------------------------------------------------------------
@pytest.mark.parametrize("submitted, steps, status, due", [
    ("2026-03-02T10:00", [], OPEN, "2026-03-02T14:00"),
    ("2026-03-02T10:00", [("case.accepted", "2026-03-02T13:59")], MET, "2026-03-02T14:00"),
    ("2026-03-02T10:00", [("case.accepted", "2026-03-02T15:00")], LATE, "2026-03-02T14:00"),
    ("2026-03-02T10:00", [("case.returned", "2026-03-02T11:00")], MET, "2026-03-02T14:00"),
    ("2026-03-02T10:00", [("case.rejected", "2026-03-03T09:00")], LATE, "2026-03-02T14:00"),
    ("2026-03-02T10:00", [("case.withdrawn", "2026-03-03T09:00")], CANCELLED,
     "2026-03-02T14:00"),
    ("2026-03-02T16:30", [], OPEN, "2026-03-03T11:30"),        # 1 h today, 3 h tomorrow
    ("2026-03-06T20:00", [], OPEN, "2026-03-09T12:30"),        # Friday night -> Monday
    ("2026-02-13T16:00", [], OPEN, "2026-02-14T11:00"),        # make-up Saturday (调休)
    # accepted after a return and resubmission: the return already closed it
    ("2026-03-02T10:00", [("case.returned", "2026-03-02T15:00"),
                          ("case.resubmitted", "2026-03-03T09:00"),
                          ("case.accepted", "2026-03-03T10:00")], LATE, "2026-03-02T14:00"),
])
def test_acceptance_timer(submitted, steps, status, due):
    events = [event("case.submitted", submitted, submitted=submitted)] + [
        event(t, w, submitted=submitted) for t, w in steps]
    s = fold(events, timer=ACCEPTANCE)
    assert (s.timer, s.limit_value, s.limit_unit) == (ACCEPTANCE, 4, "working_hours")
    assert (s.status, s.due_at) == (status, at(due))
    assert s.paused_since is None                              # a return never pauses it


def test_acceptance_hours_are_configurable():
    s = fold([event("case.submitted", "2026-03-02T10:00")], Rules(acceptance_hours=1),
             ACCEPTANCE)
    assert s.due_at == at("2026-03-02T11:00")


# ---- green channel -----------------------------------------------------------------------
@pytest.mark.parametrize("item, steps, basis, due, warning", [
    # submitted green: 2 working hours from submission
    (COMPLAINT, [("case.submitted", "2026-03-02T10:00", True)], "green",
     "2026-03-02T12:00", "2026-03-02T11:30"),
    # expedited on Tuesday 16:30: 1 h that day and 1 h on Wednesday
    (COMPLAINT, [("case.submitted", "2026-03-02T10:00", False),
                 ("case.expedited", "2026-03-03T16:30", True)], "green",
     "2026-03-04T09:30", "2026-03-04T09:00"),
    # expedited so late that the item's own deadline comes first: it stays
    (COMPLAINT, [("case.submitted", "2026-03-02T10:00", False),
                 ("case.expedited", "2026-03-05T17:00", True)], "limit",
     "2026-03-05T17:30", "2026-03-05T08:52:30"),
    # a green repair on a weekday morning: 2 working hours beat 48 calendar hours
    (REPAIR, [("case.submitted", "2026-03-02T10:00", True)], "green",
     "2026-03-02T12:00", "2026-03-02T11:30"),
    # a green repair on Friday night: 48 calendar hours (Sunday night) come first
    (REPAIR, [("case.submitted", "2026-03-06T20:00", True)], "limit",
     "2026-03-08T20:00", "2026-03-08T08:00"),
    # pauses count only after going green: 10:15-10:45 before it, 11:30-14:00 after it
    (COMPLAINT, [("case.submitted", "2026-03-02T10:00", False),
                 ("case.returned", "2026-03-02T10:15", False),
                 ("case.resubmitted", "2026-03-02T10:45", False),
                 ("case.expedited", "2026-03-02T11:00", True),
                 ("case.returned", "2026-03-02T11:30", True),
                 ("case.resubmitted", "2026-03-02T14:00", True)], "green",
     "2026-03-02T15:30", "2026-03-02T15:00"),
])
def test_green_channel(item, steps, basis, due, warning):
    submitted = steps[0][1]
    s = fold([event(t, w, submitted=submitted, item=item, green=g) for t, w, g in steps])
    assert (s.basis, s.due_at, s.warning_at) == (basis, at(due), at(warning))
    assert s.green_channel is True


def test_green_alarms_wait_for_working_hours_even_for_a_repair():
    s = fold([event("case.submitted", "2026-03-02T16:00", submitted="2026-03-02T16:00",
                    item=REPAIR, green=True)])
    assert s.due_at == at("2026-03-03T09:00")
    s, fired = domain.fire_alarms(replace(s, warned_at=at("2026-03-02T17:00")),
                                  at("2026-03-03T07:00"))
    assert fired == [] and s.alarm_at == at("2026-03-03T09:00:01")


def test_urgent_fires_once_for_an_open_green_completion_timer():
    green = fold([event("case.submitted", "2026-03-02T10:00", green=True)])
    s, fired = domain.urgent_alarm(green, at("2026-03-02T10:00:02"))
    assert fired == [("urgent", 1)] and s.urgent_at == at("2026-03-02T10:00:02")
    assert domain.urgent_alarm(s, at("2026-03-02T10:05"))[1] == []
    env = read_event(domain.alarm_event(s, fired[0], at("2026-03-02T10:00:02")))
    assert env["type"] == "sla.urgent" and env["data"]["due_at"] == "2026-03-02T12:00:00+08:00"
    plain = fold([event("case.submitted", "2026-03-02T10:00")])
    acceptance = fold([event("case.submitted", "2026-03-02T10:00", green=True)],
                      timer=ACCEPTANCE)
    closed = fold([event("case.submitted", "2026-03-02T10:00"),
                   event("case.completed", "2026-03-02T11:00", green=True)])
    for state in (plain, acceptance, closed):
        assert domain.urgent_alarm(state, at("2026-03-02T11:00"))[1] == []


# ---- alarms and the escalation ladder ----------------------------------------------------
WD_CASE = "2026-03-02T10:00"            # 3 working days: warning Thu 08:52:30, due Thu 17:30
REPAIR_CASE = "2026-03-06T20:00"        # 48 calendar hours: warning Sun 08:00, due Sun 20:00
WARNED = {"warned_at": at("2026-03-05T09:00")}
BREACHED_FRI = {"breached_at": at("2026-03-06T08:30"), "level": 1}
REPAIR_BREACHED = {"warned_at": at("2026-03-08T08:00"), "breached_at": at("2026-03-08T20:00:01"),
                   "level": 1}
W, B, E2, E3 = ("warning", 1), ("breached", 1), ("escalated", 2), ("escalated", 3)


def state_for(submitted, item, **changes):
    s = fold([event("case.submitted", submitted, submitted=submitted, item=item)])
    return domain.recompute(replace(s, **changes)) if changes else s


@pytest.mark.parametrize("submitted, item, changes, now, alarms, alarm_at", [
    (WD_CASE, COMPLAINT, {}, "2026-03-05T08:52", [], "2026-03-05T08:52:30"),
    (WD_CASE, COMPLAINT, {}, "2026-03-05T08:52:30", [W], "2026-03-06T08:30"),
    (WD_CASE, COMPLAINT, WARNED, "2026-03-05T17:30", [], "2026-03-06T08:30"),  # not yet late
    (WD_CASE, COMPLAINT, WARNED, "2026-03-05T18:00", [], "2026-03-06T08:30"),  # held
    (WD_CASE, COMPLAINT, WARNED, "2026-03-06T08:30", [B], "2026-03-06T12:30"),
    (WD_CASE, COMPLAINT, {}, "2026-03-06T09:00", [B], "2026-03-06T12:30"),   # warning moot
    (WD_CASE, COMPLAINT, BREACHED_FRI, "2026-03-06T10:00", [], "2026-03-06T12:30"),
    (WD_CASE, COMPLAINT, BREACHED_FRI, "2026-03-06T12:30", [E2], "2026-03-06T16:30"),
    (WD_CASE, COMPLAINT, {**BREACHED_FRI, "level": 2}, "2026-03-06T16:30", [E3], None),
    (WD_CASE, COMPLAINT, {**BREACHED_FRI, "level": 3}, "2026-03-09T10:00", [], None),
    # after an outage: everything that fell due fires at once, each once
    (WD_CASE, COMPLAINT, {}, "2026-03-06T16:30", [B, E2, E3], None),
    # ... but not outside working hours: held to Monday morning
    (WD_CASE, COMPLAINT, {}, "2026-03-06T18:00", [], "2026-03-09T08:30"),
    (WD_CASE, COMPLAINT, {"marks": ({"event_id": "r1", "type": "case.returned",
                                     "at": at("2026-03-02T11:00").isoformat()},)},
     "2026-03-09T10:00", [], None),                          # paused: nothing fires
    (REPAIR_CASE, REPAIR, {}, "2026-03-08T08:00", [W], "2026-03-08T20:00:01"),
    # a Sunday night: the breach fires anyway; its escalations wait for Monday
    (REPAIR_CASE, REPAIR, {"warned_at": at("2026-03-08T08:00")}, "2026-03-08T20:00:01",
     [B], "2026-03-09T12:30"),
    (REPAIR_CASE, REPAIR, REPAIR_BREACHED, "2026-03-09T07:00", [], "2026-03-09T12:30"),
    (REPAIR_CASE, REPAIR, REPAIR_BREACHED, "2026-03-09T12:30", [E2], "2026-03-09T16:30"),
])
def test_alarms(submitted, item, changes, now, alarms, alarm_at):
    state, fired = domain.fire_alarms(state_for(submitted, item, **changes), at(now))
    assert fired == alarms
    assert state.alarm_at == (at(alarm_at) if alarm_at else None)
    if B in alarms:
        assert state.status == BREACHED and state.breached_at == at(now)
    assert domain.fire_alarms(state, at(now))[1] == []          # each fires once


def test_escalation_hours_are_configurable():
    state = state_for(WD_CASE, COMPLAINT, **BREACHED_FRI)
    assert domain.next_alarm_at(state, Rules(escalate_hours=1)) == at("2026-03-06T09:30")


def test_a_late_completion_after_a_breach_is_late_and_stops_the_ladder():
    s, _ = domain.fire_alarms(state_for(WD_CASE, COMPLAINT), at("2026-03-06T09:00"))
    s = domain.apply_event(s, event("case.completed", "2026-03-06T10:00"))
    assert (s.status, s.on_time, s.breached_at, s.level, s.alarm_at) == (
        LATE, False, at("2026-03-06T09:00"), 1, None)
    assert domain.fire_alarms(s, at("2026-03-09T10:00"))[1] == []


def test_alarm_events_keep_the_contract():
    s = state_for(WD_CASE, COMPLAINT)
    for alarm, type_ in [(B, "sla.breached"), (E2, "sla.escalated"), (W, "sla.warning")]:
        env = read_event(domain.alarm_event(s, domain.Alarm(*alarm), at("2026-03-06T09:00")))
        assert (env["type"], env["source"], env["case_id"]) == (type_, "sla", "logistics-1")
        assert env["data"]["level"] == alarm[1] and env["data"]["due_at"] == s.due_at.isoformat()
        assert env["data"]["timer"] == COMPLETION


def test_warning_share_is_configurable():
    s = fold([event("case.submitted", REPAIR_CASE, submitted=REPAIR_CASE, item=REPAIR)],
             Rules(warning_share=0.5))
    assert s.warning_at == at("2026-03-07T20:00")


# ---- policies: complaints and repairs ----------------------------------------------------
def sunshine_event(type_, when, submitted):
    data = {**SUNSHINE, "student_id": "2026000001", "status": ACTION_STATUS[type_],
            "actor_id": "sunshine_a", "actor_role": "a_post",
            "submitted_at": at(submitted).isoformat()}
    return read_event(make_event(type_, "sunshine", data, occurred_at=at(when),
                                 case_id="sunshine-1"))


@pytest.mark.parametrize("now, alarms", [
    ("2026-03-05T17:30", []),                    # the 3rd working day ends: not yet late
    ("2026-03-05T23:00", []),                    # late, but a working-day limit waits
    ("2026-03-06T08:30", [B]),                   # breached when the hall opens
])
def test_a_sunshine_complaint_breaches_after_3_working_days(now, alarms):
    s = fold([sunshine_event("case.submitted", "2026-03-02T10:00", "2026-03-02T10:00")])
    assert (s.limit_value, s.limit_unit, s.due_at) == (3, "working_days", at("2026-03-05T17:30"))
    s = replace(s, warned_at=at("2026-03-05T09:00"))         # the event said 5: policy says 3
    assert domain.fire_alarms(s, at(now))[1] == alarms


@pytest.mark.parametrize("submitted, now, alarms", [
    ("2026-03-03T01:00", "2026-03-05T01:00", []),            # exactly 48 hours: not yet
    ("2026-03-03T01:00", "2026-03-05T01:00:01", [B]),        # a Thursday 1 a.m.: fires
    ("2026-03-06T23:30", "2026-03-08T23:30:01", [B]),        # a Sunday night
])
def test_a_repair_breaches_after_48_calendar_hours_at_any_hour(submitted, now, alarms):
    s = replace(state_for(submitted, {**REPAIR, "limit": {"value": 72, "unit": "working_days"}}),
                warned_at=at(submitted))
    assert (s.limit_value, s.limit_unit) == (48, "calendar_hours")
    assert domain.fire_alarms(s, at(now))[1] == alarms


@pytest.mark.parametrize("item, policies, limit", [
    (GRANT, domain.POLICIES, (10, "working_days")),           # no row: the item's own limit
    (SUNSHINE, domain.POLICIES, (3, "working_days")),
    (COMPLAINT, (Policy("kind:report", 5, "working_days"),), (5, "working_days")),
    (GRANT, (Policy("kind:report", 5, "working_days"),), (10, "working_days")),
    (REPAIR, (Policy("logistics.", 24, "calendar_hours"),
              Policy("logistics.dorm-repair", 1, "calendar_hours")), (24, "calendar_hours")),
])
def test_the_policy_table_overrides_only_what_it_names(item, policies, limit):
    data = {"window": 11, "department": "logistics", "student_id": "s", **item,
            "submitted_at": "2026-03-02T10:00:00+08:00"}
    s = domain.new_state("c-1", data, COMPLETION, Rules(policies=policies))
    assert (s.limit_value, s.limit_unit) == limit


@pytest.mark.parametrize("text, table", [
    ("", None),
    ("sunshine.complaint=2 working_days", (("sunshine.complaint", 2, "working_days"),)),
    ("kind:report=24 calendar_hours; hall.referral=2 working_days;",
     (("kind:report", 24, "calendar_hours"), ("hall.referral", 2, "working_days"))),
])
def test_policies_from_config(text, table):
    got = domain.policies_from_config(text)
    assert (None if got is None else tuple((p.match, p.value, p.unit) for p in got)) == table


@pytest.mark.parametrize("text", ["sunshine=3", "sunshine=three working_days",
                                  "=3 working_days", "x=0 working_days", "x=3 fortnights"])
def test_bad_policies_are_refused_by_name(text):
    with pytest.raises(ValueError, match="SLA_POLICIES"):
        domain.policies_from_config(text)


# ---- referrals (首问责任制) ----------------------------------------------------------------
def referral(type_, when, from_window=3, referral_id="17"):
    data = {"referral_id": referral_id, "from_window": from_window, "to_department": "aid",
            "student_id": "2026000001", "question": "助学贷款续贷怎么办？"}
    if type_ == domain.ANSWERED:
        data["answer"] = "请于每年九月到资助窗口办理续贷手续。"
    return read_event(make_event(type_, "hall", data, occurred_at=at(when),
                                 case_id=referral_id))


@pytest.mark.parametrize("steps, status, window", [
    ([(domain.OPENED, "2026-03-02T10:00")], OPEN, 3),
    ([(domain.OPENED, "2026-03-02T10:00"), (domain.ANSWERED, "2026-03-03T17:00")], MET, 3),
    ([(domain.OPENED, "2026-03-02T10:00"), (domain.ANSWERED, "2026-03-04T09:00")], LATE, 3),
    ([(domain.ANSWERED, "2026-03-04T09:00"), (domain.OPENED, "2026-03-02T10:00")], LATE, 3),
])
def test_referral_timer(steps, status, window):
    s = fold([referral(t, w) for t, w in steps], timer=REFERRAL)
    assert (s.case_id, s.timer, s.department, s.window, s.item_code) == (
        "17", REFERRAL, "aid", window, "hall.referral")
    assert (s.submitted_at, s.due_at, s.status) == (at("2026-03-02T10:00"),
                                                   at("2026-03-03T17:30"), status)


def test_a_desk_referral_breach_is_an_sla_breached_event_on_window_0():
    s = fold([referral(domain.OPENED, "2026-03-02T10:00", from_window=None)], timer=REFERRAL)
    s, fired = domain.fire_alarms(s, at("2026-03-04T08:30"))
    env = read_event(domain.alarm_event(s, fired[0], at("2026-03-04T08:30")))
    assert fired == [B] and env["type"] == "sla.breached" and env["case_id"] == "17"
    assert (env["data"]["timer"], env["data"]["window"], env["data"]["department"]) == (
        "referral", 0, "aid")


def test_timers_for():
    assert domain.timers_for("case.accepted") == (COMPLETION, ACCEPTANCE)
    assert domain.timers_for(domain.ANSWERED) == (REFERRAL,)


# ---- report ------------------------------------------------------------------------------
def test_summarize():
    base = state_for(WD_CASE, COMPLAINT)
    states = [replace(base, case_id="a", status=MET), replace(base, case_id="b", status=MET),
              replace(base, case_id="c", status=LATE, actor_id="logistics_a",
                      actor_role="a_post"),
              replace(base, case_id="d", status=BREACHED, item_code="logistics.dorm-repair",
                      level=2),
              replace(base, case_id="e", status=OPEN,
                      submitted_at=at("2026-03-02T23:10")),
              replace(base, case_id="f", status=CANCELLED),
              replace(base, case_id="g", status=MET, window=5, department="academic",
                      item_code="academic.transcript"),
              replace(base, case_id="a", timer=ACCEPTANCE, status=LATE,
                      due_at=at("2026-03-02T14:00")),
              replace(base, case_id="17", timer=REFERRAL, status=MET)]
    r = domain.summarize(states)
    assert r["total"] == 7 and r["on_time_rate"] == round(3 / 5, 4)
    assert r["by_window"] == r["per_window"] == [
        {"window": 5, "total": 1, "open": 0, "breached": 0, "met": 1, "late": 0,
         "cancelled": 0, "on_time_rate": 1.0},
        {"window": 11, "total": 6, "open": 1, "breached": 1, "met": 2, "late": 1,
         "cancelled": 1, "on_time_rate": 0.5}]
    assert {d["department"]: d["on_time_rate"] for d in r["by_department"]} == {
        "academic": 1.0, "logistics": 0.5}
    assert {i["item"]: i["on_time_rate"] for i in r["by_item"]} == {
        "academic.transcript": 1.0, "logistics.complaint": round(2 / 3, 4),
        "logistics.dorm-repair": 0.0}
    assert {t: b["on_time_rate"] for t, b in r["per_timer"].items()} == {
        COMPLETION: 0.6, ACCEPTANCE: 0.0, REFERRAL: 1.0}
    # who and why: the acceptance breach is the most overdue
    assert [(b["case_id"], b["timer"], b["level"], b["actor_id"]) for b in r["breaches"]] == [
        ("a", ACCEPTANCE, 0, None), ("c", COMPLETION, 0, "logistics_a"),
        ("d", COMPLETION, 2, None)]
    assert r["breaches_total"] == 3
    hours = {h["hour"]: h["submitted"] for h in r["per_hour"]}
    assert len(r["per_hour"]) == 24 and hours[10] == 6 and hours[23] == 1
    assert sum(hours.values()) == 7
    empty = domain.summarize([])
    assert empty["on_time_rate"] is None and empty["per_hour"][0] == {"hour": 0, "submitted": 0}


# ---- the promise at submission: the same rules as the deadline kept from the events --------
@pytest.mark.parametrize("item, submitted, green", [
    (COMPLAINT, "2026-03-02T10:00", False),             # the policy table (3 working days)
    (REPAIR, "2026-02-15T23:00", False),                # calendar hours over Spring Festival
    (SUNSHINE, "2026-09-30T16:00", False),              # into Golden Week
    (GRANT, "2026-12-31T17:00", False),                 # into a year the calendar flags
    (GRANT, "2026-03-02T10:00", True),                  # submitted green: the green limit
])
def test_promise_equals_the_deadline_the_events_make(item, submitted, green):
    real = event("case.submitted", submitted, submitted, item=item, green=green)
    kept = domain.apply_event(None, real)
    case = {"id": "logistics-1", "item_code": item["item_code"], "window": 11,
            "department": "logistics", "student_id": "2026000001", "limit": item["limit"],
            "post": item.get("post"), "kind": item.get("kind"), "green_channel": green,
            "submitted_at": at(submitted).isoformat()}
    promised = domain.apply_event(None, domain.promise_event(case))
    assert (promised.due_at, promised.flagged, promised.basis) == \
        (kept.due_at, kept.flagged, kept.basis)


@pytest.mark.parametrize("case", [{}, {"item_code": "x"}, {
    "id": "a-1", "item_code": "a.b", "window": "w", "department": "a", "student_id": "1",
    "limit": {"value": 1, "unit": "days"}, "submitted_at": "2026-03-02T10:00:00+08:00"}])
def test_promise_of_a_malformed_case_is_refused(case):
    with pytest.raises((KeyError, TypeError, ValueError)):
        domain.promise_event(case)
