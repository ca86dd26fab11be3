"""Ledger rules (plain functions): balances, arrears and credit from entries, and the checks
on a payment, a charge replay and a refund. Amounts are integer cents; a positive balance is
what the student owes."""
import re

from marshmallow import ValidationError, fields, validate

from osac_shared.errors import DomainError, conflict, validation_failed
from osac_shared.forms import Form, Text

CHARGE, PAYMENT, REFUND, AID = "charge", "payment", "refund", "aid_disbursement"
KINDS = (CHARGE, PAYMENT, REFUND, AID)
KIND_ZH = {CHARGE: "应缴费用", PAYMENT: "缴费", REFUND: "退费", AID: "资助发放"}
SIGN = {CHARGE: 1, REFUND: 1, PAYMENT: -1, AID: -1}
MAX_CENTS = 100_000_000          # one million yuan: anything above is a typing error
AID_PROGRAMME_ZH = {"national_scholarship": "国家奖学金", "national_encouragement": "国家励志奖学金",
                    "national_grant": "国家助学金", "tuition_waiver": "学费减免",
                    "hardship_subsidy": "临时困难补助"}
# the demo's fees (osac_shared.demo profiles): tuition by school, accommodation for everyone
TUITION_CENTS = {"艺术学院": 980000, "医学院": 680000}
DEFAULT_TUITION_CENTS = 580000
ACCOMMODATION_CENTS = 120000
DEMO_AID = ("国家助学金（上学年补发）", 330000)    # a "credit" profile: paid, then this came in


def demo_charges(college):
    """(code, name, cents) of this year's fees for a student of ``college``."""
    return (("tuition", "学费", TUITION_CENTS.get(college, DEFAULT_TUITION_CENTS)),
            ("accommodation", "住宿费", ACCOMMODATION_CENTS))


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


def refund_problem(amount_cents, credit):
    """{"form.amount_yuan": why} when a refund of ``amount_cents`` is more than the credit."""
    if amount_cents is None or amount_cents <= credit:
        return {}
    if credit <= 0:
        return {"form.amount_yuan": "您的账户目前没有可退的余额（有欠费或已结清），无法退费 / your "
                                    "account has no credit to refund (it owes or is settled)"}
    return {"form.amount_yuan": f"退费金额超过账户余额，最多可退{yuan(credit)}元 / the refund "
                                f"exceeds your credit: at most {yuan(credit)} yuan"}


def check_refund(amount_cents, credit):
    """A refund pays back at most the account's credit."""
    problem = refund_problem(amount_cents, credit)
    if problem:
        raise DomainError("refund_exceeds_credit", f"退费金额超过账户余额（可退{yuan(credit)}元）",
                          f"The refund exceeds your credit ({yuan(credit)} yuan)", problem, 422)


def cents_of(amount_yuan):
    """Yuan (a number with at most 2 decimals) -> whole cents; None when it is not one."""
    if isinstance(amount_yuan, bool) or not isinstance(amount_yuan, (int, float)):
        return None
    cents = round(amount_yuan * 100)
    return cents if abs(cents - amount_yuan * 100) < 1e-6 else None


def _two_decimals(value):
    if cents_of(value) is None:
        raise ValidationError("金额最多保留两位小数（精确到分） / at most two decimals (cents)")


def _label(zh, en, **more):
    return {"label_zh": zh, "label_en": en, **more}


REFUND_REASONS_ZH = {"aid_surplus": "资助款抵扣学费后的结余", "overpaid": "重复缴费或多缴",
                     "leave": "休学", "withdrawal": "退学", "other": "其他"}
REFUND_REASONS_EN = {"aid_surplus": "Aid left over after the fees", "overpaid": "Paid twice "
                     "or too much", "leave": "Leave of absence", "withdrawal": "Withdrawal",
                     "other": "Other"}
NEEDS_EVIDENCE = {"leave": "休学须附学校批准休学的文件 / a leave needs its approval papers",
                  "withdrawal": "退学须附学校批准退学的文件 / a withdrawal needs its approval "
                                "papers"}
BANK_ACCOUNT = re.compile(r"^\d{16,19}$")


class RefundForm(Form):
    amount_yuan = fields.Float(required=True, validate=[
        validate.Range(min=0.01, max=MAX_CENTS / 100), _two_decimals],
        metadata=_label("退费金额（元）", "Amount to refund (yuan)",
                        help_zh="不超过“我的账户”中的余额", help_en="at most your account's credit"))
    reason = fields.Str(required=True, validate=validate.OneOf(tuple(REFUND_REASONS_ZH)),
                        metadata=_label("退费原因", "Why", choices_zh=REFUND_REASONS_ZH,
                                        choices_en=REFUND_REASONS_EN))
    details = Text(required=True, min_length=2, max_length=500,
                   metadata=_label("退费说明", "Details"))
    bank_name = Text(required=True, min_length=2, max_length=60,
                     metadata=_label("开户银行（本人账户）", "Your bank (your own account)",
                                     help_zh="如：中国建设银行长沙韶山路支行",
                                     help_en="e.g. China Construction Bank, Shaoshan Road branch"))
    bank_account = Text(required=True, max_length=19, validate=[validate.Regexp(
        BANK_ACCOUNT, error="银行卡号为16-19位数字，不要空格 / 16-19 digits, no spaces")],
        metadata=_label("本人银行卡号", "Your bank card number"))


FEE_TOPICS = {
    "tuition": ("学费标准", "Tuition fees",
                "学费按专业收取，以核准的收费标准为准，每学年开学前缴纳；本人应缴金额见“我的账户”。"),
    "accommodation": ("住宿费标准", "Accommodation fees",
                      "住宿费按所住宿舍的标准每学年收取，调整床位后按新宿舍标准计算。"),
    "arrears": ("欠费查询与缴纳", "Arrears and paying them",
                "欠费会影响注册和证明办理；可在“我的账户”随时在线缴费（不可多缴），家庭经济困难学生"
                "可申请缓缴或助学贷款。"),
    "payment": ("缴费方式", "How to pay",
                "可在网上办事大厅“我的账户”在线缴费，或到财务处窗口缴费；助学贷款、资助款到账后"
                "自动抵扣应缴费用。"),
    "green_channel": ("绿色通道缓缴", "Green channel (deferred fees)",
                      "家庭经济困难新生可经绿色通道先报到、缓缴学费住宿费，再申请资助或助学贷款。"),
    "refund": ("退费政策", "Refunds",
               "账户有余额（如资助款抵扣学费后的结余）、休学或退学时可申请退费，退款转入本人银行卡。"),
    "invoice": ("票据与发票", "Receipts and invoices",
                "缴费后可在财务处窗口或线上打印电子票据。"),
    "other": ("其他财务问题", "Something else", "窗口将在一个工作日内书面答复。"),
}


class ConsultationForm(Form):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(FEE_TOPICS)),
                       metadata=_label("咨询类别", "Topic",
                                       choices_zh={k: v[0] for k, v in FEE_TOPICS.items()},
                                       choices_en={k: v[1] for k, v in FEE_TOPICS.items()}))
    question = Text(required=True, min_length=2, max_length=1000,
                    metadata=_label("您的问题", "Your question"))


FORMS = {"finance.refund": RefundForm, "finance.fee-consultation": ConsultationForm}
EXAMPLES = {
    "finance.refund": {"amount_yuan": 3300, "reason": "aid_surplus",
                       "details": "上学年国家助学金到账时学费已缴清，申请退回结余。",
                       "bank_name": "中国建设银行长沙韶山路支行",
                       "bank_account": "6217002870012345678"},
    "finance.fee-consultation": {"topic": "tuition",
                                 "question": "本学年软件工程专业的学费是多少？可以分期缴纳吗？"},
}
