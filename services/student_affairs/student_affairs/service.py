"""Student Affairs (学生工作处), window 1 学生日常事务."""
import eventlet
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import rpc
from sqlalchemy import select

from osac_shared import cases as engine
from osac_shared.auth import require_actor
from osac_shared.calls import DeclaredRpcProxy
from osac_shared.cases import Case
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError, validation_failed
from osac_shared.service import CaseService
from osac_shared.steps import waiting

from . import beds
from .catalogue import ITEMS
from .domain import (BedAdjustmentForm, ConscriptionQuestionForm, GroupActivityForm, IdCardForm,
                     TrainCardForm, activity_date_problems, activity_materials, bed_materials,
                     check_security_approval, department_unavailable, examples,
                     id_card_fee_cents, id_card_materials, id_card_problems, security_gate,
                     security_case_unknown, security_waiting, train_card_materials,
                     train_card_problems)

ACTIVITY = "student_affairs.group-activity"
TRAIN_CARD = "student_affairs.train-discount-card"
ID_CARD = "student_affairs.student-id-card"
BED = "student_affairs.bed-adjustment"
CONSCRIPTION = "student_affairs.conscription-consultation"
PEER_TIMEOUT = 5    # seconds to wait for another department's answer
CONDITIONAL = {ACTIVITY: activity_materials, TRAIN_CARD: train_card_materials,
               ID_CARD: id_card_materials, BED: bed_materials}


class StudentAffairsService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, perform,
    act, health, ping) plus ``free_beds(building=None, page=1, per_page=50)``.

    A group activity is approved only once Security's activity safety approval (its case id in
    the form) is completed and covers the activity's dates: ``approve`` is listed in the case's
    next_actions only then (this service calls ``security.activity_approval_status``; while
    Security is unreachable the case says so in ``waiting_for`` and approve is not offered).
    A bed adjustment moves the student into a free bed of the room when completed (complete is
    offered only while the room has one). Publishes case.* and, when an ID-card reissue is
    completed, ``fee.requested`` (finance charges it) through the outbox. Event handlers:
    none."""
    name = "student_affairs"
    ITEMS = ITEMS
    FORMS = {ACTIVITY: GroupActivityForm, TRAIN_CARD: TrainCardForm, ID_CARD: IdCardForm,
             BED: BedAdjustmentForm, CONSCRIPTION: ConscriptionQuestionForm}
    EXAMPLES = examples()

    security = DeclaredRpcProxy("security", calls=["activity_approval_status"])

    @rpc
    def free_beds(self, building=None, page=1, per_page=50):
        """Rooms with at least one free bed (paginated), to choose a room to move to."""
        require_actor(self.actor)
        return beds.rooms_with_free_beds(self.db, building, page, per_page)

    # ---- hooks -------------------------------------------------------------------------
    def clean_form(self, item, form):
        form = super().clean_form(item, form)
        actor = require_actor(self.actor)
        today = self.clock().date()
        problems = {}
        if item.code == ACTIVITY:
            problems = activity_date_problems(form["start_date"], form["end_date"], today)
        elif item.code == TRAIN_CARD:
            previous = [(c.status, c.form, c.submitted_at.date())
                        for c in self._earlier(actor["id"], item.code)]
            problems = train_card_problems(form, previous, today)
        elif item.code == ID_CARD:
            previous = [(c.status, c.form) for c in self._earlier(actor["id"], item.code)]
            problems = id_card_problems(form, previous)
        elif item.code == BED:
            problems = beds.request_problems(self.db, actor["id"], form["building"],
                                             form["room"])
        if problems:
            raise validation_failed(problems)
        return form

    def conditional_materials(self, item, form):
        rule = CONDITIONAL.get(item.code)
        return rule(form) if rule else {}

    def refine_steps(self, case, item, steps):
        names = [s.action for s in steps]
        if item.code == ACTIVITY and "approve" in names and self._activity_gate(case):
            steps = [s for s in steps if s.action != "approve"]
        if item.code == BED and ({"approve", "complete"} & set(names)) and \
                not beds.has_free_bed(self.db, case.form["building"], case.form["room"]):
            steps = [s for s in steps if s.action not in ("approve", "complete")]
        return steps

    def refine_waiting(self, case, item, waiting_now):
        if waiting_now is None:
            return None
        if item.code == ACTIVITY and case.status == "accepted":
            return self._activity_waiting(case, waiting_now)
        if item.code == BED and case.status in ("accepted", "processing") and \
                not beds.has_free_bed(self.db, case.form["building"], case.form["room"]):
            return {**waiting_now, "label_zh": "所申请房间已住满，请不予办理或退回重选",
                    "label_en": "The room asked for is full now: reject the application or "
                                "return it"}
        return waiting_now

    def _activity_waiting(self, case, waiting_now):
        """Who an accepted group activity waits for: this office's A post once Security's
        approval is completed; Security's post (or its applicant) while it is open."""
        security_id = case.form["security_case_id"]
        problem = self._activity_gate(case)
        if problem is None:
            return waiting_now
        if problem.code == "department_unavailable":
            return {**waiting_now, "label_zh": "保卫处暂时无法连接，无法核对活动安全审批；恢复后方可审批",
                    "label_en": "Security cannot be reached, so its safety approval cannot be "
                                "checked; approve once it is back", "unavailable": "security",
                    "security_case_id": security_id}
        state = (self._security_answers.get(security_id) or {})
        state = state.get("status") if isinstance(state, dict) else None
        nxt = security_waiting(state) if problem.code == "security_approval_pending" else None
        if nxt is None:          # Security said no, its dates differ, or no such approval
            return {**waiting_now, "label_zh": problem.message, "label_en": problem.message_en,
                    "security_case_id": security_id, "security_status": state}
        role, department = nxt
        return waiting(role, department, "等待保卫处完成活动安全审批（完成后本窗口方可审批）",
                       "Waiting for Security to complete the activity safety approval (this "
                       "office approves after it)", party="security",
                       security_case_id=security_id, security_status=state)

    def refusal(self, case, item, action):
        """Why ``action`` is not offered: the department's own reason (Security's approval,
        a full room) once the actor may take it at all."""
        if action in ("approve", "complete"):
            engine.authorize_action(self.actor, case, item, action, self.delegated_items())
        if item.code == ACTIVITY and action == "approve" and case.status == "accepted":
            problem = self._activity_gate(case)
            if problem is not None:
                return problem
        if item.code == BED and action in ("approve", "complete") and \
                case.status in ("accepted", "processing") and not beds.has_free_bed(self.db, case.form["building"], case.form["room"]):
            return DomainError("no_free_bed", "所申请房间已住满，没有空床位，请不予办理或退回",
                               "The room asked for is full; reject or return the application",
                               {"form.room": "该房间没有空床位 / no free bed in this room"}, 409)
        return super().refusal(case, item, action)

    def after_action(self, session, case, item, action, extra, now):
        if item.code == ACTIVITY and action == "approve":
            status = self._security_status(case.form["security_case_id"])
            check_security_approval(status, case.form["start_date"], case.form["end_date"])
            case.result = {**(case.result or {}), "security": {
                "case_id": case.form["security_case_id"], "approved": True,
                "status": status.get("status"), "checked_at": now.isoformat()}}
        if action != "complete":
            return
        if item.code == ID_CARD and id_card_fee_cents(case.form):
            self._request_fee(session, case, id_card_fee_cents(case.form), now)
        elif item.code == BED:
            place, previous = beds.move_student(session, case.student_id, case.form["building"],
                                                case.form["room"])
            case.result = {**(case.result or {}), "bed": place, "previous_bed": previous}

    # ---- helpers -----------------------------------------------------------------------
    def _earlier(self, student_id, item_code):
        return self.db.scalars(select(Case).where(Case.student_id == student_id,
                                                  Case.item_code == item_code)).all()

    @property
    def _security_answers(self):
        """Security's answers in this call, by case id (an error when it had none)."""
        if not hasattr(self, "_answers"):
            self._answers = {}
        return self._answers

    def _activity_gate(self, case):
        """None when the group activity may be approved now, else the DomainError why not
        (Security's approval pending, refused, not covering the dates, unknown; or Security
        unreachable). Security is asked once per case per call."""
        security_id = case.form["security_case_id"]
        try:
            status = self._security_status(security_id)
        except DomainError as err:
            return err
        return security_gate(status, case.form["start_date"], case.form["end_date"])

    def _security_status(self, security_case_id):
        known = self._security_answers.get(security_case_id)
        if isinstance(known, DomainError):
            raise known
        if known is not None:
            return known
        try:
            answer = self._ask_security(security_case_id)
        except DomainError as err:
            self._security_answers[security_case_id] = err
            raise
        self._security_answers[security_case_id] = answer
        return answer

    def _ask_security(self, security_case_id):
        try:
            with eventlet.Timeout(PEER_TIMEOUT):
                return self.security.activity_approval_status.call_async(
                    security_case_id).result()
        except (UnknownService, RpcTimeout, eventlet.Timeout):
            raise department_unavailable("security", "保卫处", "Campus Security")
        except DomainError as err:
            if err.code in ("not_found", "not_an_activity_approval", "forbidden"):
                raise security_case_unknown(security_case_id)
            raise

    def _request_fee(self, session, case, amount_cents, now):
        data = {"student_id": case.student_id, "amount_cents": amount_cents,
                "description": "学生证补办工本费 / Student ID card reissue fee",
                "reference": case.id}
        self.outbox.add(session, make_event("fee.requested", self.name, data, occurred_at=now,
                                            case_id=case.id,
                                            correlation_id=self.correlation_id))
        case.result = {**(case.result or {}), "fee_cents": amount_cents,
                       "fee_requested_at": now.isoformat()}
