"""Campus single sign-on, behind ``SSO_MODE`` = ``off`` (default) | ``cas`` | ``oidc``.

    GET /sso/login?next=/path    -> 302 to the campus identity server
    GET /sso/callback            <- it sends the browser back here; on success a normal gateway
                                    session (and CSRF cookie) is opened, then 302 to ``next``

* CAS 2.0/3.0 (``CAS_URL``, ``CAS_VERSION`` 3 -> ``/p3/serviceValidate``, 2 ->
  ``/serviceValidate``): the ticket is validated server to server for exactly our service URL.
* OIDC authorization-code flow (``OIDC_AUTHORIZE_URL``, ``OIDC_TOKEN_URL``, ``OIDC_ISSUER``,
  ``OIDC_CLIENT_ID``, ``OIDC_CLIENT_SECRET``; ``OIDC_JWKS_URL`` for RS256 keys, else HS256
  with the client secret): state, nonce and PKCE (S256); the ID token's signature, issuer,
  audience, expiry and nonce are checked with PyJWT.

The flow's state lives in a signed, HttpOnly, 10-minute cookie (``osac_sso``) that only the
browser that started the login holds, so a callback from elsewhere (login CSRF) is refused.
The callback URL is built from ``PUBLIC_URL``, never from the request's Host header; ``next``
must be a local path. The identity server's user name is the local account's username: an
existing account (any role) is logged in; an unknown one becomes a student account with no
password (it can log in only through SSO). Staff accounts are made by IT, never here.
"""
import base64
import hashlib
import os
import re
import secrets
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import requests
from flask import Blueprint, g, redirect, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from osac_shared.auth import STUDENT
from osac_shared.clock import system_now
from osac_shared.errors import DomainError

from . import accounts, security
from .app import COOKIE, db, state

bp = Blueprint("sso", __name__, url_prefix="/sso")

FLOW_COOKIE, FLOW_MAX_AGE = "osac_sso", 600
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}
NO_PASSWORD = "!sso-only"        # not an argon2 hash: a password login always fails


@dataclass(frozen=True)
class SsoSettings:
    mode: str = "off"
    public_url: str = ""
    cas_url: str = ""
    cas_version: str = "3"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_authorize_url: str = ""
    oidc_token_url: str = ""
    oidc_jwks_url: str = ""
    oidc_scopes: str = "openid profile"
    oidc_username_claim: str = "preferred_username"
    timeout: float = 5.0

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        get = lambda key, default: env.get(key, default).strip()    # noqa: E731
        return cls(mode=get("SSO_MODE", "off").lower(),
                   public_url=get("PUBLIC_URL", "").rstrip("/"),
                   cas_url=get("CAS_URL", "").rstrip("/"), cas_version=get("CAS_VERSION", "3"),
                   oidc_issuer=get("OIDC_ISSUER", ""), oidc_client_id=get("OIDC_CLIENT_ID", ""),
                   oidc_client_secret=get("OIDC_CLIENT_SECRET", ""),
                   oidc_authorize_url=get("OIDC_AUTHORIZE_URL", ""),
                   oidc_token_url=get("OIDC_TOKEN_URL", ""),
                   oidc_jwks_url=get("OIDC_JWKS_URL", ""),
                   oidc_scopes=get("OIDC_SCOPES", cls.oidc_scopes),
                   oidc_username_claim=get("OIDC_USERNAME_CLAIM", cls.oidc_username_claim),
                   timeout=float(get("SSO_TIMEOUT", "5")))

    @property
    def callback_url(self):
        return f"{self.public_url}/sso/callback"


def sso_failed(reason_zh, reason_en, status=401):
    return DomainError("sso_failed", f"统一身份认证登录失败：{reason_zh}",
                       f"Campus single sign-on failed: {reason_en}",
                       {"sso": "请重新从登录页进入统一身份认证 / start again from the login page"},
                       status)


def conf():
    c = SsoSettings.from_env()
    if c.mode not in ("cas", "oidc"):
        raise DomainError("sso_off", "本系统未启用统一身份认证，请用账号密码登录",
                          "Single sign-on is not enabled here; log in with your password",
                          {}, 404)
    if not c.public_url:
        raise DomainError("sso_misconfigured", "统一身份认证未配置 PUBLIC_URL",
                          "Single sign-on needs PUBLIC_URL", {}, 503)
    return c


def safe_next(value):
    """Pure: a local path to return to after login, else "/" (no open redirect)."""
    value = str(value or "")
    if not value.startswith("/") or value.startswith("//") or "\\" in value \
            or any(ord(c) < 32 for c in value) or len(value) > 500:
        return "/"
    return value


def _serializer():
    return URLSafeTimedSerializer(state().settings.secret_key, salt="osac-sso-flow")


# ---- CAS -----------------------------------------------------------------------------
def cas_login_url(c):
    return f"{c.cas_url}/login?" + urllib.parse.urlencode({"service": c.callback_url})


def parse_cas_response(text):
    """Pure: CAS serviceValidate XML -> (user, attributes) or None on failure."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    ok = root.find("cas:authenticationSuccess", CAS_NS)
    if ok is None:
        return None
    user = (ok.findtext("cas:user", default="", namespaces=CAS_NS) or "").strip()
    attrs = {}
    node = ok.find("cas:attributes", CAS_NS)
    if node is not None:
        for child in node:
            attrs[child.tag.split("}", 1)[-1]] = (child.text or "").strip()
    return user, attrs


def cas_validate(c, ticket):
    path = "/p3/serviceValidate" if c.cas_version == "3" else "/serviceValidate"
    try:
        r = requests.get(c.cas_url + path, params={"service": c.callback_url, "ticket": ticket},
                         timeout=c.timeout)
    except requests.RequestException:
        raise sso_failed("认证服务器无法连接", "the identity server is unreachable", 503)
    parsed = parse_cas_response(r.text) if r.status_code == 200 else None
    if parsed is None:
        raise sso_failed("票据无效或已过期", "the ticket is invalid or expired")
    user, attrs = parsed
    if not user:
        raise sso_failed("票据无效或已过期", "the ticket is invalid or expired")
    return user, attrs.get("displayName") or attrs.get("name") or attrs.get("cn") or ""


# ---- OIDC ----------------------------------------------------------------------------
def pkce_challenge(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def oidc_login_url(c, flow):
    return c.oidc_authorize_url + "?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": c.oidc_client_id,
        "redirect_uri": c.callback_url, "scope": c.oidc_scopes, "state": flow["state"],
        "nonce": flow["nonce"], "code_challenge": pkce_challenge(flow["verifier"]),
        "code_challenge_method": "S256"})


def verify_id_token(c, id_token, nonce):
    """-> the ID token's claims; raises sso_failed for a bad signature, issuer, audience,
    expiry or nonce."""
    import jwt            # PyJWT[crypto]: needed only when SSO_MODE=oidc
    try:
        if c.oidc_jwks_url:
            key = jwt.PyJWKClient(c.oidc_jwks_url, timeout=c.timeout) \
                .get_signing_key_from_jwt(id_token).key
            algorithms = ["RS256", "ES256"]
        else:
            key, algorithms = c.oidc_client_secret, ["HS256"]
        claims = jwt.decode(id_token, key, algorithms=algorithms, audience=c.oidc_client_id,
                            issuer=c.oidc_issuer, leeway=30,
                            options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    except (jwt.PyJWTError, requests.RequestException) as exc:
        raise sso_failed("身份令牌校验未通过", f"the ID token did not verify ({exc})")
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise sso_failed("身份令牌校验未通过", "the ID token's nonce does not match")
    return claims


def oidc_exchange(c, code, flow):
    try:
        r = requests.post(c.oidc_token_url, timeout=c.timeout, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": c.callback_url,
            "client_id": c.oidc_client_id, "client_secret": c.oidc_client_secret,
            "code_verifier": flow["verifier"]})
    except requests.RequestException:
        raise sso_failed("认证服务器无法连接", "the identity server is unreachable", 503)
    try:
        id_token = r.json()["id_token"] if r.status_code == 200 else None
    except (ValueError, KeyError, TypeError):
        id_token = None
    if not isinstance(id_token, str):
        raise sso_failed("授权码无效或已过期", "the authorization code was refused")
    claims = verify_id_token(c, id_token, flow["nonce"])
    username = claims.get(c.oidc_username_claim) or claims.get("sub")
    return str(username or ""), str(claims.get("name") or "")


# ---- accounts ------------------------------------------------------------------------
def local_user(session, username, name, now):
    """The account of an SSO user: the existing one, or a new student account."""
    if not USERNAME.match(username or ""):
        raise sso_failed("账号名不符合本系统要求", "the user name is not usable here", 403)
    user = session.get(accounts.User, username)
    if user is None:
        user = accounts.add_user(session, username, None, STUDENT, None,
                                 (name or username)[:64], now, password_hash=NO_PASSWORD)
        session.flush()
    return user


# ---- routes --------------------------------------------------------------------------
@bp.get("/login")
def login():
    c = conf()
    flow = {"mode": c.mode, "next": safe_next(request.args.get("next")),
            "state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
            "verifier": secrets.token_urlsafe(48)}
    target = cas_login_url(c) if c.mode == "cas" else oidc_login_url(c, flow)
    response = redirect(target, 302)
    response.set_cookie(FLOW_COOKIE, _serializer().dumps(flow), max_age=FLOW_MAX_AGE,
                        path="/sso", httponly=True, samesite="Lax",
                        secure=state().settings.https)
    return response


@bp.get("/callback")
def callback():
    c = conf()
    try:
        flow = _serializer().loads(request.cookies.get(FLOW_COOKIE, ""), max_age=FLOW_MAX_AGE)
    except BadSignature:
        raise sso_failed("登录流程已过期或不是从本浏览器发起", "the login was not started in "
                         "this browser, or took too long", 400)
    if flow.get("mode") != c.mode:
        raise sso_failed("登录方式已变更", "the sign-on mode changed", 400)
    if c.mode == "cas":
        ticket = request.args.get("ticket", "")
        if not ticket or len(ticket) > 256:
            raise sso_failed("缺少票据", "no ticket", 400)
        username, name = cas_validate(c, ticket)
    else:
        given = request.args.get("state", "")
        if not given or not secrets.compare_digest(given, flow["state"]):
            raise sso_failed("state 参数不符", "the state does not match", 400)
        if request.args.get("error") or not request.args.get("code"):
            raise sso_failed("认证服务器拒绝了登录", "the identity server refused the login")
        username, name = oidc_exchange(c, request.args["code"], flow)
    g.audit_username = username[:64]
    session, settings = db(), state().settings
    user = local_user(session, username, name, system_now())
    accounts.close_session(session, request.cookies.get(COOKIE), settings.secret_key)
    token = accounts.open_session(session, user, system_now(), settings.session_hours,
                                  settings.secret_key)
    session.commit()
    g.audit_user = user
    response = redirect(flow["next"], 302)
    response.set_cookie(COOKIE, token, max_age=int(settings.session_hours * 3600), path="/",
                        httponly=True, samesite="Lax", secure=settings.https)
    security.set_csrf_cookie(response, token)
    response.delete_cookie(FLOW_COOKIE, path="/sso")
    return response
