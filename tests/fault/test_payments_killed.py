"""(d) Payments through the gateway, each retried with its own Idempotency-Key until answered,
while the finance service is killed (SIGKILL) and restarted: the ledger balances and no
payment is doubled."""
import time

import pytest

from osac_shared.testing import staff

pytestmark = pytest.mark.fault

STUDENTS = ["2026000001", "2026000002"]
OWED = 1_000_000           # cents charged to each student before the run
PAYMENT = 100              # cents per payment


@pytest.fixture(scope="module")
def plat(platform_factory):
    p = platform_factory(["finance"], gateway=True,
                         extra_env={"RPC_TIMEOUT": "3", "PROBE_TTL": "0.5", "MAX_WORKERS": "4"})
    with p.rpc(staff("finance")) as rpc:
        for student in STUDENTS:
            rpc.finance.charge(student, OWED, "故障测试应缴费用 / fault-test charge",
                               f"fault-charge-{student}")
    return p


def test_payments_are_never_lost_or_doubled_when_finance_is_killed(plat, tools):
    tag = f"pay-{plat.tag}"
    load = tools.Load(plat.gateway_url, "/api/finance/payments", STUDENTS,
                      lambda i: {"amount_cents": PAYMENT}, tag=tag, threads=4).start()
    time.sleep(4)
    plat.processes["finance"].kill()
    killed = time.monotonic()
    time.sleep(3)
    restarted = time.monotonic()
    plat.start_service("finance")
    healthy = time.monotonic()
    time.sleep(5)
    load.stop()

    rows = tools.query(plat.db_url("finance"),
                       "SELECT idempotency_key, id, student_id, kind, amount_cents "
                       "FROM ledger_entries")
    payments = [r for r in rows if r.idempotency_key.startswith(tag + "-")]
    figures = load.tally([(r.idempotency_key, r.id) for r in payments], "id", "created_at")
    balanced = []
    for student in STUDENTS:
        paid = sum(r.amount_cents for r in payments if r.student_id == student)
        statement = tools.login(plat.gateway_url, student).get(
            plat.gateway_url + "/api/finance/ledger", timeout=15).json()
        balanced.append(statement["balance_cents"] == OWED - paid
                        and sum(r.amount_cents for r in rows if r.student_id == student
                                and r.kind == "charge") == OWED)
    row = tools.record("d_finance_killed", what="payments",
                       fault="finance SIGKILL, down 3 s, restarted",
                       outage_s=round(restarted - killed, 2),
                       restart_to_healthy_s=round(healthy - restarted, 2),
                       recovery_s=load.recovery_after(restarted),
                       ledger_balances=all(balanced),
                       paid_cents=sum(r.amount_cents for r in payments), **figures)
    assert row["accepted"] > 20 and row["unanswered"] == 0 and row["refused"] == 0
    assert row["lost"] == 0 and row["duplicated"] == 0 and row["ledger_balances"]
    assert row["paid_cents"] == row["accepted"] * PAYMENT
    assert row["done_though_503"] == 0          # a 503 means nothing was sent
    assert any(s in row["http_statuses"] for s in ("503", "504"))
