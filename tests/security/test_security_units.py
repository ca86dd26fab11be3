"""The gateway's security rules as plain functions, table-driven (gateway/security.py and
gateway/sso.py): lock-out arithmetic, CSRF tokens, case boundaries, what is audited, file
types, file names, redirects and CAS answers."""
from datetime import datetime, timedelta, timezone

import pytest

from gateway import security, sso

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


def at(*seconds):
    return [T0 + timedelta(seconds=s) for s in seconds]


@pytest.mark.parametrize("times, until", [
    (at(), None),
    (at(0, 10, 20, 30), None),                                  # 4 failures: no lock
    (at(0, 10, 20, 30, 40), T0 + timedelta(seconds=40 + 900)),  # the 5th locks 15 min
    (at(0, 200, 400, 600, 800), T0 + timedelta(seconds=800 + 900)),  # within 15 min
    (at(0, 300, 600, 900, 1200), None),                         # spread over 20 min
    (at(40, 0, 30, 10, 20), T0 + timedelta(seconds=40 + 900)),  # any order
    (at(0, 1, 2, 3, 4, 2000, 2001, 2002, 2003, 2004), T0 + timedelta(seconds=2004 + 900)),
])
def test_locked_until(times, until):
    assert security.locked_until(times, 5, 900, 900) == until


@pytest.mark.parametrize("delta, seconds", [(0.2, 1), (59.1, 60), (900, 900)])
def test_retry_after_rounds_up(delta, seconds):
    assert security.retry_after(T0 + timedelta(seconds=delta), T0) == seconds


SECRET = "k"


@pytest.mark.parametrize("session, cookie, header, ok", [
    ("s1", "GOOD", "GOOD", True),
    ("s1", "GOOD", None, False),                        # header missing
    ("s1", None, "GOOD", False),                        # cookie missing
    ("s1", "GOOD", "GOOD" + "x", False),                # header differs
    ("s2", "GOOD", "GOOD", False),                      # made for another session
    ("s1", "n.forged", "n.forged", False),              # a pair made up by an attacker
    ("s1", "", "", False),
])
def test_csrf_double_submit_bound_to_the_session(session, cookie, header, ok):
    good = security.new_csrf_token(SECRET, "s1")
    fill = {"GOOD": good, "GOOD" + "x": good + "x"}
    cookie, header = fill.get(cookie, cookie), fill.get(header, header)
    assert security.csrf_ok(SECRET, session, cookie, header) is ok


@pytest.mark.parametrize("role, department, case_department, write, ok", [
    ("student", None, "logistics", False, True),        # ownership: the service's check
    ("student", None, "logistics", True, True),
    ("b_post", "logistics", "logistics", True, True),
    ("a_post", "logistics", "logistics", False, True),
    ("b_post", "finance", "logistics", False, False),
    ("a_post", "finance", "logistics", True, False),
    ("director", None, "logistics", False, True),
    ("director", None, "logistics", True, False),       # the director reads, never acts
    ("committee", None, "aid", False, True),
    ("desk", None, "logistics", False, False),          # the desk works through referrals
    ("system", None, "logistics", False, False),
    ("", None, "logistics", False, False),
])
def test_case_boundaries(role, department, case_department, write, ok):
    assert security.may_reach_case(role, department, case_department, write) is ok


@pytest.mark.parametrize("method, route, view_args, role, recorded", [
    ("POST", "/api/cases", {}, "student", True),
    ("POST", "/api/login", {}, "", True),
    ("POST", "/ui/logout", {}, "student", True),
    ("GET", "/api/cases/<case_id>", {"case_id": "x"}, "b_post", True),
    ("GET", "/api/cases/<case_id>", {"case_id": "x"}, "director", True),
    ("GET", "/api/cases/<case_id>", {"case_id": "x"}, "student", False),
    ("GET", "/api/me/cases", {}, "a_post", True),
    ("GET", "/api/me/cases", {}, "student", False),
    ("GET", "/api/catalogue", {}, "director", False),
    ("GET", "/api/cases/<case_id>", {"case_id": "x"}, "", False),   # anonymous: 401 anyway
    ("GET", "/sso/callback", {}, "", True),
    ("HEAD", "/api/me/cases", {}, "a_post", False),
])
def test_what_is_audited(method, route, view_args, role, recorded):
    assert security.audited(method, route, view_args, role) is recorded


@pytest.mark.parametrize("head, kind", [
    (b"%PDF-1.7\n", ("application/pdf", ".pdf")),
    (b"\x89PNG\r\n\x1a\n\x00\x00", ("image/png", ".png")),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", ("image/jpeg", ".jpg")),
    (b"<html><script>", None),
    (b"GIF89a", None),
    (b"PK\x03\x04", None),                              # a zip (docx...) is refused
    (b"%PD", None),
    (b"", None),
])
def test_file_type_by_content(head, kind):
    assert security.sniff_type(head) == kind


@pytest.mark.parametrize("name, shown", [
    ("成绩单.pdf", "成绩单.pdf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("<script>x</script>.png", "script.png"),
    ("a\x00b\nc.pdf", "abc.pdf"),
    ("..", ""),
    (None, ""),
])
def test_display_name_never_a_path(name, shown):
    assert security.display_name(name) == shown


@pytest.mark.parametrize("value, target", [
    ("/ui/student", "/ui/student"),
    ("/", "/"),
    (None, "/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/ok\r\nSet-Cookie: x=1", "/"),
])
def test_sso_next_is_local_only(value, target):
    assert sso.safe_next(value) == target


CAS_OK = """<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess><cas:user>2026000099</cas:user>
    <cas:attributes><cas:displayName>赵六</cas:displayName></cas:attributes>
  </cas:authenticationSuccess></cas:serviceResponse>"""
CAS_FAIL = """<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationFailure code="INVALID_TICKET">Ticket not recognized</cas:authenticationFailure>
</cas:serviceResponse>"""


@pytest.mark.parametrize("text, parsed", [
    (CAS_OK, ("2026000099", {"displayName": "赵六"})),
    (CAS_FAIL, None),
    ("not xml", None),
    ("<html>login page</html>", None),
])
def test_cas_answers(text, parsed):
    assert sso.parse_cas_response(text) == parsed
