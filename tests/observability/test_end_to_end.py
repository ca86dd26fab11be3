"""One correlation id, end to end, and the metrics, on the real platform (logistics, sla and the
gateway under gunicorn on RabbitMQ and PostgreSQL): a request's ``X-Request-ID`` is echoed,
and appears in the gateway's, the department's and the SLA's JSON log lines (the SLA's for
the case.submitted event the request caused); the gateway's /metrics and each service's
METRICS_PORT serve the figures the alerts and the dashboard use."""
import json
import time
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from osac_shared.observability import METRICS
from osac_shared.testing import free_port

REPAIR = {"item_code": "logistics.dorm-repair", "materials": [],
          "form": {"building": "C2", "room": "415", "facility": "water",
                   "description": "水龙头漏水"}}
LOG_KEYS = {"time", "level", "service", "message", "correlation_id"}


@pytest.fixture(scope="module")
def plat(platform_factory):
    plat = platform_factory(["logistics", "sla"], gateway=True, gateway_workers=1, extra_env={
        "GUNICORN_CMD_ARGS": "--logger-class osac_shared.observability.GunicornJsonLogger"})
    plat.metrics_ports = {}
    for name in ("logistics", "sla"):          # again, each with its own METRICS_PORT
        proc = plat.service_process(name)
        proc.env["METRICS_PORT"] = plat.metrics_ports[name] = str(free_port())
        plat.processes[name].stop()
        proc.start()
        plat.processes[name] = proc
        plat.wait_healthy(name)
    return plat


def login(url, username):
    session = requests.Session()
    r = session.post(f"{url}/api/login", json={"username": username, "password": "demo1234"},
                     timeout=15)
    assert r.status_code == 200, r.text
    if session.cookies.get("csrf_token"):
        session.headers["X-CSRF-Token"] = session.cookies["csrf_token"]
    return session


def json_lines(plat, name):
    with open(plat.processes[name].log_path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def eventually(probe, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def samples(text):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found, name, **labels):
    return sum(v for (n, ls), v in found.items()
               if n == name and all(dict(ls).get(k) == str(w) for k, w in labels.items()))


def test_one_request_id_through_gateway_department_and_sla(plat):
    rid = f"e2e-{uuid.uuid4().hex[:12]}"
    student = login(plat.gateway_url, "2026000001")
    r = student.post(f"{plat.gateway_url}/api/cases", json=REPAIR,
                     headers={"X-Request-ID": rid}, timeout=15)
    assert r.status_code == 201, r.text
    assert r.headers["X-Request-ID"] == rid
    case_id = r.json()["id"]
    assert eventually(lambda: student.get(f"{plat.gateway_url}/api/cases/{case_id}",
                                          timeout=15).json().get("due_at"))
    anonymous = requests.get(f"{plat.gateway_url}/healthz", timeout=15)
    assert len(anonymous.headers["X-Request-ID"]) >= 8          # one is made when none given

    gateway = eventually(lambda: [l for l in json_lines(plat, "gateway")
                                  if l["correlation_id"] == rid])
    assert any(l["service"] == "gateway" and l.get("route") == "/api/cases"
               and l.get("status") == 201 for l in gateway), gateway
    department = eventually(lambda: [l for l in json_lines(plat, "logistics")
                                     if l["correlation_id"] == rid])
    assert any(l["message"].startswith("rpc logistics.submit_case ok") for l in department)
    sla = eventually(lambda: [l for l in json_lines(plat, "sla")
                              if l["correlation_id"] == rid and l.get("kind") == "event"])
    assert [(l["type"], l["case_id"], l["outcome"]) for l in sla] == [
        ("case.submitted", case_id, "ok")]
    for name in ("gateway", "logistics", "sla"):                 # every line is one object
        with open(plat.processes[name].log_path, encoding="utf-8") as f:
            lines = [line for line in f if line.strip()]
        parsed = [json.loads(line) for line in lines]
        assert all(LOG_KEYS <= set(p) for p in parsed), name


def test_gateway_and_services_export_the_metrics_alerts_use(plat):
    student = login(plat.gateway_url, "2026000002")
    r = student.post(f"{plat.gateway_url}/api/cases", json=REPAIR, timeout=15)
    assert r.status_code == 201
    assert student.get(f"{plat.gateway_url}/api/cases/no-such-case", timeout=15).status_code \
        == 404

    gateway = samples(requests.get(f"{plat.gateway_url}/metrics", timeout=15).text)
    assert value(gateway, "osac_http_requests_total", route="/api/cases", status=201) >= 1
    assert value(gateway, "osac_http_requests_total", route="/api/cases/<case_id>",
                 status=404) >= 1
    assert value(gateway, "osac_http_request_duration_seconds_count", route="/api/cases") >= 1
    assert value(gateway, "osac_gateway_rpc_duration_seconds_count", service="logistics",
                 method="submit_case") >= 1
    assert value(gateway, "osac_gateway_rpc_calls_total", service="logistics",
                 method="submit_case", outcome="ok") >= 1

    def service(name):
        port = plat.metrics_ports[name]
        return samples(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=15).text)

    logistics = eventually(lambda: (lambda s: s if value(
        s, "osac_outbox_published_total", service="logistics", type="case.submitted") >= 1
        else None)(service("logistics")))
    assert value(logistics, "osac_rpc_duration_seconds_count", service="logistics",
                 method="submit_case") >= 1
    assert value(logistics, "osac_rpc_requests_total", service="logistics",
                 method="submit_case", outcome="ok") >= 1
    assert ("osac_outbox_backlog", (("service", "logistics"),)) in logistics
    # the handler's change (the open deadline) commits before its counter is bumped on return,
    # so wait for both in one scrape
    sla = eventually(lambda: (lambda s: s if value(
        s, "osac_sla_open_deadlines", department="logistics", timer="completion") >= 1
        and value(s, "osac_events_consumed_total", service="sla", source="logistics",
                  type="case.submitted", outcome="ok") >= 1
        else None)(service("sla")))
    exported = {n for found in (gateway, logistics, sla) for n, _ in found
                if n.startswith("osac_")}
    assert exported <= set(METRICS), exported - set(METRICS)
