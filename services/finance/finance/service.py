"""Finance (财务处), window 12: fee enquiries, the student ledger, payments and refunds, and
paying out aid awards."""
import logging

from marshmallow import ValidationError
from nameko.rpc import rpc

from osac_shared.auth import STUDENT, is_staff_of, require_actor, require_read, require_role
from osac_shared.contracts import read_event
from osac_shared.errors import forbidden
from osac_shared.outbox import event_handler, first_time   # requeues on failure
from osac_shared.service import CaseService

from . import domain, ledger as books
from .catalogue import ITEMS

log = logging.getLogger(__name__)


class FinanceService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus ``ledger``, ``arrears``, ``charge`` and ``pay``; the event handler
    ``on_aid_awarded`` (aid.awarded -> an aid_disbursement entry, once per event) and
    ``on_<department>_fee_requested`` for the departments in ``FEE_SOURCES`` (fee.requested -> a
    charge, once per fee reference)."""
    name = "finance"
    ITEMS = ITEMS
    FORMS = domain.FORMS

    # ---- refund cases -----------------------------------------------------------------
    def after_submit(self, session, case, item, now):
        if item.code == "finance.refund":
            domain.check_refund(case.form["amount_cents"],
                                books.account(session, case.student_id)["credit_cents"])

    def before_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        if item.code == "finance.refund":
            books.lock_student(session, case.student_id)
            domain.check_refund(case.form["amount_cents"],
                                books.account(session, case.student_id)["credit_cents"])

    def after_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        if item.code == "finance.refund":
            entry = books.add(session, case.student_id, domain.REFUND,
                               case.form["amount_cents"], f"退费：{case.form['reason']}",
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
