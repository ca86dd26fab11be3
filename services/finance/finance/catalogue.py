"""Window 12 财务服务 (财务处 Finance Office): the items this department serves."""
from osac_shared.catalogue import load_items

ITEMS = load_items("finance", "财务处", "Finance Office", [
    {"code": "finance.fee-consultation", "window": 12,
     "name_zh": "各类收费政策、学费标准、欠费等财务信息咨询",
     "name_en": "Enquiries on fee policies, tuition standards and arrears",
     "description_zh": "收费政策、学费与住宿费标准、欠费情况等咨询，一个工作日内书面答复。"
                       "本人的缴费明细与欠费金额可随时在“我的账户”中查询。",
     "description_en": "Questions on fee policies, tuition and accommodation fees and arrears; "
                       "a written answer within 1 working day. Your own statement and arrears "
                       "are always shown under \"My account\".",
     "limit": {"value": 1, "unit": "working_days"}, "post": "B", "kind": "consultation",
     "materials": []},
    {"code": "finance.refund", "window": 12, "name_zh": "缴费与退费业务受理",
     "name_en": "Payments and refunds",
     "description_zh": "缴费可随时在线办理（按欠费金额，不可多缴）。账户有余额（如资助款抵扣学费后"
                       "的结余）时可申请退费：B岗受理核对，A岗审批，办结时退款入账。",
     "description_en": "Pay online at any time (up to what you owe). When your account is in "
                       "credit (e.g. aid exceeding your fees) you can apply for a refund: the "
                       "B post checks it, the A post approves, and the refund is booked when "
                       "the case is completed.",
     "limit": {"value": 5, "unit": "working_days"}, "post": "A", "kind": "application",
     "materials": [
         {"code": "refund_form", "name_zh": "退费申请表（本人签字）",
          "name_en": "Signed refund application form"},
         {"code": "bank_card", "name_zh": "本人银行卡复印件", "name_en": "Copy of your bank card"},
         {"code": "supporting_documents", "name_zh": "退费原因证明材料（如休学、退学证明）",
          "name_en": "Evidence for the refund (e.g. leave or withdrawal papers)",
          "mandatory": False}]},
])
