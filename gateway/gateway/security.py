"""Gateway security: login throttling, CSRF for the JSON API, the audit log and file uploads.

* **Throttling** — every failed login is a row (``login_failures``) keyed by the account and by
  the client IP, in the gateway database, so all gunicorn workers count together. Reaching
  ``LOGIN_MAX_FAILURES`` (5) failures of one account within ``LOGIN_WINDOW_SECONDS`` (900), or
  ``LOGIN_MAX_FAILURES_PER_IP`` (30) from one IP, locks that account or IP for
  ``LOGIN_LOCK_SECONDS`` (900): 429 with Retry-After, password not even checked. A success
  clears the account's failures. Wall clock on purpose (as for sessions).
* **CSRF** (double submit, signed) — ``GET /api/csrf`` and a successful login set the
  ``csrf_token`` cookie (readable by the page, SameSite=Strict); every state-changing request
  under /api/ (except /api/login) that carries a session cookie must send the same value in the
  ``X-CSRF-Token`` header, else 403 ``csrf_failed``. The token is an HMAC of a nonce and the
  session token, so a cookie planted from elsewhere is useless. A request without a session
  cookie acts as nobody (the route answers 401), so there is nothing to forge. The
  server-rendered UI's HTML forms (outside /api/) carry their own token.
* **Audit log** (``audit_log``) — every state-changing request, API or UI (user, role, method,
  route, target id, status, time, client IP), every SSO login, and every read of case or
  student data by anyone but a student; ``GET /api/audit`` (director only).
* **Uploads** — ``sniff_type`` (magic bytes: PDF, PNG, JPEG), ``store_upload`` (a generated
  name under ``UPLOAD_DIR``, never the client's; sha256 recorded in ``uploads``).

Client IP: ``request.remote_addr``; behind ``TRUSTED_PROXY_HOPS`` reverse proxies (default 0)
the X-Forwarded-For entry they add.
"""
import hashlib
import hmac
import logging
import math
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Request, current_app, g, jsonify, request, send_file
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import DateTime, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.middleware.proxy_fix import ProxyFix

from osac_shared.auth import COMMITTEE, DIRECTOR, STAFF, STUDENT
from osac_shared.clock import TZ, system_now
from osac_shared.errors import DomainError, forbidden, unauthenticated, validation_failed
from osac_shared.masking import install_log_masking

from .accounts import Base, utc
from .app import COOKIE, current_user, db, state

log = logging.getLogger(__name__)

CSRF_COOKIE, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_EXEMPT = ("/api/login",)
UPLOAD_PATH = re.compile(r"^/api/cases/[^/]+/materials/[^/]+$")
MULTIPART_SLACK = 64 * 1024          # headers and boundaries around the file
MAGIC = ((b"%PDF-", "application/pdf", ".pdf"),
         (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
         (b"\xff\xd8\xff", "image/jpeg", ".jpg"))


@dataclass(frozen=True)
class SecuritySettings:
    max_failures: int = 5
    max_failures_ip: int = 30
    window: int = 900                 # seconds
    lock: int = 900                   # seconds
    proxy_hops: int = 0
    upload_dir: str = "var/uploads"
    max_upload_bytes: int = 5 * 1024 * 1024

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        return cls(max_failures=int(env.get("LOGIN_MAX_FAILURES", cls.max_failures)),
                   max_failures_ip=int(env.get("LOGIN_MAX_FAILURES_PER_IP",
                                               cls.max_failures_ip)),
                   window=int(env.get("LOGIN_WINDOW_SECONDS", cls.window)),
                   lock=int(env.get("LOGIN_LOCK_SECONDS", cls.lock)),
                   proxy_hops=int(env.get("TRUSTED_PROXY_HOPS", cls.proxy_hops)),
                   upload_dir=env.get("UPLOAD_DIR", cls.upload_dir),
                   max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", cls.max_upload_bytes)))


def settings():
    return current_app.extensions["osac_security"]


# ---- tables (created with the accounts by accounts.init_db) ------------------------------
class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "scope", "key", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(8))          # "user" | "ip"
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True, default="")
    role: Mapped[str] = mapped_column(String(16), default="")
    method: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[int] = mapped_column(Integer)
    ip: Mapped[str] = mapped_column(String(64), default="")
    correlation_id: Mapped[str] = mapped_column(String(64), default="")


class Upload(Base):
    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    material_code: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(128), default="")
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# ---- throttling ----------------------------------------------------------------------------
def locked_until(times, limit, window, lock):
    """Pure: given failure times (any order), when does the lock they caused end? The failure
    that makes ``limit`` within ``window`` seconds locks for ``lock`` seconds; None if never."""
    times = sorted(times)
    until = None
    for i in range(limit - 1, len(times)):
        if (times[i] - times[i - limit + 1]).total_seconds() <= window:
            end = times[i] + timedelta(seconds=lock)
            until = end if until is None or end > until else until
    return until


def retry_after(until, now):
    return max(1, math.ceil((until - now).total_seconds()))


def _keys(username, ip):
    return (("user", (username or "").strip().lower()[:64], "max_failures"),
            ("ip", (ip or "")[:64], "max_failures_ip"))


def login_lock(session, username, ip, now, conf):
    """-> seconds to wait when the account or the IP is locked, else 0."""
    now = utc(now)
    horizon = now - timedelta(seconds=conf.window + conf.lock)
    wait = 0
    for scope, key, limit in _keys(username, ip):
        times = [utc(t) for t in session.scalars(select(LoginFailure.at).where(
            LoginFailure.scope == scope, LoginFailure.key == key, LoginFailure.at > horizon))]
        until = locked_until(times, getattr(conf, limit), conf.window, conf.lock)
        if until is not None and until > now:
            wait = max(wait, retry_after(until, now))
    return wait


def record_failure(session, username, ip, now, conf):
    now = utc(now)
    horizon = now - timedelta(seconds=conf.window + conf.lock)
    for scope, key, _ in _keys(username, ip):
        session.execute(delete(LoginFailure).where(
            LoginFailure.scope == scope, LoginFailure.key == key, LoginFailure.at <= horizon))
        session.add(LoginFailure(scope=scope, key=key, at=now))


def clear_failures(session, username):
    session.execute(delete(LoginFailure).where(LoginFailure.scope == "user",
                                               LoginFailure.key == _keys(username, "")[0][1]))


def too_many_attempts(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    g.retry_after = seconds
    return DomainError("too_many_attempts",
                       f"登录失败次数过多，账号或来源地址已暂时锁定，请{minutes}分钟后再试",
                       f"Too many failed logins; this account or address is locked for "
                       f"{minutes} more minute(s)",
                       {"username": f"请{minutes}分钟后再试，或到窗口重置密码 / wait {minutes} "
                                    f"minute(s), or ask at the desk to reset the password"}, 429)


def check_login_allowed(session, username):
    wait = login_lock(session, username, client_ip(), system_now(), settings())
    if wait:
        raise too_many_attempts(wait)


def login_failed(session, username):
    record_failure(session, username, client_ip(), system_now(), settings())
    session.commit()


# ---- case boundaries (checked here before any call; each service checks again) ----------
def may_reach_case(role, department, case_department, write=False):
    """Pure: may a user of ``role`` (of ``department``) read / act on a case of
    ``case_department``? Students: yes here, their ownership is the service's check (and
    ``check_case_owner`` after a read); B/A posts: their own department only; director and
    committee: read only (a department's own review committee: its department's cases); the
    desk and anyone else: no (the desk works through referrals)."""
    if role == STUDENT:
        return True
    if role in STAFF:
        return department == case_department
    if role == COMMITTEE and department:          # a department's review committee
        return department == case_department
    if role in (DIRECTOR, COMMITTEE):
        return not write
    return False


def check_case_reach(user, case_department, write=False):
    if not may_reach_case(user.role, user.department, case_department, write):
        raise forbidden("您无权查看或办理该部门的事项",
                        "You may not see or act on this department's cases")


def check_case_owner(user, case):
    if user.role == STUDENT and case.get("student_id") != user.username:
        raise forbidden("您无权查看该事项", "You may not see this case")


# ---- CSRF -------------------------------------------------------------------------------
def _csrf_mac(secret, nonce, session_token):
    return hmac.new(secret.encode(), f"csrf|{nonce}|{session_token or ''}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def new_csrf_token(secret, session_token):
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_csrf_mac(secret, nonce, session_token)}"


def csrf_ok(secret, session_token, cookie, header):
    """Pure: the header repeats the cookie, and the token was made for this session."""
    if not cookie or not header or len(header) > 128 or "." not in header:
        return False
    if not hmac.compare_digest(cookie.encode(), header.encode()):
        return False
    nonce, mac = header.split(".", 1)
    return hmac.compare_digest(mac.encode(), _csrf_mac(secret, nonce, session_token).encode())


def set_csrf_cookie(response, session_token, token=None):
    """Give the browser a CSRF token bound to ``session_token``; -> the token."""
    conf = state().settings
    token = token or new_csrf_token(conf.secret_key, session_token)
    response.set_cookie(CSRF_COOKIE, token, max_age=int(conf.session_hours * 3600), path="/",
                        httponly=False, samesite="Strict", secure=conf.https)
    return token


def clear_csrf_cookie(response):
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="Strict",
                           secure=state().settings.https)


def csrf_failed():
    return DomainError("csrf_failed", "页面已过期或请求来源不明，请刷新页面后重试",
                       "The request lacks a valid CSRF token; reload the page and try again",
                       {CSRF_HEADER: "请在请求头中带上 csrf_token Cookie 的值 / send the value "
                                     "of the csrf_token cookie in this header"}, 403)


def check_csrf():
    if request.method in SAFE_METHODS or not request.path.startswith("/api/") \
            or request.path in CSRF_EXEMPT:
        return
    session_token = request.cookies.get(COOKIE)
    if not session_token:
        return
    if not csrf_ok(state().settings.secret_key, session_token, request.cookies.get(CSRF_COOKIE),
                   request.headers.get(CSRF_HEADER)):
        raise csrf_failed()


# ---- input hygiene ------------------------------------------------------------------------
def has_nul(value):
    """Pure: a NUL character anywhere in a string, or in a JSON value's keys and strings
    (PostgreSQL cannot store one; no field has a use for it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def check_no_nul():
    if has_nul(request.path) or any(has_nul(k) or has_nul(v)
                                    for k, v in request.args.items(multi=True)) \
            or (request.is_json and has_nul(request.get_json(silent=True))):
        raise validation_failed({"body": "内容不能包含空字符（\\u0000）/ text must not "
                                         "contain NUL characters"})


def _clean(text, limit):
    return str(text or "").replace("\x00", "")[:limit]


# ---- client IP and the request class -------------------------------------------------------
def client_ip():
    return (request.remote_addr or "")[:64]


def is_upload(path):
    return bool(UPLOAD_PATH.match(path))


class GatewayRequest(Request):
    """JSON bodies stay within MAX_CONTENT_LENGTH (1 MiB); an upload may be as large as
    MAX_UPLOAD_BYTES plus the multipart envelope."""

    @property
    def max_content_length(self):
        if is_upload(self.path):
            return settings().max_upload_bytes + MULTIPART_SLACK
        return current_app.config.get("MAX_CONTENT_LENGTH")


# ---- audit ------------------------------------------------------------------------------
PERSONAL_READS = ("/api/me/cases", "/api/audit")
SESSION_OPENERS = ("/sso/callback",)
TARGET_ARGS = ("case_id", "student_id", "username", "code")


def audited(method, route, view_args, role):
    """Pure: is this request recorded? Every state change; reads of case or student data by
    anyone but a student (students read only their own, which the services enforce)."""
    if method not in SAFE_METHODS or route in SESSION_OPENERS:
        return True
    if method != "GET" or not role or role == STUDENT:
        return False
    return route in PERSONAL_READS or any(k in (view_args or {}) for k in
                                          ("case_id", "student_id"))


def audit_target(view_args):
    view_args = view_args or {}
    return next((str(view_args[k]) for k in TARGET_ARGS if k in view_args), "")


def write_audit(response):
    if request.path.startswith("/static/"):
        return response
    user = g.get("audit_user") or g.get("user")
    username, role = (user.username, user.role) if user is not None else \
        (g.get("audit_username", ""), "")
    route = request.url_rule.rule if request.url_rule is not None else request.path
    if not audited(request.method, route, request.view_args, role):
        return response
    target = g.get("audit_target") or audit_target(request.view_args)
    try:
        with state().Session() as session:
            session.add(AuditEntry(at=utc(system_now()), username=_clean(username, 64),
                                   role=role or "", method=request.method[:8],
                                   route=_clean(route, 200), target=_clean(target, 128),
                                   status=response.status_code, ip=client_ip(),
                                   correlation_id=g.get("correlation_id", "")[:64]))
            session.commit()
    except Exception:
        log.exception("audit: could not record %s %s", request.method, route)
    return response


class AuditQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    user = fields.Str(load_default="", validate=validate.Length(max=64))
    from_ = fields.AwareDateTime(data_key="from", load_default=None, default_timezone=TZ)
    to = fields.AwareDateTime(load_default=None, default_timezone=TZ)
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=200))


def audit_to_dict(e):
    return {"id": e.id, "at": utc(e.at).astimezone(TZ).isoformat(), "user": e.username,
            "role": e.role, "method": e.method, "route": e.route, "target": e.target,
            "status": e.status, "ip": e.ip, "correlation_id": e.correlation_id}


def search_audit(session, user, start, end, page, per_page):
    query = select(AuditEntry)
    if user:
        query = query.where(AuditEntry.username == user)
    if start:
        query = query.where(AuditEntry.at >= utc(start))
    if end:
        query = query.where(AuditEntry.at < utc(end))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(AuditEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return {"entries": [audit_to_dict(e) for e in rows], "total": total, "page": page,
            "per_page": per_page}


# ---- uploads ------------------------------------------------------------------------------
def sniff_type(head):
    """Pure: (content type, extension) from the first bytes, or None (PDF, PNG, JPEG only)."""
    for magic, content_type, ext in MAGIC:
        if head.startswith(magic):
            return content_type, ext
    return None


def file_too_large(limit):
    mib = limit / (1024 * 1024)
    return DomainError("file_too_large", f"文件过大，最大 {mib:g} MiB",
                       f"The file is too large; the limit is {mib:g} MiB",
                       {"file": f"请压缩或分页后再上传（最大 {mib:g} MiB）/ make it smaller than "
                                f"{mib:g} MiB"}, 413)


def wrong_type():
    return DomainError("unsupported_file_type", "只接受 PDF、PNG 或 JPEG 文件（按文件内容判断）",
                       "Only PDF, PNG or JPEG files are accepted (judged by content)",
                       {"file": "请上传 PDF、PNG 或 JPEG 文件；改扩展名无效 / upload a PDF, PNG or "
                                "JPEG; renaming a file does not change its type"}, 415)


def read_limited(stream, limit, chunk=64 * 1024):
    """-> the stream's bytes; DomainError 413 beyond ``limit``."""
    parts, size = [], 0
    while True:
        block = stream.read(chunk)
        if not block:
            return b"".join(parts)
        size += len(block)
        if size > limit:
            raise file_too_large(limit)
        parts.append(block)


def store_upload(session, data, case_id, material_code, username, original_name, now, conf):
    """Check the type by content, write under a generated name, record it; -> Upload."""
    kind = sniff_type(data[:16])
    if kind is None:
        raise wrong_type()
    content_type, ext = kind
    os.makedirs(conf.upload_dir, mode=0o750, exist_ok=True)
    upload_id = uuid.uuid4().hex
    stored = upload_id + ext
    fd = os.open(os.path.join(conf.upload_dir, stored), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                 0o640)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    row = Upload(id=upload_id, case_id=case_id, material_code=material_code, username=username,
                 stored_name=stored, original_name=display_name(original_name),
                 content_type=content_type, size=len(data),
                 sha256=hashlib.sha256(data).hexdigest(), at=utc(now))
    session.add(row)
    session.commit()
    return row


def display_name(name):
    """The client's file name, kept only for display: no path, no control characters."""
    name = re.split(r"[\\/]", str(name or ""))[-1]
    name = "".join(c for c in name if c.isprintable() and c not in "<>\"'`")
    return name.strip(" .")[:128]


def upload_to_dict(u):
    return {"id": u.id, "case_id": u.case_id, "material_code": u.material_code,
            "content_type": u.content_type, "size": u.size, "sha256": u.sha256,
            "original_name": u.original_name, "uploaded_at": utc(u.at).astimezone(TZ).isoformat()}


def uploads_of(session, case_id):
    return session.scalars(select(Upload).where(Upload.case_id == case_id)
                           .order_by(Upload.at)).all()


def send_upload(row):
    """The stored file as an attachment (never rendered inline by the browser)."""
    path = os.path.join(settings().upload_dir, os.path.basename(row.stored_name))
    if not os.path.isfile(path):
        raise DomainError("not_found", "文件已不存在", "The file is gone", {}, 404)
    ext = os.path.splitext(row.stored_name)[1]
    return send_file(os.path.abspath(path), mimetype=row.content_type, as_attachment=True,
                     download_name=f"{row.material_code}{ext}", max_age=0)


# ---- routes and wiring ----------------------------------------------------------------------
bp = Blueprint("security", __name__, url_prefix="/api")


@bp.get("/csrf")
def csrf():
    """This session's CSRF token (also set as the csrf_token cookie): the current one while it
    is valid, so a page that kept it in memory goes on working; else a new one."""
    secret, session_token = state().settings.secret_key, request.cookies.get(COOKIE)
    token = request.cookies.get(CSRF_COOKIE, "")
    if not csrf_ok(secret, session_token, token, token):
        token = new_csrf_token(secret, session_token)
    response = jsonify(csrf_token=token, header=CSRF_HEADER)
    set_csrf_cookie(response, None, token)
    return response


@bp.get("/audit")
def audit():
    """The audit log, newest first (director only): ?user=&from=&to=&page=&per_page="""
    user = current_user()
    if user is None:
        raise unauthenticated()
    if user.role != DIRECTOR:
        raise forbidden("只有事务大厅主任可以查看审计日志", "Only the hall director can read the audit log")
    q = AuditQuery().load(request.args)
    if q["from_"] and q["to"] and q["to"] <= q["from_"]:
        raise validation_failed({"to": "结束时间须晚于开始时间 / must be after from"})
    return search_audit(db(), q["user"], q["from_"], q["to"], q["page"], q["per_page"])


def init_app(app):
    """Settings, request class, proxy handling, hooks and routes (called by create_app)."""
    conf = SecuritySettings.from_env()
    app.extensions["osac_security"] = conf
    app.request_class = GatewayRequest
    if conf.proxy_hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=conf.proxy_hops, x_proto=conf.proxy_hops)
    install_log_masking()

    @app.before_request
    def security_before():
        if request.method not in SAFE_METHODS:
            current_user()              # resolved before the route can end the session
        check_csrf()
        check_no_nul()

    @app.after_request
    def security_after(response):
        if response.status_code == 429 and g.get("retry_after"):
            response.headers["Retry-After"] = str(g.retry_after)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return write_audit(response)

    app.register_blueprint(bp)
