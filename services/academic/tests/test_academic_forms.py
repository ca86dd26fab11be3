"""Academic Affairs' item forms: the transfer rounds as a yearly rule, each form's own rules as
tables, then on real RabbitMQ and PostgreSQL one notice for everything wrong with a submission
and the completion of a consultation, an exchange and a correction with their own inputs."""
from datetime import datetime, timezone

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from academic import forms as item_forms
from academic.domain import open_round
from academic.majors import ROUNDS, academic_year_of, rounds_near

T0 = datetime(2026, 6, 3, 10, 0, tzinfo=TZ)     # a Wednesday, in the spring round of 2025-2026


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
    ({"category": "personal_info", "term": "", "record": ""}, set()),
    ({"record": ""}, {"form.record"}),
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


# ---- on the real platform ----------------------------------------------------------------
def student(n, name):
    return {"id": f"20260002{n:02d}", "role": "student", "name": name}


@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["academic"], clock_file=str(clock))


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
