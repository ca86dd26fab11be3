"""Logistics (后勤处), window 11: dorm repairs and logistics complaints."""
from nameko.rpc import rpc

from osac_shared import cases as engine, forms
from osac_shared.auth import require_actor
from osac_shared.errors import validation_failed
from osac_shared.service import CaseService
from osac_shared.steps import Step

from . import domain
from .catalogue import ITEMS
from .domain import COMPLAINT_ITEM, REPAIR_ITEM

COMPLETE = {
    REPAIR_ITEM: Step("complete", "修复办结（反馈维修结果）", "Repaired: complete (with what was "
                      "done)", domain.RepairDoneBody, run="complete_with_feedback",
                      tone="primary"),
    COMPLAINT_ITEM: Step("complete", "反馈调查处理结果并办结", "Give the findings and complete",
                         domain.FeedbackBody, run="complete_with_feedback", tone="primary"),
}


class LogisticsService(CaseService):
    """Boundary: the CaseService entrypoints (catalogue, submit_case, get_case, list_cases,
    perform, act, expedite, health, ping) plus ``complain_overdue(repair_case_id, text,
    idempotency_key=None)``, a thin alias of submitting ``logistics.complaint`` about an
    overdue repair.

    A repair (48 calendar hours, B post): accept -> approve -> complete with what was repaired
    (``result.feedback``); its ``result.repair_due_at`` is the 48-hour promise. A complaint
    (3 working days, A post): about a repair still unfinished 48 hours after it was reported
    (the student's own; checked at submission, in the one notice) or about the service in
    general; B accepts -> A approves -> complete with the findings to the student (required,
    ``result.feedback``). A complaint about a repair is listed on the repair
    (``result.complaints``). Publishes case.* through the outbox. Event handlers: none."""
    name = "logistics"
    ITEMS = ITEMS
    FORMS = {REPAIR_ITEM: domain.RepairForm, COMPLAINT_ITEM: domain.ComplaintForm}
    EXAMPLES = {REPAIR_ITEM: domain.repair_example(), COMPLAINT_ITEM: domain.complaint_example()}

    def item_to_dict(self, item, now):
        d = super().item_to_dict(item, now)
        if item.code == COMPLAINT_ITEM:
            d["form_schema"] = {**d["form_schema"], "allOf": domain.COMPLAINT_RULES}
        return d

    # ---- hooks ---------------------------------------------------------------------------
    def clean_form(self, item, form):
        """The form and, for a complaint, its repair ticket: every problem in one notice."""
        data, problems = forms.load(self.FORMS[item.code], form)
        if item.code == COMPLAINT_ITEM:
            raw = data if data is not None else (form if isinstance(form, dict) else {})
            if "form.repair_case_id" not in problems:
                problems.update(domain.complaint_problems(
                    raw, self._repair(raw.get("repair_case_id")),
                    (self.actor or {}).get("id"), self.clock()))
        if problems:
            raise validation_failed(problems)
        return data

    def _repair(self, case_id):
        if not case_id or not isinstance(case_id, str):
            return None
        return self.db.get(engine.Case, case_id)

    def after_submit(self, session, case, item, now):
        if item.code == REPAIR_ITEM:
            case.result = {"repair_due_at": domain.repair_due(case.submitted_at).isoformat()}
        elif case.form.get("repair_case_id"):
            repair = session.get(engine.Case, case.form["repair_case_id"])
            listed = list((repair.result or {}).get("complaints") or [])
            repair.result = {**(repair.result or {}), "complaints": listed + [case.id]}
            case.result = {"repair": {"id": repair.id, "status": repair.status,
                                      "submitted_at": repair.submitted_at.isoformat(),
                                      "repair_due_at": domain.repair_due(
                                          repair.submitted_at).isoformat()}}

    def refine_steps(self, case, item, steps):
        return [COMPLETE[item.code] if s.action == "complete" else s for s in steps]

    def after_action(self, session, case, item, action, extra, now):
        """Completing: the feedback to the student (required for a complaint; raising here
        discards the whole change, after the lifecycle has said who may act)."""
        if action == "complete":
            feedback = domain.feedback_of(extra, case.history[-1].reason,
                                          required=item.code == COMPLAINT_ITEM)
            if feedback:
                case.result = {**(case.result or {}), "feedback": feedback,
                               "feedback_at": now.isoformat()}

    def complete_with_feedback(self, case_id, feedback=""):
        """The complete step: the feedback is also the history's reason (the student reads it
        in the timeline)."""
        return self.act(case_id, "complete", reason=feedback, extra={"feedback": feedback})

    # ---- entrypoints ---------------------------------------------------------------------
    @rpc
    def complain_overdue(self, repair_case_id, text, idempotency_key=None):
        """A student complains about a repair not done within 48 hours: the complaint item
        submitted with that repair ticket (the same rules and one notice as submit_case)."""
        engine.read_case(self.db, repair_case_id, require_actor(self.actor))   # 401/403/404
        return self.submit_case(COMPLAINT_ITEM, [], {
            "topic": "overdue_repair", "repair_case_id": repair_case_id,
            "text": str(text or "")[:2000]}, idempotency_key)
