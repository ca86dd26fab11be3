"""Campus IT (现代教育技术中心), windows 9 网络服务 and 10 校园一卡通: dorm network faults,
the campus card ledger (top-up, transfer, group top-up) and card services (apply, loss)."""
from nameko.rpc import rpc

from osac_shared.auth import STUDENT, is_staff_of, require_actor, require_read
from osac_shared.contracts import make_event
from osac_shared.errors import forbidden, not_found, validation_failed
from osac_shared.service import CaseService

from . import domain, ledger
from .catalogue import ITEMS

LOSS, APPLY, GROUP, FAULT = ("campus_it.card-loss", "campus_it.card-apply",
                             "campus_it.card-top-up-transfer", "campus_it.dorm-network-fault")


class CampusItService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus the card RPCs ``card``, ``card_ledger``, ``top_up``,
    ``transfer`` (students, idempotent by key) and ``unfreeze`` (campus_it staff). No event
    handlers; emits case.* events and ``fee.requested`` (card reissue fees) through the outbox.

    - a loss report freezes the card in the submission's own transaction (green channel);
    - completing a card application issues the card (a reissue gets a new card number);
    - completing a group top-up credits every card in the list;
    - a network fault report is completed with the feedback as the reason."""
    name = "campus_it"
    ITEMS = ITEMS
    FORMS = domain.FORMS

    # ---- hooks ---------------------------------------------------------------------------
    def after_submit(self, session, case, item, now):
        if item.code == LOSS:
            card = ledger.freeze(session, case.student_id, case.student_id, now, case.id)
            case.result = {"card_no": card.card_no, "card_status": card.status,
                           "frozen_at": ledger.iso(card.frozen_at)}
        elif item.code == APPLY:
            card = ledger.find_card(session, case.student_id)
            domain.check_application(case.form["purpose"], card.status if card else None)
            case.result = {"fee_cents": domain.FEES_CENTS[case.form["purpose"]]}
        elif item.code == GROUP:
            case.result = {"total_cents": case.form["total_cents"],
                           "count": len(case.form["entries"])}

    def after_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        actor_id = self.actor["id"]
        if item.code == FAULT:
            case.result = {**case.result,
                           "feedback": domain.feedback_text(case.history[-1].reason)}
        elif item.code == GROUP:
            ledger.group_credit(session, case, actor_id, now)
            case.result = {**case.result, "credited": True}
        elif item.code == APPLY:
            card = ledger.issue(session, case, actor_id, now)
            case.result = {**case.result, "card_no": card.card_no}
            self._request_fee(session, case, now)

    def _request_fee(self, session, case, now):
        fee = domain.FEES_CENTS[case.form["purpose"]]
        if fee:
            self.outbox.add(session, make_event("fee.requested", self.name, {
                "student_id": case.student_id, "amount_cents": fee,
                "description": "一卡通补办/换卡工本费 / campus card fee",
                "reference": f"{case.id}:card-fee"}, occurred_at=now, case_id=case.id,
                correlation_id=self.correlation_id))

    # ---- entrypoints ---------------------------------------------------------------------
    @rpc
    def submit_case(self, item_code, materials=None, form=None, idempotency_key=None,
                    green_reason=""):
        """As CaseService.submit_case; a loss report always goes by the green channel."""
        if item_code == LOSS and not (green_reason or "").strip():
            green_reason = domain.LOSS_GREEN_REASON
        return super().submit_case(item_code, materials, form, idempotency_key, green_reason)

    def _student_for_read(self, student_id):
        actor = require_actor(self.actor)
        student_id = student_id or (actor["id"] if actor["role"] == STUDENT else None)
        if not student_id:
            raise validation_failed({"student_id": "请填写学号 / give the student id"})
        require_read(actor, student_id, self.name)
        return student_id

    @rpc
    def card(self, student_id=None):
        """A student's card (students: their own; campus_it staff: anyone's)."""
        student_id = self._student_for_read(student_id)
        card = ledger.find_card(self.db, student_id)
        if card is None:
            raise not_found("一卡通", "Campus card", student_id)
        return ledger.card_to_dict(card)

    @rpc
    def card_ledger(self, student_id=None, page=1, per_page=20):
        """The card's ledger, newest first (paginated)."""
        rows, total = ledger.entries(self.db, self._student_for_read(student_id), page,
                                     per_page)
        return {"entries": [ledger.entry_to_dict(e) for e in rows], "total": total,
                "page": page, "per_page": per_page}

    def _student(self):
        actor = require_actor(self.actor)
        if actor["role"] != STUDENT:
            raise forbidden("只有持卡学生本人可以充值、转账", "Only the card holder can do this")
        return actor["id"]

    @rpc
    def top_up(self, amount_cents, idempotency_key):
        """Top up one's own card at once; the same key returns the same result."""
        entry = ledger.top_up(self.db, self._student(), amount_cents, idempotency_key,
                              self.actor["id"], self.clock())
        self.db.commit()
        return ledger.entry_to_dict(entry)

    @rpc
    def transfer(self, to_student_id, amount_cents, idempotency_key):
        """Move money from one's own card to another student's; the same key returns the
        same result. Refused when either card is frozen or the balance is short."""
        entry = ledger.transfer(self.db, self._student(), to_student_id, amount_cents,
                                idempotency_key, self.actor["id"], self.clock())
        self.db.commit()
        return ledger.entry_to_dict(entry)

    @rpc
    def unfreeze(self, student_id, identity_checked=False, id_document="", note=""):
        """campus_it staff unfreeze a card found again, after checking the holder's ID."""
        actor = require_actor(self.actor)
        if not is_staff_of(actor, self.name):
            raise forbidden("只有一卡通窗口工作人员可以解冻", "Only campus card staff can unfreeze")
        domain.check_identity(identity_checked, id_document)
        card = ledger.unfreeze(self.db, student_id, actor["id"], self.clock(),
                               f"核验{id_document}后解冻 {note}".strip()[:500])
        self.db.commit()
        return ledger.card_to_dict(card)
