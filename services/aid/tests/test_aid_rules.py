"""Aid rules as tables: eligibility, amounts, academic year, award conflicts, review stages,
the public notice and what completion needs."""
from datetime import datetime

import pytest

from osac_shared.calendar import WorkingCalendar
from osac_shared.clock import TZ
from osac_shared.errors import DomainError

from aid.catalogue import ITEMS
from aid.domain import (FORMS, PROGRAMMES, academic_year, award_amount_cents, award_conflict,
                        check_can_complete, check_committee_stage, committee_outcome,
                        eligibility_problems, notice_until, programme_to_dict, stage_after)

P = {p.code: p for p in PROGRAMMES.values()}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_every_item_is_a_programme_or_the_consultation_and_has_a_form():
    assert set(ITEMS) == set(PROGRAMMES) | {"aid.policy-consultation"}
    assert set(FORMS) == set(ITEMS)
    assert ITEMS["aid.policy-consultation"].kind == "consultation"
    assert all(ITEMS[code].post == "A" for code in PROGRAMMES)


@pytest.mark.parametrize("programme, form, fields", [
    ("national_scholarship", {"hardship_level": "none", "rank_percent": 8}, set()),
    ("national_scholarship", {"hardship_level": "none", "rank_percent": 10}, set()),
    ("national_scholarship", {"hardship_level": "special", "rank_percent": 10.5},
     {"form.rank_percent"}),
    ("national_scholarship", {"hardship_level": "none", "rank_percent": None},
     {"form.rank_percent"}),
    ("national_encouragement", {"hardship_level": "general", "rank_percent": 30}, set()),
    ("national_encouragement", {"hardship_level": "none", "rank_percent": 5},
     {"form.hardship_level"}),
    ("national_encouragement", {"hardship_level": "hard", "rank_percent": 31},
     {"form.rank_percent"}),
    ("national_encouragement", {"hardship_level": "none", "rank_percent": 50},
     {"form.hardship_level", "form.rank_percent"}),
    ("national_grant", {"hardship_level": "general"}, set()),
    ("national_grant", {"hardship_level": "none"}, {"form.hardship_level"}),
    ("tuition_waiver", {"hardship_level": "special", "amount_yuan": 5800}, set()),
    ("tuition_waiver", {"hardship_level": "hard", "amount_yuan": 5800}, {"form.hardship_level"}),
    ("hardship_subsidy", {"hardship_level": "general", "amount_yuan": 2000}, set()),
    ("hardship_subsidy", {"hardship_level": "none", "amount_yuan": 2000},
     {"form.hardship_level"}),
    ("work_study", {"hardship_level": "none"}, set()),
])
def test_eligibility_table(programme, form, fields):
    problems = eligibility_problems(P[programme], form)
    assert set(problems) == fields
    assert all(" / " in text for text in problems.values())     # 中文 / English


@pytest.mark.parametrize("programme, form, cents", [
    ("national_scholarship", {"hardship_level": "none"}, 800000),
    ("national_encouragement", {"hardship_level": "hard"}, 500000),
    ("national_grant", {"hardship_level": "special"}, 440000),
    ("national_grant", {"hardship_level": "hard"}, 330000),
    ("national_grant", {"hardship_level": "general"}, 220000),
    ("tuition_waiver", {"hardship_level": "special", "amount_yuan": 5800}, 580000),
    ("hardship_subsidy", {"hardship_level": "hard", "amount_yuan": 1500}, 150000),
    ("work_study", {"hardship_level": "none"}, None),
])
def test_award_amount_table(programme, form, cents):
    assert award_amount_cents(P[programme], form) == cents


@pytest.mark.parametrize("form, field", [
    ({"hardship_level": "poor", "rank_percent": 5}, "hardship_level"),
    ({"hardship_level": "none", "rank_percent": 0}, "rank_percent"),
    ({"hardship_level": "none", "rank_percent": 101}, "rank_percent"),
    ({"rank_percent": 5}, "hardship_level"),
])
def test_application_form_rejects(form, field):
    errors = FORMS["aid.national-scholarship"]().validate(form)
    assert field in errors


def test_subsidy_form_caps_the_amount():
    errors = FORMS["aid.hardship-subsidy"]().validate(
        {"hardship_level": "hard", "amount_yuan": 3001, "incident": "家中失火"})
    assert set(errors) == {"amount_yuan"}


@pytest.mark.parametrize("when, year", [
    ("2026-09-01T00:00", "2026-2027"),
    ("2026-08-31T23:59", "2025-2026"),
    ("2027-01-15T10:00", "2026-2027"),
])
def test_academic_year_table(when, year):
    assert academic_year(at(when)) == year


@pytest.mark.parametrize("programme, held, refused", [
    ("national_scholarship", set(), False),
    ("national_scholarship", {"national_scholarship"}, True),
    ("national_scholarship", {"national_encouragement"}, True),
    ("national_encouragement", {"national_scholarship"}, True),
    ("national_encouragement", {"national_grant"}, False),
    ("national_grant", {"national_encouragement"}, False),
    ("hardship_subsidy", {"hardship_subsidy"}, False),     # may come more than once a year
])
def test_award_conflict_table(programme, held, refused):
    assert (award_conflict(P[programme], held) is not None) is refused


@pytest.mark.parametrize("programme, action, stage", [
    ("national_grant", "submit", "b_review"),
    ("national_grant", "accept", "a_review"),
    ("national_grant", "return", "returned"),
    ("national_grant", "resubmit", "b_review"),
    ("national_grant", "approve", "committee"),
    ("national_grant", "complete", "awarded"),
    ("national_grant", "reject", "closed"),
    ("national_grant", "withdraw", "closed"),
    ("work_study", "approve", "placement"),
    ("work_study", "complete", "placed"),
])
def test_stage_table(programme, action, stage):
    assert stage_after(P[programme], action) == stage


@pytest.mark.parametrize("decided, until, flagged", [
    ("2026-12-07T10:00", "2026-12-14T17:30", False),   # Monday -> next Monday 17:30
    ("2026-12-07T18:00", "2026-12-15T17:30", False),   # after hours: counts from Tuesday
    ("2026-09-28T10:00", "2026-10-10T17:30", False),   # Golden Week; Sat 10 Oct is 调休
    ("2026-12-30T10:00", "2027-01-06T17:30", True),    # 2027 is not covered: flagged
])
def test_notice_period_counts_working_days(decided, until, flagged):
    assert notice_until(at(decided), WorkingCalendar()) == (at(until), flagged)


def test_committee_outcome():
    now = at("2026-12-07T10:00")
    ok = committee_outcome(True, "", now, "aid_a")
    assert ok["stage"] == "public_notice" and ok["notice_until"] == "2026-12-14T17:30:00+08:00"
    no = committee_outcome(False, "名额已满", now, "aid_a")
    assert no == {"stage": "closed", "committee": {"approved": False, "note": "名额已满",
                                                   "by": "aid_a", "at": now.isoformat()}}
    with pytest.raises(DomainError) as err:
        committee_outcome(False, "  ", now, "aid_a")
    assert set(err.value.fields) == {"note"}
    with pytest.raises(DomainError) as err:
        check_committee_stage("a_review")
    assert err.value.status == 409


NOTICE = {"stage": "public_notice", "notice_until": "2026-12-14T17:30:00+08:00"}


@pytest.mark.parametrize("programme, result, extra, now, code", [
    ("national_grant", NOTICE, {}, "2026-12-14T17:29", "notice_period"),
    ("national_grant", NOTICE, {}, "2026-12-14T17:30", None),
    ("national_grant", {"stage": "committee"}, {}, "2027-01-01T00:00", "committee_pending"),
    ("work_study", {"stage": "placement"}, {"post_name": "学生事务中心B岗"}, "2026-12-07T10:00",
     None),
    ("work_study", {"stage": "placement"}, {}, "2026-12-07T10:00", "validation_failed"),
    (None, {}, {"answer": "可以申请"}, "2026-12-07T10:00", None),   # consultation: the engine
    (None, {}, {"answer": " "}, "2026-12-07T10:00", None),          # checks the answer
])
def test_completion_table(programme, result, extra, now, code):
    prog = P[programme] if programme else None
    if code is None:
        check_can_complete(prog, result, extra, at(now))
        return
    with pytest.raises(DomainError) as err:
        check_can_complete(prog, result, extra, at(now))
    assert err.value.code == code


def test_programme_table_shows_the_grant_tiers():
    grant = programme_to_dict(P["national_grant"])
    assert [t["amount_cents"] for t in grant["tiers"]] == [440000, 330000, 220000]
    assert programme_to_dict(P["hardship_subsidy"])["max_cents"] == 300000
