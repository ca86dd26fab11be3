"""Windows 5 教学服务 and 6 学籍事务 (教务处 Academic Affairs): the items this department serves.

The plan gives 教务处 two windows and one list of items; they are split here by their nature:
window 6 (学籍事务, student status) takes the certificates, record corrections and major transfer
(a change of 学籍); window 5 (教学服务, teaching) takes study-policy questions and exchange
programmes.
"""
from osac_shared.catalogue import load_items

TEACHING, STATUS = 5, 6

_CERT_HOURS = "网上全天申请；办结后可在线下载或在自助服务区自助打印"


def _certificate(code, name_zh, name_en, what_zh, what_en, days):
    return {
        "code": code, "window": STATUS, "name_zh": name_zh, "name_en": name_en,
        "description_zh": f"开具加盖教务处公章的{what_zh}。办结后生成带验证码和二维码的电子证明，"
                          "可自助打印，接收单位可凭验证码在线核验真伪。",
        "description_en": f"An official {what_en} with the Academic Affairs stamp. When done "
                          "you get a PDF with a verification code and QR code; print it "
                          "yourself, and the receiver can check it online.",
        "limit": {"value": days, "unit": "working_days"}, "post": "B",
        "materials": [{"code": "student_card", "name_zh": "学生证（出示）",
                       "name_en": "Student ID card (shown)", "mandatory": False}],
        "hours_zh": _CERT_HOURS}


ITEMS = load_items("academic", "教务处", "Academic Affairs Office", [
    _certificate("academic.enrollment-certificate", "学生在读证明盖章",
                 "Enrollment certificate (stamped)", "在读证明", "enrollment certificate", 1),
    _certificate("academic.status-certificate", "学籍证明盖章",
                 "Student status certificate (stamped)", "学籍证明",
                 "student status certificate", 1),
    _certificate("academic.transcript", "成绩单盖章", "Transcript (stamped)", "成绩单",
                 "transcript", 2),
    {"code": "academic.policy-consultation", "window": TEACHING,
     "name_zh": "人才培养方案、选课、学分等学业政策咨询",
     "name_en": "Study policy questions (training plans, course selection, credits)",
     "description_zh": "关于人才培养方案、选课、学分认定、重修补考等学业政策的咨询，一个工作日内答复。",
     "description_en": "Questions about training plans, course selection, credit recognition "
                       "and re-takes; answered within one working day.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "consultation"},
    {"code": "academic.record-correction", "window": STATUS,
     "name_zh": "教务系统信息错误修改受理", "name_en": "Correction of academic-system data",
     "description_zh": "教务系统中个人信息、课程或成绩记录有误的，提交错误内容和证明材料，"
                       "核实后予以更正。",
     "description_en": "Wrong personal data, course or grade records in the academic system: "
                       "say what is wrong, attach the evidence, and it is corrected once checked.",
     "limit": {"value": 5, "unit": "working_days"}, "post": "A",
     "materials": [{"code": "evidence", "name_zh": "证明材料（身份证、成绩登记表等）",
                    "name_en": "Evidence (ID card, grade sheet, ...)"}]},
    {"code": "academic.exchange", "window": TEACHING,
     "name_zh": "交流生项目咨询与申请受理", "name_en": "Exchange programmes: questions and applications",
     "description_zh": "校际交流、境外交换、暑期项目、联合培养等交流生项目的申请受理，经学院推荐、"
                       "教务处审核后推荐至交流院校。各项目有最低绩点要求，境外项目须有外语水平成绩。",
     "description_en": "Applications for exchange programmes (domestic, abroad, summer schools, "
                       "joint programmes); recommended by the school, reviewed by Academic "
                       "Affairs and nominated to the partner. Each programme has a minimum GPA; "
                       "a programme abroad needs a language test.",
     "limit": {"value": 10, "unit": "working_days"}, "post": "A",
     "materials": [
         {"code": "application_form", "name_zh": "交流生申请表", "name_en": "Application form"},
         {"code": "transcript", "name_zh": "成绩单", "name_en": "Transcript"},
         {"code": "language_certificate", "name_zh": "外语水平证明（填写了外语水平考试的须交）",
          "name_en": "Language certificate (when you name a language test)",
          "mandatory": False}]},
    {"code": "academic.major-transfer", "window": STATUS,
     "name_zh": "转专业政策咨询与申请受理", "name_en": "Major transfer: questions and applications",
     "description_zh": "转专业申请仅在每学年的两轮申请时间内受理（秋季学期11月16日至12月18日，"
                       "春季学期5月11日至6月12日），各专业每轮接收名额有限，额满即止；每轮限申请一次。",
     "description_en": "Major transfer applications are taken only in the two rounds of each "
                       "academic year (16 November to 18 December, 11 May to 12 June); each "
                       "target major has a quota per round and closes when it is full; one "
                       "application per round.",
     "limit": {"value": 15, "unit": "working_days"}, "post": "A",
     "materials": [
         {"code": "application_form", "name_zh": "转专业申请表", "name_en": "Application form"},
         {"code": "transcript", "name_zh": "成绩单", "name_en": "Transcript"}]},
])

CERTIFICATE_ITEMS = {
    "academic.enrollment-certificate": "enrollment",
    "academic.status-certificate": "status",
    "academic.transcript": "transcript",
}
