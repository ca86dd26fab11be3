"""Academic Affairs: certificate and transfer rules as tables, then on real RabbitMQ and
PostgreSQL a certificate end to end (PDF, public verification), who may download it, and the
major transfer window and quota."""
import base64
import hashlib
from datetime import datetime, timedelta

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from academic.certificate import render_certificate
from academic.domain import (CODE_ALPHABET, check_transfer, mask_name, may_download,
                             new_verification_code, normalize_code, open_round)
from academic.majors import ROUNDS, TransferRound

T0 = datetime(2026, 6, 3, 10, 0, tzinfo=TZ)           # a Wednesday, in the 2026 transfer round


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


ROUND = ROUNDS[0]


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


# ---- on the real platform ----------------------------------------------------------------

CERT_FORM = {"purpose": "办理签证"}
TRANSFER_MATERIALS = ["application_form", "transcript"]


def student(n, name):
    return {"id": f"20260001{n:02d}", "role": "student", "name": name}


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["academic", "security"], clock_file=str(clock))


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
    with plat.rpc(ACTORS["student"]) as rpc:
        got = rpc.academic.certificate_pdf(case["id"])
    pdf = base64.b64decode(got["pdf_base64"])
    assert pdf.startswith(b"%PDF") and got["code"] == code
    assert hashlib.sha256(pdf).hexdigest() == got["sha256"]
    with plat.rpc() as rpc:                            # public: no actor at all
        verified = rpc.academic.verify_certificate(code)
        assert verified["valid"] is True and verified["kind"] == "enrollment"
        assert verified["student_name"] == "张*"
        assert verified["issued_at"].startswith("2026-06-03T10:00")
        assert "student_id" not in verified
        assert rpc.academic.verify_certificate(f"{code[:4].lower()}-{code[4:]}")["valid"]
        wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
        assert rpc.academic.verify_certificate(wrong) == {"valid": False}
        assert rpc.academic.verify_certificate("not a code") == {"valid": False}


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
