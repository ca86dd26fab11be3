"""Finance (财务处), window 12: fee enquiries, the student ledger, payments and refunds, and
paying out aid awards."""
import logging

from marshmallow import ValidationError
from nameko.rpc import rpc

from osac_shared import forms, lifecycle
from osac_shared.auth import (A_POST, STUDENT, is_staff_of, require_actor, require_read,
                              require_role)
from osac_shared.contracts import read_event
from osac_shared.errors import forbidden, validation_failed
from osac_shared.outbox import event_handler, first_time   # requeues on failure
from osac_shared.service import CaseService
from osac_shared.steps import NoteBody, Step, waiting

from . import domain, ledger as books
from .catalogue import ITEMS

log = logging.getLogger(__name__)
REFUND, CONSULTATION = "finance.refund", "finance.fee-consultation"
REFUND_STEPS = {
    "approve": Step("approve", "审批同意退费", "Approve the refund", NoteBody, tone="primary"),
    "complete": Step("complete", "发放退款（退款入账并办结）", "Issue the refund (booked to the "
                     "ledger; complete)", NoteBody, tone="primary"),
}


def refund_cents(case):
    """The refund a case asks for, in cents (older cases carried amount_cents in the form)."""
    form = case.form or {}
    if "amount_yuan" in form:
        return domain.cents_of(form["amount_yuan"])
    return form.get("amount_cents")


def refund_reason_zh(case):
    reason = (case.form or {}).get("reason", "")
    return domain.REFUND_REASONS_ZH.get(reason, reason)     # older cases: free text


class FinanceService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, perform,
    act, expedite, delegate, delegations, form_fields, health, ping) plus ``ledger``, ``arrears``, ``charge`` and ``pay``; the event handler
    ``on_aid_awarded`` (aid.awarded -> an aid_disbursement entry, once per event) and
    ``on_<department>_fee_requested`` for the departments in ``FEE_SOURCES`` (fee.requested -> a
    charge, once per fee reference).

    Refunds: the student asks for at most the account's credit (checked with the form, one
    notice); B accepts -> A approves -> A issues the refund (complete: a refund entry in the
    ledger); approve and issue are offered only while the credit still covers it. Enquiries
    are answered in writing (with the policy summary, and the account for fee topics, at
    once). Demo accounts are seeded from the students' ``fees`` profiles (``demo``)."""
    name = "finance"
    ITEMS = ITEMS
    FORMS = domain.FORMS
    EXAMPLES = domain.EXAMPLES

    # ---- refund cases and enquiries ------------------------------------------------------
    def clean_form(self, item, form):
        """The form, and for a refund its amount against the account's credit (one notice)."""
        data, problems = forms.load(self.FORMS[item.code], form)
        if item.code == REFUND:
            facts = data if data is not None else {}
            cents = domain.cents_of(facts.get("amount_yuan"))
            credit = books.account(self.db, (self.actor or {}).get("id"))["credit_cents"]
            problems.update(domain.refund_problem(cents, credit))
        if problems:
            raise validation_failed(problems)
        return data

    def conditional_materials(self, item, form):
        if item.code == REFUND and isinstance(form, dict):
            why = domain.NEEDS_EVIDENCE.get(form.get("reason"))
            if why:
                return {"supporting_documents": why}
        return {}

    def after_submit(self, session, case, item, now):
        if item.code == REFUND:
            case.result = {"amount_cents": domain.cents_of(case.form["amount_yuan"])}
        elif item.code == CONSULTATION:
            topic = case.form["topic"]
            result = {"policy_zh": domain.FEE_TOPICS[topic][2]}
            if topic in ("arrears", "refund", "tuition"):
                result["account"] = books.account(session, case.student_id)
            case.result = result

    def refund_covered(self, case):
        """Whether the account's credit still covers the refund asked for."""
        credit = books.account(self.db, case.student_id)["credit_cents"]
        return not domain.refund_problem(refund_cents(case), credit)

    def refine_steps(self, case, item, steps):
        if item.code != REFUND:
            return steps
        out = []
        for step in steps:
            if step.action in ("approve", "complete"):
                if not self.refund_covered(case):
                    continue
                step = REFUND_STEPS[step.action]
            out.append(step)
        return out

    def refine_waiting(self, case, item, waiting_for):
        if item.code != REFUND or waiting_for is None or \
                case.status not in (lifecycle.ACCEPTED, lifecycle.PROCESSING):
            return waiting_for
        if not self.refund_covered(case):
            return waiting(A_POST, self.name, "账户余额已不足以退费，等待A岗退回或不予办理",
                           "The credit no longer covers the refund; waiting for the A post "
                           "to return or refuse it")
        if case.status == lifecycle.PROCESSING:
            return waiting(A_POST, self.name, "已审批，等待A岗发放退款",
                           "Approved; waiting for the A post to issue the refund")
        return waiting(A_POST, self.name, "等待A岗审批退费", "Waiting for the A post to "
                       "approve the refund")

    def before_action(self, session, case, item, action, extra, now):
        if item.code == REFUND and action in ("approve", "complete"):
            books.lock_student(session, case.student_id)
            domain.check_refund(refund_cents(case),
                                books.account(session, case.student_id)["credit_cents"])

    def after_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        if item.code == REFUND:
            entry = books.add(session, case.student_id, domain.REFUND, refund_cents(case),
                              f"退费：{refund_reason_zh(case)}",
                              f"refund:{case.id}", now, ref=case.id, actor_id=self.actor["id"])
            case.result = {**case.result, "refund_entry_id": entry.id,
                           "amount_cents": entry.amount_cents}

    # ---- the ledger -------------------------------------------------------------------
    @rpc
    def ledger(self, student_id, page=1, per_page=50):
        """A student's statement: {entries, balance_cents, arrears_cents, credit_cents, ...}."""
        require_read(require_actor(self.actor), student_id, self.name)
        return books.statement(self.db, student_id, page, per_page)

    @rpc
    def arrears(self, student_id):
        require_read(require_actor(self.actor), student_id, self.name)
        return books.account(self.db, student_id)

    @rpc
    def charge(self, student_id, amount_cents, description, idempotency_key):
        """Finance staff bill a student; the same key again returns the same charge."""
        actor = require_actor(self.actor)
        if not is_staff_of(actor, self.name):
            raise forbidden("只有财务处工作人员可以登记应缴费用", "Only finance staff can charge")
        domain.check_amount(amount_cents)
        description = domain.check_description(description)
        key = domain.check_key(idempotency_key)
        books.lock_student(self.db, student_id)
        entry = books.find_by_key(self.db, student_id, key)
        if entry is not None:
            domain.check_replay(entry, domain.CHARGE, amount_cents)
        else:
            entry = books.add(self.db, student_id, domain.CHARGE, amount_cents,
                               description, key, self.clock(),
                               actor_id=actor["id"])
        self.db.commit()
        return books.entry_to_dict(entry)

    @rpc
    def pay(self, amount_cents, idempotency_key, charge_id=None):
        """The student pays own arrears (or part of one charge). The same key again returns
        the same payment and writes nothing; the same key for another amount is a 409."""
        require_role(self.actor, STUDENT)
        student_id = self.actor["id"]
        domain.check_amount(amount_cents)
        key = domain.check_key(idempotency_key)
        books.lock_student(self.db, student_id)
        entry = books.find_by_key(self.db, student_id, key)
        if entry is not None:
            domain.check_replay(entry, domain.PAYMENT, amount_cents, charge_id)
            return books.entry_to_dict(entry)
        outstanding = None
        if charge_id is not None:
            target = books.get_entry(self.db, charge_id)
            domain.check_charge_target(target, student_id)
            outstanding = target.amount_cents - books.paid_against(self.db, charge_id)
            description = f"缴纳：{target.description}"
        else:
            description = "缴费"
        domain.check_payment(amount_cents, books.account(self.db, student_id)["arrears_cents"],
                             outstanding)
        entry = books.add(self.db, student_id, domain.PAYMENT, amount_cents, description, key,
                           self.clock(), charge_id=charge_id, actor_id=student_id)
        self.db.commit()
        return books.entry_to_dict(entry)

    # ---- events -----------------------------------------------------------------------
    @event_handler("aid", "aid.awarded")
    def on_aid_awarded(self, payload):
        """Pay an aid award into the student's account, once per event (and once per aid
        case, whatever event carries it)."""
        try:
            event = read_event(payload)
        except ValidationError as err:
            log.warning("aid.awarded rejected, breaks the contract: %s", err.messages)
            return
        if not first_time(self.db, event["event_id"], "finance.on_aid_awarded"):
            return
        data = event["data"]
        key = f"aid:{event['case_id'] or event['event_id']}"
        books.lock_student(self.db, data["student_id"])
        if books.find_by_key(self.db, data["student_id"], key) is None:
            name = data.get("programme_name_zh") or \
                domain.AID_PROGRAMME_ZH.get(data["programme"], data["programme"])   # v2 | v1
            books.add(self.db, data["student_id"], domain.AID, data["amount_cents"],
                       f"{data['academic_year']}学年{name}", key, self.clock(),
                       ref=event["case_id"] or event["event_id"], actor_id="aid")
        self.db.commit()

    def charge_requested_fee(self, payload):
        """Charge a fee another department raised (e.g. a student ID reissue), once per event
        and once per fee reference."""
        try:
            event = read_event(payload)
        except ValidationError as err:
            log.warning("fee.requested rejected, breaks the contract: %s", err.messages)
            return
        consumer = f"finance.on_{event['source']}_fee_requested"
        if not first_time(self.db, event["event_id"], consumer):
            return
        data = event["data"]
        key = f"fee:{event['source']}:{data['reference']}"
        books.lock_student(self.db, data["student_id"])
        if books.find_by_key(self.db, data["student_id"], key) is None:
            books.add(self.db, data["student_id"], domain.CHARGE, data["amount_cents"],
                      data["description"], key, self.clock(), ref=data["reference"],
                      actor_id=event["source"])
        self.db.commit()


# departments that raise fees through finance (fee.requested events)
FEE_SOURCES = ("student_affairs", "campus_it")


def _fee_handler(source):
    @event_handler(source, "fee.requested")
    def handle(self, payload):
        self.charge_requested_fee(payload)
    handle.__name__ = handle.__qualname__ = f"on_{source}_fee_requested"
    return handle


for _source in FEE_SOURCES:
    setattr(FinanceService, f"on_{_source}_fee_requested", _fee_handler(_source))
