"""The ledger in the database: reading a student's account and posting entries, inside the
caller's transaction. Posting first takes a per-student lock (PostgreSQL advisory lock), so
two payments for one student never both pass the "not more than owed" check."""
from sqlalchemy import func, select, text

from osac_shared.clock import TZ
from osac_shared.db import is_postgres

from . import domain
from .models import LedgerEntry


def lock_student(session, student_id):
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": student_id})


def balance(session, student_id):
    rows = session.execute(select(LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
                           .where(LedgerEntry.student_id == student_id)
                           .group_by(LedgerEntry.kind)).all()
    return domain.balance_cents((kind, int(total or 0)) for kind, total in rows)


def paid_against(session, charge_id):
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                              .where(LedgerEntry.kind == domain.PAYMENT,
                                     LedgerEntry.charge_id == charge_id)) or 0)


def get_entry(session, entry_id):
    if isinstance(entry_id, bool) or not isinstance(entry_id, int):
        return None
    return session.get(LedgerEntry, entry_id)


def find_by_key(session, student_id, key):
    return session.scalar(select(LedgerEntry).where(LedgerEntry.student_id == student_id,
                                                    LedgerEntry.idempotency_key == key))


def add(session, student_id, kind, amount_cents, description, key, now, charge_id=None,
        ref="", actor_id=""):
    entry = LedgerEntry(student_id=student_id, kind=kind, amount_cents=amount_cents,
                        description=description, idempotency_key=key, charge_id=charge_id,
                        ref=ref or "", actor_id=actor_id or "", created_at=now)
    session.add(entry)
    session.flush()
    return entry


def entry_to_dict(e):
    return {"id": e.id, "student_id": e.student_id, "kind": e.kind,
            "kind_zh": domain.KIND_ZH[e.kind], "amount_cents": e.amount_cents,
            "description": e.description, "idempotency_key": e.idempotency_key,
            "charge_id": e.charge_id, "ref": e.ref,
            "created_at": e.created_at.astimezone(TZ).isoformat()}


def account(session, student_id):
    b = balance(session, student_id)
    return {"student_id": student_id, "balance_cents": b,
            "arrears_cents": domain.arrears_cents(b), "credit_cents": domain.credit_cents(b)}


def statement(session, student_id, page=1, per_page=50):
    """The account totals plus one page of entries, newest first."""
    per_page = max(1, min(int(per_page or 50), 200))
    page = max(1, int(page or 1))
    query = select(LedgerEntry).where(LedgerEntry.student_id == student_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return {**account(session, student_id), "entries": [entry_to_dict(e) for e in rows],
            "total": total, "page": page, "per_page": per_page}
