"""Cards and the card ledger in the database. Every function works inside the caller's
session (the caller commits). Cards are read ``FOR UPDATE`` (PostgreSQL) before money moves, in
student-id order, so concurrent transfers neither overdraw nor deadlock, and a retried call with
the same idempotency key waits for the first and then finds its row."""
from sqlalchemy import func, select

from osac_shared.clock import TZ
from osac_shared.errors import DomainError, validation_failed

from . import domain
from .models import Card, LedgerEntry

STATUS_ZH = {domain.ACTIVE: "正常", domain.FROZEN: "挂失冻结"}


def iso(dt):
    if dt is None:
        return None
    return (dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)).isoformat()


def card_to_dict(card):
    return {"card_no": card.card_no, "student_id": card.student_id, "status": card.status,
            "status_zh": STATUS_ZH[card.status], "balance_cents": card.balance_cents,
            "issued_at": iso(card.issued_at), "frozen_at": iso(card.frozen_at)}


def entry_to_dict(e):
    return {"entry_id": e.id, "kind": e.kind, "card_no": e.card_no, "student_id": e.student_id,
            "amount_cents": e.amount_cents, "balance_cents": e.balance_after_cents,
            "counterparty": e.counterparty, "reference": e.reference,
            "idempotency_key": e.idempotency_key, "note": e.note, "at": iso(e.at)}


def find_card(session, student_id, lock=False):
    query = select(Card).where(Card.student_id == student_id)
    return session.scalar(query.with_for_update() if lock else query)


def entries(session, student_id, page=1, per_page=20):
    per_page = max(1, min(int(per_page or 20), 100))
    page = max(1, int(page or 1))
    query = select(LedgerEntry).where(LedgerEntry.student_id == student_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(LedgerEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def _post(session, card, kind, amount, actor_id, now, **more):
    card.balance_cents += amount
    card.updated_at = now
    entry = LedgerEntry(card_no=card.card_no, student_id=card.student_id, kind=kind,
                        amount_cents=amount, balance_after_cents=card.balance_cents,
                        actor_id=actor_id, at=now, note=more.pop("note", ""), **more)
    session.add(entry)
    return entry


def _replay(session, student_id, key, kind, amount, counterparty=None):
    entry = session.scalar(select(LedgerEntry).where(LedgerEntry.student_id == student_id,
                                                     LedgerEntry.idempotency_key == key))
    if entry is not None and domain.replay_mismatch(entry, kind, amount, counterparty):
        raise DomainError("idempotency_key_reused", "该幂等键已用于另一笔不同的操作，请换一个",
                          "This idempotency key was used for a different operation; use a "
                          "new one", {"idempotency_key": "换一个新的键 / use a new key"}, 409)
    return entry


# ---- money -------------------------------------------------------------------------------
def top_up(session, student_id, amount, key, actor_id, now):
    domain.check_amount(amount, domain.MAX_TOP_UP_CENTS)
    domain.check_key(key)
    card = find_card(session, student_id, lock=True)
    done = _replay(session, student_id, key, "top_up", amount)
    if done is not None:
        return done
    problem = domain.card_state_problem(card.status if card else None)
    if problem:
        raise problem
    return _post(session, card, "top_up", amount, actor_id, now, idempotency_key=key)


def transfer(session, from_id, to_id, amount, key, actor_id, now):
    domain.check_amount(amount, domain.MAX_TRANSFER_CENTS)
    domain.check_key(key)
    if not isinstance(to_id, str) or not to_id or to_id == from_id:
        raise validation_failed({"to_student_id": "请填写对方学号（不能转给自己）/ give the "
                                                  "recipient's student id (not your own)"})
    cards = {sid: find_card(session, sid, lock=True) for sid in sorted((from_id, to_id))}
    done = _replay(session, from_id, key, "transfer_out", amount, to_id)
    if done is not None:
        return done
    sender, receiver = cards[from_id], cards[to_id]
    problem = domain.transfer_problem(sender.status if sender else None,
                                      receiver.status if receiver else None,
                                      sender.balance_cents if sender else 0, amount)
    if problem:
        raise problem
    out = _post(session, sender, "transfer_out", -amount, actor_id, now, counterparty=to_id,
                idempotency_key=key)
    session.flush()
    _post(session, receiver, "transfer_in", amount, actor_id, now, counterparty=from_id,
          reference=f"ledger:{out.id}")
    return out


def group_credit(session, case, actor_id, now):
    """Credit every line of a completed group top-up; refuses (listing every bad line) when a
    card is missing or frozen."""
    lines = case.form["entries"]
    cards = {e["student_id"]: find_card(session, e["student_id"], lock=True)
             for e in sorted(lines, key=lambda e: e["student_id"])}
    problems = domain.group_problems(lines, {sid: c.status if c else None
                                             for sid, c in cards.items()})
    if problems:
        raise DomainError("cards_not_creditable", "以下名单中的卡无法充值，请退回或更正后再办结",
                          "Some cards in the list cannot be credited; return the case or "
                          "correct them before completing", problems, 409)
    for line in lines:
        _post(session, cards[line["student_id"]], "group_top_up", line["amount_cents"],
              actor_id, now, reference=case.id, idempotency_key=f"group:{case.id}",
              note=case.form["payer"])


# ---- card states -------------------------------------------------------------------------
def freeze(session, student_id, actor_id, now, reference):
    card = find_card(session, student_id, lock=True)
    if card is None:
        raise DomainError("no_card", "您还没有一卡通，无需挂失", "You have no campus card to "
                          "report lost", {"item_code": "请改为申领新卡 / apply for a card"}, 404)
    if card.status == domain.FROZEN:
        raise DomainError("already_frozen", "卡已挂失冻结；找回请到窗口解冻，未找回请办理补卡",
                          "The card is already frozen; unfreeze it at the window or apply "
                          "for a reissue", {"item_code": "campus_it.card-apply"}, 409)
    card.status, card.frozen_at = domain.FROZEN, now
    _post(session, card, "freeze", 0, actor_id, now, reference=reference, note="挂失 / lost")
    return card


def unfreeze(session, student_id, actor_id, now, note):
    card = find_card(session, student_id, lock=True)
    if card is None or card.status != domain.FROZEN:
        raise DomainError("not_frozen", "该卡不存在或未冻结", "There is no frozen card for this "
                          "student", {"student_id": "请核对学号 / check the student id"}, 409)
    card.status, card.frozen_at = domain.ACTIVE, None
    _post(session, card, "unfreeze", 0, actor_id, now, note=note)
    return card


def issue(session, case, actor_id, now):
    """Complete a card application: a first card, or a new card number for the account."""
    purpose = case.form["purpose"]
    card = find_card(session, case.student_id, lock=True)
    domain.check_application(purpose, card.status if card else None)
    if purpose == "new":
        card = Card(card_no=domain.next_card_no(case.student_id), student_id=case.student_id,
                    status=domain.ACTIVE, balance_cents=0, issued_at=now, updated_at=now)
        session.add(card)
        _post(session, card, "issue", 0, actor_id, now, reference=case.id)
        return card
    old = card.card_no
    card.card_no = domain.next_card_no(case.student_id, old)
    card.status, card.frozen_at, card.issued_at = domain.ACTIVE, None, now
    _post(session, card, "reissue", 0, actor_id, now, reference=case.id,
          note=f"旧卡{old}作废 / old card {old} cancelled")
    return card
