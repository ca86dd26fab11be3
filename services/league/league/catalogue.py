"""Window 8 党团事务 (校团委 Youth League Committee): the items this department serves."""
from osac_shared.catalogue import load_items

PLACE = "学生事务中心服务大厅 8号窗口（党团事务）"
HOURS = "网上全天候提交；B岗受理 08:30–17:30；A岗集中办理 15:30–17:30（工作日）"

ITEMS = load_items("league", "校团委", "Youth League Committee", [
    {"code": "league.league-work-consultation", "window": 8,
     "name_zh": "团建工作与政策咨询", "name_en": "League work and policy consultation",
     "description_zh": "团支部建设、团员发展、团费、“三会两制一课”等团建工作与政策问题，"
                       "窗口两个工作日内书面答复。",
     "description_en": "Questions on league branch work, recruiting members, dues and league "
                       "policies; answered in writing within 2 working days.",
     "limit": {"value": 2, "unit": "working_days"}, "post": "B", "kind": "consultation",
     "materials": [], "place_zh": PLACE, "hours_zh": HOURS},
    {"code": "league.practice-volunteer-consultation", "window": 8,
     "name_zh": "素质拓展、社会实践、志愿者服务政策咨询",
     "name_en": "Quality development, social practice and volunteer service consultation",
     "description_zh": "第二课堂素质拓展学分、暑期“三下乡”等社会实践、志愿服务时长认定等政策咨询，"
                       "两个工作日内书面答复。",
     "description_en": "Questions on quality-development credits, social practice (e.g. summer "
                       "rural programmes) and volunteer hours; answered within 2 working days.",
     "limit": {"value": 2, "unit": "working_days"}, "post": "B", "kind": "consultation",
     "materials": [], "place_zh": PLACE, "hours_zh": HOURS},
    {"code": "league.club-activity", "window": 8,
     "name_zh": "社团咨询与活动审批", "name_en": "Student club consultation and activity approval",
     "description_zh": "学生社团举办活动须提前7天申报，提交活动策划书和指导老师意见；"
                       "校外活动或参加人数超过100人的活动须附安全预案。",
     "description_en": "A club activity is declared at least 7 days ahead with the plan and the "
                       "advisor's opinion; off-campus activities or more than 100 participants "
                       "also need a safety plan.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A",
     "materials": [
         {"code": "activity_plan", "name_zh": "活动策划书", "name_en": "Activity plan"},
         {"code": "advisor_opinion", "name_zh": "指导老师签字意见",
          "name_en": "Advisor's signed opinion"},
         {"code": "safety_plan", "name_zh": "安全预案", "name_en": "Safety plan",
          "mandatory": False}],
     "place_zh": PLACE, "hours_zh": HOURS},
    {"code": "league.competition", "window": 8,
     "name_zh": "“挑战杯”等各类竞赛咨询与服务",
     "name_en": "“Challenge Cup” and other competitions: advice and registration",
     "description_zh": "“挑战杯”、大学生创新大赛、数学建模等竞赛的报名：每队1–10人（以各竞赛规定为准）。"
                       "各竞赛每年在固定时间段报名（课外学术科技作品竞赛9月1日至次年3月31日，创业计划竞赛"
                       "9月1日至12月20日，创新大赛3月1日至5月31日，数学建模5月15日至9月5日），"
                       "报名截止后不再受理；填写指导教师的须附指导教师确认书。",
     "description_en": "Registration for the Challenge Cup, the innovation contest, mathematical "
                       "modelling and others: teams of 1–10 (each competition's own rule "
                       "applies). Each registers in the same weeks every year (academic works: "
                       "1 Sep to 31 Mar; business plans: 1 Sep to 20 Dec; innovation: 1 Mar to "
                       "31 May; modelling: 15 May to 5 Sep); none after the deadline. Naming an "
                       "advisor needs the advisor's confirmation.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "A",
     "materials": [
         {"code": "project_summary", "name_zh": "作品/项目简介", "name_en": "Project summary"},
         {"code": "advisor_confirmation", "name_zh": "指导教师确认书",
          "name_en": "Advisor's confirmation", "mandatory": False}],
     "place_zh": PLACE, "hours_zh": HOURS},
    {"code": "league.member-card", "window": 8,
     "name_zh": "团员证补办、注册", "name_en": "League membership card reissue and registration",
     "description_zh": "限本校团员（新生须先办理团组织关系转入）。团员证遗失补办须交一寸照片；"
                       "年度注册须交团员证原件；均须团支部证明。",
     "description_en": "For league members here (freshmen first transfer their membership in). "
                       "Reissue of a lost league card needs a photo; the yearly registration "
                       "needs the card itself; both need a certificate from your branch.",
     "limit": {"value": 5, "unit": "working_days"}, "post": "B",
     "materials": [
         {"code": "branch_certificate", "name_zh": "团支部证明", "name_en": "Branch certificate"},
         {"code": "photo", "name_zh": "一寸免冠照片", "name_en": "ID photo", "mandatory": False},
         {"code": "league_card", "name_zh": "团员证原件", "name_en": "League card (original)",
          "mandatory": False}],
     "place_zh": PLACE, "hours_zh": HOURS},
    {"code": "league.membership-transfer", "window": 8,
     "name_zh": "新生及毕业生团组织关系转接",
     "name_en": "League membership transfer for freshmen and graduates",
     "description_zh": "新生将团组织关系转入本校（须交原团组织介绍信），毕业生转出至去向单位团组织。",
     "description_en": "Freshmen transfer their league membership in (with the letter from "
                       "their former organisation); graduates transfer it out to their new "
                       "organisation.",
     "limit": {"value": 3, "unit": "working_days"}, "post": "B",
     "materials": [
         {"code": "transfer_letter", "name_zh": "团组织关系介绍信",
          "name_en": "Membership transfer letter", "mandatory": False}],
     "place_zh": PLACE, "hours_zh": HOURS},
])
