"""Demo dorm beds (``osac-service --seed-demo``): idempotent, adds only the beds not there yet.

Building A3: room 301 holds the demo students 2026000001 and 2026000002 (2 beds free), room 302
is full, room 303 has one free bed, room 304 is empty."""
from sqlalchemy import select

from .models import Bed

BEDS = {
    ("A3", "301"): ["2026000001", "2026000002", None, None],
    ("A3", "302"): ["2026000101", "2026000102", "2026000103", "2026000104"],
    ("A3", "303"): ["2026000105", "2026000106", "2026000107", None],
    ("A3", "304"): [None, None, None, None],
}


def seed(session, now):
    have = {(b.building, b.room, b.bed) for b in session.scalars(select(Bed))}
    for (building, room), occupants in BEDS.items():
        for number, occupant in enumerate(occupants, start=1):
            if (building, room, number) not in have:
                session.add(Bed(building=building, room=room, bed=number, occupant=occupant))
