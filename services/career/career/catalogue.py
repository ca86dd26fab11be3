"""Window 4 招生就业 (招生就业处 Admissions & Employment Office): the items this department
serves. The plan's "就业协议书遗失补办、毁约申请" is two items: they need different documents."""
from osac_shared.catalogue import load_items

PLACE = "学生事务中心服务大厅 4号窗口（招生就业）"
CARD = {"code": "student_card", "name_zh": "学生证", "name_en": "Student ID card"}
COLLEGE = {"code": "college_opinion", "name_zh": "所在学院意见（签字盖章）",
           "name_en": "Your school's opinion (signed and stamped)"}

ITEMS = load_items("career", "招生就业处", "Admissions & Employment Office", [
    {"code": "career.policy-consultation", "window": 4,
     "name_zh": "招生、就业、创业（政策与制度）咨询",
     "name_en": "Admissions, employment and entrepreneurship policy questions",
     "description_zh": "关于招生、就业（派遣、报到证、档案）、创业扶持等政策与制度的咨询，"
                       "一个工作日内书面答复。",
     "description_en": "Questions about admissions, employment (dispatch, registration, files) "
                       "and support for starting a business; answered in writing within one "
                       "working day.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "consultation",
     "place_zh": PLACE},
    {"code": "career.graduate-document-stamp", "window": 4,
     "name_zh": "毕业生相关材料（应届毕业生证明、就业推荐表）的盖章",
     "name_en": "Stamping graduate documents (graduation-year certificate, employment "
                "recommendation form)",
     "description_zh": "应届毕业生证明、就业推荐表加盖招生就业处公章。仅限应届毕业生；"
                       "就业推荐表原件只盖章一份。",
     "description_en": "The Admissions & Employment stamp on a graduation-year certificate or "
                       "an employment recommendation form. Graduating students only; the "
                       "recommendation form is stamped once, one copy.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "place_zh": PLACE,
     "materials": [{"code": "document", "name_zh": "填写完整的待盖章材料",
                    "name_en": "The completed document to stamp"}, CARD]},
    {"code": "career.agreement-reissue", "window": 4,
     "name_zh": "就业协议书遗失补办", "name_en": "Reissue of a lost employment agreement",
     "description_zh": "应届毕业生就业协议书遗失的，凭遗失声明和学院意见补办，补办后原协议书作废。",
     "description_en": "A graduating student who lost the employment agreement gets a new one "
                       "with a statement of loss and the school's opinion; the old one becomes "
                       "void.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A", "place_zh": PLACE,
     "materials": [{"code": "loss_statement", "name_zh": "遗失声明（本人签名）",
                    "name_en": "Statement of loss (signed)"}, COLLEGE, CARD]},
    {"code": "career.agreement-breach", "window": 4,
     "name_zh": "毁约申请", "name_en": "Employment agreement breach (termination) application",
     "description_zh": "已签就业协议需解约的，须提交用人单位同意解约函和原协议书；每名毕业生"
                       "限办理一次。",
     "description_en": "To end a signed employment agreement, bring the employer's release "
                       "letter and the original agreement; once per graduate.",
     "limit": {"value": 5, "unit": "working_days"}, "post": "A", "place_zh": PLACE,
     "materials": [{"code": "employer_release", "name_zh": "用人单位同意解约函",
                    "name_en": "Employer's release letter"},
                   {"code": "original_agreement", "name_zh": "原就业协议书",
                    "name_en": "The original agreement"}, COLLEGE,
                   {"code": "new_offer", "name_zh": "新单位接收函", "name_en": "New employer's "
                    "offer letter", "mandatory": False}]},
    {"code": "career.employment-subsidy", "window": 4,
     "name_zh": "就业补贴申请受理", "name_en": "Employment subsidy application",
     "description_zh": "应届毕业生中城乡低保家庭、脱贫家庭（建档立卡）、特困人员、获得国家助学贷款"
                       "的学生，或持有残疾人证的学生，可申请求职创业补贴；审核后报人社部门发放。",
     "description_en": "Graduating students from families on subsistence allowance or "
                       "registered as poor, in extreme hardship, holding a national student "
                       "loan, or holding a disability certificate can apply for the job-seeking "
                       "subsidy; it is checked here and paid by the labour bureau.",
     "limit": {"value": 10, "unit": "working_days"}, "post": "A", "place_zh": PLACE,
     "materials": [{"code": "application_form", "name_zh": "求职创业补贴申请表",
                    "name_en": "Subsidy application form"},
                   {"code": "eligibility_proof", "name_zh": "困难或残疾证明材料（低保证、残疾人证等）",
                    "name_en": "Proof of hardship or disability"},
                   {"code": "bank_card", "name_zh": "本人银行卡复印件",
                    "name_en": "Copy of your bank card"}]},
    {"code": "career.startup-park", "window": 4,
     "name_zh": "大学生创业园入驻的申请受理", "name_en": "Student startup park: application to move in",
     "description_zh": "学生创业团队（1–10人）申请入驻大学生创业园，"
                       "提交商业计划书，经评审后安排场地。",
     "description_en": "Startup teams (1 to 10 people) of students apply to move into the "
                       "student startup park with a business plan; a panel reviews it and "
                       "assigns space.",
     "limit": {"value": 10, "unit": "working_days"}, "post": "A", "place_zh": PLACE,
     "materials": [{"code": "business_plan", "name_zh": "商业计划书", "name_en": "Business plan"},
                   {"code": "team_list", "name_zh": "团队成员名单", "name_en": "Team member list"},
                   CARD,
                   {"code": "business_licence", "name_zh": "营业执照（已注册公司的）",
                    "name_en": "Business licence (if registered)", "mandatory": False}]},
])
