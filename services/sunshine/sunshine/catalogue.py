"""Window 13 投诉与建议 (校办（阳光服务中心） Sunshine Service Center): the item it serves."""
from osac_shared.catalogue import load_items

ITEMS = load_items("sunshine", "校办（阳光服务中心）", "Sunshine Service Center", [
    {"code": "sunshine.complaint-suggestion", "window": 13,
     "name_zh": "阳光服务平台各类投诉与建议的受理与反馈",
     "name_en": "Complaints and suggestions on the Sunshine platform: intake and feedback",
     "description_zh": "对任何部门、任何事项的投诉与建议（可匿名）。B岗受理并转交相关部门调查，"
                       "三个工作日内向您反馈调查处理结果。投诉具体事项时可填写该事项编号。",
     "description_en": "Complaints and suggestions about any department or matter (anonymous if "
                       "you wish). The B post accepts and routes it to the department "
                       "concerned; you get the findings within 3 working days. Give the case "
                       "number when it is about a specific case.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A", "kind": "report",
     "materials": [{"code": "evidence", "name_zh": "相关证明材料（照片、截图等）",
                    "name_en": "Evidence (photos, screenshots)", "mandatory": False}],
     "place_zh": "学生事务中心服务大厅 13号窗口（投诉与建议）",
     "hours_zh": "网上、微信全天候受理；现场受理 08:30–17:30（工作日）"},
])
