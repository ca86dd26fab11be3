"""Campus IT rules (plain functions): the item forms, their examples and the stages' inputs,
amounts, card states, card applications and fees, group top-ups, idempotent replays."""
from datetime import date

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from osac_shared.errors import DomainError, validation_failed
from osac_shared.forms import Form, IsoDate, Text

ACTIVE, FROZEN = "active", "frozen"
MAX_TOP_UP_CENTS = 100_000       # 1,000 yuan per top-up
MAX_TRANSFER_CENTS = 50_000      # 500 yuan per transfer
MAX_GROUP_LINES = 30             # a list fits one form field (2,000 characters)
FEES_CENTS = {"new": 0, "reissue": 2000, "replace_damaged": 1000}
LOSS_GREEN_REASON = "一卡通挂失：提交即冻结，防止盗刷 / lost card: frozen at once to stop misuse"
STUDENT_ID = validate.Regexp(r"^[0-9]{10}$", error="学号须为10位数字 / a student id is 10 digits")
OPTIONAL_PHONE = validate.Regexp(r"^$|^1[3-9][0-9]{9}$", error="手机号须为11位，以1开头 / an "
                                                               "11-digit mobile number")
FAULTS = {"no_connection": "无法连接（网口无信号）", "slow": "网速慢", "cannot_login": "无法认证登录",
          "port_damaged": "网口损坏", "wifi": "无线网络（Wi-Fi）故障", "other": "其他"}
FAULTS_EN = {"no_connection": "No connection (dead port)", "slow": "Slow",
             "cannot_login": "Cannot log in", "port_damaged": "Broken port", "wifi": "Wi-Fi",
             "other": "Other"}
PURPOSES = {"new": "申领新卡（首次）", "reissue": "挂失后补办（工本费20元）",
            "replace_damaged": "损坏换卡（工本费10元）"}
PURPOSES_EN = {"new": "A first card", "reissue": "A new card after a loss (20 yuan)",
               "replace_damaged": "Replace a damaged card (10 yuan)"}


# ---- forms -------------------------------------------------------------------------------
class NetworkFaultForm(Form):
    building = Text(required=True, max_length=32,
                    metadata={"label_zh": "宿舍楼栋", "label_en": "Building"})
    room = fields.Str(required=True, validate=validate.Regexp(
        r"^[0-9A-Za-z-]{1,10}$", error="房间号为1–10位字母、数字 / 1–10 letters or digits"),
        metadata={"label_zh": "房间号", "label_en": "Room"})
    fault = fields.Str(required=True, validate=validate.OneOf(tuple(FAULTS)),
                       metadata={"label_zh": "故障类型", "label_en": "Fault",
                                 "choices_zh": FAULTS, "choices_en": FAULTS_EN})
    description = Text(required=True, min_length=2, max_length=500,
                       metadata={"label_zh": "故障描述", "label_en": "What is wrong"})
    account = Text(load_default="", max_length=32,
                   metadata={"label_zh": "上网账号（可选）", "label_en": "Network account (optional)"})
    phone = fields.Str(load_default="", validate=OPTIONAL_PHONE,
                       metadata={"label_zh": "联系电话（可选）", "label_en": "Phone (optional)"})


class GroupEntry(Form):
    student_id = fields.Str(required=True, validate=STUDENT_ID,
                            metadata={"label_zh": "学号", "label_en": "Student id"})
    amount_cents = fields.Int(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_TOP_UP_CENTS),
                              metadata={"label_zh": "充值金额（分）", "label_en": "Amount (cents)"})


class GroupTopUpForm(Form):
    payer = Text(required=True, min_length=2, max_length=64,
                 metadata={"label_zh": "缴款单位（班级/组织）", "label_en": "Paying unit"})
    receipt_no = Text(required=True, min_length=4, max_length=32,
                      metadata={"label_zh": "缴款凭证号", "label_en": "Payment receipt number"})
    paid_cents = fields.Int(required=True, strict=True,
                            validate=validate.Range(min=1, max=MAX_TOP_UP_CENTS
                                                    * MAX_GROUP_LINES),
                            metadata={"label_zh": "缴款总额（分，须等于名单合计）",
                                      "label_en": "Amount paid (cents; the list's total)"})
    entries = fields.List(fields.Nested(GroupEntry), required=True,
                          validate=validate.Length(min=1, max=MAX_GROUP_LINES),
                          metadata={"label_zh": "充值名单（每次最多30人）",
                                    "label_en": "Who gets how much (at most 30)"})

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


class CardApplyForm(Form):
    purpose = fields.Str(required=True, validate=validate.OneOf(tuple(FEES_CENTS)),
                         metadata={"label_zh": "办理类型", "label_en": "Purpose",
                                   "choices_zh": PURPOSES, "choices_en": PURPOSES_EN})
    note = Text(load_default="", max_length=500,
                metadata={"label_zh": "说明（可选）", "label_en": "Note (optional)"})


class CardLossForm(Form):
    lost_on = IsoDate(load_default=None, allow_none=True,
                      metadata={"label_zh": "遗失日期", "label_en": "Lost on"})
    where = Text(load_default="", max_length=100,
                 metadata={"label_zh": "遗失地点（可选）", "label_en": "Where (optional)"})


FORMS = {"campus_it.dorm-network-fault": NetworkFaultForm,
         "campus_it.card-top-up-transfer": GroupTopUpForm,
         "campus_it.card-apply": CardApplyForm,
         "campus_it.card-loss": CardLossForm}


# ---- stage inputs ------------------------------------------------------------------------
FAULT_OUTCOMES = {"fixed": "已修复", "guided": "已指导学生自行解决", "hardware": "已更换设备或网口",
                  "not_found": "上门检测未发现故障"}
FAULT_OUTCOMES_EN = {"fixed": "Fixed", "guided": "The student was shown how to fix it",
                     "hardware": "Equipment or port replaced",
                     "not_found": "Checked on site: no fault found"}
ID_DOCUMENTS = {"id_card": "身份证", "student_card": "学生证", "passport": "护照"}
ID_DOCUMENTS_EN = {"id_card": "ID card", "student_card": "Student card", "passport": "Passport"}


class FaultFeedbackBody(Form):
    """Completing a network fault report: the feedback the student reads."""
    outcome = fields.Str(required=True, validate=validate.OneOf(tuple(FAULT_OUTCOMES)),
                         metadata={"label_zh": "处理结果", "label_en": "Outcome",
                                   "choices_zh": FAULT_OUTCOMES,
                                   "choices_en": FAULT_OUTCOMES_EN})
    feedback = Text(required=True, max_length=2000,
                    metadata={"label_zh": "反馈（学生将看到）",
                              "label_en": "Feedback (the student sees it)"})


class UnfreezeBody(Form):
    """A card reported lost has been found: the holder's ID checked at the window."""
    identity_checked = fields.Bool(required=True, validate=validate.Equal(True, error=(
        "请先核验本人身份证件 / check the holder's ID first")),
        metadata={"label_zh": "已核验持卡人本人证件", "label_en": "The holder's ID was checked"})
    id_document = fields.Str(required=True, validate=validate.OneOf(tuple(ID_DOCUMENTS)),
                             metadata={"label_zh": "核验的证件", "label_en": "Document checked",
                                       "choices_zh": ID_DOCUMENTS,
                                       "choices_en": ID_DOCUMENTS_EN})
    note = Text(load_default="", max_length=300,
                metadata={"label_zh": "备注", "label_en": "Note"})


# ---- examples (complete and valid on the demo data for the journeys' students) ------------
def card_loss_example(now):
    return {"lost_on": now.date().isoformat(), "where": "第二食堂二楼"}


EXAMPLES = {
    "campus_it.dorm-network-fault": {
        "building": "A3", "room": "301", "fault": "no_connection",
        "description": "宿舍网口没有信号，换了网线和电脑也连不上", "account": "",
        "phone": "13800138001"},
    "campus_it.card-top-up-transfer": {
        "payer": "计算机学院2024级1班", "receipt_no": "JK20261207001", "paid_cents": 15000,
        "entries": [{"student_id": "2026000011", "amount_cents": 10000},
                    {"student_id": "2026000012", "amount_cents": 5000}]},
    "campus_it.card-apply": {"purpose": "new", "note": ""},
    "campus_it.card-loss": card_loss_example,
}


# ---- rules -------------------------------------------------------------------------------
def fault_feedback(extra, reason):
    """The result of completing a fault report: the step's ``feedback`` and ``outcome`` (or,
    called as ``act``, the reason as the feedback); raises naming ``feedback`` without one."""
    extra = extra or {}
    text = str(extra.get("feedback") or reason or "").strip()
    if not text:
        raise validation_failed({"feedback": "请填写处理结果反馈，学生将看到它 / write the "
                                             "feedback; the student will see it"})
    out = {"feedback": text}
    if extra.get("outcome") in FAULT_OUTCOMES:
        out.update(outcome=extra["outcome"], outcome_zh=FAULT_OUTCOMES[extra["outcome"]],
                   outcome_en=FAULT_OUTCOMES_EN[extra["outcome"]])
    return out


def loss_problems(form, today):
    """A card cannot be lost in the future."""
    if form.get("lost_on") and date.fromisoformat(form["lost_on"]) > today:
        return {"form.lost_on": f"遗失日期不能晚于今天（{today}）/ cannot be after today "
                                f"({today})"}
    return {}


def group_total_problems(form):
    """The amount paid is the list's total."""
    total = sum(e["amount_cents"] for e in form["entries"])
    if form["paid_cents"] != total:
        return {"form.paid_cents": f"缴款总额须等于名单合计{total}分（{total / 100:.2f}元）/ must "
                                   f"equal the list's total, {total} cents"}
    return {}


def application_problems(purpose, card_status):
    """{"form.purpose": fix} when the card's state does not fit the application."""
    problem = application_problem(purpose, card_status)
    return {"form.purpose": f"{problem[1]} / {problem[2]}"} if problem else {}


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
