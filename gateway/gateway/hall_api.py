"""The hall office through the gateway (/api/hall): the consultation desk's log, the B posts'
hand-over register, students' ratings and Sunshine Window votes, the roster (windows, A/B
posts, shifts, who is on duty), the director's patrols and demerits, and what the director and
the management committee read: satisfaction, assessment, the Sunshine ranking and reports.

Handlers validate the request's shape, call the ``hall`` service through ``Clients`` (the
actor travels with the call; the service applies the rules) and answer; errors go through
``errors.REGISTRY`` like everywhere else (hall down: 503 naming it).
"""
import base64

from flask import Blueprint, Response, request
from marshmallow import EXCLUDE, Schema, fields, validate

from osac_shared.auth import A_POST, B_POST, COMMITTEE, DESK, DIRECTOR, STAFF, STUDENT
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
MANAGERS = (DIRECTOR, COMMITTEE)     # the committee reads what the director reads, never writes
MAX_ID = 2**31 - 1           # ids are PostgreSQL integers: a larger one names nothing
# the patrol checklist (巡查内容, plan attachment 2 §6; the hall service's rules.patrols)
CHECKS = ("on_duty_discipline", "badge", "manner", "attitude", "signage_and_guide", "hygiene",
          "answers")
DIRECTOR_KINDS = ("lateness", "verified_error", "verified_complaint")   # the rest come as events
STAFF_ID = validate.Regexp(r"^[0-9A-Za-z_.-]{1,64}$", error=(
    "工号须为1–64位字母、数字或 _ . - / 1-64 letters, digits, _ . or -"))
WINDOW_RANGE = validate.Range(min=1, max=13, error="窗口号须为1–13 / a window from 1 to 13")
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error=(
    "时间须写作 HH:MM，如 08:30 / a time like 08:30"))
NOT_BLANK = [validate.Length(min=1, max=2000), validate.Regexp(r"\S")]


def question(question_id):
    if question_id > MAX_ID:
        raise not_found("问题", "Question", question_id)
    return question_id


def handover(handover_id):
    if handover_id > MAX_ID:
        raise not_found("交接记录", "Hand-over", handover_id)
    return handover_id


def finding(finding_id):
    if finding_id > MAX_ID:
        raise not_found("巡查问题", "Finding", finding_id)
    return finding_id


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


class PeriodQuery(_Query):
    period = fields.Str(load_default=None, validate=PERIOD, metadata={
        "description": "a month (2026-12) or a term (2026-term1); default this month"})


class AssessmentQuery(PeriodQuery):
    person_id = fields.Str(load_default=None, validate=STAFF_ID, metadata={
        "description": "one person (staff: only themselves, the default for them)"})


class ShiftsQuery(_Query):
    date = fields.Date(load_default=None, metadata={"description": "default today"})
    window = fields.Int(load_default=None, validate=WINDOW_RANGE)


class OnDutyQuery(_Query):
    window = fields.Int(required=True, validate=WINDOW_RANGE)


class VoteQuery(_Query):
    month = fields.Str(load_default=None, validate=MONTH)


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


class PostBody(Schema):
    window = fields.Int(required=True, strict=True, validate=WINDOW_RANGE)
    staff_id = fields.Str(required=True, validate=STAFF_ID)
    post = fields.Str(required=True, validate=validate.OneOf(("A", "B"), error=(
        "岗位只能是 A（窗口教师）或 B（学生助理）/ post is A (teacher) or B (student assistant)")))
    name = fields.Str(load_default="", validate=validate.Length(max=64))


class RemovePostBody(Schema):
    window = fields.Int(required=True, strict=True, validate=WINDOW_RANGE)
    staff_id = fields.Str(required=True, validate=STAFF_ID)


class ShiftBody(Schema):
    date = fields.Date(required=True)
    start = fields.Str(required=True, validate=HHMM)
    end = fields.Str(required=True, validate=HHMM)
    window = fields.Int(required=True, strict=True, validate=WINDOW_RANGE)
    staff_id = fields.Str(required=True, validate=STAFF_ID)


class CheckBody(Schema):
    ok = fields.Bool(required=True, truthy={True}, falsy={False})    # JSON true/false only
    note = fields.Str(load_default="", validate=TEXT)


CHECKLIST = Schema.from_dict({code: fields.Nested(CheckBody) for code in CHECKS},
                             name="ChecklistBody")


class FindingBody(Schema):
    window = fields.Int(required=True, strict=True, validate=WINDOW_RANGE)
    person = fields.Str(load_default="", validate=validate.Length(max=64))
    opinion = fields.Str(required=True, validate=NOT_BLANK)
    result = fields.Str(load_default="", validate=TEXT)


class PatrolBody(Schema):
    date = fields.Date(load_default=None, metadata={"description": "default today"})
    checklist = fields.Nested(CHECKLIST, required=True, metadata={
        "description": "every check: {ok, note}"})
    findings = fields.List(fields.Nested(FindingBody), load_default=list,
                           validate=validate.Length(max=50))


class ResolveBody(Schema):
    result = fields.Str(required=True, validate=NOT_BLANK)


class DemeritBody(Schema):
    person_id = fields.Str(required=True, validate=STAFF_ID)
    kind = fields.Str(required=True, validate=validate.OneOf(DIRECTOR_KINDS, error=(
        "只能取 lateness（迟到早退）、verified_error（差错）、verified_complaint（投诉）/ use "
        "lateness, verified_error or verified_complaint")))
    source_ref = fields.Str(load_default="", validate=validate.Length(max=128), metadata={
        "description": "what it rests on (a date, a case id, a complaint's id)"})
    note = fields.Str(load_default="", validate=TEXT)


class VoteBody(Schema):
    window = fields.Int(required=True, strict=True, validate=WINDOW_RANGE)
    month = fields.Str(load_default=None, validate=MONTH, metadata={
        "description": "this month only (the default)"})


def hall(method, *args, write=False, **kwargs):
    return state().clients.call("hall", method, *args, write=write, **kwargs,
                                **call_context())


def this_month():
    return state().clock().strftime("%Y-%m")


def period_of(query):
    return query["period"] or this_month()


# ---- the director and the management committee (read) ------------------------------------
@bp.get("/sunshine")
@require_roles(*MANAGERS)
def sunshine():
    return hall("sunshine", SunshineQuery().load(request.args)["month"] or this_month())


@bp.get("/satisfaction")
@require_roles(*MANAGERS)
def satisfaction():
    return hall("satisfaction", period_of(PeriodQuery().load(request.args)))


@bp.get("/patrols")
@require_roles(*MANAGERS)
def patrols():
    period = period_of(PeriodQuery().load(request.args))
    return {"period": period, "patrols": hall("patrols", period)}


@bp.get("/findings")
@require_roles(*MANAGERS)
def open_findings():
    return {"findings": hall("open_findings")}


@bp.get("/assessment")
@require_roles(*MANAGERS, *STAFF)
def assessment():
    query, user = AssessmentQuery().load(request.args), current_user()
    person = query["person_id"]
    if user.role in STAFF and person is None:
        person = user.username              # staff read their own (the service checks)
    return hall("assessment", period_of(query), person)


@bp.get("/report")
@require_roles(*MANAGERS)
def report():
    query = ReportQuery().load(request.args)
    answer = hall("report", query["period"], query["format"])
    if query["format"] == "json":
        return answer
    return Response(base64.b64decode(answer["base64"]), mimetype=answer["content_type"],
                    headers={"Content-Disposition":
                             f'attachment; filename="{answer["filename"]}"'})


# ---- the director: patrols and demerits --------------------------------------------------
@bp.post("/patrols")
@require_roles(DIRECTOR)
def record_patrol():
    data = body(PatrolBody)
    day = (data["date"] or state().clock().date()).isoformat()
    return hall("record_patrol", day, data["checklist"], data["findings"], write=True), 201


@bp.post("/findings/<int:finding_id>/resolve")
@require_roles(DIRECTOR)
def resolve_finding(finding_id):
    return hall("resolve_finding", finding(finding_id), body(ResolveBody)["result"],
                write=True)


@bp.post("/demerits")
@require_roles(DIRECTOR)
def record_demerit():
    data = body(DemeritBody)
    return hall("record_demerit", data["person_id"], data["kind"], data["source_ref"],
                data["note"], write=True), 201


# ---- the roster: windows, A/B posts, shifts, who is on duty -------------------------------
@bp.get("/windows")
@require_roles()
def windows():
    return {"windows": hall("windows")}


@bp.post("/posts")
@require_roles(DIRECTOR)
def set_post():
    data = body(PostBody)
    return hall("set_post", data["window"], data["staff_id"], data["post"], data["name"],
                write=True)


@bp.post("/posts/remove")
@require_roles(DIRECTOR)
def remove_post():
    data = body(RemovePostBody)
    return hall("remove_post", data["window"], data["staff_id"], write=True)


@bp.post("/shifts")
@require_roles(DIRECTOR)
def add_shift():
    data = body(ShiftBody)
    return hall("add_shift", data["date"].isoformat(), data["start"], data["end"],
                data["window"], data["staff_id"], write=True), 201


@bp.get("/shifts")
@require_roles(DIRECTOR, DESK, *STAFF)
def shifts():
    query = ShiftsQuery().load(request.args)
    day = (query["date"] or state().clock().date()).isoformat()
    return {"date": day, "shifts": hall("shifts", day, query["window"])}


@bp.get("/on-duty")
@require_roles()
def on_duty():
    return hall("on_duty", OnDutyQuery().load(request.args)["window"])


# ---- students ----------------------------------------------------------------------------
@bp.post("/rate")
@require_roles(STUDENT)
def rate():
    data = body(RateBody)
    return hall("rate_case", data["case_id"], data["satisfied"], data["comment"],
                write=True), 201


@bp.post("/votes")
@require_roles(STUDENT)
def vote():
    data = body(VoteBody)
    return hall("vote", data["window"], data["month"], write=True), 201


@bp.get("/votes/mine")
@require_roles(STUDENT)
def my_vote():
    return hall("my_vote", VoteQuery().load(request.args)["month"])


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
