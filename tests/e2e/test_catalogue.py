"""The plan's window table (section 三(三)), walked item by item: every window and every item
is served by GET /api/catalogue, by the department that owns it, with complete fields."""
import pytest
import requests

# (windows, department as the plan names it, a phrase of the item as the plan words it)
PLAN = [
    ((1,), "学生工作处", "集体活动申报与审批"), ((1,), "学生工作处", "火车票优惠卡申购、充磁"),
    ((1,), "学生工作处", "学生证办理、补办"), ((1,), "学生工作处", "床位调整"),
    ((1,), "学生工作处", "征兵政策咨询"),
    ((2,), "学生工作处", "资助政策咨询"), ((2,), "学生工作处", "国家奖学金"),
    ((2,), "学生工作处", "国家助学金"), ((2,), "学生工作处", "国家励志奖学金"),
    ((2,), "学生工作处", "学费减免"), ((2,), "学生工作处", "临时困难补助"),
    ((2,), "学生工作处", "勤工助学"),
    ((3,), "校医院", "理赔政策咨询"), ((3,), "校医院", "保险理赔服务"),
    ((4,), "招生就业处", "招生、就业、创业"), ((4,), "招生就业处", "应届毕业生证明、就业推荐表"),
    ((4,), "招生就业处", "就业协议书遗失补办"), ((4,), "招生就业处", "毁约申请"),
    ((4,), "招生就业处", "就业补贴申请受理"), ((4,), "招生就业处", "创业园入驻"),
    ((5, 6), "教务处", "在读证明"), ((5, 6), "教务处", "学籍证明"), ((5, 6), "教务处", "成绩单"),
    ((5, 6), "教务处", "选课、学分"), ((5, 6), "教务处", "教务系统信息错误修改受理"),
    ((5, 6), "教务处", "交流生项目"), ((5, 6), "教务处", "转专业"),
    ((7,), "保卫处", "户籍管理政策咨询"), ((7,), "保卫处", "活动安全审批"),
    ((7,), "保卫处", "机动车通行证"), ((7,), "保卫处", "安全隐患举报"),
    ((8,), "校团委", "团建工作与政策咨询"), ((8,), "校团委", "志愿者服务政策咨询"),
    ((8,), "校团委", "社团咨询与活动审批"), ((8,), "校团委", "挑战杯"),
    ((8,), "校团委", "团员证补办、注册"), ((8,), "校团委", "团组织关系转接"),
    ((9,), "现代教育技术中心", "网络故障受理和反馈"),
    ((10,), "现代教育技术中心", "充值、转账"), ((10,), "现代教育技术中心", "申领"),
    ((10,), "现代教育技术中心", "挂失"),
    ((11,), "后勤处", "生活设施报修"), ((11,), "后勤处", "后勤服务工作的投诉"),
    ((12,), "财务处", "收费政策、学费标准、欠费"), ((12,), "财务处", "退费"),
    ((13,), "阳光服务中心", "投诉与建议的受理与反馈"),
]
WINDOWS = set(range(1, 14))


@pytest.fixture(scope="module")
def catalogue(url):
    body = requests.get(f"{url}/api/catalogue", timeout=30).json()
    assert body["unavailable"] == []
    return body["items"]


def test_every_window_has_items(catalogue):
    assert {item["window"] for item in catalogue} == WINDOWS
    assert {w for windows, _, _ in PLAN for w in windows} == WINDOWS


@pytest.mark.parametrize("windows, department, phrase", PLAN,
                         ids=[p for _, _, p in PLAN])
def test_plan_item_is_served_by_its_department(catalogue, windows, department, phrase):
    matches = [i for i in catalogue if phrase in i["name_zh"] and i["window"] in windows]
    assert matches, f"no item of window {windows} says {phrase!r}"
    for item in matches:
        assert department in item["department_zh"], item["department_zh"]


@pytest.mark.parametrize("field", ["code", "department", "department_zh", "department_en",
                                   "name_zh", "name_en", "description_zh", "description_en",
                                   "place_zh", "hours_zh"])
def test_every_item_has_complete_text(catalogue, field):
    empty = [i["code"] for i in catalogue if not str(i.get(field) or "").strip()]
    assert empty == []


def test_every_item_has_limit_post_kind_and_materials(catalogue):
    for item in catalogue:
        assert item["code"].startswith(item["department"] + "."), item["code"]
        assert item["limit"]["value"] >= 1 and item["limit"]["unit"] in (
            "working_days", "working_hours", "calendar_hours"), item["code"]
        assert item["post"] in ("A", "B") and isinstance(item["green_channel"], bool)
        assert item["kind"] in ("application", "consultation", "report")
        for m in item["materials"]:
            assert m["code"] and m["name_zh"] and m["name_en"], item["code"]
            assert isinstance(m["mandatory"], bool)
    consultations = [i for i in catalogue if i["kind"] == "consultation"]
    # the plan's nine pure 政策咨询 lines are tracked questions (windows 1, 2, 3, 4, 5, 7, 8 twice,
    # 12); its "咨询与申请" lines (exchange, major transfer, clubs, competitions) are applications
    assert {i["window"] for i in consultations} == {1, 2, 3, 4, 5, 7, 8, 12}
    assert len(consultations) == 9
