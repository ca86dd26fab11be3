"""Window 4 rules (plain functions): who is a graduating student, document stamping, the
agreement reissue and breach, employment-subsidy eligibility and the startup-park team."""
from datetime import date

from marshmallow import Schema, fields, validate

from osac_shared.forms import IsoDate

OPEN_OR_DONE = ("submitted", "accepted", "returned", "resubmitted", "processing", "completed")
STUDENT_ID = r"^[0-9]{10}$"


def graduation_year_field():
    return fields.Int(required=True, validate=validate.Range(min=2000, max=2100),
                      metadata={"label_zh": "毕业年份（届）", "label_en": "Graduation year"})


def graduating_year(today):
    """The class that graduates in the academic year of ``today`` (September to August)."""
    return today.year + 1 if today.month >= 9 else today.year


def graduating_problems(year, today):
    expected = graduating_year(today)
    if year != expected:
        return {"form.graduation_year": f"仅限应届毕业生（{expected}届）/ graduating students "
                                        f"only (class of {expected})"}
    return {}


def earlier(previous, **match):
    """The earlier cases ([(status, form)]) still open or done whose form matches ``match``."""
    return [f for status, f in previous if status in OPEN_OR_DONE
            and all(f.get(k) == v for k, v in match.items())]


# ---- consultation ------------------------------------------------------------------------
TOPICS = {"admissions": "招生", "employment": "就业", "entrepreneurship": "创业"}


class PolicyQuestionForm(Schema):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(TOPICS)),
                       metadata={"label_zh": "咨询类别", "label_en": "Topic", "choices_zh": TOPICS})
    question = fields.Str(required=True, validate=validate.Length(min=2, max=1000),
                          metadata={"label_zh": "问题", "label_en": "Question"})




# ---- stamping ----------------------------------------------------------------------------
DOCUMENTS = {"graduate_certificate": "应届毕业生证明", "recommendation_form": "就业推荐表"}


class StampForm(Schema):
    document = fields.Str(required=True, validate=validate.OneOf(tuple(DOCUMENTS)),
                          metadata={"label_zh": "盖章材料", "label_en": "Document",
                                    "choices_zh": DOCUMENTS})
    copies = fields.Int(load_default=1, validate=validate.Range(min=1, max=5),
                        metadata={"label_zh": "份数（1–5）", "label_en": "Copies (1-5)"})
    graduation_year = graduation_year_field()


def stamp_problems(form, previous, today):
    problems = graduating_problems(form["graduation_year"], today)
    if form["document"] == "recommendation_form":
        if form["copies"] != 1:
            problems["form.copies"] = "就业推荐表原件只盖章一份 / the recommendation form: one copy"
        if earlier(previous, document="recommendation_form"):
            problems["form.document"] = ("就业推荐表已盖章（或正在办理），不能重复盖章 / your "
                                         "recommendation form is already stamped or in progress")
    return problems


# ---- employment agreement ----------------------------------------------------------------
AGREEMENT_NO = r"^[0-9A-Za-z-]{4,30}$"


class AgreementReissueForm(Schema):
    graduation_year = graduation_year_field()
    agreement_no = fields.Str(load_default="", validate=validate.Regexp(r"^$|^[0-9A-Za-z-]{4,30}$"),
                              metadata={"label_zh": "原协议书编号（如记得）",
                                        "label_en": "Old agreement number (if known)"})
    how_lost = fields.Str(required=True, validate=validate.Length(min=2, max=500),
                          metadata={"label_zh": "遗失经过", "label_en": "How it was lost"})


class AgreementBreachForm(Schema):
    graduation_year = graduation_year_field()
    employer = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                          metadata={"label_zh": "原签约单位", "label_en": "Employer"})
    agreement_no = fields.Str(required=True, validate=validate.Regexp(AGREEMENT_NO),
                              metadata={"label_zh": "原协议书编号", "label_en": "Agreement number"})
    signed_on = IsoDate(required=True, metadata={"label_zh": "签约日期", "label_en": "Signed on"})
    reason = fields.Str(required=True, validate=validate.Length(min=2, max=500),
                        metadata={"label_zh": "解约原因", "label_en": "Why"})


def new_agreement_no(graduation_year, case_id):
    """The number of a reissued agreement: the class year and the case's own suffix."""
    return f"JY{graduation_year}-{case_id.rsplit('-', 1)[-1].upper()}"


def breach_problems(form, previous, today):
    """Graduating students only, an agreement signed before today, and one breach per student."""
    problems = graduating_problems(form["graduation_year"], today)
    if date.fromisoformat(form["signed_on"]) > today:
        problems["form.signed_on"] = "签约日期不能晚于今天 / cannot be in the future"
    if earlier(previous):
        problems["form.agreement_no"] = ("每名毕业生限办理一次毁约，您已申请过 / a graduate may "
                                         "end an agreement only once; you already applied")
    return problems


# ---- employment subsidy ------------------------------------------------------------------
HARDSHIP_RECORDS = {"subsistence": "城乡低保家庭", "poverty_registered": "脱贫家庭（建档立卡）",
                    "special_hardship": "特困人员", "student_loan": "获得国家助学贷款",
                    "none": "无"}


class SubsidyForm(Schema):
    graduation_year = graduation_year_field()
    hardship_record = fields.Str(required=True, validate=validate.OneOf(tuple(HARDSHIP_RECORDS)),
                                 metadata={"label_zh": "困难类别", "label_en": "Hardship record",
                                           "choices_zh": HARDSHIP_RECORDS})
    disability_certificate_no = fields.Str(
        load_default="", validate=validate.Regexp(r"^$|^[0-9]{17}[0-9Xx][0-9]{2}$"),
        metadata={"label_zh": "残疾人证号（20位，如有）",
                  "label_en": "Disability certificate number (20 characters, if any)"})


def subsidy_problems(form, previous, today):
    """Eligible: a graduating student with a hardship record or a disability certificate, who has
    not applied before. Every reason is named at once."""
    problems = graduating_problems(form["graduation_year"], today)
    if form["hardship_record"] == "none" and not form.get("disability_certificate_no"):
        problems["form.hardship_record"] = ("须为低保、脱贫（建档立卡）、特困、获国家助学贷款家庭"
                                            "学生或持残疾人证 / only students with a hardship "
                                            "record or a disability certificate are eligible")
    if earlier(previous):
        problems["form.graduation_year"] = ("求职创业补贴每人限申请一次，您已申请过 / one "
                                            "application per graduate; you already applied")
    return problems


# ---- startup park ------------------------------------------------------------------------
MAX_TEAM = 10


class StartupForm(Schema):
    project_name = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                              metadata={"label_zh": "项目名称", "label_en": "Project"})
    industry = fields.Str(required=True, validate=validate.Length(min=2, max=50),
                       metadata={"label_zh": "所属行业", "label_en": "Industry"})
    team_size = fields.Int(required=True, validate=validate.Range(
        min=1, max=MAX_TEAM, error=f"团队人数须为1–{MAX_TEAM}人 / a team has 1 to {MAX_TEAM} people"),
        metadata={"label_zh": "团队人数（含本人，1–10）", "label_en": "Team size (you included)"})
    members = fields.List(fields.Str(validate=validate.Regexp(STUDENT_ID)), load_default=list,
                          metadata={"label_zh": "其他成员学号", "label_en": "Other members' ids"})
    summary = fields.Str(required=True, validate=validate.Length(min=10, max=2000),
                         metadata={"label_zh": "项目简介", "label_en": "Summary"})


def team_problems(team_size, members, applicant_id):
    """The other members, when listed, are ``team_size - 1`` distinct students, not you."""
    if not members:
        return {}
    if applicant_id in members:
        return {"form.members": "请勿填写本人学号 / leave yourself out of the list"}
    if len(set(members)) != len(members):
        return {"form.members": "学号重复 / a student id is listed twice"}
    if len(members) != team_size - 1:
        return {"form.members": f"团队{team_size}人，应列出其他{team_size - 1}名成员 / a team of "
                                f"{team_size} lists {team_size - 1} other members"}
    return {}
