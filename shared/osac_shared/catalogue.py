"""The catalogue item model (办事指南): what an item is, what it needs and how long it may take.

Each department declares its items as plain data (``catalogue.py`` in its service);
``load_items`` validates that data with ``ItemSchema`` so a malformed entry fails at start-up,
not in front of a student.
"""
from dataclasses import dataclass, field, asdict

from marshmallow import Schema, fields, validate, ValidationError, post_load

UNITS = ("working_days", "working_hours", "calendar_hours")
UNIT_ZH = {"working_days": "个工作日", "working_hours": "个工作小时", "calendar_hours": "小时"}
KINDS = ("application", "consultation", "report")


@dataclass(frozen=True)
class Material:
    code: str
    name_zh: str
    name_en: str
    mandatory: bool = True


@dataclass(frozen=True)
class Limit:
    value: int
    unit: str

    def text_zh(self):
        return f"{self.value}{UNIT_ZH[self.unit]}"


@dataclass(frozen=True)
class Item:
    code: str
    window: int
    department: str          # the owning service's name, e.g. "aid"
    department_zh: str
    department_en: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    limit: Limit
    post: str                # "A" (teacher approves) or "B" (student assistant handles)
    green_channel: bool = False
    kind: str = "application"
    materials: tuple = field(default_factory=tuple)
    place_zh: str = "学生事务中心服务大厅"
    hours_zh: str = "B岗受理 08:30–17:30；A岗集中办理 15:30–17:30（工作日）"

    def to_dict(self):
        d = asdict(self)
        d["materials"] = [asdict(m) for m in self.materials]
        d["limit"] = {"value": self.limit.value, "unit": self.limit.unit,
                      "text_zh": self.limit.text_zh()}
        return d

    def mandatory_materials(self):
        return [m for m in self.materials if m.mandatory]


class MaterialSchema(Schema):
    code = fields.Str(required=True, validate=validate.Regexp(r"^[a-z0-9_]+$"))
    name_zh = fields.Str(required=True, validate=validate.Length(min=1))
    name_en = fields.Str(required=True, validate=validate.Length(min=1))
    mandatory = fields.Bool(load_default=True)

    @post_load
    def make(self, data, **kwargs):
        return Material(**data)


class LimitSchema(Schema):
    value = fields.Int(required=True, validate=validate.Range(min=1))
    unit = fields.Str(required=True, validate=validate.OneOf(UNITS))

    @post_load
    def make(self, data, **kwargs):
        return Limit(**data)


class ItemSchema(Schema):
    code = fields.Str(required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z0-9-]+$"))
    window = fields.Int(required=True, validate=validate.Range(min=1, max=13))
    department = fields.Str(required=True)
    department_zh = fields.Str(required=True)
    department_en = fields.Str(required=True)
    name_zh = fields.Str(required=True, validate=validate.Length(min=1))
    name_en = fields.Str(required=True, validate=validate.Length(min=1))
    description_zh = fields.Str(required=True)
    description_en = fields.Str(required=True)
    limit = fields.Nested(LimitSchema, required=True)
    post = fields.Str(required=True, validate=validate.OneOf(("A", "B")))
    green_channel = fields.Bool(load_default=False)
    kind = fields.Str(load_default="application", validate=validate.OneOf(KINDS))
    materials = fields.List(fields.Nested(MaterialSchema), load_default=list)
    place_zh = fields.Str(load_default="学生事务中心服务大厅")
    hours_zh = fields.Str(load_default="B岗受理 08:30–17:30；A岗集中办理 15:30–17:30（工作日）")

    @post_load
    def make(self, data, **kwargs):
        data["materials"] = tuple(data.get("materials", ()))
        return Item(**data)


def load_items(department, department_zh, department_en, entries):
    """Validate a department's catalogue data; returns {code: Item}."""
    items = {}
    for entry in entries:
        data = {"department": department, "department_zh": department_zh,
                "department_en": department_en, **entry}
        try:
            item = ItemSchema().load(data)
        except ValidationError as err:
            raise ValueError(f"catalogue entry {entry.get('code')!r} is invalid: {err.messages}")
        if not item.code.startswith(department + "."):
            raise ValueError(f"item {item.code} must start with '{department}.'")
        if item.code in items:
            raise ValueError(f"duplicate item code {item.code}")
        items[item.code] = item
    return items


def service_of(code):
    """The service that owns an item code or a case id ("aid.x" / "aid-2026...")."""
    for sep in (".", "-"):
        if sep in code:
            return code.split(sep, 1)[0]
    return code


def missing_materials(item, provided):
    """Every mandatory material not provided, all at once (一次性告知)."""
    given = set(provided or ())
    return [m for m in item.mandatory_materials() if m.code not in given]


def unknown_materials(item, provided):
    known = {m.code for m in item.materials}
    return [c for c in (provided or ()) if c not in known]
