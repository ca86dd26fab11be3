"""An e-certificate's life through the gateway over real HTTP (gunicorn) in front of the real
academic and SLA services on real RabbitMQ and PostgreSQL: a student applies for an
enrollment certificate, Academic Affairs accept, approve and complete it, the student
downloads the PDF (whose QR code, read back from the rendered page, is the case's
``verify_url``), anyone without logging in opens ``/verify/<code>`` (HTML and JSON) and sees
it valid with the holder masked; the A post revokes it (its API route, the case's
next_actions and the case page's form; B posts, students, blank reasons and a second
revocation are refused, the audit log has it); the page then says revoked; unknown and malformed codes are a 404 page; guessing is throttled."""
import html
import re
import uuid
from urllib.parse import urlsplit

import pytest
import requests

BASE = "https://osac.example.edu.cn"          # VERIFY_BASE_URL: what the QR code starts with
CERTIFICATE = {"item_code": "academic.enrollment-certificate", "form": {"purpose": "办理签证"}}
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["academic", "sla"], gateway=True, extra_env={
        "VERIFY_BASE_URL": BASE + "/", "VERIFY_MAX_MISSES": "4", "TRUSTED_PROXY_HOPS": "1"})


@pytest.fixture(scope="module")
def url(plat):
    return plat.gateway_url


@pytest.fixture(scope="module")
def people(url, login):
    return {name: login(url, username) for name, username in [
        ("student", "2026000001"), ("clerk", "academic_b"), ("teacher", "academic_a"),
        ("director", "director")]}


def visitor(ip):
    """Nobody logged in, from client address ``ip`` (the gateway trusts one proxy hop)."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = ip
    return session


def completed_certificate(url, people):
    r = people["student"].post(f"{url}/api/cases", json=CERTIFICATE,
                               headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=15)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    for who, action in [("clerk", "accept"), ("teacher", "approve"), ("clerk", "complete")]:
        r = people[who].post(f"{url}/api/cases/{case_id}/{action}", json={}, timeout=15)
        assert r.status_code == 200, (action, r.text)
    return r.json()


def pdf_page(pdf):
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    page = pdfium.PdfDocument(pdf)[0]
    codes = [r.text for r in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]
    return page.get_textpage().get_text_range(), codes


@pytest.fixture(scope="module")
def issued(url, people):
    return completed_certificate(url, people)


def test_the_completed_case_carries_the_link_and_the_pdf_its_qr_code(url, people, issued):
    result = issued["result"]
    code = result["certificate_code"]
    assert issued["status"] == "completed" and result["certificate_status"] == "valid"
    assert result["verify_path"] == f"/verify/{code}"
    assert result["verify_url"] == f"{BASE}/verify/{code}"
    r = people["student"].get(f"{url}/api/cases/{issued['id']}/certificate", timeout=15)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    text, qr = pdf_page(r.content)
    assert qr == [result["verify_url"]]                # the QR code opens the verify page
    assert code in text and result["verify_url"] in text and "张三" in text


def test_anyone_sees_it_valid_with_the_holder_masked(url, issued):
    code, anyone = issued["result"]["certificate_code"], visitor("10.1.0.1")
    path = urlsplit(issued["result"]["verify_url"]).path          # where the QR code leads
    page = anyone.get(url + path, headers=HTML, timeout=15)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    body = page.text
    assert '<html lang="zh-CN">' in body and "证明有效" in body and "在读证明" in body
    assert "张*" in body and "2026****01" in body and code in body
    assert "张三" not in body and "2026000001" not in body            # never in full
    english = anyone.get(f"{url}{path}?lang=en", headers=HTML, timeout=15).text
    assert "Valid certificate" in english and "Enrollment certificate" in english

    r = anyone.get(url + path, headers=JSON, timeout=15)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    view = r.json()
    assert (view["valid"], view["status"], view["code"]) == (True, "valid", code)
    assert (view["kind"], view["kind_zh"], view["kind_en"]) == (
        "enrollment", "在读证明", "Enrollment certificate")
    assert (view["student_name"], view["student_id"]) == ("张*", "2026****01")
    assert view["issued_at"] and view["revoked_at"] is None and view["revoke_reason"] is None
    assert "张三" not in r.text and "2026000001" not in r.text
    typed = f"{code[:4].lower()}-{code[4:8]}-{code[8:].lower()}"        # as a person types it
    assert anyone.get(f"{url}/verify/{typed}", headers=JSON, timeout=15).json()["code"] == code
    form = anyone.get(f"{url}/verify", params={"code": typed}, headers=HTML,
                      allow_redirects=False, timeout=15)
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/verify/{code}")


def test_unknown_and_malformed_codes_are_a_404_page(url, issued):
    anyone = visitor("10.2.0.1")
    code = issued["result"]["certificate_code"]
    unknown = code[:-1] + ("A" if code[-1] != "A" else "B")
    page = anyone.get(f"{url}/verify/{unknown}", headers=HTML, timeout=15)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert f"没有验证码为 {unknown} 的证明" in page.text and 'id="code"' in page.text
    r = anyone.get(f"{url}/verify/{unknown}", headers=JSON, timeout=15)
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "not_found" and body["message"] and body["message_en"]
    assert set(body["fields"]) == {"code"}
    bad = anyone.get(f"{url}/verify/%3Cscript%3Ealert(1)%3C/script%3E", headers=HTML,
                     timeout=15)
    assert bad.status_code == 404 and "<script>alert" not in bad.text     # escaped, not run
    assert anyone.get(f"{url}/verify/..%2F..%2Fetc", headers=HTML, timeout=15).status_code == 404


def test_guessing_codes_is_throttled_but_genuine_lookups_never_count(url, issued):
    code = issued["result"]["certificate_code"]
    guesser, receiver = visitor("10.3.0.1"), visitor("10.3.0.2")
    for _ in range(10):                          # a receiver checking genuine certificates
        assert receiver.get(f"{url}/verify/{code}", headers=JSON, timeout=15).status_code == 200
    for i in range(4):                           # VERIFY_MAX_MISSES
        r = guesser.get(f"{url}/verify/AAAAAAAAAAA{'ABCD'[i]}", headers=JSON, timeout=15)
        assert r.status_code == 404, r.text
    locked = guesser.get(f"{url}/verify/{code}", headers=JSON, timeout=15)
    assert locked.status_code == 429 and locked.json()["error"] == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) > 0 and "code" in locked.json()["fields"]
    page = guesser.get(f"{url}/verify/{code}", headers=HTML, timeout=15)
    assert page.status_code == 429 and "分钟后再试" in page.text
    assert receiver.get(f"{url}/verify/{code}", headers=JSON, timeout=15).status_code == 200


def test_the_a_post_revokes_it_and_the_page_says_so(url, people, issued):
    case_id, code = issued["id"], issued["result"]["certificate_code"]
    revoke = f"{url}/api/cases/{case_id}/certificate/revoke"
    r = people["teacher"].post(revoke, json={"reason": "   "}, timeout=15)
    assert r.status_code == 422 and list(r.json()["fields"]) == ["reason"], r.text
    r = people["teacher"].post(revoke, json={}, timeout=15)
    assert r.status_code == 422 and "reason" in r.json()["fields"], r.text
    for who in ("clerk", "student", "director"):
        r = people[who].post(revoke, json={"reason": "信息有误"}, timeout=15)
        assert r.status_code == 403, (who, r.text)
    assert requests.post(revoke, json={"reason": "x"}, timeout=15).status_code == 401
    r = people["teacher"].post(revoke, json={"reason": "张三学籍信息有误，已重新开具"}, timeout=15)
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["case_id"], done["status"], done["revoked_by"]) == (case_id, "revoked",
                                                                      "academic_a")
    again = people["teacher"].post(revoke, json={"reason": "再撤一次"}, timeout=15)
    assert again.status_code == 409 and again.json()["error"] == "certificate_already_revoked"

    anyone = visitor("10.4.0.1")
    view = anyone.get(f"{url}/verify/{code}", headers=JSON, timeout=15).json()
    assert (view["valid"], view["status"]) == (False, "revoked")
    assert view["revoked_at"] == done["revoked_at"]
    assert view["revoke_reason"] == "张*学籍信息有误，已重新开具"       # the name masked here too
    page = anyone.get(f"{url}/verify/{code}", headers=HTML, timeout=15)
    assert page.status_code == 200 and "证明已撤销" in page.text
    assert "张*学籍信息有误，已重新开具" in page.text and "张三" not in page.text
    assert done["revoked_at"][:10] in page.text

    case = people["student"].get(f"{url}/api/cases/{case_id}", timeout=15).json()
    assert case["result"]["certificate_status"] == "revoked"
    pdf = people["student"].get(f"{url}/api/cases/{case_id}/certificate", timeout=15)
    assert pdf.status_code == 409 and pdf.json()["error"] == "certificate_revoked"
    audit = people["director"].get(f"{url}/api/audit", params={"user": "academic_a"},
                                   timeout=15).json()["entries"]
    assert any(e["route"] == "/api/cases/<case_id>/certificate/revoke" and e["target"] == case_id
               and e["status"] == 200 and e["method"] == "POST" for e in audit), audit


def form_token(page):
    return html.unescape(CSRF.search(page).group(1))


def test_revoking_is_the_a_posts_next_action_on_the_case(url, people):
    """The same step in the case's next_actions (the A post's only), taken at its href."""
    case = completed_certificate(url, people)
    mine = people["teacher"].get(f"{url}/api/cases/{case['id']}", timeout=15).json()
    step = next(a for a in mine["next_actions"] if a["action"] == "revoke_certificate")
    assert step["href"] == f"/api/cases/{case['id']}/actions/revoke_certificate"
    assert step["input_schema"]["required"] == ["reason"] and step["tone"] == "danger"
    for who in ("clerk", "student", "director"):
        seen = people[who].get(f"{url}/api/cases/{case['id']}", timeout=15).json()
        assert "revoke_certificate" not in [a["action"] for a in seen.get("next_actions", [])]
    r = people["teacher"].post(url + step["href"], json={"reason": "重复开具"}, timeout=15)
    assert r.status_code == 200 and r.json()["result"]["certificate_status"] == "revoked", r.text
    assert "revoke_certificate" not in [a["action"] for a in r.json()["next_actions"]]
    view = visitor("10.6.0.1").get(f"{url}/verify/{case['result']['certificate_code']}",
                                   headers=JSON, timeout=15).json()
    assert view["status"] == "revoked"


def test_the_case_page_offers_revoking_to_the_a_post_only(url, people):
    case = completed_certificate(url, people)
    case_page = f"{url}/ui/cases/{case['id']}"
    student_page = people["student"].get(case_page, timeout=15).text
    assert "下载证明（PDF）" in student_page and case["result"]["certificate_code"] in student_page
    assert "certificate/revoke" not in student_page
    assert "certificate/revoke" not in people["clerk"].get(case_page, timeout=15).text
    page = people["teacher"].get(case_page, timeout=15).text
    assert f'action="/ui/cases/{case["id"]}/certificate/revoke"' in page
    form = f"{url}/ui/cases/{case['id']}/certificate/revoke"
    refused = people["teacher"].post(form, data={"csrf": form_token(page), "reason": " ",
                                                 "action": "revoke_certificate"}, timeout=15)
    assert refused.status_code == 422 and "请填写撤销原因" in refused.text
    r = people["teacher"].post(form, data={"csrf": form_token(page), "reason": "重复开具",
                                           "action": "revoke_certificate"}, timeout=15)
    assert r.status_code == 200 and r.url == case_page, r.url       # back to the case page
    assert "证明已撤销，核验页面将显示“已撤销”" in r.text and "重复开具" in r.text
    assert "certificate/revoke" not in r.text                          # nothing left to do
    without_token = people["teacher"].post(form, data={"reason": "x"}, timeout=15)
    assert without_token.status_code == 400
    view = visitor("10.5.0.1").get(f"{url}/verify/{case['result']['certificate_code']}",
                                   headers=JSON, timeout=15).json()
    assert view["status"] == "revoked" and view["revoke_reason"] == "重复开具"
