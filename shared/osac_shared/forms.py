"""Item forms: one definition per item, read by the department, the gateway and the UI.

A department declares each item's form as a marshmallow schema (``Form`` subclasses, fields
with ``label_zh`` / ``label_en`` metadata) and one complete, valid example of it. The
department loads submissions with that schema (unknown keys are refused, blank text counts as
missing); the catalogue publishes the same schema as JSON Schema (``form_schema``), which the
gateway's UI renders and parses and API clients can validate against. Nothing else describes a
form, so the three cannot drift apart (``tests/unit/test_form_schemas.py`` checks that the
JSON Schema refuses what the marshmallow schema refuses).

    form_schema(FormClass, example)   -> JSON Schema (draft 2020-12) with ``examples``
    body_schema(BodyClass)            -> JSON Schema of an action's input (no example)
    load(FormClass, data, prefix)     -> (data, {"<prefix><field>": "中文 / English"})

JSON Schema annotations: ``title`` is Chinese, ``x-title-en`` English; an enum's labels are in
``x-enum-labels`` ({"zh": {value: label}, "en": {value: label}}); ``description`` /
``x-description-en`` carry a field's help when it has one.
"""
from datetime import date, datetime
from functools import lru_cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .errors import marshmallow_fields

BLANK = "必填项，请填写（不能只有空格）/ required: write something (not only spaces)"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


class Form(Schema):
    """Base of every item form and action body: unknown keys are refused."""
    class Meta:
        unknown = RAISE


class Text(fields.String):
    """Text with the surrounding spaces removed; when required, blank text is missing."""

    def __init__(self, *args, max_length=2000, min_length=None, **kwargs):
        validators = list(kwargs.pop("validate", None) or [])
        if not isinstance(validators, list):
            validators = [validators]
        required = kwargs.get("required", False)
        low = min_length if min_length is not None else (1 if required else None)
        validators.insert(0, validate.Length(min=low, max=max_length))
        super().__init__(*args, validate=validators, **kwargs)
        self.error_messages["blank"] = BLANK

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text and self.required:
            raise self.make_error("blank")
        return text


class IsoDate(fields.Date):
    """A date given as YYYY-MM-DD and kept as that string (forms are stored as JSON)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()


# ---- loading -------------------------------------------------------------------------------
def load(schema_cls, data, prefix="form."):
    """-> (loaded data or None, {prefix + field: "中文 / English"}): every error at once."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, {prefix.rstrip(".") or "form": "须为键值对象 / must be an object"}
    try:
        return schema_cls().load(data), {}
    except ValidationError as err:
        return None, {f"{prefix}{k}": v for k, v in marshmallow_fields(err).items()}


# ---- JSON Schema ---------------------------------------------------------------------------
_SIMPLE = ((fields.Boolean, {"type": "boolean"}), (fields.Integer, {"type": "integer"}),
           (fields.Number, {"type": "number"}),
           (fields.DateTime, {"type": "string", "format": "date-time"}),
           (fields.Date, {"type": "string", "format": "date"}),
           (fields.Email, {"type": "string", "format": "email"}),
           (fields.String, {"type": "string"}))


def _labels(choices, labels):
    out = {}
    for value in choices:
        label = (labels or {}).get(value, value)
        out[str(value)] = str(label[0] if isinstance(label, (tuple, list)) else label)
    return out


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return None


def field_schema(field):
    """One marshmallow field as JSON Schema."""
    if isinstance(field, fields.Nested):
        nested = field.schema if isinstance(field.schema, Schema) else field.nested()
        out = object_schema(type(nested))
        if field.many:
            out = {"type": "array", "items": out}
    elif isinstance(field, fields.List):
        out = {"type": "array", "items": field_schema(field.inner)}
    elif isinstance(field, fields.Dict):
        out = {"type": "object"}
        if field.value_field is not None:
            out["additionalProperties"] = field_schema(field.value_field)
    else:
        out = dict(next((s for cls, s in _SIMPLE if isinstance(field, cls)), {}))
    meta = field.metadata or {}
    if "label_zh" in meta:
        out["title"] = meta["label_zh"]
    if "label_en" in meta:
        out["x-title-en"] = meta["label_en"]
    if "help_zh" in meta:
        out["description"] = meta["help_zh"]
    if "help_en" in meta:
        out["x-description-en"] = meta["help_en"]
    if isinstance(field, Text) and field.required:
        out["pattern"] = r"\S"
    array = out.get("type") == "array"
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            out["enum"] = list(v.choices)
            out["x-enum-labels"] = {"zh": _labels(v.choices, meta.get("choices_zh")),
                                    "en": _labels(v.choices, meta.get("choices_en"))}
        elif isinstance(v, validate.Range):
            if v.min is not None:
                out["minimum" if v.min_inclusive else "exclusiveMinimum"] = v.min
            if v.max is not None:
                out["maximum" if v.max_inclusive else "exclusiveMaximum"] = v.max
        elif isinstance(v, validate.Length):
            low, high = ("minItems", "maxItems") if array else ("minLength", "maxLength")
            if v.min is not None:
                out[low] = v.min
            if v.max is not None:
                out[high] = v.max
            if v.equal is not None:
                out[low] = out[high] = v.equal
        elif isinstance(v, validate.Regexp) and "pattern" not in out:
            out["pattern"] = v.regex.pattern
        elif isinstance(v, validate.Regexp):
            out.setdefault("allOf", []).append({"pattern": v.regex.pattern})
        elif isinstance(v, validate.Equal):
            out["const"] = _jsonable(v.comparable)
    if field.allow_none and "type" in out:
        out["type"] = [out["type"], "null"]
    default = field.load_default
    if default is not None and not callable(default) and _jsonable(default) is not None:
        out["default"] = _jsonable(default)
    return out


def object_schema(schema_cls):
    schema = schema_cls()
    props, required = {}, []
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        props[key] = field_schema(field)
        if field.required:
            required.append(key)
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


@lru_cache(maxsize=None)
def body_schema(schema_cls):
    """The JSON Schema of an action's input body (cached per class; treat as read-only)."""
    return {"$schema": DRAFT, **object_schema(schema_cls)}


def form_schema(schema_cls, example=None):
    """The JSON Schema of an item's form, with its one complete, valid example."""
    out = {"$schema": DRAFT, **object_schema(schema_cls)}
    if example is not None:
        out["examples"] = [_jsonable(example)]
    return out
