"""(b) The broker "restarts" under load: every connection of the test's vhost is force-closed,
twice, while students submit through the gateway (retrying each request with its key).

The machine has one RabbitMQ, shared with other test runs, so the node is not restarted:
``rabbitmqctl list_connections vhost pid`` finds this vhost's connections and each is closed
as ``rabbitmqctl close_connection`` closes it (conftest.close_vhost_connections). To every
client that is what a broker restart looks like: the socket drops, channels and unacked
deliveries are gone, durable queues and persistent messages stay. Services, gateway and SLA
must reconnect by themselves, every accepted case exists once, and every case event reaches
the SLA exactly once in effect: one completion deadline per accepted case, no mark counted
twice, none missing."""
import time

import pytest

pytestmark = pytest.mark.fault

REPAIR = {"building": "E5", "room": "108", "facility": "door_window"}


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["logistics", "sla"], gateway=True,
                            extra_env={"RPC_TIMEOUT": "3", "PROBE_TTL": "0.5", "MAX_WORKERS": "4"})


def repair(i):
    return {"item_code": "logistics.dorm-repair",
            "form": {**REPAIR, "description": f"门关不上（第{i}次）"}}


def test_cases_and_their_deadlines_survive_lost_broker_connections(plat, tools):
    tag = f"broker-{plat.tag}"
    load = tools.Load(plat.gateway_url, "/api/cases", ["2026000001", "2026000002"], repair,
                      tag=tag, threads=4).start()
    closed, recoveries = [], []
    time.sleep(4)
    for _ in range(2):
        moment = time.monotonic()
        closed.append(tools.close_vhost_connections(plat.vhost))
        time.sleep(6)
        recoveries.append(load.recovery_after(moment))
    load.stop()

    logistics, sla = plat.db_url("logistics"), plat.db_url("sla")
    stored = [tuple(r) for r in tools.query(
        logistics, "SELECT idempotency_key, id FROM cases WHERE idempotency_key LIKE :t",
        t=f"{tag}-%")]
    case_ids = {case_id for _, case_id in stored}

    def deadlines():
        rows = tools.query(sla, "SELECT case_id, marks FROM deadlines WHERE timer = 'completion'")
        return [r for r in rows if r.case_id in case_ids]
    tools.wait_until(lambda: len(deadlines()) >= len(case_ids), timeout=60)
    rows = deadlines()
    per_case = {}
    for r in rows:
        per_case[r.case_id] = per_case.get(r.case_id, 0) + 1
    unsent = tools.query(logistics, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]

    figures = load.tally(stored, "id", "submitted_at")
    row = tools.record(
        "b_broker_connections_closed", what="cases (+ SLA deadlines)",
        fault=f"all vhost connections force-closed twice ({' + '.join(map(str, closed))} "
              f"connections)",
        recovery_s=max(r for r in recoveries) if all(recoveries) else None,
        deadlines_missing=len(case_ids - set(per_case)),
        deadlines_duplicated=sum(n - 1 for n in per_case.values()),
        marks_duplicated=sum(len(r.marks or []) - len({m["event_id"] for m in r.marks or []})
                             for r in rows),
        outbox_unsent=unsent, **figures)
    assert all(n > 0 for n in closed)
    assert row["accepted"] > 20 and row["unanswered"] == 0 and row["refused"] == 0
    assert row["lost"] == 0 and row["duplicated"] == 0
    assert row["deadlines_missing"] == 0 and row["deadlines_duplicated"] == 0
    assert row["marks_duplicated"] == 0 and row["outbox_unsent"] == 0
    assert row["recovery_s"] is not None
    # a request whose reply was lost with the connection may have run: the gateway says 504
    # ("check before retrying"), never 503 ("nothing was sent")
    assert row["done_though_503"] == 0
