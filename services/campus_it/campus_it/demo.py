"""Demo data (``osac-service --seed-demo`` / ``SEED_DEMO=1``): campus cards with some balance
for the two demo students. Idempotent: a student who already has a card is left alone."""
from . import domain, ledger
from .models import Card

DEMO_CARDS = {"2026000001": 20000, "2026000002": 5000}     # student id -> opening balance


def seed(session, now):
    for student_id, cents in DEMO_CARDS.items():
        if ledger.find_card(session, student_id) is not None:
            continue
        card = Card(card_no=domain.next_card_no(student_id), student_id=student_id,
                    status=domain.ACTIVE, balance_cents=0, issued_at=now, updated_at=now)
        session.add(card)
        ledger._post(session, card, "issue", 0, "demo", now, note="演示数据 / demo")
        ledger._post(session, card, "top_up", cents, "demo", now,
                     idempotency_key="demo-opening", note="演示数据 / demo")
