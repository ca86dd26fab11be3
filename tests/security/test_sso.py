"""Campus single sign-on (gateway/sso.py) against a fake identity server of the test's own: a
small WSGI app on loopback, in a thread, speaking CAS 3.0 and OpenID Connect (authorization
code + PKCE, RS256 ID tokens with a JWKS, or HS256 with the client secret). The gateway runs
in-process (the flow needs no department) on its own SQLite database; the browser is played
by the test, hop by hop."""
import base64
import hashlib
import secrets
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server

PUBLIC = "http://gateway.test"
CLIENT_ID, CLIENT_SECRET = "osac-hall", "s3cret-for-tests-only-0123456789abcdef"


class FakeIdentityServer:
    """CAS under /cas, OIDC under /oidc. ``mode`` makes it misbehave on purpose."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.tickets, self.codes, self.mode = {}, {}, "good"
        self.app = self._app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _app(self):
        app = Flask("fake-idp")

        @app.get("/cas/login")
        def cas_login():                 # the user "logs in": ?user= stands for the form
            ticket = "ST-" + secrets.token_hex(8)
            self.tickets[ticket] = (request.args["user"], request.args["service"],
                                    request.args.get("name", ""))
            service = request.args["service"]
            return redirect(service + ("&" if "?" in service else "?") + "ticket=" + ticket)

        @app.get("/cas/p3/serviceValidate")
        def cas_validate():
            found = self.tickets.pop(request.args.get("ticket", ""), None)    # single use
            ns = 'xmlns:cas="http://www.yale.edu/tp/cas"'
            if found is None or found[1] != request.args.get("service"):
                return (f'<cas:serviceResponse {ns}><cas:authenticationFailure '
                        f'code="INVALID_TICKET">no</cas:authenticationFailure>'
                        f'</cas:serviceResponse>')
            user, _, name = found
            return (f"<cas:serviceResponse {ns}><cas:authenticationSuccess>"
                    f"<cas:user>{escape(user)}</cas:user><cas:attributes><cas:displayName>"
                    f"{escape(name)}</cas:displayName></cas:attributes>"
                    f"</cas:authenticationSuccess></cas:serviceResponse>")

        @app.get("/oidc/authorize")
        def authorize():
            a = request.args
            assert a["response_type"] == "code" and a["client_id"] == CLIENT_ID
            assert a["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            self.codes[code] = dict(user=a["user"], nonce=a["nonce"],
                                    challenge=a["code_challenge"],
                                    redirect_uri=a["redirect_uri"])
            return redirect(a["redirect_uri"] + "?" + urllib.parse.urlencode(
                {"code": code, "state": a["state"]}))

        @app.post("/oidc/token")
        def token():
            f = request.form
            grant = self.codes.pop(f.get("code", ""), None)
            verifier = f.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant is None or f.get("client_secret") != CLIENT_SECRET \
                    or grant["redirect_uri"] != f.get("redirect_uri") \
                    or grant["challenge"] != challenge:
                return jsonify(error="invalid_grant"), 400
            return jsonify(id_token=self.id_token(grant), access_token="at",
                           token_type="Bearer")

        @app.get("/oidc/jwks")
        def jwks():
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return jsonify(keys=[dict(jwk, kid="k1", use="sig", alg="RS256")])
        return app

    def id_token(self, grant):
        now = int(time.time())
        claims = {"iss": self.url + "/oidc", "aud": CLIENT_ID, "sub": "sub-" + grant["user"],
                  "preferred_username": grant["user"], "name": "钱七", "iat": now,
                  "exp": now + 300, "nonce": grant["nonce"]}
        key, alg = self.key, "RS256"
        if self.mode == "wrong_key":
            key = self.other_key
        elif self.mode == "wrong_nonce":
            claims["nonce"] = "not-the-one"
        elif self.mode == "wrong_aud":
            claims["aud"] = "someone-else"
        elif self.mode == "wrong_iss":
            claims["iss"] = "http://evil.example"
        elif self.mode == "expired":
            claims.update(iat=now - 3600, exp=now - 1800)
        elif self.mode == "hs256":
            key, alg = CLIENT_SECRET, "HS256"
        elif self.mode == "none_alg":
            return jwt.encode(claims, None, algorithm="none")
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": "k1"})


@pytest.fixture(scope="module")
def idp():
    server = FakeIdentityServer()
    server.thread.start()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sso")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GATEWAY_DB_URL", f"sqlite:///{folder}/gateway.db")
        mp.setenv("SEED_DEMO", "1")
        mp.setenv("SECRET_KEY", "sso-test-secret")
        from gateway.app import create_app
        yield create_app()


@pytest.fixture
def cas(monkeypatch, idp):
    monkeypatch.setenv("SSO_MODE", "cas")
    monkeypatch.setenv("PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("CAS_URL", idp.url + "/cas")


@pytest.fixture
def oidc(monkeypatch, idp):
    idp.mode = "good"
    for k, v in {"SSO_MODE": "oidc", "PUBLIC_URL": PUBLIC, "OIDC_ISSUER": idp.url + "/oidc",
                 "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                 "OIDC_AUTHORIZE_URL": idp.url + "/oidc/authorize",
                 "OIDC_TOKEN_URL": idp.url + "/oidc/token",
                 "OIDC_JWKS_URL": idp.url + "/oidc/jwks"}.items():
        monkeypatch.setenv(k, v)


def local(location):
    """The gateway-relative part of a URL the IdP sends the browser to."""
    assert location.startswith(PUBLIC + "/sso/callback"), location
    return location[len(PUBLIC):]


def cas_round_trip(client, idp, user, name="", next_="/ui/student"):
    start = client.get("/sso/login", query_string={"next": next_})
    assert start.status_code == 302
    to_idp = start.headers["Location"]
    assert to_idp == idp.url + "/cas/login?service=" + urllib.parse.quote(
        PUBLIC + "/sso/callback", safe="")
    back = requests.get(to_idp, params={"user": user, "name": name}, allow_redirects=False,
                        timeout=10)
    return client.get(local(back.headers["Location"]))


def test_cas_login_creates_a_student_and_opens_a_session(gateway, idp, cas):
    client = gateway.test_client()
    done = cas_round_trip(client, idp, "2026000099", "赵六")
    assert done.status_code == 302 and done.headers["Location"] == "/ui/student"
    cookies = " ".join(done.headers.getlist("Set-Cookie"))
    assert "osac_session=" in cookies and "csrf_token=" in cookies
    me = client.get("/api/me").json["user"]
    assert (me["username"], me["role"], me["name"]) == ("2026000099", "student", "赵六")
    # an SSO-made account has no password: the password form cannot log it in
    r = gateway.test_client().post("/api/login", json={"username": "2026000099",
                                                       "password": "anything"})
    assert r.status_code == 401


def test_cas_maps_to_an_existing_account(gateway, idp, cas):
    client = gateway.test_client()
    assert cas_round_trip(client, idp, "logistics_a").status_code == 302
    me = client.get("/api/me").json["user"]
    assert (me["role"], me["department"]) == ("a_post", "logistics")


def test_cas_tickets_are_single_use_and_need_our_browser(gateway, idp, cas):
    client = gateway.test_client()
    start = client.get("/sso/login")
    back = requests.get(start.headers["Location"], params={"user": "2026000098"},
                        allow_redirects=False, timeout=10)
    callback = local(back.headers["Location"])
    stranger = gateway.test_client()                  # login CSRF: not the browser that began
    r = stranger.get(callback)
    assert r.status_code == 400 and r.json["error"] == "sso_failed"
    assert client.get(callback).status_code == 302
    again = gateway.test_client()
    again.get("/sso/login")
    r = again.get(callback)                           # the same ticket once more
    assert r.status_code == 401 and r.json["error"] == "sso_failed"
    assert r.json["message"].startswith("统一身份认证登录失败") and r.json["message_en"]


def test_cas_next_cannot_leave_the_site_and_odd_names_are_refused(gateway, idp, cas):
    client = gateway.test_client()
    done = cas_round_trip(client, idp, "2026000097", next_="https://evil.example/steal")
    assert done.headers["Location"] == "/"
    r = cas_round_trip(gateway.test_client(), idp, "../../admin")
    assert r.status_code == 403 and r.json["error"] == "sso_failed"


def oidc_round_trip(client, idp, user):
    start = client.get("/sso/login")
    assert start.status_code == 302
    to_idp = urllib.parse.urlsplit(start.headers["Location"])
    query = urllib.parse.parse_qs(to_idp.query)
    assert to_idp.path == "/oidc/authorize"
    assert {"state", "nonce", "code_challenge"} <= set(query)
    assert query["redirect_uri"] == [PUBLIC + "/sso/callback"]
    back = requests.get(start.headers["Location"], params={"user": user},
                        allow_redirects=False, timeout=10)
    return client.get(local(back.headers["Location"]))


def test_oidc_login_with_rs256_and_jwks(gateway, idp, oidc):
    client = gateway.test_client()
    done = oidc_round_trip(client, idp, "2026000088")
    assert done.status_code == 302 and done.headers["Location"] == "/"
    me = client.get("/api/me").json["user"]
    assert (me["username"], me["role"], me["name"]) == ("2026000088", "student", "钱七")


def test_oidc_login_with_hs256_client_secret(gateway, idp, oidc, monkeypatch):
    monkeypatch.delenv("OIDC_JWKS_URL")
    idp.mode = "hs256"
    client = gateway.test_client()
    assert oidc_round_trip(client, idp, "2026000087").status_code == 302
    assert client.get("/api/me").json["user"]["username"] == "2026000087"


@pytest.mark.parametrize("mode", ["wrong_key", "wrong_nonce", "wrong_aud", "wrong_iss",
                                  "expired", "none_alg", "hs256"])
def test_oidc_refuses_a_bad_id_token(gateway, idp, oidc, mode):
    """hs256 here: with a JWKS configured, a token "signed" with the shared secret (an
    algorithm-confusion attempt) is refused too."""
    idp.mode = mode
    client = gateway.test_client()
    r = oidc_round_trip(client, idp, "2026000086")
    assert r.status_code == 401 and r.json["error"] == "sso_failed", r.json
    assert client.get("/api/me").status_code == 401


def test_oidc_state_must_match(gateway, idp, oidc):
    client = gateway.test_client()
    start = client.get("/sso/login")
    back = requests.get(start.headers["Location"], params={"user": "2026000085"},
                        allow_redirects=False, timeout=10)
    forged = local(back.headers["Location"]).replace("state=", "state=x")
    r = client.get(forged)
    assert r.status_code == 400 and r.json["error"] == "sso_failed"


def test_sso_is_off_by_default(gateway, monkeypatch):
    monkeypatch.delenv("SSO_MODE", raising=False)
    r = gateway.test_client().get("/sso/login")
    assert r.status_code == 404 and r.json["error"] == "sso_off"


def test_sso_logins_are_audited(gateway, idp, cas):
    cas_round_trip(gateway.test_client(), idp, "2026000096")
    director = gateway.test_client()
    assert director.post("/api/login", json={"username": "director",
                                             "password": "demo1234"}).status_code == 200
    log = director.get("/api/audit", query_string={"user": "2026000096"}).json["entries"]
    assert [(e["route"], e["status"]) for e in log] == [("/sso/callback", 302)]
