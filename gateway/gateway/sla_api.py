"""Deadline endpoints: a working-calendar calculator anyone may use (computed here with
``osac_shared.calendar.due_at``, pure, no RPC) and the deadline report and at-risk list (from
the SLA service through ``clients``, with the logged-in actor in the call's context: the SLA
service gives the director everything and B/A posts their own department's deadlines).

    GET /api/calendar/deadline?start=<ISO 8601 with offset>&limit=<n>&unit=<unit>
        -> {"due_at": "<ISO +08:00>", "flagged": bool}
    GET /api/sla/report?from=&to=          (director, B/A posts)  -> sla.report
    GET /api/sla/at-risk?page=&per_page=   (director, B/A posts)  -> sla.at_risk

Errors are 422 naming the field, 中文 / English (``errors.REGISTRY``); 401/403 by role.
"""
import os
import re
from datetime import date, datetime, time
from functools import lru_cache

from flask import Blueprint, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from osac_shared.auth import DIRECTOR, STAFF
from osac_shared.calendar import calendar_from_config, due_at
from osac_shared.catalogue import UNITS
from osac_shared.clock import TZ

from .app import call_context, require_roles, state

bp = Blueprint("sla_api", __name__, url_prefix="/api")

EXAMPLE = "2026-03-02T10:00:00+08:00"
YEARS = range(2000, 2100)
# an unencoded "+" in a query string arrives as a space: "...10:00:00 08:00"
_SPACED_OFFSET = re.compile(r"(T[\d:.]+) (\d\d:?\d\d)$")


@lru_cache(maxsize=1)
def working_calendar():
    """The same calendar the SLA service uses (CALENDAR_* environment variables)."""
    return calendar_from_config(os.environ)


def _text(value):
    if not isinstance(value, str):
        raise ValidationError("须为文字 / must be text")
    return _SPACED_OFFSET.sub(r"\1+\2", value.strip())


def _in_range(moment):
    """Deadlines are kept for this century only (a year 1 or 9999 overflows on the way)."""
    if moment.year not in YEARS:
        raise ValidationError(f"年份须在{YEARS[0]}至{YEARS[-1]}之间 / the year must be from "
                              f"{YEARS[0]} to {YEARS[-1]}")
    return moment


class AwareMoment(fields.Field):
    """An ISO 8601 time that carries its UTC offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = datetime.fromisoformat(_text(value))
        except ValueError:
            raise ValidationError(f"须为ISO 8601时间，如 {EXAMPLE} / must be an ISO 8601 time, "
                                  f"e.g. {EXAMPLE}")
        if moment.tzinfo is None:
            raise ValidationError(f"须带时区偏移，如 {EXAMPLE} / must carry its UTC offset, "
                                  f"e.g. {EXAMPLE}")
        return _in_range(moment)


class DayOrMoment(fields.Field):
    """A date (its 00:00 in Asia/Shanghai) or an ISO 8601 time (no offset: Asia/Shanghai)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = _text(value)
        try:
            if len(text) == 10:
                return _in_range(datetime.combine(date.fromisoformat(text), time(0), tzinfo=TZ))
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"须为日期或ISO 8601时间，如 2026-03-01 或 {EXAMPLE} / must be "
                                  f"a date or an ISO 8601 time, e.g. 2026-03-01 or {EXAMPLE}")
        return _in_range(moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment)


def _required(zh, en):
    return {"required": f"必填：{zh} / required: {en}"}


class DeadlineQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    start = AwareMoment(required=True, error_messages=_required(
        f"起算时间，如 {EXAMPLE}", f"the start time, e.g. {EXAMPLE}"))
    limit = fields.Int(required=True, validate=validate.Range(
        min=1, max=1000, error="须为1到1000的整数 / a whole number from 1 to 1000"),
        error_messages={**_required("时限数值", "the limit, a whole number"),
                        "invalid": "须为1到1000的整数 / a whole number from 1 to 1000"})
    unit = fields.Str(required=True, validate=validate.OneOf(
        UNITS, error=f"只能取 {', '.join(UNITS)} / use one of {', '.join(UNITS)}"),
        error_messages=_required(f"单位（{', '.join(UNITS)}）", f"the unit, one of "
                                                             f"{', '.join(UNITS)}"))


class PeriodQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    start = DayOrMoment(data_key="from", required=True,
                        error_messages=_required("开始日期", "the first day, e.g. 2026-03-01"))
    end = DayOrMoment(data_key="to", required=True,
                      error_messages=_required("结束日期（不含）", "the end (excluded), "
                                                               "e.g. 2026-04-01"))

    @validates_schema
    def ordered(self, data, **kwargs):
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            raise ValidationError("须晚于开始时间 from / must be after from", "to")


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Int(load_default=1, validate=validate.Range(
        min=1, max=10000, error="须为1到10000的整数 / a whole number from 1 to 10000"))
    per_page = fields.Int(load_default=20, validate=validate.Range(
        min=1, max=100, error="须为1到100的整数 / a whole number from 1 to 100"))


@bp.get("/calendar/deadline")
def calendar_deadline():
    query = DeadlineQuery().load(request.args)
    due, flagged = due_at(query["start"], query["limit"], query["unit"], working_calendar())
    return {"due_at": due.isoformat(), "flagged": flagged}


@bp.get("/sla/report")
@require_roles(DIRECTOR, *STAFF)
def sla_report():
    period = PeriodQuery().load(request.args)
    return state().clients.call("sla", "report", period["start"].isoformat(),
                                period["end"].isoformat(), **call_context())


@bp.get("/sla/at-risk")
@require_roles(DIRECTOR, *STAFF)
def sla_at_risk():
    paging = PageQuery().load(request.args)
    return state().clients.call("sla", "at_risk", paging["page"], paging["per_page"],
                                **call_context())
