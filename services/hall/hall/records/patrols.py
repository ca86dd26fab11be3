"""Patrols and their findings over a session."""
from sqlalchemy import func, select

from osac_shared.auth import DIRECTOR, require_role
from osac_shared.errors import not_found

from ..models import Finding, Patrol
from ..rules import patrols as rules
from ..rules.periods import local
from .roster import iso


def finding_to_dict(f):
    return {"id": f.id, "patrol_id": f.patrol_id, "window": f.window, "person": f.person,
            "opinion": f.opinion, "result": f.result, "resolved": f.resolved_at is not None,
            "resolved_at": iso(f.resolved_at)}


def patrol_to_dict(p):
    return {"id": p.id, "date": p.day.isoformat(), "patroller_id": p.patroller_id,
            "checklist": p.checklist, "recorded_at": iso(p.recorded_at),
            "findings": [finding_to_dict(f) for f in p.findings]}


def record(session, actor, day, checklist, findings, now):
    """-> (patrol, warnings). A 3rd patrol in a day is kept, with a warning."""
    require_role(actor, DIRECTOR)
    day = rules.clean_day(day, local(now).date())
    checks = rules.clean_checklist(checklist)
    found = rules.clean_findings(findings)
    before = session.scalar(select(func.count()).select_from(Patrol).where(Patrol.day == day))
    patrol = Patrol(day=day, patroller_id=actor["id"], checklist=checks, recorded_at=now)
    for f in found:
        patrol.findings.append(Finding(window=f["window"], person=f["person"],
                                       opinion=f["opinion"], result=f["result"],
                                       resolved_at=now if f["result"] else None))
    session.add(patrol)
    session.flush()
    return patrol, rules.day_warnings(before)


def resolve(session, actor, finding_id, result, now):
    require_role(actor, DIRECTOR)
    finding = session.get(Finding, finding_id, with_for_update=True)
    if finding is None:
        raise not_found("巡查问题", "Finding", finding_id)
    finding.result = rules.check_resolve(result, finding.resolved_at is not None)
    finding.resolved_at = now
    return finding


def open_finding_to_dict(f):
    """A finding still without its result, with its patrol's day and patroller."""
    return {**finding_to_dict(f), "date": f.patrol.day.isoformat(),
            "patroller_id": f.patrol.patroller_id}


def still_open(session, limit=rules.MAX_OPEN_LISTED):
    """Findings without a result, oldest patrol first (whatever their period)."""
    return session.scalars(select(Finding).join(Finding.patrol)
                           .where(Finding.resolved_at.is_(None))
                           .order_by(Patrol.day, Finding.id).limit(limit)).all()


def between(session, start, end):
    return session.scalars(select(Patrol).where(Patrol.day >= local(start).date(),
                                                Patrol.day < local(end).date())
                           .order_by(Patrol.day, Patrol.id)).all()
