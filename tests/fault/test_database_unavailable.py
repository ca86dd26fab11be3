"""(e) A database unavailable for a while. Each service has its own PostgreSQL database; the
test blocks one (``ALTER DATABASE ... ALLOW_CONNECTIONS false`` and ends its backends), then
allows it again.

1. The SLA's database goes away while cases are submitted: their events cannot be stored, and
   must not be lost either - they are read again once the database is back.
2. The department's own database goes away too: submissions are refused with a clear JSON
   error (no 500, no stack trace), nothing half-written is left, reads degrade.
3. Both come back: the refused submissions, retried with their keys, each create one case;
   every case has its history row, its event and its SLA deadline, once.
"""
import json
import time
from collections import Counter

import pytest
import requests

pytestmark = pytest.mark.fault

REPAIR = {"building": "G7", "room": "233", "facility": "furniture"}


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["logistics", "sla"], gateway=True,
                            extra_env={"RPC_TIMEOUT": "3", "PROBE_TTL": "0.5",
                                       "MAX_WORKERS": "4"})


def repair(n):
    return {"item_code": "logistics.dorm-repair",
            "form": {**REPAIR, "description": f"衣柜门掉了（{n}）"}}


def post(student, url, key, n):
    return student.post(url + "/api/cases", json=repair(n), headers={"Idempotency-Key": key},
                        timeout=15)


def test_a_database_outage_gives_clear_errors_no_partial_writes_and_recovers(plat, tools):
    url, tag = plat.gateway_url, f"db-{plat.tag}"
    student = tools.login(url, "2026000001")
    sla_db, logistics_db = (f"osac_{plat.tag}_sla", f"osac_{plat.tag}_logistics")
    keys, statuses, errors = [], [], []
    try:
        tools.block_database(sla_db)
        for n in range(5):                               # accepted: logistics is fine
            keys.append(f"{tag}-{n}")
            r = post(student, url, keys[-1], n)
            assert r.status_code == 201, r.text
        time.sleep(2)                                    # the SLA tries, and fails, meanwhile

        tools.block_database(logistics_db)
        for n in range(5, 10):                           # refused, clearly
            keys.append(f"{tag}-{n}")
            r = post(student, url, keys[-1], n)
            statuses.append(r.status_code)
            errors.append(r.json())
        listing = student.get(url + "/api/me/cases", timeout=15)
        health = requests.get(url + "/healthz", timeout=15).json()     # recorded below
        time.sleep(2)
    finally:
        tools.allow_database(logistics_db)
        tools.allow_database(sla_db)
    allowed = time.monotonic()

    retried = [tools.post_until_answered(student, url, "/api/cases", repair(n), keys[n],
                                         lambda: allowed + 60) for n in range(5, 10)]
    first_ok = min((a.ended for r in retried for a in r.attempts if a.status in (200, 201)),
                   default=None)

    q = tools.query
    cases = q(plat.db_url("logistics"), "SELECT id, idempotency_key FROM cases "
                                       "WHERE idempotency_key LIKE :t", t=f"{tag}-%")
    ids = {c.id for c in cases}
    history = Counter(r.case_id for r in q(plat.db_url("logistics"),
                                           "SELECT case_id FROM case_history"))
    events = Counter(json.loads(r.payload)["case_id"] for r in q(
        plat.db_url("logistics"), "SELECT payload FROM outbox"))
    tools.wait_until(lambda: ids <= {r.case_id for r in q(
        plat.db_url("sla"), "SELECT case_id FROM deadlines WHERE timer = 'completion'")},
        timeout=60)
    deadlines = {r.case_id for r in q(plat.db_url("sla"),
                                      "SELECT case_id FROM deadlines WHERE timer = 'completion'")}
    row = tools.record(
        "e_database_unavailable", what="cases (+ SLA deadlines)",
        fault="SLA database blocked, then the department's too (~4 s), then allowed again",
        attempted=len(keys), accepted=len(ids),
        lost=len(keys) - len({c.idempotency_key for c in cases})
             + len(ids - deadlines),
        duplicated=len(cases) - len({c.idempotency_key for c in cases}),
        recovery_s=round(first_ok - allowed, 2) if first_ok else None,
        refused_during_outage=dict(sorted((str(s), statuses.count(s)) for s in statuses)),
        error_codes=sorted({e["error"] for e in errors}),
        partial_writes=sum(1 for c in history if c not in ids)
                       + sum(1 for c in events if c not in ids),
        deadlines_missing=len(ids - deadlines),
        healthz_during_outage=health["dependencies"]["logistics"])

    # 2. clear errors while the department's database was away
    assert all(500 <= s < 600 and s != 500 for s in statuses), statuses
    assert all(e["message"] and e["message_en"] and e["error"] != "internal_error"
               and e["fields"].get("department") == "logistics" for e in errors), errors
    assert listing.status_code == 200 and "logistics" in listing.json()["unavailable"]
    # 3. recovered: every key made one case, with one history row and one event each
    assert all(r.accepted for r in retried) and row["recovery_s"] is not None
    assert row["accepted"] == 10 and row["duplicated"] == 0 and row["partial_writes"] == 0
    assert history == events == Counter({case_id: 1 for case_id in ids})
    # 1. no event lost while the SLA's database was away
    assert row["deadlines_missing"] == 0 and row["lost"] == 0
