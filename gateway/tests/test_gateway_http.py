"""The gateway over real HTTP (gunicorn, 2 gthread workers) in front of real services
(logistics, aid, sla) on real RabbitMQ and PostgreSQL."""
import re
import time

import pytest
import requests

REPAIR = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["logistics", "aid", "sla"], gateway=True)


@pytest.fixture(scope="module")
def url(plat):
    return plat.gateway_url


@pytest.fixture(scope="module")
def student(url, login):
    return login(url, "2026000001")


@pytest.fixture(scope="module")
def staff(url, login):
    return login(url, "logistics_b")


def submit_repair(session, url, **headers):
    r = session.post(url + "/api/cases", json={"item_code": "logistics.dorm-repair",
                                               "form": REPAIR}, headers=headers, timeout=15)
    assert r.status_code == 201, r.text
    return r.json()


def test_health_lists_every_dependency(url):
    r = requests.get(url + "/healthz", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    deps = body["dependencies"]
    assert (deps["rabbitmq"], deps["database"]) == ("ok", "ok")
    assert (deps["logistics"], deps["aid"], deps["sla"]) == ("up", "up", "up")
    assert deps["finance"] == "down"
    assert requests.get(url + "/healthz/live", timeout=5).json() == {"status": "ok"}


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(url):
    s = requests.Session()
    wrong = s.post(url + "/api/login", json={"username": "2026000001", "password": "nope"},
                   timeout=10)
    assert wrong.status_code == 401
    assert wrong.json()["message"] == "用户名或密码错误，请核对后重试"
    assert "Wrong username or password" in wrong.json()["message_en"]

    r = s.post(url + "/api/login", json={"username": "2026000001", "password": "demo1234"},
               timeout=10)
    assert r.status_code == 200
    assert r.json()["user"] == {"id": "2026000001", "username": "2026000001",
                                "role": "student", "role_zh": "学生", "name": "张三",
                                "department": None, "department_zh": None,
                                "department_en": None}
    cookie = r.headers["Set-Cookie"]
    assert "osac_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie                       # plain HTTP in tests
    token = s.cookies["osac_session"]
    assert s.get(url + "/api/me", timeout=5).json()["user"]["name"] == "张三"

    # a state change needs the double-submit CSRF header (gateway/security.py)
    assert s.post(url + "/api/logout", json={}, timeout=5).status_code == 403
    s.headers["X-CSRF-Token"] = s.cookies["csrf_token"]
    assert s.post(url + "/api/logout", json={}, timeout=5).status_code == 204
    assert s.get(url + "/api/me", timeout=5).status_code == 401
    # the old token is dead on the server, not only forgotten by the browser
    replay = requests.get(url + "/api/me", cookies={"osac_session": token}, timeout=5)
    assert replay.status_code == 401 and replay.json()["error"] == "unauthenticated"


def test_posts_must_be_json(url, student):
    r = student.post(url + "/api/cases", data="item_code=logistics.dorm-repair", timeout=5,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and r.json()["error"] == "unsupported_media_type"


def test_unauthenticated_401_and_wrong_role_403(url, login, staff, student):
    anonymous = requests.Session()
    assert anonymous.get(url + "/api/me/cases", timeout=5).status_code == 401
    r = anonymous.post(url + "/api/cases", json={"item_code": "logistics.dorm-repair"},
                       timeout=5)
    assert r.status_code == 401 and r.json()["message"] == "请先登录"
    r = staff.post(url + "/api/cases", json={"item_code": "logistics.dorm-repair",
                                             "form": REPAIR}, timeout=5)
    assert r.status_code == 403
    case = submit_repair(student, url)
    assert student.post(url + f"/api/cases/{case['id']}/accept", json={},
                        timeout=5).status_code == 403
    assert login(url, "desk").get(url + "/api/me/cases", timeout=5).status_code == 403


def test_catalogue_and_guide_page(url):
    body = requests.get(url + "/api/catalogue", timeout=15).json()
    codes = {item["code"] for item in body["items"]}
    assert {"logistics.dorm-repair", "logistics.complaint", "aid.national-grant"} <= codes
    assert "finance" in body["unavailable"]
    assert not {"logistics", "aid"} & set(body["unavailable"])

    page = requests.get(url + "/", timeout=15)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    assert "11号窗口 · 维修服务" in html and "学生宿舍生活设施报修" in html
    assert "2号窗口 · 学生资助" in html
    assert html.index("2号窗口") < html.index("11号窗口")


def test_openapi_describes_the_routes(url):
    doc = requests.get(url + "/api/openapi.json", timeout=5).json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/login", "/api/logout", "/api/me", "/api/catalogue", "/api/cases",
                 "/api/cases/{case_id}", "/api/me/cases", "/api/cases/{case_id}/return",
                 "/healthz", "/healthz/live"):
        assert path in doc["paths"], path
    assert "reason" in doc["components"]["schemas"]["ReasonBody"]["required"]


def test_submit_with_idempotency_key(url, student):
    first = submit_repair(student, url, **{"Idempotency-Key": "repair-key-1"})
    again = student.post(url + "/api/cases", json={"item_code": "logistics.dorm-repair",
                                                   "form": REPAIR},
                         headers={"Idempotency-Key": "repair-key-1"}, timeout=15)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    other = submit_repair(student, url, **{"Idempotency-Key": "repair-key-2"})
    assert other["id"] != first["id"]
    bad = student.post(url + "/api/cases", json={"item_code": "logistics.dorm-repair"},
                       headers={"Idempotency-Key": "x" * 200}, timeout=5)
    assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["fields"]
    # the same key with another application is refused, never silently answered with the first
    changed = student.post(url + "/api/cases", json={
        "item_code": "logistics.dorm-repair", "form": {**REPAIR, "room": "303"}},
        headers={"Idempotency-Key": "repair-key-1"}, timeout=15)
    assert changed.status_code == 409, changed.text
    assert changed.json()["error"] == "idempotency_conflict"
    assert "Idempotency-Key" in changed.json()["fields"]


def test_the_201_promises_the_deadline_the_sla_keeps(url, student):
    case = submit_repair(student, url)
    assert ISO_WITH_OFFSET.match(case["due_at"]), case
    kept = wait_for_deadline(student, url, case["id"])
    assert kept["due_at"] == case["due_at"]


def test_next_actions_are_what_the_asking_user_may_do(url, login, student, staff):
    case = submit_repair(student, url)
    cid = case["id"]
    # the applicant: only withdraw; the case waits for the B post
    assert [a["action"] for a in case["next_actions"]] == ["withdraw"]
    assert case["allowed_actions"] == ["withdraw"]
    assert case["waiting_for"]["role"] == "b_post"
    seen = staff.get(url + f"/api/cases/{cid}", timeout=10).json()
    actions = {a["action"]: a for a in seen["next_actions"]}
    assert set(actions) == {"accept", "reject", "return", "expedite"}
    for a in actions.values():
        assert a["href"] == f"/api/cases/{cid}/actions/{a['action']}" and a["method"] == "POST"
        assert a["input_schema"]["type"] == "object" and a["label_zh"] and a["label_en"]
    assert actions["reject"]["input_schema"]["required"] == ["reason"]
    director = login(url, "director").get(url + f"/api/cases/{cid}", timeout=10).json()
    assert director["next_actions"] == [] and director["allowed_actions"] == []
    # an action's input is loaded by its own schema: a blank reason names the field
    r = staff.post(url + actions["reject"]["href"], json={"reason": "  "}, timeout=15)
    assert r.status_code == 422 and set(r.json()["fields"]) == {"reason"}
    r = staff.post(url + actions["accept"]["href"], json={"reason": "ok", "x": 1}, timeout=15)
    assert r.status_code == 422 and set(r.json()["fields"]) == {"x"}
    # a step that is not open to this user is refused, saying why
    r = student.post(url + f"/api/cases/{cid}/actions/accept", json={}, timeout=15)
    assert r.status_code == 403
    r = staff.post(url + f"/api/cases/{cid}/actions/fly", json={}, timeout=15)
    assert r.status_code == 400 and r.json()["error"] == "unknown_action"
    r = staff.post(url + actions["accept"]["href"], json={}, timeout=15)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["next_actions"][0]["href"].startswith(f"/api/cases/{cid}/actions/")
    r = staff.post(url + f"/api/cases/{cid}/actions/accept", json={}, timeout=15)
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"


def test_missing_materials_are_all_named_at_once(url, student):
    r = student.post(url + "/api/cases", json={"item_code": "aid.national-scholarship",
                                               "form": {"rank_percent": 5,
                                                        "statement": "成绩优秀"},
                                               "materials": []}, timeout=15)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "materials_missing"
    assert set(body["fields"]) == {"materials.application_form", "materials.transcript"}
    assert all(" / " in text for text in body["fields"].values())   # 中文 / English
    assert body["message"].startswith("材料不齐")     # the one notice (osac_shared.service)


def test_form_errors_name_each_field(url, student):
    r = student.post(url + "/api/cases", json={"item_code": "logistics.dorm-repair",
                                               "form": {"building": "A3", "room": "3 02"}},
                     timeout=15)
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"form.room", "form.facility", "form.description"}
    r = student.post(url + "/api/cases", json={"item_code": "nowhere.thing"}, timeout=5)
    assert r.status_code == 422 and "item_code" in r.json()["fields"]


def wait_for_deadline(session, url, case_id, timeout=15):
    """SLA learns of a case from its event, a moment after the submission."""
    end = time.time() + timeout
    while time.time() < end:
        case = session.get(url + f"/api/cases/{case_id}", timeout=10).json()
        if case["due_at"]:
            return case
        time.sleep(0.3)
    raise AssertionError(f"no deadline for {case_id}: {case}")


def test_staff_accept_approve_complete(url, login, student, staff):
    case = submit_repair(student, url)
    cid = case["id"]
    for action, status in (("accept", "accepted"), ("approve", "processing"),
                           ("complete", "completed")):
        r = staff.post(url + f"/api/cases/{cid}/{action}", json={}, timeout=15)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
    got = wait_for_deadline(student, url, cid)
    assert [h["to"] for h in got["history"]] == ["submitted", "accepted", "processing",
                                                 "completed"]
    assert got["history"][1]["actor_id"] == "logistics_b"
    assert ISO_WITH_OFFSET.match(got["due_at"]), got["due_at"]
    assert got["unavailable"] == [] and got["sla_status"]

    again = staff.post(url + f"/api/cases/{cid}/accept", json={}, timeout=15)
    assert again.status_code == 409 and again.json()["error"] == "illegal_transition"
    assert login(url, "2026000002").get(url + f"/api/cases/{cid}",
                                        timeout=10).status_code == 403
    assert student.get(url + "/api/cases/logistics-20260101-00000000",
                       timeout=10).status_code == 404


def test_other_department_refused_and_reasons_required(url, login, student, staff):
    cid = submit_repair(student, url)["id"]
    r = login(url, "finance_b").post(url + f"/api/cases/{cid}/accept", json={}, timeout=15)
    assert r.status_code == 403
    r = staff.post(url + f"/api/cases/{cid}/reject", json={}, timeout=15)
    assert r.status_code == 422 and "reason" in r.json()["fields"]


def test_return_then_resubmit(url, student, staff):
    cid = submit_repair(student, url)["id"]
    r = staff.post(url + f"/api/cases/{cid}/return", timeout=15, json={
        "reason": "请补充故障照片", "missing": ["photo"], "correct": [],
        "deadline": "2026-12-10"})
    assert r.status_code == 200, r.text
    notice = r.json()["notices"][-1]
    assert (notice["missing"], notice["deadline"], notice["reason"]) == (
        ["photo"], "2026-12-10", "请补充故障照片")
    r = student.post(url + f"/api/cases/{cid}/resubmit", json={"materials": ["photo"]},
                     timeout=15)
    assert r.status_code == 200 and r.json()["status"] == "resubmitted"
    assert r.json()["materials"] == ["photo"]


def test_my_cases_for_student_staff_and_director(url, login, student, staff):
    mine = [submit_repair(student, url)["id"] for _ in range(2)]
    r = student.get(url + "/api/me/cases", params={"per_page": 100}, timeout=15)
    assert r.status_code == 200
    body = r.json()
    ids = [c["id"] for c in body["cases"]]
    assert set(mine) <= set(ids)
    stamps = [c["updated_at"] for c in body["cases"]]
    assert stamps == sorted(stamps, reverse=True)
    assert body["total"] == len(ids)
    assert "finance" in body["unavailable"] and "logistics" not in body["unavailable"]
    assert all("due_at" in c and "sla_status" in c for c in body["cases"])

    page2 = student.get(url + "/api/me/cases", params={"per_page": 1, "page": 2},
                        timeout=15).json()
    assert [c["id"] for c in page2["cases"]] == ids[1:2] and page2["total"] == body["total"]

    queue = staff.get(url + "/api/me/cases", params={"status": "submitted,resubmitted"},
                      timeout=15).json()
    assert queue["cases"] and {c["status"] for c in queue["cases"]} <= {"submitted",
                                                                         "resubmitted"}
    assert {c["item_code"].split(".")[0] for c in queue["cases"]} == {"logistics"}
    bad = staff.get(url + "/api/me/cases", params={"status": "lost"}, timeout=5)
    assert bad.status_code == 422 and "status" in bad.json()["fields"]

    director = login(url, "director").get(url + "/api/me/cases", params={"per_page": 100},
                                          timeout=15).json()
    assert set(mine) <= {c["id"] for c in director["cases"]}


def test_a_department_committee_lists_its_own_department(url, login):
    """aid's review committee reads aid's cases (not every department's, which it may not)."""
    committee = login(url, "aid_committee")
    r = committee.get(url + "/api/me/cases", params={"per_page": 100}, timeout=15)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["unavailable"] == [] and all(c["id"].startswith("aid-") for c in body["cases"])
