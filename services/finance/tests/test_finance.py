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


def test_aid_payout_then_refund_of_the_credit(plat):
    student = {"id": "2026000077", "role": "student", "name": "王五"}
    with plat.rpc(student) as rpc:          # nothing to refund yet
        with pytest.raises(DomainError) as err:
            rpc.finance.submit_case("finance.refund", ["refund_form", "bank_card"],
                                    {"amount_cents": 1000, "reason": "多缴退费"})
        assert err.value.code == "refund_exceeds_credit"
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
            rpc.finance.submit_case("finance.refund", ["refund_form", "bank_card"],
                                    {"amount_cents": 330001, "reason": "助学金结余退回"})
        assert set(err.value.fields) == {"form.amount_cents"}
        case = rpc.finance.submit_case("finance.refund", ["refund_form", "bank_card"],
                                       {"amount_cents": 330000, "reason": "助学金结余退回"})
    with plat.rpc(B) as rpc:
        rpc.finance.act(case["id"], "accept")
        with pytest.raises(DomainError) as err:
            rpc.finance.act(case["id"], "approve")
        assert err.value.status == 403
    with plat.rpc(A) as rpc:
        rpc.finance.act(case["id"], "approve")
        done = rpc.finance.act(case["id"], "complete")
    assert done["status"] == "completed"
    statement = account(plat, student)
    assert kinds(statement) == [("aid_disbursement", 330000), ("refund", 330000)]
    assert done["result"]["refund_entry_id"] in [e["id"] for e in statement["entries"]]
    assert (statement["balance_cents"], statement["credit_cents"]) == (0, 0)


def test_fee_consultation_needs_a_written_answer(plat):
    with plat.rpc(STUDENT) as rpc:
        case = rpc.finance.submit_case("finance.fee-consultation", [],
                                       {"question": "住宿费可以分期缴纳吗？"})
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
