"""Request bodies and query strings, validated with marshmallow (unknown fields are refused,
and every error names its field, 中文 / English, through ``errors.REGISTRY``)."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from osac_shared.lifecycle import STATUSES

ITEM_CODE = validate.Regexp(r"^[a-z_]+\.[a-z0-9-]+$")
CODE = fields.Str(validate=validate.Length(min=1, max=64))
REASON = validate.Length(max=2000)


class LoginBody(Schema):
    username = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    password = fields.Str(required=True, validate=validate.Length(min=1, max=256))


class SubmitBody(Schema):
    item_code = fields.Str(required=True, validate=ITEM_CODE)
    materials = fields.List(CODE, load_default=list, validate=validate.Length(max=50))
    form = fields.Dict(keys=fields.Str(validate=validate.Length(min=1, max=64)),
                       load_default=dict, validate=validate.Length(max=50))
    green_reason = fields.Str(load_default="", validate=REASON)


def _split(text):
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def _known_statuses(text):
    unknown = [s for s in _split(text) if s not in STATUSES]
    if unknown:
        raise ValidationError(f"只能取以下值之一 / Must be one of: {', '.join(STATUSES)} "
                              f"(not {', '.join(unknown)})")


class ListQuery(Schema):
    """?page=&per_page=&status=submitted,resubmitted  ->  {page, per_page, statuses}"""
    class Meta:
        unknown = EXCLUDE          # other query parameters (cache busters...) are ignored

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))
    status = fields.Str(load_default="", validate=_known_statuses, metadata={
        "description": "comma-separated statuses, e.g. submitted,resubmitted"})

    @post_load
    def statuses(self, data, **kwargs):
        data["statuses"] = _split(data.pop("status")) or None
        return data


class PageQuery(Schema):
    """?page=&per_page="""
    class Meta:
        unknown = EXCLUDE

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))
