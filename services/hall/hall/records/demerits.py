"""Demerits over a session, and the wage adjustment they trigger (``hall.wage_adjusted`` via
the outbox, once per assistant-month)."""
from collections import Counter

from sqlalchemy import func, select

from osac_shared.contracts import make_event
from osac_shared.outbox import add_event

from ..models import Demerit, WageAdjustment
from ..rules import assessment as rules
from ..rules.periods import local, month_of, parse_month, period_bounds, term_of
from .roster import iso


def to_dict(d):
    return {"id": d.id, "person_id": d.person_id, "post": d.post, "window": d.window,
            "kind": d.kind, "kind_zh": rules.KIND_ZH.get(d.kind, d.kind), "source": d.source,
            "source_ref": d.source_ref, "case_id": d.case_id, "note": d.note,
            "recorded_by": d.recorded_by, "at": iso(d.at)}


def count(session, person_id, start, end):
    return session.scalar(select(func.count()).select_from(Demerit).where(
        Demerit.person_id == person_id, Demerit.at >= start, Demerit.at < end))


def find(session, person_id, kind, source_ref):
    return session.scalar(select(Demerit).where(Demerit.person_id == person_id,
                                                Demerit.kind == kind,
                                                Demerit.source_ref == source_ref))


def add(session, *, person_id, post, window, kind, source, source_ref, at, recorded_by,
        now, note="", case_id=None, correlation_id=None):
    """Record one demerit; -> (demerit, verdict for its month and term). Publishes
    ``hall.wage_adjusted`` when a B post reaches 2 in that month for the first time."""
    demerit = Demerit(person_id=person_id, post=post, window=window, kind=kind, source=source,
                      source_ref=source_ref, case_id=case_id, note=note,
                      recorded_by=recorded_by, at=at)
    session.add(demerit)
    session.flush()
    month = month_of(at)
    month_count = count(session, person_id, *parse_month(month))
    term_count = count(session, person_id, *period_bounds(term_of(at))[1:])
    already = session.get(WageAdjustment, (person_id, month)) is not None
    if rules.wage_event_due(post, month_count, already):
        event = make_event("hall.wage_adjusted", "hall", {
            "assistant_id": person_id, "month": month, "demerits": month_count,
            "rate_delta_yuan": rules.WAGE_DELTA_YUAN}, occurred_at=now,
            correlation_id=correlation_id)
        session.add(WageAdjustment(assistant_id=person_id, month=month, demerits=month_count,
                                   rate_delta_yuan=rules.WAGE_DELTA_YUAN,
                                   event_id=event["event_id"], at=now))
        add_event(session, event)
    return demerit, rules.verdict(post, month_count, term_count)


def between(session, start, end, person_id=None):
    query = select(Demerit).where(Demerit.at >= start, Demerit.at < end)
    if person_id:
        query = query.where(Demerit.person_id == person_id)
    return session.scalars(query.order_by(Demerit.at, Demerit.id)).all()


def assessment(session, period, person_id=None):
    """Per person over a month or a term: demerits by kind, and the wage/dismissal verdict
    (for a month: that month and its term; for a term: the term and its worst month)."""
    kind, start, end = period_bounds(period)
    rows = between(session, start, end, person_id)
    people = {}
    for d in rows:
        people.setdefault(d.person_id, {"post": d.post, "demerits": []})["demerits"].append(d)
    out = []
    for pid, info in sorted(people.items()):
        months = Counter(month_of(d.at) for d in info["demerits"])
        if kind == "month":
            month_count = len(info["demerits"])
            term_count = count(session, pid, *period_bounds(term_of(start))[1:])
        else:
            month_count, term_count = max(months.values()), len(info["demerits"])
        out.append({"person_id": pid, "post": info["post"], "total": len(info["demerits"]),
                    "by_kind": dict(Counter(d.kind for d in info["demerits"])),
                    "by_month": dict(sorted(months.items())),
                    "reduced_months": sorted(m for m, n in months.items()
                                             if rules.wage_reduced(info["post"], n)),
                    **rules.verdict(info["post"], month_count, term_count),
                    "demerits": [to_dict(d) for d in info["demerits"]]})
    return {"period": period, "from": local(start).isoformat(), "to": local(end).isoformat(),
            "people": out}
