"""Window 2 (aid): each award is decided by aid's review committee (``aid_committee``) and
publicly noticed for 5 working days before the A post pays it, and finance books it; a loan
is booked against the fees; a work-study post is named when the student is placed. Each item
has its own demo student (the exclusivity and once-a-year rules would otherwise collide), one
whose profile fits it: the hardship level is aid's own record (osac_shared.demo ``hardship``).
"""
from datetime import datetime

from osac_shared.testing import eventually

from ..walk import Plan

AWARD_PATH = ("submit", "accept", "approve", "committee", "complete")


def paid_into_ledger(cents, programme_zh):
    """The check: finance booked the case's money on the student's account."""
    def check(ctx, case):
        assert case["result"]["stage"] in ("awarded", "loan_recorded"), case["result"]
        student = case["student_id"]

        def entry():
            statement = ctx.get(student, "/api/finance/ledger?per_page=100")
            return next((e for e in statement["entries"] if e["ref"] == case["id"]), None)
        found = eventually(entry, timeout=20)
        assert (found["kind"], found["amount_cents"]) == ("aid_disbursement", cents), found
        assert programme_zh in found["description"], found
    return check


def committee_decided(ctx, case):
    """The committee's decision is on the case, by aid's committee, before the payment."""
    decided = [h for h in case["history"] if h["action"] == "committee"]
    assert decided and decided[0]["actor_id"] == "aid_committee", case["history"]
    assert case["result"]["committee"]["approved"] is True


def award_check(cents, programme_zh):
    pay = paid_into_ledger(cents, programme_zh)

    def check(ctx, case):
        committee_decided(ctx, case)
        paid_at = datetime.fromisoformat(case["history"][-1]["at"])
        assert datetime.fromisoformat(case["result"]["notice_until"]) <= paid_at
        pay(ctx, case)
    return check


def placed(ctx, case):
    assert case["result"]["stage"] == "placed"
    assert case["result"]["post_name"] == "学生事务中心二号窗口B岗学生助理"
    assert case["result"]["priority"] is True            # recognised as in hardship


def receipt_recorded(ctx, case):
    loan = case["result"]["loan"]
    assert (loan["kind"], loan["receipt_code"], loan["amount_cents"]) == (
        "county_loan", "A1B2C3D4E5", 1200000)
    paid_into_ledger(1200000, "生源地信用助学贷款")(ctx, case)
    statement = ctx.get(case["student_id"], "/api/finance/ledger")
    assert statement["arrears_cents"] == 0              # the fees are covered by the loan


def contract_recorded(ctx, case):
    assert case["result"]["loan"]["contract_no"] == "CDB-2026-0012345"
    paid_into_ledger(800000, "校园地国家助学贷款")(ctx, case)


PLANS = {
    # rank 5 (declared; the transcript is its material), not in hardship
    "aid.national-scholarship": Plan(student="2026000009", path=AWARD_PATH,
                                     check=award_check(800000, "国家奖学金")),
    # recognised as in general hardship, rank 15
    "aid.national-encouragement": Plan(student="2026000006", path=AWARD_PATH,
                                       check=award_check(500000, "国家励志奖学金")),
    # recognised as in hardship: the second tier, 3,300 yuan
    "aid.national-grant": Plan(student="2026000008", path=AWARD_PATH,
                               check=award_check(330000, "国家助学金")),
    # recognised as in special hardship
    "aid.tuition-waiver": Plan(student="2026000017", path=AWARD_PATH,
                               check=award_check(580000, "学费减免")),
    "aid.hardship-subsidy": Plan(student="2026000011", path=AWARD_PATH,
                                 check=award_check(200000, "临时困难补助")),
    # fees in arrears: the county loan's receipt is recorded and the loan covers them
    "aid.loan-receipt": Plan(student="2026000012",
                             path=("submit", "accept", "approve", "complete"),
                             check=receipt_recorded),
    # a freshman in special hardship whose fees were deferred on the green channel
    "aid.campus-loan": Plan(student="2026000010",
                            inputs={"complete": {"contract_no": "CDB-2026-0012345"}},
                            path=("submit", "accept", "approve", "complete"),
                            check=contract_recorded),
    "aid.work-study": Plan(student="2026000019",
                           inputs={"complete": {"post_name": "学生事务中心二号窗口B岗学生助理"}},
                           path=("submit", "accept", "approve", "complete"), check=placed),
}
