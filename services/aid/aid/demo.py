"""Demo data: this academic year's hardship recognitions (家庭经济困难认定) of the demo
students (``osac_shared.demo``), idempotently - a recognition already there is left alone."""
from osac_shared import demo

from . import domain, recognitions


def seed(session, now):
    year = domain.academic_year(now)
    for student in demo.STUDENTS:
        if student.hardship in domain.RECOGNISED_LEVELS:
            recognitions.record(session, student.id, year, student.hardship, now,
                                source="demo")
