"""Demo dorm beds (``SEED_DEMO=1``), from the demo students' rooms (``osac_shared.demo``).

Every room a demo student lives in has 4 beds: its demo students in their profile order, the
rest free (A3 301: 2026000001 and 2026000002 with 2 beds free; B1 203: 2026000012 and
2026000014 with 2 free; ...). Beside them A3 302 is full (students who are not demo accounts)
and B1 205 is empty, so a hall can show a full room and an empty one.

Idempotent: only beds not there yet are added, and a student who already holds a bed (moved
by a bed adjustment) is not placed again."""
from sqlalchemy import select

from osac_shared.demo import STUDENTS

from .models import Bed

BEDS_PER_ROOM = 4
EXTRA_ROOMS = {("A3", "302"): ["2026000101", "2026000102", "2026000103", "2026000104"],
               ("B1", "205"): [None, None, None, None]}


def rooms():
    """{(building, room): [occupant or None] * 4} for the demo."""
    out = {}
    for s in STUDENTS:
        out.setdefault(tuple(s.room), []).append(s.id)
    out = {room: (ids + [None] * BEDS_PER_ROOM)[:BEDS_PER_ROOM] for room, ids in out.items()}
    out.update(EXTRA_ROOMS)
    return out


def seed(session, now):
    beds = session.scalars(select(Bed)).all()
    have = {(b.building, b.room, b.bed) for b in beds}
    placed = {b.occupant for b in beds if b.occupant}
    for (building, room), occupants in rooms().items():
        for number, occupant in enumerate(occupants, start=1):
            if (building, room, number) in have:
                continue
            if occupant in placed:
                occupant = None
            session.add(Bed(building=building, room=room, bed=number, occupant=occupant))
            if occupant:
                placed.add(occupant)
