"""Aid rules (plain functions): programmes, eligibility, award amounts, review stages and the
public-notice period (公示) before an award is paid."""
from dataclasses import dataclass
from datetime import datetime

from marshmallow import Schema, fields, validate

from osac_shared.calendar import DEFAULT as DEFAULT_CALENDAR, due_at
from osac_shared.errors import DomainError, validation_failed

# ---- hardship recognition (家庭经济困难认定) ------------------------------------------------
SPECIAL, HARD, GENERAL, NONE = "special", "hard", "general", "none"
HARDSHIP_LEVELS = (SPECIAL, HARD, GENERAL, NONE)
HARDSHIP_ZH = {SPECIAL: "特别困难", HARD: "困难", GENERAL: "一般困难", NONE: "不困难"}
GRANT_TIERS = {SPECIAL: ("一档", 440000), HARD: ("二档", 330000), GENERAL: ("三档", 220000)}


@dataclass(frozen=True)
class Programme:
    code: str                 # the programme name carried by aid.awarded
    item_code: str
    name_zh: str
    name_en: str
    committee: bool = True    # committee decision + public notice before the award
    once_a_year: bool = True
    fixed_cents: int | None = None


PROGRAMMES = {p.item_code: p for p in (
    Programme("national_scholarship", "aid.national-scholarship", "国家奖学金",
              "National Scholarship", fixed_cents=800000),
    Programme("national_encouragement", "aid.national-encouragement", "国家励志奖学金",
              "National Encouragement Scholarship", fixed_cents=500000),
    Programme("national_grant", "aid.national-grant", "国家助学金", "National Grant"),
    Programme("tuition_waiver", "aid.tuition-waiver", "学费减免", "Tuition waiver"),
    Programme("hardship_subsidy", "aid.hardship-subsidy", "临时困难补助",
              "Temporary hardship subsidy", once_a_year=False),
    Programme("work_study", "aid.work-study", "勤工助学岗位", "Work-study post",
              committee=False, once_a_year=False),
)}
# never both in one academic year
EXCLUSIVE = (frozenset({"national_scholarship", "national_encouragement"}),)
SUBSIDY_MAX_YUAN = 3000
NOTICE_DAYS = 5

def programme_to_dict(programme):
    d = {"item_code": programme.item_code, "programme": programme.code,
         "name_zh": programme.name_zh, "name_en": programme.name_en,
         "committee": programme.committee, "amount_cents": programme.fixed_cents}
    if programme.code == "national_grant":
        d["tiers"] = [{"hardship_level": level, "tier_zh": tier, "amount_cents": cents}
                      for level, (tier, cents) in GRANT_TIERS.items()]
    if programme.code == "hardship_subsidy":
        d["max_cents"] = SUBSIDY_MAX_YUAN * 100
    return d


# ---- forms -------------------------------------------------------------------------------
TOPICS = {
    "scholarship": ("奖", "国家奖学金每人每年8000元（成绩前10%）；国家励志奖学金每人每年5000元"
                          "（家庭经济困难且成绩前30%），二者同一学年不可兼得。"),
    "grant": ("助", "国家助学金面向家庭经济困难学生，按认定等级分三档：4400元、3300元、2200元。"),
    "loan": ("贷", "生源地信用助学贷款和校园地国家助学贷款，本专科生每年最高可贷20000元，"
                   "在校期间免息，请到户籍所在县资助中心或学校资助窗口办理。"),
    "work_study": ("勤", "校内勤工助学岗位按小时计酬，家庭经济困难学生优先，可在本窗口申请岗位。"),
    "waiver": ("免", "认定为特别困难的学生可申请学费减免，减免额不超过当年学费。"),
    "subsidy": ("补", "因突发事件造成临时困难的学生可申请临时困难补助，每次最高3000元，急事走绿色通道。"),
}


class ConsultationForm(Schema):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(TOPICS)),
                       metadata={"label_zh": "咨询类别（奖助贷勤免补）", "label_en": "Topic"})
    question = fields.Str(required=True, validate=validate.Length(min=2, max=1000),
                          metadata={"label_zh": "问题", "label_en": "Question"})


class ApplicationForm(Schema):
    hardship_level = fields.Str(
        required=True, validate=validate.OneOf(HARDSHIP_LEVELS),
        metadata={"label_zh": "家庭经济困难认定等级", "label_en": "Hardship level",
                  "choices_zh": HARDSHIP_ZH})
    rank_percent = fields.Float(
        load_default=None, allow_none=True,
        validate=validate.Range(min=0, max=100, min_inclusive=False),
        metadata={"label_zh": "学年成绩排名（前百分之几）", "label_en": "Grade rank (top %)"})
    statement = fields.Str(load_default="", validate=validate.Length(max=1000),
                           metadata={"label_zh": "申请理由", "label_en": "Statement"})


class WaiverForm(ApplicationForm):
    amount_yuan = fields.Int(required=True, validate=validate.Range(min=1, max=50000),
                             metadata={"label_zh": "申请减免金额（元，不超过当年学费）",
                                       "label_en": "Amount to waive (yuan)"})


class SubsidyForm(ApplicationForm):
    amount_yuan = fields.Int(required=True, validate=validate.Range(min=1, max=SUBSIDY_MAX_YUAN),
                             metadata={"label_zh": f"申请金额（元，最高{SUBSIDY_MAX_YUAN}）",
                                       "label_en": "Amount (yuan)"})
    incident = fields.Str(required=True, validate=validate.Length(min=2, max=500),
                          metadata={"label_zh": "突发事件说明", "label_en": "What happened"})


FORMS = {"aid.policy-consultation": ConsultationForm, "aid.tuition-waiver": WaiverForm,
         "aid.hardship-subsidy": SubsidyForm,
         **{code: ApplicationForm for code in ("aid.national-scholarship",
                                               "aid.national-encouragement",
                                               "aid.national-grant", "aid.work-study")}}


# ---- eligibility and amounts -------------------------------------------------------------
def _rank(form, top, name_zh, name_en):
    rank = form.get("rank_percent")
    if rank is None:
        return {"form.rank_percent": f"{name_zh}须填写学年成绩排名百分比 / give your grade rank "
                                     f"percent for the {name_en}"}
    if rank > top:
        return {"form.rank_percent": f"{name_zh}要求成绩排名前{top}%（您为前{rank:g}%） / the "
                                     f"{name_en} needs a rank in the top {top}% (you: {rank:g}%)"}
    return {}


def _hardship(form, levels, need_zh, need_en):
    if form.get("hardship_level") not in levels:
        return {"form.hardship_level": f"须为{need_zh}学生（先办理家庭经济困难认定） / only for "
                                       f"students recognised as {need_en}"}
    return {}


def eligibility_problems(programme, form):
    """{field: "why not / what is needed"}; empty when the form meets the programme's rules."""
    in_hardship = (SPECIAL, HARD, GENERAL)
    code = programme.code
    if code == "national_scholarship":
        return _rank(form, 10, "国家奖学金", "National Scholarship")
    if code == "national_encouragement":
        return {**_hardship(form, in_hardship, "家庭经济困难", "in financial hardship"),
                **_rank(form, 30, "国家励志奖学金", "National Encouragement Scholarship")}
    if code in ("national_grant", "hardship_subsidy"):
        return _hardship(form, in_hardship, "家庭经济困难", "in financial hardship")
    if code == "tuition_waiver":
        return _hardship(form, (SPECIAL,), "认定为特别困难的", "in special hardship")
    return {}


def check_eligibility(programme, form):
    problems = eligibility_problems(programme, form)
    if problems:
        raise DomainError("not_eligible", f"不符合{programme.name_zh}的申请条件，请查看各项说明",
                          f"You do not meet the conditions of the {programme.name_en}",
                          problems, 422)


def award_amount_cents(programme, form):
    """What the award pays, in cents (None for a work-study post, which pays by the hour)."""
    if programme.fixed_cents:
        return programme.fixed_cents
    if programme.code == "national_grant":
        return GRANT_TIERS[form["hardship_level"]][1]
    if programme.code in ("tuition_waiver", "hardship_subsidy"):
        return int(form["amount_yuan"]) * 100
    return None


def academic_year(now):
    """The academic year a date falls in; it starts on 1 September ("2026-2027")."""
    start = now.year if now.month >= 9 else now.year - 1
    return f"{start}-{start + 1}"


def award_conflict(programme, held):
    """Why ``programme`` cannot be awarded given the programmes ``held`` this academic year,
    or None."""
    if programme.once_a_year and programme.code in held:
        return (f"本学年已获得{programme.name_zh}，同一学年只能获得一次 / already awarded the "
                f"{programme.name_en} this academic year")
    for group in EXCLUSIVE:
        if programme.code in group and (group - {programme.code}) & set(held):
            return ("国家奖学金与国家励志奖学金同一学年不能兼得 / the National Scholarship and the "
                    "National Encouragement Scholarship cannot both be held in one year")
    return None


# ---- review stages -----------------------------------------------------------------------
STAGE_ZH = {"b_review": "B岗受理审核", "a_review": "A岗审核", "committee": "资助委员会评审",
            "public_notice": "公示中", "awarded": "已发放", "placement": "安排岗位",
            "placed": "已上岗", "returned": "退回补正", "closed": "已结束"}


def stage_after(programme, action):
    """The review stage an application is in after a lifecycle action."""
    if action == "approve":
        return "committee" if programme.committee else "placement"
    if action == "complete":
        return "awarded" if programme.committee else "placed"
    return {"submit": "b_review", "resubmit": "b_review", "accept": "a_review",
            "return": "returned", "reject": "closed", "withdraw": "closed"}.get(action)


def notice_until(decided_at, cal=DEFAULT_CALENDAR):
    """The end of the public notice after a committee approval: 17:30 on the 5th working day
    after the decision's working day. Returns (moment, flagged); flagged when it reaches a
    year the working calendar does not cover (then only weekends were skipped)."""
    return due_at(decided_at, NOTICE_DAYS, "working_days", cal)


def committee_outcome(approved, note, now, actor_id, cal=DEFAULT_CALENDAR):
    """The result fields a committee decision sets; a refusal must say why."""
    note = (note or "").strip()
    if not approved and not note:
        raise validation_failed({"note": "未通过时须填写原因，学生将看到它 / give the reason "
                                         "for a refusal; the student will see it"})
    decision = {"approved": bool(approved), "note": note, "by": actor_id,
                "at": now.isoformat()}
    if not approved:
        return {"stage": "closed", "committee": decision}
    until, flagged = notice_until(now, cal)
    return {"stage": "public_notice", "committee": decision,
            "notice_until": until.isoformat(), "notice_flagged": flagged}


def check_committee_stage(stage):
    if stage != "committee":
        raise DomainError("not_in_committee", "该申请当前不在委员会评审阶段",
                          "This application is not waiting for a committee decision",
                          {"stage": f"当前阶段：{STAGE_ZH.get(stage, stage)} / current stage: "
                                    f"{stage}"}, 409)


def check_can_complete(programme, result, extra, now):
    """Raise unless the case may be completed now (an application after its public notice,
    a work-study post with the post named, a consultation with its answer)."""
    if programme is None:          # the consultation: the engine requires its answer
        return
    stage = (result or {}).get("stage")
    if not programme.committee:
        if not str((extra or {}).get("post_name", "")).strip():
            raise validation_failed({"extra.post_name": "请填写安排的岗位 / name the post"})
        return
    if stage != "public_notice":
        raise DomainError("committee_pending", "资助委员会尚未评审通过，不能发放",
                          "The committee has not approved this application yet",
                          {"stage": f"当前阶段：{STAGE_ZH.get(stage, stage)} / current stage: "
                                    f"{stage}"}, 409)
    until = datetime.fromisoformat(result["notice_until"])
    if now < until:
        raise DomainError("notice_period", f"公示期至{until:%Y-%m-%d %H:%M}，公示期满后方可发放",
                          f"The public notice runs until {until:%Y-%m-%d %H:%M}; complete it "
                          "afterwards", {"notice_until": until.isoformat()}, 409)
