"""The OpenAPI 3 description of the gateway, built with apispec from the marshmallow request
schemas and the route table below (kept next to each other so they change together)."""
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import schemas

ERROR = {"type": "object", "required": ["error", "message", "message_en", "fields"],
         "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                        "message_en": {"type": "string"},
                        "fields": {"type": "object",
                                   "additionalProperties": {"type": "string"}}}}
OBJ = {"type": "object"}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary, ok, responses=(), body=None, params=(), security=True):
    op = {"summary": summary, "responses": {
        ok[0]: {"description": ok[1], **_json(OBJ)} if ok[0] != "204"
        else {"description": ok[1]}}}
    for code in responses:
        op["responses"][code] = {"description": ERRORS[code], **_json({"$ref":
                                                                       "#/components/schemas/Error"})}
    if body:
        op["requestBody"] = {"required": True, **_json(body)}
    if params:
        op["parameters"] = list(params)
    if not security:
        op["security"] = []
    return op


ERRORS = {"401": "not logged in", "403": "not allowed for this role", "404": "not found",
          "409": "not allowed in the case's current status", "415": "body is not JSON",
          "413": "the file is larger than MAX_UPLOAD_BYTES",
          "429": "too many failed logins: locked for a while (Retry-After header)",
          "422": "invalid fields (each named, 中文 / English)",
          "503": "the department is not running (named in the message)",
          "504": "the department did not answer in time"}


def _q(name, schema, description, where="query", required=False):
    return {"name": name, "in": where, "required": required, "schema": schema,
            "description": description}


CASE_ID = _q("case_id", {"type": "string"}, "case id, e.g. logistics-20261207-1a2b3c4d",
             "path", True)
W = ("401", "403", "404", "409", "415", "422", "503", "504")

PATHS = {
    "/healthz": {"get": _op("Health with dependencies (rabbitmq, database, every service)",
                            ("200", "status and dependencies"), ("503",), security=False)},
    "/healthz/live": {"get": _op("Liveness (no I/O)", ("200", "ok"), security=False)},
    "/api/login": {"post": _op("Log in; sets the HttpOnly session cookie",
                               ("200", "the user"), ("401", "415", "422", "429"),
                               "LoginBody", security=False)},
    "/api/logout": {"post": _op("Log out (deletes the session)", ("204", "logged out"),
                                ("415",))},
    "/api/me": {"get": _op("The logged-in user", ("200", "the user"), ("401",))},
    "/api/catalogue": {"get": _op("Every item of every department (cached a minute)",
                                  ("200", "items, unavailable, stale"), security=False)},
    "/api/cases": {"post": _op(
        "Submit an application (students); repeat an Idempotency-Key to get the same case",
        ("201", "the new case (200 for a repeated key)"), ("401", "403", "415", "422", "503",
                                                           "504"),
        "SubmitBody", [_q("Idempotency-Key", {"type": "string", "maxLength": 128},
                          "makes a retried submission safe", "header")])},
    "/api/cases/{case_id}": {"get": _op(
        "A case with its history and SLA view (due_at, flagged, sla_status)",
        ("200", "the case"), ("401", "403", "404", "503", "504"), params=[CASE_ID])},
    "/api/me/cases": {"get": _op(
        "My cases: a student's across departments, a B/A post's department queue, every "
        "department for the director", ("200", "cases, total, page, per_page, unavailable"),
        ("401", "403", "422"), params=[
            _q("page", {"type": "integer", "minimum": 1}, "page number"),
            _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "page size"),
            _q("status", {"type": "string"}, "comma-separated statuses, e.g. "
                                             "submitted,resubmitted")])},
}
for _action, _schema, _who in [("accept", "NoteBody", "staff"), ("return", "ReturnBody", "staff"),
                               ("approve", "NoteBody", "staff"),
                               ("complete", "NoteBody", "staff"),
                               ("reject", "ReasonBody", "staff"),
                               ("resubmit", "ResubmitBody", "the applicant"),
                               ("withdraw", "NoteBody", "the applicant")]:
    PATHS[f"/api/cases/{{case_id}}/{_action}"] = {"post": _op(
        f"{_action.capitalize()} the case ({_who})", ("200", "the case"), W, _schema,
        [CASE_ID])}

# security (gateway/security.py): CSRF token, audit log, material files
UPLOAD = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}}
PATHS["/api/csrf"] = {"get": _op(
    "A CSRF token for this session (also set as the csrf_token cookie); every POST under /api "
    "except /api/login sends it in the X-CSRF-Token header", ("200", "csrf_token, header"),
    security=False)}
PATHS["/api/audit"] = {"get": _op(
    "The audit log, newest first (director only)", ("200", "entries, total, page, per_page"),
    ("401", "403", "422"), params=[
        _q("user", {"type": "string", "maxLength": 64}, "username"),
        _q("from", {"type": "string", "format": "date-time"}, "from this time (ISO 8601)"),
        _q("to", {"type": "string", "format": "date-time"}, "before this time (ISO 8601)"),
        _q("page", {"type": "integer", "minimum": 1, "maximum": 10000}, "page number"),
        _q("per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "page size")])}
PATHS["/api/cases/{case_id}/materials"] = {"get": _op(
    "The files uploaded for a case", ("200", "files"), ("401", "403", "404", "503", "504"),
    params=[CASE_ID])}
_upload = _op("Upload a material's file (the applicant): PDF, PNG or JPEG by content, at most "
              "MAX_UPLOAD_BYTES (5 MiB)", ("201", "the stored file (id, sha256, size)"),
              ("401", "403", "404", "409", "413", "415", "422", "503", "504"),
              params=[CASE_ID, _q("code", {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"},
                                  "the material's code in the catalogue", "path", True)])
_upload["requestBody"] = {"required": True, **UPLOAD}
PATHS["/api/cases/{case_id}/materials/{code}"] = {"post": _upload}
PATHS["/api/cases/{case_id}/materials/files/{upload_id}"] = {"get": _op(
    "Download an uploaded file (as an attachment)", ("200", "the file"),
    ("401", "403", "404", "503", "504"), params=[
        CASE_ID, _q("upload_id", {"type": "string"}, "the file's id", "path", True)])}

# a case's department documents (gateway/api.py); reads by staff and the director are audited
PATHS["/api/cases/{case_id}/certificate"] = {"get": _op(
    "The PDF of a completed academic certificate case (its student, Academic Affairs staff, "
    "the director)", ("200", "the PDF (as an attachment)"),
    ("401", "403", "404", "409", "503", "504"), params=[CASE_ID])}
PATHS["/api/cases/{case_id}/investigation-notes"] = {"get": _op(
    "A complaint's investigation notes (Sunshine staff, the director)", ("200", "notes"),
    ("401", "403", "404", "503", "504"), params=[CASE_ID])}


@lru_cache(maxsize=1)
def spec():
    doc = APISpec(title="一站式学生事务中心 One-Stop Student Affairs Center", version="0.1.0",
                  openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                  info={"description": "The gateway's JSON API. Errors are always "
                                       "{error, message (中文), message_en, fields}."})
    doc.components.schema("Error", ERROR)
    for name in ("LoginBody", "SubmitBody", "NoteBody", "ReasonBody", "ReturnBody",
                 "ResubmitBody"):
        doc.components.schema(name, schema=getattr(schemas, name))
    doc.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                               "name": "osac_session"})
    for path, operations in PATHS.items():
        doc.path(path=path, operations=operations)
    out = doc.to_dict()
    out["security"] = [{"session": []}]
    return out
