"""Aid rules as tables: eligibility (against the recognised hardship level), the forms, amounts,
academic year, award conflicts, review stages, the public notice and what completion needs."""
from datetime import date, datetime

import pytest

from osac_shared.calendar import WorkingCalendar
from osac_shared.clock import TZ
from osac_shared.errors import DomainError

from aid.catalogue import ITEMS
from aid.domain import (FORMS, PROGRAMMES, academic_year, award_amount_cents, award_conflict,
                        check_can_complete, check_committee_stage, committee_outcome,
                        eligibility_problems, examples, notice_until, programme_to_dict,
                        stage_after)
from osac_shared.forms import load

P = {p.code: p for p in PROGRAMMES.values()}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_every_item_is_a_programme_or_the_consultation_and_has_a_form():
    assert set(ITEMS) == set(PROGRAMMES) | {"aid.policy-consultation"}
    assert set(FORMS) == set(ITEMS)
    assert ITEMS["aid.policy-consultation"].kind == "consultation"
    assert all(ITEMS[code].post == "A" for code in PROGRAMMES)


def test_the_examples_meet_the_rules_for_a_recognised_student():
    now = at("2026-12-07T10:00")
    for code, example in examples(now).items():
        loaded, problems = load(FORMS[code], example)
        assert problems == {}, (code, problems)
        programme = PROGRAMMES.get(code)
        if programme is not None:
            level = programme.hardship[0] if programme.hardship else None
            assert eligibility_problems(programme, loaded, level, now.date()) == {}, code


TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("programme, form, level, fields", [
    ("national_scholarship", {"rank_percent": 8}, None, set()),
    ("national_scholarship", {"rank_percent": 10}, "special", set()),
    ("national_scholarship", {"rank_percent": 10.5}, None, {"form.rank_percent"}),
    ("national_encouragement", {"rank_percent": 30}, "general", set()),
    ("national_encouragement", {"rank_percent": 5}, None, {"hardship_recognition"}),
    ("national_encouragement", {"rank_percent": 31}, "hard", {"form.rank_percent"}),
    ("national_encouragement", {"rank_percent": 50}, None,
     {"hardship_recognition", "form.rank_percent"}),
    ("national_encouragement", {}, None, {"hardship_recognition"}),   # the form did not load
    ("national_grant", {}, "general", set()),
    ("national_grant", {}, None, {"hardship_recognition"}),
    ("tuition_waiver", {"amount_yuan": 5800}, "special", set()),
    ("tuition_waiver", {"amount_yuan": 5800}, "hard", {"hardship_recognition"}),
    ("hardship_subsidy", {"amount_yuan": 2000, "incident_date": "2026-12-01"}, "general", set()),
    ("hardship_subsidy", {"amount_yuan": 2000}, None, {"hardship_recognition"}),
    ("hardship_subsidy", {"incident_date": "2026-12-08"}, "hard", {"form.incident_date"}),
    ("hardship_subsidy", {"incident_date": "2026-06-09"}, "hard", {"form.incident_date"}),
    ("hardship_subsidy", {"incident_date": "2026-06-10"}, "hard", set()),   # 180 days
    ("county_loan", {"amount_yuan": 16000, "study_level": "undergraduate"}, None, set()),
    ("county_loan", {"amount_yuan": 16001, "study_level": "undergraduate"}, None,
     {"form.amount_yuan"}),
    ("county_loan", {"amount_yuan": 20000, "study_level": "postgraduate"}, None, set()),
    ("campus_loan", {"amount_yuan": 8000, "study_level": "undergraduate"}, "hard", set()),
    ("campus_loan", {"amount_yuan": 18000, "study_level": "undergraduate"}, None,
     {"hardship_recognition", "form.amount_yuan"}),
    ("work_study", {}, None, set()),
])
def test_eligibility_table(programme, form, level, fields):
    problems = eligibility_problems(P[programme], form, level, TODAY)
    assert set(problems) == fields
    assert all(" / " in text for text in problems.values())     # 中文 / English


def test_a_recognition_problem_says_what_to_do():
    none = eligibility_problems(P["national_grant"], {}, None, TODAY)["hardship_recognition"]
    assert "请先向所在学院申请本学年家庭经济困难认定" in none
    low = eligibility_problems(P["tuition_waiver"], {}, "general", TODAY)["hardship_recognition"]
    assert "“一般困难”" in low and "特别困难" in low


@pytest.mark.parametrize("programme, form, level, cents", [
    ("national_scholarship", {}, None, 800000),
    ("national_encouragement", {}, "hard", 500000),
    ("national_grant", {}, "special", 440000),
    ("national_grant", {}, "hard", 330000),
    ("national_grant", {}, "general", 220000),
    ("tuition_waiver", {"amount_yuan": 5800}, "special", 580000),
    ("hardship_subsidy", {"amount_yuan": 1500}, "hard", 150000),
    ("county_loan", {"amount_yuan": 12000}, None, 1200000),
    ("work_study", {}, None, None),
])
def test_award_amount_table(programme, form, level, cents):
    assert award_amount_cents(P[programme], form, level) == cents


@pytest.mark.parametrize("code, form, field", [
    ("aid.national-scholarship", {"rank_percent": 0, "statement": "x"}, "form.rank_percent"),
    ("aid.national-scholarship", {"rank_percent": 101, "statement": "x"}, "form.rank_percent"),
    ("aid.national-scholarship", {"rank_percent": 5, "statement": "  "}, "form.statement"),
    ("aid.national-scholarship", {"rank_percent": 5, "statement": "x", "hardship_level": "hard"},
     "form.hardship_level"),                         # aid's record says it, not the student
    ("aid.hardship-subsidy", {"amount_yuan": 3001, "incident": "家中失火",
                              "incident_date": "2026-12-01"}, "form.amount_yuan"),
    ("aid.loan-receipt", {**examples(at("2026-12-07T10:00"))["aid.loan-receipt"],
                          "receipt_code": "回执"}, "form.receipt_code"),
    ("aid.loan-receipt", {**examples(at("2026-12-07T10:00"))["aid.loan-receipt"],
                          "amount_yuan": 999}, "form.amount_yuan"),
    ("aid.work-study", {**examples(at("2026-12-07T10:00"))["aid.work-study"],
                        "hours_per_week": 9}, "form.hours_per_week"),
])
def test_forms_refuse(code, form, field):
    loaded, problems = load(FORMS[code], form)
    assert field in problems, problems


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
    ("county_loan", {"campus_loan"}, True),                # one loan a year
    ("campus_loan", {"campus_loan"}, True),
    ("county_loan", {"national_grant"}, False),
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
    ("county_loan", "approve", "confirmed"),
    ("campus_loan", "approve", "bank"),
    ("campus_loan", "complete", "loan_recorded"),
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
    ("county_loan", {"stage": "confirmed"}, {}, "2026-12-07T10:00", None),
    ("campus_loan", {"stage": "bank"}, {"contract_no": "CDB-2026-1"}, "2026-12-07T10:00", None),
    ("campus_loan", {"stage": "bank"}, {"contract_no": "合同"}, "2026-12-07T10:00",
     "validation_failed"),
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
    assert programme_to_dict(P["county_loan"])["max_cents"] == {"undergraduate": 1600000,
                                                                "postgraduate": 2000000}


def test_demo_seed_records_this_years_recognitions_once(tmp_path):
    """Each demo student's ``hardship`` profile becomes aid's recognition for the year."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from osac_shared import demo as people
    from osac_shared.db import Base, make_engine, transaction

    from aid import demo, recognitions
    from aid.models import HardshipRecognition

    engine = make_engine(f"sqlite:///{tmp_path / 'aid.db'}")
    Base.metadata.create_all(engine)
    Session = sessionmaker(bind=engine)
    now = at("2026-12-07T10:00")
    for _ in range(2):
        with transaction(Session) as session:
            demo.seed(session, now)
    with transaction(Session) as session:
        count = session.scalar(select(func.count()).select_from(HardshipRecognition))
        levels = {s.id: recognitions.level_of(session, s.id, "2026-2027")
                  for s in people.STUDENTS}
        assert recognitions.level_of(session, "2026000003", "2025-2026") is None
    engine.dispose()
    assert count == sum(s.hardship != "none" for s in people.STUDENTS)
    assert levels["2026000003"] == "special" and levels["2026000002"] == "hard"
    assert levels["2026000006"] == "general" and levels["2026000001"] is None
