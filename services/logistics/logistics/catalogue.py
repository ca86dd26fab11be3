"""Window 11 维修服务 (后勤处 Logistics): the items this department serves."""
from osac_shared.catalogue import load_items

ITEMS = load_items("logistics", "后勤处", "Logistics Office", [
    {"code": "logistics.dorm-repair", "window": 11,
     "name_zh": "学生宿舍生活设施报修", "name_en": "Dormitory facility repair",
     "description_zh": "宿舍水电、门窗、家具等生活设施报修；报修后48小时内修复，"
                       "逾期未修可直接投诉。24小时报修热线全天受理。",
     "description_en": "Report a broken dorm facility (water, power, doors, furniture). Repaired "
                       "within 48 hours; if not, you can complain right away. The hotline "
                       "takes reports 24 hours a day.",
     "limit": {"value": 48, "unit": "calendar_hours"}, "post": "B", "green_channel": True,
     "kind": "report",
     "materials": [{"code": "photo", "name_zh": "故障照片", "name_en": "Photo of the fault",
                    "mandatory": False}],
     "hours_zh": "网上、微信、24小时热线全天报修；现场登记 08:30–17:30"},
    {"code": "logistics.complaint", "window": 11,
     "name_zh": "后勤服务工作的投诉、意见与建议受理和反馈",
     "name_en": "Complaints and suggestions about logistics services",
     "description_zh": "对后勤服务（维修、宿舍、食堂等）的投诉、意见与建议，三个工作日内反馈调查结果。"
                       "报修超过48小时仍未修复的，填写本人的报修单号即可投诉。",
     "description_en": "Complaints and suggestions about logistics services; you get the "
                       "findings within 3 working days. If your repair is not done 48 hours "
                       "after you reported it, complain with its ticket number.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A", "kind": "report",
     "materials": [{"code": "evidence", "name_zh": "照片、票据等佐证材料",
                    "name_en": "Photos, receipts or other evidence", "mandatory": False}]},
])
