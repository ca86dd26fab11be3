"""League records in the database: memberships (团组织关系) and competition entries. Each
function works in the caller's session (the caller commits)."""
from sqlalchemy import delete, select

from osac_shared.errors import DomainError

from . import domain
from .models import CompetitionEntry, Membership


def membership_status(session, student_id):
    membership = session.get(Membership, student_id)
    return membership.status if membership else None


def membership_to_dict(m):
    return {"student_id": m.student_id, "status": m.status, "branch": m.branch,
            "from_organisation": m.from_organisation, "joined_at": m.joined_at.isoformat(),
            "transferred_to": m.transferred_to,
            "transferred_at": m.transferred_at.isoformat() if m.transferred_at else None,
            "case_id": m.case_id}


def apply_transfer(session, case, now):
    """Complete a transfer: "in" creates or re-activates the membership, "out" marks it
    transferred to the destination organisation."""
    form = case.form
    domain.check_transfer(form["direction"], membership_status(session, case.student_id))
    membership = session.get(Membership, case.student_id)
    if form["direction"] == domain.IN:
        if membership is None:
            membership = Membership(student_id=case.student_id)
            session.add(membership)
        membership.status = domain.ACTIVE
        membership.branch = form["branch"]
        membership.from_organisation = form["organisation"]
        membership.joined_at = now
        membership.transferred_to = membership.transferred_at = None
    else:
        membership.status = domain.TRANSFERRED
        membership.transferred_to = form["organisation"]
        membership.transferred_at = now
    membership.case_id = case.id
    return membership


def enter_team(session, case):
    """Register a team: each member may be on one team per competition."""
    competition, members = case.form["competition"], case.form["members"]
    taken = session.scalars(select(CompetitionEntry.student_id).where(
        CompetitionEntry.competition == competition,
        CompetitionEntry.student_id.in_(members))).all()
    if taken:
        raise DomainError(
            "already_registered", "以下同学已在其他队伍报名该竞赛：" + "、".join(sorted(taken)),
            "These students are already on a team for this competition: "
            + ", ".join(sorted(taken)),
            {"form.members": "每人每项竞赛只能参加一个队伍 / one team per competition"}, 409)
    session.add_all(CompetitionEntry(competition=competition, student_id=s, case_id=case.id)
                    for s in members)


def leave_team(session, case_id):
    """A rejected or withdrawn registration frees its members."""
    session.execute(delete(CompetitionEntry).where(CompetitionEntry.case_id == case_id))
