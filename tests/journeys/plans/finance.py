"""Window 12 (finance): a refund against a real credit - 2026000007 paid this year's fees, then
last year's aid came in (osac_shared.demo ``fees`` "credit"): the A post approves and issues
the refund, which the ledger shows; the enquiry is answered in writing."""
from ..walk import Plan


def refunded(ctx, case):
    statement = ctx.get(case["student_id"], "/api/finance/ledger?per_page=100")
    entry = next(e for e in statement["entries"] if e["ref"] == case["id"])
    assert (entry["kind"], entry["amount_cents"]) == ("refund", 330000), entry
    assert case["result"]["refund_entry_id"] == entry["id"]
    assert statement["credit_cents"] == 0 and statement["balance_cents"] == 0, statement


def answered(ctx, case):
    assert case["result"]["answer"] and case["result"]["policy_zh"]


PLANS = {
    "finance.refund": Plan(student="2026000007",
                           path=("submit", "accept", "approve", "complete"), check=refunded),
    "finance.fee-consultation": Plan(check=answered),
}
