"""SLA on the real platform (logistics + sla on real RabbitMQ and PostgreSQL): deadlines follow
cases, pauses, alarms fire once (also across a restart, and held outside working hours), and a
duplicate or out-of-order delivery ends in the right state."""
import time
import uuid
from datetime import datetime, timedelta

import pytest
from kombu import Connection, Producer, Queue
from nameko.standalone.events import get_event_exchange
from sqlalchemy import create_engine, text

from osac_shared.clock import TZ
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)          # an ordinary Monday morning
REPAIR_FORM = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}
B, A = staff("logistics"), staff("logistics", "a_post")


def wait_for(probe, timeout=20, interval=0.2):
    deadline = time.time() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"condition not met in {timeout}s; last value {value!r}")
        time.sleep(interval)


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["logistics", "sla"], clock_file=str(clock),
                            extra_env={"SLA_TICK": "0.3"})


def deadline_of(plat, case_id, **expected):
    """Poll sla.get_deadline until it exists and shows every ``expected`` field."""
    def probe():
        with plat.rpc() as rpc:
            d = rpc.sla.get_deadline(case_id)
        return d if d and all(d[k] == v for k, v in expected.items()) else None
    return wait_for(probe)


def submit(plat, item_code, form=None):
    with plat.rpc(ACTORS["student"]) as rpc:
        return rpc.logistics.submit_case(item_code, [], form or {})["id"]


def act(plat, actor, case_id, action, reason=""):
    with plat.rpc(actor) as rpc:
        return rpc.logistics.act(case_id, action, reason)


def test_a_case_gets_a_deadline_and_is_met_on_time(plat):
    plat.set_time(T0)
    case_id = submit(plat, "logistics.complaint")           # 3 working days, A post
    d = deadline_of(plat, case_id)
    assert (d["status"], d["due_at"], d["flagged"]) == ("open", "2026-03-05T17:30:00+08:00",
                                                        False)
    assert d["warning_at"] == "2026-03-05T08:52:30+08:00" and d["on_time"] is None
    plat.set_time(T0 + timedelta(days=1))
    act(plat, B, case_id, "accept")
    act(plat, A, case_id, "approve")
    act(plat, A, case_id, "complete")
    d = deadline_of(plat, case_id, status="met")
    assert d["on_time"] is True and d["completed_at"] == "2026-03-03T10:00:00+08:00"
    with plat.rpc() as rpc:
        assert rpc.sla.deadlines([case_id, "logistics-none"]) == {case_id: d}


def test_a_returned_case_pauses_and_resumes(plat):
    plat.set_time(T0)
    case_id = submit(plat, "logistics.complaint")
    deadline_of(plat, case_id)
    plat.set_time(T0 + timedelta(hours=1))                   # Monday 11:00
    act(plat, B, case_id, "return", "请补充投诉的时间和地点")
    d = deadline_of(plat, case_id, paused=True)
    assert d["due_at"] == "2026-03-05T17:30:00+08:00"
    plat.set_time(T0 + timedelta(days=1, hours=1))           # Tuesday 11:00: 9 working hours
    with plat.rpc(ACTORS["student"]) as rpc:
        rpc.logistics.act(case_id, "resubmit")
    d = deadline_of(plat, case_id, paused=False)
    assert d["due_at"] == "2026-03-06T17:30:00+08:00" and d["paused_seconds"] == 9 * 3600


class Alarms:
    """A queue of our own bound to ``sla.events`` with ``sla.#``."""

    def __init__(self, plat):
        self.conn = Connection(plat.amqp_uri)
        self.queue = Queue(f"test-sla-alarms-{uuid.uuid4().hex[:8]}",
                           exchange=get_event_exchange("sla", {}), routing_key="sla.#",
                           auto_delete=True)(self.conn.channel())
        self.queue.declare()
        self.seen = []

    def drain(self):
        while (message := self.queue.get(no_ack=True)) is not None:
            self.seen.append(message.payload)
        return self.seen

    def of(self, case_id):
        return [(e["type"], e["data"]["level"]) for e in self.drain() if e["case_id"] == case_id]

    def close(self):
        self.conn.release()


def test_alarms_fire_once_and_wait_for_working_hours(plat):
    plat.set_time(T0)
    alarms = Alarms(plat)
    try:
        repair = submit(plat, "logistics.dorm-repair", REPAIR_FORM)   # 48 calendar hours
        complaint = submit(plat, "logistics.complaint")                # 3 working days
        deadline_of(plat, repair)
        deadline_of(plat, complaint)

        plat.set_time(T0 + timedelta(hours=37))              # Tuesday 23:00: 37 of 48 hours
        wait_for(lambda: alarms.of(repair))
        time.sleep(1.5)                                      # several more ticks
        assert alarms.of(repair) == [("sla.warning", 1)] and alarms.of(complaint) == []

        plat.set_time(datetime(2026, 3, 5, 20, 0, tzinfo=TZ))   # Thursday night
        wait_for(lambda: len(alarms.of(repair)) == 2)
        time.sleep(1.5)
        assert alarms.of(repair) == [("sla.warning", 1), ("sla.breached", 2)]
        assert alarms.of(complaint) == []                    # late, but held till morning
        assert deadline_of(plat, complaint)["status"] == "open"

        plat.set_time(datetime(2026, 3, 6, 8, 31, tzinfo=TZ))   # Friday 08:31
        wait_for(lambda: alarms.of(complaint))
        d = deadline_of(plat, complaint, status="breached")
        assert d["breached_at"] == "2026-03-06T08:31:00+08:00"

        plat.restart_service("sla")                          # a restart never re-fires
        time.sleep(1.5)
        assert alarms.of(complaint) == [("sla.breached", 2)]
        assert alarms.of(repair) == [("sla.warning", 1), ("sla.breached", 2)]

        with plat.rpc() as rpc:
            report = rpc.sla.report("2026-03-01T00:00:00+08:00", "2026-03-08T00:00:00+08:00")
        assert {b["case_id"] for b in report["breaches"]} >= {repair, complaint}
        assert report["by_window"][0]["window"] == 11 and report["on_time_rate"] < 1
    finally:
        alarms.close()


def publish(plat, *envelopes):
    exchange = get_event_exchange("logistics", {})
    with Connection(plat.amqp_uri) as conn:
        producer = Producer(conn.channel(), exchange=exchange, serializer="json")
        for env in envelopes:
            producer.publish(env, routing_key=env["type"], declare=[exchange], retry=True)


def case_event(type_, case_id, status, when):
    data = {"item_code": "logistics.complaint", "window": 11, "department": "logistics",
            "student_id": "2026000009", "status": status, "actor_id": "x",
            "actor_role": "a_post", "limit": {"value": 3, "unit": "working_days"},
            "submitted_at": T0.isoformat()}
    return make_event(type_, "logistics", data, occurred_at=when, case_id=case_id)


def test_duplicate_and_out_of_order_deliveries(plat):
    case_id = f"logistics-20260302-{uuid.uuid4().hex[:8]}"
    submitted = case_event("case.submitted", case_id, "submitted", T0)
    returned = case_event("case.returned", case_id, "returned", T0 + timedelta(hours=1))
    resubmitted = case_event("case.resubmitted", case_id, "resubmitted",
                             T0 + timedelta(hours=2))
    completed = case_event("case.completed", case_id, "completed", T0 + timedelta(days=3))
    publish(plat, completed)                                 # the end arrives first
    first = deadline_of(plat, case_id, status="met")
    publish(plat, resubmitted, returned, submitted, completed, returned, submitted)
    d = deadline_of(plat, case_id, paused_seconds=3600)
    assert d["due_at"] == "2026-03-06T09:30:00+08:00" and d["status"] == "met"
    assert d["completed_at"] == first["completed_at"]
    # a sentinel published after the duplicates: once it is in, they were consumed too
    sentinel = f"logistics-20260302-{uuid.uuid4().hex[:8]}"
    publish(plat, case_event("case.submitted", sentinel, "submitted", T0))
    deadline_of(plat, sentinel)
    time.sleep(1)
    with plat.rpc() as rpc:
        assert rpc.sla.get_deadline(case_id) == d
    engine = create_engine(plat.db_url("sla"))
    with engine.connect() as conn:
        marks = conn.execute(text("SELECT marks FROM deadlines WHERE case_id = :c"),
                             {"c": case_id}).scalar_one()
        seen = conn.execute(text("SELECT count(*) FROM processed_events WHERE event_id IN "
                                 "(:a, :b, :c, :d)"), {"a": submitted["event_id"],
                                                       "b": returned["event_id"],
                                                       "c": resubmitted["event_id"],
                                                       "d": completed["event_id"]}).scalar()
    engine.dispose()
    assert sorted(m["type"] for m in marks) == ["case.completed", "case.resubmitted",
                                                "case.returned"]
    assert seen == 4


def test_compute_deadline_and_its_errors(plat):
    with plat.rpc() as rpc:
        assert rpc.sla.compute_deadline("2026-02-13T10:00:00+08:00", 2, "working_days") == {
            "due_at": "2026-02-24T17:30:00+08:00", "flagged": False}
        assert rpc.sla.compute_deadline("2026-12-31T10:00:00+08:00", 1, "working_days")[
            "flagged"] is True
        with pytest.raises(DomainError) as err:
            rpc.sla.compute_deadline("next monday", 0, "weeks")
        assert set(err.value.fields) == {"start_iso"} and err.value.status == 422
        with pytest.raises(DomainError) as err:
            rpc.sla.compute_deadline("2026-02-13T10:00", 2, "weeks")
        assert "working_days" in err.value.fields["unit"]
        with pytest.raises(DomainError) as err:
            rpc.sla.report("2026-03-08T00:00:00+08:00", "2026-03-01T00:00:00+08:00")
        assert set(err.value.fields) == {"end_iso"}
