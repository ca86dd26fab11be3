"""Career (window 4): the graduating students' items are applied by demo students of the
graduating class (enrolled four years before the class year; ``Student.graduating``), each
ending with its effect: a reissued agreement's new number, a once-only rule that now refuses a
second application, a startup team's space."""
from osac_shared.clock import system_now
from osac_shared.demo import STUDENTS

from ..walk import Plan


def academic_year(now):
    return now.year if now.month >= 9 else now.year - 1


# the demo students of the class graduating this academic year (2026-2027: enrolled 2023,
# 刘洋, 黄磊, 孙浩, 高雪, 马琳)
GRADUATES = [s.id for s in STUDENTS if s.graduating(academic_year(system_now()))]

ANSWER = ("签订三方协议后考取研究生的，须先办理解约（毁约申请），档案与报到证按研究生录取单位的"
          "调档函办理。")
SPACE = "创业园B区203工位"


def told_once_only(field):
    """The same application again is refused, naming ``field``: the rule holds one per
    graduate (or one recommendation form) and the completed case counts."""
    def check(journey, case):
        again = journey.post(case["student_id"], "/api/cases", {
            "item_code": case["item_code"], "form": case["form"],
            "materials": case["materials"]}, expect=(422,))
        assert f"form.{field}" in again["fields"], again
    return check


def reissued(journey, case):
    year = case["form"]["graduation_year"]
    assert case["result"]["agreement_no"].startswith(f"JY{year}-")
    assert case["result"]["void_agreement_no"] == case["form"]["agreement_no"]


def answered(journey, case):
    assert case["result"]["answer"] == ANSWER


def placed(journey, case):
    assert case["result"]["space"] == SPACE


PLANS = {
    "career.policy-consultation": Plan(inputs={"complete": {"answer": ANSWER}},
                                       check=answered),
    "career.graduate-document-stamp": Plan(student=GRADUATES[3],
                                           check=told_once_only("document")),
    "career.agreement-reissue": Plan(student=GRADUATES[0], check=reissued),
    "career.agreement-breach": Plan(student=GRADUATES[2],
                                    check=told_once_only("agreement_no")),
    # 黄磊 in 2026-2027: a graduate in hardship (the subsidy's proof is among the materials)
    "career.employment-subsidy": Plan(student=GRADUATES[1],
                                      check=told_once_only("graduation_year")),
    "career.startup-park": Plan(inputs={"complete": {"space": SPACE}}, check=placed),
}
