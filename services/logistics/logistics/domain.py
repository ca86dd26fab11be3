"""Repair and complaint rules (plain functions): the forms, the 48-hour repair promise, when a
repair may be complained about, and the feedback that closes a case."""
from datetime import timedelta

from marshmallow import fields, validate

from osac_shared.errors import validation_failed
from osac_shared.forms import Form, Text

REPAIR_ITEM, COMPLAINT_ITEM = "logistics.dorm-repair", "logistics.complaint"
REPAIR_LIMIT = timedelta(hours=48)
UNFINISHED_NOT = ("completed", "withdrawn", "rejected")
FACILITIES = {"water": ("水（给排水、水龙头、热水）", "Water (pipes, taps, hot water)"),
              "electricity": ("电（照明、插座、跳闸）", "Power (lights, sockets, breakers)"),
              "door_window": ("门窗、门锁", "Doors, windows, locks"),
              "furniture": ("床、桌椅、柜子", "Beds, desks, chairs, wardrobes"),
              "bathroom": ("卫生间、淋浴", "Bathroom, shower"),
              "air_conditioner": ("空调", "Air conditioner"),
              "other": ("其他设施", "Other facilities")}
TOPICS = {"overdue_repair": ("报修超过48小时仍未修复", "A repair not done within 48 hours"),
          "service": ("对后勤服务的投诉、意见或建议（宿舍、食堂、维修服务等）",
                      "A complaint or suggestion about logistics services (dorms, canteens, "
                      "repairs, ...)")}
CASE_ID = r"^logistics-[0-9]{8}-[0-9a-f]{8}$"
PHONE = validate.Regexp(r"^$|^1[3-9][0-9]{9}$", error="请填写11位手机号，或留空 / an 11-digit "
                                                      "mobile number, or leave it empty")


def _zh(table):
    return {k: v[0] for k, v in table.items()}


def _en(table):
    return {k: v[1] for k, v in table.items()}


class RepairForm(Form):
    building = Text(required=True, max_length=32,
                    metadata={"label_zh": "宿舍楼栋", "label_en": "Building"})
    room = fields.Str(required=True, validate=validate.Regexp(
        r"^[0-9A-Za-z-]{1,10}$", error="房间号为字母、数字或“-”，至多10位 / letters, digits or "
                                       "'-', at most 10"),
        metadata={"label_zh": "房间号", "label_en": "Room"})
    facility = fields.Str(required=True, validate=validate.OneOf(tuple(FACILITIES)),
                          metadata={"label_zh": "设施类别", "label_en": "Facility",
                                    "choices_zh": _zh(FACILITIES),
                                    "choices_en": _en(FACILITIES)})
    description = Text(required=True, min_length=2, max_length=500,
                       metadata={"label_zh": "故障描述", "label_en": "What is wrong"})
    phone = fields.Str(load_default="", validate=PHONE,
                       metadata={"label_zh": "联系电话", "label_en": "Phone"})


class ComplaintForm(Form):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(TOPICS)),
                       metadata={"label_zh": "投诉类别", "label_en": "About",
                                 "choices_zh": _zh(TOPICS), "choices_en": _en(TOPICS)})
    repair_case_id = fields.Str(load_default="", validate=validate.Regexp(
        rf"^$|{CASE_ID}", error="报修单号格式如 logistics-20261207-1a2b3c4d / a repair ticket "
                                "id looks like logistics-20261207-1a2b3c4d"),
        metadata={"label_zh": "报修单号（报修逾期投诉时必填）",
                  "label_en": "Repair ticket (required for an overdue repair)",
                  "help_zh": "本人报修超过48小时仍未修复时填写该报修单号",
                  "help_en": "The ticket of your own repair that is over 48 hours old"})
    text = Text(required=True, min_length=2, max_length=2000,
                metadata={"label_zh": "投诉、意见或建议内容", "label_en": "Your complaint or idea"})
    phone = fields.Str(load_default="", validate=PHONE,
                       metadata={"label_zh": "联系电话", "label_en": "Phone"})


class RepairDoneBody(Form):
    """Completing a repair: what was done, for the student (optional)."""
    feedback = Text(load_default="", max_length=2000, metadata={
        "label_zh": "维修结果（学生可见）", "label_en": "What was repaired (the student sees it)"})


class FeedbackBody(Form):
    """Completing a complaint: the findings and what was done, for the student."""
    feedback = Text(required=True, min_length=2, max_length=5000, metadata={
        "label_zh": "调查处理结果反馈（学生将看到）",
        "label_en": "The findings and what was done (the student sees it)"})


# what the JSON Schema of the complaint form adds to its fields: the ticket is required for a
# complaint about an overdue repair (the department checks the rest at submission)
COMPLAINT_RULES = [{"if": {"properties": {"topic": {"const": "overdue_repair"}},
                           "required": ["topic"]},
                    "then": {"required": ["repair_case_id"],
                             "properties": {"repair_case_id": {"minLength": 1}}}}]


def repair_due(submitted_at):
    return submitted_at + REPAIR_LIMIT


def repair_overdue(submitted_at, status, now):
    """A repair may be complained about once 48 hours have passed and it is not finished."""
    return status not in UNFINISHED_NOT and now > repair_due(submitted_at)


def complaint_problems(form, repair, student_id, now):
    """{field: fix} for a complaint's repair ticket. ``repair`` is the logistics case the form
    names (None when there is no such case); an overdue-repair complaint needs the student's
    own repair, unfinished 48 hours after it was reported."""
    form = form if isinstance(form, dict) else {}
    topic, ticket = form.get("topic"), form.get("repair_case_id") or ""
    if topic == "overdue_repair" and not ticket:
        return {"form.repair_case_id": "报修逾期投诉须填写报修单号 / give the repair ticket of "
                                       "the overdue repair"}
    if not ticket or not isinstance(ticket, str):
        return {}
    if repair is None or repair.student_id != student_id:
        return {"form.repair_case_id": "找不到该报修单，或不是您本人的报修 / no repair ticket of "
                                       "yours with that id"}
    if repair.item_code != REPAIR_ITEM:
        return {"form.repair_case_id": "该事项不是报修单 / that case is not a repair ticket"}
    if topic == "overdue_repair" and not repair_overdue(repair.submitted_at, repair.status, now):
        if repair.status in UNFINISHED_NOT:
            why = "该报修已办结或已撤回，不能按逾期投诉 / that repair is closed"
        else:
            due = repair_due(repair.submitted_at)
            why = (f"报修48小时后（{due:%m-%d %H:%M}）仍未修复才可投诉；如有意见可选“对后勤服务的"
                   f"意见或建议” / only after 48 hours ({due:%m-%d %H:%M}); or choose a "
                   f"suggestion about the service")
        return {"form.repair_case_id": why}
    return {}


def feedback_of(extra, reason, required):
    """The feedback that completes a case: ``extra.feedback`` or, failing that, the reason."""
    text = str((extra or {}).get("feedback") or reason or "").strip()
    if required and not text:
        fix = ("请填写给学生的反馈（调查及处理结果）/ write the feedback to the student (the "
               "findings and what was done)")
        raise validation_failed({"feedback": fix, "reason": fix})
    return text[:5000]


def repair_example(now=None):
    return {"building": "A3", "room": "301", "facility": "water",
            "description": "卫生间水龙头关不紧，一直滴水", "phone": "13812345678"}


def complaint_example(now=None):
    return {"topic": "service", "text": "宿舍楼热水每天22点就停止供应，晚上上完自习回来洗不了澡，"
                                        "建议延长到23点。"}
