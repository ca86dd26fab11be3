"""/api/hall over real HTTP (gunicorn) in front of the real hall and logistics services on
RabbitMQ and PostgreSQL: the desk, hand-overs, ratings, the Sunshine ranking and reports as
file downloads; and a 503 naming the hall when it is down."""
import csv
import io

import pytest
from openpyxl import load_workbook

from osac_shared.testing import ACTORS, staff

REPAIR = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["hall", "logistics"], gateway=True, extra_env={"SEED_DEMO": "1"})


@pytest.fixture(scope="module")
def url(plat):
    return plat.gateway_url


@pytest.fixture(scope="module")
def users(url, login):
    return {name: login(url, name) for name in
            ("desk", "director", "logistics_b", "2026000001")}


def test_the_desk_records_refers_and_follows_up(url, users):
    desk, b = users["desk"], users["logistics_b"]
    r = desk.post(url + "/api/hall/questions", json={
        "student_id": "2026000001", "channel": "wechat", "question": "宿舍热水器坏了找谁？"},
        timeout=15)
    assert r.status_code == 201, r.text
    q = r.json()
    r = desk.post(url + f"/api/hall/questions/{q['id']}/refer",
                  json={"to_department": "logistics", "note": "请后勤答复"}, timeout=15)
    assert r.status_code == 200 and r.json()["status"] == "referred"
    r = b.post(url + f"/api/hall/questions/{q['id']}/answer",
               json={"answer": "在11号窗口或热线报修"}, timeout=15)
    assert r.status_code == 200 and r.json()["answered_by"] == "logistics_b"
    r = desk.post(url + f"/api/hall/questions/{q['id']}/follow-up",
                  json={"feedback": "已微信回复学生"}, timeout=15)
    assert r.json()["status"] == "closed"
    listed = desk.get(url + "/api/hall/questions?status=closed", timeout=15).json()
    assert [x["id"] for x in listed["questions"]] == [q["id"]] and listed["total"] == 1


def test_desk_errors_name_the_field(url, users):
    r = users["desk"].post(url + "/api/hall/questions", json={
        "student_id": "2026000001", "channel": "fax", "question": "?"}, timeout=15)
    assert r.status_code == 422 and set(r.json()["fields"]) == {"channel"}
    r = users["desk"].post(url + "/api/hall/questions/99999/refer",
                           json={"to_department": "aid"}, timeout=15)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = users["2026000001"].post(url + "/api/hall/questions", json={
        "student_id": "2026000001", "channel": "phone", "question": "q"}, timeout=15)
    assert r.status_code == 403


def test_a_hand_over_waits_for_the_arriving_b_post(plat, url, users):
    with plat.rpc(ACTORS["director"]) as rpc:
        rpc.hall.set_post(11, "logistics_b2", "B", "接班学生助理")
    b = users["logistics_b"]
    r = b.post(url + "/api/hall/handovers", json={
        "window": 11, "to_b_post": "logistics_b2", "open_case_ids": [], "note": "无遗留"},
        timeout=15)
    assert r.status_code == 201, r.text
    h = r.json()
    pending = users["director"].get(url + "/api/hall/handovers", timeout=15).json()
    assert [(p["id"], p["to_b_post"]) for p in pending["handovers"]] == \
        [(h["id"], "logistics_b2")]
    assert "age_minutes" in pending["handovers"][0]
    r = b.post(url + f"/api/hall/handovers/{h['id']}/confirm", json={}, timeout=15)
    assert r.status_code == 403                      # only the arriving B post confirms
    with plat.rpc({**staff("logistics"), "id": "logistics_b2"}) as rpc:
        assert rpc.hall.confirm_hand_over(h["id"])["confirmed"] is True
    mine = b.get(url + "/api/hall/handovers?pending=false", timeout=15).json()["handovers"]
    assert [x["confirmed"] for x in mine] == [True]
    r = b.post(url + "/api/hall/handovers", json={"window": "11", "to_b_post": "x"},
               timeout=15)
    assert r.status_code == 422 and "window" in r.json()["fields"]


def test_a_student_rates_a_completed_case_once(plat, url, users):
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR)
    with plat.rpc(staff("logistics")) as rpc:
        for action in ("accept", "approve", "complete"):
            rpc.logistics.act(case["id"], action, "已修好")
    student = users["2026000001"]
    r = student.post(url + "/api/hall/rate", json={"case_id": case["id"], "satisfied": True,
                                                   "comment": "很快"}, timeout=15)
    assert r.status_code == 201, r.text
    assert r.json()["person_id"] == "logistics_b"
    again = student.post(url + "/api/hall/rate", json={"case_id": case["id"],
                                                       "satisfied": False}, timeout=15)
    assert again.status_code == 409 and again.json()["error"] == "already_rated"
    r = student.post(url + "/api/hall/rate", json={"case_id": case["id"], "satisfied": "yes"},
                     timeout=15)
    assert r.status_code == 422 and "satisfied" in r.json()["fields"]
    r = student.post(url + "/api/hall/rate", json={"case_id": "finance-20261207-1a2b3c4d",
                                                   "satisfied": True}, timeout=15)
    assert r.status_code == 503 and r.json()["error"] == "department_unavailable"


def test_the_director_sees_the_sunshine_ranking_and_downloads_reports(url, users):
    director = users["director"]
    r = director.get(url + "/api/hall/sunshine", timeout=20)
    assert r.status_code == 200, r.text
    sun = r.json()
    assert sun["sla"] == "unavailable" and len(sun["ranking"]) == 13
    assert next(x for x in sun["ranking"] if x["window"] == 11)["satisfaction"] == 1.0
    assert director.get(url + "/api/hall/sunshine?month=2026-13",
                        timeout=10).status_code == 422
    assert users["2026000001"].get(url + "/api/hall/sunshine", timeout=10).status_code == 403

    month = sun["month"]
    r = director.get(url + f"/api/hall/report?period={month}&format=csv", timeout=20)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert f'filename="hall-report-{month}.csv"' in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "窗口 Window" and len(rows) == 14
    r = director.get(url + f"/api/hall/report?period={month}&format=xlsx", timeout=20)
    assert "spreadsheetml" in r.headers["Content-Type"]
    assert load_workbook(io.BytesIO(r.content)).active.max_row == 14
    r = director.get(url + f"/api/hall/report?period={month}", timeout=20)
    assert r.json()["rows"][10]["window"] == 11
    r = director.get(url + "/api/hall/report?period=2026&format=pdf", timeout=10)
    assert r.status_code == 422 and set(r.json()["fields"]) == {"period", "format"}


def test_hall_down_is_a_503_naming_it(plat, url, users):
    plat.processes["hall"].stop()
    r = users["director"].get(url + "/api/hall/sunshine", timeout=20)
    assert r.status_code == 503
    assert r.json()["fields"] == {"department": "hall"}
    assert "事务大厅" in r.json()["message"]
