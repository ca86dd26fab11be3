"""Repair rules (plain functions)."""
from datetime import timedelta

from marshmallow import Schema, fields, validate

REPAIR_LIMIT = timedelta(hours=48)
FACILITIES = ("water", "electricity", "door_window", "furniture", "bathroom", "air_conditioner",
              "other")


class RepairForm(Schema):
    building = fields.Str(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"label_zh": "宿舍楼栋", "label_en": "Building"})
    room = fields.Str(required=True, validate=validate.Regexp(r"^[0-9A-Za-z-]{1,10}$"),
                      metadata={"label_zh": "房间号", "label_en": "Room"})
    facility = fields.Str(required=True, validate=validate.OneOf(FACILITIES),
                          metadata={"label_zh": "设施类别", "label_en": "Facility"})
    description = fields.Str(required=True, validate=validate.Length(min=2, max=500),
                             metadata={"label_zh": "故障描述", "label_en": "What is wrong"})
    phone = fields.Str(load_default="", validate=validate.Regexp(r"^$|^1[3-9][0-9]{9}$"),
                       metadata={"label_zh": "联系电话", "label_en": "Phone"})


def repair_due(submitted_at):
    return submitted_at + REPAIR_LIMIT


def repair_overdue(submitted_at, status, now):
    """A repair may be complained about once 48 hours have passed and it is not finished."""
    return status not in ("completed", "withdrawn", "rejected") and now > repair_due(submitted_at)
