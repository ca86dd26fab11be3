"""The deadline endpoints: the calendar calculator (pure, in the real Flask app, table-driven)
and the SLA report and at-risk list (the director's, and staff's own department's) over real
HTTP (gunicorn) in front of the real SLA service on RabbitMQ and PostgreSQL."""
from datetime import datetime

import pytest
import requests

from osac_shared.clock import TZ

from gateway.app import create_app
from gateway.config import Settings
from sla.testkit import case_event, new_case_id, publish, wait_for

MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("gateway") / "gateway.db"
    return create_app(Settings(db_url=f"sqlite:///{db}")).test_client()


@pytest.mark.parametrize("query, due, flagged", [
    ({"start": "2026-03-02T10:00:00+08:00", "limit": "3", "unit": "working_days"},
     "2026-03-05T17:30:00+08:00", False),
    ({"start": "2026-02-13T10:00:00+08:00", "limit": "2", "unit": "working_days"},
     "2026-02-24T17:30:00+08:00", False),                    # over Spring Festival
    ({"start": "2026-03-02T16:30:00+08:00", "limit": "2", "unit": "working_hours"},
     "2026-03-03T09:30:00+08:00", False),
    ({"start": "2026-03-06T20:00:00+08:00", "limit": "48", "unit": "calendar_hours"},
     "2026-03-08T20:00:00+08:00", False),                    # a repair: day and night
    ({"start": "2026-03-02T02:00:00Z", "limit": "1", "unit": "working_days"},
     "2026-03-03T17:30:00+08:00", False),                    # any offset in, +08:00 out
    ({"start": "2026-12-31T10:00:00+08:00", "limit": "1", "unit": "working_days"},
     "2027-01-01T17:30:00+08:00", True),                     # 2027 is not covered: flagged
])
def test_calendar_deadline(client, query, due, flagged):
    r = client.get("/api/calendar/deadline", query_string=query)
    assert r.status_code == 200 and r.get_json() == {"due_at": due, "flagged": flagged}


def test_an_unencoded_plus_in_the_offset_is_understood(client):
    r = client.get("/api/calendar/deadline?start=2026-03-02T10:00:00+08:00&limit=3"
                   "&unit=working_days")
    assert r.get_json()["due_at"] == "2026-03-05T17:30:00+08:00"


@pytest.mark.parametrize("query, fields", [
    ({}, {"start", "limit", "unit"}),
    ({"start": "2026-03-02T10:00:00", "limit": "3", "unit": "working_days"}, {"start"}),
    ({"start": "next monday", "limit": "3", "unit": "working_days"}, {"start"}),
    ({"start": "2026-03-02T10:00:00+08:00", "limit": "0", "unit": "working_days"}, {"limit"}),
    ({"start": "2026-03-02T10:00:00+08:00", "limit": "two", "unit": "working_days"},
     {"limit"}),
    ({"start": "2026-03-02T10:00:00+08:00", "limit": "3", "unit": "weeks"}, {"unit"}),
])
def test_calendar_deadline_errors_name_the_field(client, query, fields):
    r = client.get("/api/calendar/deadline", query_string=query)
    body = r.get_json()
    assert r.status_code == 422 and body["error"] == "validation_failed"
    assert set(body["fields"]) == fields
    for message in body["fields"].values():
        zh, en = message.split(" / ", 1)
        assert zh and en.isascii()


# ---- the director's endpoints over real HTTP ---------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(datetime(2026, 3, 5, 9, 0, tzinfo=TZ).isoformat())   # past warnings
    return platform_factory(["sla"], gateway=True, clock_file=str(clock),
                            extra_env={"SLA_TICK": "0.3", "SLA_STARTUP_GRACE": "1"})


@pytest.fixture(scope="module")
def director(plat, login):
    return login(plat.gateway_url, "director")


@pytest.fixture(scope="module")
def cases(plat, director):
    ids = [new_case_id() for _ in range(3)]
    publish(plat.amqp_uri, *[case_event("case.submitted", c, MON, MON) for c in ids])

    def warned():
        r = director.get(plat.gateway_url + "/api/sla/at-risk", params={"per_page": 100},
                         timeout=15)
        return r.status_code == 200 and {i["case_id"] for i in r.json()["items"]} >= set(ids)
    wait_for(warned, timeout=60)
    return ids


def test_the_director_sees_the_report(plat, director, cases):
    r = director.get(plat.gateway_url + "/api/sla/report",
                     params={"from": "2026-03-01", "to": "2026-03-08"}, timeout=15)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["from"] == "2026-03-01T00:00:00+08:00"
    assert report["per_window"][0]["window"] == 11 and report["total"] >= 3
    assert report["per_hour"][10]["submitted"] == report["total"]
    acceptance = {b["case_id"] for b in report["breaches"] if b["timer"] == "acceptance"}
    assert acceptance >= set(cases)          # nobody accepted them within 4 working hours


def test_the_at_risk_list_is_paginated(plat, director, cases):
    r = director.get(plat.gateway_url + "/api/sla/at-risk", params={"page": 1, "per_page": 2},
                     timeout=15)
    body = r.json()
    assert r.status_code == 200 and (body["page"], body["per_page"]) == (1, 2)
    assert len(body["items"]) == 2 and body["total"] >= 3
    assert all(i["warned_at"] and i["status"] == "open" for i in body["items"])


@pytest.mark.parametrize("path, params, field", [
    ("/api/sla/report", {"from": "2026-03-08", "to": "2026-03-01"}, "to"),
    ("/api/sla/report", {"from": "March", "to": "2026-03-01"}, "from"),
    ("/api/sla/report", {"to": "2026-03-01"}, "from"),
    ("/api/sla/at-risk", {"per_page": "500"}, "per_page"),
])
def test_director_query_errors_name_the_field(plat, director, path, params, field):
    r = director.get(plat.gateway_url + path, params=params, timeout=15)
    assert r.status_code == 422 and field in r.json()["fields"]


def test_staff_see_their_own_departments_deadlines(plat, login, cases):
    """The gateway passes the logged-in actor: the SLA service scopes staff to their
    department (the cases here are logistics')."""
    logistics, aid = login(plat.gateway_url, "logistics_a"), login(plat.gateway_url, "aid_b")
    mine = logistics.get(plat.gateway_url + "/api/sla/at-risk", params={"per_page": 100},
                         timeout=15).json()
    assert {i["case_id"] for i in mine["items"]} >= set(cases)
    assert {i["department"] for i in mine["items"]} == {"logistics"}
    theirs = aid.get(plat.gateway_url + "/api/sla/at-risk", timeout=15)
    assert theirs.status_code == 200 and theirs.json()["total"] == 0
    period = {"from": "2026-03-01", "to": "2026-03-08"}
    assert logistics.get(plat.gateway_url + "/api/sla/report", params=period,
                         timeout=15).json()["total"] >= 3
    report = aid.get(plat.gateway_url + "/api/sla/report", params=period, timeout=15).json()
    assert (report["total"], report["breaches"]) == (0, [])


@pytest.mark.parametrize("path", ["/api/sla/report?from=2026-03-01&to=2026-03-08",
                                  "/api/sla/at-risk"])
def test_only_the_director_and_staff(plat, login, path):
    assert requests.get(plat.gateway_url + path, timeout=15).status_code == 401
    for username in ("2026000001", "desk"):
        r = login(plat.gateway_url, username).get(plat.gateway_url + path, timeout=15)
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
