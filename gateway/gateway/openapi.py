"""The OpenAPI 3 description of the gateway, built with apispec from the marshmallow schemas the
routes load (request bodies and query strings) and the route table below, which names each
route's path parameters, success answer and the errors it can give (``ERRORS``).

``gateway/tests/test_openapi_coverage.py`` checks that this table and ``app.url_map`` name the
same /api routes, so a new route without a line here fails the tests."""
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from osac_shared import steps

from . import api, hall_api, money_api, schemas, security, sla_api, verify

ERROR = {"type": "object", "required": ["error", "message", "message_en", "fields"],
         "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                        "message_en": {"type": "string"},
                        "fields": {"type": "object",
                                   "additionalProperties": {"type": "string"}}}}
OBJ = {"type": "object"}
FILE = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ERRORS = {"400": "unknown action (see the case's next_actions)",
          "401": "not logged in", "403": "not allowed for this role, or (a POST with a session) "
                                         "no valid X-CSRF-Token",
          "404": "not found",
          "409": "not allowed in the current state (the case's status, already done, ...)",
          "413": "the file is larger than MAX_UPLOAD_BYTES",
          "415": "body is not JSON",
          "422": "invalid fields (each named, 中文 / English)",
          "429": "too many failed logins: locked for a while (Retry-After header)",
          "503": "the department is not running (named in the message)",
          "504": "the department did not answer in time"}

# gunicorn refuses a request line over 4094 bytes (its limit_request_line) with its own HTML
# page, before the gateway sees the request; any operation can meet it with a long enough URL
SERVER_414 = {"description": "URI too long: the request line is over 4094 bytes (refused by the "
                             "HTTP server, as an HTML page, before the gateway)",
              "content": {"text/html": {"schema": {"type": "string"}}}}

# request bodies, by component name (each the schema its route loads)
BODIES = {"LoginBody": schemas.LoginBody, "SubmitBody": schemas.SubmitBody,
          "NoteBody": steps.NoteBody, "ReasonBody": steps.ReasonBody,
          "ReturnBody": steps.ReturnBody, "ResubmitBody": steps.ResubmitBody,
          "AnswerBody": steps.AnswerBody,
          "PaymentBody": money_api.PaymentBody, "TopUpBody": money_api.TopUpBody,
          "TransferBody": money_api.TransferBody, "RateBody": hall_api.RateBody,
          "QuestionBody": hall_api.QuestionBody, "ReferBody": hall_api.ReferBody,
          "AnswerBody": hall_api.AnswerBody, "FollowUpBody": hall_api.FollowUpBody,
          "HandOverBody": hall_api.HandOverBody, "EmptyBody": hall_api.EmptyBody,
          "PostBody": hall_api.PostBody, "RemovePostBody": hall_api.RemovePostBody,
          "ShiftBody": hall_api.ShiftBody, "PatrolBody": hall_api.PatrolBody,
          "ResolveBody": hall_api.ResolveBody, "DemeritBody": hall_api.DemeritBody,
          "VoteBody": hall_api.VoteBody}
BODIES["RevokeBody"] = verify.RevokeBody


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _param(name, schema, description, where="path", required=True):
    return {"name": name, "in": where, "required": required or where == "path",
            "schema": schema, "description": description}


def _query(schema):
    """The query parameters of a marshmallow schema (the MarshmallowPlugin expands it)."""
    return {"in": "query", "schema": schema}


CASE_ID = _param("case_id", {"type": "string", "pattern": api.CASE_ID.pattern},
                 "case id, e.g. logistics-20261207-1a2b3c4d")
MATERIAL = _param("code", {"type": "string", "pattern": api.MATERIAL_CODE.pattern},
                  "the material's code in the catalogue")
UPLOAD_ID = _param("upload_id", {"type": "string", "pattern": api.UPLOAD_ID.pattern},
                   "the file's id")
QUESTION_ID = _param("question_id", {"type": "integer", "minimum": 0,
                                     "maximum": hall_api.MAX_ID}, "the question's id")
HANDOVER_ID = _param("handover_id", {"type": "integer", "minimum": 0,
                                     "maximum": hall_api.MAX_ID}, "the hand-over's id")
FINDING_ID = _param("finding_id", {"type": "integer", "minimum": 0,
                                   "maximum": hall_api.MAX_ID}, "the patrol finding's id")
KEY = {"type": "string", "pattern": api.IDEMPOTENCY_KEY.pattern}
IDEMPOTENCY = _param("Idempotency-Key", KEY, "makes a retried submission safe", "header",
                     required=False)
MONEY_KEY = _param("Idempotency-Key", KEY, "required: a new key for each new payment, the "
                                           "same key when retrying it", "header")

# the errors a kind of route can give
READ = ("401", "403", "404", "422", "503", "504")    # a case's read (422: a NUL in the path)
ACT = ("401", "403", "404", "409", "415", "422", "503", "504")
HALL_READ = ("401", "403", "409", "422", "503", "504")


def _op(summary, ok, errors=(), body=None, params=(), public=False, media=None):
    """One operation: ``ok`` is (status, description) or a list of them; ``media`` the content
    types of the success answer (JSON object when not given)."""
    op = {"summary": summary, "responses": {}}
    for status, description in [ok] if isinstance(ok, tuple) else ok:
        content = {m: {"schema": s} for m, s in (media or {"application/json": OBJ}).items()}
        op["responses"][status] = ({"description": description} if status == "204"
                                   else {"description": description, "content": content})
    for status in sorted(errors):
        op["responses"][status] = {"description": ERRORS[status],
                                   **_json({"$ref": "#/components/schemas/Error"})}
    if body:
        op["requestBody"] = {"required": True, **_json(body)}
    if params:
        op["parameters"] = list(params)
    if public:
        op["security"] = []
    return op


def _post(*args, **kwargs):
    """A POST under /api: a session without a CSRF token gets 403, a body not JSON 415."""
    op = _op(*args, **kwargs)
    for status in ("403", "415"):
        op["responses"].setdefault(status, {"description": ERRORS[status],
                                            **_json({"$ref": "#/components/schemas/Error"})})
    op["responses"] = dict(sorted(op["responses"].items()))
    return op


PATHS = {
    "/healthz": {"get": _op("Health with dependencies (rabbitmq, database, every service)",
                            ("200", "status and dependencies"), ("503",), public=True)},
    "/healthz/live": {"get": _op("Liveness (no I/O)", ("200", "ok"), public=True)},
    "/api/openapi.json": {"get": _op("This document", ("200", "OpenAPI 3"), public=True)},
    "/api/login": {"post": _op("Log in; sets the HttpOnly session cookie",
                               ("200", "the user"), ("401", "415", "422", "429"),
                               "LoginBody", public=True)},
    "/api/logout": {"post": _post("Log out (deletes the session)", ("204", "logged out"))},
    "/api/me": {"get": _op("The logged-in user", ("200", "the user"), ("401",))},
    "/api/catalogue": {"get": _op("Every item of every department (cached a minute)",
                                  ("200", "items, unavailable, stale"), public=True)},
    "/api/cases": {"post": _post(
        "Submit an application (students); repeat an Idempotency-Key to get the same case",
        [("201", "the new case"), ("200", "the case of a repeated Idempotency-Key")],
        ("401", "403", "409", "422", "503", "504"), "SubmitBody", [IDEMPOTENCY])},
    "/api/cases/{case_id}": {"get": _op(
        "A case with its history and SLA view (due_at, flagged, sla_status)",
        ("200", "the case"), READ, params=[CASE_ID])},
    "/api/me/notifications": {"get": _op(
        "What a student has been told about their cases, newest first (zh and en)",
        ("200", "notifications, total, page, per_page, unavailable"), ("401", "403", "422"),
        params=[_query(schemas.PageQuery)])},
    "/api/me/cases": {"get": _op(
        "My cases: a student's across departments, a B/A post's (or a department review "
        "committee's) department queue, every department for the director",
        ("200", "cases, total, page, per_page, unavailable"),
        ("401", "403", "422"), params=[_query(schemas.ListQuery)])},
}
for _action, _schema, _who in [("accept", "NoteBody", "staff"), ("return", "ReturnBody", "staff"),
                               ("approve", "NoteBody", "staff"),
                               ("complete", "NoteBody", "staff; a consultation: AnswerBody"),
                               ("reject", "ReasonBody", "staff"),
                               ("expedite", "ReasonBody", "staff: the green channel"),
                               ("resubmit", "ResubmitBody", "the applicant"),
                               ("withdraw", "NoteBody", "the applicant")]:
    PATHS[f"/api/cases/{{case_id}}/{_action}"] = {"post": _post(
        f"{_action.capitalize()} the case ({_who}); the same as "
        f"/api/cases/{{case_id}}/actions/{_action}", ("200", "the case"), ACT + ("400",),
        _schema, [CASE_ID])}
_step = _post(
    "Take one of the case's next_actions (GET /api/cases/{case_id} lists them for the asking "
    "user, each with its href and input_schema): the lifecycle's steps and the departments' "
    "own (an aid committee's decision, an insurer's payout, ...). A step not open to this user "
    "now is refused (403/409) saying why", ("200", "the case"), ACT + ("400",),
    params=[CASE_ID, _param("action", {"type": "string", "pattern": api.ACTION.pattern},
                            "the step's action, as in next_actions[].action")])
ACTION_INPUT = {"type": "object", "description": "the action's input: it fits that action's "
                "next_actions[].input_schema (JSON Schema) of GET /api/cases/{case_id}"}
_step["requestBody"] = {"required": False, **_json({"$ref": "#/components/schemas/ActionInput"})}
PATHS["/api/cases/{case_id}/actions/{action}"] = {"post": _step}

# security (gateway/security.py): CSRF token, audit log, material files
PATHS["/api/csrf"] = {"get": _op(
    "A CSRF token for this session (also set as the csrf_token cookie); every POST under /api "
    "except /api/login sends it in the X-CSRF-Token header", ("200", "csrf_token, header"),
    public=True)}
PATHS["/api/audit"] = {"get": _op(
    "The audit log, newest first (director only)", ("200", "entries, total, page, per_page"),
    ("401", "403", "422"), params=[_query(security.AuditQuery)])}
PATHS["/api/cases/{case_id}/materials"] = {"get": _op(
    "The files uploaded for a case", ("200", "files"), READ, params=[CASE_ID])}
_upload = _post("Upload a material's file (the applicant): PDF, PNG or JPEG by content, at "
                "most MAX_UPLOAD_BYTES (5 MiB)", ("201", "the stored file (id, sha256, size)"),
                ACT + ("413",), params=[CASE_ID, MATERIAL])
_upload["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": FILE}}}}}
PATHS["/api/cases/{case_id}/materials/{code}"] = {"post": _upload}
PATHS["/api/cases/{case_id}/materials/files/{upload_id}"] = {"get": _op(
    "Download an uploaded file (as an attachment)", ("200", "the file"), READ,
    params=[CASE_ID, UPLOAD_ID],
    media={"application/pdf": FILE, "image/png": FILE, "image/jpeg": FILE})}

# a case's department documents (gateway/api.py); reads by staff and the director are audited
PATHS["/api/cases/{case_id}/certificate"] = {"get": _op(
    "The PDF of a completed academic certificate case (its student, Academic Affairs staff, "
    "the director)", ("200", "the PDF (as an attachment)"), READ + ("409",),
    params=[CASE_ID], media={"application/pdf": FILE})}
PATHS["/api/cases/{case_id}/investigation-notes"] = {"get": _op(
    "A complaint's investigation notes (Sunshine staff, the director)", ("200", "notes"),
    READ + ("409",), params=[CASE_ID])}

# certificates (gateway/verify.py): the public page a certificate's QR code opens (JSON for
# Accept: application/json, else HTML -- errors too), and the academic A post revoking one
HTML = {"text/html": {"schema": {"type": "string"}}}
_when = {"type": "string", "format": "date-time"}
VERIFICATION = {"type": "object", "required": ["valid", "status", "code", "kind", "student_name",
                                               "issued_at"], "properties": {
    "valid": {"type": "boolean"}, "status": {"type": "string", "enum": ["valid", "revoked"]},
    "code": {"type": "string"}, "kind": {"type": "string"}, "kind_zh": {"type": "string"},
    "kind_en": {"type": "string"},
    "student_name": {"type": "string", "description": "masked: 张*"},
    "student_id": {"type": "string", "description": "masked: 2026****01"},
    "issued_at": _when, "sha256": {"type": "string"},
    "revoked_at": {**_when, "nullable": True},
    "revoke_reason": {"type": "string", "nullable": True}}}
_verify = _op("Is this a certificate Academic Affairs issued, and is it valid or revoked (no "
              "login; the holder masked). Misses are throttled per client IP",
              ("200", "the certificate as the public may see it"),
              ("404", "422", "429", "503", "504"), public=True,
              params=[_param("code", {"type": "string", "maxLength": 64},
                             "the verification code, as printed or typed (any case, dashes)")],
              media={"application/json": VERIFICATION, **HTML})
for _status, _response in _verify["responses"].items():
    if _status[0] in "45":
        _response["content"].update(HTML)
_verify["responses"]["429"]["description"] = ("too many codes that do not exist looked up from "
                                             "this address: locked for a while (Retry-After)")
PATHS["/verify/{code}"] = {"get": _verify}
PATHS["/api/cases/{case_id}/certificate/revoke"] = {"post": _post(
    "Revoke the certificate of a completed academic case (the academic A post), with a reason "
    "the public verification shows; 409 when already revoked", ("200", "the certificate, "
    "revoked (case_id, revoked_by, status, revoked_at, revoke_reason)"), ACT, "RevokeBody",
    [CASE_ID])}

# money (gateway/money_api.py): every POST needs an Idempotency-Key; a repeat replays the 201
MONEY_READ = ("401", "403", "404", "422", "503", "504")
PATHS["/api/finance/ledger"] = {"get": _op(
    "A student's fee statement (their own; finance staff and the director with ?student_id=)",
    ("200", "charges, payments, balance"), MONEY_READ, params=[_query(money_api.StatementQuery)])}
PATHS["/api/finance/payments"] = {"post": _post(
    "Pay fees (students)", ("201", "the payment"), ACT, "PaymentBody", [MONEY_KEY])}
PATHS["/api/campus-it/card"] = {"get": _op(
    "A student's campus card (their own; campus IT staff and the director with ?student_id=)",
    ("200", "the card"), MONEY_READ, params=[_query(money_api.StatementQuery)])}
PATHS["/api/campus-it/card/ledger"] = {"get": _op(
    "The campus card's ledger, newest first", ("200", "entries, total, page, per_page"),
    MONEY_READ, params=[_query(money_api.StatementQuery)])}
PATHS["/api/campus-it/top-ups"] = {"post": _post(
    "Top up one's campus card (students)", ("201", "the ledger entry and balance"), ACT,
    "TopUpBody", [MONEY_KEY])}
PATHS["/api/campus-it/transfers"] = {"post": _post(
    "Transfer from one's card to another student's (students)", ("201", "the transfer"), ACT,
    "TransferBody", [MONEY_KEY])}

# the hall office (gateway/hall_api.py); the hall service applies its own rules after the roles
PATHS["/api/hall/sunshine"] = {"get": _op(
    "The Sunshine Window ranking of a month from votes, satisfaction, on-time rates and "
    "demerits (director, committee; default this month)", ("200", "the ranking"),
    HALL_READ, params=[_query(hall_api.SunshineQuery)])}
PATHS["/api/hall/report"] = {"get": _op(
    "The hall's report of a month or term (director, committee), as JSON, CSV or XLSX",
    ("200", "the report (CSV and XLSX as an attachment)"), HALL_READ,
    params=[_query(hall_api.ReportQuery)],
    media={"application/json": OBJ, "text/csv": FILE, XLSX: FILE})}
PATHS["/api/hall/rate"] = {"post": _post(
    "Rate a finished case (its student)", ("201", "the rating"), ACT, "RateBody")}
PATHS["/api/hall/votes"] = {"post": _post(
    "Vote for this month's Sunshine Window (students, one vote a month)", ("201", "the vote"),
    ACT, "VoteBody")}
PATHS["/api/hall/votes/mine"] = {"get": _op(
    "My Sunshine Window vote of a month (students; default this month)",
    ("200", "month, window (null: not voted), can_vote"), HALL_READ,
    params=[_query(hall_api.VoteQuery)])}
PATHS["/api/hall/satisfaction"] = {"get": _op(
    "Satisfaction per window and per person of a month or term (director, committee; target "
    "96%)", ("200", "target, by_window, by_person"), HALL_READ,
    params=[_query(hall_api.PeriodQuery)])}
# patrols (巡查) and assessment (考核): the director records, the committee reads
PATHS["/api/hall/patrols"] = {
    "post": _post("Record a patrol with its checklist and findings (director); a finding "
                  "needs an opinion (事事有登记，有意见，有结果); a 3rd patrol of a day is kept "
                  "with a warning", ("201", "patrol, warnings"), ACT, "PatrolBody"),
    "get": _op("The patrols of a month or term with their findings (director, committee)",
               ("200", "period, patrols"), HALL_READ, params=[_query(hall_api.PeriodQuery)])}
PATHS["/api/hall/findings"] = {"get": _op(
    "Patrol findings still without a result, oldest first (director, committee)",
    ("200", "findings"), HALL_READ)}
PATHS["/api/hall/findings/{finding_id}/resolve"] = {"post": _post(
    "Record a finding's result (director)", ("200", "the finding"), ACT, "ResolveBody",
    [FINDING_ID])}
PATHS["/api/hall/demerits"] = {"post": _post(
    "Record a demerit: lateness, a verified error or a verified complaint (director; SLA "
    "breaches and one-time-notice violations arrive as events)",
    ("201", "demerit and the month's and term's verdict (wage, dismissal)"), ACT,
    "DemeritBody")}
PATHS["/api/hall/assessment"] = {"get": _op(
    "Demerits per person of a month or term with the wage and dismissal verdicts (director, "
    "committee; B/A posts: their own)", ("200", "period, from, to, people"), HALL_READ,
    params=[_query(hall_api.AssessmentQuery)])}
# the roster: windows, A/B posts, shifts
PATHS["/api/hall/windows"] = {"get": _op(
    "The 13 windows with their A post (teacher) and B posts (student assistants)",
    ("200", "windows"), HALL_READ)}
PATHS["/api/hall/posts"] = {"post": _post(
    "Put someone on a window's roster as its A or B post (director)", ("200", "the post"),
    ACT, "PostBody")}
PATHS["/api/hall/posts/remove"] = {"post": _post(
    "Take someone off a window's roster, with their shifts there from today on (director)",
    ("200", "the post removed, shifts_removed"), ACT, "RemovePostBody")}
PATHS["/api/hall/shifts"] = {
    "post": _post("Add a B post's shift at a window (director)", ("201", "the shift"), ACT,
                  "ShiftBody"),
    "get": _op("The shifts of a day (director, desk, B/A posts; default today)",
               ("200", "date, shifts"), HALL_READ, params=[_query(hall_api.ShiftsQuery)])}
PATHS["/api/hall/on-duty"] = {"get": _op(
    "Who is at a window now: B posts on shift, its A post and whether it is the A post's "
    "hour (15:30–17:30 on working days)", ("200", "the window on duty"), HALL_READ,
    params=[_query(hall_api.OnDutyQuery)])}
PATHS["/api/hall/questions"] = {
    "post": _post("Record a question at the desk (desk, director, B/A posts)",
                  ("201", "the question"), ACT, "QuestionBody"),
    "get": _op("The desk's questions (desk and director: all; B/A posts: their department's)",
               ("200", "questions, total, page, per_page"), HALL_READ,
               params=[_query(hall_api.QuestionsQuery)])}
PATHS["/api/hall/questions/{question_id}/refer"] = {"post": _post(
    "Refer an open question to the responsible department", ("200", "the question"), ACT,
    "ReferBody", [QUESTION_ID])}
PATHS["/api/hall/questions/{question_id}/answer"] = {"post": _post(
    "Answer a question referred to one's department (B/A posts)", ("200", "the question"), ACT,
    "AnswerBody", [QUESTION_ID])}
PATHS["/api/hall/questions/{question_id}/follow-up"] = {"post": _post(
    "Record the student's feedback on an answered question", ("200", "the question"), ACT,
    "FollowUpBody", [QUESTION_ID])}
PATHS["/api/hall/handovers"] = {
    "post": _post("Hand a window over to the next B post (B posts)", ("201", "the hand-over"),
                  ACT, "HandOverBody"),
    "get": _op("Hand-overs (?pending=true: those awaiting confirmation)",
               ("200", "handovers"), HALL_READ, params=[_query(hall_api.HandOversQuery)])}
PATHS["/api/hall/handovers/{handover_id}/confirm"] = {"post": _post(
    "Confirm a hand-over made to oneself (B posts)", ("200", "the hand-over"), ACT,
    "EmptyBody", [HANDOVER_ID])}

# deadlines (gateway/sla_api.py)
PATHS["/api/calendar/deadline"] = {"get": _op(
    "When a case submitted at `start` is due, on the working calendar (CN holidays, 调休)",
    ("200", "due_at, flagged"), ("422",), params=[_query(sla_api.DeadlineQuery)], public=True,
    media={"application/json": {"type": "object", "required": ["due_at", "flagged"],
                                "properties": {"due_at": {"type": "string",
                                                          "format": "date-time"},
                                               "flagged": {"type": "boolean"}}}})}
PATHS["/api/sla/report"] = {"get": _op(
    "Deadlines met and missed between `from` and `to` (director: all; B/A posts: their "
    "department)", ("200", "the report"), ("401", "403", "422", "503", "504"),
    params=[_query(sla_api.PeriodQuery)])}
PATHS["/api/sla/at-risk"] = {"get": _op(
    "Open deadlines closest to breach (director: all; B/A posts: their department)",
    ("200", "cases, total, page, per_page"), ("401", "403", "422", "503", "504"),
    params=[_query(sla_api.PageQuery)])}


@lru_cache(maxsize=1)
def spec():
    plugin = MarshmallowPlugin()
    doc = APISpec(title="一站式学生事务中心 One-Stop Student Affairs Center", version="0.1.0",
                  openapi_version="3.0.3", plugins=[plugin],
                  info={"description": "The gateway's JSON API. Errors are always "
                                       "{error, message (中文), message_en, fields}."})
    plugin.map_to_openapi_type(sla_api.AwareMoment, "string", "date-time")
    plugin.map_to_openapi_type(sla_api.DayOrMoment, "string", None)
    doc.components.schema("Error", ERROR)
    doc.components.schema("ActionInput", ACTION_INPUT)
    for name, schema in BODIES.items():
        doc.components.schema(name, schema=schema)
    doc.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                               "name": "osac_session"})
    for path, operations in PATHS.items():
        for op in operations.values():     # answered by gunicorn itself, before the gateway
            op["responses"].setdefault("414", SERVER_414)
        doc.path(path=path, operations=operations)
    out = doc.to_dict()
    out["security"] = [{"session": []}]
    return out
