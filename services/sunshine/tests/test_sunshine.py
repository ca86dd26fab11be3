"""Sunshine (阳光服务中心) rules as tables, and the complaint flow on real RabbitMQ and
PostgreSQL: routing, investigation notes, feedback, anonymity, and a related case checked with
its own department (logistics), including when that department is down."""
from datetime import datetime

import pytest
from marshmallow import ValidationError

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from sunshine import domain
from sunshine.service import SunshineService

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)            # a Monday
ITEM = "sunshine.complaint-suggestion"
ME, OTHER = ACTORS["student"], ACTORS["student2"]
B, A = staff("sunshine", "b_post"), staff("sunshine", "a_post")
FORM = {"category": "complaint", "department": "logistics", "text": "宿舍热水器坏了三天没人修"}


# ---- tables ------------------------------------------------------------------------------
@pytest.mark.parametrize("form, bad", [
    (FORM, set()),
    (dict(FORM, department="canteen"), {"department"}),
    (dict(FORM, category="praise", text="好"), {"category", "text"}),
    (dict(FORM, related_case_id="logistics-20261207-1a2b3c4d"), set()),
    (dict(FORM, related_case_id="finance-20261207-1a2b3c4d"), {"related_case_id"}),
    (dict(FORM, related_case_id="12345"), {"related_case_id"}),
])
def test_complaint_form(form, bad):
    try:
        domain.ComplaintForm().load(form)
        found = set()
    except ValidationError as err:
        found = set(err.messages)
    assert found == bad


@pytest.mark.parametrize("extra, target", [
    ({}, "logistics"), ({"routed_to": "security"}, "security"), ({"routed_to": ""}, "logistics"),
    ({"routed_to": "canteen"}, None)])
def test_route_target(extra, target):
    if target is None:
        with pytest.raises(DomainError) as err:
            domain.route_target(FORM, extra)
        assert "extra.routed_to" in err.value.fields
    else:
        assert domain.route_target(FORM, extra) == target


CASE = {"student_id": ME["id"], "student_name": "张三",
        "form": dict(FORM, anonymous=True, contact_phone="13800000000"),
        "history": [{"actor_id": ME["id"]}, {"actor_id": "sunshine_b"}]}


@pytest.mark.parametrize("viewer, hidden", [
    (ME, False), (OTHER, True), (B, True), (ACTORS["director"], True)])
def test_anonymous_cases_hide_the_student(viewer, hidden):
    seen = domain.anonymise(CASE, viewer)
    assert (seen["student_id"] == "anonymous") is hidden
    assert ("contact_phone" not in seen["form"]) is hidden
    assert [h["actor_id"] for h in seen["history"]][1] == "sunshine_b"
    assert domain.anonymise(dict(CASE, form=FORM), B)["student_id"] == ME["id"]


@pytest.mark.parametrize("status, note, error", [
    ("accepted", "已联系后勤处", None), ("processing", "已核实", None),
    ("submitted", "已联系后勤处", "not_under_investigation"),
    ("completed", "已联系后勤处", "not_under_investigation"),
    ("accepted", " ", "validation_failed")])
def test_note_rules(status, note, error):
    if error is None:
        domain.check_note(status, note)
    else:
        with pytest.raises(DomainError) as err:
            domain.check_note(status, note)
        assert err.value.code == error


# ---- on the real platform ----------------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["sunshine", "logistics"], clock_file=str(clock),
                            extra_env={"DEPARTMENT_RPC_TIMEOUT": "2"})


def test_complaint_routed_investigated_and_answered(plat):
    with plat.rpc(ME) as rpc:
        case = rpc.sunshine.submit_case(ITEM, [], FORM)
    assert case["result"]["feedback_due_at"] == "2026-12-10T17:30:00+08:00"
    with plat.rpc(B) as rpc:
        with pytest.raises(DomainError) as err:           # not routed yet
            rpc.sunshine.add_investigation_note(case["id"], "先记一笔")
        assert err.value.code == "not_under_investigation"
        accepted = rpc.sunshine.act(case["id"], "accept")
        assert accepted["result"]["routed_to"] == "logistics"
        assert accepted["result"]["routed_to_zh"] == "后勤处"
        rpc.sunshine.add_investigation_note(case["id"], "已转后勤处，约定今日上门")
    with plat.rpc(ME) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sunshine.add_investigation_note(case["id"], "我补充一下")
        assert err.value.status == 403
    with plat.rpc(staff("logistics")) as rpc:                # the department concerned sees it
        routed = rpc.sunshine.routed_cases()
        assert [c["id"] for c in routed["cases"]] == [case["id"]]
    with plat.rpc(staff("security")) as rpc:
        assert rpc.sunshine.routed_cases()["total"] == 0
    with plat.rpc(A) as rpc:
        notes = rpc.sunshine.add_investigation_note(case["id"], "后勤处已更换热水器，学生确认")
        assert [n["author_id"] for n in notes] == ["sunshine_b", "sunshine_a"]
    with plat.rpc(ACTORS["director"]) as rpc:          # the director reads, never writes
        assert rpc.sunshine.investigation_notes(case["id"]) == notes
        with pytest.raises(DomainError) as err:
            rpc.sunshine.add_investigation_note(case["id"], "主任批注")
        assert err.value.status == 403
    for outsider in (ME, staff("logistics"), {"id": "desk", "role": "desk"}):
        with plat.rpc(outsider) as rpc:
            with pytest.raises(DomainError) as err:
                rpc.sunshine.investigation_notes(case["id"])
            assert err.value.status == 403
    with plat.rpc(A) as rpc:
        rpc.sunshine.act(case["id"], "approve")
        with pytest.raises(DomainError) as err:
            rpc.sunshine.act(case["id"], "complete")
        assert "reason" in err.value.fields
        done = rpc.sunshine.act(case["id"], "complete", "经调查属实，热水器已于12月8日更换。")
    assert done["status"] == "completed"
    assert done["result"]["feedback"] == "经调查属实，热水器已于12月8日更换。"
    with plat.rpc(ME) as rpc:
        mine = rpc.sunshine.get_case(case["id"])
    assert mine["result"]["feedback"] and "investigation" not in str(mine["result"])


def actions(case):
    return [a["action"] for a in case["next_actions"]]


def test_the_steps_carry_a_complaint_to_its_feedback(plat):
    """next_actions and waiting_for: routed on acceptance (default the student's choice), the
    investigation recorded, approved only then, completed with the feedback."""
    with plat.rpc(ME) as rpc:
        case = rpc.sunshine.submit_case(ITEM, [], SunshineService().example(ITEM))
        assert actions(case) == ["withdraw"] and case["waiting_for"]["role"] == "b_post"
    with plat.rpc(B) as rpc:
        accept = rpc.sunshine.get_case(case["id"])["next_actions"][0]
        routed_to = accept["input_schema"]["properties"]["routed_to"]
        assert accept["action"] == "accept" and routed_to["default"] == "logistics"
        assert routed_to["x-enum-labels"]["zh"]["logistics"] == "后勤处"
        with pytest.raises(DomainError) as err:
            rpc.sunshine.perform(case["id"], "accept", {"routed_to": "canteen"})
        assert "routed_to" in err.value.fields
        accepted = rpc.sunshine.perform(case["id"], "accept", {"routed_to": "student_affairs"})
        assert accepted["result"]["routed_to"] == "student_affairs"
        assert (accepted["waiting_for"]["role"], accepted["waiting_for"]["routed_to"]) == \
            ("b_post", "student_affairs")
        assert actions(accepted)[0] == "add_investigation_note"
    with plat.rpc(A) as rpc:
        assert "approve" not in actions(rpc.sunshine.get_case(case["id"]))
        with pytest.raises(DomainError) as err:
            rpc.sunshine.perform(case["id"], "approve", {})
        assert err.value.code == "action_not_available"
        with pytest.raises(DomainError) as err:
            rpc.sunshine.act(case["id"], "approve")
        assert err.value.code == "investigation_not_recorded"
    with plat.rpc(B) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sunshine.perform(case["id"], "add_investigation_note", {"note": "  "})
        assert "note" in err.value.fields
        noted = rpc.sunshine.perform(case["id"], "add_investigation_note",
                                     {"note": "已请学生工作处核实宿舍热水供应时间"})
        assert noted["waiting_for"]["role"] == "a_post"
        assert "approve" not in actions(noted)                     # the A post's
    with plat.rpc(A) as rpc:
        seen = rpc.sunshine.get_case(case["id"])
        assert actions(seen)[0] == "approve"
        assert [a["tone"] for a in seen["next_actions"]
                if a["action"] == "add_investigation_note"] == [""]
        approved = rpc.sunshine.perform(case["id"], "approve", {})
        step = approved["next_actions"][0]
        assert (step["action"], step["input_schema"]["required"]) == ("complete", ["feedback"])
        assert approved["waiting_for"]["feedback_due_at"] == case["result"]["feedback_due_at"]
        with pytest.raises(DomainError) as err:
            rpc.sunshine.perform(case["id"], "complete", {"feedback": " "})
        assert "feedback" in err.value.fields
        feedback = "经核实，热水供应将从下周起延长至23点。"
        done = rpc.sunshine.perform(case["id"], "complete", {"feedback": feedback})
    assert done["status"] == "completed" and done["waiting_for"] is None
    assert done["result"]["feedback"] == feedback and done["history"][-1]["reason"] == feedback
    with plat.rpc(ME) as rpc:
        assert rpc.sunshine.get_case(case["id"])["result"]["feedback"] == feedback


def test_b_post_routes_elsewhere(plat):
    with plat.rpc(OTHER) as rpc:
        case = rpc.sunshine.submit_case(ITEM, [], dict(FORM, category="suggestion",
                                                       text="建议夜间增加校园巡逻"))
    with plat.rpc(B) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sunshine.act(case["id"], "accept", extra={"routed_to": "canteen"})
        assert "extra.routed_to" in err.value.fields
        done = rpc.sunshine.act(case["id"], "accept", extra={"routed_to": "security"})
    assert (done["result"]["routed_to"], done["result"]["routed_by"]) == ("security",
                                                                        "sunshine_b")


def test_anonymous_complaint(plat):
    with plat.rpc(ME) as rpc:
        case = rpc.sunshine.submit_case(ITEM, [], dict(FORM, anonymous=True,
                                                       contact_phone="13800000000"))
        assert rpc.sunshine.get_case(case["id"])["student_id"] == ME["id"]
    with plat.rpc(B) as rpc:
        seen = rpc.sunshine.get_case(case["id"])
        assert (seen["student_id"], seen["student_name"]) == ("anonymous", "匿名")
        assert "contact_phone" not in seen["form"]
        assert seen["history"][0]["actor_id"] == "anonymous"
        assert ME["id"] not in str(seen)                  # nor in its steps or waiting_for
        with pytest.raises(DomainError) as err:
            rpc.sunshine.list_cases(student_id=ME["id"])
        assert err.value.code == "filter_not_allowed"
        listed = rpc.sunshine.list_cases()["cases"]
        assert {c["student_id"] for c in listed if c["id"] == case["id"]} == {"anonymous"}


def test_related_case_is_checked_with_its_department(plat):
    repair = {"building": "A3", "room": "302", "facility": "water", "description": "热水器坏了"}
    with plat.rpc(ME) as rpc:
        ticket = rpc.logistics.submit_case("logistics.dorm-repair", [], repair)
        case = rpc.sunshine.submit_case(ITEM, [], dict(FORM, related_case_id=ticket["id"]))
    related = case["result"]["related_case"]
    assert (related["id"], related["status"]) == (ticket["id"], "submitted")
    assert related["item_name_zh"] == "学生宿舍生活设施报修"
    with plat.rpc(OTHER) as rpc:                             # not OTHER's ticket
        with pytest.raises(DomainError) as err:
            rpc.sunshine.submit_case(ITEM, [], dict(FORM, related_case_id=ticket["id"]))
        assert err.value.status == 422 and "form.related_case_id" in err.value.fields
        with pytest.raises(DomainError) as err:              # one notice for everything
            rpc.sunshine.submit_case(ITEM, [], dict(FORM, related_case_id=ticket["id"],
                                                    text=" ", contact_phone="1"))
        assert set(err.value.fields) == {"form.related_case_id", "form.text",
                                         "form.contact_phone"}
        with pytest.raises(DomainError) as err:
            rpc.sunshine.submit_case(ITEM, [], dict(FORM, department="security", text="",
                                                    related_case_id=ticket["id"]))
        assert set(err.value.fields) == {"form.related_case_id", "form.text"}


def test_department_down_is_named(plat):
    finance_case = "finance-20261207-0a1b2c3d"              # finance is not running at all
    with plat.rpc(ME) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.sunshine.submit_case(ITEM, [], dict(FORM, department="finance",
                                                    related_case_id=finance_case))
    assert (err.value.code, err.value.status) == ("department_unavailable", 503)
    assert "财务处" in err.value.message and "Finance" in err.value.message_en
    plat.processes["logistics"].stop()                       # its queue stays, nobody answers
    try:
        with plat.rpc(ME) as rpc:
            with pytest.raises(DomainError) as err:
                rpc.sunshine.submit_case(ITEM, [], dict(
                    FORM, related_case_id="logistics-20261207-0a1b2c3d"))
            assert (err.value.code, err.value.status) == ("department_unavailable", 503)
            assert "后勤处" in err.value.message
            plain = rpc.sunshine.submit_case(ITEM, [], FORM)   # without the case number: fine
            assert plain["status"] == "submitted"
    finally:
        plat.start_service("logistics")
