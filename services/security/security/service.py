"""Campus Security (保卫处), window 7 户籍与安保."""
from nameko.rpc import rpc
from sqlalchemy import select

from osac_shared import cases as engine
from osac_shared.auth import require_actor
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError, conflict, forbidden
from osac_shared.lifecycle import STATUS_ZH
from osac_shared.outbox import add_event
from osac_shared.service import CaseService
from osac_shared.steps import Step

from . import domain
from .catalogue import ITEMS
from .domain import (CANCELLED, ISSUED, PENDING, ActivityApproveBody, ActivityForm,
                     HazardFeedbackBody, HazardForm, HouseholdQuestionForm, VehiclePassForm,
                     activity_approved, clean_activity_form, clean_vehicle_form,
                     conflicting_pass, hazard_feedback, may_see_activity, normalize_plate,
                     parse_day, pass_valid_on)
from .models import VehiclePass, lock

VEHICLE, ACTIVITY = "security.vehicle-pass", "security.activity-safety"
HAZARD, HOUSEHOLD = "security.hazard-report", "security.household-consultation"
APPROVE_ACTIVITY = Step("approve", "审批通过（附安全指导意见）", "Approve (with safety guidance)",
                        ActivityApproveBody, tone="primary")
CLOSE_HAZARD = Step("complete", "反馈处置结果并办结", "Report back and complete",
                    HazardFeedbackBody, tone="primary")


class SecurityService(CaseService):
    """Boundary: the CaseService entrypoints (catalogue, submit_case, get_case, list_cases,
    perform, act, expedite, health, ping) plus ``verify_pass`` and ``activity_approval_status``
    (for other offices whose approvals depend on it). Publishes ``security.activity_decided``
    when an activity safety approval is completed (approved) or rejected. No event handlers.

    - an activity safety approval is approved with the A post's safety guidance (kept in the
      result and in ``activity_approval_status``); completing it files it (备案);
    - a vehicle pass is held (pending) at submission, issued at completion, cancelled on
      reject/withdraw; a plate holds one pass at a time;
    - a hazard report (green channel for the urgent) is closed with its outcome and the
      feedback the reporter reads;
    - materials only some applications need (owner's proof, safety plan) are named in the same
      notice as the rest (``conditional_materials``)."""
    name = "security"
    ITEMS = ITEMS
    FORMS = {VEHICLE: VehiclePassForm, ACTIVITY: ActivityForm, HAZARD: HazardForm,
             HOUSEHOLD: HouseholdQuestionForm}
    EXAMPLES = domain.EXAMPLES

    # ---- hooks -------------------------------------------------------------------------
    def clean_form(self, item, form):
        if item.code == VEHICLE:
            return clean_vehicle_form(form, self.clock().date())
        if item.code == ACTIVITY:
            return clean_activity_form(form, self.clock())
        return super().clean_form(item, form)

    def conditional_materials(self, item, form):
        return domain.conditional_materials(item.code, form)

    def refine_steps(self, case, item, steps):
        replace = {(ACTIVITY, "approve"): APPROVE_ACTIVITY, (HAZARD, "complete"): CLOSE_HAZARD}
        return [replace.get((item.code, s.action), s) for s in steps]

    def after_submit(self, session, case, item, now):
        if item.code != VEHICLE:
            return
        form = case.form
        lock(session, f"security.vehicle-pass.{form['plate']}")
        passes = session.scalars(select(VehiclePass).where(VehiclePass.plate == form["plate"])
                                 .order_by(VehiclePass.id)).all()
        valid_from, valid_to = parse_day(form["valid_from"]), parse_day(form["valid_to"])
        blocking = conflicting_pass(passes, valid_from, valid_to)
        if blocking is not None:
            raise self._pass_conflict(form["plate"], blocking)
        session.add(VehiclePass(case_id=case.id, plate=form["plate"], student_id=case.student_id,
                                owner_relation=form["owner_relation"], valid_from=valid_from,
                                valid_to=valid_to, status=PENDING))

    def after_action(self, session, case, item, action, extra, now):
        if item.code == ACTIVITY and action == "approve":
            guidance = str((extra or {}).get("guidance") or "").strip()
            case.result = {**(case.result or {}), "guidance": guidance or case.history[-1].reason}
        if item.code == ACTIVITY and action in ("complete", "reject"):
            add_event(session, make_event(
                "security.activity_decided", self.name,
                {"request_ref": case.form.get("request_ref"), "security_case_id": case.id,
                 "approved": activity_approved(case.status), "note": case.history[-1].reason},
                occurred_at=now, case_id=case.id, correlation_id=self.correlation_id))
        if item.code == HAZARD and action == "complete":
            case.result = {**(case.result or {}),
                           **hazard_feedback(extra, case.history[-1].reason)}
        if item.code != VEHICLE or action not in ("complete", "reject", "withdraw"):
            return
        p = session.scalar(select(VehiclePass).where(VehiclePass.case_id == case.id))
        if action == "complete":
            p.status, p.issued_at = ISSUED, now
            case.result = {**(case.result or {}), "pass": {
                "plate": p.plate, "valid_from": p.valid_from.isoformat(),
                "valid_to": p.valid_to.isoformat()}}
        else:
            p.status = CANCELLED

    @staticmethod
    def _pass_conflict(plate, blocking):
        if blocking.status == PENDING:
            return conflict("pass_pending", f"车牌{plate}已有办理中的通行证申请，请勿重复申请",
                            f"Plate {plate} already has a pass application in progress",
                            {"form.plate": f"等待原申请（{blocking.case_id}）办结或撤回后再申请 / "
                                           f"wait for {blocking.case_id} to finish or withdraw it"})
        return conflict("pass_exists", f"车牌{plate}已有有效通行证（有效期至{blocking.valid_to}）",
                        f"Plate {plate} already has a pass valid until {blocking.valid_to}",
                        {"form.valid_from": f"新通行证须从{blocking.valid_to}之后开始 / the new "
                                            f"pass must start after {blocking.valid_to}"})

    # ---- entrypoints -------------------------------------------------------------------
    @rpc
    def verify_pass(self, plate, on_date=None):
        """Does this plate hold a pass valid on ``on_date`` (YYYY-MM-DD; default today)?"""
        require_actor(self.actor)
        plate = normalize_plate(plate)
        day = parse_day(on_date) if on_date else self.clock().date()
        passes = self.db.scalars(select(VehiclePass).where(VehiclePass.plate == plate,
                                                           VehiclePass.status == ISSUED)).all()
        valid = next((p for p in passes if pass_valid_on(p, day)), None)
        return {"plate": plate, "on_date": day.isoformat(), "valid": valid is not None,
                "valid_to": valid.valid_to.isoformat() if valid else None}

    @rpc
    def activity_approval_status(self, case_id):
        """For offices whose approval depends on this one: {approved, status, activity,
        guidance}. Approved only once the safety approval is completed."""
        actor = require_actor(self.actor)
        case = engine.get_case(self.db, case_id)
        if case.item_code != ACTIVITY:
            raise DomainError("not_an_activity_approval", "该编号不是校内活动安全审批",
                              "That case is not an activity safety approval",
                              {"case_id": "请填写活动安全审批的编号 / give an activity safety "
                                          "approval's case id"}, 422)
        if not may_see_activity(actor, case.student_id):
            raise forbidden("您无权查看该审批", "You may not see this approval")
        form = case.form or {}
        return {"case_id": case.id, "approved": activity_approved(case.status),
                "status": case.status, "status_zh": STATUS_ZH.get(case.status, case.status),
                "activity": {k: form.get(k) for k in ("name", "venue", "starts_at", "ends_at")},
                "guidance": (case.result or {}).get("guidance")}
