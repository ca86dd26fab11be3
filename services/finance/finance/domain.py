"""Ledger rules (plain functions): balances, arrears and credit from entries, and the checks
on a payment, a charge replay and a refund. Amounts are integer cents; a positive balance is
what the student owes."""
from marshmallow import Schema, fields, validate

from osac_shared.errors import DomainError, conflict, validation_failed

CHARGE, PAYMENT, REFUND, AID = "charge", "payment", "refund", "aid_disbursement"
KINDS = (CHARGE, PAYMENT, REFUND, AID)
KIND_ZH = {CHARGE: "应缴费用", PAYMENT: "缴费", REFUND: "退费", AID: "资助发放"}
SIGN = {CHARGE: 1, REFUND: 1, PAYMENT: -1, AID: -1}
MAX_CENTS = 100_000_000          # one million yuan: anything above is a typing error
AID_PROGRAMME_ZH = {"national_scholarship": "国家奖学金", "national_encouragement": "国家励志奖学金",
                    "national_grant": "国家助学金", "tuition_waiver": "学费减免",
                    "hardship_subsidy": "临时困难补助"}
DEMO_STUDENTS = ("2026000001", "2026000002")
DEMO_CHARGES = (("tuition", "学费", 580000), ("accommodation", "住宿费", 120000))


def yuan(cents):
    return f"{cents / 100:.2f}"


def balance_cents(entries):
    """``entries``: (kind, amount_cents) pairs. Positive: owed; negative: in credit."""
    return sum(SIGN[kind] * amount for kind, amount in entries)


def arrears_cents(balance):
    return max(0, balance)


def credit_cents(balance):
    return max(0, -balance)


def academic_year(now):
    start = now.year if now.month >= 9 else now.year - 1
    return f"{start}-{start + 1}"


def check_amount(amount_cents, field="amount_cents"):
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) \
            or not 0 < amount_cents <= MAX_CENTS:
        raise validation_failed({field: "金额须为正整数（单位：分） / the amount must be a positive "
                                        "whole number of cents"})
    return amount_cents


def check_description(description):
    text = str(description or "").strip()
    if not 1 <= len(text) <= 500:
        raise validation_failed({"description": "请填写费用名称（1–500字），学生将看到它 / describe "
                                                "the charge (1-500 characters); the student "
                                                "sees it"})
    return text


def check_key(key):
    if not isinstance(key, str) or not 1 <= len(key.strip()) <= 128:
        raise validation_failed({"idempotency_key": "请提供1–128字符的幂等键，重试时保持不变 / give "
                                                    "an idempotency key (1-128 characters) and "
                                                    "reuse it on retry"})
    return key.strip()


def check_payment(amount_cents, arrears, charge_outstanding=None):
    """A student pays at most what is owed (overall, and on the named charge)."""
    if arrears <= 0:
        raise DomainError("nothing_owed", "您目前没有欠费，无需缴费", "You owe nothing",
                          {"amount_cents": "当前欠费为0 / nothing is owed"}, 422)
    limit = arrears if charge_outstanding is None else min(arrears, charge_outstanding)
    if amount_cents > limit:
        raise DomainError("overpayment", f"缴费金额超过应缴金额（最多{yuan(limit)}元）",
                          f"The payment exceeds what is owed (at most {yuan(limit)} yuan)",
                          {"amount_cents": f"最多可缴{limit}分 / at most {limit} cents"}, 422)


def check_replay(existing, kind, amount_cents, charge_id=None):
    """The same idempotency key again: fine when it asks for the same thing, else 409."""
    if existing.kind != kind or existing.amount_cents != amount_cents \
            or (kind == PAYMENT and existing.charge_id != charge_id):
        raise conflict("idempotency_conflict", "该幂等键已用于另一笔不同的业务，请换一个新的键",
                       "This idempotency key was already used for a different request",
                       {"idempotency_key": f"已用于{KIND_ZH[existing.kind]}"
                                           f"{yuan(existing.amount_cents)}元 / already used for "
                                           f"a {existing.kind} of {existing.amount_cents} cents"})


def check_charge_target(charge, student_id):
    if charge is None or charge.kind != CHARGE or charge.student_id != student_id:
        raise validation_failed({"charge_id": "没有这笔应缴费用，请从账户明细中选择 / no such "
                                              "charge on your account; pick one from your "
                                              "statement"})


def check_refund(amount_cents, credit):
    """A refund pays back at most the account's credit."""
    if amount_cents > credit:
        raise DomainError("refund_exceeds_credit", f"退费金额超过账户余额（可退{yuan(credit)}元）",
                          f"The refund exceeds your credit ({yuan(credit)} yuan)",
                          {"form.amount_cents": f"最多可退{credit}分 / at most {credit} cents"},
                          422)


class RefundForm(Schema):
    amount_cents = fields.Int(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_CENTS),
                              metadata={"label_zh": "退费金额（分）", "label_en": "Amount (cents)"})
    reason = fields.Str(required=True, validate=validate.Length(min=2, max=500),
                        metadata={"label_zh": "退费原因", "label_en": "Reason"})


class ConsultationForm(Schema):
    question = fields.Str(required=True, validate=validate.Length(min=2, max=1000),
                          metadata={"label_zh": "问题", "label_en": "Question"})


FORMS = {"finance.refund": RefundForm, "finance.fee-consultation": ConsultationForm}

