"""Logistics: the repair and complaint rules as tables, then on real RabbitMQ and PostgreSQL
the repair flow (feedback on completion) and the complaint about an overdue repair (checked
at submission, in the one notice; ``complain_overdue`` is its alias)."""
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from jsonschema import Draft202012Validator

from osac_shared import forms
from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from logistics import domain
from logistics.domain import complaint_problems, feedback_of, repair_overdue
from logistics.service import LogisticsService

REPAIR_FORM = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
ME, OTHER = ACTORS["student"]["id"], ACTORS["student2"]["id"]
TICKET = "logistics-20261207-0a1b2c3d"


@pytest.mark.parametrize("hours, status, overdue", [
    (47, "accepted", False),
    (48, "accepted", False),      # exactly 48 hours is still on time
    (49, "accepted", True),
    (49, "processing", True),
    (49, "submitted", True),
    (60, "completed", False),
    (60, "withdrawn", False),
    (60, "rejected", False),
])
def test_repair_overdue_table(hours, status, overdue):
    assert repair_overdue(T0, status, T0 + timedelta(hours=hours)) is overdue


def repair(student=ME, status="accepted", item=domain.REPAIR_ITEM):
    return SimpleNamespace(student_id=student, status=status, item_code=item, submitted_at=T0)


LATE, EARLY = T0 + timedelta(hours=49), T0 + timedelta(hours=47)


@pytest.mark.parametrize("form, ticket, now, problem", [
    ({"topic": "overdue_repair", "repair_case_id": TICKET}, repair(), LATE, None),
    ({"topic": "overdue_repair", "repair_case_id": TICKET}, repair(), EARLY, "48"),
    ({"topic": "overdue_repair", "repair_case_id": TICKET}, repair(status="completed"), LATE,
     "已办结"),
    ({"topic": "overdue_repair", "repair_case_id": TICKET}, repair(student=OTHER), LATE,
     "本人"),
    ({"topic": "overdue_repair", "repair_case_id": TICKET}, None, LATE, "本人"),
    ({"topic": "overdue_repair", "repair_case_id": TICKET},
     repair(item=domain.COMPLAINT_ITEM), LATE, "不是报修单"),
    ({"topic": "overdue_repair", "repair_case_id": ""}, None, LATE, "须填写报修单号"),
    ({"topic": "overdue_repair"}, None, LATE, "须填写报修单号"),
    ({"topic": "service"}, None, EARLY, None),                # a suggestion needs no ticket
    ({"topic": "service", "repair_case_id": TICKET}, repair(), EARLY, None),
    ({"topic": "service", "repair_case_id": TICKET}, repair(student=OTHER), EARLY, "本人"),
    (None, None, LATE, None),
])
def test_complaint_problems(form, ticket, now, problem):
    found = complaint_problems(form, ticket, ME, now)
    if problem is None:
        assert found == {}
    else:
        assert set(found) == {"form.repair_case_id"} and problem in found["form.repair_case_id"]


@pytest.mark.parametrize("extra, reason, required, out", [
    ({"feedback": " 已更换热水器 "}, "", True, "已更换热水器"),
    ({}, "已更换", True, "已更换"),
    ({"feedback": "  "}, "  ", True, None),
    ({}, "", False, ""),
])
def test_feedback_of(extra, reason, required, out):
    if out is None:
        with pytest.raises(DomainError) as err:
            feedback_of(extra, reason, required)
        assert "feedback" in err.value.fields
    else:
        assert feedback_of(extra, reason, required) == out


@pytest.mark.parametrize("form, bad", [
    (domain.complaint_example(), set()),
    ({"topic": "overdue_repair", "repair_case_id": TICKET, "text": "两天了还没修好"}, set()),
    ({"topic": "overdue_repair", "repair_case_id": "12345", "text": "两天了还没修好"},
     {"form.repair_case_id"}),
    ({"topic": "praise", "text": "    "}, {"form.topic", "form.text"}),
    ({"a": 1}, {"form.a", "form.topic", "form.text"}),     # no arbitrary keys
])
def test_complaint_form(form, bad):
    assert set(forms.load(domain.ComplaintForm, form)[1]) == bad


@pytest.mark.parametrize("form, ok", [
    (domain.complaint_example(), True),
    ({"topic": "overdue_repair", "text": "两天了还没修好"}, False),
    ({"topic": "overdue_repair", "repair_case_id": "", "text": "两天了还没修好"}, False),
    ({"topic": "overdue_repair", "repair_case_id": TICKET, "text": "两天了还没修好"}, True),
])
def test_the_published_complaint_schema_needs_the_ticket_of_an_overdue_repair(form, ok):
    service = LogisticsService()
    schema = service.item_to_dict(service.ITEMS[domain.COMPLAINT_ITEM], T0)["form_schema"]
    Draft202012Validator.check_schema(schema)
    assert Draft202012Validator(schema).is_valid(form) is ok
    assert (complaint_problems(form, repair(), ME, LATE) == {}) is ok    # as the department


# ---- on the real platform ----------------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["logistics"], clock_file=str(clock))


def actions(case):
    return [a["action"] for a in case["next_actions"]]


def test_repair_flow_with_feedback(plat):
    plat.set_time(T0)
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [],
                                         LogisticsService().example("logistics.dorm-repair"))
        assert case["result"]["repair_due_at"].startswith("2026-12-09T10:00")
        assert case["waiting_for"]["role"] == "b_post"
    with plat.rpc(staff("logistics")) as rpc:
        rpc.logistics.perform(case["id"], "accept", {})
        approved = rpc.logistics.perform(case["id"], "approve", {})
        step = approved["next_actions"][0]
        assert step["action"] == "complete" and "feedback" in step["input_schema"]["properties"]
        done = rpc.logistics.perform(case["id"], "complete", {"feedback": "已更换水龙头阀芯"})
    assert done["status"] == "completed" and done["result"]["feedback"] == "已更换水龙头阀芯"
    assert done["history"][-1]["reason"] == "已更换水龙头阀芯"
    assert [h["to"] for h in done["history"]] == ["submitted", "accepted", "processing",
                                                   "completed"]
    assert all(h["actor_id"] and h["at"] for h in done["history"])


def test_overdue_complaint_is_checked_at_submission(plat):
    plat.set_time(T0)
    with plat.rpc(ACTORS["student"]) as rpc:
        ticket = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR_FORM, "rep-1")
        complaint = {"topic": "overdue_repair", "repair_case_id": ticket["id"],
                     "text": "两天了还没修好"}
        with pytest.raises(DomainError) as err:         # too early, and the form is wrong too
            rpc.logistics.submit_case("logistics.complaint", [], dict(complaint, text=" ",
                                                                      phone="123"))
        assert err.value.status == 422
        assert set(err.value.fields) == {"form.repair_case_id", "form.text", "form.phone"}
        with pytest.raises(DomainError) as err:         # the alias: the same rule
            rpc.logistics.complain_overdue(ticket["id"], "还没修")
        assert set(err.value.fields) == {"form.repair_case_id"}
        suggestion = rpc.logistics.submit_case("logistics.complaint", [],
                                               LogisticsService().example("logistics.complaint"))
        assert suggestion["status"] == "submitted"
    with plat.rpc(ACTORS["student2"]) as rpc:          # not their repair: 403 to read it
        with pytest.raises(DomainError) as err:
            rpc.logistics.complain_overdue(ticket["id"], "还没修好呢")
        assert err.value.status == 403
    with plat.rpc(staff("logistics")) as rpc:
        rpc.logistics.act(ticket["id"], "accept")
        rpc.logistics.act(ticket["id"], "approve")
    plat.set_time(T0 + timedelta(hours=49))
    with plat.rpc(ACTORS["student2"]) as rpc:          # 48 hours late, but not theirs
        with pytest.raises(DomainError) as err:
            rpc.logistics.submit_case("logistics.complaint", [], complaint)
        assert "本人" in err.value.fields["form.repair_case_id"]
    with plat.rpc(ACTORS["student"]) as rpc:
        filed = rpc.logistics.submit_case("logistics.complaint", [], complaint, "cmp-1")
        assert filed["form"]["repair_case_id"] == ticket["id"]
        assert filed["result"]["repair"]["id"] == ticket["id"]
        again = rpc.logistics.complain_overdue(ticket["id"], "两天了还没修好", "cmp-2")
        assert again["item_code"] == "logistics.complaint" and again["id"] != filed["id"]
        assert rpc.logistics.get_case(ticket["id"])["result"]["complaints"] == [
            filed["id"], again["id"]]
    with plat.rpc(staff("logistics")) as rpc:
        rpc.logistics.act(filed["id"], "accept")
    with plat.rpc(staff("logistics", "a_post")) as rpc:
        approved = rpc.logistics.perform(filed["id"], "approve", {})
        assert approved["next_actions"][0]["input_schema"]["required"] == ["feedback"]
        with pytest.raises(DomainError) as err:
            rpc.logistics.perform(filed["id"], "complete", {"feedback": "  "})
        assert "feedback" in err.value.fields
        with pytest.raises(DomainError) as err:           # the RPC path refuses it too
            rpc.logistics.act(filed["id"], "complete")
        assert "feedback" in err.value.fields
        done = rpc.logistics.perform(filed["id"], "complete",
                                     {"feedback": "经核实维修工漏派单，已于今日修复并致歉。"})
    assert done["status"] == "completed"
    assert done["result"]["feedback"] == "经核实维修工漏派单，已于今日修复并致歉。"
    with plat.rpc(staff("logistics")) as rpc:
        finished = rpc.logistics.act(ticket["id"], "complete", "已修好")
    assert finished["result"]["feedback"] == "已修好"
    with plat.rpc(ACTORS["student"]) as rpc:          # a finished repair: no more complaints
        with pytest.raises(DomainError) as err:
            rpc.logistics.complain_overdue(ticket["id"], "两天了还没修好")
        assert "已办结" in err.value.fields["form.repair_case_id"]


def test_repair_form_errors_name_each_field(plat):
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.logistics.submit_case("logistics.dorm-repair", [], {"building": "A3",
                                                                    "room": "3 02"})
    fields = err.value.fields
    assert set(fields) == {"form.room", "form.facility", "form.description"}
    assert "必填" in fields["form.facility"]


def test_other_students_and_departments_are_refused(plat):
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR_FORM)
    with plat.rpc(ACTORS["student2"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.logistics.get_case(case["id"])
        assert err.value.status == 403
    with plat.rpc(staff("finance")) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.logistics.act(case["id"], "accept")
        assert err.value.status == 403
    with plat.rpc() as rpc:   # no actor in the context
        with pytest.raises(DomainError) as err:
            rpc.logistics.get_case(case["id"])
        assert err.value.status == 401
