"""Logistics on real RabbitMQ and PostgreSQL: the repair flow and the overdue complaint."""
from datetime import datetime, timedelta

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from logistics.domain import repair_overdue

REPAIR_FORM = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize("hours, status, overdue", [
    (47, "accepted", False),
    (48, "accepted", False),      # exactly 48 hours is still on time
    (49, "accepted", True),
    (49, "processing", True),
    (60, "completed", False),
    (60, "withdrawn", False),
])
def test_repair_overdue_table(hours, status, overdue):
    assert repair_overdue(T0, status, T0 + timedelta(hours=hours)) is overdue


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["logistics"], clock_file=str(clock))


def test_repair_flow_and_overdue_complaint(plat):
    plat.set_time(T0)
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR_FORM, "rep-1")
        assert case["status"] == "submitted"
        assert case["result"]["repair_due_at"].startswith("2026-12-09T10:00")
        with pytest.raises(DomainError) as err:
            rpc.logistics.complain_overdue(case["id"], "还没修")
        assert err.value.code == "repair_not_overdue"
    with plat.rpc(staff("logistics")) as rpc:
        assert rpc.logistics.act(case["id"], "accept")["status"] == "accepted"
        assert rpc.logistics.act(case["id"], "approve")["status"] == "processing"
    plat.set_time(T0 + timedelta(hours=49))
    with plat.rpc(ACTORS["student"]) as rpc:
        complaint = rpc.logistics.complain_overdue(case["id"], "两天了还没修好")
        assert complaint["item_code"] == "logistics.complaint"
        assert complaint["form"]["repair_case_id"] == case["id"]
    with plat.rpc(staff("logistics")) as rpc:
        done = rpc.logistics.act(case["id"], "complete")
    assert [h["to"] for h in done["history"]] == ["submitted", "accepted", "processing",
                                                   "completed"]
    assert all(h["actor_id"] and h["at"] for h in done["history"])


def test_repair_form_errors_name_each_field(plat):
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.logistics.submit_case("logistics.dorm-repair", [], {"building": "A3",
                                                                    "room": "3 02"})
    fields = err.value.fields
    assert set(fields) == {"form.room", "form.facility", "form.description"}
    assert "必填" in fields["form.facility"]


def test_other_students_and_departments_are_refused(plat):
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR_FORM)
    with plat.rpc(ACTORS["student2"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.logistics.get_case(case["id"])
        assert err.value.status == 403
    with plat.rpc(staff("finance")) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.logistics.act(case["id"], "accept")
        assert err.value.status == 403
    with plat.rpc() as rpc:   # no actor in the context
        with pytest.raises(DomainError) as err:
            rpc.logistics.get_case(case["id"])
        assert err.value.status == 401
