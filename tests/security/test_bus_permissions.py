"""The bus: per-service RabbitMQ users from deploy/rabbitmq/definitions.json, on the real broker.

Every test platform runs its processes under those users (osac_shared.testing.BusUsers loads
the definitions into the platform's vhost as apply.sh does: user names prefixed with the
platform's tag, random passwords; deleted when it stops). Here, on the security platform
(every service and the gateway): the calls each service makes work under its user -- the hall
asks a department for a rated case and the SLA service for its report, sunshine asks a
department for a case a complaint cites -- and the same users are refused (ACCESS_REFUSED)
outside their own part of the bus: another service's exchange or queue, a method they never
call. tests/security/test_bus_calls.py checks that the permissions are the calls the code makes.
"""
import importlib.util
import os
import subprocess
import sys
import uuid

import amqp
import pytest
from amqp.exceptions import AccessRefused

from nameko.standalone.rpc import ClusterRpcProxy

from osac_shared.testing import ACTORS, REPO, rabbitmqctl

HERE = os.path.join(REPO, "deploy", "rabbitmq")
REPAIR = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}


def _load(name):
    spec = importlib.util.spec_from_file_location(f"rabbit_{name}",
                                                  os.path.join(HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


defs_tool = _load("defs")


def test_definitions_follow_the_code():
    """definitions.json is what generate.py derives from the service classes today."""
    result = subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--check"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("password, salt, expected", [
    # RabbitMQ's own documented example: salt 908D C60A, password "test12"
    ("test12", bytes.fromhex("908DC60A"), "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"),
])
def test_password_hash_is_rabbitmqs_salted_sha256(password, salt, expected):
    assert defs_tool.password_hash(password, salt) == expected


@pytest.fixture(scope="module")
def bus(sec):
    """The security platform's own users (every service, the SLA and hall services and the
    gateway run under them, as every Platform's processes do)."""
    return sec.plat.bus


def test_every_process_is_on_the_bus_as_its_own_user(sec):
    """Each service and the gateway is connected to the platform's vhost as its own user."""
    plat = sec.plat
    rows = rabbitmqctl("list_connections", "user", "vhost").stdout.splitlines()
    users = {line.split("\t")[0] for line in rows if line.endswith("\t" + plat.vhost)}
    processes = [*plat.services, "gateway"]
    assert {plat.bus.user(name) for name in processes} <= users
    assert all(plat.bus.user(name) in plat.processes[name].env["AMQP_URI"]
               for name in processes)


def publish(conn, exchange, routing_key):
    channel = conn.channel()
    channel.basic_publish(amqp.Message(b"{}", content_type="application/json"),
                          exchange=exchange, routing_key=routing_key)


def refused(conn, action):
    with pytest.raises(AccessRefused):
        action(conn)
    return True


def test_a_service_publishes_to_its_own_exchange_only(bus):
    # a routing key nobody binds: the shared platform's consumers never see these messages
    with bus.connect("finance") as conn:
        publish(conn, "finance.events", "bus-test.unrouted")        # its own: confirmed
        assert refused(conn, lambda c: publish(c, "aid.events", "aid.awarded"))
    with bus.connect("finance") as conn:
        assert refused(conn, lambda c: publish(c, "logistics.events", "case.submitted"))
    with bus.connect("logistics") as conn:
        assert refused(conn, lambda c: publish(c, "finance.events", "case.completed"))


@pytest.mark.parametrize("user, routing_key", [
    ("logistics", "finance.charge"),               # logistics calls nobody
    ("student_affairs", "finance.pay"),            # it calls security only, and only
    ("student_affairs", "security.get_case"),      # activity_approval_status
    ("hall", "logistics.list_cases"),              # the hall reads a rated case only
    ("hall", "sla.at_risk"),                       # and the SLA report
    ("hall", "finance.pay"),
    ("sunshine", "sla.report"),                    # sunshine reads a cited case only
    ("sunshine", "logistics.act"),
    ("sla", "hall.rate_case"),                     # the SLA service calls nobody
])
def test_a_call_the_service_never_makes_is_refused(bus, user, routing_key):
    """Topic permissions on nameko-rpc: its calls (and replies, and its own health) only."""
    with bus.connect(user) as conn:
        assert refused(conn, lambda c: publish(c, "nameko-rpc", routing_key))


def test_the_calls_a_service_makes_are_let_through(sec, bus):
    """The same users, making their real calls as nameko does (a standalone proxy's reply
    queue is one they may use: their container's health probe uses it too)."""
    with sec.plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR)
    with ClusterRpcProxy({"AMQP_URI": bus.uri("hall")}, timeout=30,
                         context_data={"actor": ACTORS["director"]}) as rpc:
        assert rpc.logistics.get_case(case["id"])["id"] == case["id"]
        report = rpc.sla.report("2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
        assert report["from"].startswith("2026-12-01")
        assert rpc.hall.health()["status"] == "ok"
    with ClusterRpcProxy({"AMQP_URI": bus.uri("sunshine")}, timeout=30,
                         context_data={"actor": ACTORS["student"]}) as rpc:
        assert rpc.logistics.get_case(case["id"])["id"] == case["id"]
    with ClusterRpcProxy({"AMQP_URI": bus.uri("logistics")}, timeout=30) as rpc:
        assert rpc.logistics.health()["status"] == "ok"
        with pytest.raises(AccessRefused):
            rpc.finance.health()


def test_a_service_cannot_listen_in_on_others(bus):
    """It cannot make a queue outside its names, nor bind its own to another's requests."""
    with bus.connect("logistics") as conn:
        assert refused(conn, lambda c: c.channel().queue_declare("rpc-finance", durable=True))
    with bus.connect("logistics") as conn:
        def sniff(c):
            ch = c.channel()
            q = f"rpc.reply-logistics-{uuid.uuid4()}"
            ch.queue_declare(q, exclusive=True)
            ch.queue_bind(q, "nameko-rpc", "finance.*")
        assert refused(conn, sniff)
    with bus.connect("finance") as conn:     # it handles aid.awarded only, not aid's cases
        def sniff_events(c):
            ch = c.channel()
            q = f"rpc.reply-finance-{uuid.uuid4()}"
            ch.queue_declare(q, exclusive=True)
            ch.queue_bind(q, "aid.events", "case.*")
        assert refused(conn, sniff_events)


def test_the_hall_rates_ranks_and_reports_under_its_own_user(sec, sessions):
    """Through the gateway, as users do: a student rates a completed case (the hall asks its
    department for it), the director reads the Sunshine ranking and the month's report (the
    hall asks the SLA service for the on-time rates), each under the hall's own user."""
    student, b = sessions("2026000001"), sessions("logistics_b")
    r = student.post(sec.url + "/api/cases", timeout=30, json={
        "item_code": "logistics.dorm-repair", "form": REPAIR})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    for action, body in (("accept", {}), ("approve", {}), ("complete", {"feedback": "已修好"})):
        r = b.post(f"{sec.url}/api/cases/{case_id}/{action}", json=body, timeout=30)
        assert r.status_code == 200, r.text
    r = student.post(sec.url + "/api/hall/rate", timeout=30,
                     json={"case_id": case_id, "satisfied": True, "comment": "很快"})
    assert r.status_code == 201, r.text
    assert r.json()["person_id"] == "logistics_b"
    director = sessions("director")
    r = director.get(sec.url + "/api/hall/sunshine", timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["sla"] == "ok" and len(r.json()["ranking"]) == 13
    r = director.get(sec.url + "/api/hall/report?period=2026-12", timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["sla"] == "ok"


def test_sunshine_checks_a_cited_case_under_its_own_user(sec, sessions):
    """A complaint citing the student's own case: sunshine reads it from its department."""
    student = sessions("2026000001")
    r = student.post(sec.url + "/api/cases", timeout=30, json={
        "item_code": "logistics.dorm-repair", "form": REPAIR})
    assert r.status_code == 201, r.text
    cited = r.json()["id"]
    r = student.post(sec.url + "/api/cases", timeout=30, json={
        "item_code": "sunshine.complaint-suggestion", "form": {
            "category": "complaint", "department": "logistics", "related_case_id": cited,
            "text": "报修以后一直没有人联系我"}})
    assert r.status_code == 201, r.text
    assert r.json()["result"]["related_case"]["id"] == cited
