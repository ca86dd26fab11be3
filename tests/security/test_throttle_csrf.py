"""Login throttling and lock-out, CSRF on the JSON API, and the session cookie, over real HTTP
(gunicorn, 2 workers sharing the counters through the gateway's database).

The platform trusts one proxy hop, so each test speaks from an address of its own
(X-Forwarded-For); its lock-out lasts 8 seconds and an IP may fail 8 times (production: 15
minutes and 30; the arithmetic is table-tested in test_security_units.py).
"""
import time

import requests

from osac_shared.testing import login_session

REPAIR = {"item_code": "logistics.dorm-repair", "form": {
    "building": "A3", "room": "302", "facility": "water", "description": "水龙头漏水"}}


def login(url, username, password, ip, session=None):
    return (session or requests).post(url + "/api/login", timeout=30,
                                      headers={"X-Forwarded-For": ip},
                                      json={"username": username, "password": password})


def test_five_failures_lock_the_account_then_it_opens_again(sec):
    ip = "10.1.0.1"
    for _ in range(5):
        r = login(sec.url, "league_b", "wrong-password", ip)
        assert r.status_code == 401 and r.json()["error"] == "login_failed"
    locked = login(sec.url, "league_b", "demo1234", ip)         # right password, still locked
    assert locked.status_code == 429
    body = locked.json()
    assert body["error"] == "too_many_attempts"
    assert "锁定" in body["message"] and "locked" in body["message_en"]
    assert "username" in body["fields"]
    wait = int(locked.headers["Retry-After"])
    assert 1 <= wait <= 8
    # the lock is the account's, whatever address or worker the next try comes through
    for n in range(4):
        assert login(sec.url, "League_B", "demo1234", f"10.1.9.{n}").status_code == 429
    time.sleep(wait + 1)
    assert login(sec.url, "league_b", "demo1234", ip).status_code == 200


def test_success_clears_the_account_counter(sec):
    for ip in ("10.2.0.1", "10.2.0.2"):          # (one address may fail 8 times here)
        for _ in range(4):
            assert login(sec.url, "league_a", "nope", ip).status_code == 401
        assert login(sec.url, "league_a", "demo1234", ip).status_code == 200


def test_one_address_trying_many_accounts_is_locked(sec):
    ip = "10.3.0.1"
    for n in range(8):                                        # 8 accounts, one failure each
        assert login(sec.url, f"ghost{n}", "guess", ip).status_code == 401
    r = login(sec.url, "career_b", "demo1234", ip)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert login(sec.url, "career_b", "demo1234", "10.3.0.2").status_code == 200


def test_cookies_session_httponly_csrf_readable_and_strict(sec):
    r = login(sec.url, "2026000002", "demo1234", "10.4.0.1", requests.Session())
    cookies = {c.split("=", 1)[0]: c for c in r.raw.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies["osac_session"] and "SameSite=Lax" in cookies["osac_session"]
    assert "HttpOnly" not in cookies["csrf_token"]
    assert "SameSite=Strict" in cookies["csrf_token"]
    assert "Secure" not in cookies["osac_session"]                # plain HTTP here


def test_posts_need_the_csrf_header(sec):
    s = requests.Session()
    assert login(sec.url, "2026000002", "demo1234", "10.5.0.1", s).status_code == 200
    token = s.cookies["csrf_token"]
    r = s.post(sec.url + "/api/cases", json=REPAIR, timeout=30)             # no header
    assert r.status_code == 403
    body = r.json()
    assert body["error"] == "csrf_failed" and "X-CSRF-Token" in body["fields"]
    assert body["message"] and body["message_en"]
    r = s.post(sec.url + "/api/cases", json=REPAIR, timeout=30,
               headers={"X-CSRF-Token": token + "x"})                       # wrong value
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    r = s.post(sec.url + "/api/cases", json=REPAIR, timeout=30,
               headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    same = s.get(sec.url + "/api/csrf", timeout=30)           # still valid: the same token
    assert same.json()["csrf_token"] == s.cookies["csrf_token"] == token
    s.cookies.set("csrf_token", None)                        # lost (say, cleared): a new one
    fresh = s.get(sec.url + "/api/csrf", timeout=30).json()["csrf_token"]
    assert fresh != token and s.cookies["csrf_token"] == fresh
    r = s.post(sec.url + "/api/cases", json=REPAIR, timeout=30,
               headers={"X-CSRF-Token": fresh})
    assert r.status_code == 201


def test_a_token_from_another_session_is_refused(sec):
    """A pair planted from elsewhere (say, a sibling sub-domain setting the cookie) matches
    itself but was made for another session."""
    victim, attacker = requests.Session(), requests.Session()
    login(sec.url, "2026000002", "demo1234", "10.6.0.1", victim)
    login(sec.url, "2026000002", "demo1234", "10.6.0.2", attacker)
    planted = attacker.cookies["csrf_token"]
    victim.cookies.set("csrf_token", planted)
    r = victim.post(sec.url + "/api/cases", json=REPAIR, timeout=30,
                    headers={"X-CSRF-Token": planted})
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"


def test_login_is_exempt_and_nobody_gets_401_not_403(sec):
    r = requests.post(sec.url + "/api/cases", json=REPAIR, timeout=30)
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    s = requests.Session()
    s.cookies.set("osac_session", "made-up")                 # a dead session still needs it
    r = s.post(sec.url + "/api/cases", json=REPAIR, timeout=30)
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"


def test_html_forms_outside_the_api_are_not_judged_by_the_api_token(sec):
    s = login_session(sec.url, "2026000002")
    del s.headers["X-CSRF-Token"]
    r = s.post(sec.url + "/ui/logout", data={}, timeout=30, allow_redirects=False)
    assert not (r.status_code == 403 and "csrf_failed" in r.text)


def test_logout_ends_the_session_on_the_server(sec):
    s = login_session(sec.url, "2026000002")
    token = s.cookies["osac_session"]
    assert s.post(sec.url + "/api/logout", json={}, timeout=30).status_code == 204
    replay = requests.get(sec.url + "/api/me", cookies={"osac_session": token}, timeout=30)
    assert replay.status_code == 401


def test_cookies_are_secure_behind_https(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEWAY_DB_URL", f"sqlite:///{tmp_path}/gateway.db")
    monkeypatch.setenv("GATEWAY_HTTPS", "1")
    monkeypatch.setenv("SEED_DEMO", "1")
    from gateway.app import create_app
    client = create_app().test_client()
    r = client.post("/api/login", json={"username": "director", "password": "demo1234"})
    assert r.status_code == 200
    cookies = r.headers.getlist("Set-Cookie")
    assert len(cookies) == 2 and all("Secure" in c for c in cookies)
