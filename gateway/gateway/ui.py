"""The web UI (/ui): server-rendered pages over the same services the JSON API uses.

Every page calls the departments through ``clients`` on the server; a department that is down
shows as unavailable on its part of the page, never as an error page. Forms post to page routes
and redirect (POST-redirect-GET); a form with mistakes is shown again with the student's input
and one checklist of everything to fix. Every POST carries a CSRF token: HMAC(SECRET_KEY, the
session token) (before login: a random pre-session cookie). Strings go through ``i18n``
(Chinese; ``?lang=en`` switches and is remembered).

This module: the blueprint, language, CSRF, login/logout and the shared page helpers. The
service guide and applying: ``ui_guide``; students' pages and a case's actions: ``ui_student``;
staff and review committees: ``ui_staff``; desk and director: ``ui_hall``; the rules (pure
functions): ``ui_logic``; forms from JSON Schema: ``ui_forms``.
"""
import hashlib
import hmac
import secrets
from functools import wraps
from urllib.parse import urlencode

from flask import (Blueprint, flash, g, get_flashed_messages, redirect, render_template,
                   request, url_for)
from werkzeug.exceptions import BadRequest, HTTPException

from osac_shared.auth import (A_POST, B_POST, COMMITTEE, DEPARTMENT_COMMITTEE_ZH, DESK, DIRECTOR,
                              STUDENT)
from osac_shared.clock import system_now
from osac_shared.demo import COMMITTEES
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

from . import accounts, i18n, security, ui_logic
from .app import COOKIE, call_context, current_user, db, state
from .compose import WINDOW_ZH
from .errors import error_response

bp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates",
               static_folder="static", static_url_path="/static")

PRE_COOKIE = "osac_pre"            # pre-session CSRF seed (login form)
GUIDE_PAGE = 15
HOME = {STUDENT: "ui.my", B_POST: "ui.window", A_POST: "ui.approvals", DESK: "ui.desk",
        DIRECTOR: "ui.director", COMMITTEE: "ui.committee"}
WINDOW_EN = {1: "Student affairs", 2: "Financial aid", 3: "Insurance", 4: "Admissions & jobs",
             5: "Teaching services", 6: "Student records", 7: "Registration & security",
             8: "Youth League", 9: "Network", 10: "Campus card", 11: "Repairs",
             12: "Finance", 13: "Complaints & suggestions"}


class CsrfFailed(BadRequest):
    pass


# ---- language, CSRF, headers ---------------------------------------------------------------
@bp.before_request
def before():
    asked = request.args.get("lang")
    g.lang = i18n.norm(asked or request.cookies.get(i18n.COOKIE))
    g.remember_lang = asked in i18n.LANGS
    if request.method == "POST":
        given = request.form.get("csrf", "")
        if not hmac.compare_digest(given.encode(), csrf_token().encode()):
            raise CsrfFailed()


@bp.after_request
def after(response):
    if g.get("remember_lang"):
        response.set_cookie(i18n.COOKIE, g.lang, max_age=365 * 86400, path="/", samesite="Lax")
    if g.get("new_pre"):
        response.set_cookie(PRE_COOKIE, g.new_pre, max_age=86400, path="/ui", httponly=True,
                            samesite="Lax", secure=state().settings.https)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'")
    response.headers["Referrer-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def csrf_token():
    seed = request.cookies.get(COOKIE) or request.cookies.get(PRE_COOKIE) or g.get("new_pre")
    if not seed:
        seed = g.new_pre = secrets.token_urlsafe(24)
    key = state().settings.secret_key.encode()
    return hmac.new(key, f"csrf|{seed}".encode(), hashlib.sha256).hexdigest()


def lang():
    return g.get("lang", i18n.DEFAULT)


def _(key, **values):
    return i18n.t(key, lang(), **values)


def lang_url(to):
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return request.path + "?" + urlencode({**args, "lang": to})


def window_name(window):
    return WINDOW_EN.get(window, f"Window {window}") if lang() == "en" \
        else WINDOW_ZH.get(window, f"{window}号窗口")


@bp.app_template_global("ui_nav")
def nav():
    """(endpoint, label) of the links the current user's role gets."""
    user = current_user()
    links = [("ui.guide", "nav.guide")]
    role = user.role if user else None
    if role == STUDENT:
        links += [("ui.my", "nav.my"), ("ui.notifications", "nav.notifications"),
                  ("ui.vote", "nav.vote")]
    elif role == B_POST:
        links += [("ui.window", "nav.window"), ("ui.due_soon", "nav.due_soon"),
                  ("ui.assessment", "nav.my_assessment")]
    elif role == A_POST:
        links += [("ui.approvals", "nav.approvals"), ("ui.window", "nav.window"),
                  ("ui.due_soon", "nav.due_soon"), ("ui.assessment", "nav.my_assessment")]
    elif role == DESK:
        links += [("ui.desk", "nav.desk")]
    elif role == DIRECTOR:
        links += [("ui.director", "nav.director"), ("ui.due_soon", "nav.due_soon"),
                  ("ui.desk", "nav.desk")] + HALL_OFFICE + [("ui.roster", "nav.roster")]
    elif role == COMMITTEE and not user.department:        # the centre's, not a department's
        links += [("ui.committee", "nav.committee")] + HALL_OFFICE
    elif role == COMMITTEE:                                # a department's review committee
        links += [("ui.review", "nav.review")]
    return links


# the hall office's pages the director keeps and the management committee reads
HALL_OFFICE = [("ui.patrols", "nav.patrols"), ("ui.assessment", "nav.assessment"),
               ("ui.sunshine", "nav.sunshine"), ("ui.reports", "nav.reports")]


@bp.context_processor
def template_helpers():
    return {"_": _, "lang": lang(), "i18n": i18n, "user": current_user(), "csrf": csrf_token,
            "lang_url": lang_url, "window_name": window_name, "pick": pick,
            "when": i18n.when, "dept": lambda code: i18n.department(code, lang()),
            "role_of": role_of, "committee_name": committee_name}


def role_of(user):
    """What the header calls the user's role (a department's committee is a review
    committee, the centre's is the management committee)."""
    if user.role == COMMITTEE and user.department:
        return "review committee" if lang() == "en" else DEPARTMENT_COMMITTEE_ZH
    return i18n.role(user.role, lang())


def committee_name(department):
    """A department's review committee, e.g. 资助评审委员会 / Aid review committee."""
    zh, en = COMMITTEES.get(department, (i18n.department(department, "zh") + "评审委员会",
                                         i18n.department(department, "en") + " committee"))
    return en if lang() == "en" else zh


@bp.app_template_filter("dept")
def dept_filter(code):
    return i18n.department(code, lang())


def pick(obj, field):
    return i18n.pick(obj, field, lang())


def render(template, status=200, **context):
    return render_template(f"ui/{template}", **context), status


# ---- errors ----------------------------------------------------------------------------------
def explain(exc):
    """(status, message, {field: message}) in the visitor's language for any error."""
    status, body = error_response(exc, g.get("correlation_id", ""))
    message = body["message_en"] if lang() == "en" else body["message"]
    fields = {k: ui_logic.message_in(v, lang()) for k, v in (body.get("fields") or {}).items()
              if isinstance(v, str)}
    return status, message, fields


@bp.errorhandler(CsrfFailed)
def csrf_failed(exc):
    return render("error.html", 400, message=_("error.csrf"))


@bp.errorhandler(Exception)
def any_error(exc):
    if isinstance(exc, DomainError) and exc.code == "unauthenticated":
        return redirect(url_for("ui.login", next=here()))
    if isinstance(exc, HTTPException) and not isinstance(exc, BadRequest) and exc.code != 500:
        return render("error.html", exc.code or 500, message=exc.description)
    status, message, fields = explain(exc)
    return render("error.html", status, message=message, fields=fields)


def flash_error(exc):
    _status, message, fields = explain(exc)
    flash({"text": message, "fields": fields}, "error")


def notices():
    """Flashed messages as [(category, text, fields)] for the aria-live region."""
    out = []
    for category, msg in get_flashed_messages(with_categories=True):
        if isinstance(msg, dict):
            out.append((category, msg.get("text", ""), msg.get("fields") or {}))
        else:
            out.append((category, str(msg), {}))
    return out


bp.add_app_template_global(notices, "ui_notices")


# ---- who may see what ------------------------------------------------------------------------
def login_required(*roles):
    """Not logged in -> the login page (then back); another role -> a 403 page in Chinese."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("ui.login", next=here()))
            if roles and user.role not in roles:
                return render("error.html", 403, message=_("error.forbidden"))
            return view(*args, **kwargs)
        return inner
    return wrap


@bp.app_template_global("here")
def here():
    """This page's path and query (without a dangling "?")."""
    return request.full_path.rstrip("?")


def home_endpoint(user):
    """Where a user lands: their role's page (a department's review committee: the cases
    waiting for its decision)."""
    if user.role == COMMITTEE and user.department:
        return "ui.review"
    return HOME.get(user.role, "ui.guide")


def safe_next(target, default):
    """Only a path inside the UI is a valid place to go back to."""
    if target and target.startswith("/ui") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def ctx():
    return call_context()


def clock():
    return state().clock()


# ---- the departments' data -------------------------------------------------------------------
def catalogue():
    """(items, unavailable departments, stale departments) from the cached catalogue."""
    return state().clients.catalogue(DEPARTMENTS, g.correlation_id)


def item_by_code(code):
    items, _u, _s = catalogue()
    return next((i for i in items if i["code"] == code), None)


# ---- login -----------------------------------------------------------------------------------
@bp.get("/")
def home():
    user = current_user()
    return redirect(url_for(home_endpoint(user) if user else "ui.guide"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return render("login.html", next=next_url, username="")
    settings, session = state().settings, db()
    username = request.form.get("username", "").strip()[:64]
    g.audit_username = username
    try:
        security.check_login_allowed(session, username)        # the API's lock-out rule
    except DomainError as exc:
        return render("login.html", exc.status, next=next_url, username=username,
                      error=explain(exc)[1])
    user = accounts.authenticate(session, username, request.form.get("password", "")[:256])
    if user is None:
        security.login_failed(session, username)
        return render("login.html", 401, next=next_url, username=username,
                      error=_("login.failed"))
    security.clear_failures(session, username)
    accounts.close_session(session, request.cookies.get(COOKIE), settings.secret_key)
    token = accounts.open_session(session, user, system_now(), settings.session_hours,
                                  settings.secret_key)
    session.commit()
    g.audit_user = user
    response = redirect(safe_next(next_url, url_for(home_endpoint(user))))
    response.set_cookie(COOKIE, token, max_age=int(settings.session_hours * 3600), path="/",
                        httponly=True, samesite="Lax", secure=settings.https)
    security.set_csrf_cookie(response, token)       # so the page's own API calls work too
    return response


@bp.post("/logout")
def logout():
    settings = state().settings
    accounts.close_session(db(), request.cookies.get(COOKIE), settings.secret_key)
    db().commit()
    flash(_("logged_out"), "ok")
    response = redirect(url_for("ui.guide"))
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax",
                           secure=settings.https)
    security.clear_csrf_cookie(response)
    return response


from . import ui_guide, ui_hall, ui_staff, ui_student  # noqa: E402,F401  (routes join ``bp``)
