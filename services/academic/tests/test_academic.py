"""Academic Affairs: certificate and transfer rules as tables, then on real RabbitMQ and
PostgreSQL a certificate end to end (PDF, public verification), who may download it, and the
major transfer window and quota."""
import base64
import hashlib
from datetime import datetime, timezone

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from academic.certificate import render_certificate
from academic.domain import (CODE_ALPHABET, check_transfer, mask_name, may_download,
                             new_verification_code, normalize_code, open_round)
from academic import forms as item_forms
from academic.majors import ROUNDS, TransferRound, academic_year_of, rounds_near

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


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("now, year", [
    (at(2026, 9, 1, 0, 0), 2026), (at(2026, 12, 1, 9, 0), 2026), (at(2027, 8, 31, 23, 0), 2026),
    (datetime(2026, 8, 31, 16, 0, tzinfo=timezone.utc), 2026),    # 00:00 on 1 Sept in Shanghai
])
def test_academic_year(now, year):
    assert academic_year_of(now) == year


@pytest.mark.parametrize("now, round_code", [
    (at(2026, 11, 16, 8, 30), "2026-2027-1"),             # the autumn round opens
    (at(2026, 12, 1, 10, 0), "2026-2027-1"),
    (at(2026, 12, 18, 17, 30), "2026-2027-1"),
    (at(2027, 5, 11, 8, 30), "2026-2027-2"),              # the spring round
    (T0, "2025-2026-2"),
    (at(2031, 11, 20, 9, 0), "2031-2032-1"),              # a rule, not a list that runs out
])
def test_open_round(now, round_code):
    assert open_round(rounds_near(now), now).code == round_code


@pytest.mark.parametrize("now, names", [
    (at(2026, 11, 16, 8, 29), "2026-11-16 08:30"),
    (at(2026, 12, 18, 17, 31), "2027-05-11 08:30"),
    (at(2027, 7, 1, 9, 0), "2027-11-16 08:30"),
    (at(2027, 9, 1, 9, 0), "2027-11-16 08:30"),
])
def test_outside_every_round_is_refused_naming_the_next(now, names):
    with pytest.raises(DomainError) as err:
        open_round(rounds_near(now), now)
    assert err.value.code == "transfer_window_closed" and err.value.status == 409
    assert names in err.value.message


def test_every_round_has_quotas_for_real_majors():
    for rule in ROUNDS:
        assert rule.quotas and set(rule.quotas) <= set(item_forms.MAJORS)


@pytest.mark.parametrize("round_code, term", [
    ("2026-2027-1", "2026-2027-2"), ("2026-2027-2", "2027-2028-1")])
def test_a_transfer_counts_from_the_term_after_its_round(round_code, term):
    assert item_forms.next_term(round_code) == term


AUTUMN = open_round(rounds_near(at(2026, 12, 1, 10, 0)), at(2026, 12, 1, 10, 0))


@pytest.mark.parametrize("form, fields", [
    ({"current_major": "accounting", "target_major": "computer_science"}, set()),
    ({"current_major": "accounting", "target_major": "accounting"}, {"form.target_major"}),
    ({"current_major": "accounting", "target_major": "law"}, {"form.target_major"}),  # 0 places
    ({"target_major": "computer_science"}, set()),       # the missing field is told on its own
    ({}, set()),
])
def test_transfer_form_rules(form, fields):
    assert AUTUMN.code == "2026-2027-1"
    assert set(item_forms.transfer_problems(form, AUTUMN)) == fields


CORRECTION = {"category": "grade", "record": "高等数学A(一) 期末成绩", "term": "2025-2026-1",
              "wrong_value": "58", "correct_value": "85"}


@pytest.mark.parametrize("change, fields", [
    ({}, set()),
    ({"term": ""}, {"form.term"}),                                     # a grade names its term
    ({"category": "personal_info", "term": ""}, set()),
    ({"term": "2025-2027-1"}, {"form.term"}),
    ({"correct_value": "58"}, {"form.correct_value"}),
    ({"term": "", "correct_value": "58"}, {"form.term", "form.correct_value"}),
])
def test_correction_rules(change, fields):
    assert set(item_forms.correction_problems({**CORRECTION, **change})) == fields


NOW = at(2026, 12, 1, 10, 0)
EXCHANGE = item_forms.EXAMPLES["academic.exchange"](NOW)


@pytest.mark.parametrize("change, fields", [
    ({}, set()),
    ({"gpa": 2.4}, {"form.gpa"}),                                      # abroad: at least 2.5
    ({"programme": "domestic_exchange", "gpa": 2.4, "language_test": "none",
      "language_score": None}, set()),
    ({"programme": "joint_degree", "gpa": 2.9}, {"form.gpa"}),
    ({"programme": "summer_school", "term": "autumn"}, {"form.term"}),
    ({"programme": "summer_school", "term": "summer", "academic_year": "2026-2027"}, set()),
    ({"term": "summer"}, {"form.term"}),
    ({"language_test": "none", "language_score": None}, {"form.language_test"}),
    ({"language_score": None}, {"form.language_score"}),
    ({"academic_year": "2026-2027"}, {"form.academic_year"}),           # autumn 2026 has begun
    ({"academic_year": "2026-2027", "term": "spring"}, set()),          # spring 2027 has not
    ({"academic_year": "2027-2029"}, {"form.academic_year"}),
    ({"gpa": 1.0, "term": "summer", "language_test": "none", "language_score": None},
     {"form.gpa", "form.term", "form.language_test"}),                  # all at once
])
def test_exchange_rules(change, fields):
    assert EXCHANGE["academic_year"] == "2027-2028"
    assert set(item_forms.exchange_problems({**EXCHANGE, **change}, NOW)) == fields


@pytest.mark.parametrize("test, needed", [("ielts", {"language_certificate"}), ("none", set())])
def test_a_language_test_needs_its_certificate(test, needed):
    assert set(item_forms.exchange_materials({"language_test": test})) == needed


def test_partial_load_keeps_what_loaded_for_the_rules():
    data, problems = item_forms.load_partial(item_forms.ExchangeForm,
                                             {**EXCHANGE, "gpa": "abc", "extra": 1})
    assert set(problems) == {"form.gpa", "form.extra"}
    assert data["programme"] == "overseas_exchange" and "gpa" not in data


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


def test_a_transfer_form_is_told_everything_at_once(plat):
    plat.set_time(T0)
    with plat.rpc(student(5, "周九")) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.submit_case("academic.major-transfer", ["transcript"], {
                "current_major": "law", "target_major": "law", "gpa": 5, "reason": "  "})
    assert err.value.status == 422
    assert set(err.value.fields) == {"form.target_major", "form.gpa", "form.reason",
                                     "materials.application_form"}


def test_exchange_application_one_notice_then_nominated(plat):
    now = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    plat.set_time(now)
    example = item_forms.EXAMPLES["academic.exchange"](now)
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:           # arbitrary keys are refused
            rpc.academic.submit_case("academic.exchange", ["application_form", "transcript"],
                                     {"details": {"a": 1}})
        assert err.value.status == 422 and "form.details" in err.value.fields
        with pytest.raises(DomainError) as err:           # every problem in one notice
            rpc.academic.submit_case("academic.exchange", ["transcript"],
                                     dict(example, gpa=2.0, term="summer"))
        assert set(err.value.fields) == {"form.gpa", "form.term",
                                         "materials.application_form",
                                         "materials.language_certificate"}
        case = rpc.academic.submit_case(
            "academic.exchange", ["application_form", "transcript", "language_certificate"],
            example)
    with plat.rpc(staff("academic", "b_post")) as rpc:
        rpc.academic.perform(case["id"], "accept", {})
        assert "approve" not in [a["action"] for a in rpc.academic.get_case(case["id"])[
            "next_actions"]]                               # an A-post item
    with plat.rpc(staff("academic", "a_post")) as rpc:
        rpc.academic.perform(case["id"], "approve", {})
        done = rpc.academic.perform(case["id"], "complete", {})
    assert done["status"] == "completed"
    assert done["result"]["nominated"] == {"partner_university": "新加坡国立大学",
                                           "academic_year": "2027-2028", "term": "autumn"}
    plat.set_time(T0)


def test_policy_question_needs_a_real_form_and_is_answered(plat):
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.submit_case("academic.policy-consultation", [], {"details": {"a": 1}})
        assert {"form.details", "form.topic", "form.question"} <= set(err.value.fields)
        case = rpc.academic.submit_case("academic.policy-consultation", [],
                                        item_forms.EXAMPLES["academic.policy-consultation"])
    with plat.rpc(staff("academic", "b_post")) as rpc:
        rpc.academic.perform(case["id"], "accept", {})
        seen = rpc.academic.perform(case["id"], "approve", {})
        complete = next(a for a in seen["next_actions"] if a["action"] == "complete")
        assert "answer" in complete["input_schema"]["required"]
        done = rpc.academic.perform(case["id"], "complete",
                                    {"answer": "结题验收通过的项目可认定2个创新学分。"})
    assert done["result"]["answer"] == "结题验收通过的项目可认定2个创新学分。"


def test_a_correction_is_completed_with_what_the_system_says_now(plat):
    form = item_forms.EXAMPLES["academic.record-correction"]
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.academic.submit_case("academic.record-correction", [],
                                     dict(form, term="", correct_value="58"))
        assert set(err.value.fields) == {"form.term", "form.correct_value", "materials.evidence"}
        case = rpc.academic.submit_case("academic.record-correction", ["evidence"], form)
    with plat.rpc(staff("academic", "b_post")) as rpc:
        rpc.academic.perform(case["id"], "accept", {})
    with plat.rpc(staff("academic", "a_post")) as rpc:
        seen = rpc.academic.perform(case["id"], "approve", {})
        complete = next(a for a in seen["next_actions"] if a["action"] == "complete")
        assert complete["input_schema"]["required"] == ["corrected_value"]
        with pytest.raises(DomainError) as err:
            rpc.academic.perform(case["id"], "complete", {"corrected_value": " "})
        assert "corrected_value" in err.value.fields
        done = rpc.academic.perform(case["id"], "complete", {"corrected_value": "85"})
    assert done["result"]["corrected"] == {"record": "高等数学A(一) 期末成绩",
                                           "term": "2025-2026-1", "from": "58", "to": "85"}
