"""Demo campus cards (``SEED_DEMO=1``), from the demo students' profiles (``osac_shared.demo``):
``card="active"`` gets an active card with an opening balance, ``"frozen"`` a card reported
lost (frozen, to try a reissue), ``None`` no card (a freshman who applies for one).

Opening balances: 2026000001 200.00 yuan and 2026000002 50.00 yuan (tests rely on them); the
others a few tens of yuan each, from their student number. Idempotent: a student who already
has a card is left alone."""
from osac_shared.demo import STUDENTS

from . import domain, ledger
from .models import Card

DEMO_CARDS = {"2026000001": 20000, "2026000002": 5000}     # student id -> opening balance


def opening_balance(student_id):
    if student_id in DEMO_CARDS:
        return DEMO_CARDS[student_id]
    return 3000 + (int(student_id[-2:]) * 1700) % 12000


def seed(session, now):
    for student in STUDENTS:
        if student.card is None or ledger.find_card(session, student.id) is not None:
            continue
        card = Card(card_no=domain.next_card_no(student.id), student_id=student.id,
                    status=domain.ACTIVE, balance_cents=0, issued_at=now, updated_at=now)
        session.add(card)
        ledger._post(session, card, "issue", 0, "demo", now, note="演示数据 / demo")
        ledger._post(session, card, "top_up", opening_balance(student.id), "demo", now,
                     idempotency_key="demo-opening", note="演示数据 / demo")
        if student.card == domain.FROZEN:
            card.status, card.frozen_at = domain.FROZEN, now
            ledger._post(session, card, "freeze", 0, "demo", now,
                         note="演示数据：已挂失 / demo: reported lost")
