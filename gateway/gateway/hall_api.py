"""The hall office through the gateway (/api/hall): the consultation desk's log, the B posts'
hand-over register, students' ratings, and the director's Sunshine ranking and reports.

Handlers validate the request's shape, call the ``hall`` service through ``Clients`` (the
actor travels with the call; the service applies the rules) and answer; errors go through
``errors.REGISTRY`` like everywhere else (hall down: 503 naming it).
"""
import base64

from flask import Blueprint, Response, request
from marshmallow import EXCLUDE, Schema, fields, validate

from osac_shared.auth import A_POST, B_POST, DESK, DIRECTOR, STAFF, STUDENT
from osac_shared.errors import not_found

from .api import body
from .app import call_context, current_user, require_roles, state

bp = Blueprint("hall_api", __name__, url_prefix="/api/hall")

# years 2000-2099: the hall's reports and rankings are kept for this century
MONTH = validate.Regexp(r"^20\d\d-(0[1-9]|1[0-2])$", error=(
    "月份须写作 YYYY-MM（2000–2099年），如 2026-12 / a month like 2026-12 (years 2000-2099)"))
PERIOD = validate.Regexp(r"^20\d\d-((0[1-9]|1[0-2])|term[12])$", error=(
    "月份写作 2026-12，学期写作 2026-term1（2–7月）或 2026-term2（8月–次年1月），年份 2000–2099 / "
    "a month like 2026-12 or a term like 2026-term1 (Feb-Jul) or 2026-term2 (Aug-Jan), "
    "years 2000-2099"))
TEXT = validate.Length(max=2000)
RECORDERS = (DESK, DIRECTOR, B_POST, A_POST)
MAX_ID = 2**31 - 1           # ids are PostgreSQL integers: a larger one names nothing


def question(question_id):
    if question_id > MAX_ID:
        raise not_found("问题", "Question", question_id)
    return question_id


def handover(handover_id):
    if handover_id > MAX_ID:
        raise not_found("交接记录", "Hand-over", handover_id)
    return handover_id


class _Query(Schema):
    class Meta:
        unknown = EXCLUDE            # cache busters and the like are ignored


class SunshineQuery(_Query):
    month = fields.Str(load_default=None, validate=MONTH)


class ReportQuery(_Query):
    period = fields.Str(required=True, validate=PERIOD)
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class QuestionsQuery(_Query):
    status = fields.Str(load_default=None, validate=validate.OneOf(
        ("open", "referred", "answered", "closed")))
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class HandOversQuery(_Query):
    pending = fields.Bool(load_default=True)


class RateBody(Schema):
    case_id = fields.Str(required=True, validate=validate.Length(min=3, max=64))
    satisfied = fields.Bool(required=True, truthy={True}, falsy={False})   # JSON true/false only
    comment = fields.Str(load_default="", validate=validate.Length(max=1000))


class QuestionBody(Schema):
    student_id = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    channel = fields.Str(required=True, validate=validate.OneOf(
        ("on_site", "phone", "email", "wechat")))
    question = fields.Str(required=True, validate=[validate.Length(min=1, max=2000),
                                                   validate.Regexp(r"\S")])
    department = fields.Str(load_default=None, allow_none=True)


class ReferBody(Schema):
    to_department = fields.Str(required=True)
    note = fields.Str(load_default="", validate=TEXT)


class AnswerBody(Schema):
    answer = fields.Str(required=True, validate=[validate.Length(min=1, max=2000),
                                                 validate.Regexp(r"\S")])


class FollowUpBody(Schema):
    feedback = fields.Str(required=True, validate=[validate.Length(min=1, max=2000),
                                                   validate.Regexp(r"\S")])


class HandOverBody(Schema):
    window = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=13))
    to_b_post = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    open_case_ids = fields.List(fields.Str(validate=validate.Length(max=64)), load_default=list,
                                validate=validate.Length(max=200))
    note = fields.Str(load_default="", validate=TEXT)


class EmptyBody(Schema):
    pass


def hall(method, *args, write=False, **kwargs):
    return state().clients.call("hall", method, *args, write=write, **kwargs,
                                **call_context())


# ---- the director ------------------------------------------------------------------------
@bp.get("/sunshine")
@require_roles(DIRECTOR)
def sunshine():
    month = SunshineQuery().load(request.args)["month"] or state().clock().strftime("%Y-%m")
    return hall("sunshine", month)


@bp.get("/report")
@require_roles(DIRECTOR)
def report():
    query = ReportQuery().load(request.args)
    answer = hall("report", query["period"], query["format"])
    if query["format"] == "json":
        return answer
    return Response(base64.b64decode(answer["base64"]), mimetype=answer["content_type"],
                    headers={"Content-Disposition":
                             f'attachment; filename="{answer["filename"]}"'})


# ---- students ----------------------------------------------------------------------------
@bp.post("/rate")
@require_roles(STUDENT)
def rate():
    data = body(RateBody)
    return hall("rate_case", data["case_id"], data["satisfied"], data["comment"],
                write=True), 201


# ---- the consultation desk ---------------------------------------------------------------
@bp.post("/questions")
@require_roles(*RECORDERS)
def record_question():
    data = body(QuestionBody)
    return hall("record_question", data["student_id"], data["channel"], data["question"],
                data["department"] or None, write=True), 201


@bp.get("/questions")
@require_roles(*RECORDERS)
def list_questions():
    q = QuestionsQuery().load(request.args)
    return hall("list_questions", q["status"], q["page"], q["per_page"])


@bp.post("/questions/<int:question_id>/refer")
@require_roles(*RECORDERS)
def refer(question_id):
    data = body(ReferBody)
    return hall("refer", question(question_id), data["to_department"], data["note"], write=True)


@bp.post("/questions/<int:question_id>/answer")
@require_roles(*STAFF)
def answer(question_id):
    return hall("answer_referral", question(question_id), body(AnswerBody)["answer"], write=True)


@bp.post("/questions/<int:question_id>/follow-up")
@require_roles(*RECORDERS)
def follow_up(question_id):
    return hall("follow_up", question(question_id), body(FollowUpBody)["feedback"], write=True)


# ---- the hand-over register --------------------------------------------------------------
@bp.post("/handovers")
@require_roles(B_POST)
def hand_over():
    data = body(HandOverBody)
    return hall("hand_over", data["window"], data["to_b_post"], data["open_case_ids"],
                data["note"], write=True), 201


@bp.post("/handovers/<int:handover_id>/confirm")
@require_roles(B_POST)
def confirm_hand_over(handover_id):
    body(EmptyBody)
    return hall("confirm_hand_over", handover(handover_id), write=True)


@bp.get("/handovers")
@require_roles(DIRECTOR, *STAFF)
def hand_overs():
    pending = HandOversQuery().load(request.args)["pending"]
    if current_user().role == DIRECTOR and pending:
        return {"handovers": hall("pending_hand_overs")}
    return {"handovers": hall("list_hand_overs", pending)}
