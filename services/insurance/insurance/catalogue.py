"""Window 3 学生保险 (离退休工作处、校医院 Retirees' Office & University Hospital): the items this
department serves.

The plan's 保险理赔服务 is served as one item per claim type (outpatient, inpatient, accident),
because each type needs its own mandatory documents and an item's materials are fixed; a
student picks the type and is told every missing document at once."""
from osac_shared.catalogue import load_items

PLACE = "学生事务中心服务大厅 3号窗口（学生保险）"
HOURS = "B岗受理 08:30–17:30；A岗集中办理 15:30–17:30（工作日）；急诊住院理赔可走绿色通道"


def _m(code, zh, en, mandatory=True):
    return {"code": code, "name_zh": zh, "name_en": en, "mandatory": mandatory}


COMMON = [
    _m("id_card", "身份证复印件", "Copy of ID card"),
    _m("student_card", "学生证复印件", "Copy of student ID card"),
    _m("bank_card", "本人银行卡复印件（用于收款）", "Copy of your bank card (for the payout)"),
    _m("invoices", "医疗费发票原件", "Original medical invoices"),
    _m("diagnosis", "诊断证明", "Doctor's diagnosis"),
]


def _claim(code, kind_zh, kind_en, extra, what_zh, what_en):
    return {
        "code": code, "window": 3,
        "name_zh": f"保险理赔服务（{kind_zh}）", "name_en": f"Insurance claim ({kind_en})",
        "description_zh": f"{what_zh}材料审核齐全后由校医院统一提交保险公司，保险公司核定赔付后"
                          "款项打入本人银行卡，赔付结果和金额在本事项中显示。出险之日起两年内可申请。",
        "description_en": f"{what_en} Once the documents are checked, the hospital submits the "
                          "claim to the insurer; the payout goes to your bank card and its "
                          "amount is shown in this case. Claim within two years of the incident.",
        "limit": {"value": 15, "unit": "working_days"}, "post": "A", "green_channel": True,
        "place_zh": PLACE, "hours_zh": HOURS, "materials": COMMON + extra}


ITEMS = load_items("insurance", "离退休工作处、校医院", "Retirees' Office & University Hospital", [
    {"code": "insurance.claim-consultation", "window": 3,
     "name_zh": "医疗保险和意外伤害保险理赔政策咨询",
     "name_en": "Medical and accident insurance claims: policy questions",
     "description_zh": "关于城乡居民医疗保险、学生意外伤害保险的报销范围、比例、材料和流程的咨询，"
                       "一个工作日内书面答复。",
     "description_en": "Questions about what student medical and accident insurance covers, "
                       "at what rate, which documents and how to claim; answered in writing "
                       "within one working day.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "consultation",
     "place_zh": PLACE, "hours_zh": HOURS},
    _claim("insurance.claim-outpatient", "门诊医疗", "outpatient care", [
        _m("expense_list", "门诊费用明细清单", "Itemised outpatient bill", mandatory=False)],
        "门诊医疗费用理赔。", "Claim for outpatient medical costs."),
    _claim("insurance.claim-inpatient", "住院医疗", "hospital stay", [
        _m("discharge_summary", "出院小结（出院记录）", "Discharge summary"),
        _m("expense_list", "住院费用总清单", "Itemised hospital bill"),
        _m("referral", "转院证明（异地或转院就医时）", "Referral (if treated elsewhere)",
           mandatory=False)],
        "住院医疗费用理赔。", "Claim for the costs of a hospital stay."),
    _claim("insurance.claim-accident", "意外伤害", "accident", [
        _m("accident_statement", "意外事故经过说明（学院盖章）",
           "Statement of how the accident happened (stamped by your school)"),
        _m("discharge_summary", "出院小结（住院治疗时）", "Discharge summary (if hospitalised)",
           mandatory=False),
        _m("police_report", "交通事故责任认定书（交通事故时）",
           "Traffic accident report (for a traffic accident)", mandatory=False),
        _m("disability_assessment", "伤残鉴定书（申请伤残赔付时）",
           "Disability assessment (for a disability payout)", mandatory=False)],
        "意外伤害导致的医疗费用及伤残理赔。",
        "Claim for medical costs or disability caused by an accident."),
])

CLAIM_ITEMS = ("insurance.claim-outpatient", "insurance.claim-inpatient",
               "insurance.claim-accident")
