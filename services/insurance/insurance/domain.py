"""Claim rules (plain functions): claim forms by type, the claim period, and the payout."""
from datetime import date, timedelta

from marshmallow import Schema, fields, post_load, validate

from osac_shared.errors import DomainError, conflict, validation_failed
from osac_shared.forms import IsoDate

CLAIM_PERIOD = timedelta(days=730)       # two years from the incident (保险法 第二十六条)
MAX_EXPENSES_YUAN = 1_000_000
PAYOUT_ZH = {"submitted_to_insurer": "已提交保险公司", "paid": "已赔付", "declined": "保险公司拒赔"}


# ---- consultation ------------------------------------------------------------------------
INSURANCES = {"medical": "医疗保险", "accident": "意外伤害保险"}


class ClaimQuestionForm(Schema):
    insurance = fields.Str(required=True, validate=validate.OneOf(tuple(INSURANCES)),
                           metadata={"label_zh": "险种", "label_en": "Insurance",
                                     "choices_zh": INSURANCES})
    question = fields.Str(required=True, validate=validate.Length(min=2, max=1000),
                          metadata={"label_zh": "问题", "label_en": "Question"})




# ---- claim forms -------------------------------------------------------------------------
class ClaimForm(Schema):
    incident_date = IsoDate(required=True, metadata={"label_zh": "出险（就诊）日期",
                                                     "label_en": "Date of the incident/visit"})
    hospital = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                          metadata={"label_zh": "就诊医院", "label_en": "Hospital"})
    expenses_yuan = fields.Float(
        required=True, validate=validate.Range(min=0.01, max=MAX_EXPENSES_YUAN),
        metadata={"label_zh": "医疗费用总额（元）", "label_en": "Total medical costs (yuan)"})
    phone = fields.Str(required=True, validate=validate.Regexp(r"^1[3-9][0-9]{9}$"),
                       metadata={"label_zh": "联系电话", "label_en": "Phone"})

    @post_load
    def cents(self, data, **kwargs):
        data["expenses_cents"] = int(round(data["expenses_yuan"] * 100))
        return data


class InpatientClaimForm(ClaimForm):
    admitted_on = IsoDate(required=True, metadata={"label_zh": "入院日期", "label_en": "Admitted"})
    discharged_on = IsoDate(required=True, metadata={"label_zh": "出院日期",
                                                     "label_en": "Discharged"})


class AccidentClaimForm(ClaimForm):
    accident_place = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                                metadata={"label_zh": "事故地点", "label_en": "Where"})
    accident_description = fields.Str(required=True, validate=validate.Length(min=5, max=1000),
                                      metadata={"label_zh": "事故经过", "label_en": "What happened"})


def claim_problems(form, today):
    """{field: fix} for a claim's dates, all at once: within two years, nothing in the future,
    a hospital stay that ends after it begins."""
    problems = {}
    incident = date.fromisoformat(form["incident_date"])
    if incident > today:
        problems["form.incident_date"] = "日期不能晚于今天 / cannot be in the future"
    elif today - incident > CLAIM_PERIOD:
        problems["form.incident_date"] = ("已超过两年理赔时效，保险公司不再受理 / more than two "
                                          "years ago; the claim period has ended")
    if "admitted_on" in form:
        admitted = date.fromisoformat(form["admitted_on"])
        discharged = date.fromisoformat(form["discharged_on"])
        if discharged < admitted:
            problems["form.discharged_on"] = "出院日期不能早于入院日期 / cannot be before admission"
        if discharged > today:
            problems["form.discharged_on"] = ("出院后方可申请住院理赔 / claim a hospital stay "
                                              "after discharge")
    return problems


# ---- payout ------------------------------------------------------------------------------
def submitted_to_insurer(now, actor_id):
    return {"status": "submitted_to_insurer", "status_zh": PAYOUT_ZH["submitted_to_insurer"],
            "submitted_at": now.isoformat(), "by": actor_id}


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
    if payout.get("status") != "submitted_to_insurer":
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
    return dict(payout, status="paid", status_zh=PAYOUT_ZH["paid"], amount_cents=amount_cents,
                paid_at=now.isoformat(), recorded_by=actor_id)


def check_can_complete(payout):
    """A claim is completed by recording the insurer's payout, never by a bare "complete"."""
    if (payout or {}).get("status") != "paid":
        raise DomainError("payout_not_recorded", "请通过“登记赔付”办结理赔（须填写赔付金额）",
                          "Complete a claim by recording the insurer's payout (with its amount)",
                          {"action": "use record_payout(case_id, amount_cents)"}, 409)
