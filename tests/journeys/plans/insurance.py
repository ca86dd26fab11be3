"""Window 3 学生保险: a claim question answered in writing; each claim type accepted by the B
post, approved (submitted to the insurer) by the A post, and completed when the window records
the insurer's payout (at most the claimed costs)."""
from ..walk import Plan

STUDENT = "2026000001"
ANSWER = ("学生医保门诊费用在起付线以上按50%报销，年度限额800元；请带发票原件、诊断证明和"
          "费用清单到3号窗口办理。")


def answered(ctx, case):
    mine = ctx.get(STUDENT, f"/api/cases/{case['id']}")
    assert mine["result"]["answer"] == ANSWER, mine["result"]


def payout(ctx, case):
    """The insurer paid 80% of the claimed costs (the A post sees the whole form)."""
    return {"amount_cents": case["form"]["expenses_cents"] * 8 // 10,
            "reason": "保险公司理赔单号 PICC-2026-0001"}


def paid(ctx, case):
    mine = ctx.get(STUDENT, f"/api/cases/{case['id']}")
    record = mine["result"]["payout"]
    assert record["status"] == "paid" and record["status_zh"] == "已赔付", record
    assert record["amount_cents"] == mine["form"]["expenses_cents"] * 8 // 10
    assert mine["form"]["bank_card_no"].isdigit()                 # the student sees it all
    assert "已赔付" in mine["history"][-1]["reason"]
    clerk = ctx.get("insurance_b", f"/api/cases/{case['id']}")
    card = clerk["form"]["bank_card_no"]
    assert card[:4] + card[-4:] == mine["form"]["bank_card_no"][:4] + \
        mine["form"]["bank_card_no"][-4:] and "*" in card          # masked for the B post
    assert "*" in clerk["form"]["phone"]


CLAIM = Plan(student=STUDENT, inputs={"record_payout": payout},
             path=("submit", "accept", "approve", "complete"), check=paid)

PLANS = {
    "insurance.claim-consultation": Plan(student=STUDENT, inputs={"complete": {"answer": ANSWER}},
                                         path=("submit", "accept", "approve", "complete"),
                                         check=answered),
    "insurance.claim-outpatient": CLAIM,
    "insurance.claim-inpatient": CLAIM,
    "insurance.claim-accident": CLAIM,
}
