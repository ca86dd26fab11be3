"""Window 4 rules (plain functions): who is a graduating student, document stamping, the
agreement reissue and breach, employment-subsidy eligibility and the startup-park team. Each
rule reads only the fields that loaded, so one notice names the field errors and the broken
rules together."""
from datetime import date, timedelta

from marshmallow import ValidationError, fields, validate

from osac_shared import forms
from osac_shared.errors import marshmallow_fields
from osac_shared.forms import Form, IsoDate, Text

OPEN_OR_DONE = ("submitted", "accepted", "returned", "resubmitted", "processing", "completed")
STUDENT_ID = r"^[0-9]{10}$"


def choices(table):
    """{value: (中文, English)} -> the field metadata naming every choice in both languages."""
    return {"choices_zh": {k: zh for k, (zh, _en) in table.items()},
            "choices_en": {k: en for k, (_zh, en) in table.items()}}


def load_partial(schema_cls, data):
    """Like ``osac_shared.forms.load``, but also hands back the fields that did load, so the
    rules can be checked on them in the same notice as the field errors."""
    if not isinstance(data, dict):
        return {}, forms.load(schema_cls, data)[1]
    try:
        return schema_cls().load(data), {}
    except ValidationError as err:
        return dict(err.valid_data or {}), {
            f"form.{k}": v for k, v in marshmallow_fields(err).items()}


def graduation_year_field():
    return fields.Int(required=True, validate=validate.Range(min=2000, max=2100),
                      metadata={"label_zh": "毕业年份（届）", "label_en": "Graduation year "
                                                                     "(class of)"})


def graduating_year(today):
    """The class that graduates in the academic year of ``today`` (September to August)."""
    return today.year + 1 if today.month >= 9 else today.year


def graduating_problems(year, today):
    expected = graduating_year(today)
    if year is not None and year != expected:
        return {"form.graduation_year": f"仅限应届毕业生（{expected}届）/ graduating students "
                                        f"only (class of {expected})"}
    return {}


def earlier(previous, **match):
    """The earlier cases ([(status, form)]) still open or done whose form matches ``match``."""
    return [f for status, f in previous if status in OPEN_OR_DONE
            and all(f.get(k) == v for k, v in match.items())]


# ---- consultation ------------------------------------------------------------------------
TOPICS = {"admissions": ("招生", "Admissions"), "employment": ("就业", "Employment"),
          "entrepreneurship": ("创业", "Starting a business")}


class PolicyQuestionForm(Form):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(TOPICS)),
                       metadata={"label_zh": "咨询类别", "label_en": "Topic", **choices(TOPICS)})
    question = Text(required=True, min_length=2, max_length=1000,
                    metadata={"label_zh": "问题", "label_en": "Question"})


# ---- stamping ----------------------------------------------------------------------------
DOCUMENTS = {"graduate_certificate": ("应届毕业生证明", "Graduation-year certificate"),
             "recommendation_form": ("就业推荐表", "Employment recommendation form")}


class StampForm(Form):
    document = fields.Str(required=True, validate=validate.OneOf(tuple(DOCUMENTS)),
                          metadata={"label_zh": "盖章材料", "label_en": "Document",
                                    **choices(DOCUMENTS)})
    copies = fields.Int(load_default=1, validate=validate.Range(min=1, max=5),
                        metadata={"label_zh": "份数（1–5）", "label_en": "Copies (1-5)"})
    graduation_year = graduation_year_field()


def stamp_problems(form, previous, today):
    problems = graduating_problems(form.get("graduation_year"), today)
    if form.get("document") == "recommendation_form":
        if form.get("copies", 1) != 1:
            problems["form.copies"] = "就业推荐表原件只盖章一份 / the recommendation form: one copy"
        if earlier(previous, document="recommendation_form"):
            problems["form.document"] = ("就业推荐表已盖章（或正在办理），不能重复盖章 / your "
                                         "recommendation form is already stamped or in progress")
    return problems


# ---- employment agreement ----------------------------------------------------------------
AGREEMENT_NO = r"^[0-9A-Za-z-]{4,30}$"


AGREEMENT_NO_ERROR = ("协议书编号为4–30位字母、数字或连字符 / an agreement number is 4-30 letters, "
                      "digits or dashes")


class AgreementReissueForm(Form):
    graduation_year = graduation_year_field()
    agreement_no = fields.Str(load_default="", validate=validate.Regexp(
        r"^$|^[0-9A-Za-z-]{4,30}$", error=AGREEMENT_NO_ERROR),
        metadata={"label_zh": "原协议书编号（如记得）", "label_en": "Old agreement number (if "
                                                             "known)"})
    how_lost = Text(required=True, min_length=2, max_length=500,
                    metadata={"label_zh": "遗失经过", "label_en": "How it was lost"})


class AgreementBreachForm(Form):
    graduation_year = graduation_year_field()
    employer = Text(required=True, min_length=2, max_length=100,
                    metadata={"label_zh": "原签约单位", "label_en": "Employer"})
    agreement_no = fields.Str(required=True, validate=validate.Regexp(
        AGREEMENT_NO, error=AGREEMENT_NO_ERROR),
        metadata={"label_zh": "原协议书编号", "label_en": "Agreement number"})
    signed_on = IsoDate(required=True, metadata={"label_zh": "签约日期", "label_en": "Signed on"})
    reason = Text(required=True, min_length=2, max_length=500,
                  metadata={"label_zh": "解约原因", "label_en": "Why"})


def new_agreement_no(graduation_year, case_id):
    """The number of a reissued agreement: the class year and the case's own suffix."""
    return f"JY{graduation_year}-{case_id.rsplit('-', 1)[-1].upper()}"


def breach_problems(form, previous, today):
    """Graduating students only, an agreement signed before today, and one breach per student."""
    problems = graduating_problems(form.get("graduation_year"), today)
    if form.get("signed_on") and date.fromisoformat(form["signed_on"]) > today:
        problems["form.signed_on"] = "签约日期不能晚于今天 / cannot be in the future"
    if earlier(previous):
        problems["form.agreement_no"] = ("每名毕业生限办理一次毁约，您已申请过 / a graduate may "
                                         "end an agreement only once; you already applied")
    return problems


# ---- employment subsidy ------------------------------------------------------------------
HARDSHIP_RECORDS = {
    "subsistence": ("城乡低保家庭", "Family on the subsistence allowance"),
    "poverty_registered": ("脱贫家庭（建档立卡）", "Registered poor family"),
    "special_hardship": ("特困人员", "Person in extreme hardship"),
    "student_loan": ("获得国家助学贷款", "Holder of a national student loan"),
    "none": ("无（持残疾人证申请）", "None (applying with a disability certificate)")}


class SubsidyForm(Form):
    graduation_year = graduation_year_field()
    hardship_record = fields.Str(required=True, validate=validate.OneOf(tuple(HARDSHIP_RECORDS)),
                                 metadata={"label_zh": "困难类别", "label_en": "Hardship record",
                                           **choices(HARDSHIP_RECORDS)})
    disability_certificate_no = fields.Str(
        load_default="", validate=validate.Regexp(
            r"^$|^[0-9]{17}[0-9Xx][0-9]{2}$", error="残疾人证号为20位（身份证号加2位）/ a "
                                                    "disability certificate number has 20 "
                                                    "characters"),
        metadata={"label_zh": "残疾人证号（20位，如有）",
                  "label_en": "Disability certificate number (20 characters, if any)"})


def subsidy_problems(form, previous, today):
    """Eligible: a graduating student with a hardship record or a disability certificate, who has
    not applied before. Every reason is named at once."""
    problems = graduating_problems(form.get("graduation_year"), today)
    if form.get("hardship_record") == "none" and "disability_certificate_no" in form and \
            not form["disability_certificate_no"]:
        problems["form.hardship_record"] = ("须为低保、脱贫（建档立卡）、特困、获国家助学贷款家庭"
                                            "学生或持残疾人证 / only students with a hardship "
                                            "record or a disability certificate are eligible")
    if earlier(previous):
        problems["form.graduation_year"] = ("求职创业补贴每人限申请一次，您已申请过 / one "
                                            "application per graduate; you already applied")
    return problems


# ---- startup park ------------------------------------------------------------------------
MAX_TEAM = 10


class StartupForm(Form):
    project_name = Text(required=True, min_length=2, max_length=100,
                        metadata={"label_zh": "项目名称", "label_en": "Project"})
    industry = Text(required=True, min_length=2, max_length=50,
                    metadata={"label_zh": "所属行业", "label_en": "Industry"})
    team_size = fields.Int(required=True, validate=validate.Range(
        min=1, max=MAX_TEAM, error=f"团队人数须为1–{MAX_TEAM}人 / a team has 1 to {MAX_TEAM} people"),
        metadata={"label_zh": "团队人数（含本人，1–10）", "label_en": "Team size (you included)"})
    members = fields.List(fields.Str(validate=validate.Regexp(
        STUDENT_ID, error="学号须为10位数字 / a student id is 10 digits")), load_default=list,
        validate=validate.Length(max=MAX_TEAM - 1),
        metadata={"label_zh": "其他成员学号", "label_en": "Other members' ids"})
    summary = Text(required=True, min_length=10, max_length=2000,
                   metadata={"label_zh": "项目简介", "label_en": "Summary"})


def team_problems(team_size, members, applicant_id):
    """The other members, when listed, are ``team_size - 1`` distinct students, not you."""
    if not members or team_size is None:
        return {}
    if applicant_id in members:
        return {"form.members": "请勿填写本人学号 / leave yourself out of the list"}
    if len(set(members)) != len(members):
        return {"form.members": "学号重复 / a student id is listed twice"}
    if len(members) != team_size - 1:
        return {"form.members": f"团队{team_size}人，应列出其他{team_size - 1}名成员 / a team of "
                                f"{team_size} lists {team_size - 1} other members"}
    return {}


class PlaceBody(Form):
    """Completing a startup-park application: the space the panel assigned and when."""
    space = Text(required=True, max_length=100,
                 metadata={"label_zh": "安排的场地（如：创业园B区203工位）",
                           "label_en": "Space assigned (e.g. park zone B, desk 203)"})
    move_in_on = IsoDate(load_default=None, allow_none=True,
                         metadata={"label_zh": "入驻日期", "label_en": "Moves in on"})
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "备注（学生可见）", "label_en": "Note (the student sees it)"})


# ---- examples (valid on the demo data: a graduating student of this academic year) ----------
def examples():
    """{item code: example form (a function of now where it has a date or the class year)}."""
    def year(now):
        return graduating_year(now.date())

    return {
        "career.policy-consultation": {
            "topic": "employment", "question": "签订三方协议后想考研，报到证和档案应如何处理？"},
        "career.graduate-document-stamp": lambda now: {
            "document": "recommendation_form", "copies": 1, "graduation_year": year(now)},
        "career.agreement-reissue": lambda now: {
            "graduation_year": year(now), "agreement_no": f"HN{year(now)}-00123",
            "how_lost": "搬离宿舍时与其他资料一同遗失"},
        "career.agreement-breach": lambda now: {
            "graduation_year": year(now), "employer": "株洲某科技有限公司",
            "agreement_no": f"HN{year(now)}-00456",
            "signed_on": (now.date() - timedelta(days=30)).isoformat(),
            "reason": "已被研究生录取，与用人单位协商一致解约"},
        "career.employment-subsidy": lambda now: {
            "graduation_year": year(now), "hardship_record": "subsistence",
            "disability_certificate_no": ""},
        "career.startup-park": {
            "project_name": "校园二手书循环平台", "industry": "互联网", "team_size": 3,
            "members": ["2026000002", "2026000003"],
            "summary": "面向本校学生的二手教材交易与循环平台，已完成小程序原型。"},
    }
