"""Ratings of completed cases, Sunshine Window votes, and their tallies over a session."""
from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..models import Rating, Vote
from ..rules import ranking, satisfaction as rules
from ..rules.periods import month_of
from .roster import iso


def rating_to_dict(r):
    return {"case_id": r.case_id, "student_id": r.student_id, "satisfied": r.satisfied,
            "comment": r.comment, "window": r.window, "department": r.department,
            "person_id": r.person_id, "rated_at": iso(r.rated_at)}


def rate(session, actor, case, satisfied, comment, now):
    """``case`` is the owning department's answer to get_case (read as the student)."""
    already = session.get(Rating, case["id"]) is not None
    comment = rules.check_rating(actor, case, satisfied, comment, already)
    person, _ = rules.last_staff_actor(case.get("history"))
    rating = Rating(case_id=case["id"], student_id=actor["id"], satisfied=satisfied,
                    comment=comment, window=int(case.get("window") or 0),
                    department=case.get("department") or case["id"].split("-", 1)[0],
                    person_id=person, rated_at=now)
    session.add(rating)
    try:
        session.flush()
    except IntegrityError:                 # a concurrent rating of the same case won
        session.rollback()
        rules.check_rating(actor, case, satisfied, comment, True)
    return rating


def vote(session, actor, window, month, now):
    current = month_of(now)
    month = month or current
    key = (actor.get("id"), month)
    rules.check_vote(actor, month, current, session.get(Vote, key) is not None)
    row = Vote(student_id=actor["id"], month=month, window=window, voted_at=now)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        rules.check_vote(actor, month, current, True)
    return row


def my_vote(session, actor, month, now):
    """The student's own vote of ``month`` (this month when None): its window or None."""
    month = rules.check_vote_month(actor, month, month_of(now))
    row = session.get(Vote, (actor["id"], month))
    return {"student_id": actor["id"], "month": month, "window": row.window if row else None,
            "voted_at": iso(row.voted_at) if row else None,
            "can_vote": row is None and month == month_of(now)}


def votes(session, month):
    rows = session.execute(select(Vote.window, func.count()).where(Vote.month == month)
                           .group_by(Vote.window)).all()
    return Counter({w: n for w, n in rows})


def ratings_between(session, start, end):
    return session.scalars(select(Rating).where(Rating.rated_at >= start,
                                                Rating.rated_at < end)).all()


def satisfaction(session, start, end):
    """Satisfaction rate per window and per person (the case's last staff actor); below 96%
    is flagged."""
    by_window, by_person = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for r in ratings_between(session, start, end):
        for bucket in (by_window[r.window], by_person[r.person_id or "-"]):
            bucket[0] += 1
            bucket[1] += int(r.satisfied)
    return {"target": ranking.SATISFACTION_TARGET,
            "by_window": [{"window": w, **ranking.satisfaction_row(*b)}
                          for w, b in sorted(by_window.items())],
            "by_person": [{"person_id": p, **ranking.satisfaction_row(*b)}
                          for p, b in sorted(by_person.items())]}
