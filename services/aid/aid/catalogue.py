"""Window 2 学生资助 (学生工作处 Student Affairs Office): the items this window serves.

The plan lists "奖、助、贷、勤、免、补等资助政策咨询" and "奖、助、贷等资助业务受理与审核"; the
acceptance and review item is offered once per programme so that each shows its own materials.
Whether a student is in financial hardship is not a material the student brings: it is aid's
own record of this year's recognition (家庭经济困难认定, ``aid.recognitions``).
"""
from osac_shared.catalogue import load_items

FORM = {"code": "application_form", "name_zh": "资助申请审批表（本人签字）",
        "name_en": "Signed aid application form"}
TRANSCRIPT = {"code": "transcript", "name_zh": "学年成绩单及排名证明（学院盖章）",
              "name_en": "Year transcript with rank, stamped by the school"}
ID_CARD = {"code": "id_card", "name_zh": "本人居民身份证复印件（正反面）",
           "name_en": "Copy of your resident identity card (both sides)"}
STUDENT_CARD = {"code": "student_card", "name_zh": "学生证复印件（新生可交录取通知书复印件）",
                "name_en": "Copy of your student card (freshmen: the admission letter)"}
REVIEW = ("B岗受理并核对材料，A岗教师审核，学校资助评审委员会评审，评审通过后公示5个工作日，"
          "公示无异议后发放。")
REVIEW_EN = ("The B post accepts and checks materials, the A post reviews, the university aid "
             "review committee decides; approved awards are publicly noticed for 5 working days "
             "and paid out afterwards.")
RECOGNISED = "家庭经济困难以本学年学校家庭经济困难认定为准（无需另交认定表）。"
RECOGNISED_EN = ("Hardship means this year's recognition on the university's record (no form "
                 "to bring).")
LOAN_LIMITS = ("本专科生每人每年最高16000元、研究生最高20000元，每年不低于1000元；在校期间利息由"
               "财政全额贴息。同一学年生源地贷款与校园地贷款只能办理其一。")
LOAN_LIMITS_EN = ("Up to 16,000 yuan a year for undergraduates and 20,000 for postgraduates, at "
                  "least 1,000; interest-free while you study. Only one of the county loan and "
                  "the campus loan in an academic year.")


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
                 "每人每年8000元；学年成绩排名须在前10%（以成绩单为准）。", "8,000 yuan a year; "
                 "your grade rank must be in the top 10% (as your transcript states).",
                 [FORM, TRANSCRIPT, {
                     "code": "award_certificates", "name_zh": "获奖证书等佐证材料",
                     "name_en": "Award certificates and other evidence", "mandatory": False}]),
    _application("national-encouragement", "国家励志奖学金申请",
                 "National Encouragement Scholarship application",
                 "每人每年5000元；须为本学年认定的家庭经济困难学生且学年成绩排名在前30%；"
                 f"同一学年不能与国家奖学金同时获得。{RECOGNISED}",
                 "5,000 yuan a year; for students recognised as in financial hardship this year "
                 "whose grade rank is in the top 30%; not in the same year as the National "
                 f"Scholarship. {RECOGNISED_EN}", [FORM, TRANSCRIPT]),
    _application("national-grant", "国家助学金申请", "National Grant application",
                 "须为本学年认定的家庭经济困难学生，按认定等级分档：特别困难一档4400元、困难二档"
                 f"3300元、一般困难三档2200元。{RECOGNISED}",
                 "For students recognised as in financial hardship this year; the tier follows "
                 "the level: 4,400 (special) / 3,300 (hard) / 2,200 (general) yuan a year. "
                 f"{RECOGNISED_EN}", [FORM]),
    _application("tuition-waiver", "学费减免申请", "Tuition waiver application",
                 f"仅限本学年认定为特别困难的学生，减免额不超过当年学费。{RECOGNISED}",
                 "Only for students recognised as in special hardship this year; at most the "
                 f"year's tuition. {RECOGNISED_EN}", [FORM, {
                     "code": "hardship_evidence", "name_zh": "家庭困难证明材料（低保证、残疾证等）",
                     "name_en": "Evidence of hardship (subsistence allowance, disability "
                                "certificate, ...)"}]),
    _application("hardship-subsidy", "临时困难补助申请", "Temporary hardship subsidy application",
                 "因突发事件造成临时困难的家庭经济困难学生，每次不超过3000元；急事可走绿色通道。"
                 f"{RECOGNISED}",
                 "For students in hardship hit by a sudden event; at most 3,000 yuan each time; "
                 f"urgent cases may use the green channel. {RECOGNISED_EN}", [FORM, {
                     "code": "incident_evidence", "name_zh": "突发事件证明（医院诊断、事故证明等）",
                     "name_en": "Evidence of the event (diagnosis, accident report, ...)"}],
                 days=10, green=True),
    {"code": "aid.loan-receipt", "window": 2,
     "name_zh": "生源地信用助学贷款受理证明（回执）提交",
     "name_en": "County student loan: hand in the loan receipt",
     "description_zh": "在户籍所在县（市、区）学生资助管理中心办妥生源地信用助学贷款后，把受理证明"
                       "（回执）交到本窗口：B岗受理并核对回执与合同，A岗确认回执信息，录入回执"
                       "校验码后办结，贷款由银行划入学校账户，先抵扣学费、住宿费（记入您的财务"
                       f"账户）。{LOAN_LIMITS}",
     "description_en": "After your county's student aid centre has granted your county student "
                       "credit loan, hand its receipt in here: the B post accepts it and checks "
                       "the receipt against the contract, the A post confirms it and records the "
                       "receipt code; the bank then pays the loan to the university, which "
                       f"books it against your fees (your finance account). {LOAN_LIMITS_EN}",
     "limit": {"value": 5, "unit": "working_days"}, "post": "A", "kind": "application",
     "materials": [
         {"code": "loan_receipt", "name_zh": "生源地信用助学贷款受理证明（回执，县资助中心盖章）",
          "name_en": "The loan's receipt (受理证明), stamped by the county aid centre"},
         {"code": "loan_contract", "name_zh": "生源地信用助学贷款合同（借款人联）复印件",
          "name_en": "Copy of the loan contract (borrower's copy)"},
         ID_CARD, STUDENT_CARD]},
    {"code": "aid.campus-loan", "window": 2, "name_zh": "校园地国家助学贷款申请",
     "name_en": "Campus national student loan application",
     "description_zh": "面向本学年认定为家庭经济困难的学生，信用贷款、无需担保：B岗受理并核对材料，"
                       "A岗审核后报送经办银行，银行审批并签订借款合同后，A岗录入合同编号办结，"
                       f"贷款划入学校账户抵扣学费、住宿费（记入您的财务账户）。{LOAN_LIMITS}"
                       f"{RECOGNISED}",
     "description_en": "For students recognised as in financial hardship this year; a credit "
                       "loan, no guarantor: the B post accepts and checks the materials, the A "
                       "post reviews and sends it to the bank; once the bank has signed the loan "
                       "contract with you the A post records its number, and the loan is booked "
                       f"against your fees (your finance account). {LOAN_LIMITS_EN} "
                       f"{RECOGNISED_EN}",
     "limit": {"value": 20, "unit": "working_days"}, "post": "A", "kind": "application",
     "materials": [
         {"code": "loan_application", "name_zh": "国家助学贷款申请审批表（本人签字）",
          "name_en": "Signed national student loan application form"},
         ID_CARD, STUDENT_CARD]},
    {"code": "aid.work-study", "window": 2, "name_zh": "勤工助学岗位申请",
     "name_en": "Work-study post application",
     "description_zh": "校内勤工助学岗位（含学生事务中心B岗学生助理），按小时计酬，每周不超过8小时；"
                       "本学年认定的家庭经济困难学生优先。B岗受理，A岗审核并安排岗位。",
     "description_en": "On-campus work-study posts (including the hall's B-post assistants), "
                       "paid by the hour, at most 8 hours a week; students recognised as in "
                       "hardship this year come first. The B post accepts, the A post reviews "
                       "and places you on a post.",
     "limit": {"value": 10, "unit": "working_days"}, "post": "A", "kind": "application",
     "materials": [FORM]},
])
