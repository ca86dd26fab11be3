"""SLA durability on the real platform (RabbitMQ + PostgreSQL, the SLA as real processes fed
with the events departments and the hall publish):

* two SLA instances on the same database and vhost never fire an alarm twice;
* stopped while cases fall due (and while some are closed), moved a working day on, and
  restarted: every breach that fell due is raised once, a case closed on time meanwhile is
  not called late, and a second (hard) restart raises nothing again.
"""
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from kombu import Connection
from sqlalchemy import create_engine, text

from osac_shared.clock import TZ
from osac_shared.testing import ACTORS

from sla.testkit import (REPAIR, Alarms, case_event, new_case_id, publish, referral_event,
                         wait_for)

MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)       # complaints due Thursday 17:30
W, BR, E2, E3 = ("sla.warning", 1), ("sla.breached", 1), ("sla.escalated", 2), \
    ("sla.escalated", 3)


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(MON.isoformat())
    return platform_factory(["sla"], clock_file=str(clock),
                            extra_env={"SLA_TICK": "0.2", "SLA_STARTUP_GRACE": "1"})


@pytest.fixture
def alarms(plat):
    listener = Alarms(plat.amqp_uri)
    yield listener
    listener.close()


def rows(plat, case_ids):
    engine = create_engine(plat.db_url("sla"))
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM deadlines WHERE case_id = ANY(:ids)"),
                         {"ids": list(case_ids)}).scalar()
    engine.dispose()
    return n


def consumers(plat, queue="rpc-sla"):
    with Connection(plat.amqp_uri) as conn:
        return conn.channel().queue_declare(queue=queue, passive=True).consumer_count


def levels(alarms, case_id, timer="completion"):
    return [(t, level) for t, _, level in alarms.of(case_id, timer)]


def test_two_instances_never_fire_an_alarm_twice(plat, alarms):
    plat.set_time(MON)
    cases = [new_case_id() for _ in range(100)]
    publish(plat.amqp_uri, *[case_event("case.submitted", c, MON, MON) for c in cases])
    wait_for(lambda: rows(plat, cases) == 2 * len(cases), timeout=60)
    second = plat.service_process("sla")
    second.start()
    try:
        wait_for(lambda: consumers(plat) == 2, timeout=60)
        # Friday 17:00: each case's completion and acceptance ladders are all due at once
        plat.set_time(datetime(2026, 3, 6, 17, 0, tzinfo=TZ))
        expected = 6 * len(cases)
        wait_for(lambda: len([e for e in alarms.drain() if e["case_id"] in set(cases)])
                 >= expected, timeout=90)
        time.sleep(2)                                       # ten more ticks of each
        fired = Counter((e["case_id"], e["type"], e["data"]["timer"], e["data"]["level"])
                        for e in alarms.drain() if e["case_id"] in set(cases))
        assert sum(fired.values()) == expected and set(fired.values()) == {1}
        assert {(t, timer, level) for _, t, timer, level in fired} == {
            (t, timer, level) for timer in ("completion", "acceptance")
            for t, level in (BR, E2, E3)}
        assert second.alive() and plat.processes["sla"].alive()
    finally:
        second.stop()


def test_an_outage_across_a_working_day_raises_each_breach_once(plat, alarms):
    thu = datetime(2026, 3, 5, 9, 0, tzinfo=TZ)
    wed = datetime(2026, 3, 4, 10, 0, tzinfo=TZ)
    plat.set_time(thu)
    still_open = [new_case_id() for _ in range(3)]
    on_time, late, repair = new_case_id(), new_case_id(), new_case_id()
    referral = f"ref-{repair[-8:]}"
    events = []
    for c in still_open + [on_time, late]:                  # 3 working days from Monday
        events += [case_event("case.submitted", c, MON, MON),
                   case_event("case.accepted", c, MON + timedelta(hours=1), MON)]
    repair_at = datetime(2026, 3, 4, 16, 0, tzinfo=TZ)      # due Friday 16:00, day or night
    events += [case_event("case.submitted", repair, repair_at, repair_at, item=REPAIR),
               case_event("case.accepted", repair, repair_at + timedelta(minutes=30),
                          repair_at, item=REPAIR),
               referral_event("hall.referral_opened", referral, wed)]   # due Thursday 17:30
    publish(plat.amqp_uri, *events)
    # Thursday 09:00: the complaints' warnings (08:52:30) fire while the SLA is up
    for c in still_open + [on_time, late]:
        wait_for(lambda c=c: levels(alarms, c) == [W], timeout=60)

    plat.processes["sla"].stop()
    publish(plat.amqp_uri,                                  # read only after the restart
            case_event("case.completed", on_time, datetime(2026, 3, 5, 17, 0, tzinfo=TZ), MON),
            case_event("case.completed", late, datetime(2026, 3, 6, 9, 0, tzinfo=TZ), MON))
    plat.set_time(datetime(2026, 3, 6, 17, 0, tzinfo=TZ))   # a whole working day later
    plat.start_service("sla")

    expected = {**{c: [W, BR, E2, E3] for c in still_open}, on_time: [W], late: [W, BR],
                repair: [BR]}
    wait_for(lambda: all(levels(alarms, c) == want for c, want in expected.items())
             and levels(alarms, referral, "referral") == [BR, E2, E3], timeout=120)
    plat.restart_service("sla", kill=True)                  # a hard restart: still once
    time.sleep(3)
    for c, want in expected.items():
        assert levels(alarms, c) == want
        assert levels(alarms, c, "acceptance") == []        # accepted in time
    assert levels(alarms, referral, "referral") == [BR, E2, E3]
    with plat.rpc(ACTORS["director"]) as rpc:
        assert (rpc.sla.get_deadline(on_time)["status"], rpc.sla.get_deadline(on_time)[
            "breached_at"]) == ("met", None)
        assert rpc.sla.get_deadline(late)["status"] == "late"
        assert rpc.sla.get_deadline(referral, "referral")["level"] == 3
