"""Aid rules (plain functions): programmes, the forms, eligibility against aid's own hardship
recognitions, award amounts, loans, review stages and the public-notice period (公示) before an
award is paid."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marshmallow import fields, validate

from osac_shared.calendar import DEFAULT as DEFAULT_CALENDAR, due_at
from osac_shared.errors import DomainError, validation_failed
from osac_shared.forms import Form, IsoDate, Text

# ---- hardship recognition (家庭经济困难认定) ------------------------------------------------
SPECIAL, HARD, GENERAL, NONE = "special", "hard", "general", "none"
HARDSHIP_LEVELS = (SPECIAL, HARD, GENERAL, NONE)
RECOGNISED_LEVELS = (SPECIAL, HARD, GENERAL)          # what a recognition may say
HARDSHIP_ZH = {SPECIAL: "特别困难", HARD: "困难", GENERAL: "一般困难", NONE: "不困难"}
HARDSHIP_EN = {SPECIAL: "special hardship", HARD: "hardship", GENERAL: "general hardship",
               NONE: "not in hardship"}
GRANT_TIERS = {SPECIAL: ("一档", 440000), HARD: ("二档", 330000), GENERAL: ("三档", 220000)}

AWARD, POST, LOAN = "award", "post", "loan"


@dataclass(frozen=True)
class Programme:
    code: str                 # the programme name carried by aid.awarded
    item_code: str
    name_zh: str
    name_en: str
    kind: str = AWARD         # award: committee + public notice, paid by finance;
    #                           post: a work-study placement; loan: booked against the fees
    once_a_year: bool = True
    fixed_cents: int | None = None
    hardship: tuple = ()      # recognition levels needed this year (empty: none needed)
    top_rank: float | None = None   # grade rank needed (top %), declared with the transcript

    @property
    def committee(self):
        """Decided by the aid review committee, then publicly noticed, before it is paid."""
        return self.kind == AWARD

    @property
    def paid(self):
        """Completing it pays money into the student's finance account (aid.awarded)."""
        return self.kind in (AWARD, LOAN)


PROGRAMMES = {p.item_code: p for p in (
    Programme("national_scholarship", "aid.national-scholarship", "国家奖学金",
              "National Scholarship", fixed_cents=800000, top_rank=10),
    Programme("national_encouragement", "aid.national-encouragement", "国家励志奖学金",
              "National Encouragement Scholarship", fixed_cents=500000,
              hardship=RECOGNISED_LEVELS, top_rank=30),
    Programme("national_grant", "aid.national-grant", "国家助学金", "National Grant",
              hardship=RECOGNISED_LEVELS),
    Programme("tuition_waiver", "aid.tuition-waiver", "学费减免", "Tuition waiver",
              hardship=(SPECIAL,)),
    Programme("hardship_subsidy", "aid.hardship-subsidy", "临时困难补助",
              "Temporary hardship subsidy", once_a_year=False, hardship=RECOGNISED_LEVELS),
    Programme("county_loan", "aid.loan-receipt", "生源地信用助学贷款",
              "County student credit loan", kind=LOAN),
    Programme("campus_loan", "aid.campus-loan", "校园地国家助学贷款",
              "Campus national student loan", kind=LOAN, hardship=RECOGNISED_LEVELS),
    Programme("work_study", "aid.work-study", "勤工助学岗位", "Work-study post",
              kind=POST, once_a_year=False),
)}
# never both in one academic year
EXCLUSIVE = (frozenset({"national_scholarship", "national_encouragement"}),
             frozenset({"county_loan", "campus_loan"}))
SUBSIDY_MAX_YUAN = 3000
SUBSIDY_WITHIN_DAYS = 180          # a "sudden" event: within the last half year
NOTICE_DAYS = 5
LOAN_MIN_YUAN = 1000
LOAN_MAX_YUAN = {"undergraduate": 16000, "postgraduate": 20000}    # from autumn 2023
WORK_STUDY_MAX_HOURS = 8           # a week (高等学校勤工助学管理办法)


def programme_to_dict(programme):
    d = {"item_code": programme.item_code, "programme": programme.code,
         "name_zh": programme.name_zh, "name_en": programme.name_en, "kind": programme.kind,
         "committee": programme.committee, "amount_cents": programme.fixed_cents,
         "hardship_levels": list(programme.hardship), "top_rank_percent": programme.top_rank}
    if programme.code == "national_grant":
        d["tiers"] = [{"hardship_level": level, "tier_zh": tier, "amount_cents": cents}
                      for level, (tier, cents) in GRANT_TIERS.items()]
    if programme.code == "hardship_subsidy":
        d["max_cents"] = SUBSIDY_MAX_YUAN * 100
    if programme.kind == LOAN:
        d["min_cents"] = LOAN_MIN_YUAN * 100
        d["max_cents"] = {level: yuan * 100 for level, yuan in LOAN_MAX_YUAN.items()}
    return d


# ---- forms -------------------------------------------------------------------------------
TOPICS = {
    "scholarship": ("奖", "国家奖学金每人每年8000元（成绩前10%）；国家励志奖学金每人每年5000元"
                          "（家庭经济困难且成绩前30%），二者同一学年不可兼得。"),
    "grant": ("助", "国家助学金面向本学年认定的家庭经济困难学生，按认定等级分三档：4400元、3300元、"
                    "2200元。"),
    "loan": ("贷", "生源地信用助学贷款（在户籍所在县资助中心办理，受理证明即回执交本窗口）和校园地"
                   "国家助学贷款（在本窗口申请）：自2023年秋季学期起本专科生每人每年最高16000元、"
                   "研究生最高20000元，每年不低于1000元；在校期间财政全额贴息，同一学年二者只能"
                   "办理其一。"),
    "work_study": ("勤", "校内勤工助学岗位按小时计酬，每周不超过8小时，家庭经济困难学生优先，可在本窗口"
                         "申请岗位。"),
    "waiver": ("免", "认定为特别困难的学生可申请学费减免，减免额不超过当年学费。"),
    "subsidy": ("补", "因突发事件造成临时困难的学生可申请临时困难补助，每次最高3000元，急事走绿色通道。"),
}
TOPICS_ZH = {"scholarship": "奖（奖学金）", "grant": "助（助学金）", "loan": "贷（助学贷款）",
             "work_study": "勤（勤工助学）", "waiver": "免（学费减免）", "subsidy": "补（困难补助）"}
TOPICS_EN = {"scholarship": "Scholarships", "grant": "Grants", "loan": "Student loans",
             "work_study": "Work-study", "waiver": "Tuition waivers",
             "subsidy": "Hardship subsidies"}


def _label(zh, en, **more):
    return {"label_zh": zh, "label_en": en, **more}


class ConsultationForm(Form):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(TOPICS)), metadata=_label(
        "咨询类别（奖助贷勤免补）", "Topic", choices_zh=TOPICS_ZH, choices_en=TOPICS_EN))
    question = Text(required=True, min_length=2, max_length=1000,
                    metadata=_label("您的问题", "Your question"))


def _rank():
    return fields.Float(required=True, validate=validate.Range(min=0, max=100,
                                                               min_inclusive=False),
                        metadata=_label("学年成绩排名（前百分之几，以成绩单为准）",
                                        "Grade rank this year (top %, as your transcript "
                                        "states)"))


def _statement(required=True):
    more = {"required": True} if required else {"load_default": ""}
    return Text(max_length=1000, metadata=_label("申请理由", "Why you apply"), **more)


class ScholarshipForm(Form):
    """The National Scholarship and the National Encouragement Scholarship."""
    rank_percent = _rank()
    statement = _statement()


class GrantForm(Form):
    statement = _statement()


class WaiverForm(Form):
    amount_yuan = fields.Int(required=True, strict=True,
                             validate=validate.Range(min=1, max=50000),
                             metadata=_label("申请减免金额（元，不超过当年学费）",
                                             "Amount to waive (yuan, at most the year's "
                                             "tuition)"))
    statement = _statement()


class SubsidyForm(Form):
    amount_yuan = fields.Int(required=True, strict=True,
                             validate=validate.Range(min=1, max=SUBSIDY_MAX_YUAN),
                             metadata=_label(f"申请金额（元，最高{SUBSIDY_MAX_YUAN}）",
                                             f"Amount (yuan, at most {SUBSIDY_MAX_YUAN})"))
    incident = Text(required=True, min_length=2, max_length=500,
                    metadata=_label("突发事件说明", "What happened"))
    incident_date = IsoDate(required=True, metadata=_label(
        "事件发生日期", "When it happened",
        help_zh=f"近{SUBSIDY_WITHIN_DAYS}天内、不晚于今天",
        help_en=f"within the last {SUBSIDY_WITHIN_DAYS} days, not after today"))
    statement = _statement(required=False)


POSTS_ZH = {"hall": "学生事务中心B岗学生助理", "office": "学院/机关办公室助理",
            "library": "图书馆助理", "lab": "实验室助理", "logistics": "后勤服务岗位",
            "any": "服从安排"}
POSTS_EN = {"hall": "Hall B-post assistant", "office": "Office assistant",
            "library": "Library assistant", "lab": "Laboratory assistant",
            "logistics": "Campus services", "any": "Any post"}


class WorkStudyForm(Form):
    preferred_post = fields.Str(required=True, validate=validate.OneOf(tuple(POSTS_ZH)),
                                metadata=_label("意向岗位", "Preferred post",
                                                choices_zh=POSTS_ZH, choices_en=POSTS_EN))
    hours_per_week = fields.Int(required=True, strict=True,
                                validate=validate.Range(min=1, max=WORK_STUDY_MAX_HOURS),
                                metadata=_label(f"每周可工作小时数（不超过{WORK_STUDY_MAX_HOURS}）",
                                                f"Hours a week (at most "
                                                f"{WORK_STUDY_MAX_HOURS})"))
    free_times = Text(required=True, max_length=200,
                      metadata=_label("可工作的时间段", "When you are free",
                                      help_zh="如：周二、周四下午", help_en="e.g. Tue and Thu "
                                                                        "afternoons"))
    statement = _statement(required=False)


STUDY_ZH = {"undergraduate": "本专科生", "postgraduate": "研究生"}
STUDY_EN = {"undergraduate": "Undergraduate", "postgraduate": "Postgraduate"}
BANKS_ZH = {"cdb": "国家开发银行", "rcc": "农村信用社/农村商业银行", "other": "其他经办银行"}
BANKS_EN = {"cdb": "China Development Bank", "rcc": "Rural credit cooperative / rural "
                                                    "commercial bank",
            "other": "Another lending bank"}
CONTRACT_NO = re.compile(r"^[0-9A-Za-z-]{6,32}$")
RECEIPT_CODE = re.compile(r"^[0-9A-Za-z]{6,20}$")


def _loan_amount():
    return fields.Int(required=True, strict=True,
                      validate=validate.Range(min=LOAN_MIN_YUAN, max=max(LOAN_MAX_YUAN.values())),
                      metadata=_label("本学年贷款金额（元）", "This year's loan (yuan)",
                                      help_zh="本专科生最高16000元，研究生最高20000元，不低于1000元",
                                      help_en="undergraduates at most 16,000, postgraduates "
                                              "20,000; at least 1,000"))


def _study_level():
    return fields.Str(required=True, validate=validate.OneOf(tuple(STUDY_ZH)),
                      metadata=_label("学生类别", "You study as", choices_zh=STUDY_ZH,
                                      choices_en=STUDY_EN))


class LoanReceiptForm(Form):
    """What the county loan's receipt (受理证明) says."""
    county = Text(required=True, min_length=2, max_length=60, metadata=_label(
        "贷款受理地（县、市、区资助中心）", "Where the loan was granted (county aid centre)",
        help_zh="如：湖南省衡阳市衡南县", help_en="e.g. Hengnan County, Hengyang, Hunan"))
    bank = fields.Str(required=True, validate=validate.OneOf(tuple(BANKS_ZH)),
                      metadata=_label("经办银行", "Lending bank", choices_zh=BANKS_ZH,
                                      choices_en=BANKS_EN))
    contract_no = Text(required=True, max_length=32,
                       validate=[validate.Regexp(CONTRACT_NO, error=(
                           "合同编号为6-32位字母、数字或“-”，见贷款合同首页 / 6-32 letters, "
                           "digits or '-', as on the contract's first page"))],
                       metadata=_label("贷款合同编号", "Loan contract number"))
    receipt_code = Text(required=True, max_length=20,
                        validate=[validate.Regexp(RECEIPT_CODE, error=(
                            "回执校验码为6-20位字母或数字，见受理证明（回执） / 6-20 letters or "
                            "digits, as printed on the receipt"))],
                        metadata=_label("回执校验码", "Receipt check code"))
    amount_yuan = _loan_amount()
    study_level = _study_level()


PURPOSES_ZH = {"fees": "学费、住宿费", "fees_and_living": "学费、住宿费及基本生活费"}
PURPOSES_EN = {"fees": "Tuition and accommodation",
               "fees_and_living": "Tuition, accommodation and basic living costs"}


class CampusLoanForm(Form):
    amount_yuan = _loan_amount()
    study_level = _study_level()
    purpose = fields.Str(required=True, validate=validate.OneOf(tuple(PURPOSES_ZH)),
                         metadata=_label("贷款用途", "What the loan is for",
                                         choices_zh=PURPOSES_ZH, choices_en=PURPOSES_EN))
    statement = _statement()


FORMS = {"aid.policy-consultation": ConsultationForm,
         "aid.national-scholarship": ScholarshipForm,
         "aid.national-encouragement": ScholarshipForm,
         "aid.national-grant": GrantForm, "aid.tuition-waiver": WaiverForm,
         "aid.hardship-subsidy": SubsidyForm, "aid.loan-receipt": LoanReceiptForm,
         "aid.campus-loan": CampusLoanForm, "aid.work-study": WorkStudyForm}


def examples(now):
    """One complete, valid form per item (the subsidy's date from ``now``)."""
    today = now.date()
    return {
        "aid.policy-consultation": {"topic": "loan",
                                    "question": "生源地信用助学贷款的回执什么时候交到学校？"},
        "aid.national-scholarship": {"rank_percent": 5, "statement": (
            "本学年专业成绩排名前5%，获全国大学生数学竞赛二等奖。")},
        "aid.national-encouragement": {"rank_percent": 15, "statement": (
            "家庭经济困难，本学年成绩排名前15%，课余参加勤工助学。")},
        "aid.national-grant": {"statement": "父母务农，家庭收入低，需要资助完成学业。"},
        "aid.tuition-waiver": {"amount_yuan": 5800, "statement": (
            "家庭为低保户，无力承担本学年学费。")},
        "aid.hardship-subsidy": {"amount_yuan": 2000, "incident": (
            "父亲突发疾病住院，家庭医疗支出骤增。"),
            "incident_date": (today - timedelta(days=7)).isoformat(), "statement": ""},
        "aid.loan-receipt": {"county": "湖南省衡阳市衡南县", "bank": "cdb",
                             "contract_no": "43042120260001234", "receipt_code": "A1B2C3D4E5",
                             "amount_yuan": 12000, "study_level": "undergraduate"},
        "aid.campus-loan": {"amount_yuan": 8000, "study_level": "undergraduate",
                            "purpose": "fees", "statement": (
                                "新生入学经绿色通道缓缴学费，申请贷款缴纳学费和住宿费。")},
        "aid.work-study": {"preferred_post": "hall", "hours_per_week": 6,
                           "free_times": "周二、周四下午", "statement": "希望在学生事务中心服务同学。"},
    }


# ---- eligibility and amounts -------------------------------------------------------------
def _number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def usable(raw, problems, prefix="form."):
    """The fields of a form that did not load which have no error of their own (so the rules
    can still be checked on them, and one notice names everything)."""
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if f"{prefix}{k}" not in problems}


def recognition_problem(programme, level):
    """{"hardship_recognition": why} when this year's recognition (``level``: special /
    hard / general, or None when the student has none) does not let the student apply."""
    if not programme.hardship or level in programme.hardship:
        return {}
    need_zh = "、".join(HARDSHIP_ZH[x] for x in programme.hardship)
    need_en = " or ".join(HARDSHIP_EN[x] for x in programme.hardship)
    if level is None:
        return {"hardship_recognition": (
            f"本学年没有您的家庭经济困难认定记录，{programme.name_zh}须为认定为{need_zh}的学生；"
            f"请先向所在学院申请本学年家庭经济困难认定 / you have no financial hardship "
            f"recognition this academic year; the {programme.name_en} needs one ({need_en}): "
            f"apply to your school for this year's recognition first")}
    return {"hardship_recognition": (
        f"您本学年的家庭经济困难认定为“{HARDSHIP_ZH[level]}”，{programme.name_zh}仅限认定为"
        f"{need_zh}的学生 / you are recognised as in {HARDSHIP_EN[level]} this year; the "
        f"{programme.name_en} is only for students recognised as in {need_en}")}


def rank_problem(programme, form):
    top = programme.top_rank
    if top is None or "rank_percent" not in form:
        return {}
    rank = _number(form.get("rank_percent"))
    if rank is not None and rank > top:
        return {"form.rank_percent": (
            f"{programme.name_zh}要求学年成绩排名前{top:g}%（您为前{rank:g}%） / the "
            f"{programme.name_en} needs a rank in the top {top:g}% (yours: {rank:g}%)")}
    return {}


def incident_problem(form, today):
    when = form.get("incident_date")
    if not isinstance(when, str):
        return {}
    try:
        day = date.fromisoformat(when)
    except ValueError:
        return {}
    if day > today:
        return {"form.incident_date": "事件日期不能晚于今天 / the date cannot be after today"}
    if day < today - timedelta(days=SUBSIDY_WITHIN_DAYS):
        return {"form.incident_date": (
            f"临时困难补助针对近{SUBSIDY_WITHIN_DAYS}天内的突发事件，更早的困难请申请国家助学金 / "
            f"the subsidy is for an event within the last {SUBSIDY_WITHIN_DAYS} days; for "
            f"older hardship apply for the National Grant")}
    return {}


def loan_amount_problem(form):
    amount, level = _number(form.get("amount_yuan")), form.get("study_level")
    cap = LOAN_MAX_YUAN.get(level)
    if amount is None or cap is None or amount <= cap:
        return {}
    return {"form.amount_yuan": (
        f"{STUDY_ZH[level]}每人每年最高可贷{cap}元 / {STUDY_EN[level].lower()}s may borrow at "
        f"most {cap} yuan a year")}


def eligibility_problems(programme, form, level=None, today=None):
    """{field: "why not / what to do"}: every rule of ``programme`` the application breaks,
    given its (loaded, or usable part of the) ``form`` and the student's recognition this year
    (``level``, None when not recognised). Empty when it may be submitted."""
    problems = {**recognition_problem(programme, level), **rank_problem(programme, form)}
    if programme.code == "hardship_subsidy" and today is not None:
        problems.update(incident_problem(form, today))
    if programme.kind == LOAN:
        problems.update(loan_amount_problem(form))
    return problems


def award_amount_cents(programme, form, level=None):
    """What completing it pays, in cents (None for a work-study post, paid by the hour)."""
    if programme.fixed_cents:
        return programme.fixed_cents
    if programme.code == "national_grant":
        return GRANT_TIERS[level][1]
    if programme.code in ("tuition_waiver", "hardship_subsidy") or programme.kind == LOAN:
        return int(form["amount_yuan"]) * 100
    return None


def academic_year(now):
    """The academic year a date falls in; it starts on 1 September ("2026-2027")."""
    start = now.year if now.month >= 9 else now.year - 1
    return f"{start}-{start + 1}"


def award_conflict(programme, held):
    """Why ``programme`` cannot be granted given the programmes ``held`` this academic year,
    or None."""
    if programme.once_a_year and programme.code in held:
        return (f"本学年已获得{programme.name_zh}，同一学年只能办理一次 / already granted the "
                f"{programme.name_en} this academic year")
    for group in EXCLUSIVE:
        if programme.code in group and (group - {programme.code}) & set(held):
            other = next(p for p in PROGRAMMES.values()
                         if p.code in (group - {programme.code}))
            return (f"{programme.name_zh}与{other.name_zh}同一学年不能兼得 / the "
                    f"{programme.name_en} and the {other.name_en} cannot both be held in one "
                    f"year")
    return None


# ---- review stages -----------------------------------------------------------------------
STAGE_ZH = {"b_review": "B岗受理审核", "a_review": "A岗审核", "committee": "资助评审委员会评审",
            "public_notice": "公示中", "awarded": "已发放", "placement": "安排岗位",
            "placed": "已上岗", "confirmed": "回执已确认，待录入", "bank": "已报送银行，待签订合同",
            "loan_recorded": "贷款已录入", "returned": "退回补正", "closed": "已结束"}
APPROVED_STAGE = {AWARD: "committee", POST: "placement", LOAN: "confirmed"}
DONE_STAGE = {AWARD: "awarded", POST: "placed", LOAN: "loan_recorded"}


def stage_after(programme, action):
    """The review stage an application is in after a lifecycle action."""
    if action == "approve":
        if programme.code == "campus_loan":
            return "bank"
        return APPROVED_STAGE[programme.kind]
    if action == "complete":
        return DONE_STAGE[programme.kind]
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


def notice_over(result, now):
    """Whether an approved award's public notice has ended at ``now``."""
    until = (result or {}).get("notice_until")
    return bool(until) and now >= datetime.fromisoformat(until)


def check_can_complete(programme, result, extra, now):
    """Raise unless the case may be completed now (an award after its public notice, a
    work-study post with the post named, a campus loan with its contract number, a
    consultation with its answer - the engine checks that one)."""
    if programme is None:          # the consultation: the engine requires its answer
        return
    extra = extra or {}
    stage = (result or {}).get("stage")
    if programme.kind == POST:
        if not str(extra.get("post_name") or "").strip():
            raise validation_failed({"post_name": "请填写安排的岗位 / name the post"})
        return
    if programme.code == "campus_loan":
        if not CONTRACT_NO.match(str(extra.get("contract_no") or "").strip()):
            raise validation_failed({"contract_no": "请填写银行借款合同编号（6-32位字母、数字或“-”） "
                                                    "/ give the bank's loan contract number"})
        return
    if programme.kind == LOAN:
        return
    if stage != "public_notice":
        raise DomainError("committee_pending", "资助评审委员会尚未评审通过，不能发放",
                          "The committee has not approved this application yet",
                          {"stage": f"当前阶段：{STAGE_ZH.get(stage, stage)} / current stage: "
                                    f"{stage}"}, 409)
    until = datetime.fromisoformat(result["notice_until"])
    if now < until:
        raise DomainError("notice_period", f"公示期至{until:%Y-%m-%d %H:%M}，公示期满后方可发放",
                          f"The public notice runs until {until:%Y-%m-%d %H:%M}; complete it "
                          "afterwards", {"notice_until": until.isoformat()}, 409)
