"""Campus IT rules as tables, and the card ledger, card services and network faults on real
RabbitMQ and PostgreSQL (the demo seed gives the two demo students cards)."""
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from marshmallow import ValidationError
from sqlalchemy import create_engine, text

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from campus_it import domain
from campus_it.catalogue import ITEMS

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
ME, OTHER = ACTORS["student"], ACTORS["student2"]
NEWBIE = {"id": "2026000005", "role": "student", "name": "陈晨"}       # a freshman, no card
LOST = {"id": "2026000013", "role": "student", "name": "胡悦"}         # her card is frozen
NEIGHBOUR = {"id": "2026000009", "role": "student", "name": "周婷"}
CLASSMATE = {"id": "2026000011", "role": "student", "name": "徐静"}
B, A = staff("campus_it", "b_post"), staff("campus_it", "a_post")


# ---- tables ------------------------------------------------------------------------------
def test_catalogue_covers_windows_9_and_10():
    assert {i.window for i in ITEMS.values()} == {9, 10}
    loss = ITEMS["campus_it.card-loss"]
    assert loss.green_channel and loss.kind == "report"
    assert set(domain.FORMS) == set(ITEMS)


@pytest.mark.parametrize("sender, receiver, balance, amount, code", [
    ("active", "active", 1000, 1000, None),
    ("active", "active", 999, 1000, "insufficient_balance"),
    ("frozen", "active", 5000, 1000, "card_frozen"),
    ("active", "frozen", 5000, 1000, "card_frozen"),
    (None, "active", 0, 1000, "no_card"),
    ("active", None, 5000, 1000, "no_card"),
])
def test_transfer_rules(sender, receiver, balance, amount, code):
    problem = domain.transfer_problem(sender, receiver, balance, amount)
    assert (problem.code if problem else None) == code
    if problem and receiver != "active" and sender == "active":
        assert "to_student_id" in problem.fields        # the recipient's card is named


@pytest.mark.parametrize("amount, ok", [
    (1, True), (100_000, True), (100_001, False), (0, False), (-5, False), (10.5, False),
    (True, False), ("100", False)])
def test_top_up_amounts(amount, ok):
    if ok:
        domain.check_amount(amount, domain.MAX_TOP_UP_CENTS)
    else:
        with pytest.raises(DomainError) as err:
            domain.check_amount(amount, domain.MAX_TOP_UP_CENTS)
        assert "amount_cents" in err.value.fields


@pytest.mark.parametrize("purpose, status, code", [
    ("new", None, None), ("new", "active", "already_has_card"),
    ("reissue", "frozen", None), ("reissue", "active", "report_loss_first"),
    ("reissue", None, "no_card"), ("replace_damaged", "active", None),
    ("replace_damaged", "frozen", "card_frozen"), ("replace_damaged", None, "no_card"),
])
def test_card_application_rules(purpose, status, code):
    found = domain.application_problem(purpose, status)
    assert (found[0] if found else None) == code


@pytest.mark.parametrize("student_id, old, new", [
    ("2026000001", None, "C202600000101"), ("2026000001", "C202600000101", "C202600000102"),
    ("2026000001", "C202600000109", "C202600000110")])
def test_card_numbers(student_id, old, new):
    assert domain.next_card_no(student_id, old) == new


@pytest.mark.parametrize("lines, bad", [
    ([("2026000001", 100)], set()),
    ([("2026000001", 100)] * 2, {"entries"}),
    ([(f"20260001{n:02d}", 100) for n in range(31)], {"entries"}),
    ([("2026000001", 0), ("123", 100)], {"entries"}),
])
def test_group_form(lines, bad):
    form = {"payer": "计算机2201班", "receipt_no": "R0001", "paid_cents": 100,
            "entries": [{"student_id": s, "amount_cents": c} for s, c in lines]}
    try:
        assert domain.GroupTopUpForm().load(form)["total_cents"] == sum(c for _, c in lines)
        found = set()
    except ValidationError as err:
        found = set(err.messages)
    assert found == bad


@pytest.mark.parametrize("paid, bad", [(300, set()), (299, {"form.paid_cents"}),
                                       (301, {"form.paid_cents"})])
def test_the_amount_paid_is_the_lists_total(paid, bad):
    form = {"paid_cents": paid, "entries": [{"amount_cents": 100}, {"amount_cents": 200}]}
    assert set(domain.group_total_problems(form)) == bad


@pytest.mark.parametrize("lost_on, bad", [(None, set()), ("2026-12-07", set()),
                                          ("2026-11-30", set()), ("2026-12-08", {"form.lost_on"})])
def test_a_card_is_not_lost_in_the_future(lost_on, bad):
    assert set(domain.loss_problems({"lost_on": lost_on}, T0.date())) == bad


@pytest.mark.parametrize("extra, reason, result", [
    ({"outcome": "fixed", "feedback": "已更换端口"}, "", {
        "feedback": "已更换端口", "outcome": "fixed", "outcome_zh": "已修复", "outcome_en": "Fixed"}),
    ({}, "已恢复", {"feedback": "已恢复"}),
    ({"feedback": " "}, "", None),
])
def test_fault_feedback(extra, reason, result):
    if result is None:
        with pytest.raises(DomainError) as err:
            domain.fault_feedback(extra, reason)
        assert "feedback" in err.value.fields
    else:
        assert domain.fault_feedback(extra, reason) == result


def test_demo_cards_follow_the_demo_profiles():
    from osac_shared.demo import STUDENTS
    from campus_it import demo
    assert demo.opening_balance("2026000001") == 20000          # tests rely on these two
    assert demo.opening_balance("2026000002") == 5000
    kinds = {s.card for s in STUDENTS}
    assert kinds == {"active", "frozen", None}
    assert all(3000 <= demo.opening_balance(s.id) < 15000 for s in STUDENTS
               if s.id not in demo.DEMO_CARDS)


def test_group_problems_list_every_bad_line():
    entries = [{"student_id": "1"}, {"student_id": "2"}, {"student_id": "3"}]
    problems = domain.group_problems(entries, {"1": "active", "2": None, "3": "frozen"})
    assert set(problems) == {"form.entries.1.student_id", "form.entries.2.student_id"}


# ---- on the real platform ----------------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["campus_it"], clock_file=str(clock),
                            extra_env={"SEED_DEMO": "1"})


def balance(plat, actor):
    with plat.rpc(actor) as rpc:
        return rpc.campus_it.card()["balance_cents"]


def test_top_up_is_idempotent(plat):
    start = balance(plat, ME)
    with plat.rpc(ME) as rpc:
        first = rpc.campus_it.top_up(5000, "topup-1")
        assert first["balance_cents"] == start + 5000
        assert rpc.campus_it.top_up(5000, "topup-1") == first        # same key, same result
        with pytest.raises(DomainError) as err:
            rpc.campus_it.top_up(7000, "topup-1")
        assert err.value.code == "idempotency_key_reused"
        with pytest.raises(DomainError) as err:
            rpc.campus_it.top_up(200_000, "topup-2")
        assert "amount_cents" in err.value.fields
        page = rpc.campus_it.card_ledger()
    assert balance(plat, ME) == start + 5000
    assert [e["kind"] for e in page["entries"]].count("top_up") == 2   # demo opening + 1


def test_transfer(plat):
    mine, theirs = balance(plat, ME), balance(plat, OTHER)
    with plat.rpc(ME) as rpc:
        sent = rpc.campus_it.transfer(OTHER["id"], 3000, "tr-1")
        assert rpc.campus_it.transfer(OTHER["id"], 3000, "tr-1") == sent
        with pytest.raises(DomainError) as err:
            rpc.campus_it.transfer(OTHER["id"], 50_000, "tr-2")
        assert err.value.code == "insufficient_balance" and mine - 3000 < 50_000
        with pytest.raises(DomainError) as err:
            rpc.campus_it.transfer(ME["id"], 100, "tr-3")
        assert "to_student_id" in err.value.fields
        with pytest.raises(DomainError) as err:
            rpc.campus_it.transfer("2026009999", 100, "tr-4")
        assert err.value.code == "no_card" and "to_student_id" in err.value.fields
    assert (balance(plat, ME), balance(plat, OTHER)) == (mine - 3000, theirs + 3000)
    with plat.rpc(B) as rpc:                                  # staff do not move money
        with pytest.raises(DomainError) as err:
            rpc.campus_it.top_up(100, "staff-1")
        assert err.value.status == 403


def test_concurrent_transfers_never_overdraw(plat):
    mine = balance(plat, ME)
    amount = mine // 5                                        # room for exactly 5

    def send(n):
        with plat.rpc(ME) as rpc:
            try:
                return rpc.campus_it.transfer(OTHER["id"], min(amount, 50_000), f"par-{n}")
            except DomainError as err:
                return err.code
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    ok = [r for r in results if isinstance(r, dict)]
    assert len(ok) == 5 and results.count("insufficient_balance") == 3
    assert balance(plat, ME) == mine - 5 * min(amount, 50_000) >= 0


def test_loss_report_freezes_at_once_then_unfreeze(plat):
    with plat.rpc(OTHER) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.campus_it.submit_case("campus_it.card-loss", [], {"lost_on": "2026-12-08"})
        assert set(err.value.fields) == {"form.lost_on"}
        case = rpc.campus_it.submit_case("campus_it.card-loss", [], {"where": "二食堂"})
        assert case["status"] == "submitted" and case["green_channel"] is True
        assert case["green_reason"] and case["result"]["card_status"] == "frozen"
        assert rpc.campus_it.card()["status"] == "frozen"       # before any staff action
        with pytest.raises(DomainError) as err:
            rpc.campus_it.top_up(100, "after-loss")
        assert err.value.code == "card_frozen"
        with pytest.raises(DomainError) as err:
            rpc.campus_it.submit_case("campus_it.card-loss", [], {})
        assert err.value.code == "already_frozen"
    with plat.rpc(ME) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.campus_it.transfer(OTHER["id"], 100, "to-frozen")
        assert err.value.code == "card_frozen" and "to_student_id" in err.value.fields
    with plat.rpc(OTHER) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.campus_it.unfreeze(OTHER["id"], True, "id_card")
        assert err.value.status == 403
    with plat.rpc(B) as rpc:
        rpc.campus_it.act(case["id"], "accept")
        rpc.campus_it.act(case["id"], "approve")
        seen = rpc.campus_it.get_case(case["id"])
        assert [a["action"] for a in seen["next_actions"]][-1] == "unfreeze"
        with pytest.raises(DomainError) as err:
            rpc.campus_it.perform(case["id"], "unfreeze", {"id_document": "student_card"})
        assert set(err.value.fields) == {"identity_checked"}
        with pytest.raises(DomainError) as err:
            rpc.campus_it.perform(case["id"], "unfreeze", {"identity_checked": False,
                                                           "id_document": "student_card"})
        assert set(err.value.fields) == {"identity_checked"}
        done = rpc.campus_it.perform(case["id"], "unfreeze", {"identity_checked": True,
                                                              "id_document": "student_card"})
        assert done["status"] == "completed" and done["result"]["unfrozen"] is True
        assert rpc.campus_it.card(OTHER["id"])["status"] == "active"
    with plat.rpc(OTHER) as rpc:
        seen = rpc.campus_it.get_case(case["id"])
        kinds = [e["kind"] for e in rpc.campus_it.card_ledger(per_page=5)["entries"]]
    assert "学生证" in seen["history"][-1]["reason"]
    assert kinds[:2] == ["unfreeze", "freeze"]
    with plat.rpc(B) as rpc:                        # the staff RPC still works on its own
        with pytest.raises(DomainError) as err:
            rpc.campus_it.unfreeze(OTHER["id"])
        assert set(err.value.fields) == {"identity_checked", "id_document"}


def test_a_loss_report_is_completed_with_the_card_still_frozen(plat):
    with plat.rpc(NEIGHBOUR) as rpc:
        case = rpc.campus_it.submit_case("campus_it.card-loss", [], {})
        student = [a["action"] for a in case["next_actions"]]
    assert student == ["withdraw"]              # no unfreeze for the student
    with plat.rpc(B) as rpc:
        for action in ("accept", "approve"):
            rpc.campus_it.act(case["id"], action)
        done = rpc.campus_it.perform(case["id"], "complete", {"reason": "已挂失，可办理补卡"})
        assert done["status"] == "completed"
        assert rpc.campus_it.card(NEIGHBOUR["id"])["status"] == "frozen"


def outbox_fees(plat):
    engine = create_engine(plat.db_url("campus_it"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM outbox WHERE type = 'fee.requested'"))
        fees = [json.loads(r[0]) for r in rows]
    engine.dispose()
    return fees


def test_card_application_new_then_reissue(plat):
    with plat.rpc(NEWBIE) as rpc:
        with pytest.raises(DomainError) as err:         # the card's state, in the one notice
            rpc.campus_it.submit_case("campus_it.card-apply", ["photo"], {"purpose": "reissue"})
        assert err.value.status == 422
        assert set(err.value.fields) == {"form.purpose", "materials.identity"}
        assert "申领新卡" in err.value.fields["form.purpose"]
        with pytest.raises(DomainError) as err:
            rpc.campus_it.submit_case("campus_it.card-loss", [], {})
        assert err.value.code == "no_card" and rpc.campus_it.list_cases()["total"] == 0
        new = rpc.campus_it.submit_case("campus_it.card-apply", ["identity", "photo"],
                                        {"purpose": "new"})
    with plat.rpc(B) as rpc:
        for action in ("accept", "approve", "complete"):
            done = rpc.campus_it.act(new["id"], action)
    assert done["result"]["card_no"] == "C202600000501"
    with plat.rpc(NEWBIE) as rpc:
        rpc.campus_it.top_up(1500, "newbie-1")
        with pytest.raises(DomainError) as err:
            rpc.campus_it.submit_case("campus_it.card-apply", ["identity", "photo"],
                                      {"purpose": "reissue"})
        assert "先挂失" in err.value.fields["form.purpose"]
        rpc.campus_it.submit_case("campus_it.card-loss", [], {})
        again = rpc.campus_it.submit_case("campus_it.card-apply", ["identity", "photo"],
                                          {"purpose": "reissue"})
        assert again["result"]["fee_cents"] == 2000
    with plat.rpc(B) as rpc:
        for action in ("accept", "approve", "complete"):
            done = rpc.campus_it.act(again["id"], action)
    assert done["result"]["card_no"] == "C202600000502"
    with plat.rpc(NEWBIE) as rpc:
        card = rpc.campus_it.card()
    assert (card["card_no"], card["status"], card["balance_cents"]) == (
        "C202600000502", "active", 1500)
    fees = [f for f in outbox_fees(plat) if f["case_id"] == again["id"]]
    assert [(f["data"]["student_id"], f["data"]["amount_cents"]) for f in fees] == [
        (NEWBIE["id"], 2000)]


def test_complete_is_offered_only_while_the_card_fits(plat):
    with plat.rpc(LOST) as rpc:                     # the demo card reported lost
        assert rpc.campus_it.card()["status"] == "frozen"
        case = rpc.campus_it.submit_case("campus_it.card-apply", ["identity", "photo"],
                                         {"purpose": "reissue"})
    with plat.rpc(B) as rpc:
        rpc.campus_it.act(case["id"], "accept")
        rpc.campus_it.act(case["id"], "approve")
        assert "complete" in rpc.campus_it.get_case(case["id"])["allowed_actions"]
        rpc.campus_it.unfreeze(LOST["id"], True, "id_card", "找回了")    # found after all
        seen = rpc.campus_it.get_case(case["id"])
        assert "complete" not in seen["allowed_actions"] and "reject" in seen["allowed_actions"]
        assert "先挂失" in seen["waiting_for"]["label_zh"]
        with pytest.raises(DomainError) as err:
            rpc.campus_it.perform(case["id"], "complete", {})
        assert err.value.code == "report_loss_first" and err.value.status == 409
    with plat.rpc(LOST) as rpc:                     # the student is told she may not
        with pytest.raises(DomainError) as err:
            rpc.campus_it.perform(case["id"], "complete", {})
        assert err.value.status == 403
    with plat.rpc(B) as rpc:
        done = rpc.campus_it.perform(case["id"], "reject", {"reason": "原卡已找回并解冻，无需补办"})
    assert done["status"] == "rejected"


def test_group_top_up(plat):
    mine, theirs = balance(plat, ME), balance(plat, OTHER)
    form = {"payer": "计算机2201班", "receipt_no": "JK001", "paid_cents": 3005,
            "entries": [{"student_id": ME["id"], "amount_cents": 1000},
                        {"student_id": OTHER["id"], "amount_cents": 2000},
                        {"student_id": "2026009999", "amount_cents": 5}]}
    with plat.rpc(ME) as rpc:
        with pytest.raises(DomainError) as err:      # one notice: material, card and total
            rpc.campus_it.submit_case("campus_it.card-top-up-transfer", [],
                                      dict(form, paid_cents=3000))
        assert set(err.value.fields) == {"materials.payment_receipt",
                                         "form.entries.2.student_id", "form.paid_cents"}
        good = dict(form, entries=form["entries"][:2], paid_cents=3000)
        case = rpc.campus_it.submit_case("campus_it.card-top-up-transfer", ["payment_receipt"],
                                         good)
        assert case["result"] == {"total_cents": 3000, "count": 2}
        other = rpc.campus_it.submit_case("campus_it.card-top-up-transfer",
                                          ["payment_receipt"],
                                          dict(good, entries=[{"student_id": CLASSMATE["id"],
                                                               "amount_cents": 3000}]))
    with plat.rpc(A) as rpc:
        for action in ("accept", "approve"):
            rpc.campus_it.act(other["id"], action)
    with plat.rpc(CLASSMATE) as rpc:               # her card is lost before the credit
        rpc.campus_it.submit_case("campus_it.card-loss", [], {})
    with plat.rpc(A) as rpc:
        seen = rpc.campus_it.get_case(other["id"])
        assert "complete" not in seen["allowed_actions"]
        with pytest.raises(DomainError) as err:
            rpc.campus_it.perform(other["id"], "complete", {})
        assert err.value.code == "cards_not_creditable"
        assert set(err.value.fields) == {"form.entries.0.student_id"}
        with pytest.raises(DomainError) as err:      # nor as act
            rpc.campus_it.act(other["id"], "complete")
        assert set(err.value.fields) == {"form.entries.0.student_id"}
        for action in ("accept", "approve", "complete"):
            rpc.campus_it.perform(case["id"], action, {})
    assert (balance(plat, ME), balance(plat, OTHER)) == (mine + 1000, theirs + 2000)


def test_network_fault_feedback(plat):
    with plat.rpc(ME) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.campus_it.submit_case("campus_it.dorm-network-fault", [],
                                      {"building": "A3", "room": "302", "fault": "boom"})
        assert set(err.value.fields) == {"form.fault", "form.description"}
        case = rpc.campus_it.submit_case("campus_it.dorm-network-fault", [], {
            "building": "A3", "room": "302", "fault": "no_connection",
            "description": "网口无信号"})
    with plat.rpc(B) as rpc:
        rpc.campus_it.act(case["id"], "accept")
        rpc.campus_it.act(case["id"], "approve")
        seen = rpc.campus_it.get_case(case["id"])
        close = next(a for a in seen["next_actions"] if a["action"] == "complete")
        assert set(close["input_schema"]["required"]) == {"outcome", "feedback"}
        with pytest.raises(DomainError) as err:
            rpc.campus_it.act(case["id"], "complete")
        assert "feedback" in err.value.fields
        with pytest.raises(DomainError) as err:
            rpc.campus_it.perform(case["id"], "complete", {"outcome": "hardware"})
        assert set(err.value.fields) == {"feedback"}
        done = rpc.campus_it.perform(case["id"], "complete", {
            "outcome": "hardware", "feedback": "已更换交换机端口，网络恢复"})
    assert done["result"] == {"feedback": "已更换交换机端口，网络恢复", "outcome": "hardware",
                              "outcome_zh": "已更换设备或网口",
                              "outcome_en": "Equipment or port replaced"}
