"""(a) A department killed (SIGKILL) and restarted while students keep submitting through the
gateway. Each client retries its request with the same Idempotency-Key until it gets an answer:
every accepted case exists afterwards, under the id the student was given, and none twice."""
import time

import pytest

pytestmark = pytest.mark.fault

REPAIR = {"building": "C2", "room": "415", "facility": "electricity"}


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["logistics"], gateway=True,
                            extra_env={"RPC_TIMEOUT": "3", "PROBE_TTL": "0.5", "MAX_WORKERS": "4"})


def repair(i):
    return {"item_code": "logistics.dorm-repair",
            "form": {**REPAIR, "description": f"插座没电（第{i}次报修）"}}


def test_cases_survive_a_department_killed_mid_submission(plat, tools):
    load = tools.Load(plat.gateway_url, "/api/cases", ["2026000001", "2026000002"], repair,
                      tag=f"kill-{plat.tag}", threads=4).start()
    time.sleep(4)
    plat.processes["logistics"].kill()                 # SIGKILL: no goodbye, no ack
    killed = time.monotonic()
    time.sleep(3)
    restarted = time.monotonic()
    plat.start_service("logistics")                    # migrations, then nameko; waits healthy
    healthy = time.monotonic()
    time.sleep(5)
    load.stop()

    stored = tools.query(plat.db_url("logistics"),
                         "SELECT idempotency_key, id FROM cases WHERE idempotency_key LIKE :t",
                         t=f"kill-{plat.tag}-%")
    figures = load.tally([tuple(r) for r in stored], "id", "submitted_at")
    row = tools.record("a_department_killed", what="cases", fault="logistics SIGKILL, down 3 s, "
                       "restarted", outage_s=round(restarted - killed, 2),
                       restart_to_healthy_s=round(healthy - restarted, 2),
                       recovery_s=load.recovery_after(restarted), **figures)
    assert row["accepted"] > 20 and row["unanswered"] == 0 and row["refused"] == 0
    assert row["lost"] == 0 and row["duplicated"] == 0
    assert row["recovery_s"] is not None
    assert row["done_though_503"] == 0          # a 503 means nothing was sent
    assert any(s in row["http_statuses"] for s in ("503", "504"))    # the fault was felt
