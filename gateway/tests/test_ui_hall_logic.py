"""The hall office's page rules (gateway/ui_hall_logic.py), table by table, with no platform:
periods, the patrol form into ``record_patrol``'s arguments and its error names, the A/B
pairing, the assessment table over the roster, totals. And the gateway's copies of the hall's
lists (checks, the director's demerit kinds, terms) are the hall's own."""
from datetime import date, datetime

from osac_shared.clock import TZ

import pytest
from werkzeug.datastructures import MultiDict

from gateway import hall_api, i18n, ui_hall_logic as hl
from hall.rules import assessment as hall_assessment, patrols as hall_patrols
from hall.rules.periods import term_of as hall_term_of


def test_the_gateways_lists_are_the_halls():
    assert hall_api.CHECKS == hall_patrols.CHECK_CODES
    assert hall_api.DIRECTOR_KINDS == hall_assessment.DIRECTOR_KINDS
    assert hl.KINDS == hall_assessment.KINDS
    for code, zh, en in hall_patrols.CHECKLIST:
        assert i18n.t(f"check.{code}", "zh") == zh and i18n.t(f"check.{code}", "en") == en
    for kind in hall_assessment.KINDS:
        assert i18n.t(f"kind.{kind}", "zh") == hall_assessment.KIND_ZH[kind]


@pytest.mark.parametrize("day, term", [
    (date(2026, 1, 31), "2025-term2"), (date(2026, 2, 1), "2026-term1"),
    (date(2026, 7, 31), "2026-term1"), (date(2026, 8, 1), "2026-term2"),
    (date(2026, 12, 7), "2026-term2")])
def test_terms_are_the_halls(day, term):
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=TZ)
    assert hl.term_of(day) == term == hall_term_of(noon)


@pytest.mark.parametrize("today, choices", [
    (date(2026, 3, 2), ["2026-03", "2026-02", "2026-term1", "2025-term2"]),
    (date(2026, 1, 15), ["2026-01", "2025-12", "2025-term2", "2025-term1"]),
    (date(2026, 9, 1), ["2026-09", "2026-08", "2026-term2", "2026-term1"])])
def test_period_choices(today, choices):
    assert hl.period_choices(today) == choices


@pytest.mark.parametrize("value, period, problem", [
    (None, "2026-03", None), ("", "2026-03", None), (" 2026-12 ", "2026-12", None),
    ("2026-term2", "2026-term2", None), ("2026-13", "2026-03", "period"),
    ("2026-term3", "2026-03", "period"), ("March", "2026-03", "period")])
def test_clean_period(value, period, problem):
    assert hl.clean_period(value, date(2026, 3, 2)) == (period, problem)


@pytest.mark.parametrize("period, lang, label", [
    ("2026-03", "zh", "2026年3月"), ("2026-03", "en", "3/2026"),
    ("2026-term1", "zh", "2026年春季学期（2–7月）"),
    ("2026-term2", "zh", "2026年秋季学期（2026年8月–2027年1月）"),
    ("2026-term2", "en", "Autumn term 2026 (Aug 2026–Jan 2027)"), ("junk", "zh", "junk")])
def test_period_label(period, lang, label):
    assert hl.period_label(period, lang) == label


ALL_OK_FORM = {f"check_{code}": "ok" for code in hall_api.CHECKS}


@pytest.mark.parametrize("form, checklist, findings, rows", [
    (ALL_OK_FORM, {c: {"ok": True, "note": ""} for c in hall_api.CHECKS}, [], []),
    ({"check_badge": "bad", "note_badge": " 未佩戴 "}, {"badge": {"ok": False, "note": "未佩戴"}},
     [], []),                                                   # unanswered checks left out
    ({"check_badge": "maybe"}, {}, [], []),
    ({"finding_1_window": "11", "finding_1_opinion": "桌面需整理", "finding_2_person": "x"}, {},
     [{"window": 11, "person": "", "opinion": "桌面需整理", "result": ""},
      {"window": None, "person": "x", "opinion": "", "result": ""}], [1, 2]),
    ({"finding_0_window": "eleven", "finding_0_opinion": "o"}, {},
     [{"window": None, "person": "", "opinion": "o", "result": ""}], [0]),
])
def test_the_patrol_form(form, checklist, findings, rows):
    assert hl.patrol_from_form(MultiDict(form)) == (checklist, findings, rows)


def test_patrol_errors_are_named_by_the_form_row_they_came_from():
    names = hl.patrol_field_names([1, 2], "zh")
    assert names["findings.0.opinion"] == "问题 2 · 处理意见"
    assert names["findings.1.window"] == "问题 3 · 窗口"
    assert names["checklist.hygiene"] == "窗口卫生" and names["date"] == "巡查日期"
    assert hl.patrol_field_names([0], "en")["findings.0.opinion"] == "Finding 1 · Opinion"
    assert hl.more_findings_given({"finding_0_opinion": "x"}) is False
    assert hl.more_findings_given({"finding_2_result": "已整改"}) is True


def test_failed_checks_and_finding_counts():
    patrol = {"checklist": {"hygiene": {"ok": False, "note": "桌面有杂物"},
                            "badge": {"ok": False, "note": ""}, "manner": {"ok": True}},
              "findings": [{"resolved": True}, {"resolved": False}]}
    assert hl.failed_checks(patrol) == [("badge", ""), ("hygiene", "桌面有杂物")]   # in order
    assert hl.findings_count([patrol, {"findings": []}]) == (2, 1)


WINDOWS = [
    {"window": 5, "posts": [{"staff_id": "academic_a", "post": "A", "name": "教务A"},
                            {"staff_id": "academic_b", "post": "B", "name": "教务B"}]},
    {"window": 6, "posts": [{"staff_id": "academic_b", "post": "B", "name": "教务B"}]},
    {"window": 7, "posts": []},
]


def test_the_ab_pairing_of_each_window():
    cards = {c["window"]: c for c in hl.roster_cards(WINDOWS)}
    assert (cards[5]["paired"], cards[5]["missing"]) == (True, [])
    assert cards[6]["missing"] == ["A"] and cards[7]["missing"] == ["A", "B"]
    assert [p["staff_id"] for p in cards[5]["b"]] == ["academic_b"]
    assert hl.b_posts(WINDOWS) == [("academic_b", "教务B", [5, 6])]
    assert hl.roster_people(WINDOWS)["academic_b"]["windows"] == [5, 6]


ASSESSMENT = {"people": [
    {"person_id": "x_b", "post": "B", "total": 1, "demerits": [{"window": 9}]},
    {"person_id": "academic_b", "post": "B", "total": 3, "demerits": []}]}


def test_the_assessment_table_covers_the_roster():
    rows = hl.assessment_rows(ASSESSMENT, WINDOWS)
    assert [(r["person_id"], r["total"]) for r in rows] == [
        ("academic_b", 3), ("x_b", 1), ("academic_a", 0)]       # most first, then the rest
    assert rows[0]["windows"] == [5, 6] and rows[1]["windows"] == [9]   # off the roster now
    assert [r["person_id"] for r in hl.assessment_rows(ASSESSMENT, WINDOWS, only="x_b")] == \
        ["x_b"]
    assert hl.assessment_rows(None, None) == []


def test_totals_and_weights():
    sat = {"by_window": [{"rated": 3, "satisfied": 3}, {"rated": 1, "satisfied": 0}]}
    assert hl.overall_satisfaction(sat) == (4, 3, 0.75)
    assert hl.overall_satisfaction({}) == (0, 0, None)
    report = {"rows": [{"cases_handled": 2, "demerits": 1, "ratings": 0, "patrol_findings": 1,
                        "open_findings": None}, {"cases_handled": 3}]}
    assert hl.report_totals(report) == {"cases_handled": 5, "ratings": 0, "demerits": 1,
                                        "patrol_findings": 1, "open_findings": 0}
    weights = {"votes": 0.3, "satisfaction": 0.3, "on_time": 0.2, "assessment": 0.2}
    assert hl.weights_text(weights, "zh") == "投票 30%、满意度 30%、按时办结 20%、考核 20%"
    assert hl.weights_text({**weights, "on_time": 0}, "en") == \
        "votes 30%, satisfaction 30%, assessment 20%"
