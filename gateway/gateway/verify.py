"""Public verification of Academic Affairs' e-certificates, and their revocation.

* ``GET /verify/<code>`` -- no login: the page a certificate's QR code opens. HTML (Chinese
  first, ``?lang=en``, the UI's layout), or JSON when the request asks for
  ``Accept: application/json``. 200 for a certificate we issued, saying ``valid`` or
  ``revoked`` (when and why), its kind, when it was issued and the holder's name and student id
  masked (张*, 2026****01: ``academic.domain.public_view`` decides, never more); 404 for a
  code that is not one (HTML page, or the usual error body); 429 while the client is locked
  for guessing. Codes are read as people type them (lower case, dashes, spaces).
* ``GET /verify`` -- the form to type a code (what the PDF's "输入验证码" points to); a typed
  code goes on to ``/verify/<code>``.
* ``POST /api/cases/<case_id>/certificate/revoke`` ``{"reason"}`` and its UI form
  ``POST /ui/cases/<case_id>/certificate/revoke`` (on the case page): the academic A post
  voids an issued certificate; the service refuses anyone else (403), a blank reason (422
  naming ``reason``) and a second revocation (409). The same step is in the case's
  ``next_actions`` for that A post (academic's ``refine_steps``), taken at its href
  ``/api/cases/<id>/actions/revoke_certificate``. All are state changes, so the audit log
  records who revoked which case (``security.write_audit``). No event: nothing consumes one
  (the certificate and its case answer for themselves).

Guessing codes: a lookup that finds nothing is a miss counted against the client IP in the
gateway's throttling table (``security.LoginFailure``, scope ``verify``) under the login
throttle's own rule (``security.locked_until``): ``VERIFY_MAX_MISSES`` (20) misses within
``VERIFY_WINDOW_SECONDS`` (900) lock that IP's lookups for ``VERIFY_LOCK_SECONDS`` (900), as
429 with Retry-After. A found code never counts, so a receiver checking a pile of genuine
certificates is never locked out; with 32^12 possible codes, 20 guesses per quarter hour find
nothing. Answers are ``no-store`` and ``noindex`` (a masked name still stays out of caches
and search engines).
"""
import os
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, current_app, flash, g, jsonify, redirect, request, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import delete, select

from osac_shared.auth import A_POST, STAFF
from osac_shared.clock import system_now
from osac_shared.errors import DomainError, not_found

from . import security, ui, ui_logic
from .accounts import utc
from .api import department_of_case
from .app import call_context, current_user, db, require_roles, state
from .clients import ServiceUnavailable
from .errors import error_response
from .ui_student import case_page

DEPARTMENT = "academic"
SCOPE = "verify"                      # the rows of security.LoginFailure this module owns
TYPED = re.compile(r"^[A-Za-z0-9 -]{1,64}$")      # what could be a code as a person types it

bp = Blueprint("verify", __name__)
api_bp = Blueprint("verify_api", __name__, url_prefix="/api")

# the UI's language, CSRF (on the POST form), headers and template helpers, for these pages too
bp.before_request(ui.before)
bp.after_request(ui.after)
bp.context_processor(ui.template_helpers)


@dataclass(frozen=True)
class VerifySettings:
    max_misses: int = 20
    window: int = 900                 # seconds
    lock: int = 900                   # seconds

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        return cls(max_misses=int(env.get("VERIFY_MAX_MISSES", cls.max_misses)),
                   window=int(env.get("VERIFY_WINDOW_SECONDS", cls.window)),
                   lock=int(env.get("VERIFY_LOCK_SECONDS", cls.lock)))


def settings():
    return current_app.extensions["osac_verify"]


# ---- guessing ------------------------------------------------------------------------------
def lookup_lock(session, ip, now, conf):
    """-> seconds this IP must wait before looking up codes again, else 0."""
    now = utc(now)
    horizon = now - timedelta(seconds=conf.window + conf.lock)
    times = [utc(t) for t in session.scalars(select(security.LoginFailure.at).where(
        security.LoginFailure.scope == SCOPE, security.LoginFailure.key == ip,
        security.LoginFailure.at > horizon))]
    until = security.locked_until(times, conf.max_misses, conf.window, conf.lock)
    return security.retry_after(until, now) if until is not None and until > now else 0


def record_miss(session, ip, now, conf):
    now = utc(now)
    horizon = now - timedelta(seconds=conf.window + conf.lock)
    session.execute(delete(security.LoginFailure).where(
        security.LoginFailure.scope == SCOPE, security.LoginFailure.key == ip,
        security.LoginFailure.at <= horizon))
    session.add(security.LoginFailure(scope=SCOPE, key=ip, at=now))
    session.commit()


def too_many_lookups(seconds):
    minutes = max(1, -(-seconds // 60))
    g.retry_after = seconds                   # security_after sends it as Retry-After
    return DomainError("too_many_attempts",
                       f"查询的验证码多次不存在，请{minutes}分钟后再试",
                       f"Too many codes that do not exist were looked up from here; try again "
                       f"in {minutes} minute(s)",
                       {"code": f"请核对验证码后，{minutes}分钟后再试 / check the code, then try "
                                f"again in {minutes} minute(s)"}, 429)


def no_such_certificate(code):
    return DomainError("not_found", f"没有验证码为 {code} 的证明，请核对验证码",
                       f"No certificate has the code {code}; check the code",
                       {"code": "验证码为12位，由字母A–Z和数字2–7组成，可见于证明下方 / the code "
                                "has 12 characters, letters A–Z and digits 2–7, printed at the "
                                "foot of the certificate"}, 404)


# ---- the public page -----------------------------------------------------------------------
def wants_json():
    """JSON only when asked for; a browser, or no Accept at all, gets the page."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


def shown(code):
    """A typed code as it goes in a URL and on the page: no spaces or dashes, upper case."""
    return re.sub(r"[\s-]", "", code).upper()[:64]


def answer(view=None, status=200, problem=None, typed=""):
    if wants_json():
        response = jsonify(view if problem is None else problem)
    else:
        message = problem and (problem["message_en"] if ui.lang() == "en"
                               else problem["message"])
        problems = [ui_logic.message_in(v, ui.lang())
                    for v in ((problem or {}).get("fields") or {}).values()]
        response = current_app.make_response(ui.render(
            "verify.html", status, view=view, message=message, problems=problems,
            typed=typed)[0])
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/verify/")
@bp.get("/verify")
def lookup():
    """The form; ``?code=`` goes on to that code's page."""
    code = request.args.get("code")
    if code is None and not wants_json():
        return answer()
    if not (code or "").strip():
        problem = {"error": "validation_failed", "message": "请输入证明上的验证码",
                   "message_en": "Enter the code printed on the certificate",
                   "fields": {"code": "请输入验证码 / enter the code"}}
        return answer(status=422, problem=problem)
    return redirect(url_for("verify.page", code=shown(code)))


@bp.get("/verify/<path:code>")
def page(code):
    conf, session, ip, now = settings(), db(), security.client_ip(), system_now()
    wait = lookup_lock(session, ip, now, conf)
    if wait:
        raise too_many_lookups(wait)
    view = None
    if TYPED.match(code):
        view = state().clients.call(DEPARTMENT, "verify_certificate", code,
                                    correlation_id=g.correlation_id)
    if view is None or view.get("status") not in ("valid", "revoked"):
        record_miss(session, ip, now, conf)
        raise no_such_certificate(shown(code) if TYPED.match(code) else code[:64])
    return answer(view)


@bp.errorhandler(Exception)
def failed(exc):
    """The UI's error pages for the case page's form; for /verify, this module's page with the
    message (or the JSON error body), whatever went wrong (404, 429, academic down...)."""
    if request.path.startswith("/ui/"):
        return ui.any_error(exc)
    status, body = error_response(exc, g.get("correlation_id", ""))
    code = (request.view_args or {}).get("code", "")
    return answer(status=status, problem=body, typed=shown(code) if TYPED.match(code) else "")


# ---- revoking ------------------------------------------------------------------------------
class RevokeBody(Schema):
    reason = fields.Str(required=True, validate=validate.Length(max=2000), metadata={
        "description": "why (required, not blank; shown on the public verification page)"})


def academic_case(case_id):
    """404 unless ``case_id`` is an Academic Affairs case; then the gateway's boundary."""
    if department_of_case(case_id) != DEPARTMENT:
        raise not_found("事项", "Case", case_id)
    security.check_case_reach(current_user(), DEPARTMENT, write=True)


@api_bp.post("/cases/<case_id>/certificate/revoke")
@require_roles(*STAFF)
def revoke(case_id):
    """The academic A post revokes the certificate of a completed case (the service refuses
    B posts)."""
    data = RevokeBody().load(request.get_json(silent=True) or {})
    academic_case(case_id)
    return state().clients.call(DEPARTMENT, "revoke_certificate", case_id, data["reason"],
                                write=True, **call_context())


@bp.post("/ui/cases/<case_id>/certificate/revoke")
@ui.login_required(A_POST)
def revoke_ui(case_id):
    """The case page's form: back to the case page (PRG), or the page again with what to fix
    above it and the reason kept."""
    academic_case(case_id)
    reason = request.form.get("reason", "")[:2000]
    try:
        state().clients.call(DEPARTMENT, "revoke_certificate", case_id, reason, write=True,
                             **call_context())
    except (DomainError, ServiceUnavailable) as exc:
        status, message, _fields = ui.explain(exc)
        raw = exc.fields if isinstance(exc, DomainError) else {}
        named = {ui._("cert.revoke_reason") if k == "reason" else k: v for k, v in raw.items()}
        return case_page(case_id, status, (status, message, named), request.form)
    flash(ui._("cert.revoked_done"), "ok")
    return redirect(url_for("ui.case", case_id=case_id))


def init_app(app):
    """Settings and routes (called by create_app)."""
    app.extensions["osac_verify"] = VerifySettings.from_env()
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
