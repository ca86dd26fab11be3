"""Every gateway route under /api that acts or reads × every role, over real HTTP (gunicorn)
in front of the real services. "refused" = 401 (nobody) or 403; anything else means the
gateway let the caller through (and the service answered: 2xx, or 404/409/422/503 after the
check). Each row names the roles let through; the rest must be refused. A last test makes
sure no /api route escapes the table.
"""
import io
import os
import re

import pytest
import requests

from osac_shared.testing import staff

ROLES = ("owner", "other", "b", "a", "other_b", "other_a", "desk", "director", "nobody")
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"nobody"}
STUDENTS = {"owner", "other"}
DEPT_STAFF = {"b", "a"}
ANY_STAFF = {"b", "a", "other_b", "other_a"}
READERS = {"owner", "b", "a", "director"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OWNER = "2026000001"


LIFECYCLE = ("/api/cases/<case_id>/<any(accept, return, approve, complete, reject, resubmit, "
             "withdraw, expedite):action>")


def row(method, rule, path, allowed, department="logistics", body=None, headers=None,
        files=None):
    return dict(method=method, rule=rule, path=path, allowed=allowed, department=department,
                body=body, headers=headers or {}, files=files)


def key(role):
    return {"Idempotency-Key": f"sec-{role}-{os.urandom(4).hex()}"}


def rows(c):
    """The matrix. ``c`` holds the ids made by the owner: case, spare, upload, certificate (a
    completed academic certificate case), complaint (a sunshine case under investigation)."""
    case, spare, upload = c["case"], c["spare"], c["upload"]
    submit = {"item_code": "logistics.dorm-repair", "form": {
        "building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}}
    return [
        row("GET", "/api/me", "/api/me", LOGGED_IN),
        row("GET", "/api/catalogue", "/api/catalogue", EVERYONE),
        row("GET", "/api/csrf", "/api/csrf", EVERYONE),
        row("GET", "/api/openapi.json", "/api/openapi.json", EVERYONE),
        row("POST", "/api/cases", "/api/cases", STUDENTS, body=submit),
        row("GET", "/api/cases/<case_id>", f"/api/cases/{case}", READERS),
        row("POST", LIFECYCLE, f"/api/cases/{case}/accept", DEPT_STAFF, body={}),
        row("POST", LIFECYCLE, f"/api/cases/{spare}/withdraw", {"owner"}, body={}),
        # any of a case's next_actions: the department refuses a step not open to the user
        row("POST", "/api/cases/<case_id>/actions/<action>", f"/api/cases/{case}/actions/approve",
            DEPT_STAFF, body={}),
        row("GET", "/api/me/cases", "/api/me/cases", LOGGED_IN - {"desk"}),
        row("GET", "/api/me/notifications", "/api/me/notifications", STUDENTS),
        row("POST", "/api/cases/<case_id>/materials/<code>",
            f"/api/cases/{case}/materials/photo", {"owner"}, files=True),
        row("GET", "/api/cases/<case_id>/materials", f"/api/cases/{case}/materials", READERS),
        row("GET", "/api/cases/<case_id>/materials/files/<upload_id>",
            f"/api/cases/{case}/materials/files/{upload}", READERS),
        row("GET", "/api/audit", "/api/audit", {"director"}),
        # a case's documents: the director reads them too (read only)
        row("GET", "/api/cases/<case_id>/certificate", f"/api/cases/{c['certificate']}/certificate",
            READERS, "academic"),
        row("GET", "/api/cases/<case_id>/investigation-notes",
            f"/api/cases/{c['complaint']}/investigation-notes", DEPT_STAFF | {"director"},
            "sunshine"),
        # revoking a certificate: the academic A post alone (the service refuses its B post)
        row("POST", "/api/cases/<case_id>/certificate/revoke",
            f"/api/cases/{c['certificate']}/certificate/revoke", {"a"}, "academic",
            body={"reason": "权限矩阵测试"}),
        # money (gateway/money_api.py): staff name the student; the service decides
        row("GET", "/api/finance/ledger", f"/api/finance/ledger?student_id={OWNER}", READERS,
            "finance"),
        row("POST", "/api/finance/payments", "/api/finance/payments", STUDENTS, "finance",
            body={"amount_cents": 100}, headers="key"),
        row("GET", "/api/campus-it/card", f"/api/campus-it/card?student_id={OWNER}", READERS,
            "campus_it"),
        row("GET", "/api/campus-it/card/ledger",
            f"/api/campus-it/card/ledger?student_id={OWNER}", READERS, "campus_it"),
        row("POST", "/api/campus-it/top-ups", "/api/campus-it/top-ups", STUDENTS, "campus_it",
            body={"amount_cents": 100}, headers="key"),
        row("POST", "/api/campus-it/transfers", "/api/campus-it/transfers", STUDENTS,
            "campus_it", body={"to_student_id": "2026000002", "amount_cents": 1},
            headers="key"),
        # the hall office (gateway/hall_api.py, then the hall service's own rules) and
        # deadlines (gateway/sla_api.py; the SLA service scopes staff to their department)
        row("GET", "/api/hall/sunshine", "/api/hall/sunshine?month=2026-12", {"director"}),
        row("GET", "/api/hall/report", "/api/hall/report?period=2026-12", {"director"}),
        row("POST", "/api/hall/rate", "/api/hall/rate", {"owner"},      # the case's student
            body={"case_id": case, "satisfied": True}),
        row("POST", "/api/hall/questions", "/api/hall/questions",
            ANY_STAFF | {"desk", "director"}, body={}),
        row("GET", "/api/hall/questions", "/api/hall/questions",
            ANY_STAFF | {"desk", "director"}),
        row("POST", "/api/hall/questions/<int:question_id>/refer",
            "/api/hall/questions/1/refer", ANY_STAFF | {"desk", "director"}, body={}),
        row("POST", "/api/hall/questions/<int:question_id>/answer",
            "/api/hall/questions/1/answer", ANY_STAFF, body={}),
        row("POST", "/api/hall/questions/<int:question_id>/follow-up",
            "/api/hall/questions/1/follow-up", ANY_STAFF | {"desk", "director"}, body={}),
        row("POST", "/api/hall/handovers", "/api/hall/handovers", {"b", "other_b"}, body={}),
        row("POST", "/api/hall/handovers/<int:handover_id>/confirm",      # none such: 404
            "/api/hall/handovers/999999/confirm", {"b", "other_b"}, body={}),
        row("GET", "/api/hall/handovers", "/api/hall/handovers", ANY_STAFF | {"director"}),
        # the hall office's records (the committee's reads: gateway/tests/test_hall_office_api)
        row("GET", "/api/hall/satisfaction", "/api/hall/satisfaction?period=2026-12",
            {"director"}),
        row("GET", "/api/hall/patrols", "/api/hall/patrols?period=2026-12", {"director"}),
        row("POST", "/api/hall/patrols", "/api/hall/patrols", {"director"}, body={}),
        row("GET", "/api/hall/findings", "/api/hall/findings", {"director"}),
        row("POST", "/api/hall/findings/<int:finding_id>/resolve",
            "/api/hall/findings/999999/resolve", {"director"}, body={}),
        row("POST", "/api/hall/demerits", "/api/hall/demerits", {"director"}, body={}),
        row("GET", "/api/hall/assessment", "/api/hall/assessment?period=2026-12",
            ANY_STAFF | {"director"}),                       # staff: their own
        row("GET", "/api/hall/windows", "/api/hall/windows", LOGGED_IN),
        row("POST", "/api/hall/posts", "/api/hall/posts", {"director"}, body={}),
        row("POST", "/api/hall/posts/remove", "/api/hall/posts/remove", {"director"}, body={}),
        row("POST", "/api/hall/shifts", "/api/hall/shifts", {"director"}, body={}),
        row("GET", "/api/hall/shifts", "/api/hall/shifts", ANY_STAFF | {"desk", "director"}),
        row("GET", "/api/hall/on-duty", "/api/hall/on-duty?window=11", LOGGED_IN),
        row("POST", "/api/hall/votes", "/api/hall/votes", STUDENTS, body={}),
        row("GET", "/api/hall/votes/mine", "/api/hall/votes/mine", STUDENTS),
        row("GET", "/api/calendar/deadline", "/api/calendar/deadline?start=2026-12-07T10:00:00"
            "%2B08:00&limit=3&unit=working_days", EVERYONE),
        row("GET", "/api/sla/report", "/api/sla/report?from=2026-12-01&to=2026-12-31",
            ANY_STAFF | {"director"}),
        row("GET", "/api/sla/at-risk", "/api/sla/at-risk", ANY_STAFF | {"director"}),
    ]


# routes outside the table on purpose, with where they are tested
ELSEWHERE = {("POST", "/api/login"): "test_throttle_csrf.py (exempt from CSRF; lock-out)",
             ("POST", "/api/logout"): "test_throttle_csrf.py (any session; ends it)"}


def completed_certificate(sec, sessions):
    """An enrollment certificate of the owner, taken to completion by Academic Affairs."""
    r = sessions(OWNER).post(sec.url + "/api/cases", timeout=30, json={
        "item_code": "academic.enrollment-certificate", "form": {"purpose": "办理签证"}})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    for username, action in (("academic_b", "accept"), ("academic_a", "approve"),
                             ("academic_b", "complete")):
        r = sessions(username).post(f"{sec.url}/api/cases/{case_id}/{action}", json={},
                                    timeout=30)
        assert r.status_code == 200, r.text
    return case_id


def complaint_under_investigation(sec, sessions):
    """A complaint of the owner, accepted by Sunshine with one investigation note."""
    r = sessions(OWNER).post(sec.url + "/api/cases", timeout=30, json={
        "item_code": "sunshine.complaint-suggestion", "form": {
            "category": "complaint", "department": "logistics", "text": "报修三天没人来"}})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    r = sessions("sunshine_b").post(f"{sec.url}/api/cases/{case_id}/accept", json={},
                                    timeout=30)
    assert r.status_code == 200, r.text
    with sec.plat.rpc(staff("sunshine")) as rpc:
        rpc.sunshine.add_investigation_note(case_id, "已转后勤处核实")
    return case_id


@pytest.fixture(scope="module")
def made(sec, sessions):
    owner = sessions(OWNER)
    ids = {"certificate": completed_certificate(sec, sessions),
           "complaint": complaint_under_investigation(sec, sessions)}
    for name in ("case", "spare"):
        r = owner.post(sec.url + "/api/cases", timeout=30, json={
            "item_code": "logistics.dorm-repair", "form": {
                "building": "A3", "room": "302", "facility": "water",
                "description": "水龙头漏水"}})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    r = owner.post(f"{sec.url}/api/cases/{ids['case']}/materials/photo", timeout=30,
                   files={"file": ("photo.png", io.BytesIO(PNG), "image/png")})
    assert r.status_code == 201, r.text
    ids["upload"] = r.json()["id"]
    return ids


def session_of(role, department, kit, sessions):
    username = kit.username_for(role, department)
    return sessions(username) if username else requests.Session()


def send(r, role, department, url, kit, sessions):
    s = session_of(role, department, kit, sessions)
    headers = key(role) if r["headers"] == "key" else r["headers"]
    files = {"file": ("photo.png", io.BytesIO(PNG), "image/png")} if r["files"] else None
    return s.request(r["method"], url + r["path"], timeout=30, headers=headers,
                     json=r["body"] if r["method"] == "POST" and not files else None,
                     files=files)


def test_every_route_for_every_role(sec, sessions, kit, made):
    wrong = []
    for r in rows(made):
        for role in sorted(ROLES, key=lambda x: x in r["allowed"]):   # refused ones first
            answer = send(r, role, r["department"], sec.url, kit, sessions)
            got = "refused" if answer.status_code in (401, 403) else "allowed"
            want = "allowed" if role in r["allowed"] else "refused"
            if answer.status_code >= 500 and answer.status_code != 503:
                got = f"server error {answer.status_code}"
            if got != want:
                wrong.append(f"{r['method']} {r['path']} as {role}: {answer.status_code} "
                             f"{answer.text[:200]}")
            if want == "refused" and role == "nobody":
                assert answer.status_code == 401, (r["path"], answer.text)
    assert not wrong, "\n".join(wrong)


def test_refusals_say_why_in_both_languages(sec, sessions, made):
    r = sessions("2026000002").get(f"{sec.url}/api/cases/{made['case']}", timeout=30)
    assert r.status_code == 403
    body = r.json()
    assert body["error"] == "forbidden" and body["message"] and body["message_en"]
    r = requests.get(f"{sec.url}/api/cases/{made['case']}", timeout=30)
    assert (r.status_code, r.json()["message"]) == (401, "请先登录")


def test_a_post_items_need_the_a_post_over_http(sec, sessions, kit):
    """A complaint (sunshine, an A-post item): its B post accepts but may not approve."""
    code, materials, form = kit.SIMPLE["sunshine"]
    r = sessions(OWNER).post(sec.url + "/api/cases", timeout=30, json={
        "item_code": code, "materials": materials, "form": form})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    b, a = sessions("sunshine_b"), sessions("sunshine_a")
    assert b.post(f"{sec.url}/api/cases/{cid}/accept", json={}, timeout=30).status_code == 200
    noted = b.post(f"{sec.url}/api/cases/{cid}/actions/add_investigation_note",
                   json={"note": "已转后勤处核实"}, timeout=30)   # approval needs a finding
    assert noted.status_code == 200, noted.text
    refused = b.post(f"{sec.url}/api/cases/{cid}/approve", json={}, timeout=30)
    assert refused.status_code == 403 and "A岗" in refused.json()["message"]
    assert a.post(f"{sec.url}/api/cases/{cid}/approve", json={}, timeout=30).status_code == 200
    director = sessions("director").post(f"{sec.url}/api/cases/{cid}/complete", json={},
                                         timeout=30)
    assert director.status_code == 403                  # the director reads, never acts


def test_staff_reads_and_every_change_are_in_the_audit_log(sec, sessions, made):
    sessions("logistics_b").get(f"{sec.url}/api/cases/{made['case']}", timeout=30)
    log = sessions("director").get(sec.url + "/api/audit", timeout=30,
                                   params={"user": "logistics_b", "per_page": 200}).json()
    reads = [e for e in log["entries"] if e["method"] == "GET"
             and e["target"] == made["case"]]
    assert reads and reads[0]["role"] == "b_post" and reads[0]["status"] == 200
    assert reads[0]["route"] == "/api/cases/<case_id>"
    mine = sessions("director").get(sec.url + "/api/audit", timeout=30,
                                    params={"user": OWNER, "per_page": 200}).json()
    posts = {(e["route"], e["status"]) for e in mine["entries"] if e["method"] == "POST"}
    assert ("/api/cases", 201) in posts and ("/api/login", 200) in posts
    assert all(e["ip"] for e in mine["entries"])
    bad = sessions("director").get(sec.url + "/api/audit", params={"from": "yesterday"},
                                   timeout=30)
    assert bad.status_code == 422 and "from" in bad.json()["fields"]


def test_document_reads_by_staff_and_the_director_are_audited(sec, sessions, made):
    """The director reads the PDF and the notes (and may not act); staff reads of them land in
    the audit log like any other staff read of a case; the student's own read does not."""
    director = sessions("director")
    pdf = director.get(f"{sec.url}/api/cases/{made['certificate']}/certificate", timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    notes = director.get(f"{sec.url}/api/cases/{made['complaint']}/investigation-notes",
                         timeout=30)
    assert notes.status_code == 200
    assert [n["note"] for n in notes.json()["notes"]] == ["已转后勤处核实"]
    sessions("academic_a").get(f"{sec.url}/api/cases/{made['certificate']}/certificate",
                               timeout=30)
    sessions("sunshine_b").get(f"{sec.url}/api/cases/{made['complaint']}/investigation-notes",
                               timeout=30)
    sessions(OWNER).get(f"{sec.url}/api/cases/{made['certificate']}/certificate", timeout=30)

    def reads(user, route):
        log = director.get(sec.url + "/api/audit", timeout=30,
                           params={"user": user, "per_page": 200}).json()
        return [(e["role"], e["target"], e["status"]) for e in log["entries"]
                if e["method"] == "GET" and e["route"] == route]
    certificate, notes_route = ("/api/cases/<case_id>/certificate",
                                "/api/cases/<case_id>/investigation-notes")
    assert ("director", made["certificate"], 200) in reads("director", certificate)
    assert ("director", made["complaint"], 200) in reads("director", notes_route)
    assert ("a_post", made["certificate"], 200) in reads("academic_a", certificate)
    assert ("b_post", made["complaint"], 200) in reads("sunshine_b", notes_route)
    assert reads(OWNER, certificate) == []
    acted = director.post(f"{sec.url}/api/cases/{made['complaint']}/complete", json={},
                          timeout=30)
    assert acted.status_code == 403


def test_no_api_route_escapes_the_matrix(made, tmp_path, monkeypatch):
    monkeypatch.setenv("GATEWAY_DB_URL", f"sqlite:///{tmp_path}/gateway.db")
    from gateway.app import create_app
    app = create_app()
    covered = {(r["method"], r["rule"]) for r in rows(made)} | set(ELSEWHERE)
    routes = {(m, rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/")
              for m in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - covered)
    assert not missing, ("add these routes to the authorization matrix "
                         f"(tests/security/test_gateway_matrix.py): {missing}")
    assert all(re.match(r"^/api/", rule) for _, rule in covered)
