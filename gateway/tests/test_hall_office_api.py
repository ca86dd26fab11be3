"""The hall office through /api/hall over real HTTP (gunicorn) in front of the real hall, SLA and
logistics services on RabbitMQ and PostgreSQL: the director's patrols and demerits, the
roster (windows, A/B posts, shifts, who is on duty), students' monthly vote, and what the
management committee reads (patrols, findings, assessment, satisfaction, the Sunshine ranking,
reports). Every route is tried by the roles it serves and by one it refuses; bad input is
answered with the field named. The pages over the same platform speak Chinese and English
and refuse the roles they are not for (the browser walks them in tests/browser)."""
import re

import pytest

from osac_shared.testing import staff

REPAIR = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}
CHECKS = ("on_duty_discipline", "badge", "manner", "attitude", "signage_and_guide", "hygiene",
          "answers")
ALL_OK = {code: {"ok": True} for code in CHECKS}


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["hall", "sla", "logistics"], gateway=True,
                            extra_env={"SEED_DEMO": "1"})


@pytest.fixture(scope="module")
def url(plat):
    return plat.gateway_url


@pytest.fixture(scope="module")
def users(url, login):
    return {name: login(url, name) for name in
            ("director", "committee", "aid_committee", "desk", "logistics_b", "logistics_a",
             "2026000001", "2026000002")}


def fields_of(r, status=422):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["message"] and body["message_en"]
    return body["fields"]


def test_the_committee_account_reads_and_never_writes(url, users):
    me = users["committee"].get(url + "/api/me", timeout=15).json()["user"]
    assert (me["role"], me["role_zh"], me["department"]) == ("committee", "管理委员会", None)
    committee = users["committee"]
    for path, data in (("/api/hall/patrols", {"checklist": ALL_OK}),
                       ("/api/hall/demerits", {"person_id": "logistics_b", "kind": "lateness"}),
                       ("/api/hall/posts", {"window": 11, "staff_id": "x", "post": "B"}),
                       ("/api/hall/shifts", {}), ("/api/hall/findings/1/resolve", {}),
                       ("/api/hall/votes", {"window": 11})):
        assert committee.post(url + path, json=data, timeout=15).status_code == 403, path


def test_a_departments_review_committee_is_not_the_centres(url, users):
    """aid's 评审委员会 (role committee, department aid) reads none of the hall's records: the
    hall service says so (the gateway's role gate lets the role through)."""
    aid = users["aid_committee"]
    for path in ("/api/hall/patrols", "/api/hall/findings", "/api/hall/assessment",
                 "/api/hall/satisfaction", "/api/hall/sunshine",
                 "/api/hall/report?period=2026-12"):
        r = aid.get(url + path, timeout=15)
        assert r.status_code == 403 and r.json()["message_en"], (path, r.text)
    home = aid.get(url + "/ui/?lang=zh", timeout=15)
    assert home.url.endswith("/ui/review") and 'href="/ui/patrols"' not in home.text  # its own
    for path in ("/ui/committee", "/ui/patrols", "/ui/sunshine", "/ui/reports",
                 "/ui/assessment"):
        assert aid.get(url + path, timeout=15).status_code == 403, path


def test_a_patrol_with_its_checklist_and_findings_then_the_result(url, users):
    director, committee = users["director"], users["committee"]
    r = director.post(url + "/api/hall/patrols", timeout=15, json={
        "checklist": {**ALL_OK, "badge": {"ok": False, "note": "11号窗口B岗未佩戴工作牌"}},
        "findings": [{"window": 11, "person": "logistics_b", "opinion": "上岗须佩戴工作牌"},
                     {"window": 2, "opinion": "《办事指南》摆放不齐", "result": "已当场整理"}]})
    assert r.status_code == 201, r.text
    patrol = r.json()["patrol"]
    assert r.json()["warnings"] == []
    assert patrol["checklist"]["badge"] == {"ok": False, "note": "11号窗口B岗未佩戴工作牌"}
    open_one, fixed = patrol["findings"]
    assert (open_one["resolved"], fixed["resolved"]) == (False, True)

    for who in ("director", "committee"):            # both read what is still open
        listed = users[who].get(url + "/api/hall/findings", timeout=15).json()["findings"]
        assert [(f["id"], f["window"], f["date"]) for f in listed] == \
            [(open_one["id"], 11, patrol["date"])]
    r = director.post(url + f"/api/hall/findings/{open_one['id']}/resolve",
                      json={"result": "已提醒并整改，次日复查合格"}, timeout=15)
    assert r.status_code == 200 and r.json()["resolved"] is True, r.text
    assert director.get(url + "/api/hall/findings", timeout=15).json()["findings"] == []

    r = committee.get(url + "/api/hall/patrols", timeout=15)
    assert r.status_code == 200, r.text
    month = r.json()["period"]
    assert month == patrol["date"][:7]
    mine = [p for p in r.json()["patrols"] if p["id"] == patrol["id"]][0]
    assert [f["result"] for f in mine["findings"]] == ["已提醒并整改，次日复查合格", "已当场整理"]
    term = committee.get(url + "/api/hall/patrols", params={"period": "2026-term2"}, timeout=15)
    assert term.status_code == 200 and term.json()["period"] == "2026-term2"
    for who in ("logistics_b", "2026000001", "desk"):
        assert users[who].get(url + "/api/hall/patrols", timeout=15).status_code == 403, who
        assert users[who].get(url + "/api/hall/findings", timeout=15).status_code == 403, who
    assert users["logistics_a"].post(url + "/api/hall/patrols", json={"checklist": ALL_OK},
                                     timeout=15).status_code == 403


def test_patrol_mistakes_are_named(url, users):
    director = users["director"]

    def patrol(**data):
        return director.post(url + "/api/hall/patrols", json=data, timeout=15)
    assert set(fields_of(patrol())) == {"checklist"}
    assert set(fields_of(patrol(checklist={**ALL_OK, "speed": {"ok": True}}))) == \
        {"checklist.speed"}
    assert set(fields_of(patrol(checklist={**ALL_OK, "badge": {"ok": "yes"}}))) == \
        {"checklist.badge.ok"}
    missing = fields_of(patrol(checklist={"badge": {"ok": True}}))      # the hall names them
    assert set(missing) == {f"checklist.{c}" for c in CHECKS if c != "badge"}
    assert "窗口卫生" in missing["checklist.hygiene"]
    assert set(fields_of(patrol(checklist=ALL_OK, findings=[{"window": 11}]))) == \
        {"findings.0.opinion"}
    assert set(fields_of(patrol(checklist=ALL_OK, findings=[{"window": 14, "opinion": "x"}]))) \
        == {"findings.0.window"}
    assert set(fields_of(patrol(checklist=ALL_OK, date="2099-01-01"))) == {"date"}
    assert set(fields_of(patrol(checklist=ALL_OK, date="yesterday"))) == {"date"}
    assert set(fields_of(director.post(url + "/api/hall/findings/1/resolve", json={"result": " "},
                                       timeout=15))) == {"result"}
    r = director.post(url + "/api/hall/findings/999999/resolve", json={"result": "x"}, timeout=15)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = director.post(url + f"/api/hall/findings/{2**40}/resolve", json={"result": "x"},
                      timeout=15)
    assert r.status_code == 404
    assert set(fields_of(users["committee"].get(url + "/api/hall/patrols?period=2026-term3",
                                                timeout=15))) == {"period"}


def test_demerits_and_the_assessment_they_make(url, users):
    director = users["director"]

    def demerit(**data):
        return director.post(url + "/api/hall/demerits", json=data, timeout=15)
    first = demerit(person_id="logistics_b", kind="lateness", source_ref="考勤-1",
                    note="迟到15分钟")
    assert first.status_code == 201, first.text
    assert (first.json()["month_demerits"], first.json()["wage_reduced"]) == (1, False)
    second = demerit(person_id="logistics_b", kind="verified_complaint", source_ref="投诉-7")
    assert second.status_code == 201, second.text
    assert (second.json()["month_demerits"], second.json()["wage_reduced"],
            second.json()["rate_delta_yuan"]) == (2, True, -1)       # 2 in a month: -1 yuan
    again = demerit(person_id="logistics_b", kind="lateness", source_ref="考勤-1")
    assert again.status_code == 409 and again.json()["error"] == "demerit_recorded"
    assert set(fields_of(demerit(person_id="logistics_b", kind="sla_breach"))) == {"kind"}
    assert set(fields_of(demerit(person="logistics_b", kind="lateness"))) == \
        {"person", "person_id"}
    r = demerit(person_id="nobody_here", kind="lateness")
    assert r.status_code == 404, r.text

    for who in ("director", "committee"):
        people = users[who].get(url + "/api/hall/assessment", timeout=15).json()["people"]
        row = next(p for p in people if p["person_id"] == "logistics_b")
        assert (row["total"], row["by_kind"], row["wage_reduced"]) == \
            (2, {"lateness": 1, "verified_complaint": 1}, True)
    own = users["logistics_b"].get(url + "/api/hall/assessment", timeout=15)
    assert own.status_code == 200, own.text
    assert [p["person_id"] for p in own.json()["people"]] == ["logistics_b"]
    assert users["logistics_a"].get(url + "/api/hall/assessment",
                                    timeout=15).json()["people"] == []       # none of their own
    other = users["logistics_a"].get(url + "/api/hall/assessment",
                                     params={"person_id": "logistics_b"}, timeout=15)
    assert other.status_code == 403                        # staff see their own only
    term = users["committee"].get(url + "/api/hall/assessment",
                                  params={"period": "2026-term2", "person_id": "logistics_b"},
                                  timeout=15)
    assert term.status_code == 200 and term.json()["people"][0]["term_demerits"] >= 2
    assert users["2026000001"].get(url + "/api/hall/assessment", timeout=15).status_code == 403
    assert users["desk"].get(url + "/api/hall/assessment", timeout=15).status_code == 403
    assert set(fields_of(users["committee"].get(url + "/api/hall/assessment?person_id=a b",
                                                timeout=15))) == {"person_id"}


def test_the_roster_posts_shifts_and_who_is_on_duty(plat, url, users):
    director = users["director"]
    windows = users["2026000001"].get(url + "/api/hall/windows", timeout=15)
    assert windows.status_code == 200, windows.text
    w11 = windows.json()["windows"][10]
    assert (w11["window"], w11["name_zh"]) == (11, "维修服务")
    assert {(p["staff_id"], p["post"]) for p in w11["posts"]} == \
        {("logistics_a", "A"), ("logistics_b", "B")}          # the demo A/B pair

    r = director.post(url + "/api/hall/posts", timeout=15, json={
        "window": 11, "staff_id": "logistics_b2", "post": "B", "name": "接班学生助理"})
    assert r.status_code == 200 and r.json()["department"] == "logistics", r.text
    assert set(fields_of(director.post(url + "/api/hall/posts", timeout=15, json={
        "window": 11, "staff_id": "x y", "post": "C"}))) == {"staff_id", "post"}
    day = director.get(url + "/api/hall/shifts", timeout=15).json()["date"]   # today

    def shift(**data):
        return director.post(url + "/api/hall/shifts", json={
            "date": day, "window": 11, "staff_id": "logistics_b2", **data}, timeout=15)
    added = shift(start="08:30", end="12:00")
    assert added.status_code == 201, added.text
    overlap = shift(start="11:00", end="13:00")
    assert overlap.status_code == 409 and "start" in overlap.json()["fields"]
    assert set(fields_of(shift(start="12:00", end="08:00"))) == {"end"}
    assert set(fields_of(shift(start="8am", end="12:00"))) == {"start"}
    assert set(fields_of(shift(start="13:00", end="14:00", staff_id="logistics_a"))) == \
        {"staff_id"}                                          # the A post has no shifts

    for who in ("director", "desk", "logistics_b"):
        listed = users[who].get(url + "/api/hall/shifts", params={"window": 11}, timeout=15)
        assert listed.status_code == 200, (who, listed.text)
        assert {(s["staff_id"], s["start"]) for s in listed.json()["shifts"]} == \
            {("logistics_b", "08:30"), ("logistics_b2", "08:30")}
    assert users["committee"].get(url + "/api/hall/shifts", timeout=15).status_code == 403
    assert users["2026000001"].get(url + "/api/hall/shifts", timeout=15).status_code == 403
    assert set(fields_of(director.get(url + "/api/hall/shifts?date=2026-02-30",
                                      timeout=15))) == {"date"}

    duty = users["2026000001"].get(url + "/api/hall/on-duty", params={"window": 11}, timeout=15)
    assert duty.status_code == 200, duty.text
    assert [a["staff_id"] for a in duty.json()["a_posts"]] == ["logistics_a"]
    assert set(fields_of(users["2026000001"].get(url + "/api/hall/on-duty",
                                                 timeout=15))) == {"window"}

    gone = director.post(url + "/api/hall/posts/remove",
                         json={"window": 11, "staff_id": "logistics_b2"}, timeout=15)
    assert gone.status_code == 200 and gone.json()["shifts_removed"] == 1, gone.text
    again = director.post(url + "/api/hall/posts/remove",
                          json={"window": 11, "staff_id": "logistics_b2"}, timeout=15)
    assert again.status_code == 404
    assert users["logistics_a"].post(url + "/api/hall/posts/remove", json={
        "window": 11, "staff_id": "logistics_b"}, timeout=15).status_code == 403


def test_votes_satisfaction_the_sunshine_ranking_and_reports(plat, url, users):
    student, other = users["2026000001"], users["2026000002"]
    with plat.rpc({"id": "2026000001", "role": "student", "name": "张三"}) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR)
    with plat.rpc(staff("logistics")) as rpc:
        for action in ("accept", "approve", "complete"):
            rpc.logistics.act(case["id"], action, "已修好")
    assert student.post(url + "/api/hall/rate", json={"case_id": case["id"], "satisfied": True},
                        timeout=15).status_code == 201

    mine = student.get(url + "/api/hall/votes/mine", timeout=15).json()
    assert (mine["window"], mine["can_vote"]) == (None, True)
    r = student.post(url + "/api/hall/votes", json={"window": 11}, timeout=15)
    assert r.status_code == 201 and r.json()["month"] == mine["month"], r.text
    again = student.post(url + "/api/hall/votes", json={"window": 2}, timeout=15)
    assert again.status_code == 409 and again.json()["error"] == "already_voted"
    assert student.get(url + "/api/hall/votes/mine", timeout=15).json()["window"] == 11
    assert set(fields_of(other.post(url + "/api/hall/votes", json={"window": 14},
                                    timeout=15))) == {"window"}
    assert set(fields_of(other.post(url + "/api/hall/votes", json={"window": "11"},
                                    timeout=15))) == {"window"}
    assert set(fields_of(other.post(url + "/api/hall/votes", json={"window": 11,
                                                                   "month": "2020-01"},
                                    timeout=15))) == {"month"}
    for who in ("desk", "director", "committee"):
        assert users[who].post(url + "/api/hall/votes", json={"window": 11},
                               timeout=15).status_code == 403
        assert users[who].get(url + "/api/hall/votes/mine", timeout=15).status_code == 403

    committee = users["committee"]
    sat = committee.get(url + "/api/hall/satisfaction", timeout=15)
    assert sat.status_code == 200, sat.text
    assert {"window": 11, "rated": 1, "satisfied": 1, "rate": 1.0, "below_target": False} in \
        sat.json()["by_window"]
    assert sat.json()["period"] == mine["month"] and sat.json()["target"] == 0.96
    assert set(fields_of(committee.get(url + "/api/hall/satisfaction?period=12-2026",
                                       timeout=15))) == {"period"}
    sun = committee.get(url + "/api/hall/sunshine", timeout=20)
    assert sun.status_code == 200, sun.text
    w11 = next(r for r in sun.json()["ranking"] if r["window"] == 11)
    assert (w11["votes"], w11["satisfaction"]) == (1, 1.0)
    report = committee.get(url + "/api/hall/report", params={"period": mine["month"],
                                                             "format": "csv"}, timeout=20)
    assert report.status_code == 200 and report.headers["Content-Type"].startswith("text/csv")
    for who in ("logistics_b", "2026000001", "desk"):
        for path in ("/api/hall/satisfaction", "/api/hall/sunshine",
                     f"/api/hall/report?period={mine['month']}"):
            assert users[who].get(url + path, timeout=15).status_code == 403, (who, path)


TAG = re.compile(r"<[^>]+>")
RAW_KEY = re.compile(r"\b(?:patrol|assess|sun|sat|roster|rep|com|vote|period|check|kind|post|"
                     r"part|nav)\.[a-z_]+\b")


@pytest.mark.parametrize("who, paths", [
    ("director", ("/ui/patrols", "/ui/assessment", "/ui/sunshine", "/ui/roster", "/ui/reports",
                  "/ui/patrols?period=2026-term2", "/ui/assessment?period=nonsense")),
    ("committee", ("/ui/committee", "/ui/patrols", "/ui/assessment", "/ui/sunshine",
                   "/ui/reports")),
    ("logistics_b", ("/ui/assessment",)), ("2026000001", ("/ui/vote",))])
def test_the_pages_speak_both_languages(url, users, who, paths):
    for path in paths:
        for lang in ("zh", "en"):
            sep = "&" if "?" in path else "?"
            r = users[who].get(f"{url}{path}{sep}lang={lang}", timeout=30)
            assert r.status_code == 200, (who, path, lang, r.text[:300])
            text = TAG.sub(" ", r.text)
            assert not RAW_KEY.findall(text), (who, path, lang, RAW_KEY.findall(text))
            assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in r.text


@pytest.mark.parametrize("who, path", [
    ("committee", "/ui/roster"), ("desk", "/ui/patrols"), ("2026000001", "/ui/assessment"),
    ("logistics_b", "/ui/sunshine"), ("director", "/ui/vote"), ("logistics_a", "/ui/reports")])
def test_pages_refuse_the_roles_they_are_not_for(url, users, who, path):
    r = users[who].get(url + path + "?lang=zh", timeout=30)
    assert r.status_code == 403 and "没有权限" in r.text
