"""Security rules (plain functions): Chinese plate numbers, pass validity periods, the owner
relation, overlapping passes, and the activity safety form."""
import re
from datetime import date, datetime, timedelta

from marshmallow import Schema, ValidationError, fields, validate

from osac_shared.auth import STUDENT
from osac_shared.clock import TZ
from osac_shared.errors import marshmallow_fields, validation_failed

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


class VehiclePassForm(Schema):
    plate = fields.Str(required=True, metadata={"label_zh": "车牌号", "label_en": "Plate"})
    owner_relation = fields.Str(required=True, validate=validate.OneOf(tuple(OWNER_RELATIONS)),
                                metadata={"label_zh": "与车主关系", "label_en": "Owner is"})
    owner_name = fields.Str(load_default="", validate=validate.Length(max=32),
                            metadata={"label_zh": "车主姓名", "label_en": "Owner's name"})
    valid_from = fields.Date(required=True, metadata={"label_zh": "起始日期",
                                                      "label_en": "Valid from"})
    valid_to = fields.Date(required=True, metadata={"label_zh": "截止日期",
                                                    "label_en": "Valid to"})
    phone = fields.Str(required=True, validate=validate.Regexp(r"^1[3-9][0-9]{9}$"),
                       metadata={"label_zh": "手机号", "label_en": "Mobile phone"})


def _load(schema, form):
    try:
        return schema().load(form)
    except ValidationError as err:
        raise validation_failed({f"form.{k}": v for k, v in marshmallow_fields(err).items()})


def clean_vehicle_form(form, today):
    """Validate a pass application all at once; returns it JSON-ready with a normalized plate."""
    data = _load(VehiclePassForm, form)
    data["plate"] = normalize_plate(data["plate"])
    problems = period_problems(data["valid_from"], data["valid_to"], today)
    problem = plate_problem(data["plate"])
    if problem:
        problems["form.plate"] = problem
    if data["owner_relation"] != "self" and not data["owner_name"].strip():
        problems["form.owner_name"] = "车主非本人时请填写车主姓名 / give the owner's name"
    if problems:
        raise validation_failed(problems)
    return dict(data, valid_from=data["valid_from"].isoformat(),
                valid_to=data["valid_to"].isoformat())


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


class ActivityForm(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                      metadata={"label_zh": "活动名称", "label_en": "Activity"})
    organizer = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                           metadata={"label_zh": "主办单位", "label_en": "Organizer"})
    venue = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                       metadata={"label_zh": "活动地点", "label_en": "Venue"})
    starts_at = fields.DateTime(required=True, metadata={"label_zh": "开始时间",
                                                         "label_en": "Starts"})
    ends_at = fields.DateTime(required=True, metadata={"label_zh": "结束时间", "label_en": "Ends"})
    participants = fields.Int(required=True, validate=validate.Range(min=1, max=100000),
                              metadata={"label_zh": "参与人数", "label_en": "Participants"})
    phone = fields.Str(required=True, validate=validate.Regexp(r"^1[3-9][0-9]{9}$"),
                       metadata={"label_zh": "安全负责人手机号", "label_en": "Safety contact"})
    request_ref = fields.Str(load_default=None, allow_none=True,
                             validate=validate.Regexp(r"^[a-z_]+-[0-9]{8}-[0-9a-f]{8}$"),
                             metadata={"label_zh": "关联的其他部门事项编号（可选）",
                                       "label_en": "The other office's case id (optional)"})


class HazardForm(Schema):
    category = fields.Str(required=True,
                          validate=validate.OneOf(("fire", "public_order", "traffic", "other")),
                          metadata={"label_zh": "隐患类别（消防/治安/交通/其他）",
                                    "label_en": "Kind (fire, public order, traffic, other)"})
    location = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                          metadata={"label_zh": "具体位置", "label_en": "Where"})
    description = fields.Str(required=True, validate=validate.Length(min=2, max=1000),
                             metadata={"label_zh": "隐患描述", "label_en": "What you saw"})


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


def conditional_material_problems(item_code, form, materials):
    """Materials only some applications need, read from the raw form so they can be named in the
    same notice as the always-required ones: proof of relation when the car is not the
    student's own; a safety plan for an activity of 200 people or more."""
    materials, form = set(materials or ()), form if isinstance(form, dict) else {}
    problems = {}
    if item_code == "security.vehicle-pass" and "owner_proof" not in materials and \
            form.get("owner_relation") in NOT_OWN_CAR:
        problems["materials.owner_proof"] = ("车主非本人时须提交与车主关系证明 / add proof of "
                                             "your relation to the owner")
    if item_code == "security.activity-safety" and "safety_plan" not in materials:
        try:
            participants = int(form.get("participants"))
        except (TypeError, ValueError):
            participants = 0
        if participants >= SAFETY_PLAN_FROM:
            problems["materials.safety_plan"] = (
                f"{SAFETY_PLAN_FROM}人及以上的活动须提交安全预案 / activities of "
                f"{SAFETY_PLAN_FROM}+ people need a safety plan")
    return problems


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
