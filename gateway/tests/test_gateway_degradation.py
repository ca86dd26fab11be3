"""Degradation on the real platform: SLA not running, a department stopped, a department frozen
(SIGSTOP: it holds its queue but never answers). The gateway must answer quickly, name what
is unavailable, refuse writes to a stopped department with 503 and never send them."""
import os
import signal
import time

import pytest
import requests

RPC_TIMEOUT = 2.0
REPAIR = {"building": "B1", "room": "101", "facility": "door_window", "description": "门锁坏了"}

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
def plat(platform_factory):
    # one worker so the catalogue cache a test fills is the one the next request reads
    return platform_factory(["logistics"], gateway=True, gateway_workers=1,
                            extra_env={"RPC_TIMEOUT": str(RPC_TIMEOUT), "CATALOGUE_TTL": "0"})


@pytest.fixture(scope="module")
def url(plat):
    return plat.gateway_url


@pytest.fixture(scope="module")
def student(url, login):
    return login(url, "2026000001")


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def submit(student, url, description):
    return student.post(url + "/api/cases", timeout=30, json={
        "item_code": "logistics.dorm-repair", "form": {**REPAIR, "description": description}})


def descriptions(student, url):
    body = student.get(url + "/api/me/cases", params={"per_page": 100}, timeout=30).json()
    return [c["form"].get("description") for c in body["cases"]]


def test_without_sla_deadlines_are_null_and_sla_is_named(url, student):
    case = submit(student, url, "没有时限服务").json()
    got = student.get(url + f"/api/cases/{case['id']}", timeout=10).json()
    assert got["status"] == "submitted"
    assert (got["due_at"], got["flagged"], got["unavailable"]) == (None, False, ["sla"])
    listing = student.get(url + "/api/me/cases", timeout=10).json()
    assert "sla" in listing["unavailable"] and listing["cases"][0]["due_at"] is None
    assert requests.get(url + "/healthz", timeout=10).json()["dependencies"]["sla"] == "down"


def test_stopped_department_degrades_and_gets_no_writes(plat, url, student):
    assert requests.get(url + "/api/catalogue", timeout=10).json()["items"]   # fills the cache
    plat.processes["logistics"].stop()
    try:
        listing, seconds = timed(lambda: student.get(url + "/api/me/cases", timeout=30))
        assert listing.status_code == 200 and seconds < 1.5
        assert "logistics" in listing.json()["unavailable"] and listing.json()["cases"] == []

        refused, seconds = timed(lambda: submit(student, url, "部门停止时提交"))
        assert refused.status_code == 503 and seconds < 1.5
        body = refused.json()
        assert body["error"] == "service_unavailable"
        assert "后勤处" in body["message"] and "Logistics" in body["message_en"]

        catalogue = requests.get(url + "/api/catalogue", timeout=10).json()
        assert "logistics" in catalogue["stale"] and catalogue["items"]   # last known copy
        assert "后勤处" in requests.get(url + "/", timeout=10).text
        health = requests.get(url + "/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["dependencies"]["logistics"] == "down"
    finally:
        plat.start_service("logistics")
    time.sleep(2)                                     # past the consumer probe's cache
    assert submit(student, url, "恢复后提交").status_code == 201
    seen = descriptions(student, url)
    assert "恢复后提交" in seen
    assert "部门停止时提交" not in seen                # the refused write was never sent


def test_frozen_department_times_out_within_rpc_timeout(plat, url, student):
    pgid = plat.processes["logistics"].proc.pid
    os.killpg(pgid, signal.SIGSTOP)
    try:
        listing, seconds = timed(lambda: student.get(url + "/api/me/cases", timeout=30))
        assert listing.status_code == 200 and seconds < RPC_TIMEOUT + 1.5
        assert "logistics" in listing.json()["unavailable"]

        late, seconds = timed(lambda: submit(student, url, "冻结时提交"))
        assert late.status_code == 504 and seconds < RPC_TIMEOUT + 1.5
        assert "后勤处" in late.json()["message"] and "我的事项" in late.json()["message"]
    finally:
        os.killpg(pgid, signal.SIGCONT)
    # the thread's proxy was rebuilt after the time-out: the next calls work normally
    for _ in range(3):
        assert submit(student, url, "解冻后提交").status_code == 201
    assert "logistics" not in student.get(url + "/api/me/cases",
                                          timeout=10).json()["unavailable"]
