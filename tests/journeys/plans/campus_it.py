"""Windows 9 and 10 (campus IT).

- dorm network fault: closed with its outcome and the feedback the student reads;
- group top-up: completing it credits every card on the list (balances checked before and
  after, as campus_it staff through ``GET /api/campus-it/card``);
- card application: a freshman without a card (2026000005, demo ``card=None``) gets her first
  card on completion; then 2026000013, whose demo card is frozen (reported lost), applies for
  a reissue: a new card number, active, and the 20-yuan fee on her finance ledger;
- card loss: 2026000009's card is frozen the moment she submits, and stays frozen."""
from osac_shared.testing import eventually

from ..walk import Plan, mandatory

FEEDBACK = "已更换A3栋301房间网口模块，网络恢复正常；如再断网请重启路由器后报修。"


def card_of(ctx, student_id):
    return ctx.get("campus_it_b", f"/api/campus-it/card?student_id={student_id}")


def fed_back(ctx, case):
    assert case["result"]["feedback"] == FEEDBACK
    assert case["result"]["outcome"] == "fixed"


def balances_before(ctx):
    form = ctx.item["form_schema"]["examples"][0]
    ctx.before = {e["student_id"]: card_of(ctx, e["student_id"])["balance_cents"]
                  for e in form["entries"]}
    return {}


def credited(ctx, case):
    assert case["result"]["credited"] is True
    for entry in case["form"]["entries"]:
        sid = entry["student_id"]
        assert card_of(ctx, sid)["balance_cents"] == ctx.before[sid] + entry["amount_cents"]


def no_card_yet(ctx):
    r = ctx.as_user(ctx.plan.student).get(ctx.url + "/api/campus-it/card", timeout=30)
    assert r.status_code == 404, (r.status_code, r.text)
    return {}


def issued_then_reissued(ctx, case):
    card = ctx.get(case["student_id"], "/api/campus-it/card")
    assert (card["status"], card["card_no"]) == ("active", case["result"]["card_no"]), card
    # a reissue after a loss: the demo card of 2026000013 is frozen
    lost = "2026000013"
    assert card_of(ctx, lost)["status"] == "frozen"
    again = ctx.apply(lost, case["item_code"], {"purpose": "reissue"}, mandatory(ctx.item))
    done = ctx.walk_to_end(again, lost)
    assert done["status"] == "completed", done
    card = ctx.get(lost, "/api/campus-it/card")
    assert (card["status"], card["card_no"]) == ("active", "C202600001302"), card

    def fee():
        statement = ctx.get(lost, "/api/finance/ledger?per_page=100")
        return next((e for e in statement["entries"] if e["ref"] == f"{done['id']}:card-fee"),
                    None)
    entry = eventually(fee, timeout=30)
    assert entry and (entry["kind"], entry["amount_cents"]) == ("charge", 2000), entry


def active_first(ctx):
    assert ctx.get(ctx.plan.student, "/api/campus-it/card")["status"] == "active"
    return {}


def frozen(ctx, case):
    card = ctx.get(case["student_id"], "/api/campus-it/card")
    assert card["status"] == "frozen", card
    submitted = case["history"][0]
    assert case["result"]["frozen_at"] == card["frozen_at"]          # frozen at submission
    assert case["result"]["card_status"] == "frozen" and submitted["action"] == "submit"
    assert case["green_channel"] is True


PLANS = {
    "campus_it.dorm-network-fault": Plan(inputs={"complete": {"outcome": "fixed",
                                                              "feedback": FEEDBACK}},
                                         check=fed_back),
    "campus_it.card-top-up-transfer": Plan(student="2026000011", prepare=balances_before,
                                           check=credited,
                                           path=("submit", "accept", "approve", "complete")),
    "campus_it.card-apply": Plan(student="2026000005", prepare=no_card_yet,
                                 check=issued_then_reissued),
    "campus_it.card-loss": Plan(student="2026000009", prepare=active_first, check=frozen),
}
