"""Dormitory beds in the database: read a room, list rooms with free beds, move a student.
The rules themselves are the plain functions of ``domain``."""
from sqlalchemy import case, func, select

from osac_shared.db import is_postgres

from .domain import bed_request_problems, check_bed_request, free_bed
from .models import Bed


def room_beds(session, building, room, lock=False):
    query = select(Bed).where(Bed.building == building, Bed.room == room).order_by(Bed.bed)
    if lock and is_postgres(session):
        query = query.with_for_update()
    return session.scalars(query).all()


def pairs(beds):
    return [(b.bed, b.occupant) for b in beds]


def request_problems(session, student_id, building, room):
    """{"form.room": fix} unless the student may ask for this room now."""
    return bed_request_problems(student_id, building, room,
                                pairs(room_beds(session, building, room)))


def has_free_bed(session, building, room):
    return free_bed(pairs(room_beds(session, building, room))) is not None


def bed_of(session, student_id):
    """The student's bed now ({building, room, bed}) or None."""
    bed = session.scalar(select(Bed).where(Bed.occupant == student_id))
    return bed.place() if bed else None


def move_student(session, student_id, building, room):
    """Move the student into the lowest free bed of the room (rows locked on PostgreSQL);
    returns (new place, previous place or None). Raises ``no_free_bed`` if the room filled up."""
    beds = room_beds(session, building, room, lock=True)
    check_bed_request(student_id, building, room, pairs(beds))
    target = next(b for b in beds if b.bed == free_bed(pairs(beds)))
    current = session.scalar(select(Bed).where(Bed.occupant == student_id))
    previous = current.place() if current else None
    if current is not None:
        current.occupant = None
        session.flush()                 # a student holds one bed at a time (unique occupant)
    target.occupant = student_id
    session.flush()
    return target.place(), previous


def rooms_with_free_beds(session, building=None, page=1, per_page=50):
    free = func.sum(case((Bed.occupant.is_(None), 1), else_=0))
    query = (select(Bed.building, Bed.room, func.count().label("beds"), free.label("free"))
             .group_by(Bed.building, Bed.room).having(free > 0))
    if building:
        query = query.where(Bed.building == building)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    per_page = max(1, min(int(per_page or 50), 200))
    page = max(1, int(page or 1))
    rows = session.execute(query.order_by(Bed.building, Bed.room)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return {"rooms": [{"building": r.building, "room": r.room, "beds": r.beds, "free": r.free}
                      for r in rows], "total": total, "page": page, "per_page": per_page}
