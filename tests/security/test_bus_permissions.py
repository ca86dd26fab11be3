"""The bus: per-service RabbitMQ users from deploy/rabbitmq/definitions.json, on the real broker.

The definitions are loaded into a vhost of the test's own, user names prefixed with the test's
tag and random passwords (deploy/rabbitmq/defs.py, as apply.sh does); the users are deleted
afterwards. Real services run under their own users and must work; the same users must be
refused (ACCESS_REFUSED) outside their own part of the bus.
"""
import importlib.util
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
import uuid

import amqp
import pytest
from amqp.exceptions import AccessRefused
from nameko.standalone.rpc import ClusterRpcProxy

from osac_shared.testing import AMQP_BASE, REPO, Platform, fresh_database

HERE = os.path.join(REPO, "deploy", "rabbitmq")


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
def bus():
    """A platform vhost (no services yet) with the definitions' users loaded into it."""
    plat = Platform([], tag="bus" + uuid.uuid4().hex[:6])
    plat.start()
    with open(os.path.join(HERE, "definitions.json")) as f:
        defs = json.load(f)
    prefix = f"t{plat.tag}-"
    passwords = {u["name"]: secrets.token_urlsafe(16) for u in defs["users"]}
    ready = defs_tool.retarget(defs, plat.vhost, prefix, passwords)
    subprocess.run(["rabbitmqctl", "-q", "import_definitions"], input=json.dumps(ready),
                   text=True, check=True, capture_output=True, timeout=60)
    host = urllib.parse.urlsplit(AMQP_BASE)

    def uri(user):
        return (f"amqp://{prefix}{user}:{passwords[user]}@{host.hostname}:{host.port or 5672}/"
                + urllib.parse.quote(plat.vhost, safe=""))

    def connect(user):
        conn = amqp.Connection(f"{host.hostname}:{host.port or 5672}", userid=prefix + user,
                               password=passwords[user], virtual_host=plat.vhost,
                               confirm_publish=True, connect_timeout=5)
        conn.connect()
        return conn

    yield plat, uri, connect
    plat.stop()
    deleting = [subprocess.Popen(["rabbitmqctl", "-q", "delete_user", prefix + user],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for user in passwords]                  # all at once: each CLI call is slow
    for proc in deleting:
        proc.wait(120)


def publish(conn, exchange, routing_key):
    channel = conn.channel()
    channel.basic_publish(amqp.Message(b"{}", content_type="application/json"),
                          exchange=exchange, routing_key=routing_key)


def refused(conn, action):
    with pytest.raises(AccessRefused):
        action(conn)
    return True


def test_a_service_publishes_to_its_own_exchange_only(bus):
    _, _, connect = bus
    with connect("finance") as conn:
        publish(conn, "finance.events", "case.submitted")          # its own: confirmed
        assert refused(conn, lambda c: publish(c, "aid.events", "aid.awarded"))
    with connect("finance") as conn:
        assert refused(conn, lambda c: publish(c, "logistics.events", "case.submitted"))
    with connect("logistics") as conn:
        assert refused(conn, lambda c: publish(c, "finance.events", "case.completed"))


def test_a_service_may_call_only_the_services_it_uses(bus):
    """Topic permissions on nameko-rpc: logistics calls nobody (only replies and its own health
    check); student_affairs may call security but not finance."""
    _, _, connect = bus
    with connect("logistics") as conn:
        assert refused(conn, lambda c: publish(c, "nameko-rpc", "finance.charge"))
    with connect("logistics") as conn:
        publish(conn, "nameko-rpc", str(uuid.uuid4()))            # an RPC reply
        publish(conn, "nameko-rpc", "logistics.health")           # its own health probe
    with connect("student_affairs") as conn:
        publish(conn, "nameko-rpc", "security.activity_approval_status")
        assert refused(conn, lambda c: publish(c, "nameko-rpc", "finance.pay"))


def test_a_service_cannot_listen_in_on_others(bus):
    """It cannot make a queue outside its names, nor bind its own to another's requests."""
    _, _, connect = bus
    with connect("logistics") as conn:
        assert refused(conn, lambda c: c.channel().queue_declare("rpc-finance", durable=True))
    with connect("logistics") as conn:
        def sniff(c):
            ch = c.channel()
            q = f"rpc.reply-logistics-{uuid.uuid4()}"
            ch.queue_declare(q, auto_delete=True)
            ch.queue_bind(q, "nameko-rpc", "finance.*")
        assert refused(conn, sniff)
    queue = "evt-aid-aid.awarded--finance.on_aid_awarded"     # finance's own queue, but
    with connect("finance") as conn:            # it handles aid.awarded only, not aid's cases
        def sniff_events(c):
            ch = c.channel()
            ch.queue_declare(queue, durable=True, auto_delete=False)   # as nameko does
            ch.queue_bind(queue, "aid.events", "case.*")
        assert refused(conn, sniff_events)
    with connect("finance") as conn:
        conn.channel().queue_delete(queue)


def start_as_own_user(plat, uri, name):
    plat.db_urls[name] = fresh_database(f"osac_{plat.tag}_{name}")
    proc = plat.service_process(name)
    proc.env = dict(proc.env, AMQP_URI=uri(name))
    proc.start()
    plat.processes[name] = proc
    plat.wait_healthy(name)


def test_services_run_under_their_own_users(bus):
    """finance (event handlers on three departments, an outbox) and sunshine (calls any
    department) start and serve under their own users; the gateway's user calls them."""
    plat, uri, _ = bus
    for name in ("finance", "sunshine"):
        start_as_own_user(plat, uri, name)
    student = {"id": "2026000001", "role": "student", "name": "张三"}
    with ClusterRpcProxy({"AMQP_URI": uri("gateway")}, timeout=30,
                         context_data={"actor": student}) as rpc:
        assert rpc.finance.health()["status"] == "ok"
        assert rpc.sunshine.health()["status"] == "ok"
        assert rpc.finance.arrears("2026000001")["arrears_cents"] == 0
        case = rpc.finance.submit_case("finance.fee-consultation", [],
                                       {"topic": "tuition", "question": "学费标准是多少？"})
        assert case["status"] == "submitted"
        # the case event left through the outbox, on finance's own exchange
        for _ in range(100):
            if rpc.finance.health()["outbox_backlog"] == 0:
                break
            time.sleep(0.2)
        assert rpc.finance.health()["outbox_backlog"] == 0
