"""Demo data: this year's tuition and accommodation charges for the two demo students
(idempotent: a charge already there is left alone)."""
from . import domain, ledger


def seed(session, now):
    year = domain.academic_year(now)
    for student_id in domain.DEMO_STUDENTS:
        for code, name_zh, cents in domain.DEMO_CHARGES:
            key = f"demo:{year}:{code}"
            if ledger.find_by_key(session, student_id, key) is None:
                ledger.add(session, student_id, domain.CHARGE, cents, f"{year}学年{name_zh}",
                           key, now, actor_id="demo")
