"""Career (window 4): table tests of the rules, then every item's flow on the real platform."""
from datetime import date, datetime

import pytest

from osac_shared.clock import TZ
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from osac_shared.demo import STUDENTS

from career.domain import (breach_problems, examples, graduating_year, load_partial,
                           new_agreement_no, stamp_problems, subsidy_problems, team_problems)
from career.service import CareerService

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
TODAY = T0.date()                        # the class of 2027 is graduating
STUDENT, STUDENT2 = ACTORS["student"], ACTORS["student2"]
B, A = staff("career"), staff("career", "a_post")


# ---- table tests -------------------------------------------------------------------------
@pytest.mark.parametrize("day, year", [
    (date(2026, 12, 7), 2027), (date(2027, 6, 30), 2027), (date(2027, 8, 31), 2027),
    (date(2027, 9, 1), 2028),
])
def test_graduating_year(day, year):
    assert graduating_year(day) == year


CERT = {"document": "graduate_certificate", "copies": 3, "graduation_year": 2027}
REC = {"document": "recommendation_form", "copies": 1, "graduation_year": 2027}


@pytest.mark.parametrize("form, previous, fields", [
    (CERT, [], set()),
    (dict(CERT, graduation_year=2026), [], {"form.graduation_year"}),
    (CERT, [("completed", CERT)], set()),                     # certificates: any number
    (REC, [], set()),
    (dict(REC, copies=2), [], {"form.copies"}),
    (REC, [("completed", REC)], {"form.document"}),
    (REC, [("processing", REC)], {"form.document"}),
    (REC, [("rejected", REC)], set()),
    (dict(REC, copies=2, graduation_year=2028), [("completed", REC)],
     {"form.copies", "form.document", "form.graduation_year"}),
])
def test_stamp_rules(form, previous, fields):
    assert set(stamp_problems(form, previous, TODAY)) == fields


BREACH = {"graduation_year": 2027, "signed_on": "2026-11-01"}


@pytest.mark.parametrize("form, previous, fields", [
    (BREACH, [], set()),
    (dict(BREACH, signed_on="2026-12-08"), [], {"form.signed_on"}),
    (BREACH, [("completed", BREACH)], {"form.agreement_no"}),
    (BREACH, [("withdrawn", BREACH)], set()),
    (dict(BREACH, graduation_year=2026), [], {"form.graduation_year"}),
])
def test_breach_rules(form, previous, fields):
    assert set(breach_problems(form, previous, TODAY)) == fields


DISABILITY_NO = "43020019990101123411"


@pytest.mark.parametrize("record, disability, year, previous, fields", [
    ("subsistence", "", 2027, [], set()),
    ("student_loan", "", 2027, [], set()),
    ("none", DISABILITY_NO, 2027, [], set()),
    ("none", "", 2027, [], {"form.hardship_record"}),
    ("subsistence", "", 2026, [], {"form.graduation_year"}),          # not graduating
    ("subsistence", "", 2027, [("submitted", {})], {"form.graduation_year"}),   # applied before
    ("subsistence", "", 2027, [("rejected", {})], set()),
])
def test_subsidy_eligibility(record, disability, year, previous, fields):
    form = {"graduation_year": year, "hardship_record": record,
            "disability_certificate_no": disability}
    assert set(subsidy_problems(form, previous, TODAY)) == fields


@pytest.mark.parametrize("size, members, ok", [
    (1, [], True), (3, [], True), (3, ["2026000002", "2026000003"], True),
    (3, ["2026000002"], False), (2, ["2026000001"], False),
    (3, ["2026000002", "2026000002"], False),
])
def test_team(size, members, ok):
    assert (team_problems(size, members, "2026000001") == {}) is ok


@pytest.mark.parametrize("code", sorted(examples()))
def test_every_example_keeps_the_rules_for_a_demo_graduate(code):
    example = examples()[code]
    form = example(T0) if callable(example) else example
    loaded, problems = load_partial(CareerService.FORMS[code], form)
    assert problems == {}
    check = {"career.graduate-document-stamp": stamp_problems,
             "career.agreement-breach": breach_problems,
             "career.employment-subsidy": subsidy_problems}.get(code)
    if check is not None:
        assert check(loaded, [], TODAY) == {}
    if "graduation_year" in form:         # a demo student graduates in that year
        assert any(s.graduating(2026) and s.graduation_year == form["graduation_year"]
                   for s in STUDENTS)


def test_a_partly_loaded_form_still_has_its_rules_checked():
    loaded, problems = load_partial(CareerService.FORMS["career.agreement-breach"], {
        "graduation_year": 2026, "employer": " ", "agreement_no": "x", "signed_on": "2026-12-31",
        "reason": "考研"})
    assert set(problems) == {"form.employer", "form.agreement_no"}
    assert set(breach_problems(loaded, [], TODAY)) == {"form.graduation_year", "form.signed_on"}


def test_reissued_agreement_number():
    assert new_agreement_no(2027, "career-20261207-1a2b3c4d") == "JY2027-1A2B3C4D"



# ---- on the real platform ----------------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["career"], clock_file=str(clock))


def run(rpc, case_id, *actions, reason=""):
    case = None
    for action in actions:
        case = rpc.career.act(case_id, action, reason if action == actions[-1] else "")
    return case


def test_one_notice_names_the_form_the_rules_and_the_materials(plat):
    with plat.rpc(STUDENT2) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.agreement-breach", ["original_agreement"], {
                "graduation_year": 2026, "employer": " ", "agreement_no": "HN2027-00456",
                "signed_on": "2026-12-31", "reason": "考研", "extra": 1})
    assert err.value.status == 422
    assert set(err.value.fields) == {"form.graduation_year", "form.employer", "form.signed_on",
                                     "form.extra", "materials.employer_release",
                                     "materials.college_opinion"}


def test_policy_question_is_answered_in_the_case(plat):
    with plat.rpc(STUDENT) as rpc:
        case = rpc.career.submit_case("career.policy-consultation", [],
                                      {"topic": "entrepreneurship", "question": "创业有补贴吗？"})
    answer = "毕业两年内的高校毕业生首次创办小微企业可申请一次性创业补贴，详见本窗口办事指南。"
    with plat.rpc(B) as rpc:
        run(rpc, case["id"], "accept", "approve")
        with pytest.raises(DomainError) as err:
            rpc.career.act(case["id"], "complete")
        assert "reason" in err.value.fields
        done = rpc.career.act(case["id"], "complete", answer)
    assert done["result"]["answer"] == answer


def test_document_stamping_for_graduating_students(plat):
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.graduate-document-stamp", ["document", "student_card"],
                                   dict(REC, copies=2, graduation_year=2026))
        assert set(err.value.fields) == {"form.copies", "form.graduation_year"}
        cert = rpc.career.submit_case("career.graduate-document-stamp",
                                      ["document", "student_card"], CERT)
        rec = rpc.career.submit_case("career.graduate-document-stamp",
                                     ["document", "student_card"], REC)
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.graduate-document-stamp",
                                   ["document", "student_card"], REC)
        assert "form.document" in err.value.fields
    with plat.rpc(B) as rpc:
        assert run(rpc, cert["id"], "accept", "approve", "complete")["status"] == "completed"
        assert run(rpc, rec["id"], "accept", "approve", "complete")["status"] == "completed"


def test_lost_agreement_is_reissued_with_a_new_number(plat):
    form = {"graduation_year": 2027, "agreement_no": "HN2027-00123", "how_lost": "搬宿舍时遗失"}
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.agreement-reissue", ["student_card"], form)
        assert set(err.value.fields) == {"materials.loss_statement", "materials.college_opinion"}
        case = rpc.career.submit_case("career.agreement-reissue",
                                      ["loss_statement", "college_opinion", "student_card"], form)
    with plat.rpc(B) as rpc:
        rpc.career.act(case["id"], "accept")
        with pytest.raises(DomainError) as err:           # an A-post item
            rpc.career.act(case["id"], "approve")
        assert err.value.status == 403
    with plat.rpc(A) as rpc:
        done = run(rpc, case["id"], "approve", "complete")
    assert done["result"]["agreement_no"] == new_agreement_no(2027, case["id"])
    assert done["result"]["void_agreement_no"] == "HN2027-00123"


def test_breach_needs_the_release_letter_and_happens_once(plat):
    form = {"graduation_year": 2027, "employer": "株洲某科技有限公司", "agreement_no": "HN2027-00456",
            "signed_on": "2026-11-01", "reason": "考取研究生"}
    with plat.rpc(STUDENT2) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.agreement-breach", ["original_agreement"], form)
        assert err.value.code == "materials_missing"
        assert set(err.value.fields) == {"materials.employer_release",
                                         "materials.college_opinion"}
        assert "用人单位同意解约函" in err.value.fields["materials.employer_release"]
        case = rpc.career.submit_case("career.agreement-breach", [
            "employer_release", "original_agreement", "college_opinion"], form)
    with plat.rpc(A) as rpc:
        assert run(rpc, case["id"], "accept", "approve", "complete")["status"] == "completed"
    with plat.rpc(STUDENT2) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.agreement-breach", [
                "employer_release", "original_agreement", "college_opinion"], form)
    assert "一次" in err.value.fields["form.agreement_no"]


def test_employment_subsidy_eligibility(plat):
    materials = ["application_form", "eligibility_proof", "bank_card"]
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.employment-subsidy", materials,
                                   {"graduation_year": 2027, "hardship_record": "none"})
        assert set(err.value.fields) == {"form.hardship_record"}
        case = rpc.career.submit_case("career.employment-subsidy", materials,
                                      {"graduation_year": 2027, "hardship_record": "none",
                                       "disability_certificate_no": DISABILITY_NO})
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.employment-subsidy", materials,
                                   {"graduation_year": 2027, "hardship_record": "subsistence"})
        assert "form.graduation_year" in err.value.fields
    with plat.rpc(A) as rpc:
        assert run(rpc, case["id"], "accept", "approve", "complete")["status"] == "completed"


def test_startup_park_team_of_one_to_ten(plat):
    form = {"project_name": "校园二手书平台", "industry": "互联网", "team_size": 3,
            "members": ["2026000002", "2026000003"], "summary": "面向本校学生的二手教材交易平台。"}
    materials = ["business_plan", "team_list", "student_card"]
    with plat.rpc(STUDENT) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.startup-park", materials, dict(form, team_size=11))
        assert "1–10" in err.value.fields["form.team_size"]
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.startup-park", materials, dict(form, team_size=4))
        assert "form.members" in err.value.fields
        with pytest.raises(DomainError) as err:
            rpc.career.submit_case("career.startup-park", ["team_list"], form)
        assert set(err.value.fields) == {"materials.business_plan", "materials.student_card"}
        case = rpc.career.submit_case("career.startup-park", materials, form)
    with plat.rpc(A) as rpc:
        seen = run(rpc, case["id"], "accept", "approve")
        complete = next(a for a in seen["next_actions"] if a["action"] == "complete")
        assert complete["input_schema"]["required"] == ["space"]
        with pytest.raises(DomainError) as err:
            rpc.career.act(case["id"], "complete", "入驻")        # the space is named
        assert "space" in err.value.fields
        done = rpc.career.perform(case["id"], "complete", {"space": "创业园B区203工位",
                                                           "move_in_on": "2027-01-04"})
    assert done["status"] == "completed" and done["form"]["team_size"] == 3
    assert (done["result"]["space"], done["result"]["move_in_on"]) == ("创业园B区203工位",
                                                                       "2027-01-04")
