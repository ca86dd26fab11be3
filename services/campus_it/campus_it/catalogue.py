"""Windows 9 网络服务 and 10 校园一卡通 (现代教育技术中心): the items this department serves."""
from osac_shared.catalogue import load_items

NETWORK_PLACE = "学生事务中心服务大厅 9号窗口（网络服务）"
CARD_PLACE = "学生事务中心服务大厅 10号窗口（校园一卡通）"
HOURS = "网上全天候提交；B岗受理 08:30–17:30；A岗集中办理 15:30–17:30（工作日）"

ITEMS = load_items("campus_it", "现代教育技术中心", "Modern Education Technology Center", [
    {"code": "campus_it.dorm-network-fault", "window": 9,
     "name_zh": "学生宿舍生活区网络故障受理和反馈",
     "name_en": "Dormitory network fault reports and feedback",
     "description_zh": "宿舍区网络无法连接、网速慢、无法认证登录、网口损坏等故障报修，"
                       "两个工作日内处理并反馈结果。",
     "description_en": "Report a dorm network fault (no connection, slow, cannot log in, broken "
                       "port); fixed and answered within 2 working days.",
     "limit": {"value": 2, "unit": "working_days"}, "post": "B", "kind": "report",
     "materials": [{"code": "screenshot", "name_zh": "故障截图", "name_en": "Screenshot",
                    "mandatory": False}],
     "place_zh": NETWORK_PLACE, "hours_zh": "网上全天报修；窗口受理 08:30–17:30（工作日）"},
    {"code": "campus_it.card-top-up-transfer", "window": 10,
     "name_zh": "集体或个人办理相关“一卡通”内项目充值、转账",
     "name_en": "Campus card top-up and transfer (personal or group)",
     "description_zh": "个人充值、转账在网上自助办理，全天24小时即时到账（单笔充值不超过1000元，"
                       "单笔转账不超过500元，卡挂失冻结期间不能充值、转账）；"
                       "集体充值提交名单（每次最多30人，超过请分批）和缴款凭证，一个工作日内到账。",
     "description_en": "Personal top-ups and transfers are self-service at any hour and take "
                       "effect at once (at most 1,000 yuan per top-up, 500 yuan per transfer; "
                       "not while a card is frozen). A group top-up (a list of up to 30 "
                       "students per application, plus the payment receipt) is credited within "
                       "1 working day.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "A",
     "materials": [
         {"code": "payment_receipt", "name_zh": "缴款凭证", "name_en": "Payment receipt"},
         {"code": "unit_letter", "name_zh": "单位（班级）证明", "name_en": "Letter from the unit",
          "mandatory": False}],
     "place_zh": CARD_PLACE, "hours_zh": "自助充值、转账全天24小时；集体充值窗口受理 08:30–17:30"},
    {"code": "campus_it.card-apply", "window": 10,
     "name_zh": "卡服务（申领、办理）", "name_en": "Campus card service: apply, reissue, replace",
     "description_zh": "新生申领一卡通；挂失后补办新卡（工本费20元）；损坏换卡（工本费10元）。"
                       "余额随账户保留，新卡号启用后旧卡作废。",
     "description_en": "Apply for a first card; reissue after a loss report (20 yuan fee); "
                       "replace a damaged card (10 yuan fee). The balance stays with your "
                       "account; the old card stops working when the new one is issued.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "B",
     "materials": [
         {"code": "identity", "name_zh": "身份证或学生证", "name_en": "ID card or student card"},
         {"code": "photo", "name_zh": "一寸免冠照片", "name_en": "ID photo"}],
     "place_zh": CARD_PLACE, "hours_zh": HOURS},
    {"code": "campus_it.card-loss", "window": 10,
     "name_zh": "卡服务（挂失）", "name_en": "Campus card service: report a lost card",
     "description_zh": "一卡通遗失立即挂失：提交即冻结卡片（绿色通道，无需等待工作人员），"
                       "防止盗刷；找回后凭身份证件到窗口解冻，或办理补卡。",
     "description_en": "Report a lost card: it is frozen the moment you submit (green channel, "
                       "no wait for staff). If you find it, the window unfreezes it after "
                       "checking your ID; otherwise apply for a reissue.",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "report",
     "green_channel": True, "materials": [],
     "place_zh": CARD_PLACE, "hours_zh": "网上挂失全天24小时，提交即冻结；解冻窗口办理 08:30–17:30"},
])
