"""Academic Affairs: certificate and transfer rules as tables (codes, masking, the public view,
who may revoke and how, the QR code read back from the rendered PDF), then on real RabbitMQ
and PostgreSQL a certificate end to end (PDF, public verification, revocation), who may
download it, and the major transfer window and quota."""
import base64
import hashlib
from datetime import datetime, timedelta

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from academic.certificate import render_certificate
from academic.domain import (CODE_ALPHABET, check_download, check_revoke, check_transfer,
                             mask_name, mask_student_id, may_download, may_revoke,
                             new_verification_code, normalize_code, public_reason, public_view,
                             revocable, verify_url)
from academic.majors import TransferRound

T0 = datetime(2026, 6, 3, 10, 0, tzinfo=TZ)     # a Wednesday, in the spring round of 2025-2026


# ---- rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"), ("欧阳娜娜", "欧***"), (" 李四 ", "李*"), ("王", "*"), ("", ""), (None, ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("typed, code", [
    ("ABCDEFGH2345", "ABCDEFGH2345"),
    ("abcd-efgh-2345", "ABCDEFGH2345"),      # people type dashes, spaces and lower case
    (" abcd efgh 2345 ", "ABCDEFGH2345"),
    ("ABCDEFGH234", None),                    # too short
    ("ABCDEFGH23456", None),                  # too long
    ("ABCDEFGH2340", None),                   # 0, 1, 8, 9 are not base32
    ("ABCDEFGH2381", None),
    ("../etc/passwd", None), ("", None), (None, None),
])
def test_normalize_code(typed, code):
    assert normalize_code(typed) == code


def test_new_codes_are_base32_and_do_not_repeat():
    codes = {new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 12 and set(c) <= set(CODE_ALPHABET) for c in codes)


@pytest.mark.parametrize("actor, allowed", [
    (ACTORS["student"], True),               # the certificate is for 2026000001
    (ACTORS["student2"], False),
    (staff("academic", "b_post"), True),
    (staff("academic", "a_post"), True),
    (staff("security", "a_post"), False),
    (ACTORS["director"], True),              # reads everything
    ({"id": "c1", "role": "committee"}, False),
    ({"id": "desk", "role": "desk"}, False),
])
def test_who_may_download_a_certificate(actor, allowed):
    assert may_download(actor, "2026000001") is allowed


@pytest.mark.parametrize("base, url", [
    ("https://osac.example.edu.cn", "https://osac.example.edu.cn/verify/ABCDEFGH2345"),
    ("https://osac.example.edu.cn/", "https://osac.example.edu.cn/verify/ABCDEFGH2345"),
    (" http://127.0.0.1:8000/ ", "http://127.0.0.1:8000/verify/ABCDEFGH2345"),
    ("", "/verify/ABCDEFGH2345"), (None, "/verify/ABCDEFGH2345"),     # no base: the path
])
def test_verify_url(base, url):
    assert verify_url(base, "ABCDEFGH2345") == url


@pytest.mark.parametrize("student_id, masked", [
    ("2026000001", "2026****01"), ("20260001", "2026**01"), ("2026001", "2026*01"),
    ("202601", "******"), ("S1", "**"), ("", ""), (None, ""),
])
def test_mask_student_id(student_id, masked):
    assert mask_student_id(student_id) == masked


@pytest.mark.parametrize("reason, shown", [
    ("信息有误，已重新开具", "信息有误，已重新开具"),
    ("张三已办理退学手续", "张*已办理退学手续"),                       # the holder's name
    ("学号 2026000001 的学籍已注销", "学号 2026****01 的学籍已注销"),
    ("联系人电话 13812345678", "联系人电话 138****5678"),                # any phone, ID, card
    ("身份证 11010519491231002X 有误", "身份证 110***********002X 有误"),
])
def test_public_reason_masks_personal_data(reason, shown):
    assert public_reason(reason, "张三", "2026000001") == shown


REVOKED_AT = T0 + timedelta(days=10)


@pytest.mark.parametrize("revoked_at, reason, status, valid, shown_reason", [
    (None, None, "valid", True, None),
    (None, "ignored while valid", "valid", True, None),
    (REVOKED_AT, "张三信息有误", "revoked", False, "张*信息有误"),
])
def test_public_view(revoked_at, reason, status, valid, shown_reason):
    view = public_view("ABCDEFGH2345", "enrollment", "张三", "2026000001", T0, "ab" * 32,
                       revoked_at, reason)
    assert (view["status"], view["valid"], view["revoke_reason"]) == (status, valid,
                                                                       shown_reason)
    assert view["student_name"] == "张*" and view["student_id"] == "2026****01"
    assert (view["kind_zh"], view["kind_en"]) == ("在读证明", "Enrollment certificate")
    assert view["issued_at"] == "2026-06-03T10:00:00+08:00"
    assert view["revoked_at"] == (REVOKED_AT.isoformat() if revoked_at else None)
    assert "张三" not in str(view) and "2026000001" not in str(view)      # never in full


def test_public_view_reads_sqlite_naive_times_as_beijing_time():
    naive = datetime(2026, 6, 3, 10, 0)
    view = public_view("ABCDEFGH2345", "status", "李四", "2026000002", naive, "00", naive, "x")
    assert view["issued_at"] == view["revoked_at"] == "2026-06-03T10:00:00+08:00"


A_POST, B_POST = staff("academic", "a_post"), staff("academic", "b_post")


@pytest.mark.parametrize("actor, revoked_at, reason, error, status", [
    (A_POST, None, "信息有误，已重新开具", None, None),
    (A_POST, None, "  前后有空格  ", None, None),
    (A_POST, None, "", "validation_failed", 422),
    (A_POST, None, "   ", "validation_failed", 422),
    (A_POST, None, None, "validation_failed", 422),
    (A_POST, None, "长" * 201, "validation_failed", 422),
    (A_POST, REVOKED_AT, "再撤一次", "certificate_already_revoked", 409),
    (A_POST, REVOKED_AT, "", "certificate_already_revoked", 409),   # said before the reason
    (B_POST, None, "信息有误", "forbidden", 403),                  # a student assistant
    (staff("security", "a_post"), None, "信息有误", "forbidden", 403),
    (ACTORS["director"], None, "信息有误", "forbidden", 403),      # reads, never acts
    (ACTORS["student"], None, "不想要了", "forbidden", 403),
])
def test_check_revoke(actor, revoked_at, reason, error, status):
    if error is None:
        assert check_revoke(actor, revoked_at, reason) == reason.strip()
        assert may_revoke(actor)
        return
    with pytest.raises(DomainError) as err:
        check_revoke(actor, revoked_at, reason)
    assert (err.value.code, err.value.status) == (error, status)
    if status == 422:
        assert list(err.value.fields) == ["reason"] and " / " in err.value.fields["reason"]


ISSUED = {"certificate_code": "ABCDEFGH2345", "certificate_status": "valid"}


@pytest.mark.parametrize("status, result, actor, offered", [
    ("completed", ISSUED, A_POST, True),
    ("completed", {"certificate_code": "ABCDEFGH2345"}, A_POST, True),   # issued before 0002
    ("completed", {**ISSUED, "certificate_status": "revoked"}, A_POST, False),
    ("completed", {}, A_POST, False),                        # not a certificate case
    ("completed", None, A_POST, False),
    ("processing", ISSUED, A_POST, False),
    ("completed", ISSUED, B_POST, False),
    ("completed", ISSUED, ACTORS["director"], False),
    ("completed", ISSUED, ACTORS["student"], False),
    ("completed", ISSUED, None, False),
])
def test_revoking_is_a_next_step_only_for_the_a_post_of_a_valid_certificate(status, result,
                                                                            actor, offered):
    assert revocable(status, result, actor) is offered


@pytest.mark.parametrize("actor, revoked_at, refused", [
    (ACTORS["student"], None, False),
    (ACTORS["student"], REVOKED_AT, True),          # a void certificate is not handed out
    (A_POST, REVOKED_AT, False),                    # the record stays with the office
    (ACTORS["director"], REVOKED_AT, False),
])
def test_check_download(actor, revoked_at, refused):
    if not refused:
        check_download(actor, revoked_at)
        return
    with pytest.raises(DomainError) as err:
        check_download(actor, revoked_at)
    assert err.value.code == "certificate_revoked" and err.value.status == 409


SMALL = TransferRound("t", T0, T0, {"english": 2, "accounting": 0})


@pytest.mark.parametrize("current, target, used, applied, error", [
    ("accounting", "english", 0, False, None),
    ("accounting", "english", 1, False, None),
    ("accounting", "english", 2, False, "transfer_quota_full"),
    ("accounting", "english", 5, False, "transfer_quota_full"),
    ("english", "english", 0, False, "validation_failed"),
    ("english", "accounting", 0, False, "transfer_major_closed"),   # quota 0
    ("english", "software_engineering", 0, False, "transfer_major_closed"),   # not listed
    ("accounting", "english", 0, True, "transfer_already_applied"),
])
def test_check_transfer(current, target, used, applied, error):
    if error is None:
        check_transfer(SMALL, current, target, used, applied)
        return
    with pytest.raises(DomainError) as err:
        check_transfer(SMALL, current, target, used, applied)
    assert err.value.code == error
    assert all(" / " in message for message in err.value.fields.values())


def test_certificate_pdf_is_deterministic_and_carries_the_code():
    args = ("transcript", "张三", "2026000001", "出国留学", "ABCDEFGH2345", T0,
            "https://osac.example.edu.cn/verify/ABCDEFGH2345")
    pdf = render_certificate(*args)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert render_certificate(*args) == pdf
    assert render_certificate(*args[:4], "ABCDEFGH2346", *args[5:]) != pdf


def pdf_page(pdf):
    """(the text printed on the PDF's page, the QR codes read from the page rendered at 2x)."""
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    page = pdfium.PdfDocument(pdf)[0]
    text = page.get_textpage().get_text_range()
    codes = [r.text for r in zxingcpp.read_barcodes(page.render(scale=2).to_pil())
             if r.format == zxingcpp.BarcodeFormat.QRCode]
    return text, codes


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/verify/ABCDEFGH2345",
                                 "https://osac.example.edu.cn/verify/ABCDEFGH2345",
                                 "/verify/ABCDEFGH2345"])
def test_the_qr_code_read_back_from_the_pdf_is_the_verify_url(url):
    pdf = render_certificate("enrollment", "张三", "2026000001", "办理签证", "ABCDEFGH2345",
                             T0, url)
    text, codes = pdf_page(pdf)
    assert codes == [url]
    assert "ABCDEFGH2345" in text and url in text and "在读证明" in text


# ---- on the real platform ----------------------------------------------------------------

CERT_FORM = {"purpose": "办理签证"}
BASE = "https://osac.example.edu.cn"
TRANSFER_MATERIALS = ["application_form", "transcript"]


def student(n, name):
    return {"id": f"20260001{n:02d}", "role": "student", "name": name}


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["academic", "security"], clock_file=str(clock),
                            extra_env={"VERIFY_BASE_URL": BASE + "/"})


@pytest.fixture(scope="module")
def certificate_case(plat):
    """An enrollment certificate taken through B accept -> A approve -> B complete."""
    plat.set_time(T0)
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.academic.submit_case("academic.enrollment-certificate", [], CERT_FORM)
        with pytest.raises(DomainError) as err:
            rpc.academic.certificate_pdf(case["id"])
        assert err.value.code == "certificate_not_issued"
    with plat.rpc(staff("academic", "b_post")) as rpc:
        rpc.academic.act(case["id"], "accept")
    with plat.rpc(staff("academic", "a_post")) as rpc:
        rpc.academic.act(case["id"], "approve")
    with plat.rpc(staff("academic", "b_post")) as rpc:
        return rpc.academic.act(case["id"], "complete")


def test_certificate_end_to_end(plat, certificate_case):
    case = certificate_case
    assert case["status"] == "completed" and case["window"] == 6
    code = case["result"]["certificate_code"]
    assert case["result"]["verify_path"] == f"/verify/{code}"
    assert case["result"]["verify_url"] == f"{BASE}/verify/{code}"      # VERIFY_BASE_URL
    assert case["result"]["certificate_status"] == "valid"
    with plat.rpc(ACTORS["student"]) as rpc:
        got = rpc.academic.certificate_pdf(case["id"])
    pdf = base64.b64decode(got["pdf_base64"])
    assert pdf.startswith(b"%PDF") and got["code"] == code
    assert hashlib.sha256(pdf).hexdigest() == got["sha256"]
    _text, qr = pdf_page(pdf)
    assert qr == [case["result"]["verify_url"]]
    with plat.rpc() as rpc:                            # public: no actor at all
        verified = rpc.academic.verify_certificate(code)
        assert verified["valid"] is True and verified["kind"] == "enrollment"
        assert verified["status"] == "valid" and verified["revoked_at"] is None
        assert verified["student_name"] == "张*"
        assert verified["student_id"] == "2026****01"
        assert verified["issued_at"].startswith("2026-06-03T10:00")
        assert verified["sha256"] == got["sha256"]
        assert rpc.academic.verify_certificate(f"{code[:4].lower()}-{code[4:]}")["valid"]
        wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
        unknown = {"valid": False, "status": "unknown", "status_zh": "未找到"}
        assert rpc.academic.verify_certificate(wrong) == unknown
        assert rpc.academic.verify_certificate("not a code") == unknown


def test_only_the_owner_academic_staff_or_the_director_get_the_pdf(plat, certificate_case):
    case_id = certificate_case["id"]
    for actor, status in [(ACTORS["student2"], 403), (staff("security", "a_post"), 403),
                          ({"id": "desk", "role": "desk"}, 403), (None, 401)]:
        with plat.rpc(actor) as rpc:
            with pytest.raises(DomainError) as err:
                rpc.academic.certificate_pdf(case_id)
            assert err.value.status == status, actor
    for reader in (staff("academic", "a_post"), ACTORS["director"]):
        with plat.rpc(reader) as rpc:
            assert rpc.academic.certificate_pdf(case_id)["code"] == \
                certificate_case["result"]["certificate_code"]
    with plat.rpc(ACTORS["director"]) as rpc:            # the director reads, never acts
        with pytest.raises(DomainError) as err:
            rpc.academic.act(case_id, "reject", "仅查看")
        assert err.value.status == 403


def test_the_a_post_revokes_a_certificate_once_with_a_reason(plat):
    """A second certificate case, so the tests above keep theirs valid."""
    plat.set_time(T0)
    with plat.rpc(ACTORS["student2"]) as rpc:
        case = rpc.academic.submit_case("academic.status-certificate", [], CERT_FORM)
    with plat.rpc(B_POST) as rpc:
        rpc.academic.act(case["id"], "accept")
    with plat.rpc(A_POST) as rpc:
        rpc.academic.act(case["id"], "approve")
    with plat.rpc(B_POST) as rpc:
        code = rpc.academic.act(case["id"], "complete")["result"]["certificate_code"]
        with pytest.raises(DomainError) as err:
            rpc.academic.revoke_certificate(case["id"], "信息有误")
        assert err.value.status == 403                   # the B post may not
    assert "revoke_certificate" not in rpc_case(plat, B_POST, case["id"])["allowed_actions"]
    offered = rpc_case(plat, A_POST, case["id"])["next_actions"]
    step = next(a for a in offered if a["action"] == "revoke_certificate")
    assert step["tone"] == "danger" and step["input_schema"]["required"] == ["reason"]
    plat.set_time(REVOKED_AT)
    with plat.rpc(A_POST) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.revoke_certificate(case["id"], "  ")
        assert err.value.status == 422 and list(err.value.fields) == ["reason"]
        revoked = rpc.academic.revoke_certificate(case["id"], "李四学籍信息有误，已重新开具")
        assert revoked["status"] == "revoked" and revoked["revoked_by"] == A_POST["id"]
        assert revoked["revoked_at"] == REVOKED_AT.isoformat()
        with pytest.raises(DomainError) as err:
            rpc.academic.revoke_certificate(case["id"], "再撤一次")
        assert err.value.code == "certificate_already_revoked" and err.value.status == 409
        after = rpc.academic.get_case(case["id"])
        assert "revoke_certificate" not in after["allowed_actions"]       # nothing left to do
        result = after["result"]
        assert result["certificate_status"] == "revoked"
        assert result["revoke_reason"] == "李四学籍信息有误，已重新开具"   # the student's own view
        assert rpc.academic.certificate_pdf(case["id"])["code"] == code     # staff: the record
        with pytest.raises(DomainError) as err:                  # a case with no certificate
            rpc.academic.revoke_certificate(correction_case(plat), "信息有误")
        assert err.value.code == "certificate_not_issued"
    with plat.rpc() as rpc:
        verified = rpc.academic.verify_certificate(code)
    assert (verified["valid"], verified["status"]) == (False, "revoked")
    assert verified["revoked_at"] == REVOKED_AT.isoformat()
    assert verified["revoke_reason"] == "李*学籍信息有误，已重新开具"    # masked for the public
    with plat.rpc(ACTORS["student2"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.certificate_pdf(case["id"])
        assert err.value.code == "certificate_revoked"
    plat.set_time(T0)


def test_revoking_through_next_actions(plat):
    """The same revocation taken as the case's next step (CaseService.perform)."""
    plat.set_time(T0)
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.academic.submit_case("academic.transcript", [], CERT_FORM)
    with plat.rpc(B_POST) as rpc:
        for action in ("accept", "approve", "complete"):          # a B-post item
            code = rpc.academic.act(case["id"], action)["result"].get("certificate_code")
    with plat.rpc(A_POST) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.perform(case["id"], "revoke_certificate", {"reason": " "})
        assert err.value.status == 422 and list(err.value.fields) == ["reason"]
        done = rpc.academic.perform(case["id"], "revoke_certificate", {"reason": "重复开具"})
        assert done["result"]["certificate_status"] == "revoked"
        assert "revoke_certificate" not in done["allowed_actions"]
        with pytest.raises(DomainError) as err:
            rpc.academic.perform(case["id"], "revoke_certificate", {"reason": "再撤一次"})
        assert err.value.status == 409
    with plat.rpc() as rpc:
        assert rpc.academic.verify_certificate(code)["status"] == "revoked"


def rpc_case(plat, actor, case_id):
    with plat.rpc(actor) as rpc:
        return rpc.academic.get_case(case_id)


def correction_case(plat):
    """A record-correction case: an academic case that never has a certificate."""
    with plat.rpc(ACTORS["student2"]) as rpc:
        return rpc.academic.submit_case("academic.record-correction", ["evidence"], {
            "category": "personal_info", "wrong_value": "李斯", "correct_value": "李四"})["id"]


def test_major_transfer_window_and_quota(plat):
    plat.set_time(T0)
    form = {"current_major": "accounting", "target_major": "industrial_design", "gpa": 3.2,
            "reason": "对工业设计有浓厚兴趣，已修读相关课程"}                    # quota 2
    first, second, third = student(1, "王五"), student(2, "赵六"), student(3, "钱七")
    cases = {}
    for who in (first, second):
        with plat.rpc(who) as rpc:
            cases[who["id"]] = rpc.academic.submit_case("academic.major-transfer",
                                                        TRANSFER_MATERIALS, form)
    assert cases[first["id"]]["result"] == {"transfer_round": "2025-2026-2"}
    with plat.rpc(third) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.submit_case("academic.major-transfer", TRANSFER_MATERIALS, form)
        assert err.value.code == "transfer_quota_full"
        assert "form.target_major" in err.value.fields
    with plat.rpc(first) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.submit_case("academic.major-transfer", TRANSFER_MATERIALS,
                                     dict(form, target_major="english"))
        assert err.value.code == "transfer_already_applied"
        rpc.academic.act(cases[first["id"]]["id"], "withdraw")       # frees the place
    with plat.rpc(third) as rpc:
        assert rpc.academic.submit_case("academic.major-transfer", TRANSFER_MATERIALS,
                                        form)["status"] == "submitted"
    plat.set_time(datetime(2026, 7, 1, 9, 0, tzinfo=TZ))
    with plat.rpc(student(4, "孙八")) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.submit_case("academic.major-transfer", TRANSFER_MATERIALS, form)
        assert err.value.code == "transfer_window_closed"
        assert "2026-11-16" in err.value.message
    plat.set_time(T0)
