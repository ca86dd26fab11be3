"""Academic Affairs (windows 5 and 6): certificates end with a PDF the student downloads (with
its verification code, valid on the public /verify page) and no other student; a correction with what the system says now; an
exchange with the nomination; a major transfer, applied in an open round, with the new major
and one application per round."""
import os
import uuid
from datetime import timedelta

import requests

from osac_shared.clock import file_clock

from academic.domain import current_round, next_round
from academic.majors import rounds_near

from ..walk import Plan

GRADE = "85"
ANSWER = "大学生创新创业训练计划项目结题验收通过的，可认定2个创新创业学分，由学院在学期末统一录入。"


def certificate_check(journey, case):
    code = case["result"]["certificate_code"]
    assert case["result"]["verify_path"] == f"/verify/{code}"
    path = f"/api/cases/{case['id']}/certificate"
    r = journey.as_user(case["student_id"]).get(journey.url + path, timeout=30)
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), (r.status_code, r.text[:200])
    assert r.headers["Content-Type"].startswith("application/pdf")
    assert code in r.headers["Content-Disposition"]
    other = "2026000002" if case["student_id"] != "2026000002" else "2026000001"
    assert journey.as_user(other).get(journey.url + path, timeout=30).status_code == 403
    assert journey.as_user("academic_a").get(journey.url + path, timeout=30).status_code == 200
    # anyone holding the paper checks it, without logging in
    seen = requests.get(journey.url + case["result"]["verify_path"], timeout=30,
                        headers={"Accept": "application/json"})
    assert seen.status_code == 200, seen.text
    assert (seen.json()["status"], seen.json()["code"]) == ("valid", code)


def answered(journey, case):
    assert case["result"]["answer"] == ANSWER


def corrected(journey, case):
    assert case["result"]["corrected"]["to"] == GRADE
    assert case["result"]["corrected"]["from"] == case["form"]["wrong_value"]


def nominated(journey, case):
    assert case["result"]["nominated"] == {
        "partner_university": case["form"]["partner_university"],
        "academic_year": case["form"]["academic_year"], "term": case["form"]["term"]}


# ---- the major transfer: applied while a round is open -----------------------------------------
def platform_now(journey):
    return file_clock(journey.platform.clock_file)()


def read_clock(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def into_a_round(journey):
    """When no round is open at the platform's time, move the platform to one hour after the
    next round opens (and back, once the journey is checked)."""
    now = platform_now(journey)
    journey.clock_before = False
    if current_round(rounds_near(now), now) is None:
        journey.clock_before = read_clock(journey.platform.clock_file)
        journey.set_time(next_round(rounds_near(now), now).opens + timedelta(hours=1))
    return {}


def restore_clock(journey):
    before = getattr(journey, "clock_before", False)
    if before is False:
        return
    if before is None:
        os.remove(journey.platform.clock_file)         # the platform reads the real time again
    else:
        with open(journey.platform.clock_file, "w") as f:
            f.write(before)


def transferred(journey, case):
    try:
        result = case["result"]
        assert result["new_major"] == case["form"]["target_major"] == "computer_science"
        assert result["new_major_zh"] == "计算机科学与技术"
        assert result["effective_term"].startswith(result["transfer_round"][:4])
        # the round's one application per student: the completed one keeps its place
        r = journey.as_user(case["student_id"]).post(journey.url + "/api/cases", json={
            "item_code": "academic.major-transfer", "form": dict(case["form"],
                                                                 target_major="english"),
            "materials": ["application_form", "transcript"]}, timeout=30,
            headers={"Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 409 and r.json()["error"] == "transfer_already_applied", r.text
    finally:
        restore_clock(journey)                     # back to where the platform was


PLANS = {
    "academic.enrollment-certificate": Plan(check=certificate_check),
    "academic.status-certificate": Plan(student="2026000004", check=certificate_check),
    "academic.transcript": Plan(student="2026000009", check=certificate_check),
    "academic.policy-consultation": Plan(inputs={"complete": {"answer": ANSWER}},
                                         check=answered),
    "academic.record-correction": Plan(student="2026000006",
                                       inputs={"complete": {"corrected_value": GRADE}},
                                       check=corrected),
    "academic.exchange": Plan(materials=("language_certificate",), check=nominated),
    # 2026000003 王芳, a second-year student of 会计学 (accounting)
    "academic.major-transfer": Plan(student="2026000003", prepare=into_a_round,
                                    check=transferred),
}
