"""Window 7 户籍与安保 (保卫处 Campus Security): the items this department serves."""
from osac_shared.catalogue import load_items

ITEMS = load_items("security", "保卫处", "Campus Security Office", [
    {"code": "security.household-consultation", "window": 7,
     "name_zh": "师生户籍管理政策咨询", "name_en": "Household registration (户籍) policy questions",
     "description_zh": "户口迁入迁出、集体户口借用、户籍证明等政策咨询，一个工作日内答复。",
     "description_en": "Questions about moving a household registration in or out, borrowing "
                       "the collective registration, registration certificates; answered within "
                       "one working day.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "consultation"},
    {"code": "security.activity-safety", "window": 7,
     "name_zh": "校内活动安全审批、备案管理和安全指导服务",
     "name_en": "Campus activity safety approval, filing and guidance",
     "description_zh": "校内举办活动须在开始前至少3天申请安全审批；200人及以上的活动须附安全预案。"
                       "审批通过时保卫处给出安全指导意见，办结即备案。"
                       "其他部门的活动审批（如学生外出集体活动）以本审批办结为前提。",
     "description_en": "Apply for safety approval at least 3 days before a campus activity; "
                       "activities of 200 people or more need a safety plan. Security approves "
                       "with safety guidance and files the activity when the case is done. "
                       "Other offices' activity approvals (such as an off-campus group "
                       "activity) wait for this one.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A",
     "materials": [
         {"code": "activity_plan", "name_zh": "活动方案", "name_en": "Activity plan"},
         {"code": "safety_plan", "name_zh": "安全预案（200人及以上必交）",
          "name_en": "Safety plan (required for 200+ people)", "mandatory": False}]},
    {"code": "security.vehicle-pass", "window": 7,
     "name_zh": "校内机动车通行证申请", "name_en": "Campus vehicle pass",
     "description_zh": "申请校内机动车通行证，有效期最长一年；同一车牌同一时段只能有一张有效通行证。",
     "description_en": "Apply for a campus vehicle pass, valid for at most one year; a plate "
                       "can hold only one valid pass at a time.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A",
     "materials": [
         {"code": "vehicle_licence", "name_zh": "机动车行驶证", "name_en": "Vehicle registration"},
         {"code": "driving_licence", "name_zh": "机动车驾驶证", "name_en": "Driving licence"},
         {"code": "owner_proof", "name_zh": "与车主关系证明（车主非本人时必交）",
          "name_en": "Proof of relation to the owner (if not your own car)",
          "mandatory": False}]},
    {"code": "security.hazard-report", "window": 7,
     "name_zh": "校内安全隐患举报（消防、治安、交通等）",
     "name_en": "Safety hazard report (fire, public order, traffic, ...)",
     "description_zh": "举报校内消防、治安、交通等安全隐患；紧急情况走绿色通道立即处置，"
                       "24小时内反馈处理结果。遇险情请同时拨打110/119。",
     "description_en": "Report a fire, public-order or traffic hazard on campus; urgent ones "
                       "are handled at once (green channel), with feedback within 24 hours. In "
                       "an emergency also call 110/119.",
     "limit": {"value": 24, "unit": "calendar_hours"}, "post": "B", "green_channel": True,
     "kind": "report",
     "materials": [{"code": "photo", "name_zh": "现场照片", "name_en": "Photo",
                    "mandatory": False}],
     "hours_zh": "网上全天受理；现场 08:30–17:30"},
])
