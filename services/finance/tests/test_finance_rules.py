"""Ledger rules as tables, and the demo seed run twice on a real (SQLite) database."""
from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from osac_shared.clock import TZ
from osac_shared.db import Base, make_engine, transaction
from osac_shared.errors import DomainError

from finance import demo, ledger
from finance.domain import (AID, CHARGE, EXAMPLES, FORMS, MAX_CENTS, PAYMENT, REFUND,
                            arrears_cents, balance_cents, cents_of, check_amount,
                            check_description, check_key, check_payment, check_refund,
                            check_replay, credit_cents, refund_problem)
from osac_shared.forms import load
from finance.models import LedgerEntry


@pytest.mark.parametrize("entries, balance, arrears, credit", [
    ([], 0, 0, 0),
    ([(CHARGE, 580000), (CHARGE, 120000)], 700000, 700000, 0),
    ([(CHARGE, 580000), (PAYMENT, 580000)], 0, 0, 0),
    ([(CHARGE, 580000), (PAYMENT, 100000), (AID, 330000)], 150000, 150000, 0),
    ([(CHARGE, 580000), (AID, 800000)], -220000, 0, 220000),
    ([(CHARGE, 580000), (AID, 800000), (REFUND, 220000)], 0, 0, 0),
])
def test_balance_table(entries, balance, arrears, credit):
    assert balance_cents(entries) == balance
    assert (arrears_cents(balance), credit_cents(balance)) == (arrears, credit)


@pytest.mark.parametrize("amount, arrears, outstanding, code", [
    (100000, 700000, None, None),
    (700000, 700000, None, None),
    (700001, 700000, None, "overpayment"),
    (1, 0, None, "nothing_owed"),
    (580000, 700000, 580000, None),
    (580001, 700000, 580000, "overpayment"),      # more than the named charge
    (300000, 200000, 580000, "overpayment"),      # more than owed overall
])
def test_payment_table(amount, arrears, outstanding, code):
    if code is None:
        check_payment(amount, arrears, outstanding)
        return
    with pytest.raises(DomainError) as err:
        check_payment(amount, arrears, outstanding)
    assert (err.value.code, err.value.status, set(err.value.fields)) == (code, 422,
                                                                         {"amount_cents"})


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "100", None, MAX_CENTS + 1])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(DomainError) as err:
        check_amount(amount)
    assert set(err.value.fields) == {"amount_cents"}


@pytest.mark.parametrize("key, ok", [("pay-1", True), ("", False), ("  ", False),
                                     (None, False), ("k" * 129, False)])
def test_idempotency_key_table(key, ok):
    if ok:
        assert check_key(key) == key
    else:
        with pytest.raises(DomainError):
            check_key(key)


def test_description_is_required():
    assert check_description(" 学费 ") == "学费"
    with pytest.raises(DomainError):
        check_description("")


PAID = SimpleNamespace(kind=PAYMENT, amount_cents=100000, charge_id=None)


@pytest.mark.parametrize("kind, amount, charge_id, conflict", [
    (PAYMENT, 100000, None, False),        # the same request again
    (PAYMENT, 200000, None, True),         # another amount
    (PAYMENT, 100000, 7, True),            # another charge
    (CHARGE, 100000, None, True),          # another kind of entry
])
def test_replay_table(kind, amount, charge_id, conflict):
    if not conflict:
        check_replay(PAID, kind, amount, charge_id)
        return
    with pytest.raises(DomainError) as err:
        check_replay(PAID, kind, amount, charge_id)
    assert (err.value.code, err.value.status) == ("idempotency_conflict", 409)


@pytest.mark.parametrize("amount, credit, ok", [(100, 100, True), (101, 100, False),
                                                (1, 0, False)])
def test_refund_table(amount, credit, ok):
    if ok:
        check_refund(amount, credit)
        assert refund_problem(amount, credit) == {}
    else:
        with pytest.raises(DomainError) as err:
            check_refund(amount, credit)
        assert set(err.value.fields) == {"form.amount_yuan"}
        text = refund_problem(amount, credit)["form.amount_yuan"]
        assert ("没有可退的余额" if credit == 0 else "最多可退1.00元") in text


@pytest.mark.parametrize("yuan, cents", [(3300, 330000), (0.01, 1), (12.34, 1234),
                                         (1.005, None), (True, None), ("12", None)])
def test_cents_of_table(yuan, cents):
    assert cents_of(yuan) == cents


REFUND = {"amount_yuan": 3300, "reason": "aid_surplus", "details": "助学金结余",
          "bank_name": "中国建设银行", "bank_account": "6217002870012345678"}


@pytest.mark.parametrize("change, field", [
    ({"amount_yuan": 0.001}, "form.amount_yuan"),
    ({"amount_yuan": 0}, "form.amount_yuan"),
    ({"reason": "because"}, "form.reason"),
    ({"details": "  "}, "form.details"),
    ({"bank_account": "6217 0028 7001 2345"}, "form.bank_account"),
    ({"bank_account": "12345"}, "form.bank_account"),
    ({"amount_cents": 100}, "form.amount_cents"),
])
def test_refund_form_refuses(change, field):
    loaded, problems = load(FORMS["finance.refund"], {**REFUND, **change})
    assert field in problems, problems


def test_the_examples_load():
    for code, example in EXAMPLES.items():
        assert load(FORMS[code], example)[1] == {}, code


def test_demo_seed_gives_each_profile_its_account_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'finance.db'}")
    Base.metadata.create_all(engine)
    Session = sessionmaker(bind=engine)
    now = datetime(2026, 9, 1, 9, 0, tzinfo=TZ)
    for _ in range(2):
        with transaction(Session) as session:
            demo.seed(session, now)
    with transaction(Session) as session:
        # arrears 3 x 2, deferred 2 x 2, paid 13 x 4, credit 2 x 5 entries
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 72
        accounts = {s: ledger.account(session, s) for s in ("2026000001", "2026000005",
                                                              "2026000007", "2026000009",
                                                              "2026000015")}
        descriptions = {e["description"] for e in ledger.statement(session, "2026000002")
                        ["entries"]}
        deferred = {e["description"] for e in ledger.statement(session, "2026000005")
                    ["entries"]}
        art = ledger.statement(session, "2026000015")["entries"]
    assert accounts["2026000001"]["arrears_cents"] == 700000          # arrears
    assert accounts["2026000005"]["arrears_cents"] == 700000          # deferred
    assert accounts["2026000009"]["balance_cents"] == 0               # paid
    assert accounts["2026000007"]["credit_cents"] == 330000           # credit
    assert accounts["2026000015"]["credit_cents"] == 330000
    assert descriptions == {"2026-2027学年学费", "2026-2027学年住宿费"}
    assert deferred == {"2026-2027学年学费（绿色通道缓缴）", "2026-2027学年住宿费（绿色通道缓缴）"}
    assert ("charge", 980000) in {(e["kind"], e["amount_cents"]) for e in art}   # art tuition
    assert "2025-2026学年国家助学金（上学年补发）" in {e["description"] for e in art}
    engine.dispose()
