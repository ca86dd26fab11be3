"""SLA on the real platform (logistics + sla on real RabbitMQ and PostgreSQL): deadlines follow
cases (completion and acceptance timers, the last staff actor), pauses, the green channel's
urgent alert, referrals from the hall, alarms and escalations fire once (also across a
restart, and held outside working hours), a duplicate or out-of-order delivery ends in the
right state, the director's (and staff's own department's) report and at-risk list, and
who may read which deadline."""
import time
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from sla.testkit import Alarms, case_event, publish, referral_event, wait_for

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)          # an ordinary Monday morning
REPAIR_FORM = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}
COMPLAINT_FORM = {"topic": "service", "text": "食堂中午排队太久，希望增加窗口"}
B, A = staff("logistics"), staff("logistics", "a_post")
DIRECTOR = ACTORS["director"]
W, BR, E2, E3 = ("sla.warning", 1), ("sla.breached", 1), ("sla.escalated", 2), \
    ("sla.escalated", 3)


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["logistics", "sla"], clock_file=str(clock),
                            extra_env={"SLA_TICK": "0.3", "SLA_STARTUP_GRACE": "1"})


@pytest.fixture
def alarms(plat):
    listener = Alarms(plat.amqp_uri)
    yield listener
    listener.close()


def deadline_of(plat, case_id, timer="completion", **expected):
    """Poll sla.get_deadline until it exists and shows every ``expected`` field."""
    def probe():
        with plat.rpc(DIRECTOR) as rpc:
            d = rpc.sla.get_deadline(case_id, timer)
        return d if d and all(d[k] == v for k, v in expected.items()) else None
    return wait_for(probe)


def submit(plat, item_code, form=None, green_reason=""):
    with plat.rpc(ACTORS["student"]) as rpc:
        form = form or (COMPLAINT_FORM if item_code == "logistics.complaint" else {})
        return rpc.logistics.submit_case(item_code, [], form, None, green_reason)["id"]


def act(plat, actor, case_id, action, reason="", **more):
    with plat.rpc(actor) as rpc:
        return rpc.logistics.act(case_id, action, reason, **more)


def levels(alarms, case_id, timer):
    return [(t, level) for t, _, level in alarms.of(case_id, timer)]


def test_a_case_gets_its_timers_and_is_met_on_time(plat):
    plat.set_time(T0)
    case_id = submit(plat, "logistics.complaint")           # 3 working days, A post
    d = deadline_of(plat, case_id)
    assert (d["status"], d["due_at"], d["flagged"]) == ("open", "2026-03-05T17:30:00+08:00",
                                                        False)
    assert d["warning_at"] == "2026-03-05T08:52:30+08:00" and d["on_time"] is None
    assert deadline_of(plat, case_id, "acceptance")["due_at"] == "2026-03-02T14:00:00+08:00"
    plat.set_time(T0 + timedelta(hours=1))
    act(plat, B, case_id, "accept")
    plat.set_time(T0 + timedelta(days=1))
    act(plat, A, case_id, "approve")
    act(plat, A, case_id, "complete", "已增加两个售饭窗口")       # the feedback to the student
    d = deadline_of(plat, case_id, status="met")
    assert d["on_time"] is True and d["completed_at"] == "2026-03-03T10:00:00+08:00"
    assert (d["actor_id"], d["actor_role"]) == ("logistics_a", "a_post")
    with plat.rpc(ACTORS["student"]) as rpc:          # the case's own student
        assert rpc.sla.deadlines([case_id, "logistics-none"]) == {case_id: d}
        timers = {t["timer"]: t for t in rpc.sla.timers(case_id)}
    assert (timers["acceptance"]["status"], timers["acceptance"]["completed_at"]) == (
        "met", "2026-03-02T11:00:00+08:00")


def test_deadlines_are_read_by_the_student_the_department_and_managers(plat):
    plat.set_time(T0)
    case_id = submit(plat, "logistics.complaint")
    d = deadline_of(plat, case_id)
    readers = (ACTORS["student"], B, A, DIRECTOR, {"id": "c1", "role": "committee"})
    for actor in readers:
        with plat.rpc(actor) as rpc:
            assert rpc.sla.get_deadline(case_id) == d
            assert rpc.sla.deadlines([case_id]) == {case_id: d}
            assert {t["timer"] for t in rpc.sla.timers(case_id)} == {"completion",
                                                                     "acceptance"}
    others = (ACTORS["student2"], staff("aid"), staff("aid", "a_post"),
              {"id": "desk", "role": "desk"})
    for actor in others:
        with plat.rpc(actor) as rpc:
            for call in (lambda: rpc.sla.get_deadline(case_id),
                         lambda: rpc.sla.get_deadline(case_id, "acceptance"),
                         lambda: rpc.sla.deadlines(["logistics-none", case_id]),
                         lambda: rpc.sla.timers(case_id)):
                with pytest.raises(DomainError) as err:
                    call()
                assert err.value.status == 403, actor
            assert rpc.sla.get_deadline("logistics-none") is None   # nothing to hide
            assert rpc.sla.deadlines(["logistics-none"]) == {}
    with plat.rpc() as rpc:                                          # no actor at all
        for call in (lambda: rpc.sla.get_deadline(case_id), lambda: rpc.sla.timers(case_id),
                     lambda: rpc.sla.deadlines([case_id]),
                     lambda: rpc.sla.get_deadline("logistics-none")):
            with pytest.raises(DomainError) as err:
                call()
            assert err.value.status == 401


def test_a_returned_case_pauses_and_resumes(plat):
    plat.set_time(T0)
    case_id = submit(plat, "logistics.complaint")
    deadline_of(plat, case_id)
    plat.set_time(T0 + timedelta(hours=1))                   # Monday 11:00
    act(plat, B, case_id, "return", "请补充投诉的时间和地点", notice={"missing": ["evidence"]})
    d = deadline_of(plat, case_id, paused=True)
    assert d["due_at"] == "2026-03-05T17:30:00+08:00"
    plat.set_time(T0 + timedelta(days=1, hours=1))           # Tuesday 11:00: 9 working hours
    with plat.rpc(ACTORS["student"]) as rpc:
        rpc.logistics.act(case_id, "resubmit", materials=["evidence"])
    d = deadline_of(plat, case_id, paused=False)
    assert d["due_at"] == "2026-03-06T17:30:00+08:00" and d["paused_seconds"] == 9 * 3600


def test_the_green_channel_alerts_at_once_and_shortens_the_limit(plat, alarms):
    plat.set_time(T0)
    green = submit(plat, "logistics.dorm-repair", REPAIR_FORM, green_reason="水管爆裂，宿舍进水")
    normal = submit(plat, "logistics.dorm-repair", REPAIR_FORM)
    d = deadline_of(plat, green, basis="green")
    assert (d["due_at"], d["green_channel"]) == ("2026-03-02T12:00:00+08:00", True)
    wait_for(lambda: alarms.of(green))
    assert alarms.of(green) == [("sla.urgent", "completion", 1)]
    assert deadline_of(plat, normal)["due_at"] == "2026-03-04T10:00:00+08:00"
    plat.set_time(T0 + timedelta(hours=1))
    with plat.rpc(B) as rpc:                                 # staff expedite it at 11:00
        rpc.logistics.expedite(normal, "学生发烧，需尽快恢复供暖")
    d = deadline_of(plat, normal, basis="green")
    assert (d["due_at"], d["green_since"]) == ("2026-03-02T13:00:00+08:00",
                                               "2026-03-02T11:00:00+08:00")
    wait_for(lambda: alarms.of(normal))
    time.sleep(1)                                            # several ticks: still once
    assert alarms.of(normal) == [("sla.urgent", "completion", 1)]
    assert alarms.of(green) == [("sla.urgent", "completion", 1)]


def test_alarms_fire_once_escalate_and_wait_for_working_hours(plat, alarms):
    plat.set_time(T0)
    repair = submit(plat, "logistics.dorm-repair", REPAIR_FORM)   # 48 calendar hours
    complaint = submit(plat, "logistics.complaint")                # 3 working days
    deadline_of(plat, repair)
    deadline_of(plat, complaint)

    plat.set_time(T0 + timedelta(hours=37))              # Tuesday 23:00: 37 of 48 hours
    wait_for(lambda: alarms.of(repair))
    time.sleep(1.5)                                      # several more ticks
    assert levels(alarms, repair, "completion") == [W]
    assert alarms.of(complaint) == []                    # acceptance overdue, held till 08:30

    plat.set_time(datetime(2026, 3, 5, 20, 0, tzinfo=TZ))   # Thursday night
    wait_for(lambda: len(alarms.of(repair)) == 2)
    time.sleep(1.5)
    assert levels(alarms, repair, "completion") == [W, BR]
    assert alarms.of(complaint) == []                    # late, but held till morning
    assert deadline_of(plat, complaint)["status"] == "open"

    plat.set_time(datetime(2026, 3, 6, 8, 31, tzinfo=TZ))   # Friday 08:31
    wait_for(lambda: levels(alarms, complaint, "completion"))
    d = deadline_of(plat, complaint, status="breached")
    assert (d["breached_at"], d["level"]) == ("2026-03-06T08:31:00+08:00", 1)
    # the repair's ladder (breached on Wednesday) and both acceptance ladders are overdue
    wait_for(lambda: len(alarms.of(repair)) == 7 and len(alarms.of(complaint)) == 4)
    assert levels(alarms, repair, "completion") == [W, BR, E2, E3]
    for case_id in (repair, complaint):
        assert levels(alarms, case_id, "acceptance") == [BR, E2, E3]

    plat.restart_service("sla")                          # a restart never re-fires
    time.sleep(2.5)
    assert levels(alarms, complaint, "completion") == [BR]
    assert len(alarms.of(repair)) == 7 and len(alarms.of(complaint)) == 4

    plat.set_time(datetime(2026, 3, 6, 12, 30, tzinfo=TZ))  # 4 working hours after 08:30
    wait_for(lambda: levels(alarms, complaint, "completion") == [BR, E2])
    assert deadline_of(plat, complaint)["level"] == 2

    with plat.rpc(DIRECTOR) as rpc:
        report = rpc.sla.report("2026-03-01T00:00:00+08:00", "2026-03-08T00:00:00+08:00")
    breaches = {(b["case_id"], b["timer"]): b for b in report["breaches"]}
    assert breaches[(complaint, "completion")]["level"] == 2
    assert breaches[(repair, "completion")]["level"] == 3
    assert breaches[(repair, "acceptance")]["level"] == 3
    assert report["per_window"][0]["window"] == 11 and report["on_time_rate"] < 1
    assert sum(h["submitted"] for h in report["per_hour"]) == report["total"]
    assert report["per_hour"][10]["submitted"] == report["total"]   # all at 10:00


def test_referrals_from_the_hall_get_one_working_day(plat, alarms):
    answered, forgotten = f"ref-{uuid.uuid4().hex[:8]}", f"ref-{uuid.uuid4().hex[:8]}"
    plat.set_time(T0)
    from_desk = referral_event("hall.referral_opened", forgotten, T0, from_window=None)
    from_desk["case_id"] = None              # the envelope may omit it: referral_id is used
    publish(plat.amqp_uri, referral_event("hall.referral_opened", answered, T0), from_desk)
    d = deadline_of(plat, answered, "referral")
    assert (d["due_at"], d["department"], d["window"], d["item_code"]) == (
        "2026-03-03T17:30:00+08:00", "aid", 3, "hall.referral")
    publish(plat.amqp_uri, referral_event("hall.referral_answered", answered,
                                          T0 + timedelta(days=1)))
    assert deadline_of(plat, answered, "referral", status="met")["on_time"] is True
    plat.set_time(datetime(2026, 3, 4, 8, 30, tzinfo=TZ))   # Wednesday morning
    wait_for(lambda: alarms.of(forgotten))
    assert alarms.of(forgotten) == [("sla.breached", "referral", 1)]
    assert deadline_of(plat, forgotten, "referral")["window"] == 0     # the desk
    assert alarms.of(answered) == []
    asker = {"id": "2026000009", "role": "student"}       # referral_event's student
    for actor in ({"id": "desk", "role": "desk"}, staff("aid"), asker):
        with plat.rpc(actor) as rpc:              # the desk, the receiving department, who asked
            assert rpc.sla.get_deadline(answered, "referral")["status"] == "met"
            assert [t["timer"] for t in rpc.sla.timers(answered)] == ["referral"]
    with plat.rpc(B) as rpc:                      # another department's staff
        with pytest.raises(DomainError) as err:
            rpc.sla.timers(answered)
        assert err.value.status == 403


def test_the_at_risk_list_and_report_are_for_managers_and_staff(plat):
    plat.set_time(T0)
    case_id = submit(plat, "logistics.complaint")
    deadline_of(plat, case_id)
    aid_case = f"aid-20260302-{uuid.uuid4().hex[:8]}"        # another department's case
    publish(plat.amqp_uri, case_event("case.submitted", aid_case, T0, T0, item={
        "item_code": "aid.national-grant", "window": 2, "department": "aid",
        "limit": {"value": 3, "unit": "working_days"}, "post": "A",
        "kind": "application"}))
    deadline_of(plat, aid_case)
    plat.set_time(datetime(2026, 3, 5, 9, 0, tzinfo=TZ))    # past the warning (08:52:30)
    deadline_of(plat, case_id, warned_at="2026-03-05T09:00:00+08:00")
    deadline_of(plat, aid_case, warned_at="2026-03-05T09:00:00+08:00")
    period = ("2026-03-01T00:00:00+08:00", "2026-03-08T00:00:00+08:00")
    with plat.rpc(DIRECTOR) as rpc:
        risky = rpc.sla.at_risk(1, 200)
        everything = rpc.sla.report(*period)
    assert case_id in [r["case_id"] for r in risky["items"] if r["timer"] == "completion"]
    assert aid_case in [r["case_id"] for r in risky["items"]]
    assert all(r["status"] == "open" and r["warned_at"] for r in risky["items"])
    assert {r["department"] for r in everything["by_department"]} == {"aid", "logistics"}
    with plat.rpc(A) as rpc:                                 # logistics staff: logistics only
        mine = rpc.sla.at_risk(1, 200)
        report = rpc.sla.report(*period)
        first = rpc.sla.at_risk(1, 1)
    assert {r["department"] for r in mine["items"]} == {"logistics"}
    assert case_id in [r["case_id"] for r in mine["items"]]
    assert aid_case not in [r["case_id"] for r in mine["items"]]
    assert mine["total"] == len(mine["items"])
    assert len(first["items"]) == 1 and first["items"][0] in mine["items"]
    assert [r["department"] for r in report["by_department"]] == ["logistics"]
    assert {b["department"] for b in report["breaches"]} <= {"logistics"}
    for actor in (ACTORS["student"], {"id": "desk", "role": "desk"}):
        with plat.rpc(actor) as rpc:
            with pytest.raises(DomainError) as err:
                rpc.sla.at_risk()
            assert err.value.status == 403
            with pytest.raises(DomainError) as err:
                rpc.sla.report(*period)
            assert err.value.status == 403
    with plat.rpc() as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sla.at_risk()
        assert err.value.status == 401
    with plat.rpc(DIRECTOR) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sla.at_risk(0, 500)
        assert set(err.value.fields) == {"page"}


def test_duplicate_and_out_of_order_deliveries(plat):
    case_id = f"logistics-20260302-{uuid.uuid4().hex[:8]}"

    def ev(type_, when):
        return case_event(type_, case_id, when, T0, actor=("x", "a_post"))
    submitted = ev("case.submitted", T0)
    returned = ev("case.returned", T0 + timedelta(hours=1))
    resubmitted = ev("case.resubmitted", T0 + timedelta(hours=2))
    completed = ev("case.completed", T0 + timedelta(days=3))
    publish(plat.amqp_uri, completed)                        # the end arrives first
    first = deadline_of(plat, case_id, status="met")
    publish(plat.amqp_uri, resubmitted, returned, submitted, completed, returned, submitted)
    d = deadline_of(plat, case_id, paused_seconds=3600)
    assert d["due_at"] == "2026-03-06T09:30:00+08:00" and d["status"] == "met"
    assert d["completed_at"] == first["completed_at"]
    # a sentinel published after the duplicates: once it is in, they were consumed too
    sentinel = f"logistics-20260302-{uuid.uuid4().hex[:8]}"
    publish(plat.amqp_uri, case_event("case.submitted", sentinel, T0, T0))
    deadline_of(plat, sentinel)
    time.sleep(1)
    with plat.rpc(DIRECTOR) as rpc:
        assert rpc.sla.get_deadline(case_id) == d
    engine = create_engine(plat.db_url("sla"))
    with engine.connect() as conn:
        marks = conn.execute(text("SELECT marks FROM deadlines WHERE case_id = :c AND "
                                  "timer = 'completion'"), {"c": case_id}).scalar_one()
        seen = conn.execute(text("SELECT count(*) FROM processed_events WHERE event_id IN "
                                 "(:a, :b, :c, :d)"), {"a": submitted["event_id"],
                                                       "b": returned["event_id"],
                                                       "c": resubmitted["event_id"],
                                                       "d": completed["event_id"]}).scalar()
    engine.dispose()
    assert sorted(m["type"] for m in marks) == ["case.completed", "case.resubmitted",
                                                "case.returned"]
    assert seen == 4


def test_compute_deadline_and_its_errors(plat):
    with plat.rpc() as rpc:                     # open to any caller: no actor needed
        assert rpc.sla.compute_deadline("2026-02-13T10:00:00+08:00", 2, "working_days") == {
            "due_at": "2026-02-24T17:30:00+08:00", "flagged": False}
        assert rpc.sla.compute_deadline("2026-12-31T10:00:00+08:00", 1, "working_days")[
            "flagged"] is True
        with pytest.raises(DomainError) as err:
            rpc.sla.compute_deadline("next monday", 0, "weeks")
        assert set(err.value.fields) == {"start_iso"} and err.value.status == 422
        with pytest.raises(DomainError) as err:
            rpc.sla.compute_deadline("2026-02-13T10:00", 2, "weeks")
        assert "working_days" in err.value.fields["unit"]
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sla.get_deadline("x", "lunch")
        assert set(err.value.fields) == {"timer"}
    with plat.rpc(DIRECTOR) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sla.report("2026-03-08T00:00:00+08:00", "2026-03-01T00:00:00+08:00")
        assert set(err.value.fields) == {"end_iso"}
