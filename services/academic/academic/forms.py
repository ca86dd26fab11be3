"""Academic Affairs' item forms (one per item), their examples, and the rules a form must keep
that one field alone cannot say (plain functions, every problem named at once).

    load_partial(FormClass, data)      -> (the fields that loaded, {"form.<field>": problem})
    correction_problems(form)          -> {"form.<field>": problem}
    exchange_problems(form, now)       -> {"form.<field>": problem}
    exchange_materials(form)           -> {material code: why}   (the language certificate)
    transfer_problems(form, round_)    -> {"form.<field>": problem}
    EXAMPLES                           -> {item code: example form, or a function of now}
"""
from datetime import date

from marshmallow import ValidationError, fields, validate

from osac_shared import forms
from osac_shared.clock import TZ
from osac_shared.errors import marshmallow_fields
from osac_shared.forms import Form, Text

from .majors import MAJORS, academic_year_of


def choices(table):
    """{value: (中文, English)} -> the field metadata that names every choice in both."""
    return {"choices_zh": {k: zh for k, (zh, _en) in table.items()},
            "choices_en": {k: en for k, (_zh, en) in table.items()}}


def one_of(table):
    return validate.OneOf(tuple(table))


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


# ---- certificates (在读证明、学籍证明、成绩单) ------------------------------------------------
class CertificateForm(Form):
    purpose = Text(required=True, min_length=2, max_length=60,
                   metadata={"label_zh": "用途（如：办理签证、求职），将印在证明上",
                             "label_en": "Purpose (e.g. a visa, a job application); printed "
                                         "on the certificate"})


# ---- study policy questions (学业政策咨询) ----------------------------------------------------
POLICY_TOPICS = {
    "training_plan": ("人才培养方案", "Training plan (curriculum)"),
    "course_selection": ("选课", "Course selection"),
    "credits": ("学分认定与转换", "Credit recognition and transfer"),
    "retake": ("重修与补考", "Re-takes and make-up exams"),
    "exams": ("考试安排与缓考", "Exam arrangements and deferral"),
    "minor": ("辅修与第二学位", "Minor and second degree"),
    "other": ("其他学业问题", "Another study question"),
}


class PolicyQuestionForm(Form):
    topic = fields.Str(required=True, validate=one_of(POLICY_TOPICS),
                       metadata={"label_zh": "咨询类别", "label_en": "Topic",
                                 **choices(POLICY_TOPICS)})
    question = Text(required=True, min_length=5, max_length=1000,
                    metadata={"label_zh": "您的问题", "label_en": "Your question"})
    course = Text(load_default="", max_length=100,
                  metadata={"label_zh": "相关课程（如有）",
                            "label_en": "The course concerned (if any)"})


# ---- record correction (教务系统信息错误修改) -------------------------------------------------
CORRECTION_CATEGORIES = {
    "personal_info": ("个人信息（姓名、身份证号、出生日期等）",
                      "Personal data (name, ID number, date of birth, ...)"),
    "course": ("选课或课程记录", "Course enrolment or course record"),
    "grade": ("成绩记录", "Grade record"),
    "other": ("其他", "Other"),
}
TERM = validate.Regexp(r"^20[0-9]{2}-20[0-9]{2}-[12]$",
                       error="学期格式如 2025-2026-1 / a term looks like 2025-2026-1")
NEEDS_TERM = ("course", "grade")


class CorrectionForm(Form):
    category = fields.Str(required=True, validate=one_of(CORRECTION_CATEGORIES),
                          metadata={"label_zh": "错误类别", "label_en": "What kind of data",
                                    **choices(CORRECTION_CATEGORIES)})
    record = Text(load_default="", max_length=100,
                  metadata={"label_zh": "有误的记录（课程、成绩类必填，如：高等数学A(一) 期末成绩）",
                            "label_en": "The wrong record (for a course or grade, e.g. "
                                        "Calculus A (1), final grade)"})
    term = fields.Str(load_default="", validate=validate.Regexp(
        r"^$|^20[0-9]{2}-20[0-9]{2}-[12]$", error=TERM.error),
        metadata={"label_zh": "所属学期（课程、成绩类必填，如 2025-2026-1）",
                  "label_en": "Term (for a course or grade, e.g. 2025-2026-1)"})
    wrong_value = Text(required=True, max_length=200,
                       metadata={"label_zh": "系统中现有内容", "label_en": "What it says now"})
    correct_value = Text(required=True, max_length=200,
                         metadata={"label_zh": "正确内容", "label_en": "What it should say"})


def correction_problems(form):
    """A course or grade correction names the record and its term; the correct value differs
    from what the system says."""
    problems = {}
    if form.get("category") in NEEDS_TERM and "record" in form and not form["record"]:
        problems["form.record"] = ("课程、成绩类更正须写明有误的记录（课程名称及成绩项）/ a course or "
                                   "grade correction names the record (course and grade item)")
    if form.get("category") in NEEDS_TERM and "term" in form and not form["term"]:
        problems["form.term"] = ("课程、成绩类更正须填写所属学期（如 2025-2026-1）/ a course or "
                                 "grade correction names its term (e.g. 2025-2026-1)")
    term = form.get("term") or ""
    if term and int(term[5:9]) != int(term[:4]) + 1:
        problems["form.term"] = "学年须为相邻两年，如 2025-2026 / consecutive years, e.g. 2025-2026"
    if form.get("wrong_value") and form.get("wrong_value") == form.get("correct_value"):
        problems["form.correct_value"] = ("正确内容与现有内容相同，无需更正 / the correct value "
                                          "is the same as what it says now")
    return problems


class CorrectionDoneBody(Form):
    """Completing a correction: what the A post entered in the academic system."""
    corrected_value = Text(required=True, max_length=200,
                           metadata={"label_zh": "系统中更正后的内容",
                                     "label_en": "What the system says now"})
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "备注（学生可见）", "label_en": "Note (the student sees it)"})


# ---- exchange programmes (交流生项目) ---------------------------------------------------------
PROGRAMMES = {
    "domestic_exchange": ("国内校际交流（访学一学期或一学年）",
                          "Domestic exchange (a semester or a year at a partner)"),
    "overseas_exchange": ("境外交换（学期或学年）", "Exchange abroad (a semester or a year)"),
    "summer_school": ("境外暑期项目", "Summer school abroad"),
    "joint_degree": ("联合培养（双学位）", "Joint programme (dual degree)"),
}
MIN_GPA = {"domestic_exchange": 2.0, "overseas_exchange": 2.5, "summer_school": 2.0,
           "joint_degree": 3.0}
ABROAD = ("overseas_exchange", "summer_school", "joint_degree")
TERMS = {
    "autumn": ("秋季学期", "Autumn semester"),
    "spring": ("春季学期", "Spring semester"),
    "full_year": ("一学年", "A full academic year"),
    "summer": ("暑期", "Summer"),
}
LANGUAGE_TESTS = {
    "cet4": ("大学英语四级（CET-4）", "College English Test band 4"),
    "cet6": ("大学英语六级（CET-6）", "College English Test band 6"),
    "ielts": ("雅思（IELTS）", "IELTS"),
    "toefl": ("托福（TOEFL iBT）", "TOEFL iBT"),
    "jlpt": ("日语能力考试（JLPT）", "Japanese-Language Proficiency Test"),
    "none": ("无（国内交流不需要）", "None (not needed for a domestic exchange)"),
}
ACADEMIC_YEAR = r"^20[0-9]{2}-20[0-9]{2}$"


class ExchangeForm(Form):
    programme = fields.Str(required=True, validate=one_of(PROGRAMMES),
                           metadata={"label_zh": "项目类别", "label_en": "Programme",
                                     **choices(PROGRAMMES)})
    partner_university = Text(required=True, min_length=2, max_length=100,
                              metadata={"label_zh": "交流院校", "label_en": "Partner university"})
    academic_year = fields.Str(required=True, validate=validate.Regexp(
        ACADEMIC_YEAR, error="学年格式如 2027-2028 / an academic year looks like 2027-2028"),
        metadata={"label_zh": "交流学年（如 2027-2028）", "label_en": "Academic year (e.g. "
                                                                     "2027-2028)"})
    term = fields.Str(required=True, validate=one_of(TERMS),
                      metadata={"label_zh": "交流时段", "label_en": "When", **choices(TERMS)})
    gpa = fields.Float(required=True, validate=validate.Range(min=0, max=4),
                       metadata={"label_zh": "平均学分绩点（4分制）", "label_en": "GPA (of 4)"})
    language_test = fields.Str(required=True, validate=one_of(LANGUAGE_TESTS),
                               metadata={"label_zh": "外语水平考试", "label_en": "Language test",
                                         **choices(LANGUAGE_TESTS)})
    language_score = fields.Float(load_default=None, allow_none=True,
                                  validate=validate.Range(min=0, max=1000),
                                  metadata={"label_zh": "外语成绩（如 6.5、560）",
                                            "label_en": "Language score (e.g. 6.5, 560)"})
    study_plan = Text(required=True, min_length=10, max_length=2000,
                      metadata={"label_zh": "申请理由与学习计划",
                                "label_en": "Why, and what you will study"})


def exchange_problems(form, now):
    """The programme's own rules: a GPA at its minimum, the term it runs in, a language test
    (with its score) for a programme abroad, and an academic year not already under way."""
    problems = {}
    programme = form.get("programme")
    if programme in MIN_GPA and form.get("gpa") is not None and \
            form["gpa"] < MIN_GPA[programme]:
        zh, en = PROGRAMMES[programme]
        problems["form.gpa"] = (f"{zh}要求平均学分绩点不低于{MIN_GPA[programme]} / {en} needs a "
                                f"GPA of at least {MIN_GPA[programme]}")
    term = form.get("term")
    if programme == "summer_school" and term not in (None, "summer"):
        problems["form.term"] = "暑期项目的时段须为暑期 / a summer school runs in the summer"
    elif programme in PROGRAMMES and programme != "summer_school" and term == "summer":
        problems["form.term"] = ("只有暑期项目在暑期进行，请选择学期或学年 / only a summer school "
                                 "runs in the summer; choose a semester or the year")
    test = form.get("language_test")
    if programme in ABROAD and test == "none":
        problems["form.language_test"] = ("境外项目须提供外语水平考试成绩 / a programme abroad needs "
                                          "a language test")
    if test not in (None, "none") and "language_score" in form and \
            form.get("language_score") is None:
        problems["form.language_score"] = "请填写外语成绩 / give the score of the test"
    year = form.get("academic_year")
    if year:
        first, second = int(year[:4]), int(year[5:])
        if second != first + 1:
            problems["form.academic_year"] = ("学年须为相邻两年，如 2027-2028 / consecutive "
                                              "years, e.g. 2027-2028")
        elif now.astimezone(TZ).date() >= term_starts(first, term or "autumn"):
            problems["form.academic_year"] = ("该学年（学期）已经开始，请申请之后的学年或学期 / that "
                                              "academic year (term) has begun; apply for a later "
                                              "one")
    return problems


TERM_STARTS = {"autumn": (0, 9, 1), "full_year": (0, 9, 1), "spring": (1, 2, 15),
               "summer": (1, 7, 1)}


def term_starts(academic_year, term):
    """The day a term of the academic year starting in ``academic_year`` begins."""
    years, month, day = TERM_STARTS[term]
    return date(academic_year + years, month, day)


def exchange_materials(form):
    """{code: why}: the language certificate whenever a language test is named."""
    if form.get("language_test") not in (None, "none"):
        return {"language_certificate": "填写了外语水平考试须附成绩证明 / a language test "
                                        "named needs its certificate"}
    return {}


def next_academic_year(now):
    year = academic_year_of(now) + 1
    return f"{year}-{year + 1}"


# ---- major transfer (转专业) -----------------------------------------------------------------
MAJOR_CHOICES = choices(MAJORS)


class TransferForm(Form):
    current_major = fields.Str(required=True, validate=one_of(MAJORS),
                               metadata={"label_zh": "现专业", "label_en": "Current major",
                                         **MAJOR_CHOICES})
    target_major = fields.Str(required=True, validate=one_of(MAJORS),
                              metadata={"label_zh": "拟转入专业", "label_en": "Target major",
                                        **MAJOR_CHOICES})
    gpa = fields.Float(required=True, validate=validate.Range(min=0, max=4),
                       metadata={"label_zh": "已修课程平均学分绩点（4分制）",
                                 "label_en": "GPA so far (of 4)"})
    reason = Text(required=True, min_length=10, max_length=1000,
                  metadata={"label_zh": "申请理由", "label_en": "Reason"})


def transfer_problems(form, round_):
    """What the form itself breaks in ``round_``: the same major twice, or a target major that
    takes nobody in this round (the quota and one application per round are checked when the
    place is held)."""
    problems = {}
    current, target = form.get("current_major"), form.get("target_major")
    if current and current == target:
        problems["form.target_major"] = ("拟转入专业不能与现专业相同 / the target major must "
                                         "differ from your current one")
    elif target and round_ is not None and round_.quotas.get(target, 0) <= 0:
        zh, en = MAJORS[target]
        open_ = "、".join(MAJORS[m][0] for m, n in round_.quotas.items() if n > 0)
        problems["form.target_major"] = (f"{zh}专业本轮不接收转入，本轮接收：{open_} / {en} takes "
                                         f"no transfers in this round")
    return problems


class TransferDoneBody(Form):
    """Completing a transfer: from which term the student studies in the new major."""
    effective_term = fields.Str(load_default="", validate=validate.Regexp(
        r"^$|^20[0-9]{2}-20[0-9]{2}-[12]$", error=TERM.error),
        metadata={"label_zh": "新专业生效学期（如 2026-2027-2；留空为本轮之后的第一个学期）",
                  "label_en": "First term in the new major (e.g. 2026-2027-2; empty: the "
                              "term after the round)"})
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "备注（学生可见）", "label_en": "Note (the student sees it)"})


def next_term(round_code):
    """The first term after a round ("2026-2027-1"): a round in the autumn semester leads to
    the spring one, a spring round to the next academic year's autumn."""
    first = int(round_code[:4])
    return f"{first}-{first + 1}-2" if round_code.endswith("-1") else \
        f"{first + 1}-{first + 2}-1"


# ---- examples (valid on the demo data for the journey's student) ------------------------------
def _exchange_example(now):
    return {"programme": "overseas_exchange", "partner_university": "新加坡国立大学",
            "academic_year": next_academic_year(now), "term": "autumn", "gpa": 3.6,
            "language_test": "ielts", "language_score": 6.5,
            "study_plan": "计划修读数据库与分布式系统方向的课程，学分回校按培养方案认定。"}


EXAMPLES = {
    "academic.enrollment-certificate": {"purpose": "办理出国签证"},
    "academic.status-certificate": {"purpose": "报考研究生资格审查"},
    "academic.transcript": {"purpose": "申请境外交换项目"},
    "academic.policy-consultation": {
        "topic": "credits", "course": "大学生创新创业训练",
        "question": "参加大学生创新创业训练计划项目结题后，可以认定多少创新学分？"},
    "academic.record-correction": {
        "category": "grade", "record": "高等数学A(一) 期末成绩", "term": "2025-2026-1",
        "wrong_value": "58", "correct_value": "85"},
    "academic.exchange": _exchange_example,
    # 2026000003 王芳 studies 会计学 (accounting)
    "academic.major-transfer": {
        "current_major": "accounting", "target_major": "computer_science", "gpa": 3.5,
        "reason": "大一修读程序设计基础成绩优秀，对计算机方向有浓厚兴趣，希望转入计算机科学与技术专业。"},
}
