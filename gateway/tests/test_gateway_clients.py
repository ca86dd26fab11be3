"""clients.py against the real RabbitMQ, without services: the consumer probe, the deadline of
a fan-out, and the per-message TTL that keeps an unanswered request from running later."""
import time
import urllib.parse
import uuid

import pytest
from kombu import Connection, Consumer, Exchange, Queue

from osac_shared.testing import AMQP_BASE, create_vhost, delete_vhost

from gateway.clients import ConsumerProbe, RpcPool, ServiceDown, ServiceTimeout


@pytest.fixture(scope="module")
def amqp_uri():
    vhost = f"osac-test-clients-{uuid.uuid4().hex[:8]}"
    create_vhost(vhost)
    yield f"{AMQP_BASE}/{urllib.parse.quote(vhost, safe='')}"
    delete_vhost(vhost)


def rpc_queue(conn, name):
    """A service's RPC queue as nameko declares it, bound to the nameko-rpc exchange."""
    exchange = Exchange("nameko-rpc", type="topic", durable=True)
    queue = Queue(f"rpc-{name}", exchange, routing_key=f"{name}.*", durable=True)
    queue(conn.channel()).declare()
    return queue


def test_probe_sees_consumers_come_and_go(amqp_uri):
    probe = ConsumerProbe(amqp_uri, ttl=60)
    with Connection(amqp_uri) as conn:
        queue = rpc_queue(conn, "alpha")
        assert probe.up(["alpha", "never_started"]) == {"alpha": False, "never_started": False}
        consumer = Consumer(conn.channel(), queues=[queue], callbacks=[lambda *a: None])
        consumer.consume()
        assert probe.up(["alpha"]) == {"alpha": False}             # cached answer
        assert probe.up(["alpha"], fresh=True) == {"alpha": True}  # writes look again
        consumer.cancel()
        assert probe.up(["alpha"], fresh=True) == {"alpha": False}
    assert probe.broker_ok()


def test_unreachable_broker_is_down_at_once():
    probe = ConsumerProbe("amqp://guest:guest@127.0.0.1:1//", ttl=60)
    start = time.monotonic()
    assert probe.up(["aid", "logistics", "sla"]) == {"aid": False, "logistics": False,
                                                     "sla": False}
    assert not probe.broker_ok()
    assert time.monotonic() - start < 2.5


def test_unanswered_call_times_out_at_the_deadline_and_expires(amqp_uri):
    with Connection(amqp_uri) as conn:
        queue = rpc_queue(conn, "ghost")           # a queue whose service is hung
        pool = RpcPool(amqp_uri, timeout=1.0)
        start = time.monotonic()
        out = pool.gather({"a": ("ghost", "list_cases", (), {}),
                           "b": ("ghost", "catalogue", (), {})},
                          {"id": "s1", "role": "student"}, "cid-00000001")
        took = time.monotonic() - start
        assert isinstance(out["a"], ServiceTimeout) and isinstance(out["b"], ServiceTimeout)
        assert 0.9 < took < 2.0                     # one deadline for the whole fan-out
        time.sleep(0.5)
        # RabbitMQ dropped the requests nobody took in time: a service coming back later
        # will not execute them
        _, messages, _ = queue(conn.channel()).queue_declare(passive=True)
        assert messages == 0


def test_call_to_a_service_without_queue_is_down(amqp_uri):
    with Connection(amqp_uri) as conn:
        rpc_queue(conn, "other")                   # the exchange exists, nothing routes
    out = RpcPool(amqp_uri, timeout=1.0).gather({"x": ("nobody", "health", (), {})}, None,
                                                "cid-00000002")
    assert isinstance(out["x"], ServiceDown)
