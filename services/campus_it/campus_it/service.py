"""Campus IT (现代教育技术中心), windows 9 网络服务 and 10 校园一卡通: dorm network faults,
the campus card ledger (top-up, transfer, group top-up) and card services (apply, loss)."""
from nameko.rpc import rpc

from osac_shared.auth import STUDENT, is_staff_of, require_actor, require_read
from osac_shared.cases import authorize_action, read_case
from osac_shared.contracts import make_event
from osac_shared.errors import DomainError, forbidden, not_found, validation_failed
from osac_shared.service import CaseService
from osac_shared.steps import Step

from . import domain, ledger
from .catalogue import ITEMS

LOSS, APPLY, GROUP, FAULT = ("campus_it.card-loss", "campus_it.card-apply",
                             "campus_it.card-top-up-transfer", "campus_it.dorm-network-fault")
FAULT_DONE = Step("complete", "反馈处理结果并办结", "Report back and complete",
                  domain.FaultFeedbackBody, tone="primary")
UNFREEZE = Step("unfreeze", "卡已找回：核验身份后解冻并办结", "Card found: check the ID, unfreeze "
                "and complete", domain.UnfreezeBody, run="unfreeze_found")


class CampusItService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, perform,
    act, expedite, health, ping) plus the card RPCs ``card``, ``card_ledger``, ``top_up``,
    ``transfer`` (students, idempotent by key) and ``unfreeze`` (campus_it staff). No event
    handlers; emits case.* events and ``fee.requested`` (card reissue fees) through the outbox.

    - a loss report freezes the card in the submission's own transaction (green channel); when
      the card turns up, its case's ``unfreeze`` step (the holder's ID checked) unfreezes it
      and completes the report;
    - a card application fits the card's state (a first card, a reissue after a loss, a
      damaged card replaced) or is refused in the submission's one notice; completing it
      issues the card (a reissue gets a new card number) and asks finance for the fee;
    - a group top-up lists only cards that can be credited (one notice names every bad line)
      and the amount paid is the list's total; completing it credits every card;
    - a network fault report is completed with its outcome and the feedback the student reads.
    Completing is offered (next_actions) only while it would succeed."""
    name = "campus_it"
    ITEMS = ITEMS
    FORMS = domain.FORMS
    EXAMPLES = domain.EXAMPLES
    CUSTOM_ACTIONS = ("unfreeze",)

    # ---- hooks ---------------------------------------------------------------------------
    def clean_form(self, item, form):
        form = super().clean_form(item, form)
        problems = {}
        if item.code == APPLY:
            actor = require_actor(self.actor)
            card = ledger.find_card(self.db, actor["id"])
            problems = domain.application_problems(form["purpose"], card.status if card else None)
        elif item.code == GROUP:
            problems = {**domain.group_total_problems(form),
                        **domain.group_problems(form["entries"], self._statuses(form))}
        elif item.code == LOSS:
            problems = domain.loss_problems(form, self.clock().date())
        if problems:
            raise validation_failed(problems)
        return form

    def refine_steps(self, case, item, steps):
        names = {s.action for s in steps}
        if item.code == FAULT:
            return [FAULT_DONE if s.action == "complete" else s for s in steps]
        if "complete" in names and self._completion_problem(case, item):
            steps = [s for s in steps if s.action != "complete"]
        if item.code == LOSS and case.status == "processing" and \
                is_staff_of(self.actor, self.name) and self._may_unfreeze(case):
            steps = steps + [UNFREEZE]
        return steps

    def refine_waiting(self, case, item, waiting_now):
        if waiting_now is None or case.status != "processing":
            return waiting_now
        problem = self._completion_problem(case, item)
        if problem is None:
            return waiting_now
        return {**waiting_now, "label_zh": f"{problem.message}（请退回更正或不予办理）",
                "label_en": f"{problem.message_en} (return it for correction, or reject it)"}

    def refusal(self, case, item, action):
        """Why ``action`` is not offered: the card's own reason, once the actor may complete
        at all."""
        if action == "complete" and case.status == "processing":
            authorize_action(self.actor, case, item, action, self.delegated_items())
            problem = self._completion_problem(case, item)
            if problem is not None:
                return problem
        return super().refusal(case, item, action)

    def after_submit(self, session, case, item, now):
        if item.code == LOSS:
            card = ledger.freeze(session, case.student_id, case.student_id, now, case.id)
            case.result = {"card_no": card.card_no, "card_status": card.status,
                           "frozen_at": ledger.iso(card.frozen_at)}
        elif item.code == APPLY:
            case.result = {"fee_cents": domain.FEES_CENTS[case.form["purpose"]]}
        elif item.code == GROUP:
            case.result = {"total_cents": case.form["total_cents"],
                           "count": len(case.form["entries"])}

    def after_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        actor_id = self.actor["id"]
        if item.code == FAULT:
            case.result = {**(case.result or {}),
                           **domain.fault_feedback(extra, case.history[-1].reason)}
        elif item.code == GROUP:
            ledger.group_credit(session, case, actor_id, now)
            case.result = {**case.result, "credited": True}
        elif item.code == APPLY:
            card = ledger.issue(session, case, actor_id, now)
            case.result = {**case.result, "card_no": card.card_no}
            self._request_fee(session, case, now)

    # ---- helpers -------------------------------------------------------------------------
    def _statuses(self, form):
        return {e["student_id"]: getattr(ledger.find_card(self.db, e["student_id"]), "status",
                                         None) for e in form["entries"]}

    def _completion_problem(self, case, item):
        """Why completing ``case`` would fail now (a DomainError), or None."""
        if item.code == GROUP:
            problems = domain.group_problems(case.form["entries"], self._statuses(case.form))
            if problems:
                return DomainError("cards_not_creditable", "名单中有卡无法充值",
                                   "Some cards in the list cannot be credited", problems, 409)
        elif item.code == APPLY:
            card = ledger.find_card(self.db, case.student_id)
            problem = domain.application_problem(case.form["purpose"],
                                                 card.status if card else None)
            if problem:
                return DomainError(problem[0], problem[1], problem[2],
                                   {"form.purpose": problem[2]}, 409)
        return None

    def _may_unfreeze(self, case):
        card = ledger.find_card(self.db, case.student_id)
        return card is not None and card.status == domain.FROZEN and \
            (case.result or {}).get("card_no") == card.card_no

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

    def unfreeze_found(self, case_id, identity_checked, id_document, note=""):
        """The ``unfreeze`` step of a loss report (perform): the card turned up and the
        holder's ID was checked; unfreeze it and complete the report, in one transaction."""
        actor = require_actor(self.actor)
        if not is_staff_of(actor, self.name):
            raise forbidden("只有一卡通窗口工作人员可以解冻", "Only campus card staff can unfreeze")
        case = read_case(self.db, case_id, actor)
        domain.check_identity(identity_checked, id_document)
        text = f"卡已找回，核验{domain.ID_DOCUMENTS[id_document]}后解冻 {note}".strip()[:500]
        card = ledger.unfreeze(self.db, case.student_id, actor["id"], self.clock(), text)
        case.result = {**(case.result or {}), "card_status": card.status, "unfrozen": True}
        return self.act(case_id, "complete", reason=text)

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
