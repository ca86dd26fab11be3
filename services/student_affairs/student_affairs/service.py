"""Student Affairs (学生工作处), window 1 学生日常事务."""
import eventlet
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import RpcProxy, rpc
from sqlalchemy import select

from osac_shared.auth import require_actor
from osac_shared.cases import Case
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError, validation_failed
from osac_shared.service import CaseService

from . import beds
from .catalogue import ITEMS
from .domain import (BedAdjustmentForm, ConscriptionQuestionForm, GroupActivityForm, IdCardForm,
                     TrainCardForm, activity_date_problems, check_security_approval,
                     department_unavailable, id_card_fee_cents,
                     id_card_problems, security_case_unknown, train_card_problems)

ACTIVITY = "student_affairs.group-activity"
TRAIN_CARD = "student_affairs.train-discount-card"
ID_CARD = "student_affairs.student-id-card"
BED = "student_affairs.bed-adjustment"
PEER_TIMEOUT = 5    # seconds to wait for another department's answer


class StudentAffairsService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act, health,
    ping) plus ``free_beds(building=None, page=1, per_page=50)``.

    Calls ``security.activity_approval_status`` when a group activity is approved (refused until
    Security has approved its safety). Publishes case.* and, when an ID-card reissue is
    completed, ``fee.requested`` through the outbox. Event handlers: none."""
    name = "student_affairs"
    ITEMS = ITEMS
    FORMS = {ACTIVITY: GroupActivityForm, TRAIN_CARD: TrainCardForm, ID_CARD: IdCardForm,
             BED: BedAdjustmentForm,
             "student_affairs.conscription-consultation": ConscriptionQuestionForm}

    security = RpcProxy("security")

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
            beds.check_request(self.db, actor["id"], form["building"], form["room"])
        if problems:
            raise validation_failed(problems)
        return form

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

    def _security_status(self, security_case_id):
        try:
            with eventlet.Timeout(PEER_TIMEOUT):
                return self.security.activity_approval_status.call_async(
                    security_case_id).result()
        except (UnknownService, RpcTimeout, eventlet.Timeout):
            raise department_unavailable("security", "保卫处", "Campus Security")
        except DomainError as err:
            if err.code in ("not_found", "not_an_activity_approval"):
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
