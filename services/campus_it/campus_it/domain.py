"""Campus IT rules (plain functions): network fault and card forms, amounts, card states,
card applications and fees, idempotent replays."""
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from osac_shared.errors import DomainError, validation_failed

ACTIVE, FROZEN = "active", "frozen"
MAX_TOP_UP_CENTS = 100_000       # 1,000 yuan per top-up
MAX_TRANSFER_CENTS = 50_000      # 500 yuan per transfer
MAX_GROUP_LINES = 30             # a list fits one form field (2,000 characters)
FEES_CENTS = {"new": 0, "reissue": 2000, "replace_damaged": 1000}
LOSS_GREEN_REASON = "一卡通挂失：提交即冻结，防止盗刷 / lost card: frozen at once to stop misuse"
STUDENT_ID = validate.Regexp(r"^[0-9]{10}$", error="学号须为10位数字 / a student id is 10 digits")
FAULTS = ("no_connection", "slow", "cannot_login", "port_damaged", "wifi", "other")


# ---- forms -------------------------------------------------------------------------------
class NetworkFaultForm(Schema):
    building = fields.Str(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"label_zh": "宿舍楼栋", "label_en": "Building"})
    room = fields.Str(required=True, validate=validate.Regexp(r"^[0-9A-Za-z-]{1,10}$"),
                      metadata={"label_zh": "房间号", "label_en": "Room"})
    fault = fields.Str(required=True, validate=validate.OneOf(FAULTS),
                       metadata={"label_zh": "故障类型", "label_en": "Fault"})
    description = fields.Str(required=True, validate=validate.Length(min=2, max=500),
                             metadata={"label_zh": "故障描述", "label_en": "What is wrong"})
    account = fields.Str(load_default="", validate=validate.Length(max=32),
                         metadata={"label_zh": "上网账号", "label_en": "Network account"})
    phone = fields.Str(load_default="", validate=validate.Regexp(r"^$|^1[3-9][0-9]{9}$"),
                       metadata={"label_zh": "联系电话", "label_en": "Phone"})


class GroupEntry(Schema):
    student_id = fields.Str(required=True, validate=STUDENT_ID)
    amount_cents = fields.Int(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_TOP_UP_CENTS))


class GroupTopUpForm(Schema):
    payer = fields.Str(required=True, validate=validate.Length(min=2, max=64),
                       metadata={"label_zh": "缴款单位（班级/组织）", "label_en": "Paying unit"})
    entries = fields.List(fields.Nested(GroupEntry), required=True,
                          validate=validate.Length(min=1, max=MAX_GROUP_LINES),
                          metadata={"label_zh": "充值名单", "label_en": "Who gets how much"})

    @validates_schema
    def no_repeats(self, data, **kwargs):
        ids = [e["student_id"] for e in data.get("entries", [])]
        if len(set(ids)) != len(ids):
            raise ValidationError("名单中有重复学号，请合并 / a student is listed twice; merge "
                                  "the lines", "entries")

    @post_load
    def total(self, data, **kwargs):
        data["total_cents"] = sum(e["amount_cents"] for e in data["entries"])
        return data


class CardApplyForm(Schema):
    purpose = fields.Str(required=True, validate=validate.OneOf(tuple(FEES_CENTS)),
                         metadata={"label_zh": "办理类型（申领/补办/换卡）", "label_en": "Purpose"})
    note = fields.Str(load_default="", validate=validate.Length(max=500),
                      metadata={"label_zh": "说明", "label_en": "Note"})


class CardLossForm(Schema):
    lost_on = fields.Date(load_default=None, allow_none=True,
                          metadata={"label_zh": "遗失日期", "label_en": "Lost on"})
    where = fields.Str(load_default="", validate=validate.Length(max=100),
                       metadata={"label_zh": "遗失地点", "label_en": "Where"})

    @post_load
    def dates_as_text(self, data, **kwargs):
        data["lost_on"] = data["lost_on"].isoformat() if data["lost_on"] else None
        return data


FORMS = {"campus_it.dorm-network-fault": NetworkFaultForm,
         "campus_it.card-top-up-transfer": GroupTopUpForm,
         "campus_it.card-apply": CardApplyForm,
         "campus_it.card-loss": CardLossForm}


# ---- rules -------------------------------------------------------------------------------
def feedback_text(reason):
    """A fault report is completed with the feedback to the student as the reason."""
    text = (reason or "").strip()
    if not text:
        raise validation_failed({"reason": "请在“原因”中填写处理结果反馈，学生将看到它 / write the "
                                           "feedback in reason; the student will see it"})
    return text


def check_amount(amount, max_cents):
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= max_cents:
        raise validation_failed({"amount_cents": f"金额须为1至{max_cents}之间的整数（单位：分）/ "
                                                 f"a whole number of cents from 1 to {max_cents}"})


def check_key(key):
    if not isinstance(key, str) or not 1 <= len(key) <= 128:
        raise validation_failed({"idempotency_key": "请提供1–128字的幂等键（重试时保持不变）/ give "
                                                    "an idempotency key of 1–128 characters"})


def card_state_problem(status, recipient=False):
    """None when the card can move money, else the DomainError to raise (for the recipient's
    card the error names ``to_student_id``)."""
    whose_zh, whose_en = ("对方的", "The recipient's") if recipient else ("您的", "Your")
    if status is None:
        zh, en, code, http = (f"{whose_zh}一卡通不存在", f"{whose_en} campus card does not "
                              "exist", "no_card", 404)
    elif status == FROZEN:
        zh, en, code, http = (f"{whose_zh}一卡通已挂失冻结，不能充值或转账",
                              f"{whose_en} card is frozen (reported lost); no top-up or "
                              "transfer", "card_frozen", 409)
    else:
        return None
    fields = {"to_student_id": f"{zh} / {en}"} if recipient else {}
    return DomainError(code, zh, en, fields, http)


def transfer_problem(sender_status, receiver_status, balance_cents, amount_cents):
    """The first reason a transfer is refused (a DomainError), or None."""
    problem = card_state_problem(sender_status) or card_state_problem(receiver_status, True)
    if problem:
        return problem
    if balance_cents < amount_cents:
        return DomainError("insufficient_balance",
                           f"余额不足：当前余额{balance_cents / 100:.2f}元",
                           f"Balance too low: {balance_cents / 100:.2f} yuan",
                           {"amount_cents": "转账金额超过余额 / more than your balance"}, 409)
    return None


def application_problem(purpose, card_status):
    """Why a card application cannot go ahead (code, zh, en), or None."""
    if purpose == "new" and card_status is not None:
        return ("already_has_card", "您已有一卡通；遗失请先挂失再补办，损坏请选择换卡",
                "You already have a card; report a loss then reissue, or replace a damaged one")
    if purpose in ("reissue", "replace_damaged") and card_status is None:
        return ("no_card", "您还没有一卡通，请选择申领新卡", "You have no card yet; apply for one")
    if purpose == "reissue" and card_status == ACTIVE:
        return ("report_loss_first", "补办须先挂失（挂失即冻结原卡）",
                "Report the loss first (that freezes the old card), then apply for a reissue")
    if purpose == "replace_damaged" and card_status == FROZEN:
        return ("card_frozen", "卡已挂失冻结，请选择补办", "The card is frozen; choose a reissue")
    return None


def check_application(purpose, card_status):
    problem = application_problem(purpose, card_status)
    if problem:
        raise DomainError(*problem, {"form.purpose": problem[2]}, 409)


def next_card_no(student_id, old_card_no=None):
    """Card numbers are the student id plus a two-digit issue number: C202600000101, ...02."""
    issue = int(old_card_no[-2:]) + 1 if old_card_no else 1
    return f"C{student_id}{issue:02d}"


def group_problems(entries, statuses):
    """{field: message} for every line of a group top-up whose card cannot be credited
    (``statuses``: {student id: card status or None}); all lines at once."""
    problems = {}
    for n, entry in enumerate(entries):
        status = statuses.get(entry["student_id"])
        if status is None:
            problems[f"form.entries.{n}.student_id"] = "该同学没有一卡通 / this student has no card"
        elif status == FROZEN:
            problems[f"form.entries.{n}.student_id"] = "该卡已挂失冻结 / this card is frozen"
    return problems


def check_identity(identity_checked, id_document):
    errors = {}
    if identity_checked is not True:
        errors["identity_checked"] = "请先核验本人身份证件 / check the holder's ID first"
    if id_document not in ("id_card", "student_card", "passport"):
        errors["id_document"] = ("请选择核验的证件：id_card、student_card、passport / which "
                                 "document was checked")
    if errors:
        raise validation_failed(errors)


def replay_mismatch(entry, kind, amount_cents, counterparty):
    """True when an idempotency key is reused for a different operation."""
    return (entry.kind, abs(entry.amount_cents), entry.counterparty) != (
        kind, amount_cents, counterparty)
