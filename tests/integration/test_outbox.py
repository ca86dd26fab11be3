"""The transactional outbox on real PostgreSQL and RabbitMQ.

An event committed while the broker is unreachable is published once it is back, exactly once;
a duplicate delivery has no second effect; a change rolled back leaves no event behind."""
import json
import uuid

import pytest
from kombu import Connection, Queue
from nameko.events import get_event_exchange
from sqlalchemy.orm import sessionmaker

from osac_shared.contracts import make_event
from osac_shared.db import make_engine, transaction
from osac_shared.outbox import (OutboxMessage, ProcessedEvent, add_event, backlog,
                                event_publisher, first_time, publish_pending)
from osac_shared.testing import create_vhost, delete_vhost, fresh_database, drop_database, \
    AMQP_BASE

DATA = {"item_code": "logistics.dorm-repair", "window": 11, "department": "logistics",
        "student_id": "2026000001", "status": "submitted", "actor_id": "2026000001",
        "actor_role": "student", "limit": {"value": 48, "unit": "calendar_hours"},
        "submitted_at": "2026-12-07T10:00:00+08:00"}


@pytest.fixture
def db():
    name = f"osac_outbox_{uuid.uuid4().hex[:8]}"
    engine = make_engine(fresh_database(name))
    OutboxMessage.metadata.create_all(engine, tables=[OutboxMessage.__table__,
                                                      ProcessedEvent.__table__])
    yield sessionmaker(bind=engine)
    engine.dispose()
    drop_database(name)


@pytest.fixture
def vhost():
    name = f"osac-outbox-{uuid.uuid4().hex[:8]}"
    create_vhost(name)
    yield f"{AMQP_BASE}/{name}"
    delete_vhost(name)


def event(n=0):
    return make_event("case.submitted", "logistics", DATA, occurred_at="2026-12-07T10:00:00+08:00",
                      case_id=f"logistics-20261207-0000000{n}")


def listen(uri):
    """A durable queue bound to logistics.events, like a consumer's."""
    exchange = get_event_exchange("logistics", {"AMQP_URI": uri})
    queue = Queue(f"test-{uuid.uuid4().hex[:6]}", exchange=exchange, routing_key="case.*",
                  durable=True)
    with Connection(uri) as conn:
        queue(conn.default_channel).declare()
    return queue


def drain(uri, queue):
    got = []
    with Connection(uri) as conn:
        q = queue(conn.default_channel)
        while (msg := q.get(no_ack=True)) is not None:
            got.append(json.loads(msg.body) if isinstance(msg.body, (str, bytes)) else msg.body)
    return got


def test_event_committed_while_broker_unreachable_is_published_once_it_is_back(db, vhost):
    queue = listen(vhost)
    with transaction(db) as session:
        add_event(session, event(1))
    unreachable = event_publisher("amqp://guest:guest@127.0.0.1:1/", "logistics")
    assert publish_pending(db, unreachable) == 0
    with transaction(db) as session:
        assert backlog(session) == 1
        assert session.query(OutboxMessage).one().attempts == 1

    reachable = event_publisher(vhost, "logistics")
    assert publish_pending(db, reachable) == 1
    assert publish_pending(db, reachable) == 0          # never sent twice
    got = drain(vhost, queue)
    assert [e["case_id"] for e in got] == ["logistics-20261207-00000001"]
    with transaction(db) as session:
        assert backlog(session) == 0


def test_rolled_back_change_leaves_no_event(db):
    with pytest.raises(RuntimeError):
        with transaction(db) as session:
            add_event(session, event(2))
            raise RuntimeError("the change failed")
    with transaction(db) as session:
        assert backlog(session) == 0


def test_duplicate_delivery_has_no_second_effect(db):
    env = event(3)
    effects = []
    for _ in range(2):
        with transaction(db) as session:
            if first_time(session, env["event_id"], "sla.on_case_event"):
                effects.append(env["event_id"])
    assert effects == [env["event_id"]]
    with transaction(db) as session:            # another consumer still gets its own first time
        assert first_time(session, env["event_id"], "finance.on_award")
