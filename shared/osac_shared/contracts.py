"""Versioned event contracts: one envelope, one schema per (event type, version).

Every event on the bus is an envelope::

    {"event_id": uuid, "type": "case.submitted", "version": 1, "occurred_at": ISO 8601,
     "source": "aid", "case_id": "aid-20261126-1a2b3c4d", "correlation_id": "...",
     "data": {...}}

It is published to the nameko event exchange of its source service (``<source>.events``) with
the routing key ``type``, so consumers use plain ``@event_handler(source, "case.*")``.
Consumers are tolerant readers: unknown fields are ignored and every version listed in
``EVENT_SCHEMAS`` for a type stays accepted for at least one release after a new one appears.
"""
import uuid
from datetime import datetime

from marshmallow import Schema, fields, validate, ValidationError, EXCLUDE

from .catalogue import UNITS
from .lifecycle import STATUSES


class Envelope(Schema):
    class Meta:
        unknown = EXCLUDE

    event_id = fields.Str(required=True, validate=validate.Length(min=8, max=64))
    type = fields.Str(required=True, validate=validate.Regexp(r"^[a-z_]+(\.[a-z_]+)+$"))
    version = fields.Int(required=True, validate=validate.Range(min=1))
    occurred_at = fields.Str(required=True)
    source = fields.Str(required=True)
    case_id = fields.Str(load_default=None, allow_none=True)
    correlation_id = fields.Str(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


class _Tolerant(Schema):
    class Meta:
        unknown = EXCLUDE


class LimitV1(_Tolerant):
    value = fields.Int(required=True)
    unit = fields.Str(required=True, validate=validate.OneOf(UNITS))


class CaseEventV1(_Tolerant):
    """Every case lifecycle event: case.submitted, .accepted, .returned, .resubmitted,
    .approved, .completed, .rejected, .withdrawn."""
    item_code = fields.Str(required=True)
    window = fields.Int(required=True)
    department = fields.Str(required=True)
    student_id = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(STATUSES))
    previous_status = fields.Str(load_default=None, allow_none=True)
    actor_id = fields.Str(required=True)
    actor_role = fields.Str(required=True)
    reason = fields.Str(load_default="", allow_none=True)
    limit = fields.Nested(LimitV1, required=True)
    post = fields.Str(load_default="B")
    kind = fields.Str(load_default="application")
    green_channel = fields.Bool(load_default=False)
    submitted_at = fields.Str(required=True)


class NoticeViolationV1(CaseEventV1):
    """case.notice_violation: staff tried to return a case for materials that no earlier notice
    named (one-time notification breached); the return was refused. Counted by the hall."""
    materials = fields.List(fields.Str(), required=True)


class SlaAlarmV1(_Tolerant):
    """sla.warning / sla.breached: a case is close to, or past, its deadline."""
    timer = fields.Str(required=True)            # "completion", "acceptance", ...
    department = fields.Str(required=True)
    window = fields.Int(required=True)
    item_code = fields.Str(required=True)
    student_id = fields.Str(required=True)
    due_at = fields.Str(required=True)
    level = fields.Int(load_default=1)


class AidAwardedV1(_Tolerant):
    """aid.awarded: an aid application was approved; finance pays it out."""
    student_id = fields.Str(required=True)
    programme = fields.Str(required=True)
    amount_cents = fields.Int(required=True, validate=validate.Range(min=1))
    academic_year = fields.Str(required=True)


class AidAwardedV2(AidAwardedV1):
    """aid.awarded v2 = v1 + the programme's Chinese name as aid publishes it (finance shows
    it without a name table of its own) + the currency of ``amount_cents`` (CNY). Finance
    reads v1 and v2; consumers are upgraded before aid publishes v2 (deploy/README.md)."""
    programme_name_zh = fields.Str(load_default=None, allow_none=True,
                                   validate=validate.Length(min=1, max=100))
    currency = fields.Str(load_default="CNY", validate=validate.OneOf(("CNY",)))


class FeeRequestedV1(_Tolerant):
    """fee.requested: a department asks finance to charge a student (e.g. an ID card reissue).
    ``reference`` is unique per fee (finance charges each reference once)."""
    student_id = fields.Str(required=True)
    amount_cents = fields.Int(required=True, validate=validate.Range(min=1))
    description = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    reference = fields.Str(required=True)


class ActivityApprovalV1(_Tolerant):
    """security.activity_decided: security decided on a campus/off-campus activity's safety
    approval. ``request_ref`` is the other department's case id that asked for it."""
    request_ref = fields.Str(load_default=None, allow_none=True)
    security_case_id = fields.Str(required=True)
    approved = fields.Bool(required=True)
    note = fields.Str(load_default="")


class ReferralV1(_Tolerant):
    """hall.referral_opened: a first-question owner (a window, or the consultation desk when
    ``from_window`` is None) referred a student's matter to the responsible department; the
    student is owed feedback within one working day."""
    referral_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    from_window = fields.Int(required=True, allow_none=True)
    to_department = fields.Str(required=True)
    student_id = fields.Str(required=True)
    question = fields.Str(required=True)


class ReferralAnsweredV1(ReferralV1):
    """hall.referral_answered: the receiving department answered a referral."""
    answer = fields.Str(required=True)


class WageAdjustedV1(_Tolerant):
    """hall.wage_adjusted: a B-post student assistant reached 2 demerits in a month, so that
    month's hourly work-study rate drops (published once per assistant and month)."""
    assistant_id = fields.Str(required=True)
    month = fields.Str(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    demerits = fields.Int(required=True, validate=validate.Range(min=1))
    rate_delta_yuan = fields.Int(required=True)


CASE_EVENT_TYPES = ("case.submitted", "case.accepted", "case.returned", "case.resubmitted",
                    "case.approved", "case.completed", "case.rejected", "case.withdrawn",
                    "case.expedited")
ACTION_EVENT = {"submit": "case.submitted", "accept": "case.accepted", "return": "case.returned",
                "resubmit": "case.resubmitted", "approve": "case.approved",
                "complete": "case.completed", "reject": "case.rejected",
                "withdraw": "case.withdrawn", "expedite": "case.expedited",
                "notice_violation": "case.notice_violation"}

EVENT_SCHEMAS = {
    **{(t, 1): CaseEventV1 for t in CASE_EVENT_TYPES},
    ("case.notice_violation", 1): NoticeViolationV1,
    ("sla.warning", 1): SlaAlarmV1,
    ("sla.breached", 1): SlaAlarmV1,
    # SlaAlarmV1 ``level`` says who is told: 1 the window, 2 the department head, 3 the director
    ("sla.urgent", 1): SlaAlarmV1,          # a green-channel case: alert the window's A post now
    ("sla.escalated", 1): SlaAlarmV1,       # a breach still open: escalated to ``level``
    ("aid.awarded", 1): AidAwardedV1,
    ("aid.awarded", 2): AidAwardedV2,
    ("fee.requested", 1): FeeRequestedV1,
    ("security.activity_decided", 1): ActivityApprovalV1,
    ("hall.referral_opened", 1): ReferralV1,
    ("hall.referral_answered", 1): ReferralAnsweredV1,
    ("hall.wage_adjusted", 1): WageAdjustedV1,
}
CURRENT_VERSION = {t: max(v for (tt, v) in EVENT_SCHEMAS if tt == t)
                   for (t, _) in EVENT_SCHEMAS}


_INSTANCES = {}


def schema_instance(schema_cls):
    """One shared instance per schema class (so per event type and version). Building a
    marshmallow schema deep-copies its fields, which cost more than validating an event;
    a schema keeps no state between ``load``/``validate`` calls, so one instance serves all."""
    schema = _INSTANCES.get(schema_cls)
    if schema is None:
        schema = _INSTANCES[schema_cls] = schema_cls()
    return schema


def make_event(type_, source, data, *, occurred_at, case_id=None, correlation_id=None,
               version=None):
    """Build and validate an envelope; raises ValueError on a contract breach (a bug)."""
    version = version or CURRENT_VERSION[type_]
    if isinstance(occurred_at, datetime):
        occurred_at = occurred_at.isoformat()
    env = {"event_id": str(uuid.uuid4()), "type": type_, "version": version,
           "occurred_at": occurred_at, "source": source, "case_id": case_id,
           "correlation_id": correlation_id, "data": data}
    errors = schema_instance(Envelope).validate(env)
    schema = EVENT_SCHEMAS.get((type_, version))
    if schema is None:
        raise ValueError(f"no contract for event {type_} v{version}")
    errors.update(schema_instance(schema).validate(data))
    if errors:
        raise ValueError(f"event {type_} v{version} breaks its contract: {errors}")
    return env


def read_event(payload):
    """Validate an incoming envelope and its data (tolerantly). Raises ValidationError."""
    env = schema_instance(Envelope).load(payload)
    schema = EVENT_SCHEMAS.get((env["type"], env["version"]))
    if schema is None:
        raise ValidationError({"type": f"unsupported event {env['type']} v{env['version']}"})
    env["data"] = schema_instance(schema).load(env["data"])
    return env
