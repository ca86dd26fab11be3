"""The gateway's RPC metrics on the real platform: a fan-out's calls run at once, and each is
counted and timed on its own in ``osac_gateway_rpc_duration_seconds{service, method,
outcome}``: one observation per department per fan-out, and a department that hangs does not
make the others look slow. The gateway runs as deployed (gunicorn, 2 workers, one
PROMETHEUS_MULTIPROC_DIR), so /metrics is what Prometheus would scrape."""
import os
import signal
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from osac_shared.registry import DEPARTMENTS
from osac_shared.testing import fresh_database, login_session

RUNNING = ["logistics", "aid", "finance"]       # the other departments are not started
RPC_TIMEOUT = 4.0
HISTOGRAM = "osac_gateway_rpc_duration_seconds"


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    plat = platform_factory(RUNNING)
    # only the gateway gets the multiprocess directory (the services keep their own figures)
    plat.extra_env.update(PROMETHEUS_MULTIPROC_DIR=str(tmp_path_factory.mktemp("metrics")),
                          RPC_TIMEOUT=str(RPC_TIMEOUT))
    plat.db_urls["gateway"] = fresh_database(f"osac_{plat.tag}_gateway")
    plat.start_gateway()
    return plat


@pytest.fixture(scope="module")
def student(plat):
    return login_session(plat.gateway_url, "2026000001")


def scrape(plat):
    """{(sample name, service, method, outcome): value} of the gateway's RPC figures."""
    text = requests.get(f"{plat.gateway_url}/metrics", timeout=10).text
    return {(s.name, s.labels.get("service"), s.labels.get("method"), s.labels.get("outcome")):
            s.value for family in text_string_to_metric_families(text)
            for s in family.samples if s.name.startswith("osac_gateway_rpc")}


def grew(before, after, suffix, service, outcome, method="list_cases"):
    key = (HISTOGRAM + suffix, service, method, outcome)
    return after.get(key, 0) - before.get(key, 0)


def my_cases(plat, student):
    r = student.get(f"{plat.gateway_url}/api/me/cases", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_every_call_of_a_fan_out_is_observed_once(plat, student):
    before = scrape(plat)
    answer = my_cases(plat, student)          # list_cases to every department at once
    after = scrape(plat)
    assert answer["unavailable"] == sorted(set(DEPARTMENTS) - set(RUNNING))
    for department in DEPARTMENTS:
        outcome = "ok" if department in RUNNING else "unavailable"
        assert grew(before, after, "_count", department, outcome) == 1, department
        key = ("osac_gateway_rpc_calls_total", department, "list_cases", outcome)
        assert after.get(key, 0) - before.get(key, 0) == 1, department
        other = "unavailable" if outcome == "ok" else "ok"
        assert grew(before, after, "_count", department, other) == 0, department


def test_each_call_is_timed_on_its_own_not_by_the_slowest(plat, student):
    """aid hangs (SIGSTOP: its connection stays open, so the gateway sends it the call): the
    fan-out waits RPC_TIMEOUT for it, but logistics' and finance's calls are observed with
    their own short times, aid's with the time the gateway waited for it."""
    aid = plat.processes["aid"].proc.pid
    before = scrape(plat)
    os.kill(aid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        answer = my_cases(plat, student)
        took = time.monotonic() - started
    finally:
        os.kill(aid, signal.SIGCONT)
    after = scrape(plat)
    assert "aid" in answer["unavailable"] and took >= RPC_TIMEOUT
    assert grew(before, after, "_count", "aid", "unavailable") == 1
    assert grew(before, after, "_sum", "aid", "unavailable") >= RPC_TIMEOUT - 0.5
    for department in ("logistics", "finance"):
        assert grew(before, after, "_count", department, "ok") == 1
        assert grew(before, after, "_sum", department, "ok") < RPC_TIMEOUT / 2, department
    plat.wait_healthy("aid")
