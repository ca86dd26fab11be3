"""Insurance (window 3): table tests of the claim rules, then the consultation and the claim
flows (documents by claim type, submission to the insurer, the payout as a step of the case's
next_actions) on the real platform."""
from datetime import datetime

import pytest

from osac_shared import forms
from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from insurance import domain
from insurance.domain import (check_can_complete, claim_documents, claim_problems,
                              payout_record)
from insurance.service import InsuranceService

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
TODAY = T0.date()
STUDENT = ACTORS["student"]
B, A = staff("insurance"), staff("insurance", "a_post")
COMMON = ["id_card", "student_card", "bank_card", "invoices", "diagnosis"]


# ---- table tests -------------------------------------------------------------------------
@pytest.mark.parametrize("form, fields", [
    ({"incident_date": "2026-12-01"}, set()),
    ({"incident_date": "2026-12-08"}, {"form.incident_date"}),             # future
    ({"incident_date": "2024-12-08"}, set()),                              # 729 days ago
    ({"incident_date": "2024-12-06"}, {"form.incident_date"}),             # over two years
    ({"incident_date": "2026-11-01", "admitted_on": "2026-11-01",
      "discharged_on": "2026-11-10"}, set()),
    ({"incident_date": "2026-11-01", "admitted_on": "2026-11-10",
      "discharged_on": "2026-11-01"}, {"form.discharged_on"}),
    ({"incident_date": "2026-12-01", "admitted_on": "2026-12-01",
      "discharged_on": "2026-12-09"}, {"form.discharged_on"}),            # still in hospital
])
def test_claim_dates(form, fields):
    assert set(claim_problems(form, TODAY)) == fields


@pytest.mark.parametrize("form, needed", [
    ({}, set()),
    (None, set()),
    ({"referred": True}, {"referral"}),
    ({"referred": "yes"}, set()),                   # not loaded: nothing inferred from it
    ({"accident_type": "traffic"}, {"police_report"}),
    ({"accident_type": "sports", "hospitalised": True}, {"discharge_summary"}),
    ({"accident_type": "traffic", "hospitalised": True, "disability_claim": True},
     {"police_report", "discharge_summary", "disability_assessment"}),
])
def test_documents_a_claim_makes_necessary(form, needed):
    assert set(claim_documents(form)) == needed


@pytest.mark.parametrize("change, bad", [
    ({}, set()),
    ({"bank_card_no": "6222 0212 3456"}, {"form.bank_card_no"}),
    ({"bank_name": "   "}, {"form.bank_name"}),
    ({"hospital": " "}, {"form.hospital"}),
    ({"phone": "12345"}, {"form.phone"}),
    ({"expenses_yuan": 0}, {"form.expenses_yuan"}),
    ({"accident_type": "war"}, {"form.accident_type"}),
    ({"payout_cents": 1}, {"form.payout_cents"}),      # unknown keys are refused
])
def test_accident_claim_form(change, bad):
    form = {**domain.accident_example(T0), **change}
    loaded, problems = forms.load(domain.AccidentClaimForm, form)
    assert set(problems) == bad
    if not bad:
        assert loaded["expenses_cents"] == 248050


@pytest.mark.parametrize("code", list(InsuranceService.ITEMS))
def test_every_example_is_valid_on_its_day(code):
    example = InsuranceService().example(code, T0)
    form, problems = forms.load(InsuranceService.FORMS[code], example)
    assert not problems
    if code != "insurance.claim-consultation":
        assert claim_problems(form, TODAY) == {} and claim_documents(form) == {}


SUBMITTED = {"status": "submitted_to_insurer", "submitted_at": "2026-12-07T16:00:00+08:00"}
PAID = dict(SUBMITTED, status="paid", amount_cents=50000)


@pytest.mark.parametrize("payout, amount, outcome", [
    (SUBMITTED, 50000, "paid"),
    (SUBMITTED, 100000, "paid"),                   # the whole claimed cost
    (SUBMITTED, 100001, "validation_failed"),      # more than claimed
    (SUBMITTED, 0, "validation_failed"),
    (SUBMITTED, "500", "validation_failed"),
    (SUBMITTED, True, "validation_failed"),
    (None, 50000, "claim_not_with_insurer"),
    ({"status": "declined"}, 50000, "claim_not_with_insurer"),
    (PAID, 50000, None),                           # repeated: nothing to do
    (PAID, 40000, "payout_already_recorded"),
])
def test_payout_record(payout, amount, outcome):
    if outcome in ("paid", None):
        record = payout_record(payout, 100000, amount, T0, "insurance_a")
        assert (record and record["status"]) == outcome
        if record:
            assert record["amount_cents"] == amount and record["recorded_by"] == "insurance_a"
        return
    with pytest.raises(DomainError) as err:
        payout_record(payout, 100000, amount, T0, "insurance_a")
    assert err.value.code == outcome


@pytest.mark.parametrize("payout, ok", [(PAID, True), (SUBMITTED, False), (None, False)])
def test_claim_completes_only_with_a_payout(payout, ok):
    if ok:
        check_can_complete(payout)
    else:
        with pytest.raises(DomainError) as err:
            check_can_complete(payout)
        assert err.value.code == "payout_not_recorded"



# ---- on the real platform ----------------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["insurance"], clock_file=str(clock))


CLAIM = {"incident_date": "2026-11-20", "hospital": "株洲市中心医院", "expenses_yuan": 1234.5,
         "phone": "13800138000", "bank_name": "中国银行株洲分行",
         "bank_card_no": "6216610200016587010"}
INPATIENT = dict(CLAIM, admitted_on="2026-11-20", discharged_on="2026-11-28")
ACCIDENT = dict(CLAIM, accident_type="sports", accident_place="篮球场",
                accident_description="打篮球时扭伤脚踝")


def test_claim_documents_are_named_all_at_once(plat):
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.insurance.submit_case("insurance.claim-inpatient", ["id_card"], INPATIENT)
    assert err.value.code == "materials_missing"
    assert set(err.value.fields) == {f"materials.{m}" for m in (
        "student_card", "bank_card", "invoices", "diagnosis", "discharge_summary",
        "expense_list")}
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.insurance.submit_case("insurance.claim-accident", COMMON, ACCIDENT)
    assert set(err.value.fields) == {"materials.accident_statement"}


def test_claim_form_errors(plat):
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.insurance.submit_case("insurance.claim-inpatient",
                                      COMMON + ["discharge_summary", "expense_list"],
                                      dict(CLAIM, expenses_yuan=0))
        assert set(err.value.fields) == {"form.expenses_yuan", "form.admitted_on",
                                         "form.discharged_on"}
        with pytest.raises(DomainError) as err:      # form, dates and documents: one notice
            rpc.insurance.submit_case("insurance.claim-accident", ["id_card"],
                                      dict(ACCIDENT, accident_type="traffic",
                                           incident_date="2026-12-20", hospital=" "))
        assert set(err.value.fields) == {
            "form.incident_date", "form.hospital", "materials.student_card",
            "materials.bank_card", "materials.invoices", "materials.diagnosis",
            "materials.accident_statement", "materials.police_report"}
        with pytest.raises(DomainError) as err:
            rpc.insurance.submit_case("insurance.claim-outpatient", COMMON,
                                      dict(CLAIM, incident_date="2024-01-01"))
        assert "两年" in err.value.fields["form.incident_date"]


def test_claim_goes_to_the_insurer_and_the_payout_completes_it(plat):
    with plat.rpc(STUDENT) as rpc:
        claim = rpc.insurance.submit_case("insurance.claim-inpatient",
                                          COMMON + ["discharge_summary", "expense_list"],
                                          INPATIENT, "claim-1")
        assert claim["form"]["expenses_cents"] == 123450
    with plat.rpc(B) as rpc:
        rpc.insurance.act(claim["id"], "accept")
        with pytest.raises(DomainError) as err:
            rpc.insurance.record_payout(claim["id"], 100000)
        assert err.value.code == "claim_not_with_insurer"
    with plat.rpc(A) as rpc:
        sent = rpc.insurance.act(claim["id"], "approve")
        assert sent["result"]["payout"]["status"] == "submitted_to_insurer"
        with pytest.raises(DomainError) as err:
            rpc.insurance.act(claim["id"], "complete")
        assert err.value.code == "payout_not_recorded"
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.insurance.record_payout(claim["id"], 100000)
        assert err.value.status == 403
    with plat.rpc(B) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.insurance.record_payout(claim["id"], 200000)
        assert "amount_cents" in err.value.fields
        paid = rpc.insurance.record_payout(claim["id"], 98760)
        again = rpc.insurance.record_payout(claim["id"], 98760)      # repeated: no new step
        assert [h["action"] for h in again["history"]] == [h["action"] for h in paid["history"]]
        with pytest.raises(DomainError) as err:
            rpc.insurance.record_payout(claim["id"], 1)
        assert err.value.code == "payout_already_recorded"
    assert paid["status"] == "completed"
    assert paid["result"]["payout"]["status"] == "paid"
    assert paid["result"]["payout"]["amount_cents"] == 98760
    assert "987.60" in paid["history"][-1]["reason"]
    with plat.rpc(STUDENT) as rpc:
        mine = rpc.insurance.get_case(claim["id"])
    assert mine["result"]["payout"]["status_zh"] == "已赔付"


def actions(case):
    return [a["action"] for a in case["next_actions"]]


def test_the_claims_steps_lead_to_the_recorded_payout(plat):
    """next_actions and waiting_for carry a claim to its end: the insurer pays, the window
    records it; a bare "complete" is never offered (it would be refused)."""
    with plat.rpc(STUDENT) as rpc:
        claim = rpc.insurance.submit_case("insurance.claim-outpatient", COMMON, CLAIM)
        assert actions(claim) == ["withdraw"] and claim["waiting_for"]["role"] == "b_post"
    with plat.rpc(B) as rpc:
        seen = rpc.insurance.get_case(claim["id"])
        assert seen["form"]["bank_card_no"] == "6216***********7010"       # masked for B
        assert seen["form"]["phone"] == "138****8000"
        accepted = rpc.insurance.perform(claim["id"], "accept", {})
        assert "approve" not in actions(accepted)                          # the A post's
        assert accepted["waiting_for"]["role"] == "a_post"
    with plat.rpc(A) as rpc:
        assert rpc.insurance.get_case(claim["id"])["form"]["bank_card_no"] == \
            CLAIM["bank_card_no"]
        sent = rpc.insurance.perform(claim["id"], "approve", {})
        assert sent["result"]["payout"]["status"] == "submitted_to_insurer"
        assert (sent["waiting_for"]["role"], sent["waiting_for"]["department"],
                sent["waiting_for"]["party"]) == ("a_post", "insurance", "payer")
        assert actions(sent)[0] == "record_payout" and "complete" not in actions(sent)
        body = sent["next_actions"][0]["input_schema"]
        assert body["required"] == ["amount_cents"] and body["properties"]["amount_cents"][
            "minimum"] == 1
        with pytest.raises(DomainError) as err:
            rpc.insurance.perform(claim["id"], "complete", {})
        assert err.value.code == "action_not_available"
        for bad in ({"amount_cents": 123451}, {"amount_cents": "100"}, {}, {"amount": 1}):
            with pytest.raises(DomainError) as err:
                rpc.insurance.perform(claim["id"], "record_payout", bad)
            assert err.value.status == 422 and ("amount_cents" in err.value.fields
                                                or "amount" in err.value.fields), bad
    with plat.rpc(B) as rpc:                       # any insurance staff may record it
        assert actions(rpc.insurance.get_case(claim["id"]))[0] == "record_payout"
    with plat.rpc(STUDENT) as rpc:
        mine = rpc.insurance.get_case(claim["id"])
        assert actions(mine) == ["withdraw"] and mine["waiting_for"]["party"] == "payer"
        with pytest.raises(DomainError) as err:
            rpc.insurance.perform(claim["id"], "record_payout", {"amount_cents": 100})
        assert err.value.code == "action_not_available"
    with plat.rpc(A) as rpc:
        done = rpc.insurance.perform(claim["id"], "record_payout",
                                     {"amount_cents": 98760, "reason": "理赔单号 PICC-0001"})
    assert done["status"] == "completed" and done["waiting_for"] is None
    assert done["next_actions"] == []
    assert done["result"]["payout"]["amount_cents"] == 98760
    assert done["result"]["payout"]["note"] == "理赔单号 PICC-0001"
    assert [h["action"] for h in done["history"]] == ["submit", "accept", "approve", "complete"]


def test_declined_claim_shows_in_the_payout(plat):
    with plat.rpc(STUDENT) as rpc:
        claim = rpc.insurance.submit_case("insurance.claim-accident",
                                          COMMON + ["accident_statement"],
                                          ACCIDENT)
    with plat.rpc(A) as rpc:
        rpc.insurance.act(claim["id"], "accept")
        rpc.insurance.act(claim["id"], "approve")
        declined = rpc.insurance.act(claim["id"], "reject", "属于免责范围（运动扭伤未就医）")
    assert declined["status"] == "rejected"
    assert declined["result"]["payout"]["status"] == "declined"


def test_claim_question_is_answered_in_the_case(plat):
    with plat.rpc(STUDENT) as rpc:
        case = rpc.insurance.submit_case("insurance.claim-consultation", [],
                                         {"insurance": "medical", "question": "门诊能报销多少？"})
    answer = "门诊费用在起付线以上按50%报销，年度限额800元。"
    with plat.rpc(B) as rpc:
        rpc.insurance.act(case["id"], "accept")
        approved = rpc.insurance.act(case["id"], "approve")
        answer_step = approved["next_actions"][0]
        assert (answer_step["action"], answer_step["input_schema"]["required"]) == \
            ("complete", ["answer"])
        with pytest.raises(DomainError) as err:
            rpc.insurance.act(case["id"], "complete")
        assert "reason" in err.value.fields
        with pytest.raises(DomainError) as err:
            rpc.insurance.perform(case["id"], "complete", {"answer": "  "})
        assert "answer" in err.value.fields
        done = rpc.insurance.perform(case["id"], "complete", {"answer": answer})
    assert done["result"]["answer"] == answer
