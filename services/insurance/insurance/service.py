"""Insurance (离退休工作处、校医院), window 3 学生保险: claim questions and claims with payouts."""
from nameko.rpc import rpc

from osac_shared import cases as engine
from osac_shared.auth import is_staff_of, require_actor
from osac_shared.errors import forbidden, validation_failed
from osac_shared.service import CaseService

from .catalogue import CLAIM_ITEMS, ITEMS
from .domain import (AccidentClaimForm, ClaimForm, ClaimQuestionForm, InpatientClaimForm,
                     PAYOUT_ZH, check_can_complete, claim_problems,
                     payout_record, submitted_to_insurer)


class InsuranceService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act, health,
    ping) plus ``record_payout(case_id, amount_cents)`` for insurance staff.

    A claim's approval (A post) submits it to the insurer; recording the insurer's payout
    completes it, with the amount in ``result.payout``. Publishes case.* through the outbox.
    Event handlers: none."""
    name = "insurance"
    ITEMS = ITEMS
    FORMS = {"insurance.claim-consultation": ClaimQuestionForm,
             "insurance.claim-outpatient": ClaimForm,
             "insurance.claim-inpatient": InpatientClaimForm,
             "insurance.claim-accident": AccidentClaimForm}

    @rpc
    def record_payout(self, case_id, amount_cents):
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
        payout = payout_record((case.result or {}).get("payout"),
                               case.form["expenses_cents"], amount_cents, now, actor["id"])
        if payout is None:
            return self.to_dict(case)
        case.result = {**(case.result or {}), "payout": payout}
        engine.act(self.db, case, self.ITEMS[case.item_code], "complete", actor, now,
                   f"保险公司已赔付{amount_cents / 100:.2f}元 / the insurer paid "
                   f"{amount_cents / 100:.2f} yuan", correlation_id=self.correlation_id)
        self.db.commit()
        return self.to_dict(case)

    # ---- hooks -------------------------------------------------------------------------
    def clean_form(self, item, form):
        form = super().clean_form(item, form)
        if item.code in CLAIM_ITEMS:
            problems = claim_problems(form, self.clock().date())
            if problems:
                raise validation_failed(problems)
        return form

    def after_action(self, session, case, item, action, extra, now):
        result = dict(case.result or {})
        if item.code in CLAIM_ITEMS:
            payout = result.get("payout") or {}
            if action == "approve":
                result["payout"] = submitted_to_insurer(now, self.actor["id"])
            elif action == "complete":
                check_can_complete(payout)
            elif action == "reject" and payout.get("status") == "submitted_to_insurer":
                result["payout"] = dict(payout, status="declined", status_zh=PAYOUT_ZH["declined"],
                                        declined_at=now.isoformat())
        case.result = result
