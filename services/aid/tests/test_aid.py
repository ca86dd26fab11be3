"""Aid on the real platform (aid + finance on RabbitMQ and PostgreSQL, demo data seeded): the
multi-stage review with aid's review committee, the public notice, the award paid into the
finance ledger exactly once, eligibility from aid's own hardship recognitions, loans and
work-study placements, each stage offered as a next action only when it would succeed."""
import json
import time
from datetime import datetime
from functools import partial

import pytest
from kombu import Connection
from nameko.events import get_event_exchange
from sqlalchemy import create_engine, text

from osac_shared import testing
from osac_shared.clock import TZ
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)          # a Monday
STUDENT, STUDENT2 = ACTORS["student"], ACTORS["student2"]      # not recognised / hard
ZHU = {"id": "2026000014", "role": "student", "name": "朱强"}     # hard, rank 9, fees paid
WU = {"id": "2026000010", "role": "student", "name": "吴昊"}      # special, a freshman
B, A = staff("aid", "b_post"), staff("aid", "a_post")
COMMITTEE = {"id": "aid_committee", "role": "committee", "department": "aid",
             "name": "资助评审委员会"}
CENTRE = {"id": "committee", "role": "committee", "name": "管理委员会"}
SCHOLARSHIP = ("aid.national-scholarship", ["application_form", "transcript"],
               {"rank_percent": 5, "statement": "专业第一"})


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["aid", "finance"], clock_file=str(clock),
                            extra_env={"SEED_DEMO": "1"})


def actions(plat, actor, case_id):
    with plat.rpc(actor) as rpc:
        case = rpc.aid.get_case(case_id)
    return [a["action"] for a in case["next_actions"]], case["waiting_for"]


eventually = partial(testing.eventually, timeout=15)


def aid_entries(plat, actor):
    with plat.rpc(actor) as rpc:
        entries = rpc.finance.ledger(actor["id"])["entries"]
    return [e for e in entries if e["kind"] == "aid_disbursement"]


def publish_aid_event(plat, envelope):
    exchange = get_event_exchange("aid", {"AMQP_URI": plat.amqp_uri})
    with Connection(plat.amqp_uri) as conn:
        conn.Producer(serializer="json").publish(
            envelope, exchange=exchange, routing_key=envelope["type"], declare=[exchange],
            retry=True)


def published_awards(plat):
    engine = create_engine(plat.db_url("aid"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM outbox WHERE type = 'aid.awarded'")).all()
    engine.dispose()
    return [json.loads(r[0]) for r in rows]


def test_scholarship_review_notice_award_and_payout_once(plat):
    plat.set_time(T0)
    with plat.rpc(ZHU) as rpc:
        case = rpc.aid.submit_case(*SCHOLARSHIP, "ns-1")
    assert case["result"] == {"programme": "national_scholarship", "academic_year": "2026-2027",
                              "stage": "b_review", "amount_cents": 800000}
    cid = case["id"]
    with plat.rpc(B) as rpc:
        assert rpc.aid.act(cid, "accept")["result"]["stage"] == "a_review"
        with pytest.raises(DomainError) as err:          # an A-post item: B may not approve
            rpc.aid.act(cid, "approve")
        assert err.value.status == 403
    for actor in (B, A, CENTRE):                         # only aid's own committee decides
        with plat.rpc(actor) as rpc:
            with pytest.raises(DomainError) as err:
                rpc.aid.record_committee_decision(cid, True, "")
            assert err.value.status == 403, actor
    with plat.rpc(COMMITTEE) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.record_committee_decision(cid, True, "")
        assert err.value.code == "not_in_committee"
    assert actions(plat, COMMITTEE, cid) == ([], {
        "role": "a_post", "department": "aid", "label_zh": "等待A岗教师审批办理",
        "label_en": "Waiting for the department's A post"})
    with plat.rpc(A) as rpc:
        approved = rpc.aid.perform(cid, "approve", {})
        assert (approved["status"], approved["result"]["stage"]) == ("processing", "committee")
        assert "complete" not in [a["action"] for a in approved["next_actions"]]
        assert approved["waiting_for"]["role"] == "committee"
        with pytest.raises(DomainError) as err:
            rpc.aid.act(cid, "complete")
        assert err.value.code == "committee_pending"
        with pytest.raises(DomainError) as err:          # not one of A's next actions
            rpc.aid.perform(cid, "committee_approve", {})
        assert err.value.code == "action_not_available"
    listed, waiting = actions(plat, COMMITTEE, cid)
    assert listed == ["committee_approve", "committee_refuse"]
    assert (waiting["role"], waiting["department"]) == ("committee", "aid")
    with plat.rpc(COMMITTEE) as rpc:
        noticed = rpc.aid.perform(cid, "committee_approve", {"note": "评审通过"})
    assert noticed["result"]["stage"] == "public_notice"
    assert noticed["result"]["notice_until"] == "2026-12-14T17:30:00+08:00"
    assert noticed["history"][-1]["action"] == "committee"
    assert noticed["history"][-1]["actor_role"] == "committee"
    listed, waiting = actions(plat, A, cid)
    assert "complete" not in listed
    assert (waiting["role"], waiting["until"]) == ("a_post", "2026-12-14T17:30:00+08:00")

    plat.set_time(datetime(2026, 12, 14, 17, 0, tzinfo=TZ))   # still inside the notice
    with plat.rpc(A) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.act(cid, "complete")
    assert err.value.code == "notice_period" and err.value.status == 409
    assert "notice_until" in err.value.fields
    assert aid_entries(plat, ZHU) == []

    plat.set_time(datetime(2026, 12, 14, 17, 31, tzinfo=TZ))
    listed, waiting = actions(plat, A, cid)
    assert "complete" in listed and "until" not in waiting
    with plat.rpc(A) as rpc:
        done = rpc.aid.perform(cid, "complete", {})
    assert (done["status"], done["result"]["stage"]) == ("completed", "awarded")
    assert [h["to"] for h in done["history"]] == ["submitted", "accepted", "processing",
                                                   "processing", "completed"]

    entries = eventually(lambda: aid_entries(plat, ZHU))
    assert [(e["amount_cents"], e["ref"]) for e in entries] == [(800000, cid)]
    assert entries[0]["description"] == "2026-2027学年国家奖学金"

    # at-least-once delivery: the same envelope arrives twice more
    [envelope] = [e for e in published_awards(plat) if e["case_id"] == cid]
    assert envelope["data"]["amount_cents"] == 800000
    publish_aid_event(plat, envelope)
    publish_aid_event(plat, envelope)
    # a later, different event shows the duplicates have gone through the same queue
    sentinel = make_event("aid.awarded", "aid", {
        "student_id": STUDENT2["id"], "programme": "hardship_subsidy", "amount_cents": 100,
        "academic_year": "2026-2027"}, occurred_at=T0, case_id="aid-sentinel")
    publish_aid_event(plat, sentinel)
    assert eventually(lambda: aid_entries(plat, STUDENT2))
    time.sleep(0.5)
    assert len(aid_entries(plat, ZHU)) == 1
    with plat.rpc(ZHU) as rpc:
        account = rpc.finance.arrears(ZHU["id"])
    assert (account["balance_cents"], account["credit_cents"]) == (-800000, 800000)

    # the same student (recognised as in hardship) may not add the encouragement scholarship
    with plat.rpc(ZHU) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.submit_case("aid.national-encouragement", ["application_form", "transcript"],
                                {"rank_percent": 5, "statement": "成绩优秀"})
    assert err.value.code == "award_conflict" and "item_code" in err.value.fields


def test_one_notice_names_the_recognition_the_rank_and_the_materials(plat):
    """2026000001 has no hardship recognition this year: one 422 says so, with the rank and
    every missing material; nothing is kept."""
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.submit_case("aid.national-encouragement", [],
                                {"rank_percent": 45, "statement": " "})
        assert err.value.status == 422
        assert set(err.value.fields) == {"hardship_recognition", "form.rank_percent",
                                         "form.statement", "materials.application_form",
                                         "materials.transcript"}
        assert "前30%" in err.value.fields["form.rank_percent"]
        assert "家庭经济困难认定" in err.value.fields["hardship_recognition"]
        with pytest.raises(DomainError) as err:          # a declared level is not taken
            rpc.aid.submit_case("aid.national-grant", ["application_form"],
                                {"statement": "困难", "hardship_level": "special"})
        assert set(err.value.fields) == {"form.hardship_level", "hardship_recognition"}
        assert rpc.aid.list_cases()["total"] == 0


def test_committee_refusal_rejects_with_the_reason(plat):
    with plat.rpc(STUDENT2) as rpc:           # recognised as in hardship: the second tier
        case = rpc.aid.submit_case("aid.national-grant", ["application_form"],
                                   {"statement": "家庭困难"})
    assert (case["result"]["amount_cents"], case["result"]["tier_zh"]) == (330000, "二档")
    assert case["result"]["hardship_level"] == "hard"
    with plat.rpc(B) as rpc:
        rpc.aid.act(case["id"], "accept")
    with plat.rpc(A) as rpc:
        rpc.aid.act(case["id"], "approve")
    with plat.rpc(COMMITTEE) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.record_committee_decision(case["id"], False, "")
        assert set(err.value.fields) == {"note"}
        with pytest.raises(DomainError) as err:
            rpc.aid.perform(case["id"], "committee_refuse", {"reason": "   "})
        assert set(err.value.fields) == {"reason"}
        refused = rpc.aid.perform(case["id"], "committee_refuse", {"reason": "本年度名额已满"})
    assert refused["status"] == "rejected"
    assert refused["result"]["stage"] == "closed" and refused["waiting_for"] is None
    last = refused["history"][-1]
    assert (last["action"], last["actor_id"]) == ("reject", "aid_committee")
    assert last["reason"] == "资助评审委员会评审未通过：本年度名额已满"


def test_loans_are_booked_once_a_year_and_one_kind_only(plat):
    plat.set_time(T0)
    receipt = {"county": "湖南省衡阳市衡南县", "bank": "cdb", "contract_no": "43042120260001",
               "receipt_code": "A1B2C3D4E5", "amount_yuan": 12000,
               "study_level": "undergraduate"}
    materials = ["loan_receipt", "loan_contract", "id_card", "student_card"]
    with plat.rpc(WU) as rpc:
        with pytest.raises(DomainError) as err:           # undergraduates: at most 16,000
            rpc.aid.submit_case("aid.loan-receipt", materials,
                                {**receipt, "amount_yuan": 18000})
        assert set(err.value.fields) == {"form.amount_yuan"}
        case = rpc.aid.submit_case("aid.loan-receipt", materials, receipt)
        with pytest.raises(DomainError) as err:           # one open application at a time
            rpc.aid.submit_case("aid.loan-receipt", materials, receipt)
        assert err.value.code == "application_pending"
    assert actions(plat, B, case["id"])[0][0] == "accept"
    with plat.rpc(B) as rpc:
        assert rpc.aid.get_case(case["id"])["next_actions"][0]["label_zh"] == "受理并核对回执"
        rpc.aid.perform(case["id"], "accept", {})
    with plat.rpc(A) as rpc:
        rpc.aid.perform(case["id"], "approve", {})
        done = rpc.aid.perform(case["id"], "complete", {})
    assert done["result"]["loan"]["receipt_code"] == "A1B2C3D4E5"
    entries = eventually(lambda: aid_entries(plat, WU))
    assert [(e["amount_cents"], e["description"]) for e in entries] == [
        (1200000, "2026-2027学年生源地信用助学贷款")]
    with plat.rpc(WU) as rpc:                              # not the campus loan as well
        with pytest.raises(DomainError) as err:
            rpc.aid.submit_case("aid.campus-loan", ["loan_application", "id_card",
                                                    "student_card"],
                                {"amount_yuan": 8000, "study_level": "undergraduate",
                                 "purpose": "fees", "statement": "缴学费"})
    assert err.value.code == "award_conflict"


def test_a_work_study_post_is_named_when_the_student_is_placed(plat):
    with plat.rpc(STUDENT) as rpc:
        case = rpc.aid.submit_case("aid.work-study", ["application_form"], {
            "preferred_post": "library", "hours_per_week": 6, "free_times": "周三下午"})
    assert case["result"]["priority"] is False          # not recognised: no priority
    with plat.rpc(B) as rpc:
        rpc.aid.act(case["id"], "accept")
    with plat.rpc(A) as rpc:
        rpc.aid.act(case["id"], "approve")
        [complete] = [a for a in rpc.aid.get_case(case["id"])["next_actions"]
                      if a["action"] == "complete"]
        assert complete["input_schema"]["required"] == ["post_name"]
        with pytest.raises(DomainError) as err:
            rpc.aid.perform(case["id"], "complete", {"post_name": "  "})
        assert set(err.value.fields) == {"post_name"}
        done = rpc.aid.perform(case["id"], "complete", {"post_name": "图书馆流通部助理"})
    assert (done["status"], done["result"]["post_name"]) == ("completed", "图书馆流通部助理")


def test_policy_consultation_answers_at_once_and_in_writing(plat):
    with plat.rpc(STUDENT) as rpc:
        case = rpc.aid.submit_case("aid.policy-consultation", [],
                                   {"topic": "loan", "question": "助学贷款每年最多能贷多少？"})
    assert "20000元" in case["result"]["policy_zh"]
    with plat.rpc(B) as rpc:
        rpc.aid.act(case["id"], "accept")
        rpc.aid.act(case["id"], "approve")
        with pytest.raises(DomainError) as err:
            rpc.aid.act(case["id"], "complete")
        assert "extra.answer" in err.value.fields
        done = rpc.aid.act(case["id"], "complete", extra={"answer": "本专科生每年最高20000元。"})
    assert done["result"]["answer"] == "本专科生每年最高20000元。"


def test_programmes_are_public(plat):
    with plat.rpc() as rpc:
        programmes = {p["programme"]: p for p in rpc.aid.programmes()}
    assert programmes["national_scholarship"]["amount_cents"] == 800000
    assert programmes["work_study"]["committee"] is False
