"""Campus Security: plate, period, pass and activity rules as tables, then on real RabbitMQ and
PostgreSQL a vehicle pass end to end (verify_pass inside and after its period, one pass per
plate) and the activity approval other offices depend on."""
import json
import time
import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from kombu import Connection, Queue
from nameko.events import get_event_exchange

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from security.domain import (activity_time_problems, clean_vehicle_form, conditional_materials,
                             conflicting_pass, hazard_feedback, may_see_activity,
                             normalize_plate, one_year_after, pass_valid_on, period_problems,
                             plate_kind, plate_problem)

T0 = datetime(2026, 6, 3, 10, 0, tzinfo=TZ)
TODAY = T0.date()


# ---- rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, kind", [
    ("湘A12345", "ordinary"),
    ("京AB123C", "ordinary"),            # letters may appear among the last five
    ("粤Z1234X", "ordinary"),
    (" 湘a·12345 ", "ordinary"),        # normalized: spaces and the dot dropped, upper case
    ("湘AD12345", "new_energy"),         # small new-energy: D/F first
    ("湘AFA1234", "new_energy"),
    ("湘A12345D", "new_energy"),         # large new-energy: D/F last
    ("湘A12345F", "new_energy"),
])
def test_valid_plates(typed, kind):
    plate = normalize_plate(typed)
    assert plate_kind(plate) == kind and plate_problem(plate) is None


@pytest.mark.parametrize("typed, says", [
    ("", "请填写"),
    ("港A12345", "省份"),                # not one of the 31 mainland abbreviations
    ("XA12345", "省份"),
    ("湘I12345", "I和O"),                # I and O are never used
    ("湘A1234O", "I和O"),
    ("湘AO1234", "I和O"),
    ("湘112345", "第二位"),
    ("湘A1234", "长度"),                 # 6 characters
    ("湘A1234567", "长度"),              # 9 characters
    ("湘A123456", "新能源"),             # 8 characters but neither new-energy pattern
    ("湘AD1234X", "新能源"),
    ("湘AB12345", "新能源"),             # B is not D/F
    ("湘A12#45", "例如"),
])
def test_invalid_plates_say_what_is_wrong(typed, says):
    plate = normalize_plate(typed)
    assert plate_kind(plate) is None
    problem = plate_problem(plate)
    assert says in problem and " / " in problem


@pytest.mark.parametrize("valid_from, valid_to, bad_fields", [
    (TODAY, TODAY + timedelta(days=180), set()),
    (TODAY, date(2027, 6, 3), set()),                        # exactly one year
    (TODAY, date(2027, 6, 4), {"form.valid_to"}),            # one day too long
    (TODAY - timedelta(days=1), TODAY + timedelta(days=30), {"form.valid_from"}),
    (TODAY, TODAY, {"form.valid_to"}),                       # must end after it starts
    (TODAY + timedelta(days=10), TODAY + timedelta(days=5), {"form.valid_to"}),
    (TODAY - timedelta(days=3), TODAY - timedelta(days=5), {"form.valid_from", "form.valid_to"}),
])
def test_period_problems(valid_from, valid_to, bad_fields):
    assert set(period_problems(valid_from, valid_to, TODAY)) == bad_fields


@pytest.mark.parametrize("day, after", [
    (date(2026, 6, 3), date(2027, 6, 3)),
    (date(2028, 2, 29), date(2029, 2, 28)),
])
def test_one_year_after(day, after):
    assert one_year_after(day) == after


def test_a_vehicle_form_is_refused_all_at_once():
    form = {"plate": "湘AI2345", "vehicle": "丰田卡罗拉 黑色", "owner_relation": "parent",
            "owner_name": "   ",
            "valid_from": "2026-06-01", "valid_to": "2027-12-01", "phone": "13800000000"}
    with pytest.raises(DomainError) as err:
        clean_vehicle_form(form, TODAY)
    assert set(err.value.fields) == {"form.plate", "form.owner_name", "form.valid_from",
                                     "form.valid_to"}
    ok = clean_vehicle_form(dict(form, plate="湘a·d12345", owner_name="张父",
                                 valid_from="2026-06-03", valid_to="2027-06-03"), TODAY)
    assert ok["plate"] == "湘AD12345" and ok["valid_to"] == "2027-06-03"


def _pass(status, start, end, case_id="c"):
    return SimpleNamespace(status=status, valid_from=start, valid_to=end, case_id=case_id)


JUNE, DEC = date(2026, 6, 3), date(2026, 12, 31)


@pytest.mark.parametrize("existing, start, end, blocked", [
    ([], JUNE, DEC, None),
    ([_pass("pending", JUNE, DEC)], date(2027, 1, 1), date(2027, 3, 1), "pending"),
    ([_pass("issued", JUNE, DEC)], date(2026, 7, 1), date(2026, 8, 1), "issued"),   # inside
    ([_pass("issued", JUNE, DEC)], DEC, date(2027, 3, 1), "issued"),                # same day
    ([_pass("issued", JUNE, DEC)], date(2027, 1, 1), date(2027, 6, 1), None),       # renewal
    ([_pass("cancelled", JUNE, DEC)], JUNE, DEC, None),
    ([_pass("cancelled", JUNE, DEC), _pass("issued", JUNE, DEC)], JUNE, DEC, "issued"),
])
def test_one_pass_per_plate_at_a_time(existing, start, end, blocked):
    found = conflicting_pass(existing, start, end)
    assert (found.status if found else None) == blocked


@pytest.mark.parametrize("status, day, valid", [
    ("issued", JUNE, True), ("issued", DEC, True), ("issued", date(2027, 1, 1), False),
    ("issued", date(2026, 6, 2), False), ("pending", JUNE, False), ("cancelled", JUNE, False),
])
def test_pass_valid_on(status, day, valid):
    assert pass_valid_on(_pass(status, JUNE, DEC), day) is valid


@pytest.mark.parametrize("item, form, needed", [
    ("security.vehicle-pass", {"owner_relation": "self"}, set()),
    ("security.vehicle-pass", {"owner_relation": "parent"}, {"owner_proof"}),
    ("security.vehicle-pass", {"owner_relation": "spouse"}, {"owner_proof"}),
    ("security.vehicle-pass", {"owner_relation": ["parent"]}, set()),   # a form error instead
    ("security.activity-safety", {"participants": 199}, set()),
    ("security.activity-safety", {"participants": "200"}, {"safety_plan"}),   # raw form
    ("security.activity-safety", {"participants": 500}, {"safety_plan"}),
    ("security.activity-safety", {"participants": "many"}, set()),
    ("security.hazard-report", None, set()),
])
def test_conditional_materials(item, form, needed):
    why = conditional_materials(item, form)
    assert set(why) == needed and all(" / " in w for w in why.values())


@pytest.mark.parametrize("extra, reason, result", [
    ({"outcome": "fixed", "feedback": " 已更换灭火器 "}, "", {
        "feedback": "已更换灭火器", "outcome": "fixed", "outcome_zh": "已整改消除",
        "outcome_en": "Fixed"}),
    ({}, "已通知物业整改", {"feedback": "已通知物业整改"}),       # act() with a reason
    ({"feedback": "   "}, "", None),
    (None, "", None),
])
def test_hazard_feedback(extra, reason, result):
    if result is None:
        with pytest.raises(DomainError) as err:
            hazard_feedback(extra, reason)
        assert "feedback" in err.value.fields
    else:
        assert hazard_feedback(extra, reason) == result


@pytest.mark.parametrize("days_ahead, hours, bad_fields", [
    (3, 2, set()),
    (2, 2, {"form.starts_at"}),                       # less than 3 days' notice
    (5, 0, {"form.ends_at"}),
    (5, -1, {"form.ends_at"}),
    (5, 24 * 31, {"form.ends_at"}),                   # longer than 30 days
    (1, -1, {"form.starts_at", "form.ends_at"}),
])
def test_activity_times(days_ahead, hours, bad_fields):
    start = T0 + timedelta(days=days_ahead)
    assert set(activity_time_problems(start, start + timedelta(hours=hours), T0)) == bad_fields


@pytest.mark.parametrize("actor, allowed", [
    (ACTORS["student"], True), (ACTORS["student2"], False),
    (staff("student_affairs", "a_post"), True), (staff("security"), True),
    (ACTORS["director"], True),
])
def test_who_may_see_an_activity_approval(actor, allowed):
    assert may_see_activity(actor, ACTORS["student"]["id"]) is allowed


# ---- on the real platform ----------------------------------------------------------------

PASS_MATERIALS = ["vehicle_licence", "driving_licence"]


def pass_form(plate, start, end, **more):
    return {"plate": plate, "vehicle": "比亚迪秦 白色", "owner_relation": "self",
            "valid_from": start.isoformat(),
            "valid_to": end.isoformat(), "phone": "13900000000", **more}


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["academic", "security"], clock_file=str(clock))


def listen(plat, routing_key):
    """A queue bound to security's event exchange, declared before the event is published."""
    queue = Queue(f"test-{uuid.uuid4().hex[:6]}", routing_key=routing_key,
                  exchange=get_event_exchange("security", {}), durable=False)
    with Connection(plat.amqp_uri) as conn:
        queue(conn.default_channel).declare()
    return queue


def drain(plat, queue, want, timeout=10):
    got, deadline = [], time.monotonic() + timeout
    with Connection(plat.amqp_uri) as conn:
        q = queue(conn.default_channel)
        while len(got) < want and time.monotonic() < deadline:
            msg = q.get(no_ack=True)
            if msg is None:
                time.sleep(0.1)
            else:
                got.append(json.loads(msg.body) if isinstance(msg.body, (str, bytes))
                           else msg.body)
    return got


def run_through(plat, case_id, *actions, reason=""):
    for action in actions:
        post = "a_post" if action in ("approve", "reject") else "b_post"
        with plat.rpc(staff("security", post)) as rpc:
            case = rpc.security.act(case_id, action, reason)
    return case


def test_vehicle_pass_end_to_end(plat):
    plat.set_time(T0)
    end = TODAY + timedelta(days=180)
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.security.submit_case("security.vehicle-pass", PASS_MATERIALS,
                                        pass_form("湘a·88888", TODAY, end))
        assert case["form"]["plate"] == "湘A88888"
        with pytest.raises(DomainError) as err:              # the same plate, still pending
            rpc.security.submit_case("security.vehicle-pass", PASS_MATERIALS,
                                     pass_form("湘A88888", TODAY, end))
        assert err.value.code == "pass_pending" and "form.plate" in err.value.fields
        assert rpc.security.verify_pass("湘A88888")["valid"] is False   # not issued yet
    done = run_through(plat, case["id"], "accept", "approve", "complete")
    assert done["result"]["pass"] == {"plate": "湘A88888", "valid_from": TODAY.isoformat(),
                                      "valid_to": end.isoformat()}
    with plat.rpc(staff("security")) as rpc:
        inside = rpc.security.verify_pass("湘A 88888", (TODAY + timedelta(days=30)).isoformat())
        assert inside == {"plate": "湘A88888", "on_date": "2026-07-03", "valid": True,
                          "valid_to": end.isoformat()}
        assert rpc.security.verify_pass("湘A88888", end.isoformat())["valid"] is True
        after = rpc.security.verify_pass("湘A88888", (end + timedelta(days=1)).isoformat())
        assert after == {"plate": "湘A88888", "on_date": "2026-12-01", "valid": False,
                         "valid_to": None}
        assert rpc.security.verify_pass("湘A88889")["valid"] is False
    with plat.rpc(ACTORS["student2"]) as rpc:                # another student, same plate
        with pytest.raises(DomainError) as err:
            rpc.security.submit_case("security.vehicle-pass", PASS_MATERIALS,
                                     pass_form("湘A88888", TODAY + timedelta(days=10),
                                               TODAY + timedelta(days=20)))
        assert err.value.code == "pass_exists" and err.value.status == 409
        assert end.isoformat() in err.value.message
        renewal = rpc.security.submit_case("security.vehicle-pass", PASS_MATERIALS,
                                           pass_form("湘A88888", end + timedelta(days=1),
                                                     end + timedelta(days=200)))
        assert renewal["status"] == "submitted"
        rpc.security.act(renewal["id"], "withdraw")
    plat.set_time(datetime.combine(end + timedelta(days=1), datetime.min.time(), TZ))
    with plat.rpc(ACTORS["student"]) as rpc:                 # today is past the period
        assert rpc.security.verify_pass("湘A88888")["valid"] is False
    plat.set_time(T0)
    with plat.rpc() as rpc:
        with pytest.raises(DomainError) as err:
            rpc.security.verify_pass("湘A88888")
        assert err.value.status == 401


def test_vehicle_pass_notice_names_every_missing_material(plat):
    plat.set_time(T0)
    form = pass_form("湘B12345", TODAY, TODAY + timedelta(days=30), owner_relation="parent",
                     owner_name="张父")
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.security.submit_case("security.vehicle-pass", ["vehicle_licence"], form)
        assert err.value.code == "materials_missing"
        assert set(err.value.fields) == {"materials.driving_licence", "materials.owner_proof"}
        with pytest.raises(DomainError) as err:
            rpc.security.submit_case("security.vehicle-pass", PASS_MATERIALS + ["owner_proof"],
                                     dict(form, plate="湘BI2345", valid_to="2028-01-01"))
        assert set(err.value.fields) == {"form.plate", "form.valid_to"}


def test_activity_approval_that_other_offices_depend_on(plat):
    plat.set_time(T0)
    form = {"name": "校园歌手大赛", "kind": "performance", "organizer": "校团委",
            "venue": "大学生活动中心", "starts_at": (T0 + timedelta(days=7)).isoformat(),
            "ends_at": (T0 + timedelta(days=7, hours=3)).isoformat(),
            "participants": 150, "safety_officer": "王老师", "phone": "13700000000",
            "request_ref": "student_affairs-20260603-0a1b2c3d"}
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.security.submit_case("security.activity-safety", ["activity_plan"], form)
        assert rpc.security.activity_approval_status(case["id"]) == {
            "case_id": case["id"], "approved": False, "status": "submitted",
            "status_zh": "已提交", "activity": {"name": "校园歌手大赛", "venue": "大学生活动中心",
                                               "starts_at": "2026-06-10T10:00:00+08:00",
                                               "ends_at": "2026-06-10T13:00:00+08:00"},
            "guidance": None}
    decided = listen(plat, "security.activity_decided")
    run_through(plat, case["id"], "accept")
    guidance = "观众入场须安检，疏散通道保持畅通"
    with plat.rpc(staff("security", "a_post")) as rpc:
        seen = rpc.security.get_case(case["id"])
        approve = next(a for a in seen["next_actions"] if a["action"] == "approve")
        assert approve["input_schema"]["required"] == ["guidance"]
        with pytest.raises(DomainError) as err:             # guidance is the approval's point
            rpc.security.perform(case["id"], "approve", {"guidance": "  "})
        assert set(err.value.fields) == {"guidance"}
        approved = rpc.security.perform(case["id"], "approve", {"guidance": guidance})
        assert approved["result"]["guidance"] == guidance
    other_office = staff("student_affairs", "a_post")
    with plat.rpc(other_office) as rpc:           # approved by A, but not final yet
        status = rpc.security.activity_approval_status(case["id"])
        assert (status["approved"], status["status"]) == (False, "processing")
    run_through(plat, case["id"], "complete")
    with plat.rpc(other_office) as rpc:
        status = rpc.security.activity_approval_status(case["id"])
        assert (status["approved"], status["status"]) == (True, "completed")
        assert status["guidance"] == guidance
        assert rpc.security.health()["status"] == "ok"
    with plat.rpc(ACTORS["student2"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.security.activity_approval_status(case["id"])
        assert err.value.status == 403
        refused = rpc.security.submit_case("security.activity-safety", ["activity_plan"],
                                           dict(form, request_ref=None))
    run_through(plat, refused["id"], "accept", "reject", reason="场地不符合消防要求")
    events = {e["data"]["security_case_id"]: e for e in drain(plat, decided, 2)}
    assert events[case["id"]]["data"] == {
        "request_ref": "student_affairs-20260603-0a1b2c3d", "security_case_id": case["id"],
        "approved": True, "note": ""}
    assert events[refused["id"]]["data"]["approved"] is False
    assert events[refused["id"]]["data"]["note"] == "场地不符合消防要求"
    with plat.rpc(ACTORS["student"]) as rpc:
        hazard = rpc.security.submit_case("security.hazard-report", [], {
            "category": "fire", "location": "3号宿舍楼二楼", "description": "灭火器过期"},
            green_reason="消防隐患")
        assert hazard["green_channel"] is True
        with pytest.raises(DomainError) as err:
            rpc.security.activity_approval_status(hazard["id"])
        assert err.value.code == "not_an_activity_approval"


def test_activity_needs_notice_and_a_safety_plan_when_large(plat):
    plat.set_time(T0)
    form = {"name": "运动会", "kind": "sports", "organizer": "体育学院", "venue": "田径场",
            "starts_at": (T0 + timedelta(days=1)).isoformat(),
            "ends_at": (T0 + timedelta(days=1, hours=8)).isoformat(),
            "participants": 3000, "safety_officer": "赵老师", "phone": "13700000000"}
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:          # one notice: materials and the date
            rpc.security.submit_case("security.activity-safety", [], form)
        assert set(err.value.fields) == {"materials.activity_plan", "materials.safety_plan",
                                         "form.starts_at"}
        with pytest.raises(DomainError) as err:          # a form that does not load at all
            rpc.security.submit_case("security.activity-safety", [],
                                     dict(form, phone="12", starts_at="soon"))
        assert set(err.value.fields) == {"materials.activity_plan", "materials.safety_plan",
                                         "form.starts_at", "form.phone"}
        with pytest.raises(DomainError) as err:
            rpc.security.submit_case("security.activity-safety",
                                     ["activity_plan", "safety_plan"], form)
        assert set(err.value.fields) == {"form.starts_at"}


def test_household_question_has_a_real_form_and_is_answered(plat):
    plat.set_time(T0)
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:          # no longer any form at all
            rpc.security.submit_case("security.household-consultation", [], {"a": 1})
        assert set(err.value.fields) == {"form.a", "form.topic", "form.question"}
        with pytest.raises(DomainError) as err:
            rpc.security.submit_case("security.household-consultation", [],
                                     {"topic": "move_out", "question": "   "})
        assert set(err.value.fields) == {"form.question"}
        case = rpc.security.submit_case("security.household-consultation", [],
                                        {"topic": "move_out", "question": "毕业后户口怎么迁？"})
    answer = "凭派遣证到保卫处户籍室办理迁出，一个工作日内可取户口迁移证。"
    run_through(plat, case["id"], "accept", "approve")
    with plat.rpc(staff("security")) as rpc:
        done = rpc.security.perform(case["id"], "complete", {"answer": answer})
    assert done["status"] == "completed" and done["result"]["answer"] == answer


def test_hazard_report_is_closed_with_its_outcome(plat):
    plat.set_time(T0)
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.security.submit_case("security.hazard-report", [], {
            "category": "traffic", "location": "北门路口", "description": "减速带损坏"})
        assert case["green_channel"] is False
    run_through(plat, case["id"], "accept")
    with plat.rpc(staff("security")) as rpc:
        seen = rpc.security.get_case(case["id"])
        assert "expedite" in [a["action"] for a in seen["next_actions"]]
        rpc.security.perform(case["id"], "expedite", {"reason": "学生上下学高峰，存在事故风险"})
        rpc.security.perform(case["id"], "approve", {})
        seen = rpc.security.get_case(case["id"])
        close = next(a for a in seen["next_actions"] if a["action"] == "complete")
        assert set(close["input_schema"]["required"]) == {"outcome", "feedback"}
        with pytest.raises(DomainError) as err:
            rpc.security.perform(case["id"], "complete", {"outcome": "fixed"})
        assert set(err.value.fields) == {"feedback"}
        done = rpc.security.perform(case["id"], "complete", {
            "outcome": "referred", "feedback": "已移交后勤处，48小时内修复减速带"})
    assert done["green_channel"] is True
    assert done["result"] == {"feedback": "已移交后勤处，48小时内修复减速带", "outcome": "referred",
                              "outcome_zh": "已移交相关部门处置",
                              "outcome_en": "Handed to the office responsible"}
