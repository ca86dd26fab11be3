"""Student Affairs (window 1): table tests of the rules, then every item's flow on the real
platform (RabbitMQ + PostgreSQL), with the real Security service for the activity gate."""
import json
import time
import uuid
from datetime import date, datetime

import pytest
from kombu import Connection, Queue
from nameko.events import get_event_exchange

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from student_affairs import demo
from student_affairs.domain import (academic_year, activity_date_problems, activity_materials,
                                    bed_materials, bed_request_problems, check_bed_request,
                                    check_security_approval, free_bed, id_card_fee_cents,
                                    id_card_materials, id_card_problems, security_waiting,
                                    train_card_materials, train_card_problems)

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)          # a Monday
TODAY = T0.date()
STUDENT, STUDENT2 = ACTORS["student"], ACTORS["student2"]
SA_B, SA_A = staff("student_affairs"), staff("student_affairs", "a_post")
SEC_B, SEC_A = staff("security"), staff("security", "a_post")


# ---- table tests -------------------------------------------------------------------------
@pytest.mark.parametrize("start, end, fields", [
    ("2026-12-12", "2026-12-13", set()),                       # exactly 5 days ahead
    ("2026-12-11", "2026-12-13", {"form.start_date"}),
    ("2026-12-14", "2026-12-13", {"form.end_date"}),
    ("2026-12-14", "2026-12-28", set()),                       # 15 days
    ("2026-12-14", "2026-12-29", {"form.end_date"}),           # 16 days
    ("2026-12-01", "2026-11-30", {"form.start_date", "form.end_date"}),
])
def test_activity_dates(start, end, fields):
    assert set(activity_date_problems(start, end, TODAY)) == fields


SEC_WINDOW = {"starts_at": "2026-12-14T08:00:00+08:00", "ends_at": "2026-12-15T18:00:00+08:00"}


@pytest.mark.parametrize("status, start, end, code", [
    ({"approved": True, "status": "completed", "activity": SEC_WINDOW},
     "2026-12-14", "2026-12-15", None),
    ({"approved": True, "status": "completed"}, "2026-12-20", "2026-12-21", None),
    ({"approved": True, "status": "completed", "activity": SEC_WINDOW},
     "2026-12-14", "2026-12-16", "security_dates_differ"),
    ({"approved": False, "status": "processing"}, "2026-12-14", "2026-12-15",
     "security_approval_pending"),
    ({"approved": False, "status": "submitted"}, "2026-12-14", "2026-12-15",
     "security_approval_pending"),
    ({"approved": False, "status": "rejected"}, "2026-12-14", "2026-12-15",
     "security_not_approved"),
    ({}, "2026-12-14", "2026-12-15", "security_approval_pending"),
])
def test_security_gate(status, start, end, code):
    if code is None:
        check_security_approval(status, start, end)
        return
    with pytest.raises(DomainError) as err:
        check_security_approval(status, start, end)
    assert err.value.code == code and err.value.status == 409
    assert "form.security_case_id" in err.value.fields


@pytest.mark.parametrize("day, year", [
    (date(2026, 9, 1), "2026-2027"), (date(2026, 8, 31), "2025-2026"),
    (date(2027, 1, 15), "2026-2027"), (date(2026, 12, 31), "2026-2027"),
])
def test_academic_year(day, year):
    assert academic_year(day) == year


RECHARGE = {"request": "recharge", "home_station": "长沙南"}


@pytest.mark.parametrize("form, previous, fields", [
    (RECHARGE, [], set()),
    ({"request": "purchase", "home_station": "株洲站"}, [], {"form.home_station"}),
    (RECHARGE, [("completed", RECHARGE, date(2026, 10, 1))], {"form.request"}),
    (RECHARGE, [("submitted", RECHARGE, date(2026, 10, 1))], {"form.request"}),
    (RECHARGE, [("rejected", RECHARGE, date(2026, 10, 1))], set()),
    (RECHARGE, [("completed", RECHARGE, date(2026, 3, 1))], set()),   # last academic year
    (RECHARGE, [("completed", {"request": "purchase"}, date(2026, 10, 1))], set()),
    ({"request": "purchase", "home_station": "长沙"}, [], set()),
    ({"request": "purchase", "home_station": "长沙"},
     [("completed", {"request": "purchase"}, date(2025, 10, 1))], {"form.request"}),
    ({"request": "purchase", "home_station": "长沙"},
     [("withdrawn", {"request": "purchase"}, date(2026, 10, 1))], set()),
])
def test_train_card_rules(form, previous, fields):
    assert set(train_card_problems(form, previous, TODAY)) == fields


@pytest.mark.parametrize("form, previous, fields, fee", [
    ({"request": "issue"}, [], set(), 0),
    ({"request": "issue"}, [("completed", {"request": "issue"})], {"form.request"}, 0),
    ({"request": "issue"}, [("withdrawn", {"request": "issue"})], set(), 0),
    ({"request": "reissue", "reissue_reason": "lost"}, [], set(), 1500),
    ({"request": "reissue", "reissue_reason": None}, [], {"form.reissue_reason"}, 1500),
    ({"request": "issue", "reissue_reason": "lost"}, [], {"form.reissue_reason"}, 0),
])
def test_id_card_rules(form, previous, fields, fee):
    assert set(id_card_problems(form, previous)) == fields
    assert id_card_fee_cents(form) == fee


@pytest.mark.parametrize("room_beds, expected", [
    ([(1, "a"), (2, None), (3, None)], 2), ([(3, None), (1, None)], 1),
    ([(1, "a"), (2, "b")], None), ([], None),
])
def test_free_bed(room_beds, expected):
    assert free_bed(room_beds) == expected


@pytest.mark.parametrize("room_beds, code", [
    ([(1, "x"), (2, None)], None),
    ([], "validation_failed"),                     # no such room
    ([(1, "me"), (2, None)], "validation_failed"),   # already lives there
    ([(1, "x"), (2, "y")], "no_free_bed"),
])
def test_bed_request(room_beds, code):
    if code is None:
        check_bed_request("me", "A3", "303", room_beds)
        return
    with pytest.raises(DomainError) as err:
        check_bed_request("me", "A3", "303", room_beds)
    assert err.value.code == code and "form.room" in err.value.fields


@pytest.mark.parametrize("room_beds, problem", [
    ([(1, "x"), (2, None)], None), ([], "没有"), ([(1, "me"), (2, None)], "已住在"),
    ([(1, "x"), (2, "y")], "住满"),
])
def test_bed_request_problems_join_the_notice(room_beds, problem):
    found = bed_request_problems("me", "A3", "303", room_beds)
    assert (problem in found["form.room"]) if problem else found == {}


@pytest.mark.parametrize("rule, form, needed", [
    (activity_materials, {"start_date": "2026-12-14", "end_date": "2026-12-14"}, set()),
    (activity_materials, {"start_date": "2026-12-14", "end_date": "2026-12-15"},
     {"insurance_proof"}),
    (activity_materials, {"start_date": 3}, set()),                # a raw form that did not load
    (train_card_materials, {"request": "recharge"}, {"discount_card"}),
    (train_card_materials, {"request": "purchase"}, set()),
    (id_card_materials, {"request": "reissue", "reissue_reason": "damaged"}, {"damaged_card"}),
    (id_card_materials, {"request": "reissue", "reissue_reason": "lost"}, set()),
    (id_card_materials, {"request": "issue"}, set()),
    (bed_materials, {"reason_kind": "health"}, {"medical_proof"}),
    (bed_materials, {"reason_kind": "study"}, set()),
])
def test_materials_a_form_makes_necessary(rule, form, needed):
    assert set(rule(form)) == needed


@pytest.mark.parametrize("state, who", [
    ("submitted", ("b_post", "security")), ("resubmitted", ("b_post", "security")),
    ("accepted", ("a_post", "security")), ("processing", ("a_post", "security")),
    ("returned", ("student", None)), ("completed", None), ("rejected", None), (None, None),
])
def test_who_moves_securitys_approval_on(state, who):
    assert security_waiting(state) == who


def test_demo_beds_follow_the_demo_profiles():
    from osac_shared.demo import STUDENTS
    rooms = demo.rooms()
    for s in STUDENTS:
        assert s.id in rooms[tuple(s.room)], s.id
    assert all(len(beds) == demo.BEDS_PER_ROOM for beds in rooms.values())
    assert None not in rooms[("A3", "302")]                      # a full room
    free = sum(beds.count(None) for beds in rooms.values())
    assert free >= 10 and rooms[("B1", "203")].count(None) == 2



# ---- on the real platform ----------------------------------------------------------------
@pytest.fixture(scope="module")
def clock(tmp_path_factory):
    path = tmp_path_factory.mktemp("clock") / "now"
    path.write_text(T0.isoformat())
    return str(path)


@pytest.fixture(scope="module")
def plat(platform_factory, clock):
    return platform_factory(["student_affairs", "security"], clock_file=clock,
                            extra_env={"SEED_DEMO": "1"})


def listen(uri, source, routing_key):
    queue = Queue(f"test-{uuid.uuid4().hex[:6]}", exchange=get_event_exchange(source, {}),
                  routing_key=routing_key, durable=True)
    with Connection(uri) as conn:
        queue(conn.default_channel).declare()
    return queue


def drain(uri, queue, want=1, timeout=10):
    """The messages on ``queue``, waiting up to ``timeout`` seconds for ``want`` of them."""
    got = []
    deadline = time.monotonic() + timeout
    with Connection(uri) as conn:
        q = queue(conn.default_channel)
        while len(got) < want and time.monotonic() < deadline:
            msg = q.get(no_ack=True)
            if msg is None:
                time.sleep(0.1)
                continue
            got.append(json.loads(msg.body) if isinstance(msg.body, (str, bytes)) else msg.body)
    return got


def move(rpc, case_id, *actions, reason=""):
    case = None
    for action in actions:
        case = rpc.act(case_id, action, reason if action == actions[-1] else "")
    return case


ACTIVITY = {"title": "湘江徒步", "organizer": "机械学院学生会", "destination": "湘潭",
            "start_date": "2026-12-14", "end_date": "2026-12-15", "participants": 30,
            "transport": "chartered_bus", "leader_teacher": "刘老师",
            "leader_phone": "13800138000"}
ACTIVITY_MATERIALS = ["activity_plan", "safety_plan", "participant_list", "insurance_proof"]
SAFETY_FORM = {"name": "湘江徒步", "kind": "off_campus", "organizer": "机械学院学生会",
               "venue": "湘潭", "starts_at": "2026-12-14T08:00:00+08:00",
               "ends_at": "2026-12-15T18:00:00+08:00", "participants": 30,
               "safety_officer": "刘老师", "phone": "13800138000"}


def offered(rpc, case_id):
    case = rpc.student_affairs.get_case(case_id)
    return [a["action"] for a in case["next_actions"]], case["waiting_for"]


def test_group_activity_is_final_only_after_security_approves(plat):
    plat.set_time(T0)
    with plat.rpc(STUDENT) as rpc:
        safety = rpc.security.submit_case("security.activity-safety", ["activity_plan"],
                                          SAFETY_FORM)
        with pytest.raises(DomainError) as err:          # overnight: insurance, one notice
            rpc.student_affairs.submit_case(
                "student_affairs.group-activity", ACTIVITY_MATERIALS[:3],
                dict(ACTIVITY, security_case_id=safety["id"], leader_phone="123"))
        assert set(err.value.fields) == {"form.leader_phone", "materials.insurance_proof"}
        case = rpc.student_affairs.submit_case(
            "student_affairs.group-activity", ACTIVITY_MATERIALS,
            dict(ACTIVITY, security_case_id=safety["id"]))
        other_dates = rpc.student_affairs.submit_case(
            "student_affairs.group-activity", ACTIVITY_MATERIALS,
            dict(ACTIVITY, start_date="2026-12-20", end_date="2026-12-21",
                 security_case_id=safety["id"]))
    with plat.rpc(SA_B) as rpc:
        rpc.student_affairs.act(case["id"], "accept")
        rpc.student_affairs.act(other_dates["id"], "accept")
        with pytest.raises(DomainError) as err:          # an A-post item, not delegated
            rpc.student_affairs.act(case["id"], "approve")
        assert err.value.status == 403
        with pytest.raises(DomainError) as err:          # whatever Security says
            rpc.student_affairs.perform(case["id"], "approve", {})
        assert err.value.status == 403
    with plat.rpc(SA_A) as rpc:
        actions, waiting = offered(rpc, case["id"])      # Security's B post acts next
        assert "approve" not in actions and "reject" in actions
        assert (waiting["role"], waiting["department"], waiting["security_case_id"]) == (
            "b_post", "security", safety["id"])
        with pytest.raises(DomainError) as err:          # refused through perform, saying why
            rpc.student_affairs.perform(case["id"], "approve", {})
        assert err.value.code == "security_approval_pending" and err.value.status == 409
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.act(case["id"], "approve")
        assert err.value.code == "security_approval_pending" and err.value.status == 409
        assert "submitted" in err.value.fields["form.security_case_id"]
        assert rpc.student_affairs.get_case(case["id"])["status"] == "accepted"
    with plat.rpc(SEC_A) as rpc:
        rpc.security.act(safety["id"], "accept")
        rpc.security.perform(safety["id"], "approve", {"guidance": "包车须有营运资质，注意防溺水"})
    with plat.rpc(SA_A) as rpc:                          # approved but not yet completed
        actions, waiting = offered(rpc, case["id"])
        assert "approve" not in actions
        assert (waiting["role"], waiting["department"]) == ("a_post", "security")
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.act(case["id"], "approve")
        assert err.value.code == "security_approval_pending"
    with plat.rpc(SEC_A) as rpc:
        rpc.security.act(safety["id"], "complete")
    with plat.rpc(SA_A) as rpc:
        actions, waiting = offered(rpc, case["id"])
        assert "approve" in actions
        assert (waiting["role"], waiting["department"]) == ("a_post", "student_affairs")
        actions, waiting = offered(rpc, other_dates["id"])   # Security's dates do not cover it
        assert "approve" not in actions and "reject" in actions
        assert waiting["department"] == "student_affairs" and "未覆盖" in waiting["label_zh"]
        approved = rpc.student_affairs.perform(case["id"], "approve", {})
        assert approved["status"] == "processing"
        assert approved["result"]["security"]["case_id"] == safety["id"]
        assert approved["result"]["security"]["status"] == "completed"
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.act(other_dates["id"], "approve")
        assert err.value.code == "security_dates_differ"
        done = rpc.student_affairs.act(case["id"], "complete", "同意外出，注意安全")
    assert [h["to"] for h in done["history"]] == ["submitted", "accepted", "processing",
                                                   "completed"]


def test_group_activity_form_and_unknown_security_case(plat):
    plat.set_time(T0)
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case(
                "student_affairs.group-activity", ACTIVITY_MATERIALS,
                dict(ACTIVITY, start_date="2026-12-08", security_case_id="S-1"))
        assert set(err.value.fields) == {"form.security_case_id"}   # the schema speaks first
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case(
                "student_affairs.group-activity", ACTIVITY_MATERIALS,
                dict(ACTIVITY, start_date="2026-12-08",
                     security_case_id="security-20261207-00000000"))
        assert set(err.value.fields) == {"form.start_date"}
        with pytest.raises(DomainError) as err:          # blank text is missing text
            rpc.student_affairs.submit_case(
                "student_affairs.group-activity", ACTIVITY_MATERIALS,
                dict(ACTIVITY, title="   ", security_case_id="security-20261207-00000000"))
        assert set(err.value.fields) == {"form.title"}
        case = rpc.student_affairs.submit_case(
            "student_affairs.group-activity", ACTIVITY_MATERIALS,
            dict(ACTIVITY, security_case_id="security-20261207-00000000"))
    with plat.rpc(SA_A) as rpc:
        rpc.student_affairs.act(case["id"], "accept")
        actions, waiting = offered(rpc, case["id"])
        assert "approve" not in actions and "reject" in actions
        assert waiting["department"] == "student_affairs"
        assert "security-20261207-00000000" in waiting["label_zh"]
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.act(case["id"], "approve")
    assert err.value.code == "validation_failed"
    assert "security-20261207-00000000" in err.value.fields["form.security_case_id"]


def test_approval_says_security_is_unavailable_when_it_is_stopped(plat):
    plat.set_time(T0)
    with plat.rpc(STUDENT) as rpc:
        case = rpc.student_affairs.submit_case(
            "student_affairs.group-activity", ACTIVITY_MATERIALS,
            dict(ACTIVITY, security_case_id="security-20261207-00000001"))
    plat.processes["security"].stop()
    try:
        with plat.rpc(SA_A, timeout=20) as rpc:
            rpc.student_affairs.act(case["id"], "accept")
            actions, waiting = offered(rpc, case["id"])
            assert "approve" not in actions
            assert waiting["unavailable"] == "security" and "保卫处" in waiting["label_zh"]
            with pytest.raises(DomainError) as err:
                rpc.student_affairs.act(case["id"], "approve")
            assert rpc.student_affairs.get_case(case["id"])["status"] == "accepted"
    finally:
        plat.start_service("security")
    assert err.value.code == "department_unavailable" and err.value.status == 503
    assert "保卫处" in err.value.message and "Security" in err.value.message_en


def test_approval_says_security_is_unavailable_when_it_never_ran(platform_factory, clock):
    alone = platform_factory(["student_affairs"], clock_file=clock)
    alone.set_time(T0)
    with alone.rpc(STUDENT) as rpc:
        case = rpc.student_affairs.submit_case(
            "student_affairs.group-activity", ACTIVITY_MATERIALS,
            dict(ACTIVITY, security_case_id="security-20261207-00000001"))
    with alone.rpc(SA_A) as rpc:
        rpc.student_affairs.act(case["id"], "accept")
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.perform(case["id"], "approve", {})
        assert rpc.student_affairs.get_case(case["id"])["waiting_for"]["unavailable"] == \
            "security"
    assert err.value.code == "department_unavailable" and err.value.status == 503


def test_id_card_reissue_asks_finance_for_the_fee(plat):
    plat.set_time(T0)
    queue = listen(plat.amqp_uri, "student_affairs", "fee.requested")
    with plat.rpc(STUDENT) as rpc:
        issue = rpc.student_affairs.submit_case("student_affairs.student-id-card", ["photo"],
                                                {"request": "issue"})
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case("student_affairs.student-id-card", ["photo"],
                                            {"request": "issue"})
        assert "form.request" in err.value.fields
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case("student_affairs.student-id-card", ["photo"],
                                            {"request": "reissue"})
        assert set(err.value.fields) == {"form.reissue_reason"}
        with pytest.raises(DomainError) as err:          # a damaged card is handed in
            rpc.student_affairs.submit_case("student_affairs.student-id-card", [],
                                            {"request": "reissue",
                                             "reissue_reason": "damaged"})
        assert set(err.value.fields) == {"materials.photo", "materials.damaged_card"}
        reissue = rpc.student_affairs.submit_case("student_affairs.student-id-card", ["photo"],
                                                  {"request": "reissue",
                                                   "reissue_reason": "lost"})
    with plat.rpc(SA_B) as rpc:
        first = move(rpc.student_affairs, issue["id"], "accept", "approve", "complete")
        assert "fee_cents" not in first["result"]
        done = move(rpc.student_affairs, reissue["id"], "accept", "approve", "complete")
    assert done["result"]["fee_cents"] == 1500
    events = drain(plat.amqp_uri, queue)
    assert len(events) == 1
    event = events[0]
    assert event["type"] == "fee.requested" and event["source"] == "student_affairs"
    assert event["data"] == {"student_id": STUDENT["id"], "amount_cents": 1500,
                             "description": "学生证补办工本费 / Student ID card reissue fee",
                             "reference": reissue["id"]}


RECHARGE_MATERIALS = ["student_card", "discount_card"]


def test_train_card_recharge_once_per_academic_year(plat):
    plat.set_time(T0)
    with plat.rpc(STUDENT2) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case("student_affairs.train-discount-card",
                                            ["student_card"],
                                            {"request": "purchase", "home_station": "株洲站"})
        assert "form.home_station" in err.value.fields
        with pytest.raises(DomainError) as err:       # one notice: every material at once
            rpc.student_affairs.submit_case("student_affairs.train-discount-card", [],
                                            RECHARGE)
        assert err.value.code == "materials_missing"
        assert set(err.value.fields) == {"materials.student_card", "materials.discount_card"}
        case = rpc.student_affairs.submit_case("student_affairs.train-discount-card",
                                               RECHARGE_MATERIALS, RECHARGE)
    with plat.rpc(SA_B) as rpc:
        assert move(rpc.student_affairs, case["id"], "accept", "approve",
                    "complete")["status"] == "completed"
    with plat.rpc(STUDENT2) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case("student_affairs.train-discount-card",
                                            RECHARGE_MATERIALS, RECHARGE)
        assert "2026-2027" in err.value.fields["form.request"]
    plat.set_time(datetime(2027, 9, 2, 10, 0, tzinfo=TZ))     # the next academic year
    try:
        with plat.rpc(STUDENT2) as rpc:
            again = rpc.student_affairs.submit_case("student_affairs.train-discount-card",
                                                    RECHARGE_MATERIALS, RECHARGE)
        assert again["status"] == "submitted"
    finally:
        plat.set_time(T0)


def test_bed_adjustment_moves_the_student_to_a_free_bed(plat):
    plat.set_time(T0)
    form = {"building": "A3", "room": "304", "reason_kind": "study",
            "reason": "与同专业同学同住"}
    with plat.rpc(STUDENT) as rpc:
        rooms = rpc.student_affairs.free_beds("A3")["rooms"]
        assert {(r["room"], r["free"]) for r in rooms} == {("301", 2), ("303", 2), ("304", 1),
                                                          ("305", 1)}
        with pytest.raises(DomainError) as err:       # full, and health needs proof: one notice
            rpc.student_affairs.submit_case("student_affairs.bed-adjustment",
                                            ["counsellor_opinion"],
                                            dict(form, room="302", reason_kind="health"))
        assert err.value.status == 422
        assert set(err.value.fields) == {"form.room", "materials.medical_proof"}
        assert "住满" in err.value.fields["form.room"]
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case("student_affairs.bed-adjustment",
                                            ["counsellor_opinion"], dict(form, room="999"))
        assert "form.room" in err.value.fields
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case("student_affairs.bed-adjustment",
                                            ["counsellor_opinion"], dict(form, room="301"))
        assert "已住在" in err.value.fields["form.room"]
        mine = rpc.student_affairs.submit_case("student_affairs.bed-adjustment",
                                               ["counsellor_opinion"], form)
    with plat.rpc(STUDENT2) as rpc:                   # asks for the same last bed
        theirs = rpc.student_affairs.submit_case("student_affairs.bed-adjustment",
                                                 ["counsellor_opinion"], form)
    with plat.rpc(SA_A) as rpc:
        done = move(rpc.student_affairs, mine["id"], "accept", "approve", "complete")
        assert done["result"]["bed"] == {"building": "A3", "room": "304", "bed": 4}
        assert done["result"]["previous_bed"] == {"building": "A3", "room": "301", "bed": 1}
        move(rpc.student_affairs, theirs["id"], "accept")
        actions, waiting = offered(rpc, theirs["id"])  # the room is full now
        assert "approve" not in actions and "reject" in actions and "住满" in waiting["label_zh"]
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.perform(theirs["id"], "approve", {})
        assert err.value.code == "no_free_bed"
        move(rpc.student_affairs, theirs["id"], "approve")
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.act(theirs["id"], "complete")
        assert err.value.code == "no_free_bed"
        assert rpc.student_affairs.get_case(theirs["id"])["status"] == "processing"
        rooms = rpc.student_affairs.free_beds("A3")["rooms"]
    assert {(r["room"], r["free"]) for r in rooms} == {("301", 3), ("303", 2), ("305", 1)}


def test_conscription_question_is_answered_in_the_case(plat):
    plat.set_time(T0)
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.submit_case("student_affairs.conscription-consultation", [],
                                            {"topic": "navy", "question": "?"})
        assert set(err.value.fields) == {"form.topic", "form.question"}
        case = rpc.student_affairs.submit_case(
            "student_affairs.conscription-consultation", [],
            {"topic": "enlistment", "question": "在校生入伍能保留学籍吗？"})
    answer = "可以。在校生入伍保留学籍至退役后2年，并可申请学费补偿。"
    with plat.rpc(SA_B) as rpc:
        move(rpc.student_affairs, case["id"], "accept", "approve")
        with pytest.raises(DomainError) as err:
            rpc.student_affairs.act(case["id"], "complete")
        assert "reason" in err.value.fields
        done = rpc.student_affairs.perform(case["id"], "complete", {"answer": answer})
    assert done["status"] == "completed" and done["result"]["answer"] == answer
    with plat.rpc(STUDENT) as rpc:
        assert rpc.student_affairs.get_case(case["id"])["result"]["answer"] == answer
