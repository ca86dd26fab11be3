"""Claim rules (plain functions): the forms by claim type, the claim period, the documents a
claim's form makes necessary, and the insurer's payout."""
from datetime import date, timedelta

from marshmallow import fields, post_load, validate

from osac_shared.errors import DomainError, conflict, validation_failed
from osac_shared.forms import Form, IsoDate, Text

CLAIM_PERIOD = timedelta(days=730)       # two years from the incident (保险法 第二十六条)
MAX_EXPENSES_YUAN = 1_000_000
MAX_EXPENSES_CENTS = MAX_EXPENSES_YUAN * 100
PAYOUT_ZH = {"submitted_to_insurer": "已提交保险公司", "paid": "已赔付", "declined": "保险公司拒赔"}
PAYOUT_EN = {"submitted_to_insurer": "submitted to the insurer", "paid": "paid",
             "declined": "declined by the insurer"}


def _labels(table):
    return ({k: v[0] for k, v in table.items()}, {k: v[1] for k, v in table.items()})


# ---- consultation ------------------------------------------------------------------------
INSURANCES = {"medical": ("医疗保险", "Medical insurance"),
              "accident": ("意外伤害保险", "Accident insurance")}
INSURANCES_ZH, INSURANCES_EN = _labels(INSURANCES)


class ClaimQuestionForm(Form):
    insurance = fields.Str(required=True, validate=validate.OneOf(tuple(INSURANCES)),
                           metadata={"label_zh": "险种", "label_en": "Insurance",
                                     "choices_zh": INSURANCES_ZH, "choices_en": INSURANCES_EN})
    question = Text(required=True, min_length=2, max_length=1000,
                    metadata={"label_zh": "问题", "label_en": "Question"})


# ---- claim forms -------------------------------------------------------------------------
class ClaimForm(Form):
    incident_date = IsoDate(required=True, metadata={"label_zh": "出险（就诊）日期",
                                                     "label_en": "Date of the incident/visit"})
    hospital = Text(required=True, min_length=2, max_length=100,
                    metadata={"label_zh": "就诊医院", "label_en": "Hospital"})
    expenses_yuan = fields.Float(
        required=True, validate=validate.Range(min=0.01, max=MAX_EXPENSES_YUAN),
        metadata={"label_zh": "医疗费用总额（元）", "label_en": "Total medical costs (yuan)"})
    phone = fields.Str(required=True, validate=validate.Regexp(
        r"^1[3-9][0-9]{9}$", error="请填写11位手机号 / an 11-digit mobile number"),
        metadata={"label_zh": "联系电话", "label_en": "Phone"})
    bank_name = Text(required=True, min_length=2, max_length=60,
                     metadata={"label_zh": "收款银行（开户行）",
                               "label_en": "Bank (branch) of the payout account"})
    bank_card_no = fields.Str(required=True, validate=validate.Regexp(
        r"^[0-9]{16,19}$", error="银行卡号为16–19位数字 / a bank card number is 16–19 digits"),
        metadata={"label_zh": "本人银行卡号（收款）", "label_en": "Your bank card number (payout)",
                  "help_zh": "须为申请人本人的银行卡，与提交的银行卡复印件一致",
                  "help_en": "Your own card, the one on the copy you hand in"})

    @post_load
    def cents(self, data, **kwargs):
        data["expenses_cents"] = int(round(data["expenses_yuan"] * 100))
        return data


class OutpatientClaimForm(ClaimForm):
    pass


class InpatientClaimForm(ClaimForm):
    admitted_on = IsoDate(required=True, metadata={"label_zh": "入院日期", "label_en": "Admitted"})
    discharged_on = IsoDate(required=True, metadata={"label_zh": "出院日期",
                                                     "label_en": "Discharged"})
    referred = fields.Bool(load_default=False, metadata={
        "label_zh": "异地或转院就医", "label_en": "Treated elsewhere or referred"})


ACCIDENT_TYPES = {"sports": ("运动受伤", "Sports injury"),
                  "traffic": ("交通事故", "Traffic accident"),
                  "daily": ("日常生活意外", "Accident in daily life"),
                  "other": ("其他意外", "Other accident")}
ACCIDENT_TYPES_ZH, ACCIDENT_TYPES_EN = _labels(ACCIDENT_TYPES)


class AccidentClaimForm(ClaimForm):
    accident_type = fields.Str(required=True, validate=validate.OneOf(tuple(ACCIDENT_TYPES)),
                               metadata={"label_zh": "意外类型", "label_en": "Kind of accident",
                                         "choices_zh": ACCIDENT_TYPES_ZH,
                                         "choices_en": ACCIDENT_TYPES_EN})
    accident_place = Text(required=True, min_length=2, max_length=100,
                          metadata={"label_zh": "事故地点", "label_en": "Where"})
    accident_description = Text(required=True, min_length=5, max_length=1000,
                                metadata={"label_zh": "事故经过", "label_en": "What happened"})
    hospitalised = fields.Bool(load_default=False, metadata={
        "label_zh": "住院治疗", "label_en": "Treated in hospital"})
    disability_claim = fields.Bool(load_default=False, metadata={
        "label_zh": "申请伤残赔付", "label_en": "Claim a disability payout"})


def _day(value):
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def claim_problems(form, today):
    """{field: fix} for a claim's dates, all at once: within two years, nothing in the future,
    a hospital stay that ends after it begins and has ended. ``form`` may be the raw form
    (when other fields did not load): dates that do not parse are left to the form's errors."""
    form = form if isinstance(form, dict) else {}
    problems = {}
    incident = _day(form.get("incident_date"))
    if incident is not None and incident > today:
        problems["form.incident_date"] = "日期不能晚于今天 / cannot be in the future"
    elif incident is not None and today - incident > CLAIM_PERIOD:
        problems["form.incident_date"] = ("已超过两年理赔时效，保险公司不再受理 / more than two "
                                          "years ago; the claim period has ended")
    admitted, discharged = _day(form.get("admitted_on")), _day(form.get("discharged_on"))
    if admitted is not None and discharged is not None and discharged < admitted:
        problems["form.discharged_on"] = "出院日期不能早于入院日期 / cannot be before admission"
    if discharged is not None and discharged > today:
        problems["form.discharged_on"] = ("出院后方可申请住院理赔 / claim a hospital stay "
                                          "after discharge")
    return problems


def claim_documents(form):
    """{material code: why}: the optional documents this claim's form makes necessary."""
    form = form if isinstance(form, dict) else {}
    needed = {}
    if form.get("referred") is True:
        needed["referral"] = "异地或转院就医 / treated elsewhere or referred"
    if form.get("accident_type") == "traffic":
        needed["police_report"] = "交通事故 / a traffic accident"
    if form.get("hospitalised") is True:
        needed["discharge_summary"] = "住院治疗 / treated in hospital"
    if form.get("disability_claim") is True:
        needed["disability_assessment"] = "申请伤残赔付 / a disability payout is claimed"
    return needed


# ---- examples ----------------------------------------------------------------------------
BANK = {"phone": "13812345678", "bank_name": "中国工商银行株洲天元支行",
        "bank_card_no": "6222021234567890123"}


def consultation_example(now=None):
    return {"insurance": "medical", "question": "在校外医院门诊看病的费用能报销多少？需要哪些材料？"}


def outpatient_example(now):
    day = now.date()
    return {"incident_date": (day - timedelta(days=7)).isoformat(),
            "hospital": "湖南工业大学校医院", "expenses_yuan": 356.8, **BANK}


def inpatient_example(now):
    day = now.date()
    return {"incident_date": (day - timedelta(days=20)).isoformat(),
            "hospital": "株洲市中心医院", "expenses_yuan": 8650.0,
            "admitted_on": (day - timedelta(days=20)).isoformat(),
            "discharged_on": (day - timedelta(days=12)).isoformat(), "referred": False,
            **BANK}


def accident_example(now):
    day = now.date()
    return {"incident_date": (day - timedelta(days=10)).isoformat(),
            "hospital": "株洲市中心医院", "expenses_yuan": 2480.5, "accident_type": "sports",
            "accident_place": "学校东区篮球场",
            "accident_description": "打篮球时摔倒，右手腕骨折，门诊复位固定",
            "hospitalised": False, "disability_claim": False, **BANK}


# ---- payout ------------------------------------------------------------------------------
class RecordPayoutBody(Form):
    """What the window records once the insurer has paid a claim."""
    amount_cents = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_EXPENSES_CENTS),
        metadata={"label_zh": "保险公司赔付金额（分）", "label_en": "Amount the insurer paid (cents)",
                  "help_zh": "以分为单位，不超过申报的医疗费用",
                  "help_en": "In cents; at most the claimed costs"})
    reason = Text(load_default="", max_length=500,
                  metadata={"label_zh": "备注（如保险公司理赔单号）",
                            "label_en": "Note (e.g. the insurer's claim number)"})


def submitted_to_insurer(now, actor_id):
    return {"status": "submitted_to_insurer", "status_zh": PAYOUT_ZH["submitted_to_insurer"],
            "status_en": PAYOUT_EN["submitted_to_insurer"],
            "submitted_at": now.isoformat(), "by": actor_id}


def awaits_payout(payout):
    return (payout or {}).get("status") == "submitted_to_insurer"


def payout_record(payout, expenses_cents, amount_cents, now, actor_id):
    """The payout after the insurer paid ``amount_cents``; ``None`` when exactly this payout
    is already recorded (a repeated call). Raises when the claim is not with the insurer or the
    amount is impossible."""
    payout = payout or {}
    if payout.get("status") == "paid":
        if payout.get("amount_cents") == amount_cents:
            return None
        raise conflict("payout_already_recorded",
                       f"该理赔已登记赔付{payout['amount_cents'] / 100:.2f}元，不能再登记不同金额",
                       f"A payout of {payout['amount_cents'] / 100:.2f} yuan is already recorded",
                       {"amount_cents": "已登记的赔付不可更改 / a recorded payout is final"})
    if not awaits_payout(payout):
        raise conflict("claim_not_with_insurer", "该理赔尚未提交保险公司（须先审批通过）",
                       "The claim has not been submitted to the insurer yet (approve it first)",
                       {"case_id": "先审批通过（提交保险公司）再登记赔付 / approve (submit to the "
                                   "insurer) before recording the payout"})
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 1:
        raise validation_failed({"amount_cents": "赔付金额须为正整数（单位：分）/ a positive whole "
                                                 "number of cents"})
    if amount_cents > expenses_cents:
        raise validation_failed({"amount_cents": f"赔付金额不能超过申报费用{expenses_cents / 100:.2f}"
                                                 f"元 / cannot exceed the claimed "
                                                 f"{expenses_cents / 100:.2f} yuan"})
    return dict(payout, status="paid", status_zh=PAYOUT_ZH["paid"], status_en=PAYOUT_EN["paid"],
                amount_cents=amount_cents, paid_at=now.isoformat(), recorded_by=actor_id)


def declined(payout, now):
    return dict(payout, status="declined", status_zh=PAYOUT_ZH["declined"],
                status_en=PAYOUT_EN["declined"], declined_at=now.isoformat())


def check_can_complete(payout):
    """A claim is completed by recording the insurer's payout, never by a bare "complete"."""
    if (payout or {}).get("status") != "paid":
        raise DomainError("payout_not_recorded", "请通过“登记赔付”办结理赔（须填写赔付金额）",
                          "Complete a claim by recording the insurer's payout (with its amount)",
                          {"action": "请使用 record_payout（登记保险公司赔付）/ use the "
                                     "record_payout step"}, 409)
