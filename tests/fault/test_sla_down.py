"""(c) The SLA service is down across a simulated working day (CLOCK_FILE moves the platform's
time). Cases are submitted, handled and withdrawn meanwhile; their events wait in the SLA's
durable queues. On restart every breach that fell due is raised, once; none is raised for a
deadline that was met (or cancelled) while the SLA was away; a second restart raises nothing.

Repairs have 48 calendar hours; every case also has an acceptance timer (working hours).
    Sun 03-01 09:00  SLA up: repairs R1 R2 R3 submitted (completion due Tue 09:00)
    Mon 03-02 09:00  nothing due yet; SLA killed. Complaints C1 C2 and repair R4 submitted
    Mon 09:30        R1 accepted and completed (on time)
    Mon 15:00        R2 accepted (acceptance late, but closed while the SLA was away), C2
                     withdrawn
    Tue 03-03 10:00  SLA restarted: R2's and R3's completion and the open acceptance timers
                     (R3 R4 C1) are past due; R4 (Wed 09:00) and C1 (Thu) completions are not.
The policy checked (services/sla/sla/domain.py): a breach is raised once for every deadline
that fell due - still open, or closed late while the SLA was away (R2's acceptance); none for
one met or cancelled meanwhile (R1, C2), and the SLA reads the queued events before it judges.
"""
import time
import uuid
from collections import Counter
from datetime import datetime

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

from osac_shared.clock import TZ
from osac_shared.testing import ACTORS, staff

pytestmark = pytest.mark.fault

B = staff("logistics")
REPAIR = {"building": "F3", "room": "510", "facility": "water", "description": "热水器不热"}
SUN, MON, TUE = (datetime(2026, 3, 1, 9, 0, tzinfo=TZ), datetime(2026, 3, 2, 9, 0, tzinfo=TZ),
                 datetime(2026, 3, 3, 10, 0, tzinfo=TZ))


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(SUN.isoformat())
    return platform_factory(["logistics", "sla"], clock_file=str(clock),
                            extra_env={"SLA_TICK": "0.5", "SLA_STARTUP_GRACE": "1",
                                       "MAX_WORKERS": "4"})


class Alarms:
    """Every sla.* event, on a queue of our own bound to the sla.events exchange."""

    def __init__(self, amqp_uri):
        self.conn = Connection(amqp_uri)
        self.queue = Queue(f"fault-sla-alarms-{uuid.uuid4().hex[:8]}", routing_key="sla.#",
                           exchange=get_event_exchange("sla", {}), auto_delete=True)
        self.queue = self.queue(self.conn.channel())
        self.queue.declare()
        self.seen = []

    def drain(self):
        while (message := self.queue.get(no_ack=True)) is not None:
            self.seen.append(message.payload)
        return self.seen

    def close(self):
        self.conn.release()


def submit(plat, item, form, actor=ACTORS["student"]):
    with plat.rpc(actor) as rpc:
        return rpc.logistics.submit_case(item, [], form)["id"]


def act(plat, case_id, *actions, actor=B):
    with plat.rpc(actor) as rpc:
        for action in actions:
            rpc.logistics.act(case_id, action)


def test_breaches_that_fell_due_while_the_sla_was_down_are_raised_once(plat, tools):
    alarms = Alarms(plat.amqp_uri)
    sla, logistics = plat.db_url("sla"), plat.db_url("logistics")

    def settled():      # every event the department published has been read by the SLA
        published = tools.query(logistics, "SELECT count(*) FROM outbox")[0][0]
        return tools.query(sla, "SELECT count(*) FROM processed_events")[0][0] >= published

    def breaches():
        return Counter((e["case_id"], e["data"]["timer"]) for e in alarms.drain()
                       if e["type"] == "sla.breached")
    try:
        plat.set_time(SUN)
        r1, r2, r3 = (submit(plat, "logistics.dorm-repair", REPAIR) for _ in range(3))
        assert tools.wait_until(settled, timeout=30)
        plat.set_time(MON)
        time.sleep(1.5)                                      # ticks: nothing is due yet
        plat.processes["sla"].kill()
        before = len(alarms.drain())

        complaint = {"topic": "service", "text": "食堂排队太久，希望增加窗口"}
        c1, c2 = (submit(plat, "logistics.complaint", complaint) for _ in range(2))
        r4 = submit(plat, "logistics.dorm-repair", REPAIR)
        plat.set_time(MON.replace(minute=30))
        act(plat, r1, "accept", "approve", "complete")
        plat.set_time(MON.replace(hour=15))
        act(plat, r2, "accept")
        act(plat, c2, "withdraw", actor=ACTORS["student"])

        plat.set_time(TUE)
        restarted = time.monotonic()
        plat.start_service("sla")
        cases = [r1, r2, r3, r4, c1, c2]
        assert tools.wait_until(settled, timeout=60)
        rows = tools.query(sla, "SELECT case_id, timer, status, due_at FROM deadlines")
        states = {(r.case_id, r.timer): r.status for r in rows if r.case_id in cases}
        expected = {(r.case_id, r.timer) for r in rows if r.case_id in cases and (
            r.status == "late" or r.status in ("open", "breached") and r.due_at < TUE)}
        tools.wait_until(lambda: set(breaches()) >= expected, timeout=30)
        recovery = round(time.monotonic() - restarted, 2)
        time.sleep(3)                                        # several more ticks
        plat.restart_service("sla", kill=True)               # and a second restart
        time.sleep(4)
        raised = breaches()
        kinds = Counter((e["case_id"], e["data"]["timer"], e["type"], e["data"]["level"])
                        for e in alarms.drain())
    finally:
        alarms.close()

    closed = {(r1, "completion"), (r1, "acceptance"), (c2, "completion"), (c2, "acceptance")}
    row = tools.record(
        "c_sla_down_a_working_day", what="SLA breaches",
        fault="SLA killed Mon 09:00, restarted Tue 10:00 (clock); killed and restarted again",
        attempted=len(expected), accepted=len(set(raised) & expected),
        lost=len(expected - set(raised)),
        duplicated=sum(n - 1 for n in kinds.values()),
        spurious=len(set(raised) - expected)
                 + sum(1 for k in kinds if (k[0], k[1]) in closed),
        recovery_s=recovery, cases=len(cases), alarms_before_outage=before,
        alarms_total=sum(kinds.values()))
    # the completion timers, judged by hand
    assert {(r2, "completion"), (r3, "completion"), (r2, "acceptance")} <= expected
    assert not {(r4, "completion"), (c1, "completion")} & set(raised)
    assert states[(r1, "completion")] == "met" and states[(c2, "completion")] == "cancelled"
    assert states[(r2, "acceptance")] == "late"
    assert row["alarms_before_outage"] == 0
    assert row["lost"] == 0 and row["duplicated"] == 0 and row["spurious"] == 0, \
        ({"r1": r1, "r2": r2, "c2": c2}, [k for k in kinds if (k[0], k[1]) in closed],
         set(raised) - expected)
