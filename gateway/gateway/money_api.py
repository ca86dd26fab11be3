"""Money through the gateway (/api): the finance ledger and payments, the campus card, its
top-ups and transfers.

Every POST here moves money, so it REQUIRES an ``Idempotency-Key`` header (422 naming the
header when missing). The department stores the key with the ledger row it writes (unique per
student), so the same key again answers with the first result and moves nothing, however many
times a client retries after a time-out, a 503 or a lost connection; the same key for a
different amount or recipient is a 409. The answer to a repeat is the first answer, status
included (201), as Stripe-style idempotency replays it.
"""
from flask import Blueprint, request
from marshmallow import EXCLUDE, Schema, fields, validate

from osac_shared.auth import STUDENT
from osac_shared.errors import validation_failed

from .api import IDEMPOTENCY_KEY, body
from .app import call_context, current_user, require_roles, state

bp = Blueprint("money", __name__, url_prefix="/api")

AMOUNT = fields.Int(required=True, strict=True, validate=validate.Range(min=1))


class PaymentBody(Schema):
    amount_cents = AMOUNT
    charge_id = fields.Int(load_default=None, allow_none=True, strict=True)


class TopUpBody(Schema):
    amount_cents = AMOUNT


class TransferBody(Schema):
    to_student_id = fields.Str(required=True, validate=validate.Regexp(r"^[0-9A-Za-z_]{1,32}$"))
    amount_cents = AMOUNT


class StatementQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    student_id = fields.Str(load_default=None, validate=validate.Length(min=1, max=32))
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


def idempotency_key():
    """The request's Idempotency-Key; 422 naming the header when it is missing or malformed."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        raise validation_failed(
            {"Idempotency-Key": "请在请求头 Idempotency-Key 中提供幂等键：每笔新业务用一个新键，"
                                "重试同一笔业务时保持不变 / send an Idempotency-Key header: a "
                                "new key for each new payment, the same key when retrying it"},
            "涉及资金的请求须带幂等键（Idempotency-Key），以免重试时重复扣款",
            "Requests that move money need an Idempotency-Key header, so that a retry never "
            "pays twice")
    if not IDEMPOTENCY_KEY.match(key):
        raise validation_failed({"Idempotency-Key": "须为1–128个可见ASCII字符 / 1–128 "
                                                    "printable ASCII characters"})
    return key


def whose():
    """(student_id, page, per_page): a student reads their own; staff name the student."""
    query = StatementQuery().load(request.args)
    user = current_user()
    student_id = query["student_id"]
    if user.role == STUDENT:
        student_id = user.username if student_id in (None, user.username) else student_id
    elif not student_id:
        raise validation_failed({"student_id": "请在查询参数中填写学号（?student_id=） / give "
                                               "the student id (?student_id=)"})
    return student_id, query["page"], query["per_page"]


def write(service, method, *args):
    return state().clients.call(service, method, *args, write=True, **call_context()), 201


# ---- finance (window 12) -------------------------------------------------------------
@bp.get("/finance/ledger")
@require_roles()
def finance_ledger():
    """A student's statement (own; finance staff and the director with ?student_id=)."""
    student_id, page, per_page = whose()
    return state().clients.call("finance", "ledger", student_id, page, per_page,
                                **call_context())


@bp.post("/finance/payments")
@require_roles(STUDENT)
def finance_pay():
    key = idempotency_key()
    data = body(PaymentBody)
    return write("finance", "pay", data["amount_cents"], key, data["charge_id"])


# ---- campus card (window 10) ---------------------------------------------------------
@bp.get("/campus-it/card")
@require_roles()
def campus_card():
    """A student's campus card (own; campus_it staff with ?student_id=)."""
    student_id, _, _ = whose()
    return state().clients.call("campus_it", "card", student_id, **call_context())


@bp.get("/campus-it/card/ledger")
@require_roles()
def campus_card_ledger():
    student_id, page, per_page = whose()
    return state().clients.call("campus_it", "card_ledger", student_id, page, per_page,
                                **call_context())


@bp.post("/campus-it/top-ups")
@require_roles(STUDENT)
def campus_top_up():
    key = idempotency_key()
    data = body(TopUpBody)
    return write("campus_it", "top_up", data["amount_cents"], key)


@bp.post("/campus-it/transfers")
@require_roles(STUDENT)
def campus_transfer():
    key = idempotency_key()
    data = body(TransferBody)
    return write("campus_it", "transfer", data["to_student_id"], data["amount_cents"], key)

