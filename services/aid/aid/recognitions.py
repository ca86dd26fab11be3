"""Hardship recognitions in the database (家庭经济困难认定): aid owns the fact, for each
student and academic year; the programmes that need hardship read it from here."""
from sqlalchemy import select

from .models import HardshipRecognition


def level_of(session, student_id, year):
    """This year's recognised level (special / hard / general), or None."""
    return session.scalar(select(HardshipRecognition.level).where(
        HardshipRecognition.student_id == student_id,
        HardshipRecognition.academic_year == year))


def record(session, student_id, year, level, now, source=""):
    """Record a recognition once (an existing one for that year is left as it is)."""
    row = session.scalar(select(HardshipRecognition).where(
        HardshipRecognition.student_id == student_id,
        HardshipRecognition.academic_year == year))
    if row is None:
        row = HardshipRecognition(student_id=student_id, academic_year=year, level=level,
                                  source=source, recognised_at=now)
        session.add(row)
        session.flush()
    return row
