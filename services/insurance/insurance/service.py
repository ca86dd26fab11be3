"""Insurance (离退休工作处、校医院), window 3 学生保险: claim questions and claims with payouts."""
from nameko.rpc import rpc

from osac_shared import cases as engine, forms, lifecycle
from osac_shared.auth import A_POST, is_staff_of, require_actor
from osac_shared.errors import forbidden, validation_failed
from osac_shared.service import CaseService
from osac_shared.steps import Step, waiting

from . import domain
from .catalogue import CLAIM_ITEMS, ITEMS

RECORD_PAYOUT = Step("record_payout", "登记保险公司赔付（办结）",
                     "Record the insurer's payout (completes the claim)",
                     domain.RecordPayoutBody, run="record_payout", tone="primary")


class InsuranceService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, perform,
    act, expedite, health, ping) plus ``record_payout(case_id, amount_cents, reason="")`` for
    insurance staff (also the step ``record_payout`` of a claim's next_actions).

    A claim: B accepts -> the A post approves, which submits it to the insurer
    (``result.payout.status`` "submitted_to_insurer"; the case then waits for the payer) ->
    insurance staff record the insurer's payout (at most the claimed costs), which completes
    it with the amount in ``result.payout``; a bare "complete" is refused. An insurer's refusal
    is a reject (``result.payout.status`` "declined"). The bank card number and phone in a
    claim are masked for everyone but the student and the A post. A claim question is
    answered in writing (the complete step's ``answer``). Publishes case.* through the outbox.
    Event handlers: none."""
    name = "insurance"
    ITEMS = ITEMS
    FORMS = {"insurance.claim-consultation": domain.ClaimQuestionForm,
             "insurance.claim-outpatient": domain.OutpatientClaimForm,
             "insurance.claim-inpatient": domain.InpatientClaimForm,
             "insurance.claim-accident": domain.AccidentClaimForm}
    EXAMPLES = {"insurance.claim-consultation": domain.consultation_example(),
                "insurance.claim-outpatient": domain.outpatient_example,
                "insurance.claim-inpatient": domain.inpatient_example,
                "insurance.claim-accident": domain.accident_example}
    CUSTOM_ACTIONS = ("record_payout",)

    @rpc
    def record_payout(self, case_id, amount_cents, reason=""):
        """The insurer paid ``amount_cents`` on a claim that was submitted to it: record it and
        complete the case. Repeating the same payout changes nothing."""
        now = self.clock()
        actor = require_actor(self.actor)
        if not is_staff_of(actor, self.name):
            raise forbidden("只有学生保险窗口工作人员可以登记赔付",
                            "Only insurance staff can record a payout")
        case = engine.read_case(self.db, case_id, actor)
        if case.item_code not in CLAIM_ITEMS:
            raise validation_failed({"case_id": "该事项不是保险理赔 / that case is not a claim"})
        payout = domain.payout_record((case.result or {}).get("payout"),
                                      case.form["expenses_cents"], amount_cents, now, actor["id"])
        if payout is None:
            return self.to_dict(case)
        note = str(reason or "").strip()[:500]
        if note:
            payout["note"] = note
        case.result = {**(case.result or {}), "payout": payout}
        text = (f"保险公司已赔付{amount_cents / 100:.2f}元 / the insurer paid "
                f"{amount_cents / 100:.2f} yuan")
        engine.act(self.db, case, self.ITEMS[case.item_code], "complete", actor, now,
                   f"{text}（{note}）" if note else text, correlation_id=self.correlation_id)
        self.db.commit()
        return self.to_dict(case)

    # ---- hooks -------------------------------------------------------------------------
    def clean_form(self, item, form):
        """The form and, for a claim, its dates: every problem in one notice (the dates are
        checked even when another field is wrong)."""
        data, problems = forms.load(self.FORMS[item.code], form)
        if item.code in CLAIM_ITEMS:
            dated = domain.claim_problems(data if data is not None else form,
                                          self.clock().date())
            problems = {**dated, **problems}
        if problems:
            raise validation_failed(problems)
        return data

    def conditional_materials(self, item, form):
        return domain.claim_documents(form) if item.code in CLAIM_ITEMS else {}

    def refine_steps(self, case, item, steps):
        """A claim with the insurer is completed by recording its payout, never by a bare
        "complete" (which would be refused)."""
        if item.code not in CLAIM_ITEMS or case.status != lifecycle.PROCESSING:
            return steps
        out = [s for s in steps if s.action != "complete"]
        if domain.awaits_payout((case.result or {}).get("payout")) and \
                is_staff_of(self.actor or {}, self.name):
            out.insert(0, RECORD_PAYOUT)
        return out

    def refine_waiting(self, case, item, waiting_for):
        if item.code in CLAIM_ITEMS and case.status == lifecycle.PROCESSING and \
                domain.awaits_payout((case.result or {}).get("payout")):
            return waiting(A_POST, self.name, "已提交保险公司，等待保险公司赔付（赔付后由本窗口登记）",
                           "With the insurer: waiting for its payout (the window records it)",
                           party="payer", payer="insurer")
        return waiting_for

    def before_action(self, session, case, item, action, extra, now):
        if item.code in CLAIM_ITEMS and action == "complete":
            # who may not act at all, or not from this status, hears that first
            engine.authorize_action(self.actor, case, item, action, self.delegated_items())
            lifecycle.next_status(case.status, action)
            domain.check_can_complete((case.result or {}).get("payout"))

    def after_action(self, session, case, item, action, extra, now):
        if item.code not in CLAIM_ITEMS:
            return
        result = dict(case.result or {})
        payout = result.get("payout") or {}
        if action == "approve":
            result["payout"] = domain.submitted_to_insurer(now, self.actor["id"])
        elif action == "reject" and domain.awaits_payout(payout):
            result["payout"] = domain.declined(payout, now)
        case.result = result
