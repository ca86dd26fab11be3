"""Window 2 学生资助 (学生工作处 Student Affairs Office): the items this window serves.

The plan lists "奖、助、贷、勤、免、补等资助政策咨询" and "奖、助、贷等资助业务受理与审核"; the
acceptance and review item is offered once per programme so that each shows its own materials.
"""
from osac_shared.catalogue import load_items

FORM = {"code": "application_form", "name_zh": "资助申请审批表（本人签字）",
        "name_en": "Signed aid application form"}
TRANSCRIPT = {"code": "transcript", "name_zh": "学年成绩单及排名证明（学院盖章）",
              "name_en": "Year transcript with rank, stamped by the school"}
HARDSHIP = {"code": "hardship_recognition", "name_zh": "家庭经济困难学生认定表",
            "name_en": "Family financial hardship recognition form"}
REVIEW = ("B岗受理并核对材料，A岗教师审核，学校资助工作委员会评审，评审通过后公示5个工作日，"
          "公示无异议后发放。")
REVIEW_EN = ("The B post accepts and checks materials, the A post reviews, the university aid "
             "committee decides; approved awards are publicly noticed for 5 working days and "
             "paid out afterwards.")


def _application(code, name_zh, name_en, rule_zh, rule_en, materials, days=20, green=False):
    return {"code": f"aid.{code}", "window": 2, "name_zh": name_zh, "name_en": name_en,
            "description_zh": f"{rule_zh}{REVIEW}", "description_en": f"{rule_en} {REVIEW_EN}",
            "limit": {"value": days, "unit": "working_days"}, "post": "A",
            "green_channel": green, "kind": "application", "materials": materials}


ITEMS = load_items("aid", "学生工作处", "Student Affairs Office", [
    {"code": "aid.policy-consultation", "window": 2,
     "name_zh": "奖、助、贷、勤、免、补等资助政策咨询",
     "name_en": "Aid policy consultation (scholarships, grants, loans, work-study, waivers, "
                "subsidies)",
     "description_zh": "选择咨询类别并写下问题，提交后立即看到该类资助的政策要点，"
                       "窗口在一个工作日内书面答复。",
     "description_en": "Pick a topic and ask; you see the policy summary at once and get a "
                       "written answer within 1 working day.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "consultation",
     "materials": []},
    _application("national-scholarship", "国家奖学金申请", "National Scholarship application",
                 "每人每年8000元；学年成绩排名须在前10%。", "8,000 yuan a year; your grade rank "
                 "must be in the top 10%.", [FORM, TRANSCRIPT, {
                     "code": "award_certificates", "name_zh": "获奖证书等佐证材料",
                     "name_en": "Award certificates and other evidence", "mandatory": False}]),
    _application("national-encouragement", "国家励志奖学金申请",
                 "National Encouragement Scholarship application",
                 "每人每年5000元；须为家庭经济困难学生且学年成绩排名在前30%；"
                 "同一学年不能与国家奖学金同时获得。",
                 "5,000 yuan a year; for students recognised as in financial hardship whose "
                 "grade rank is in the top 30%; not in the same year as the National "
                 "Scholarship.", [FORM, TRANSCRIPT, HARDSHIP]),
    _application("national-grant", "国家助学金申请", "National Grant application",
                 "须为家庭经济困难学生，按认定等级分档：一档4400元、二档3300元、三档2200元。",
                 "For students recognised as in financial hardship; tier by level: 4,400 / "
                 "3,300 / 2,200 yuan a year.", [FORM, HARDSHIP]),
    _application("tuition-waiver", "学费减免申请", "Tuition waiver application",
                 "仅限认定为特别困难的学生，减免额不超过当年学费。",
                 "Only for students recognised as in special hardship; at most the year's "
                 "tuition.", [FORM, HARDSHIP, {
                     "code": "hardship_evidence", "name_zh": "家庭困难证明材料（低保证、残疾证等）",
                     "name_en": "Evidence of hardship (subsistence allowance, disability "
                                "certificate, ...)"}]),
    _application("hardship-subsidy", "临时困难补助申请", "Temporary hardship subsidy application",
                 "因突发事件造成临时困难的家庭经济困难学生，每次不超过3000元；急事可走绿色通道。",
                 "For students in hardship hit by a sudden event; at most 3,000 yuan each time; "
                 "urgent cases may use the green channel.", [FORM, {
                     "code": "incident_evidence", "name_zh": "突发事件证明（医院诊断、事故证明等）",
                     "name_en": "Evidence of the event (diagnosis, accident report, ...)"},
                     dict(HARDSHIP, mandatory=False)], days=10, green=True),
    {"code": "aid.work-study", "window": 2, "name_zh": "勤工助学岗位申请",
     "name_en": "Work-study post application",
     "description_zh": "校内勤工助学岗位（含学生事务中心B岗学生助理），家庭经济困难学生优先。"
                       "B岗受理，A岗审核并安排岗位。",
     "description_en": "On-campus work-study posts (including the hall's B-post assistants); "
                       "students in hardship come first. The B post accepts, the A post reviews "
                       "and assigns a post.",
     "limit": {"value": 10, "unit": "working_days"}, "post": "A", "kind": "application",
     "materials": [FORM, dict(HARDSHIP, mandatory=False)]},
])
