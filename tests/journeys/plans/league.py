"""League (window 8): consultations end with the written answer; a club activity with its
approval; a competition with the team registered (a member cannot join a second team); a
league card for a member; a freshman's membership transferred in (then she is a member: a
second transfer in is refused) and a graduate's transferred out (then he has no card here)."""
import uuid

from ..walk import Plan

FRESHMAN = "2026000005"          # 陈晨, 法学, league membership "incoming"
GRADUATE = "2026000004"          # 刘洋, enrolled 2023, an active member
WORK_ANSWER = "入团积极分子须经过不少于8学时的团课学习并考试合格，经团支部大会讨论通过后发展为团员。"
PRACTICE_ANSWER = "校外志愿服务以“志愿汇”平台记录为准，每学期末由学院团委认定并计入素质拓展学分。"


def answered(text):
    def check(journey, case):
        assert case["result"]["answer"] == text
    return check


def approved(journey, case):
    assert case["result"]["approved_for"] == case["form"]["activity_date"]


def registered(journey, case):
    assert case["result"]["registered_members"] == case["form"]["members"]
    assert case["result"]["registration_deadline"]
    # one team per student per competition: a member of this team cannot register again
    member = case["form"]["members"][1]
    again = journey.post(member, "/api/cases", {
        "item_code": "league.competition",
        "form": dict(case["form"], members=[member, "2026000006", "2026000007"],
                     team_name="第二队"),
        "materials": ["project_summary", "advisor_confirmation"]}, expect=(409,))
    assert again["error"] == "already_registered" and member in again["message"], again


def reissued(journey, case):
    assert case["result"]["reissued_at"]


def apply(journey, student, form, materials):
    return journey.post(student, "/api/cases", {
        "item_code": "league.membership-transfer", "form": form, "materials": materials},
        expect=(201, 409), headers={"Idempotency-Key": uuid.uuid4().hex})


def transferred(journey, case):
    assert case["result"]["membership_status"] == "active"
    # she is a member here now: no second transfer in
    again = apply(journey, FRESHMAN, case["form"], ["transfer_letter"])
    assert again.get("error") == "already_member", again
    # a graduate transfers out, walked to its end the same way
    out = apply(journey, GRADUATE, {"direction": "out", "organisation": "中国移动湖南分公司团委"},
                [])
    assert out["status"] == "submitted", out
    done = journey.walk_to_end(out, GRADUATE)
    assert done["status"] == "completed" and done["result"]["membership_status"] == \
        "transferred"
    # ... and then has no league membership here for a card
    card = journey.post(GRADUATE, "/api/cases", {
        "item_code": "league.member-card", "form": {"purpose": "register",
                                                    "branch": "通信工程23级团支部"},
        "materials": ["branch_certificate", "league_card"]}, expect=(409,))
    assert card["error"] == "no_membership", card


PLANS = {
    "league.league-work-consultation": Plan(inputs={"complete": {"answer": WORK_ANSWER}},
                                            check=answered(WORK_ANSWER)),
    "league.practice-volunteer-consultation": Plan(
        inputs={"complete": {"answer": PRACTICE_ANSWER}}, check=answered(PRACTICE_ANSWER)),
    "league.club-activity": Plan(materials=("safety_plan",), check=approved),
    "league.competition": Plan(materials=("advisor_confirmation",), check=registered),
    "league.member-card": Plan(materials=("photo",), check=reissued),
    "league.membership-transfer": Plan(student=FRESHMAN, materials=("transfer_letter",),
                                       check=transferred),
}
