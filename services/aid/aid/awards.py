"""Awards (and loans) in the database: what a student already holds this year, and paying out
a case (the award row and its aid.awarded event are added to the caller's transaction)."""
from sqlalchemy import select

from osac_shared.contracts import make_event
from osac_shared.errors import DomainError
from osac_shared.outbox import add_event

from .domain import award_conflict
from .models import Award


def held_programmes(session, student_id, year):
    return set(session.scalars(select(Award.programme).where(
        Award.student_id == student_id, Award.academic_year == year)).all())


def check_no_conflict(session, programme, student_id, year):
    problem = award_conflict(programme, held_programmes(session, student_id, year))
    if problem:
        raise DomainError("award_conflict", "本学年不能再获得该项资助", "This award is not "
                          "allowed again this academic year", {"item_code": problem}, 409)


def record_award(session, case, programme, now, correlation_id=None):
    result = case.result
    award = Award(case_id=case.id, student_id=case.student_id, programme=programme.code,
                  academic_year=result["academic_year"], amount_cents=result["amount_cents"],
                  awarded_at=now)
    session.add(award)
    add_event(session, make_event("aid.awarded", "aid", {
        "student_id": case.student_id, "programme": programme.code,
        "amount_cents": award.amount_cents, "academic_year": award.academic_year,
        "programme_name_zh": programme.name_zh, "currency": "CNY"},             # v2
        occurred_at=now, case_id=case.id, correlation_id=correlation_id, version=2))
    return award
