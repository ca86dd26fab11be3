"""The hall's rules as tables (no I/O): periods, the wage and dismissal rules, the Sunshine
ranking on fixed data, the desk's state machine, patrol checks, hand-overs and ratings."""
from datetime import date, datetime, time

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError

from hall.rules import assessment, desk, patrols, ranking, roster, satisfaction
from hall.rules.periods import month_of, parse_month, period_bounds, term_of
from hall.windows import WINDOWS, demo_roster, home_window, windows_of

DESK_ACTOR = {"id": "desk", "role": "desk"}
DIRECTOR = {"id": "director", "role": "director"}
AID_B = {"id": "aid_b", "role": "b_post", "department": "aid"}
LOG_B = {"id": "logistics_b", "role": "b_post", "department": "logistics"}
STUDENT = {"id": "2026000001", "role": "student"}


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=TZ)


def code_of(call):
    with pytest.raises(DomainError) as err:
        call()
    return err.value.code, err.value.status, err.value.fields


# ---- windows and periods ---------------------------------------------------------------
def test_the_thirteen_windows_and_the_demo_roster():
    assert sorted(WINDOWS) == list(range(1, 14))
    assert (WINDOWS[5].department, WINDOWS[6].department) == ("academic", "academic")
    assert windows_of("campus_it") == [9, 10]
    rows = demo_roster(["aid", "academic"])
    assert rows[:2] == [(2, "aid_a", "A", "学生资助 A岗"), (2, "aid_b", "B", "学生资助 B岗")]
    assert {r[0] for r in rows} == {2, 5, 6}
    assert home_window(AID_B) == 2 and home_window(DESK_ACTOR) is None
    assert home_window({**AID_B, "window": 7}) == 7


@pytest.mark.parametrize("moment, month, term", [
    (at(2026, 1, 31, 23), "2026-01", "2025-term2"),
    (at(2026, 2, 1, 0), "2026-02", "2026-term1"),
    (at(2026, 7, 31, 23), "2026-07", "2026-term1"),
    (at(2026, 8, 1, 0), "2026-08", "2026-term2"),
    (at(2026, 12, 7), "2026-12", "2026-term2"),
])
def test_month_and_term_of_a_moment(moment, month, term):
    assert (month_of(moment), term_of(moment)) == (month, term)


def test_utc_moments_are_read_in_shanghai():
    from datetime import timezone
    utc = datetime(2026, 7, 31, 16, 30, tzinfo=timezone.utc)       # 00:30 on 1 August here
    assert (month_of(utc), term_of(utc)) == ("2026-08", "2026-term2")


@pytest.mark.parametrize("period, kind, start, end", [
    ("2026-12", "month", at(2026, 12, 1, 0), at(2027, 1, 1, 0)),
    ("2026-term1", "term", at(2026, 2, 1, 0), at(2026, 8, 1, 0)),
    ("2026-term2", "term", at(2026, 8, 1, 0), at(2027, 2, 1, 0)),
])
def test_period_bounds(period, kind, start, end):
    assert period_bounds(period) == (kind, start, end)


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-01", "2026-term3", "", None,
                                 "0000-01", "9999-12", "1999-term1", "2100-term2"])
def test_bad_periods_name_the_field(bad):
    code, status, fields = code_of(lambda: period_bounds(bad))
    assert (code, status) == ("validation_failed", 422) and "period" in fields
    if "term" not in str(bad):
        assert "month" in code_of(lambda: parse_month(bad))[2]


# ---- assessment ------------------------------------------------------------------------
@pytest.mark.parametrize("post, month_count, term_count, reduced, delta, flagged", [
    ("B", 0, 0, False, 0, False),
    ("B", 1, 1, False, 0, False),
    ("B", 2, 2, True, -1, False),        # 2 in a month: the rate drops 1 yuan
    ("B", 3, 4, True, -1, False),
    ("B", 1, 5, False, 0, True),         # 5 in a term: flagged for dismissal
    ("B", 5, 5, True, -1, True),
    ("A", 2, 5, False, 0, False),        # teachers are not paid from work-study funds
])
def test_wage_and_dismissal_rules(post, month_count, term_count, reduced, delta, flagged):
    v = assessment.verdict(post, month_count, term_count)
    assert (v["wage_reduced"], v["rate_delta_yuan"], v["dismissal_flag"]) == \
        (reduced, delta, flagged)
    assert bool(v["dismissal_zh"]) is flagged


@pytest.mark.parametrize("post, month_count, already, due", [
    ("B", 1, False, False), ("B", 2, False, True), ("B", 2, True, False),
    ("B", 3, True, False), ("B", 3, False, True), ("A", 2, False, False),
])
def test_the_wage_event_goes_out_once_per_assistant_month(post, month_count, already, due):
    assert assessment.wage_event_due(post, month_count, already) is due


@pytest.mark.parametrize("kind, ok", [("lateness", True), ("verified_error", True),
                                      ("verified_complaint", True), ("sla_breach", False),
                                      ("notice_violation", False), ("rude", False)])
def test_the_director_records_three_kinds(kind, ok):
    if ok:
        assert assessment.check_director_kind(kind) == kind
    else:
        assert "kind" in code_of(lambda: assessment.check_director_kind(kind))[2]


@pytest.mark.parametrize("actor, manager", [
    (DIRECTOR, True), ({"id": "committee", "role": "committee"}, True),
    ({"id": "committee", "role": "committee", "department": None}, True),
    ({"id": "aid_committee", "role": "committee", "department": "aid"}, False),  # aid's own
    (LOG_B, False), (STUDENT, False), ({"id": "desk", "role": "desk"}, False)])
def test_who_reads_the_halls_records(actor, manager):
    assert assessment.is_manager(actor) is manager


# ---- the Sunshine ranking on fixed data ------------------------------------------------
WEIGHTS = {"votes": 0.3, "satisfaction": 0.3, "on_time": 0.2, "assessment": 0.2}
FIXED = [
    {"window": 2, "votes": 10, "satisfaction": 1.0, "on_time": 1.0, "demerits": 0},
    {"window": 11, "votes": 5, "satisfaction": 0.9, "on_time": 0.5, "demerits": 2},
    {"window": 12, "votes": 0, "satisfaction": None, "on_time": None, "demerits": 4},
    {"window": 13, "votes": 10, "satisfaction": 1.0, "on_time": 1.0, "demerits": 0},
]


def test_ranking_with_fixed_data():
    ranked = ranking.rank_windows(FIXED, WEIGHTS)
    assert [(r["window"], r["rank"], r["score"]) for r in ranked] == [
        (2, 1, 1.0), (13, 1, 1.0),          # equal scores share the rank; window order
        (11, 3, 0.62),                       # .3*.5 + .3*.9 + .2*.5 + .2*(1 - 2/4)
        (12, 4, 0.0),                        # votes 0, assessment 0; no other data
    ]
    assert ranked[2]["parts"] == {"votes": 0.5, "satisfaction": 0.9, "on_time": 0.5,
                                  "assessment": 0.5}
    assert ranked[3]["parts"]["satisfaction"] is None


def test_ranking_without_on_time_rates_scales_the_other_weights():
    rows = [dict(r, on_time=None) for r in FIXED]
    window_11 = next(r for r in ranking.rank_windows(rows, WEIGHTS) if r["window"] == 11)
    assert window_11["score"] == round((.3 * .5 + .3 * .9 + .2 * .5) / .8, 4)


@pytest.mark.parametrize("weights, first", [
    ({"votes": 1, "satisfaction": 0, "on_time": 0, "assessment": 0}, 2),
    ({"votes": 0, "satisfaction": 0, "on_time": 0, "assessment": 1}, 2),
    ({"votes": 0, "satisfaction": 1, "on_time": 0, "assessment": 0}, 2),
])
def test_the_weights_decide(weights, first):
    rows = [{"window": 2, "votes": 9, "satisfaction": 0.99, "on_time": 0.1, "demerits": 0},
            {"window": 3, "votes": 1, "satisfaction": 0.5, "on_time": 1.0, "demerits": 3}]
    assert ranking.rank_windows(rows, ranking.parse_weights(weights))[0]["window"] == first
    on_time_only = {"votes": 0, "satisfaction": 0, "on_time": 1, "assessment": 0}
    assert ranking.rank_windows(rows, on_time_only)[0]["window"] == 3


NO_DATA = [{"window": n, "votes": 0, "satisfaction": None, "on_time": None, "demerits": 0}
           for n in (1, 2, 3)]
VOTES_OFF = {"votes": 0, "satisfaction": 0.5, "on_time": 0.5, "assessment": 0}


@pytest.mark.parametrize("rows, weights, winner", [
    (FIXED, WEIGHTS, None),                               # 2 and 13: same score, same votes
    ([dict(r, votes=9) if r["window"] == 13 else r for r in FIXED], WEIGHTS, 2),   # 2 alone
    ([dict(r, votes=9) if r["window"] == 13 else r for r in FIXED], VOTES_OFF, 2),  # tie: votes
    ([dict(r, votes=11) if r["window"] == 13 else r for r in FIXED], VOTES_OFF, 13),
    (NO_DATA, WEIGHTS, None),                             # everyone 1.0 on assessment alone
    ([dict(r, demerits=1) for r in NO_DATA], WEIGHTS, None),     # everyone scored 0
    ([], WEIGHTS, None),
])
def test_the_sunshine_window_stands_out_or_there_is_none(rows, weights, winner):
    found = ranking.sunshine_window(ranking.rank_windows(rows, weights))
    assert (found or {}).get("window") == winner


@pytest.mark.parametrize("value", [{"votes": -1}, {"votes": 0, "satisfaction": 0,
                                                   "on_time": 0, "assessment": 0},
                                   {"speed": 1}])
def test_bad_weights_are_refused_at_start(value):
    with pytest.raises(ValueError):
        ranking.parse_weights(value)


@pytest.mark.parametrize("rated, satisfied, rate, below", [
    (0, 0, None, False), (25, 24, 0.96, False), (25, 23, 0.92, True), (3, 3, 1.0, False)])
def test_satisfaction_target_is_96_percent(rated, satisfied, rate, below):
    row = ranking.satisfaction_row(rated, satisfied)
    assert (row["rate"], row["below_target"]) == (rate, below)


# ---- the consultation desk -------------------------------------------------------------
@pytest.mark.parametrize("actor, args, fields", [
    (DESK_ACTOR, ("2026000001", "phone", "奖学金怎么申请", "aid"), None),
    (LOG_B, ("2026000001", "wechat", "宿舍断网", None), None),
    (DESK_ACTOR, ("", "fax", " ", "nowhere"), {"student_id", "channel", "question",
                                              "department"}),
])
def test_recording_a_question(actor, args, fields):
    if fields is None:
        assert desk.clean_question(actor, *args)["channel"] == args[1]
    else:
        assert set(code_of(lambda: desk.clean_question(actor, *args))[2]) == fields


def test_students_do_not_write_the_log():
    assert code_of(lambda: desk.clean_question(STUDENT, "1", "phone", "q", None))[1] == 403


@pytest.mark.parametrize("step, actor, status, outcome", [
    ("refer", DESK_ACTOR, "open", "ok"),
    ("refer", DIRECTOR, "open", "ok"),
    ("refer", LOG_B, "open", 403),                   # not the owner
    ("refer", DESK_ACTOR, "referred", 409),
    ("answer", AID_B, "referred", "ok"),
    ("answer", LOG_B, "referred", 403),              # not the receiving department
    ("answer", AID_B, "open", 409),
    ("follow_up", DESK_ACTOR, "answered", "ok"),
    ("follow_up", DESK_ACTOR, "open", "ok"),         # the owner answered it directly
    ("follow_up", DESK_ACTOR, "referred", 409),      # wait for the answer
    ("follow_up", DIRECTOR, "answered", 403),        # the owner records the feedback
    ("follow_up", DESK_ACTOR, "closed", 409),
])
def test_the_question_state_machine(step, actor, status, outcome):
    calls = {
        "refer": lambda: desk.check_refer(actor, status, "desk", None, "aid", ""),
        "answer": lambda: desk.check_answer(actor, status, "aid", "可以申请"),
        "follow_up": lambda: desk.check_follow_up(actor, status, "desk", "已电话告知"),
    }
    if outcome == "ok":
        calls[step]()
    else:
        assert code_of(calls[step])[1] == outcome


def test_a_window_does_not_refer_to_itself():
    fields = code_of(lambda: desk.check_refer(LOG_B, "open", "logistics_b", "logistics",
                                              "logistics", ""))[2]
    assert "to_department" in fields


@pytest.mark.parametrize("actor, owner, dept, to, visible", [
    (DESK_ACTOR, "x", None, None, True), (DIRECTOR, "x", None, None, True),
    (AID_B, "x", None, "aid", True), (AID_B, "x", "aid", None, True),
    (AID_B, "aid_b", None, "finance", True), (AID_B, "x", "finance", "logistics", False),
    (STUDENT, "x", "aid", "aid", False)])
def test_who_sees_a_question(actor, owner, dept, to, visible):
    assert desk.can_see(actor, owner, dept, to) is visible


# ---- patrols ---------------------------------------------------------------------------
ALL_OK = {code: True for code in patrols.CHECK_CODES}


def test_the_checklist_has_the_plans_seven_items():
    assert [zh for _, zh, _ in patrols.CHECKLIST] == [
        "在岗纪律", "亮证上岗", "仪态言行", "服务态度", "窗口指示牌与《办事指南》", "窗口卫生",
        "解答咨询与事项办理"]
    cleaned = patrols.clean_checklist({**ALL_OK, "badge": {"ok": False, "note": "未佩戴"}})
    assert cleaned["badge"] == {"ok": False, "note": "未佩戴"}
    assert cleaned["hygiene"] == {"ok": True, "note": ""}


def test_a_missing_or_unknown_check_is_named():
    checks = dict(ALL_OK)
    del checks["hygiene"]
    fields = code_of(lambda: patrols.clean_checklist({**checks, "coffee": True}))[2]
    assert set(fields) == {"checklist.hygiene", "checklist.coffee"}


@pytest.mark.parametrize("findings, bad", [
    ([{"window": 11, "person": "logistics_b", "opinion": "佩戴工作牌"}], set()),
    ([{"window": 11, "person": "logistics_b", "opinion": " "}], {"findings.0.opinion"}),
    ([{"window": 14, "opinion": "x"}, {"window": 2}], {"findings.0.window",
                                                        "findings.1.opinion"}),
])
def test_a_finding_without_an_opinion_is_refused(findings, bad):
    if bad:
        assert set(code_of(lambda: patrols.clean_findings(findings))[2]) == bad
    else:
        assert patrols.clean_findings(findings)[0]["opinion"] == "佩戴工作牌"


@pytest.mark.parametrize("before, warned", [(0, False), (1, False), (2, True), (3, True)])
def test_a_third_patrol_of_the_day_is_warned_about(before, warned):
    assert bool(patrols.day_warnings(before)) is warned


def test_patrol_days_and_results():
    assert patrols.clean_day("2026-12-07", date(2026, 12, 7)) == date(2026, 12, 7)
    assert "date" in code_of(lambda: patrols.clean_day("2026-12-08", date(2026, 12, 7)))[2]
    assert patrols.check_resolve(" 已整改 ", False) == "已整改"
    assert code_of(lambda: patrols.check_resolve("x", True))[1] == 409
    assert "result" in code_of(lambda: patrols.check_resolve("", False))[2]


# ---- roster and hand-overs -------------------------------------------------------------
B_POSTS = {"logistics_b", "logistics_b2"}


@pytest.mark.parametrize("actor, to, ids, outcome", [
    (LOG_B, "logistics_b2", ["logistics-20261207-1a2b3c4d"], "ok"),
    (LOG_B, "logistics_b2", [], "ok"),
    (LOG_B, "logistics_b", [], {"to_b_post"}),                  # not to oneself
    (LOG_B, "aid_b", [], {"to_b_post"}),                        # another window's B post
    (LOG_B, "logistics_b2", ["aid-20261207-1a2b3c4d"], {"open_case_ids"}),
    (LOG_B, "logistics_b2", "logistics-1", {"open_case_ids"}),
    (AID_B, "logistics_b2", [], 403),                           # not a B post of window 11
    ({**LOG_B, "role": "a_post"}, "logistics_b2", [], 403),
])
def test_registering_a_hand_over(actor, to, ids, outcome):
    call = lambda: roster.clean_hand_over(actor, 11, to, B_POSTS, ids, "")  # noqa: E731
    if outcome == "ok":
        assert call()[0] == list(ids)
    elif outcome == 403:
        assert code_of(call)[1] == 403
    else:
        assert set(code_of(call)[2]) == outcome


@pytest.mark.parametrize("actor, confirmed, outcome", [
    ({"id": "logistics_b2", "role": "b_post"}, False, None),
    ({"id": "logistics_b", "role": "b_post"}, False, 403),      # only the arriving B post
    (DIRECTOR, False, 403),
    ({"id": "logistics_b2", "role": "b_post"}, True, 409),
])
def test_confirming_a_hand_over(actor, confirmed, outcome):
    call = lambda: roster.check_confirm(actor, "logistics_b2", confirmed)  # noqa: E731
    if outcome is None:
        call()
    else:
        assert code_of(call)[1] == outcome


def test_shifts_and_who_is_on_duty():
    s = roster.clean_shift("2026-12-07", "08:30", "12:30", 11, "logistics_b", B_POSTS)
    assert (s["day"], s["start"], s["end"]) == (date(2026, 12, 7), time(8, 30), time(12, 30))
    assert set(code_of(lambda: roster.clean_shift("x", "9", "08:00", 11, "aid_b",
                                                  B_POSTS))[2]) == {"date", "start",
                                                                   "staff_id"}
    assert "end" in code_of(lambda: roster.clean_shift("2026-12-07", "12:00", "08:00", 11,
                                                       "logistics_b", B_POSTS))[2]
    shifts = [{"day": date(2026, 12, 7), "start": time(8, 30), "end": time(12, 30),
               "staff_id": "logistics_b"},
              {"day": date(2026, 12, 7), "start": time(12, 30), "end": time(17, 30),
               "staff_id": "logistics_b2"}]
    assert roster.on_shift(shifts, at(2026, 12, 7, 12)) == ["logistics_b"]
    assert roster.on_shift(shifts, datetime(2026, 12, 7, 12, 30, tzinfo=TZ)) == ["logistics_b2"]
    assert roster.on_shift(shifts, at(2026, 12, 8, 12)) == []
    assert roster.overlaps(time(8), time(12), time(11), time(13))
    assert not roster.overlaps(time(8), time(12), time(12), time(13))


# ---- ratings and votes -----------------------------------------------------------------
CASE = {"id": "logistics-20261207-1a2b3c4d", "student_id": "2026000001", "status": "completed",
        "history": [{"actor_id": "2026000001", "actor_role": "student"},
                    {"actor_id": "logistics_b", "actor_role": "b_post"},
                    {"actor_id": "logistics_a", "actor_role": "a_post"},
                    {"actor_id": "2026000001", "actor_role": "student"}]}


def test_the_last_staff_actor_answers_for_a_case():
    assert satisfaction.last_staff_actor(CASE["history"]) == ("logistics_a", "a_post")
    assert satisfaction.last_staff_actor([{"actor_id": "s", "actor_role": "student"}]) == \
        (None, None)


@pytest.mark.parametrize("actor, case, satisfied, already, outcome", [
    (STUDENT, CASE, True, False, None),
    ({"id": "2026000002", "role": "student"}, CASE, True, False, 403),
    (DIRECTOR, CASE, True, False, 403),
    (STUDENT, {**CASE, "status": "processing"}, True, False, 409),
    (STUDENT, CASE, True, True, 409),
    (STUDENT, CASE, "yes", False, 422),
])
def test_who_may_rate_and_when(actor, case, satisfied, already, outcome):
    call = lambda: satisfaction.check_rating(actor, case, satisfied, "", already)  # noqa
    if outcome is None:
        call()
    else:
        assert code_of(call)[1] == outcome


@pytest.mark.parametrize("actor, month, expected", [
    (STUDENT, None, "2026-12"), (STUDENT, "2026-11", "2026-11"), (STUDENT, "2026-13", 422),
    (STUDENT, "December", 422), (LOG_B, None, 403), (DIRECTOR, "2026-12", 403)])
def test_a_student_reads_their_own_vote_of_a_month(actor, month, expected):
    call = lambda: satisfaction.check_vote_month(actor, month, "2026-12")  # noqa: E731
    if isinstance(expected, str):
        assert call() == expected
    else:
        assert code_of(call)[1] == expected


@pytest.mark.parametrize("actor, month, already, outcome", [
    (STUDENT, "2026-12", False, None), (STUDENT, "2026-11", False, 422),
    (STUDENT, "2026-12", True, 409), (LOG_B, "2026-12", False, 403)])
def test_one_vote_per_student_per_month(actor, month, already, outcome):
    call = lambda: satisfaction.check_vote(actor, month, "2026-12", already)  # noqa: E731
    if outcome is None:
        call()
    else:
        assert code_of(call)[1] == outcome
