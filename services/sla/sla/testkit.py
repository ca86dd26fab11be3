"""Helpers for tests and benchmarks that drive the SLA on a real ``osac_shared.testing``
platform: publish events as a department (or the hall) would, listen to what the SLA emits,
and wait for a condition."""
import time
import uuid

from kombu import Connection, Producer, Queue
from nameko.standalone.events import get_event_exchange

from osac_shared.contracts import make_event

STATUS_OF = {"case.submitted": "submitted", "case.accepted": "accepted",
             "case.returned": "returned", "case.resubmitted": "resubmitted",
             "case.approved": "processing", "case.completed": "completed",
             "case.rejected": "rejected", "case.withdrawn": "withdrawn",
             "case.expedited": "accepted"}
COMPLAINT = {"item_code": "logistics.complaint", "window": 11, "department": "logistics",
             "limit": {"value": 3, "unit": "working_days"}, "post": "A", "kind": "report"}
REPAIR = {"item_code": "logistics.dorm-repair", "window": 11, "department": "logistics",
          "limit": {"value": 48, "unit": "calendar_hours"}, "post": "B", "kind": "report"}


def wait_for(probe, timeout=30, interval=0.2):
    """``probe()`` until it returns something true (returned), or fail after ``timeout`` s."""
    deadline = time.time() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"condition not met in {timeout}s; last value {value!r}")
        time.sleep(interval)


def new_case_id(department="logistics"):
    return f"{department}-20260302-{uuid.uuid4().hex[:8]}"


def case_event(type_, case_id, when, submitted, item=COMPLAINT, actor=("x", "b_post"),
               green=False):
    """A ``case.*`` envelope as the department's engine publishes it."""
    data = {**item, "student_id": "2026000009", "status": STATUS_OF[type_],
            "actor_id": actor[0], "actor_role": actor[1], "green_channel": green,
            "submitted_at": submitted.isoformat()}
    return make_event(type_, item["department"], data, occurred_at=when, case_id=case_id)


def referral_event(type_, referral_id, when, to_department="aid", from_window=3):
    data = {"referral_id": referral_id, "from_window": from_window,
            "to_department": to_department, "student_id": "2026000009",
            "question": "转专业后奖学金如何认定？"}
    if type_ == "hall.referral_answered":
        data["answer"] = "按转入专业的成绩排名认定。"
    return make_event(type_, "hall", data, occurred_at=when, case_id=referral_id)


def publish(amqp_uri, *envelopes):
    """Publish envelopes to their sources' event exchanges, routed by type (as nameko does)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        for env in envelopes:
            exchange = get_event_exchange(env["source"], {})
            Producer(channel, exchange=exchange, serializer="json").publish(
                env, routing_key=env["type"], declare=[exchange], retry=True)


class Alarms:
    """A queue of our own bound to ``sla.events`` with ``sla.#``: every alarm the SLA emits."""

    def __init__(self, amqp_uri):
        self.conn = Connection(amqp_uri)
        self.queue = Queue(f"test-sla-alarms-{uuid.uuid4().hex[:8]}",
                           exchange=get_event_exchange("sla", {}), routing_key="sla.#",
                           auto_delete=True)(self.conn.channel())
        self.queue.declare()
        self.seen = []

    def drain(self):
        while (message := self.queue.get(no_ack=True)) is not None:
            self.seen.append(message.payload)
        return self.seen

    def of(self, case_id, timer=None):
        """[(type, timer, level)] raised for ``case_id`` so far, in order: each alarm once,
        however often the bus delivered it (the outbox publishes at least once: a relay
        killed between the broker's confirm and marking the row sent publishes the same
        event, same event id, again after its restart; consumers drop the copy by id)."""
        seen, out = set(), []
        for e in self.drain():
            if e["case_id"] != case_id or timer not in (None, e["data"]["timer"]) \
                    or e["event_id"] in seen:
                continue
            seen.add(e["event_id"])
            out.append((e["type"], e["data"]["timer"], e["data"]["level"]))
        return out

    def close(self):
        self.conn.release()
