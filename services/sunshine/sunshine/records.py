"""Routings and investigation notes in the database. Each function works in the caller's
session (the caller commits)."""
from sqlalchemy import func, select

from osac_shared.cases import Case

from .models import InvestigationNote, Routing


def route(session, case_id, department, actor_id, now):
    """Record (or, after a resubmission is accepted again, replace) where a case was routed."""
    routing = session.get(Routing, case_id) or Routing(case_id=case_id)
    routing.department, routing.routed_by, routing.routed_at = department, actor_id, now
    session.add(routing)


def add_note(session, case_id, note, actor, now):
    session.add(InvestigationNote(case_id=case_id, note=note.strip(), author_id=actor["id"],
                                  author_role=actor["role"], at=now))


def note_count(session, case_id):
    return session.scalar(select(func.count()).select_from(InvestigationNote).where(
        InvestigationNote.case_id == case_id))


def notes(session, case_id):
    rows = session.scalars(select(InvestigationNote).where(
        InvestigationNote.case_id == case_id).order_by(InvestigationNote.id)).all()
    return [{"note": n.note, "author_id": n.author_id, "author_role": n.author_role,
             "at": n.at.isoformat()} for n in rows]


def routed_to(session, department, page=1, per_page=20):
    """The cases routed to ``department``, newest routing first; returns (rows, total)."""
    per_page = max(1, min(int(per_page or 20), 100))
    page = max(1, int(page or 1))
    query = select(Case).join(Routing, Routing.case_id == Case.id).where(
        Routing.department == department)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Routing.routed_at.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total
