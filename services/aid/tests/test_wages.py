"""Work-study wages of the hall's student assistants: the rate rules as tables, and aid
consuming ``hall.wage_adjusted`` on real RabbitMQ and PostgreSQL (once per assistant-month,
whatever the redeliveries)."""
import time
from datetime import datetime
from decimal import Decimal

import pytest
from kombu import Connection
from nameko.events import get_event_exchange
from sqlalchemy import create_engine, text

from osac_shared.clock import TZ
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from aid import wages

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
DIRECTOR = ACTORS["director"]


@pytest.mark.parametrize("value, rate", [(None, Decimal(15)), ("", Decimal(15)), (15, Decimal(15)),
                                         ("16.5", Decimal("16.5")), (12, Decimal(12))])
def test_base_rate_from_config(value, rate):
    assert wages.base_rate(value) == rate


@pytest.mark.parametrize("value", ["fifteen", 0, -3])
def test_a_bad_base_rate_stops_the_service_at_start(value):
    with pytest.raises(ValueError):
        wages.base_rate(value)


@pytest.mark.parametrize("base, deltas, rate, shown", [
    (Decimal(15), [], Decimal(15), 15),
    (Decimal(15), [-1], Decimal(14), 14),
    (Decimal("15.5"), [-1], Decimal("14.5"), 14.5),
    (Decimal(1), [-1, -1], Decimal(0), 0),            # never below zero
])
def test_adjusted_rate(base, deltas, rate, shown):
    assert wages.adjusted_rate(base, deltas) == rate
    assert wages.as_number(rate) == shown


@pytest.mark.parametrize("actor, who, month, outcome", [
    (DIRECTOR, "aid_b", "2026-12", None),
    ({"id": "aid_b", "role": "b_post", "department": "aid"}, "aid_b", "2026-12", None),
    ({"id": "logistics_b", "role": "b_post", "department": "logistics"}, "logistics_b",
     "2026-12", None),                                   # their own rate
    (staff("aid", "a_post"), "logistics_b", "2026-12", None),
    ({"id": "logistics_b", "role": "b_post", "department": "logistics"}, "aid_b", "2026-12",
     403),
    (ACTORS["student"], "aid_b", "2026-12", 403),
    (DIRECTOR, "aid_b", "2026-13", 422),
    (DIRECTOR, "", "2026-12", 422),
])
def test_who_may_see_a_rate(actor, who, month, outcome):
    if outcome is None:
        wages.check_query(actor, who, month)
    else:
        with pytest.raises(DomainError) as err:
            wages.check_query(actor, who, month)
        assert err.value.status == outcome


# ---- on the platform -------------------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["aid"], clock_file=str(clock),
                            extra_env={"WORK_STUDY_BASE_RATE": "16"})


def publish_hall_event(plat, envelope):
    exchange = get_event_exchange("hall", {"AMQP_URI": plat.amqp_uri})
    with Connection(plat.amqp_uri) as conn:
        conn.Producer(serializer="json").publish(
            envelope, exchange=exchange, routing_key=envelope["type"], declare=[exchange],
            retry=True)


def adjustment_rows(plat):
    engine = create_engine(plat.db_url("aid"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT assistant_id, month, rate_delta_yuan, demerits "
                                 "FROM work_study_wage_adjustments ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def wage_event(assistant="hall_b9", month="2026-12", demerits=2):
    return make_event("hall.wage_adjusted", "hall", {
        "assistant_id": assistant, "month": month, "demerits": demerits,
        "rate_delta_yuan": -1}, occurred_at=T0)


def test_a_wage_adjustment_is_recorded_once_per_assistant_month(plat):
    with plat.rpc(DIRECTOR) as rpc:
        before = rpc.aid.work_study_rate("hall_b9", "2026-12")
    assert (before["base_rate_yuan"], before["rate_yuan"], before["adjusted"]) == (16, 16, False)

    event = wage_event()
    publish_hall_event(plat, event)
    publish_hall_event(plat, event)                         # redelivered
    publish_hall_event(plat, wage_event(demerits=3))       # another event, same month
    broken = wage_event(assistant="hall_b8")
    broken["data"]["month"] = "2026-13"                      # breaks the contract: dropped
    publish_hall_event(plat, broken)
    deadline = time.time() + 30
    while not adjustment_rows(plat) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)                                          # a second row would show by now
    assert adjustment_rows(plat) == [("hall_b9", "2026-12", -1, 2)]
    with plat.rpc(DIRECTOR) as rpc:
        after = rpc.aid.work_study_rate("hall_b9", "2026-12")
        assert (after["rate_yuan"], after["adjusted"]) == (15, True)
        assert after["adjustments"][0]["event_id"] == event["event_id"]
        assert rpc.aid.work_study_rate("hall_b9", "2027-01")["rate_yuan"] == 16
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.aid.work_study_rate("hall_b9", "2026-12")
        assert err.value.status == 403
