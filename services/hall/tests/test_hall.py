"""The hall on the real platform (hall + aid + logistics, later sla, on RabbitMQ and
PostgreSQL): hand-overs, the desk's referrals, demerits from events, the wage rule reaching aid,
ratings, the Sunshine ranking with and without SLA, patrols and reports."""
import base64
import csv
import io
import json
import time
from datetime import datetime, timedelta
from functools import partial

import pytest
from kombu import Connection
from nameko.events import get_event_exchange
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from osac_shared import testing
from osac_shared.clock import TZ
from osac_shared.contracts import make_event, read_event
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)          # a Monday
STUDENT, STUDENT2, DIRECTOR = ACTORS["student"], ACTORS["student2"], ACTORS["director"]
DESK = {"id": "desk", "role": "desk", "name": "咨询台"}
LOG_B, LOG_A, AID_B = staff("logistics"), staff("logistics", "a_post"), staff("aid")
LOG_B2 = {**LOG_B, "id": "logistics_b2"}
REPAIR = {"building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}
ALL_OK = {c: True for c in ("on_duty_discipline", "badge", "manner", "attitude",
                            "signage_and_guide", "hygiene", "answers")}


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["hall", "aid", "logistics"], clock_file=str(clock),
                            extra_env={"SEED_DEMO": "1"})


eventually = partial(testing.eventually, timeout=30)


def query(plat, sql, **params):
    engine = create_engine(plat.db_url("hall"))
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    engine.dispose()
    return rows


def outbox(plat, type_):
    return [json.loads(r[0]) for r in query(plat, "SELECT payload FROM outbox WHERE type = :t "
                                                  "ORDER BY created_at", t=type_)]


def publish(plat, source, envelope):
    exchange = get_event_exchange(source, {"AMQP_URI": plat.amqp_uri})
    with Connection(plat.amqp_uri) as conn:
        conn.Producer(serializer="json").publish(
            envelope, exchange=exchange, routing_key=envelope["type"], declare=[exchange],
            retry=True)


def refused(call):
    with pytest.raises(DomainError) as err:
        call()
    return err.value


def completed_repair(plat):
    with plat.rpc(STUDENT) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR)
    with plat.rpc(LOG_B) as rpc:
        rpc.logistics.act(case["id"], "accept")
        rpc.logistics.act(case["id"], "approve")
        return rpc.logistics.act(case["id"], "complete", "已修好")


# ---- roster and hand-overs -------------------------------------------------------------
def test_the_demo_roster_and_who_is_on_duty(plat):
    plat.set_time(T0)
    with plat.rpc(DIRECTOR) as rpc:
        windows = rpc.hall.windows()
        assert [w["window"] for w in windows] == list(range(1, 14))
        posts = {(p["staff_id"], p["post"]) for p in windows[10]["posts"]}
        assert posts == {("logistics_a", "A"), ("logistics_b", "B")}
        duty = rpc.hall.on_duty(11)
        assert [b["staff_id"] for b in duty["b_posts"]] == ["logistics_b"]
        assert duty["a_post_at_window"] is False              # A posts sit 15:30–17:30
        assert rpc.hall.on_duty(6)["b_posts"] == []          # academic_b is at 5 until 13:00
        plat.set_time(T0.replace(hour=16))
        assert rpc.hall.on_duty(11)["a_post_at_window"] is True
        assert [b["staff_id"] for b in rpc.hall.on_duty(6)["b_posts"]] == ["academic_b"]
    plat.set_time(T0)


def test_the_director_takes_someone_off_a_window_with_their_shifts_from_today(plat):
    plat.set_time(T0)
    with plat.rpc(DIRECTOR) as rpc:
        rpc.hall.set_post(12, "finance_b9", "B", "临时学生助理")
        rpc.hall.add_shift("2026-12-06", "08:30", "12:00", 12, "finance_b9")   # yesterday
        rpc.hall.add_shift("2026-12-07", "13:00", "17:30", 12, "finance_b9")
        rpc.hall.add_shift("2026-12-09", "08:30", "12:00", 12, "finance_b9")
        gone = rpc.hall.remove_post(12, "finance_b9")
        assert (gone["staff_id"], gone["post"], gone["shifts_removed"]) == ("finance_b9", "B", 2)
        assert "finance_b9" not in {p["staff_id"] for p in rpc.hall.windows()[11]["posts"]}
        assert [s["staff_id"] for s in rpc.hall.shifts("2026-12-06", 12)] == ["finance_b9"]
        assert rpc.hall.shifts("2026-12-09", 12) == []
        assert refused(lambda: rpc.hall.remove_post(12, "finance_b9")).status == 404
        assert "window" in refused(lambda: rpc.hall.remove_post(14, "finance_b")).fields
    with plat.rpc(LOG_A) as rpc:
        assert refused(lambda: rpc.hall.remove_post(12, "finance_b")).status == 403


def test_hand_over_from_the_leaving_to_the_arriving_b_post(plat):
    plat.set_time(T0)
    with plat.rpc(DIRECTOR) as rpc:
        rpc.hall.set_post(11, "logistics_b2", "B", "第二位学生助理")
        shift = rpc.hall.add_shift("2026-12-07", "12:30", "17:30", 11, "logistics_b2")
        assert shift["staff_id"] == "logistics_b2"
        assert refused(lambda: rpc.hall.add_shift("2026-12-07", "12:00", "13:00", 11,
                                                  "logistics_b2")).code == "shift_overlap"
    with plat.rpc(LOG_B) as rpc:
        h = rpc.hall.hand_over(11, "logistics_b2", ["logistics-20261207-1a2b3c4d"],
                               "一张报修单待上门")
        assert (h["from_b_post"], h["confirmed"]) == ("logistics_b", False)
        assert set(refused(lambda: rpc.hall.hand_over(11, "aid_b", [], "")).fields) == \
            {"to_b_post"}
    plat.set_time(T0 + timedelta(minutes=30))
    with plat.rpc(DIRECTOR) as rpc:
        pending = rpc.hall.pending_hand_overs()
        assert [(p["id"], p["age_minutes"]) for p in pending] == [(h["id"], 30)]
    with plat.rpc(LOG_B) as rpc:                 # only the arriving B post confirms
        assert refused(lambda: rpc.hall.confirm_hand_over(h["id"])).status == 403
    with plat.rpc(LOG_B2) as rpc:
        done = rpc.hall.confirm_hand_over(h["id"])
        assert done["confirmed"] and done["open_case_ids"] == ["logistics-20261207-1a2b3c4d"]
        assert refused(lambda: rpc.hall.confirm_hand_over(h["id"])).status == 409
    with plat.rpc(DIRECTOR) as rpc:
        assert rpc.hall.pending_hand_overs() == []
    with plat.rpc(STUDENT) as rpc:
        assert refused(lambda: rpc.hall.pending_hand_overs()).status == 403
    plat.set_time(T0)


# ---- the consultation desk -------------------------------------------------------------
def test_a_referral_from_the_desk_is_answered_and_fed_back(plat):
    with plat.rpc(DESK) as rpc:
        q = rpc.hall.record_question("2026000001", "phone", "勤工助学岗位怎么申请？")
        assert (q["owner_id"], q["owner_window"], q["status"]) == ("desk", None, "open")
        q = rpc.hall.refer(q["id"], "aid", "请资助窗口答复")
        assert q["status"] == "referred"
    with plat.rpc(LOG_B) as rpc:                 # not the receiving department
        assert refused(lambda: rpc.hall.answer_referral(q["id"], "x")).status == 403
    with plat.rpc(AID_B) as rpc:
        assert rpc.hall.answer_referral(q["id"], "在2号窗口申请勤工助学岗位")["status"] == \
            "answered"
        assert [x["id"] for x in rpc.hall.list_questions("answered")["questions"]] == [q["id"]]
    with plat.rpc(DESK) as rpc:
        closed = rpc.hall.follow_up(q["id"], "已电话告知学生")
        assert (closed["status"], closed["feedback"]) == ("closed", "已电话告知学生")
        assert rpc.hall.list_questions("closed")["total"] == 1
    opened = eventually(lambda: outbox(plat, "hall.referral_opened"))
    answered = outbox(plat, "hall.referral_answered")
    assert read_event(opened[0])["data"] == {
        "referral_id": str(q["id"]), "from_window": None, "to_department": "aid",
        "student_id": "2026000001", "question": "勤工助学岗位怎么申请？"}
    assert read_event(answered[0])["data"]["answer"] == "在2号窗口申请勤工助学岗位"
    assert eventually(lambda: query(plat, "SELECT count(*) FROM outbox WHERE sent_at IS NULL "
                                          "AND type LIKE 'hall.referral%'")[0][0] == 0)


def test_a_window_refers_with_its_window_number(plat):
    with plat.rpc(LOG_B) as rpc:
        q = rpc.hall.record_question("2026000002", "on_site", "一卡通挂失", None)
        assert q["owner_window"] == 11
        assert "to_department" in refused(lambda: rpc.hall.refer(q["id"], "logistics")).fields
        assert rpc.hall.refer(q["id"], "campus_it")["to_department"] == "campus_it"
    with plat.rpc(STUDENT) as rpc:
        assert refused(lambda: rpc.hall.record_question("1", "phone", "q")).status == 403


# ---- demerits from events --------------------------------------------------------------
def test_an_sla_breach_is_one_demerit_for_the_last_staff_actor(plat):
    with plat.rpc(STUDENT) as rpc:
        case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR)
    with plat.rpc(LOG_B2) as rpc:
        rpc.logistics.act(case["id"], "accept")
    assert eventually(lambda: query(plat, "SELECT last_staff_id FROM cases_seen WHERE "
                                          "case_id = :c", c=case["id"]) == [("logistics_b2",)])
    breach = make_event("sla.breached", "sla", {
        "timer": "completion", "department": "logistics", "window": 11,
        "item_code": "logistics.dorm-repair", "student_id": STUDENT["id"],
        "due_at": (T0 + timedelta(hours=48)).isoformat(), "level": 2},
        occurred_at=T0 + timedelta(hours=49), case_id=case["id"])
    publish(plat, "sla", breach)
    publish(plat, "sla", breach)                  # at-least-once: the duplicate
    unknown = make_event("sla.breached", "sla", {
        "timer": "completion", "department": "finance", "window": 12,
        "item_code": "finance.refund", "student_id": STUDENT["id"],
        "due_at": T0.isoformat()}, occurred_at=T0, case_id="finance-20261201-00000000")
    publish(plat, "sla", unknown)

    def demerits():
        return query(plat, "SELECT person_id, post, \"window\", kind, source, case_id FROM "
                           "demerits WHERE kind = 'sla_breach' ORDER BY person_id")
    assert eventually(lambda: len(demerits()) == 2)
    time.sleep(1.0)                                # a second effect would show by now
    assert demerits() == [("finance_a", "A", 12, "sla_breach", "sla",
                           "finance-20261201-00000000"),
                          ("logistics_b2", "B", 11, "sla_breach", "sla", case["id"])]


def test_a_notice_violation_event_is_a_demerit(plat):
    event = make_event("case.notice_violation", "logistics", {
        "item_code": "logistics.dorm-repair", "window": 11, "department": "logistics",
        "student_id": STUDENT["id"], "status": "accepted", "actor_id": "logistics_a",
        "actor_role": "a_post", "limit": {"value": 48, "unit": "calendar_hours"},
        "submitted_at": T0.isoformat(), "materials": ["photo"]},
        occurred_at=T0, case_id="logistics-20261207-deadbeef")
    publish(plat, "logistics", event)
    publish(plat, "logistics", event)
    rows = lambda: query(plat, "SELECT person_id, source, source_ref FROM demerits "  # noqa
                               "WHERE kind = 'notice_violation'")
    assert eventually(rows) == [("logistics_a", "logistics", event["event_id"])]
    time.sleep(0.5)
    assert len(rows()) == 1


# ---- the wage rule, through to aid -----------------------------------------------------
def aid_rate(plat, who="aid_b3", month="2026-12"):
    with plat.rpc(DIRECTOR) as rpc:
        return rpc.aid.work_study_rate(who, month)


def test_the_wage_rule_at_1_2_and_5_demerits(plat):
    plat.set_time(T0)
    with plat.rpc(DIRECTOR) as rpc:
        rpc.hall.set_post(2, "aid_b3", "B", "学生助理")
        first = rpc.hall.record_demerit("aid_b3", "lateness", "2026-12-07 迟到", "迟到20分钟")
        assert (first["month_demerits"], first["wage_reduced"]) == (1, False)
        assert refused(lambda: rpc.hall.record_demerit(
            "aid_b3", "lateness", "2026-12-07 迟到")).code == "demerit_recorded"
        assert refused(lambda: rpc.hall.record_demerit("aid_b3", "sla_breach", "x")).status \
            == 422
        time.sleep(1.0)
        assert aid_rate(plat)["rate_yuan"] == 15 and outbox(plat, "hall.wage_adjusted") == []

        second = rpc.hall.record_demerit("aid_b3", "verified_error", "aid-20261207-0badf00d")
        assert (second["month_demerits"], second["wage_reduced"],
                second["rate_delta_yuan"]) == (2, True, -1)
        assert eventually(lambda: aid_rate(plat)["rate_yuan"] == 14)

        for n, ref in enumerate(("c3", "c4", "c5"), start=3):
            verdict = rpc.hall.record_demerit("aid_b3", "verified_complaint", ref)
            assert (verdict["month_demerits"], verdict["dismissal_flag"]) == (n, n >= 5)
        assert verdict["dismissal_zh"] == "本学期累计记过5次以上，建议予以劝退"
        report = rpc.hall.assessment("2026-term2", "aid_b3")["people"][0]
        assert (report["total"], report["dismissal_flag"], report["reduced_months"]) == \
            (5, True, ["2026-12"])
    time.sleep(1.0)
    rate = aid_rate(plat)
    assert (rate["base_rate_yuan"], rate["rate_yuan"], len(rate["adjustments"])) == (15, 14, 1)
    events = outbox(plat, "hall.wage_adjusted")
    assert [read_event(e)["data"] for e in events] == [
        {"assistant_id": "aid_b3", "month": "2026-12", "demerits": 2, "rate_delta_yuan": -1}]
    assert aid_rate(plat, month="2027-01")["rate_yuan"] == 15
    with plat.rpc(AID_B) as rpc:                  # someone else's rate, from another window
        assert rpc.aid.work_study_rate("aid_b3", "2026-12")["rate_yuan"] == 14
    with plat.rpc(LOG_B) as rpc:
        assert refused(lambda: rpc.aid.work_study_rate("aid_b3", "2026-12")).status == 403
        assert refused(lambda: rpc.hall.assessment("2026-12", "aid_b3")).status == 403


# ---- satisfaction, votes and the Sunshine Window ---------------------------------------
def test_students_rate_completed_cases_once(plat):
    case = completed_repair(plat)
    with plat.rpc(STUDENT) as rpc:
        rating = rpc.hall.rate_case(case["id"], True, "修得很快")
        assert (rating["window"], rating["person_id"]) == (11, "logistics_b")
        assert refused(lambda: rpc.hall.rate_case(case["id"], True)).code == "already_rated"
        open_case = rpc.logistics.submit_case("logistics.dorm-repair", [], REPAIR)
        assert refused(lambda: rpc.hall.rate_case(open_case["id"], False)).code == \
            "case_not_completed"
        down = refused(lambda: rpc.hall.rate_case("finance-20261207-1a2b3c4d", True))
        assert (down.code, down.status) == ("department_unavailable", 503)
        assert "财务处" in down.message and "Finance" in down.message_en
        assert rpc.hall.my_vote() == {"student_id": "2026000001", "month": "2026-12",
                                      "window": None, "voted_at": None, "can_vote": True}
        assert rpc.hall.vote(11)["month"] == "2026-12"
        assert refused(lambda: rpc.hall.vote(2)).code == "already_voted"
        mine = rpc.hall.my_vote(None)
        assert (mine["window"], mine["can_vote"], bool(mine["voted_at"])) == (11, False, True)
        assert rpc.hall.my_vote("2026-11")["window"] is None
        assert "month" in refused(lambda: rpc.hall.my_vote("2026-13")).fields
    with plat.rpc(STUDENT2) as rpc:               # not their case: the department says so
        assert refused(lambda: rpc.hall.rate_case(case["id"], True)).status == 403
    with plat.rpc(DIRECTOR) as rpc:
        sat = rpc.hall.satisfaction("2026-12")
        assert {"window": 11, "rated": 1, "satisfied": 1, "rate": 1.0,
                "below_target": False} in sat["by_window"]


def test_sunshine_ranks_without_sla_and_then_with_it(plat):
    with plat.rpc(DIRECTOR) as rpc:
        without = rpc.hall.sunshine("2026-12")
    assert without["sla"] == "unavailable" and "时限监督" in without["note_zh"]
    rows = {r["window"]: r for r in without["ranking"]}
    assert len(rows) == 13 and rows[11]["votes"] == 1 and rows[11]["on_time"] is None
    assert [r["score"] for r in without["ranking"]] == \
        sorted((r["score"] for r in without["ranking"]), reverse=True)
    assert without["sunshine_window"]["window"] == without["ranking"][0]["window"]

    plat.start_service("sla")
    completed_repair(plat)                         # seen by SLA from submission on
    with plat.rpc(DIRECTOR) as rpc:
        def on_time():
            answer = rpc.hall.sunshine("2026-12")
            row = next(r for r in answer["ranking"] if r["window"] == 11)
            return answer["sla"] == "ok" and row["on_time"] == 1.0 and answer
        assert eventually(on_time)
        assert refused(lambda: rpc.hall.sunshine("December")).status == 422
    with plat.rpc(STUDENT) as rpc:
        assert refused(lambda: rpc.hall.sunshine("2026-12")).status == 403


# ---- patrols and reports ---------------------------------------------------------------
def test_patrols_record_findings_with_opinions_and_results(plat):
    with plat.rpc(DIRECTOR) as rpc:
        bad = refused(lambda: rpc.hall.record_patrol("2026-12-07", ALL_OK, [
            {"window": 11, "person": "logistics_b", "opinion": ""}]))
        assert "findings.0.opinion" in bad.fields
        first = rpc.hall.record_patrol("2026-12-07", {**ALL_OK, "badge": False}, [
            {"window": 11, "person": "logistics_b", "opinion": "上岗须佩戴工作牌"}])
        assert first["warnings"] == []
        finding = first["patrol"]["findings"][0]
        assert finding["resolved"] is False
        still_open = rpc.hall.open_findings()
        assert [(f["id"], f["date"], f["patroller_id"]) for f in still_open] == \
            [(finding["id"], "2026-12-07", "director")]
        assert rpc.hall.record_patrol("2026-12-07", ALL_OK, [])["warnings"] == []
        third = rpc.hall.record_patrol("2026-12-07", ALL_OK, [])
        assert [w["code"] for w in third["warnings"]] == ["too_many_patrols"]
        done = rpc.hall.resolve_finding(finding["id"], "已当场整改")
        assert (done["resolved"], done["result"]) == (True, "已当场整改")
        assert rpc.hall.open_findings() == []
        assert refused(lambda: rpc.hall.resolve_finding(finding["id"], "x")).status == 409
        assert len(rpc.hall.patrols("2026-12")) == 3
    with plat.rpc(LOG_A) as rpc:
        assert refused(lambda: rpc.hall.record_patrol("2026-12-07", ALL_OK)).status == 403
        assert refused(rpc.hall.open_findings).status == 403


def test_reports_as_rows_csv_and_xlsx(plat):
    with plat.rpc(DIRECTOR) as rpc:
        report = rpc.hall.report("2026-12", "json")
        rows = {r["window"]: r for r in report["rows"]}
        assert len(rows) == 13 and report["sla"] == "ok"
        w11 = rows[11]
        assert w11["cases_handled"] >= 2 and w11["satisfaction_rate"] == 1.0
        assert w11["patrol_findings"] == 1 and w11["open_findings"] == 0
        assert w11["demerits"] >= 2 and rows[2]["demerits"] == 5
        csv_file = rpc.hall.report("2026-12", "csv")
        assert csv_file["filename"] == "hall-report-2026-12.csv"
        lines = list(csv.reader(io.StringIO(base64.b64decode(csv_file["base64"])
                                            .decode("utf-8-sig"))))
        assert lines[0][0] == "窗口 Window" and len(lines) == 14
        assert lines[11][:3] == ["11", "维修服务", "logistics"]
        xlsx = rpc.hall.report("2026-term2", "xlsx")
        sheet = load_workbook(io.BytesIO(base64.b64decode(xlsx["base64"]))).active
        assert sheet.max_row == 14 and sheet["B12"].value == "维修服务"
        assert "format" in refused(lambda: rpc.hall.report("2026-12", "pdf")).fields
        assert "period" in refused(lambda: rpc.hall.report("2026-13", "json")).fields


def test_roles_are_checked_before_anything_is_read(plat):
    """A caller outside an RPC's roles is refused even for an id that does not exist (no 404
    that tells which ids do), and no actor at all is 401 everywhere but health."""
    with plat.rpc(STUDENT) as rpc:
        for call in (lambda: rpc.hall.confirm_hand_over(999999),
                     lambda: rpc.hall.refer(999999, "aid"),
                     lambda: rpc.hall.answer_referral(999999, "x"),
                     lambda: rpc.hall.follow_up(999999, "x"),
                     lambda: rpc.hall.get_question(999999),
                     lambda: rpc.hall.resolve_finding(999999, "x")):
            assert refused(call).status == 403
    with plat.rpc(DESK) as rpc:
        assert refused(lambda: rpc.hall.answer_referral(999999, "x")).status == 403
        assert refused(lambda: rpc.hall.rate_case("logistics-20261207-1a2b3c4d",
                                                  True)).status == 403
        assert refused(lambda: rpc.hall.vote(11)).status == 403
    aid_committee = {"id": "aid_committee", "role": "committee", "department": "aid"}
    with plat.rpc(aid_committee) as rpc:          # a department's review committee
        for call in (lambda: rpc.hall.patrols("2026-12"), rpc.hall.open_findings,
                     lambda: rpc.hall.assessment("2026-12"),
                     lambda: rpc.hall.satisfaction("2026-12"),
                     lambda: rpc.hall.sunshine("2026-12"), lambda: rpc.hall.report("2026-12")):
            assert refused(call).status == 403
    with plat.rpc({"id": "committee", "role": "committee"}) as rpc:     # the centre's
        assert isinstance(rpc.hall.open_findings(), list)
        assert rpc.hall.assessment("2026-12")["period"] == "2026-12"
    with plat.rpc(LOG_B) as rpc:
        assert refused(lambda: rpc.hall.get_question(999999)).status == 404   # let through
    with plat.rpc() as rpc:
        for call in (rpc.hall.windows, lambda: rpc.hall.on_duty(11),
                     lambda: rpc.hall.list_questions()):
            assert refused(call).status == 401
        assert rpc.hall.health()["status"] == "ok"
