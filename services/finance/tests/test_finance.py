"""Finance on real RabbitMQ and PostgreSQL (started with the demo seed): arrears, charges,
idempotent payments, aid payouts and the refund flow."""
import threading
import time
from datetime import datetime

import pytest
from kombu import Connection
from nameko.events import get_event_exchange
from nameko.standalone.rpc import ClusterRpcProxy

from osac_shared.clock import TZ
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
STUDENT, STUDENT2 = ACTORS["student"], ACTORS["student2"]
B, A = staff("finance", "b_post"), staff("finance", "a_post")


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["finance"], clock_file=str(clock), extra_env={"SEED_DEMO": "1"})


def publish_aid_event(plat, envelope):
    exchange = get_event_exchange("aid", {"AMQP_URI": plat.amqp_uri})
    with Connection(plat.amqp_uri) as conn:
        conn.Producer(serializer="json").publish(
            envelope, exchange=exchange, routing_key=envelope["type"], declare=[exchange],
            retry=True)


def account(plat, student):
    with plat.rpc(student) as rpc:
        return rpc.finance.ledger(student["id"])


def kinds(statement):
    return sorted((e["kind"], e["amount_cents"]) for e in statement["entries"])


def test_demo_charges_survive_a_restart_once(plat):
    plat.restart_service("finance")                  # the seed runs again: nothing is added
    first = account(plat, STUDENT)
    assert kinds(first) == [("charge", 120000), ("charge", 580000)]
    assert (first["balance_cents"], first["arrears_cents"]) == (700000, 700000)
    assert {e["description"] for e in first["entries"]} == {"2026-2027学年学费",
                                                            "2026-2027学年住宿费"}


def test_payments_are_idempotent_and_never_exceed_arrears(plat):
    with plat.rpc(STUDENT) as rpc:
        paid = rpc.finance.pay(100000, "pay-1")
        assert rpc.finance.pay(100000, "pay-1") == paid            # same key: same payment
        with pytest.raises(DomainError) as err:
            rpc.finance.pay(200000, "pay-1")                       # same key, other amount
        assert (err.value.code, err.value.status) == ("idempotency_conflict", 409)
        with pytest.raises(DomainError) as err:
            rpc.finance.pay(600001, "pay-2")                       # owes 600000 now
        assert (err.value.code, err.value.status) == ("overpayment", 422)
        assert set(err.value.fields) == {"amount_cents"}
        with pytest.raises(DomainError) as err:
            rpc.finance.pay(100, "pay-3", charge_id=999999)
        assert set(err.value.fields) == {"charge_id"}
        statement = rpc.finance.ledger(STUDENT["id"])
    assert [e["kind"] for e in statement["entries"]].count("payment") == 1
    assert statement["arrears_cents"] == 600000
    tuition = next(e for e in statement["entries"] if e["description"].endswith("学费"))
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:               # more than that one charge
            rpc.finance.pay(580001, "pay-4", charge_id=tuition["id"])
        assert err.value.code == "overpayment"
        part = rpc.finance.pay(580000, "pay-4", charge_id=tuition["id"])
        assert (part["charge_id"], part["description"]) == (tuition["id"], "缴纳：2026-2027学年学费")
        assert rpc.finance.arrears(STUDENT["id"])["arrears_cents"] == 20000


def test_concurrent_retries_of_one_payment_write_one_entry(plat):
    results, errors = [], []

    def pay():
        try:
            with ClusterRpcProxy({"AMQP_URI": plat.amqp_uri}, timeout=10,
                                 context_data={"actor": STUDENT2}) as rpc:
                results.append(rpc.finance.pay(50000, "double-click"))
        except Exception as exc:      # noqa: BLE001 (collected and asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=pay) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r["id"] for r in results}) == 1 and len(results) == 5
    statement = account(plat, STUDENT2)
    assert [e["kind"] for e in statement["entries"]].count("payment") == 1
    assert statement["arrears_cents"] == 650000


def test_charges_are_for_finance_staff_and_idempotent(plat):
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.finance.charge(STUDENT["id"], 100, "教材费", "book-1")
        assert err.value.status == 403
    with plat.rpc(B) as rpc:
        first = rpc.finance.charge("2026000009", 35000, "教材费", "book-1")
        assert rpc.finance.charge("2026000009", 35000, "教材费", "book-1") == first
        with pytest.raises(DomainError) as err:
            rpc.finance.charge("2026000009", 36000, "教材费", "book-1")
        assert err.value.status == 409
        with pytest.raises(DomainError) as err:
            rpc.finance.charge("2026000009", 35000, "", "book-2")
        assert set(err.value.fields) == {"description"}
        assert rpc.finance.arrears("2026000009")["arrears_cents"] == 35000


def test_ledgers_are_private(plat):
    with plat.rpc(STUDENT2) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.finance.ledger(STUDENT["id"])
        assert err.value.status == 403
    with plat.rpc(staff("aid", "a_post")) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.finance.arrears(STUDENT["id"])
        assert err.value.status == 403
    with plat.rpc(ACTORS["director"]) as rpc:
        assert rpc.finance.arrears(STUDENT["id"])["student_id"] == STUDENT["id"]


REFUND_MATERIALS = ["refund_form", "bank_card"]


def refund_form(yuan, **more):
    return {"amount_yuan": yuan, "reason": "aid_surplus", "details": "助学金结余退回",
            "bank_name": "中国建设银行长沙韶山路支行", "bank_account": "6217002870012345678",
            **more}


def next_actions(plat, actor, case_id):
    with plat.rpc(actor) as rpc:
        case = rpc.finance.get_case(case_id)
    return [a["action"] for a in case["next_actions"]], case["waiting_for"]


def test_aid_payout_then_refund_of_the_credit(plat):
    student = {"id": "2026000077", "role": "student", "name": "王五"}
    with plat.rpc(student) as rpc:          # nothing to refund yet: one notice says so
        with pytest.raises(DomainError) as err:
            rpc.finance.submit_case("finance.refund", [], refund_form(10))
        assert err.value.status == 422
        assert set(err.value.fields) == {"form.amount_yuan", "materials.refund_form",
                                         "materials.bank_card"}
        assert "没有可退的余额" in err.value.fields["form.amount_yuan"]
    award = make_event("aid.awarded", "aid", {
        "student_id": student["id"], "programme": "national_grant", "amount_cents": 330000,
        "academic_year": "2026-2027"}, occurred_at=T0, case_id="aid-20261207-0000aaaa")
    publish_aid_event(plat, award)
    publish_aid_event(plat, award)                   # delivered twice: paid once
    deadline = time.time() + 15
    while account(plat, student)["credit_cents"] == 0 and time.time() < deadline:
        time.sleep(0.2)
    statement = account(plat, student)
    assert kinds(statement) == [("aid_disbursement", 330000)]
    assert statement["entries"][0]["description"] == "2026-2027学年国家助学金"

    with plat.rpc(student) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.finance.submit_case("finance.refund", REFUND_MATERIALS, refund_form(3300.01))
        assert set(err.value.fields) == {"form.amount_yuan"}
        assert "最多可退3300.00元" in err.value.fields["form.amount_yuan"]
        with pytest.raises(DomainError) as err:      # a leave needs its approval papers
            rpc.finance.submit_case("finance.refund", REFUND_MATERIALS,
                                    refund_form(3300, reason="leave"))
        assert set(err.value.fields) == {"materials.supporting_documents"}
        first = rpc.finance.submit_case("finance.refund", REFUND_MATERIALS, refund_form(3300))
    assert first["result"] == {"amount_cents": 330000}
    with plat.rpc(B) as rpc:
        rpc.finance.act(first["id"], "accept")
        with pytest.raises(DomainError) as err:
            rpc.finance.act(first["id"], "approve")
        assert err.value.status == 403
        assert "bank_account" in rpc.finance.get_case(first["id"])["form"]
        assert rpc.finance.get_case(first["id"])["form"]["bank_account"] != "6217002870012345678"
    assert "approve" in next_actions(plat, A, first["id"])[0]
    with plat.rpc(A) as rpc:
        rpc.finance.perform(first["id"], "approve", {})
    assert "complete" in next_actions(plat, A, first["id"])[0]
    with plat.rpc(B) as rpc:                         # a new charge eats into the credit
        rpc.finance.charge(student["id"], 100, "教材费", "book-77")
    listed, waiting = next_actions(plat, A, first["id"])
    assert "complete" not in listed and "余额已不足" in waiting["label_zh"]
    with plat.rpc(A) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.finance.perform(first["id"], "complete", {})
        assert err.value.code == "action_not_available"
        rpc.finance.perform(first["id"], "reject", {"reason": "账户余额已不足，请按新余额重新申请"})

    with plat.rpc(student) as rpc:
        case = rpc.finance.submit_case("finance.refund", REFUND_MATERIALS, refund_form(3299))
    with plat.rpc(B) as rpc:
        rpc.finance.perform(case["id"], "accept", {})
    with plat.rpc(A) as rpc:
        rpc.finance.perform(case["id"], "approve", {})
        [issue] = [a for a in rpc.finance.get_case(case["id"])["next_actions"]
                   if a["action"] == "complete"]
        assert issue["label_zh"].startswith("发放退款")
        done = rpc.finance.perform(case["id"], "complete", {})
    assert done["status"] == "completed"
    statement = account(plat, student)
    assert kinds(statement) == [("aid_disbursement", 330000), ("charge", 100),
                                ("refund", 329900)]
    refund = next(e for e in statement["entries"] if e["kind"] == "refund")
    assert done["result"]["refund_entry_id"] == refund["id"]
    assert refund["description"] == "退费：资助款抵扣学费后的结余"
    assert (statement["balance_cents"], statement["credit_cents"]) == (0, 0)


def test_fee_consultation_needs_a_written_answer(plat):
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.finance.submit_case("finance.fee-consultation", [], {"question": "  "})
        assert set(err.value.fields) == {"form.topic", "form.question"}
        case = rpc.finance.submit_case("finance.fee-consultation", [],
                                       {"topic": "arrears", "question": "住宿费可以分期缴纳吗？"})
    assert "缓缴" in case["result"]["policy_zh"]
    assert case["result"]["account"]["student_id"] == STUDENT["id"]
    with plat.rpc(B) as rpc:
        rpc.finance.act(case["id"], "accept")
        rpc.finance.act(case["id"], "approve")
        with pytest.raises(DomainError) as err:
            rpc.finance.act(case["id"], "complete")
        assert "extra.answer" in err.value.fields
        done = rpc.finance.act(case["id"], "complete", extra={"answer": "可申请缓缴。"})
    assert done["result"]["answer"] == "可申请缓缴。"


def publish_event(plat, source, envelope):
    exchange = get_event_exchange(source, {"AMQP_URI": plat.amqp_uri})
    with Connection(plat.amqp_uri) as conn:
        conn.Producer(serializer="json").publish(
            envelope, exchange=exchange, routing_key=envelope["type"], declare=[exchange],
            retry=True)


@pytest.mark.parametrize("source", ["student_affairs", "campus_it"])
def test_fees_raised_by_other_departments_are_charged_once(plat, source):
    student = {"id": f"20260009{len(source)}", "role": "student", "name": "赵六"}
    fee = make_event("fee.requested", source, {
        "student_id": student["id"], "amount_cents": 1500, "description": "学生证补办工本费",
        "reference": f"{source}-20261207-0000beef"}, occurred_at=T0,
        case_id=f"{source}-20261207-0000beef")
    again = dict(fee, event_id=fee["event_id"][:-4] + "ffff")   # a second event, same fee
    for envelope in (fee, fee, again):
        publish_event(plat, source, envelope)
    deadline = time.time() + 15
    while account(plat, student)["arrears_cents"] == 0 and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1)                                   # let any duplicate land too
    statement = account(plat, student)
    assert kinds(statement) == [("charge", 1500)]
    assert statement["entries"][0]["description"] == "学生证补办工本费"
    assert statement["arrears_cents"] == 1500
