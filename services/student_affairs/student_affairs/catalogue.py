"""Window 1 学生日常事务 (学生工作处 Student Affairs Office): the items this department serves."""
from osac_shared.catalogue import load_items

PLACE = "学生事务中心服务大厅 1号窗口（学生日常事务）"
CARD = {"code": "student_card", "name_zh": "学生证", "name_en": "Student ID card"}

ITEMS = load_items("student_affairs", "学生工作处", "Student Affairs Office", [
    {"code": "student_affairs.group-activity", "window": 1,
     "name_zh": "学生外出重大（非教学）集体活动申报与审批",
     "name_en": "Off-campus major (non-teaching) group activity: application and approval",
     "description_zh": "学生组织外出开展重大（非教学）集体活动须申报审批。请先在7号窗口（保卫处）"
                       "申报活动安全审批，再凭保卫处事项编号在本窗口申报；保卫处安全审批通过后，"
                       "本窗口方可审批通过。活动开始日须在提交之日5天以后；"
                       "跨夜活动须附意外伤害保险凭证。",
     "description_en": "Major off-campus (non-teaching) group activities need approval. First "
                       "apply for the activity's safety approval at window 7 (Security), then "
                       "apply here with the Security case id; this office approves only after "
                       "Security has. The activity must start at least 5 days after you "
                       "apply; an activity over more than one day needs accident insurance.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A", "place_zh": PLACE,
     "materials": [
         {"code": "activity_plan", "name_zh": "活动方案（时间、地点、内容、带队教师）",
          "name_en": "Activity plan (time, place, programme, leading teacher)"},
         {"code": "safety_plan", "name_zh": "安全预案", "name_en": "Safety and emergency plan"},
         {"code": "participant_list", "name_zh": "参加人员名单（含联系方式）",
          "name_en": "Participant list (with phone numbers)"},
         {"code": "insurance_proof", "name_zh": "意外伤害保险凭证（跨夜活动必交）",
          "name_en": "Accident insurance certificate (for an activity over more than one day)",
          "mandatory": False}]},
    {"code": "student_affairs.train-discount-card", "window": 1,
     "name_zh": "火车票优惠卡申购、充磁", "name_en": "Train-ticket discount card: purchase or recharge",
     "description_zh": "新生申购火车票学生优惠卡，或每学年为优惠卡充磁（每学年限充磁一次）。"
                       "优惠区间为学校所在地至家庭所在地车站。",
     "description_en": "Buy the student train-ticket discount card, or recharge it for the "
                       "academic year (once per academic year). The discount covers the trip "
                       "between the university's station and your home station.",
     "limit": {"value": 2, "unit": "working_days"}, "post": "B", "place_zh": PLACE,
     "materials": [CARD,
                   {"code": "discount_card", "name_zh": "火车票优惠卡（充磁时提交）",
                    "name_en": "Discount card (when recharging)", "mandatory": False}]},
    {"code": "student_affairs.student-id-card", "window": 1,
     "name_zh": "学生证办理、补办", "name_en": "Student ID card: issue or reissue",
     "description_zh": "新生办理学生证，或遗失、损坏后补办。补办收取工本费15元，办结后由财务处"
                       "记入个人账户。",
     "description_en": "Get your student ID card, or a new one after loss or damage. A reissue "
                       "costs 15 yuan, charged to your Finance account when done.",
     "limit": {"value": 5, "unit": "working_days"}, "post": "B", "place_zh": PLACE,
     "materials": [{"code": "photo", "name_zh": "一寸免冠证件照", "name_en": "1-inch ID photo"},
                   {"code": "damaged_card", "name_zh": "损坏的原学生证（损坏补办时）",
                    "name_en": "The damaged card (for a damaged-card reissue)",
                    "mandatory": False}]},
    {"code": "student_affairs.bed-adjustment", "window": 1,
     "name_zh": "学生宿舍床位调整", "name_en": "Dormitory bed adjustment",
     "description_zh": "申请调整到指定宿舍房间。所申请房间须有空床位；办结时系统自动为您调入"
                       "该房间的空床位并释放原床位。",
     "description_en": "Ask to move to a given dorm room. The room must have a free bed; when "
                       "the case is done you are moved to a free bed there and your old bed "
                       "is released.",
     "limit": {"value": 5, "unit": "working_days"}, "post": "A", "green_channel": True,
     "place_zh": PLACE,
     "materials": [{"code": "counsellor_opinion", "name_zh": "辅导员意见",
                    "name_en": "Counsellor's opinion"},
                   {"code": "medical_proof", "name_zh": "医疗证明（因病调整时）",
                    "name_en": "Medical certificate (for a move on health grounds)",
                    "mandatory": False}]},
    {"code": "student_affairs.conscription-consultation", "window": 1,
     "name_zh": "学生征兵政策咨询（包括预征兵、在校生入伍、直招士官等）",
     "name_en": "Conscription policy questions (pre-enlistment, enlisting while enrolled, "
                "direct NCO recruitment)",
     "description_zh": "关于预征兵、在校生入伍（保留学籍、学费补偿）、直招士官等征兵政策的咨询，"
                       "一个工作日内书面答复。",
     "description_en": "Questions about pre-enlistment, enlisting while enrolled (keeping your "
                       "place, tuition compensation) and direct NCO recruitment; answered in "
                       "writing within one working day.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "consultation",
     "place_zh": PLACE},
])
