"""Aid on the real platform (aid + finance on RabbitMQ and PostgreSQL): the multi-stage review,
the public notice, and the award paid into the finance ledger exactly once."""
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
STUDENT, STUDENT2 = ACTORS["student"], ACTORS["student2"]
B, A = staff("aid", "b_post"), staff("aid", "a_post")
SCHOLARSHIP = ("aid.national-scholarship", ["application_form", "transcript"],
               {"hardship_level": "none", "rank_percent": 5, "statement": "专业第一"})


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["aid", "finance"], clock_file=str(clock))


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
    with plat.rpc(STUDENT) as rpc:
        case = rpc.aid.submit_case(*SCHOLARSHIP, "ns-1")
    assert case["result"] == {"programme": "national_scholarship", "academic_year": "2026-2027",
                              "stage": "b_review", "amount_cents": 800000}
    cid = case["id"]
    with plat.rpc(B) as rpc:
        assert rpc.aid.act(cid, "accept")["result"]["stage"] == "a_review"
        with pytest.raises(DomainError) as err:          # an A-post item: B may not approve
            rpc.aid.act(cid, "approve")
        assert err.value.status == 403
        with pytest.raises(DomainError) as err:          # the committee is recorded by A
            rpc.aid.record_committee_decision(cid, True, "")
        assert err.value.status == 403
    with plat.rpc(A) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.record_committee_decision(cid, True, "")
        assert err.value.code == "not_in_committee"
        approved = rpc.aid.act(cid, "approve")
        assert (approved["status"], approved["result"]["stage"]) == ("processing", "committee")
        with pytest.raises(DomainError) as err:
            rpc.aid.act(cid, "complete")
        assert err.value.code == "committee_pending"
        noticed = rpc.aid.record_committee_decision(cid, True, "评审通过")
    assert noticed["result"]["stage"] == "public_notice"
    assert noticed["result"]["notice_until"] == "2026-12-14T17:30:00+08:00"

    plat.set_time(datetime(2026, 12, 14, 17, 0, tzinfo=TZ))   # still inside the notice
    with plat.rpc(A) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.act(cid, "complete")
    assert err.value.code == "notice_period" and err.value.status == 409
    assert "notice_until" in err.value.fields
    assert aid_entries(plat, STUDENT) == []

    plat.set_time(datetime(2026, 12, 14, 17, 31, tzinfo=TZ))
    with plat.rpc(A) as rpc:
        done = rpc.aid.act(cid, "complete")
    assert (done["status"], done["result"]["stage"]) == ("completed", "awarded")
    assert [h["to"] for h in done["history"]] == ["submitted", "accepted", "processing",
                                                   "completed"]

    entries = eventually(lambda: aid_entries(plat, STUDENT))
    assert [(e["amount_cents"], e["ref"]) for e in entries] == [(800000, cid)]
    assert entries[0]["description"] == "2026-2027学年国家奖学金"

    # at-least-once delivery: the same envelope arrives twice more
    [envelope] = published_awards(plat)
    assert envelope["case_id"] == cid and envelope["data"]["amount_cents"] == 800000
    publish_aid_event(plat, envelope)
    publish_aid_event(plat, envelope)
    # a later, different event shows the duplicates have gone through the same queue
    sentinel = make_event("aid.awarded", "aid", {
        "student_id": STUDENT2["id"], "programme": "hardship_subsidy", "amount_cents": 100,
        "academic_year": "2026-2027"}, occurred_at=T0, case_id="aid-sentinel")
    publish_aid_event(plat, sentinel)
    assert eventually(lambda: aid_entries(plat, STUDENT2))
    time.sleep(0.5)
    assert len(aid_entries(plat, STUDENT)) == 1
    with plat.rpc(STUDENT) as rpc:
        account = rpc.finance.arrears(STUDENT["id"])
    assert (account["balance_cents"], account["credit_cents"]) == (-800000, 800000)

    # the same student may not add the encouragement scholarship in the same year
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.submit_case("aid.national-encouragement",
                                ["application_form", "transcript", "hardship_recognition"],
                                {"hardship_level": "general", "rank_percent": 5})
    assert err.value.code == "award_conflict" and "item_code" in err.value.fields


def test_ineligible_application_names_the_fields_and_is_not_kept(plat):
    with plat.rpc(STUDENT2) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.submit_case("aid.national-encouragement",
                                ["application_form", "transcript", "hardship_recognition"],
                                {"hardship_level": "none", "rank_percent": 45})
        assert err.value.code == "not_eligible" and err.value.status == 422
        assert set(err.value.fields) == {"form.hardship_level", "form.rank_percent"}
        assert "前30%" in err.value.fields["form.rank_percent"]
        assert rpc.aid.list_cases()["total"] == 0


def test_committee_refusal_rejects_with_the_reason(plat):
    with plat.rpc(STUDENT2) as rpc:
        case = rpc.aid.submit_case("aid.national-grant",
                                   ["application_form", "hardship_recognition"],
                                   {"hardship_level": "hard"})
    assert (case["result"]["amount_cents"], case["result"]["tier_zh"]) == (330000, "二档")
    with plat.rpc(B) as rpc:
        rpc.aid.act(case["id"], "accept")
    with plat.rpc(A) as rpc:
        rpc.aid.act(case["id"], "approve")
        with pytest.raises(DomainError) as err:
            rpc.aid.record_committee_decision(case["id"], False, "")
        assert set(err.value.fields) == {"note"}
        refused = rpc.aid.record_committee_decision(case["id"], False, "本年度名额已满")
    assert refused["status"] == "rejected"
    assert refused["result"]["stage"] == "closed"
    assert refused["history"][-1]["reason"] == "资助委员会评审未通过：本年度名额已满"


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
