"""The JSON API (/api): login, the service guide, submitting and following cases, staff
actions, a case's certificate and investigation notes. Handlers validate, call ``Clients`` and
compose; errors go to ``errors.REGISTRY``. Every read of a case by anyone but a student lands
in the audit log (``security.audited``: the route carries ``case_id``)."""
import base64
import re

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from osac_shared.auth import COMMITTEE, DIRECTOR, STAFF, STUDENT
from osac_shared import forms, lifecycle, steps
from osac_shared.catalogue import service_of
from osac_shared.clock import system_now
from osac_shared.errors import DomainError, forbidden, not_found, validation_failed
from osac_shared.registry import DEPARTMENTS

from . import accounts, compose, schemas, security, ui_logic
from .app import COOKIE, call_context, current_user, db, require_roles, state
from .clients import ServiceFailed

bp = Blueprint("api", __name__, url_prefix="/api")

ALL = DEPARTMENTS
CASE_ID = re.compile(r"^[a-z_]+-[0-9A-Za-z-]{1,60}$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


def body(schema):
    return schema().load(request.get_json(silent=True) or {})


def department_of_case(case_id):
    department = service_of(case_id)
    if not CASE_ID.match(case_id) or department not in DEPARTMENTS:
        raise not_found("事项", "Case", case_id)
    return department


# ---- login ---------------------------------------------------------------------------
@bp.post("/login")
def login():
    data = body(schemas.LoginBody)
    settings, session = state().settings, db()
    g.audit_username = data["username"]
    security.check_login_allowed(session, data["username"])     # 429 while locked out
    user = accounts.authenticate(session, data["username"], data["password"])
    if user is None:
        security.login_failed(session, data["username"])
        raise DomainError("login_failed", "用户名或密码错误，请核对后重试",
                          "Wrong username or password; check them and try again",
                          {"password": "请核对用户名和密码 / check the username and password"},
                          401)
    security.clear_failures(session, data["username"])
    accounts.close_session(session, request.cookies.get(COOKIE), settings.secret_key)
    token = accounts.open_session(session, user, system_now(), settings.session_hours,
                                  settings.secret_key)
    session.commit()
    g.audit_user = user
    response = jsonify(user=accounts.user_to_dict(user))
    response.set_cookie(COOKIE, token, max_age=int(settings.session_hours * 3600), path="/",
                        httponly=True, samesite="Lax", secure=settings.https)
    security.set_csrf_cookie(response, token)
    return response


@bp.post("/logout")
def logout():
    settings = state().settings
    accounts.close_session(db(), request.cookies.get(COOKIE), settings.secret_key)
    db().commit()
    response = Response(status=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax",
                           secure=settings.https)
    security.clear_csrf_cookie(response)
    return response


@bp.get("/me")
@require_roles()
def me():
    return {"user": accounts.user_to_dict(current_user())}


# ---- the service guide ---------------------------------------------------------------
@bp.get("/catalogue")
def catalogue():
    items, unavailable, stale = state().clients.catalogue(ALL, g.correlation_id)
    return {"items": items, "unavailable": unavailable, "stale": stale}


# ---- cases ---------------------------------------------------------------------------
@bp.post("/cases")
@require_roles(STUDENT)
def submit_case():
    data = body(schemas.SubmitBody)
    department = service_of(data["item_code"])
    if department not in DEPARTMENTS:
        raise validation_failed({"item_code": f"没有这个事项：{data['item_code']} / no such "
                                              f"item; pick one from /api/catalogue"})
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        raise validation_failed({"Idempotency-Key": "须为1–128个可见ASCII字符 / 1–128 "
                                                    "printable ASCII characters"})
    clients, user, ctx = state().clients, current_user(), call_context()
    fingerprint = accounts.fingerprint(data)
    if key:
        known = accounts.case_for_key(db(), user.username, key)
        if known:
            return _replay(known, fingerprint, ctx)
    case = clients.call(department, "submit_case", data["item_code"], data["materials"],
                        data["form"], key, data["green_reason"], write=True, **ctx)
    if key and not accounts.remember_key(db(), user.username, key, case["id"], fingerprint,
                                         state().clock()):
        # a concurrent request with the same key won the race
        return _replay(accounts.case_for_key(db(), user.username, key), fingerprint, ctx)
    return compose.with_hrefs(_promised(case, ctx)), 201


def _replay(known, fingerprint, ctx):
    """A repeated Idempotency-Key: the same request gets its case again (200); a different
    request under the same key is refused (409), never silently dropped."""
    case_id, stored = known
    if stored and stored != fingerprint:
        raise DomainError("idempotency_conflict",
                          "该幂等键已用于另一份申请；新的申请请换一个 Idempotency-Key",
                          "This Idempotency-Key was used for a different application; use a "
                          "new key for a new application",
                          {"Idempotency-Key": f"已用于 {case_id} / already used for {case_id}"},
                          409)
    case = state().clients.call(service_of(case_id), "get_case", case_id, **ctx)
    return compose.with_hrefs(_promised(case, ctx)), 200


def _promised(case, ctx):
    """The case with the deadline the SLA will hold it to (``due_at``; the SLA's own rules
    and calendar), or ``unavailable: ["sla"]`` when the SLA cannot say now."""
    ok, failed = state().clients.fan_out({"sla": ("sla", "promise", (case,), {})}, **ctx)
    promise = ok.get("sla") or {}
    return {**case, "due_at": promise.get("due_at"), "flagged": bool(promise.get("flagged")),
            "unavailable": sorted(failed)}


@bp.get("/cases/<case_id>")
@require_roles()
def get_case(case_id):
    department = department_of_case(case_id)
    security.check_case_reach(current_user(), department)
    ok, failed = state().clients.fan_out({
        "case": (department, "get_case", (case_id,), {}),
        "sla": ("sla", "get_deadline", (case_id,), {})}, **call_context())
    if "case" in failed:
        raise failed["case"]
    security.check_case_owner(current_user(), ok["case"])
    case = compose.with_hrefs(compose.attach_deadline(ok["case"], ok.get("sla")))
    return {**case, "unavailable": ["sla"] if "sla" in failed else []}


LIFECYCLE_ROUTE = "/cases/<case_id>/<any(accept, return, approve, complete, reject, resubmit, " \
    "withdraw, expedite):action>"
ACTION = re.compile(r"^[a-z_]{2,32}$")
MAX_ACTION_BODY = 50                 # keys in an action's input


@bp.post(LIFECYCLE_ROUTE)
@bp.post("/cases/<case_id>/actions/<action>")
@require_roles()
def case_action(case_id, action):
    """Take one of the case's next_actions: the department loads the body with that step's
    own schema (its ``input_schema``) and refuses any step not open to this user now."""
    department = department_of_case(case_id)
    if not ACTION.match(action):
        raise not_found("操作", "Action", action)
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict) or len(data) > MAX_ACTION_BODY:
        raise validation_failed({"body": "须为 JSON 对象（见 next_actions[].input_schema）/ must "
                                         "be a JSON object (see next_actions[].input_schema)"})
    security.check_case_reach(current_user(), department, write=True)
    try:
        case = state().clients.call(department, "perform", case_id, action, data,
                                    write=True, **call_context())
    except ServiceFailed as exc:
        if exc.detail != "MethodNotFound" or action not in steps.LIFECYCLE_NAMES:
            raise
        case = _legacy_step(department, case_id, action, data)
    return compose.with_hrefs(case)


def _legacy_step(department, case_id, action, data):
    """A department still on a version without ``perform`` (during its rolling update):
    the lifecycle step through the older ``act`` / ``expedite`` RPCs, its input loaded by the
    same shared body schema first."""
    body, problems = forms.load(steps.LIFECYCLE_BODIES[action], data, prefix="")
    if problems:
        raise validation_failed(problems)
    clients, ctx = state().clients, call_context()
    if action == "expedite":
        return clients.call(department, "expedite", case_id, body["reason"], write=True, **ctx)
    kwargs = {"reason": body.get("reason", "")}
    if action == "return":
        kwargs["notice"] = {"missing": body["missing"], "correct": body["correct"],
                            "deadline": body.get("deadline")}
    if action == "resubmit":
        kwargs["materials"] = body["materials"]
    return clients.call(department, "act", case_id, action, write=True, **kwargs, **ctx)


@bp.get("/me/cases")
@require_roles()
def my_cases():
    query = schemas.ListQuery().load(request.args)
    statuses, page, per_page = query["statuses"], query["page"], query["per_page"]
    user = current_user()
    if user.role in STAFF or (user.role == COMMITTEE and user.department):
        departments, merged = [user.department], False       # a department's own list
    elif user.role in (STUDENT, DIRECTOR, COMMITTEE):
        departments, merged = list(ALL), True
    else:
        raise forbidden("该角色没有事项列表", "This role has no case list")
    if merged:
        paging = {"page": 1, "per_page": compose.merge_size(page, per_page)}
    else:
        paging = {"page": page, "per_page": per_page}
    clients, ctx = state().clients, call_context()
    ok, failed = clients.fan_out({d: (d, "list_cases", (), {"statuses": statuses, **paging})
                                  for d in departments}, **ctx)
    for exc in failed.values():
        if isinstance(exc, DomainError):
            raise exc
    answers = [ok[d] for d in departments if d in ok]
    cases = compose.merge_pages([a["cases"] for a in answers], page, per_page) if merged \
        else (answers[0]["cases"] if answers else [])
    unavailable = sorted(failed)
    if cases:
        got, missed = clients.fan_out(
            {"sla": ("sla", "deadlines", ([c["id"] for c in cases],), {})}, **ctx)
        deadlines = got.get("sla") or {}
        cases = [compose.attach_deadline(c, deadlines.get(c["id"])) for c in cases]
        unavailable += sorted(missed)
    return {"cases": cases, "total": sum(a["total"] for a in answers), "page": page,
            "per_page": per_page, "unavailable": unavailable}


@bp.get("/me/notifications")
@require_roles(STUDENT)
def my_notifications():
    """What the student has been told about their cases, newest first (the UI's 通知):
    every acceptance, return, approval, completion and refusal, fix-by dates, and deadlines
    near or past; in both languages."""
    query = schemas.PageQuery().load(request.args)
    clients, ctx = state().clients, call_context()
    ok, failed = clients.fan_out({d: (d, "list_cases", (), {"page": 1, "per_page": 50})
                                  for d in ALL}, **ctx)
    cases = [c for d in ALL if d in ok for c in ok[d]["cases"]]
    unavailable = sorted(failed)
    deadlines = {}
    if cases:
        got, missed = clients.fan_out(
            {"sla": ("sla", "deadlines", ([c["id"] for c in cases],), {})}, **ctx)
        deadlines = got.get("sla") or {}
        unavailable += sorted(missed)
    now = state().clock()
    zh = ui_logic.notifications(cases, deadlines, now, "zh")
    en = ui_logic.notifications(cases, deadlines, now, "en")
    entries = [{"at": n["at"].isoformat() if n["at"] else None, "case_id": n["case_id"],
                "kind": n["kind"], "text_zh": n["text"], "text_en": e["text"],
                "reason": n["reason"]} for n, e in zip(zh, en)]
    page, per_page = query["page"], query["per_page"]
    return {"notifications": entries[(page - 1) * per_page:page * per_page],
            "total": len(entries), "page": page, "per_page": per_page,
            "unavailable": unavailable}


# ---- material files ------------------------------------------------------------------------
MATERIAL_CODE = re.compile(r"^[a-z0-9_]{1,64}$")
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


def _readable_case(case_id):
    """The case, if this user may read it (the gateway's boundary, then the service's)."""
    department = department_of_case(case_id)
    user = current_user()
    security.check_case_reach(user, department)
    case = state().clients.call(department, "get_case", case_id, **call_context())
    security.check_case_owner(user, case)
    return case


@bp.post("/cases/<case_id>/materials/<code>")
@require_roles(STUDENT)
def upload_material(case_id, code):
    """The applicant uploads the file of one material (multipart field ``file``): PDF, PNG or
    JPEG judged by content, at most MAX_UPLOAD_BYTES; kept under a generated name."""
    if not MATERIAL_CODE.match(code):
        raise validation_failed({"code": "材料代码须为小写字母、数字或下划线 / a material code "
                                         "is lowercase letters, digits and _"})
    if request.mimetype != "multipart/form-data":
        raise DomainError("unsupported_media_type", "请以 multipart/form-data 上传文件",
                          "Upload the file as multipart/form-data",
                          {"file": "表单字段名为 file / the form field is named file"}, 415)
    case = _readable_case(case_id)
    if case["status"] in lifecycle.FINAL:
        raise DomainError("case_closed", "事项已结束，不能再上传材料",
                          "The case is closed; no more files can be added",
                          {"status": case["status"]}, 409)
    items, _, _ = state().clients.catalogue([service_of(case_id)], g.correlation_id)
    item = next((i for i in items if i["code"] == case["item_code"]), None)
    if item is not None and code not in {m["code"] for m in item["materials"]}:
        raise validation_failed({"code": f"该事项没有这项材料：{code} / this item has no "
                                         f"material {code}"})
    conf = security.settings()
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise security.file_too_large(conf.max_upload_bytes)
    if upload is None:
        raise validation_failed({"file": "请选择要上传的文件（表单字段 file）/ choose a file "
                                         "(form field file)"})
    data = security.read_limited(upload.stream, conf.max_upload_bytes)
    row = security.store_upload(db(), data, case_id, code, current_user().username,
                                upload.filename, system_now(), conf)
    return security.upload_to_dict(row), 201


@bp.get("/cases/<case_id>/materials")
@require_roles()
def list_materials(case_id):
    """The files uploaded for a case (its student, its department's staff, the director)."""
    _readable_case(case_id)
    return {"files": [security.upload_to_dict(u)
                      for u in security.uploads_of(db(), case_id)]}


@bp.get("/cases/<case_id>/materials/files/<upload_id>")
@require_roles()
def download_material(case_id, upload_id):
    _readable_case(case_id)
    row = db().get(security.Upload, upload_id) if UPLOAD_ID.match(upload_id) else None
    if row is None or row.case_id != case_id:
        raise not_found("文件", "File", upload_id)
    return security.send_upload(row)


# ---- department documents of a case (reads; staff and director reads are audited) ----------
def _case_of(case_id, department):
    """404 unless ``case_id`` is a case of ``department``; then the gateway's boundary."""
    if department_of_case(case_id) != department:
        raise not_found("事项", "Case", case_id)
    security.check_case_reach(current_user(), department)


@bp.get("/cases/<case_id>/certificate")
@require_roles()
def certificate(case_id):
    """The PDF of a completed academic certificate case: its student, Academic Affairs staff,
    the director (read only)."""
    _case_of(case_id, "academic")
    answer = state().clients.call("academic", "certificate_pdf", case_id, **call_context())
    return Response(base64.b64decode(answer["pdf_base64"]), mimetype=answer["content_type"],
                    headers={"Content-Disposition":
                             f'attachment; filename="{answer["filename"]}"'})


@bp.get("/cases/<case_id>/investigation-notes")
@require_roles(DIRECTOR, *STAFF)
def investigation_notes(case_id):
    """A complaint's investigation notes: Sunshine staff and the director (read only)."""
    _case_of(case_id, "sunshine")
    return {"notes": state().clients.call("sunshine", "investigation_notes", case_id,
                                          **call_context())}
