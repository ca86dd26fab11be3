"""Security rules (plain functions): the item forms and their examples, Chinese plate numbers,
pass validity periods, the owner relation, overlapping passes, the activity safety form, the
stages' inputs, and the materials a form makes necessary (``conditional_materials``)."""
import re
from datetime import date, datetime, timedelta

from marshmallow import fields, validate

from osac_shared import forms
from osac_shared.auth import STUDENT
from osac_shared.clock import TZ
from osac_shared.errors import validation_failed
from osac_shared.forms import Form, IsoDate, Text

PHONE = validate.Regexp(r"^1[3-9][0-9]{9}$", error="手机号须为11位，以1开头 / an 11-digit "
                                                   "mobile number starting with 1")
OPTIONAL_PHONE = validate.Regexp(r"^$|^1[3-9][0-9]{9}$", error="手机号须为11位，以1开头 / an "
                                                               "11-digit mobile number")


def _load(schema, form):
    data, problems = forms.load(schema, form)
    if problems:
        raise validation_failed(problems)
    return data


# ---- plates (GA 36-2018) -----------------------------------------------------------------

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"   # the 31 mainland ones
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"                                    # A–Z without I and O
_P, _L, _LD = f"[{PROVINCES}]", f"[{LETTERS}]", f"[{LETTERS}0-9]"
ORDINARY = re.compile(f"^{_P}{_L}{_LD}{{5}}$")                          # 湘A12345, 湘AB123C
NEW_ENERGY = re.compile(f"^{_P}{_L}([DF]{_LD}[0-9]{{4}}|[0-9]{{5}}[DF])$")  # 湘AD12345, 湘A12345D


def normalize_plate(text):
    """'湘a·12345 ' -> '湘A12345' (spaces, dots and dashes dropped, letters upper-cased)."""
    return re.sub(r"[\s·•.\-]", "", str(text or "")).upper()


def plate_kind(plate):
    """'ordinary', 'new_energy' or None for a normalized plate."""
    if ORDINARY.match(plate):
        return "ordinary"
    if NEW_ENERGY.match(plate):
        return "new_energy"
    return None


def plate_problem(plate):
    """None for a valid normalized plate, else what is wrong and how to fix it ("中文 / English")."""
    if not plate:
        return "请填写车牌号 / enter the plate number"
    if plate_kind(plate):
        return None
    if plate[0] not in PROVINCES:
        return ("第一位须为省份简称，如“湘”“京” / must start with a province abbreviation such "
                "as 湘 or 京")
    if "I" in plate or "O" in plate:
        return "车牌不使用字母I和O，请检查是否为数字1和0 / plates never use I or O; did you mean 1 or 0?"
    if len(plate) < 2 or plate[1] not in LETTERS:
        return "第二位须为发牌机关字母（A–Z） / the second character must be a letter A–Z"
    if len(plate) not in (7, 8):
        return (f"长度不对（{len(plate)}位）：普通车牌7位，新能源车牌8位 / wrong length "
                f"({len(plate)}): 7 characters, or 8 for a new-energy plate")
    if len(plate) == 8:
        return ("新能源车牌格式为“湘AD12345”或“湘A12345D” / a new-energy plate looks like "
                "湘AD12345 or 湘A12345D")
    return "车牌格式不正确，例如“湘A12345” / not a valid plate; for example 湘A12345"


# ---- validity period and owner -----------------------------------------------------------
OWNER_RELATIONS = {"self": "本人", "parent": "父母", "spouse": "配偶"}
OWNER_RELATIONS_EN = {"self": "Myself", "parent": "A parent", "spouse": "My spouse"}
NOT_OWN_CAR = tuple(r for r in OWNER_RELATIONS if r != "self")
def one_year_after(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:            # 29 February
        return day.replace(year=day.year + 1, day=28)


def period_problems(valid_from, valid_to, today):
    """{field: message} for a pass period that is not allowed (empty when it is)."""
    problems = {}
    if valid_from < today:
        problems["form.valid_from"] = (f"起始日期不能早于今天（{today}） / cannot start before "
                                       f"today ({today})")
    if valid_to <= valid_from:
        problems["form.valid_to"] = "截止日期须晚于起始日期 / must be after the start date"
    elif valid_to > one_year_after(valid_from):
        latest = one_year_after(valid_from)
        problems["form.valid_to"] = (f"有效期最长一年，最晚可选 {latest} / at most one year; "
                                     f"the latest end is {latest}")
    return problems


class VehiclePassForm(Form):
    plate = Text(required=True, max_length=16,
                 metadata={"label_zh": "车牌号", "label_en": "Plate",
                           "help_zh": "如 湘B12345；新能源车如 湘AD12345",
                           "help_en": "e.g. 湘B12345; a new-energy car e.g. 湘AD12345"})
    vehicle = Text(required=True, min_length=2, max_length=50,
                   metadata={"label_zh": "车辆品牌型号及颜色", "label_en": "Make, model and colour"})
    owner_relation = fields.Str(required=True, validate=validate.OneOf(tuple(OWNER_RELATIONS)),
                                metadata={"label_zh": "车主是", "label_en": "The owner is",
                                          "choices_zh": OWNER_RELATIONS,
                                          "choices_en": OWNER_RELATIONS_EN})
    owner_name = Text(load_default="", max_length=32,
                      metadata={"label_zh": "车主姓名（车主非本人时必填）",
                                "label_en": "Owner's name (if not yourself)"})
    valid_from = IsoDate(required=True, metadata={"label_zh": "起始日期",
                                                  "label_en": "Valid from"})
    valid_to = IsoDate(required=True, metadata={"label_zh": "截止日期（最长一年）",
                                                "label_en": "Valid to (at most a year)"})
    phone = fields.Str(required=True, validate=PHONE,
                       metadata={"label_zh": "手机号", "label_en": "Mobile phone"})


def vehicle_problems(data, today):
    """{field: fix} for a loaded pass application (plate normalized), all at once."""
    valid_from = date.fromisoformat(data["valid_from"])
    valid_to = date.fromisoformat(data["valid_to"])
    problems = period_problems(valid_from, valid_to, today)
    problem = plate_problem(data["plate"])
    if problem:
        problems["form.plate"] = problem
    if data["owner_relation"] != "self" and not data["owner_name"]:
        problems["form.owner_name"] = "车主非本人时请填写车主姓名 / give the owner's name"
    return problems


def clean_vehicle_form(form, today):
    """Validate a pass application all at once; returns it JSON-ready with a normalized plate."""
    data = _load(VehiclePassForm, form)
    data["plate"] = normalize_plate(data["plate"])
    problems = vehicle_problems(data, today)
    if problems:
        raise validation_failed(problems)
    return data


def vehicle_materials(form):
    if form.get("owner_relation") in NOT_OWN_CAR:
        return {"owner_proof": "车主非本人时必交 / needed when the car is not your own"}
    return {}


# ---- passes ------------------------------------------------------------------------------

PENDING, ISSUED, CANCELLED = "pending", "issued", "cancelled"


def conflicting_pass(existing, valid_from, valid_to):
    """The first of a plate's passes that blocks a new one for [valid_from, valid_to]: one still
    being processed, or an issued one whose period overlaps. None if nothing blocks."""
    for p in existing:
        if p.status == PENDING:
            return p
        if p.status == ISSUED and p.valid_from <= valid_to and valid_from <= p.valid_to:
            return p
    return None


def pass_valid_on(p, on_date):
    return p is not None and p.status == ISSUED and p.valid_from <= on_date <= p.valid_to


# ---- activity safety ---------------------------------------------------------------------

NOTICE = timedelta(days=3)
MAX_DURATION = timedelta(days=30)
SAFETY_PLAN_FROM = 200


ACTIVITY_KINDS = {"lecture": "讲座、报告会", "performance": "文艺演出、晚会", "sports": "体育比赛",
                  "fair": "展览、招聘会、集市", "off_campus": "外出集体活动", "other": "其他"}
ACTIVITY_KINDS_EN = {"lecture": "Lecture or talk", "performance": "Show or gala",
                     "sports": "Sports event", "fair": "Exhibition, job fair or market",
                     "off_campus": "Off-campus group activity", "other": "Other"}


class ActivityForm(Form):
    name = Text(required=True, min_length=2, max_length=100,
                metadata={"label_zh": "活动名称", "label_en": "Activity"})
    kind = fields.Str(required=True, validate=validate.OneOf(tuple(ACTIVITY_KINDS)),
                      metadata={"label_zh": "活动类型", "label_en": "Kind of activity",
                                "choices_zh": ACTIVITY_KINDS, "choices_en": ACTIVITY_KINDS_EN})
    organizer = Text(required=True, min_length=2, max_length=100,
                     metadata={"label_zh": "主办单位", "label_en": "Organizer"})
    venue = Text(required=True, min_length=2, max_length=100,
                 metadata={"label_zh": "活动地点", "label_en": "Venue"})
    starts_at = fields.DateTime(required=True, metadata={"label_zh": "开始时间",
                                                         "label_en": "Starts"})
    ends_at = fields.DateTime(required=True, metadata={"label_zh": "结束时间", "label_en": "Ends"})
    participants = fields.Int(required=True, strict=True,
                              validate=validate.Range(min=1, max=100000),
                              metadata={"label_zh": "参与人数", "label_en": "Participants"})
    safety_officer = Text(required=True, min_length=2, max_length=32,
                          metadata={"label_zh": "安全负责人", "label_en": "Safety officer"})
    phone = fields.Str(required=True, validate=PHONE,
                       metadata={"label_zh": "安全负责人手机号",
                                 "label_en": "Safety officer's mobile"})
    request_ref = fields.Str(load_default=None, allow_none=True,
                             validate=validate.Regexp(r"^[a-z_]+-[0-9]{8}-[0-9a-f]{8}$",
                                                      error="须为事项编号，如 student_affairs-"
                                                            "20261207-1a2b3c4d / a case id"),
                             metadata={"label_zh": "关联的其他部门事项编号（可选）",
                                       "label_en": "The other office's case id (optional)"})


HOUSEHOLD_TOPICS = {"move_in": "户口迁入", "move_out": "户口迁出（毕业、转学、退学）",
                    "collective": "集体户口借用、户口页复印", "certificate": "户籍证明",
                    "id_card": "身份证办理、换领", "other": "其他"}
HOUSEHOLD_TOPICS_EN = {"move_in": "Moving a registration in",
                       "move_out": "Moving it out (graduation, transfer, leaving)",
                       "collective": "Borrowing the collective registration, a copy of "
                                     "one's page",
                       "certificate": "A registration certificate",
                       "id_card": "Getting or renewing an ID card", "other": "Other"}


class HouseholdQuestionForm(Form):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(HOUSEHOLD_TOPICS)),
                       metadata={"label_zh": "咨询类别", "label_en": "Topic",
                                 "choices_zh": HOUSEHOLD_TOPICS,
                                 "choices_en": HOUSEHOLD_TOPICS_EN})
    question = Text(required=True, min_length=2, max_length=1000,
                    metadata={"label_zh": "问题", "label_en": "Question"})


HAZARDS = {"fire": "消防", "public_order": "治安", "traffic": "交通", "other": "其他"}
HAZARDS_EN = {"fire": "Fire", "public_order": "Public order", "traffic": "Traffic",
              "other": "Other"}


class HazardForm(Form):
    category = fields.Str(required=True, validate=validate.OneOf(tuple(HAZARDS)),
                          metadata={"label_zh": "隐患类别", "label_en": "Kind of hazard",
                                    "choices_zh": HAZARDS, "choices_en": HAZARDS_EN})
    location = Text(required=True, min_length=2, max_length=100,
                    metadata={"label_zh": "具体位置", "label_en": "Where"})
    description = Text(required=True, min_length=2, max_length=1000,
                       metadata={"label_zh": "隐患描述", "label_en": "What you saw"})
    phone = fields.Str(load_default="", validate=OPTIONAL_PHONE,
                       metadata={"label_zh": "联系电话（可选，便于核实和反馈）",
                                 "label_en": "Phone (optional, to check and report back)"})


# ---- stage inputs ------------------------------------------------------------------------
class ActivityApproveBody(Form):
    """The A post approves an activity's safety with the guidance the organizer must follow."""
    guidance = Text(required=True, max_length=2000,
                    metadata={"label_zh": "安全指导意见（主办方须落实）",
                              "label_en": "Safety guidance (the organizer must follow it)"})
    reason = Text(load_default="", max_length=2000,
                  metadata={"label_zh": "备注", "label_en": "Note"})


HAZARD_OUTCOMES = {"fixed": "已整改消除", "referred": "已移交相关部门处置",
                   "no_hazard": "经核查无隐患"}
HAZARD_OUTCOMES_EN = {"fixed": "Fixed", "referred": "Handed to the office responsible",
                      "no_hazard": "Checked: no hazard"}


class HazardFeedbackBody(Form):
    """Closing a hazard report: what was found and done, told to the reporter."""
    outcome = fields.Str(required=True, validate=validate.OneOf(tuple(HAZARD_OUTCOMES)),
                         metadata={"label_zh": "处置结果", "label_en": "Outcome",
                                   "choices_zh": HAZARD_OUTCOMES,
                                   "choices_en": HAZARD_OUTCOMES_EN})
    feedback = Text(required=True, max_length=2000,
                    metadata={"label_zh": "反馈（举报人将看到）",
                              "label_en": "Feedback (the reporter sees it)"})


def hazard_feedback(extra, reason):
    """The result of closing a hazard report: the step's ``feedback`` and ``outcome`` (or,
    called as ``act``, the reason as the feedback); raises naming ``feedback`` without one."""
    extra = extra or {}
    text = str(extra.get("feedback") or reason or "").strip()
    if not text:
        raise validation_failed({"feedback": "请填写处理结果反馈，举报人将看到它 / write the "
                                             "feedback; the reporter will see it"})
    out = {"feedback": text}
    if extra.get("outcome") in HAZARD_OUTCOMES:
        out.update(outcome=extra["outcome"], outcome_zh=HAZARD_OUTCOMES[extra["outcome"]],
                   outcome_en=HAZARD_OUTCOMES_EN[extra["outcome"]])
    return out


def _aware(dt):
    return dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)


def activity_time_problems(starts_at, ends_at, now):
    problems = {}
    if starts_at < now + NOTICE:
        problems["form.starts_at"] = ("须在活动开始前至少3天申请 / apply at least 3 days before "
                                      "the activity starts")
    if ends_at <= starts_at:
        problems["form.ends_at"] = "结束时间须晚于开始时间 / must be after the start"
    elif ends_at - starts_at > MAX_DURATION:
        problems["form.ends_at"] = "单次审批最长30天 / one approval covers at most 30 days"
    return problems


def clean_activity_form(form, now):
    data = _load(ActivityForm, form)
    data["starts_at"], data["ends_at"] = _aware(data["starts_at"]), _aware(data["ends_at"])
    problems = activity_time_problems(data["starts_at"], data["ends_at"], now)
    if problems:
        raise validation_failed(problems)
    return dict(data, starts_at=data["starts_at"].isoformat(),
                ends_at=data["ends_at"].isoformat())


def activity_materials(form):
    """An activity of 200 people or more needs a safety plan (read from the raw form too, so
    it joins the notice even when the form has other errors)."""
    try:
        participants = int(form.get("participants"))
    except (TypeError, ValueError):
        participants = 0
    if participants >= SAFETY_PLAN_FROM:
        return {"safety_plan": f"{SAFETY_PLAN_FROM}人及以上的活动必交 / needed for "
                               f"{SAFETY_PLAN_FROM}+ people"}
    return {}


def conditional_materials(item_code, form):
    """{material code: why}: the optional materials this form (loaded, or raw when it did not
    load) makes necessary."""
    form = form if isinstance(form, dict) else {}
    if item_code == "security.vehicle-pass":
        return vehicle_materials(form)
    if item_code == "security.activity-safety":
        return activity_materials(form)
    return {}


def activity_approved(status):
    """Other offices may rely on the approval only once it is completed: a case still being
    processed can still be rejected."""
    return status == "completed"


def may_see_activity(actor, student_id):
    """The applicant, or anyone acting for the university (staff of any office, the hall)."""
    if actor.get("role") == STUDENT:
        return actor.get("id") == student_id
    return True


def parse_day(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise validation_failed({"on_date": "日期格式须为 YYYY-MM-DD / use YYYY-MM-DD"})


# ---- examples (complete and valid on the demo data) --------------------------------------
def activity_example(now):
    day = now.astimezone(TZ).date() + timedelta(days=7)
    return {"name": "湘江风光带徒步", "kind": "off_campus", "organizer": "计算机学院学生会",
            "venue": "湘潭市湘江风光带", "starts_at": f"{day.isoformat()}T08:00:00+08:00",
            "ends_at": f"{day.isoformat()}T18:00:00+08:00", "participants": 30,
            "safety_officer": "刘老师", "phone": "13800138000"}


def vehicle_example(now):
    start = now.astimezone(TZ).date() + timedelta(days=1)
    return {"plate": "湘B12345", "vehicle": "大众朗逸 白色", "owner_relation": "self",
            "valid_from": start.isoformat(),
            "valid_to": (start + timedelta(days=180)).isoformat(), "phone": "13812345678"}


EXAMPLES = {
    "security.household-consultation": {
        "topic": "move_out", "question": "毕业时集体户口怎么迁回原籍？需要准备哪些材料？"},
    "security.activity-safety": activity_example,
    "security.vehicle-pass": vehicle_example,
    "security.hazard-report": {"category": "fire", "location": "三教一楼东侧楼梯间",
                               "description": "灭火器压力表指针在红区，已过期"},
}
