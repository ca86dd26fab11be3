"""Demo data: the roster (each department's ``<dept>_a`` A post and ``<dept>_b`` B post at its
windows, matching the gateway's demo accounts) and today's B-post shifts. Idempotent."""
from datetime import time

from sqlalchemy import select

from osac_shared.registry import DEPARTMENTS

from .models import Post, Shift
from .rules.periods import local
from .windows import WINDOWS, demo_roster, windows_of

DAY_START, NOON, DAY_END = "08:30", "13:00", "17:30"


def demo_shifts(department):
    """(window, start, end) of the department's B post today: a department with two windows
    (academic, campus_it) splits the day between them."""
    numbers = windows_of(department)
    if len(numbers) == 1:
        return [(numbers[0], DAY_START, DAY_END)]
    return [(numbers[0], DAY_START, NOON), (numbers[1], NOON, DAY_END)]


def seed(session, now):
    for window, staff_id, post, name in demo_roster(DEPARTMENTS):
        if session.get(Post, (window, staff_id)) is None:
            session.add(Post(window=window, staff_id=staff_id, post=post,
                             department=WINDOWS[window].department, name=name))
    today = local(now).date()
    for dept in DEPARTMENTS:
        staff_id = f"{dept}_b"
        if session.scalars(select(Shift).where(Shift.day == today,
                                               Shift.staff_id == staff_id)).first():
            continue
        for window, start, end in demo_shifts(dept):
            session.add(Shift(day=today, start=time.fromisoformat(start),
                              end=time.fromisoformat(end), window=window, staff_id=staff_id))
