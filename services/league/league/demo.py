"""Demo data (``SEED_DEMO=1``): the league memberships of the demo students
(``osac_shared.demo.STUDENTS``): "active" members of their major's branch, "incoming" freshmen
whose membership is still to be transferred in from their school, and no record for a student
who is not a league member. Idempotent: a student who already has a record is left alone."""
from osac_shared.demo import STUDENTS

from . import domain
from .models import Membership

DEMO_CASE = "demo"


def branch_of(student):
    """The student's branch here: major and class year, e.g. 法学26级团支部."""
    return f"{student.major}{student.enrolled % 100:02d}级团支部"


def seed(session, now):
    for student in STUDENTS:
        if student.league not in (domain.ACTIVE, domain.INCOMING):
            continue
        if session.get(Membership, student.id) is not None:
            continue
        active = student.league == domain.ACTIVE
        session.add(Membership(
            student_id=student.id, status=student.league,
            branch=branch_of(student) if active else "",
            from_organisation="" if active else "（新生，待转入）", joined_at=now,
            case_id=DEMO_CASE))
