"""The web UI's rules as plain functions (no browser, no services): guide search, the one
checklist, errors said with the form's labels, time left, notifications, staff queues' quick
buttons, the review committee's cases, the due-soon list, the dashboard's rows, the SVG
charts, i18n, and the services' older form descriptions. Forms from JSON Schema:
test_ui_forms.py."""
from datetime import datetime, timedelta

import pytest
from marshmallow import Schema, fields, validate

from gateway import charts, i18n, ui_logic
from osac_shared.clock import TZ
from osac_shared.service import describe_form

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)           # a Monday, inside working hours
EXCHANGE = {"code": "academic.exchange", "window": 5, "department": "academic",
            "department_zh": "教务处", "department_en": "Academic Affairs", "kind": "application",
            "name_zh": "交流生项目咨询与申请受理", "name_en": "Exchange programmes",
            "description_zh": "交流生项目", "description_en": "exchange", "post": "A",
            "limit": {"value": 10, "unit": "working_days"},
            "materials": [{"code": "application_form", "name_zh": "交流生申请表",
                           "name_en": "Application form", "mandatory": True},
                          {"code": "transcript", "name_zh": "成绩单", "name_en": "Transcript",
                           "mandatory": True},
                          {"code": "language", "name_zh": "外语水平证明",
                           "name_en": "Language certificate", "mandatory": False}]}
REPAIR = {**EXCHANGE, "code": "logistics.dorm-repair", "window": 11, "department": "logistics",
          "kind": "report", "name_zh": "学生宿舍生活设施报修", "name_en": "Dorm repair",
          "description_zh": "水电门窗", "description_en": "water, power, doors",
          "department_zh": "后勤处", "department_en": "Logistics",
          "limit": {"value": 48, "unit": "calendar_hours"},
          "materials": [{"code": "photo", "name_zh": "故障照片", "name_en": "Photo",
                         "mandatory": False}]}
ASK = {**EXCHANGE, "code": "finance.fee-consultation", "kind": "consultation", "window": 12,
       "department": "finance", "department_zh": "财务处", "department_en": "Finance",
       "name_zh": "收费政策咨询", "name_en": "Fee questions", "description_zh": "收费标准",
       "description_en": "fees", "materials": []}
SCHEMA = {"type": "object", "required": ["building"], "properties": {
    "building": {"type": "string", "title": "宿舍楼栋", "x-title-en": "Building",
                 "minLength": 1, "maxLength": 32},
    "copies": {"type": "integer", "title": "份数", "x-title-en": "Copies", "minimum": 1,
               "maximum": 5}}}


# ---- guide --------------------------------------------------------------------------------------
@pytest.mark.parametrize("q, window, department, codes", [
    ("", None, "", ["academic.exchange", "logistics.dorm-repair", "finance.fee-consultation"]),
    ("交流", None, "", ["academic.exchange"]),
    ("EXCHANGE", None, "", ["academic.exchange"]),          # any language, any case
    ("成绩单", None, "", ["academic.exchange"]),             # material names count
    ("报修 宿舍", None, "", ["logistics.dorm-repair"]),      # every keyword must match
    ("报修 奖学金", None, "", []),
    ("", 11, "", ["logistics.dorm-repair"]),
    ("", None, "finance", ["finance.fee-consultation"]),
    ("交流", 11, "", []),
])
def test_search_items(q, window, department, codes):
    found = ui_logic.search_items([REPAIR, ASK, EXCHANGE], q, window, department)
    assert [i["code"] for i in found] == codes


@pytest.mark.parametrize("item, now, due", [
    (EXCHANGE, NOW, datetime(2026, 3, 16, 17, 30, tzinfo=TZ)),       # 10 working days
    (REPAIR, NOW, NOW + timedelta(hours=48)),                         # calendar hours
    (EXCHANGE, datetime(2026, 3, 2, 18, 0, tzinfo=TZ),                # after 17:30: next day
     datetime(2026, 3, 17, 17, 30, tzinfo=TZ)),
])
def test_due_if_submitted_now(item, now, due):
    assert ui_logic.due_if_submitted_now(item, now) == (due, False)


# ---- the one checklist --------------------------------------------------------------------
def test_checklist_names_everything_once_in_the_visitors_language():
    fields = {"form.building": "必填项，请填写 / Missing data for required field.",
              "form.copies": "数值超出范围 / Must be greater than or equal to 1 and less than "
                             "or equal to 5.",
              "materials.transcript": "请补交：成绩单 / Please add: Transcript",
              "green_reason": "请写明加急原因 / write why it is urgent"}
    zh = ui_logic.checklist(EXCHANGE, SCHEMA, ["language"], fields, "zh")
    assert [(p["key"], p["label"], p["anchor"]) for p in zh] == [
        ("form.building", "宿舍楼栋", "f-building"), ("form.copies", "份数", "f-copies"),
        ("materials.transcript", "成绩单", "m-transcript"),
        ("green_reason", "申请绿色通道的理由（紧急时填写，否则留空）", "green_reason"),
        ("materials.application_form", "交流生申请表", "m-application_form")]   # added
    assert zh[0]["message"] == "必填项，请填写"
    assert zh[1]["message"] == "须在 1–5 之间"          # said with the form's own limits
    en = ui_logic.checklist(EXCHANGE, SCHEMA, ["language"], fields, "en")
    assert [p["label"] for p in en][:3] == ["Building", "Copies", "Transcript"]
    assert en[2]["message"] == "Please add: Transcript"
    assert ui_logic.checklist(EXCHANGE, SCHEMA, ["application_form", "transcript"], {},
                              "zh") == []


RETURN = {"type": "object", "properties": {
    "reason": {"type": "string", "title": "退回原因"},
    "missing": {"type": "array", "title": "需补交的材料",
                "items": {"type": "string", "enum": ["application_form", "transcript"]}},
    "correct": {"type": "object", "title": "需更正的材料及问题",
                "propertyNames": {"enum": ["application_form", "transcript"]},
                "additionalProperties": {"type": "string"}}}}


@pytest.mark.parametrize("fields, expected", [
    ({"notice.transcript": "此前告知未提出 / not in an earlier notice"},
     [("成绩单", "此前告知未提出")]),
    ({"reason": "必填项，请填写 / required"}, [("退回原因", "必填项，请填写")]),
    ({"correct.transcript": "须为500字以内的文字 / text"},
     [("需更正的材料及问题 · 成绩单", "须为500字以内的文字")]),
    ({"action": "当前可执行 / available now: -"}, [("操作", "当前可执行")]),
    ({"other": "x"}, [("other", "x")]),
])
def test_labelled(fields, expected):
    assert ui_logic.labelled(fields, EXCHANGE, RETURN, "zh", {"action": "操作"}) == expected


@pytest.mark.parametrize("fields, prefix, expected", [
    ({"form.copies": "数值超出范围 / Must be ...", "materials.x": "请补交 / add"}, "form.",
     {"copies": "须在 1–5 之间"}),
    ({"building": "必填项，请填写 / Missing data for required field."}, "",
     {"building": "必填项，请填写"}),
])
def test_field_errors(fields, prefix, expected):
    assert ui_logic.field_errors(fields, SCHEMA, "zh", prefix) == expected


def test_material_labels_and_what_a_return_asked_for():
    assert ui_logic.material_labels(RETURN, EXCHANGE, "zh") == {
        "missing": {"application_form": "交流生申请表", "transcript": "成绩单",
                    "language": "外语水平证明"},
        "correct": {"application_form": "交流生申请表", "transcript": "成绩单",
                    "language": "外语水平证明"}}
    assert ui_logic.material_labels(SCHEMA, EXCHANGE, "zh") == {}
    case = {"notices": [{"kind": "return", "missing": ["transcript"], "correct": {}},
                        {"kind": "refusal"},
                        {"kind": "return", "missing": ["language"],
                         "correct": {"application_form": "未签名"}}]}
    assert ui_logic.asked_for(case) == ["language", "application_form"]
    assert ui_logic.asked_for({"notices": []}) == []


# ---- deadlines and notifications ----------------------------------------------------------------
@pytest.mark.parametrize("status, sla, text, tone", [
    ("accepted", {"due_at": (NOW + timedelta(days=2, hours=3)).isoformat()}, "还剩 2 天 3 小时",
     "ok"),
    ("accepted", {"due_at": (NOW + timedelta(hours=5, minutes=20)).isoformat()},
     "还剩 5 小时 20 分", "soon"),
    ("accepted", {"due_at": (NOW - timedelta(hours=3)).isoformat()}, "已超期 3 小时", "late"),
    ("returned", {"due_at": NOW.isoformat(), "paused": True}, "退回补正中，计时暂停", "muted"),
    ("submitted", {}, "期限计算中", "muted"),
    ("completed", {"on_time": True}, "按时办结", "done"),
    ("completed", {"on_time": False}, "超期办结", "late"),
    ("withdrawn", {}, "已撤回", "muted"),
])
def test_time_left(status, sla, text, tone):
    assert ui_logic.time_left({"status": status}, sla, NOW, "zh") == (text, tone)


def _case(case_id, status, history, due=None, notices=()):
    return {"id": case_id, "status": status, "item_name_zh": "成绩单证明",
            "item_name_en": "Transcript", "history": history, "notices": list(notices)}


def test_notifications_from_histories_and_deadlines():
    h = lambda action, hours: {"action": action, "at": (NOW - timedelta(hours=hours))  # noqa
                               .isoformat(), "reason": ""}
    cases = [
        _case("a-1", "completed", [h("submit", 9), h("accept", 8), h("approve", 7),
                                   h("complete", 6)]),
        _case("a-2", "returned", [h("submit", 5), h("return", 4)],
              notices=[{"kind": "return", "deadline": "2026-03-05",
                        "at": (NOW - timedelta(hours=4)).isoformat()}]),
        _case("a-3", "accepted", [h("submit", 3)]),
        _case("a-4", "processing", [h("submit", 2)]),
    ]
    deadlines = {"a-3": {"due_at": (NOW + timedelta(hours=2)).isoformat()},
                 "a-4": {"due_at": (NOW - timedelta(hours=1)).isoformat()},
                 "a-2": {"due_at": (NOW - timedelta(hours=1)).isoformat(), "paused": True}}
    notes = ui_logic.notifications(cases, deadlines, NOW, "zh")
    kinds = [(n["case_id"], n["kind"]) for n in notes]
    assert ("a-3", "due_soon") in kinds and ("a-4", "overdue") in kinds
    assert ("a-2", "return") in kinds and ("a-2", "fix_by") in kinds
    assert ("a-2", "overdue") not in kinds                    # paused while returned
    assert [k for c, k in kinds if c == "a-1"] == ["complete", "approve", "accept"]
    assert all(notes[i]["at"] >= notes[i + 1]["at"] for i in range(len(notes) - 1))


# ---- staff --------------------------------------------------------------------------------------
def test_queue_order_green_first_then_deadline():
    cases = [{"id": "late", "green_channel": False}, {"id": "soon", "green_channel": False},
             {"id": "green", "green_channel": True}, {"id": "unknown", "green_channel": False}]
    deadlines = {"late": {"due_at": (NOW + timedelta(days=3)).isoformat()},
                 "soon": {"due_at": (NOW + timedelta(hours=1)).isoformat()},
                 "green": {"due_at": (NOW + timedelta(days=9)).isoformat()}}
    assert [c["id"] for c in ui_logic.queue_order(cases, deadlines)] == [
        "green", "soon", "late", "unknown"]


@pytest.mark.parametrize("allowed, kind, quick, more", [
    (["accept", "return", "reject", "expedite"], "application", ["accept"],
     ["return", "reject", "expedite"]),
    (["approve", "reject"], "application", ["approve"], ["reject"]),
    (["complete", "committee_decision"], "application", ["complete"], ["committee_decision"]),
    (["complete", "reject"], "consultation", [], ["complete", "reject"]),   # answer written
    (["withdraw", "resubmit"], "application", [], ["withdraw", "resubmit"]),
    ([], "application", [], []),
])
def test_quick_actions_are_the_departments_list_for_this_user(allowed, kind, quick, more):
    case = {"allowed_actions": allowed, "item_code": "x.item"}
    assert ui_logic.quick_actions(case, {"kind": kind}) == quick
    assert ui_logic.more_actions(case, {"kind": kind}) == more


def test_cases_waiting_for_the_committee():
    cases = [{"id": "1", "waiting_for": {"role": "committee", "department": "aid"}},
             {"id": "2", "waiting_for": {"role": "a_post", "department": "aid"}},
             {"id": "3", "waiting_for": None},
             {"id": "4", "waiting_for": {"role": "committee", "department": "league"}},
             {"id": "5"}]
    assert [c["id"] for c in ui_logic.waiting_for_committee(cases, "aid")] == ["1"]


# ---- due soon (the SLA's at-risk list) ----------------------------------------------------------
@pytest.mark.parametrize("due, lang, text, tone", [
    (NOW + timedelta(hours=5, minutes=20), "zh", "还剩 5 小时 20 分", "soon"),
    (NOW + timedelta(hours=5, minutes=20), "en", "5 h 20 min left", "soon"),
    (NOW + timedelta(days=1, hours=7, minutes=30), "zh", "还剩 1 天 7 小时", "ok"),
    (NOW + timedelta(seconds=59), "zh", "还剩 0 小时 0 分", "soon"),
    (NOW - timedelta(minutes=10), "zh", "已超期 1 小时", "late"),       # under an hour: 1
    (NOW - timedelta(hours=26), "en", "26 h overdue", "late"),
    (None, "zh", "期限计算中", "muted"),
])
def test_remaining(due, lang, text, tone):
    assert ui_logic.remaining(due, NOW, lang) == (text, tone)


@pytest.mark.parametrize("timer, zh, en", [
    ("acceptance", "受理", "Acceptance"),
    ("completion", "办结", "Completion"),
    ("referral", "转办答复", "Referral answer"),
    ("something_new", "something_new", "something_new"),       # shown as it came
    (None, "", ""),
])
def test_timer_names(timer, zh, en):
    assert (i18n.timer(timer, "zh"), i18n.timer(timer, "en")) == (zh, en)


def _risk(case_id, timer, hours, **extra):
    return {"case_id": case_id, "timer": timer, "department": "logistics", "window": 11,
            "item_code": "logistics.dorm-repair", "green_channel": False,
            "due_at": (NOW + timedelta(hours=hours)).isoformat(), **extra}


REPAIR_CASE = {"id": "logistics-1", "item_name_zh": "宿舍报修（本案）", "item_name_en": "Repair",
               "student_name": "张三", "student_id": "2026000001"}


@pytest.mark.parametrize("deadline, cases, lang, expected", [
    # a case its department returned: its own item name and student
    (_risk("logistics-1", "acceptance", 0.5), {"logistics-1": REPAIR_CASE}, "zh",
     {"is_case": True, "item": "宿舍报修（本案）", "student": "张三 2026000001", "timer": "受理",
      "window": 11, "left": ("还剩 0 小时 30 分", "soon"), "due": "2026-03-02 10:30"}),
    (_risk("logistics-1", "completion", 30, green_channel=True), {"logistics-1": REPAIR_CASE},
     "en", {"is_case": True, "item": "Repair", "student": "张三 2026000001",
            "timer": "Completion", "green": True,
            "left": ("1 d 6 h left", "soon"),                   # at risk: never the "ok" tone
            "due": "2026-03-03 16:00"}),
    # its department did not answer: the catalogue's name, no student
    (_risk("logistics-2", "completion", 2), {}, "zh",
     {"is_case": True, "item": "学生宿舍生活设施报修", "student": "", "timer": "办结",
      "due": "2026-03-02 12:00"}),
    # an item the catalogue does not know either: its code
    (_risk("logistics-3", "completion", 2, item_code="logistics.gone"), {}, "en",
     {"item": "logistics.gone", "student": ""}),
    # a desk referral: a question number, not a case; window 0 is the desk
    (_risk("17", "referral", 3, item_code="hall.referral", window=0), {}, "zh",
     {"is_case": False, "item": "转办咨询 #17", "student": "", "timer": "转办答复",
      "window": 0}),
    # past due but not yet marked breached by the SLA's next tick
    (_risk("logistics-1", "acceptance", -0.2), {"logistics-1": REPAIR_CASE}, "zh",
     {"left": ("已超期 1 小时", "late"), "due": "2026-03-02 09:48"}),
])
def test_due_soon_rows(deadline, cases, lang, expected):
    [row] = ui_logic.due_soon_rows([deadline], cases, {REPAIR["code"]: REPAIR}, NOW, lang)
    shown = {**row, "due": i18n.when(row["due_at"])}      # as the page writes it
    assert {k: shown[k] for k in expected} == expected
    assert row["case_id"] == deadline["case_id"]
    assert row["due_at"] == datetime.fromisoformat(deadline["due_at"])


def test_due_soon_rows_keep_the_slas_order():
    deadlines = [_risk("logistics-2", "acceptance", 1), _risk("logistics-1", "completion", 2),
                 _risk("logistics-1", "acceptance", 3)]
    rows = ui_logic.due_soon_rows(deadlines, {}, {}, NOW, "zh")
    assert [(r["case_id"], r["timer"]) for r in rows] == [
        ("logistics-2", "受理"), ("logistics-1", "办结"), ("logistics-1", "受理")]


@pytest.mark.parametrize("deadlines, calls", [
    ([], {}),
    ([_risk("logistics-1", "acceptance", 1), _risk("logistics-1", "completion", 2)],
     {"logistics-1": ("logistics", "get_case", ("logistics-1",), {})}),      # once a case
    ([_risk("17", "referral", 1), _risk("academic-9", "completion", 1)],
     {"academic-9": ("academic", "get_case", ("academic-9",), {})}),         # not referrals
    ([_risk("nonsense", "completion", 1)], {}),                               # not a case no.
])
def test_case_calls(deadlines, calls):
    def department_of(case_id):
        return case_id.split("-", 1)[0] if "-" in case_id else None
    assert ui_logic.case_calls(deadlines, department_of) == calls


# ---- dashboard ----------------------------------------------------------------------------------
def test_dashboard_rows():
    report = {"per_window": [{"window": 11, "on_time_rate": 0.5, "late": 1, "breached": 1},
                             {"window": 5, "on_time_rate": 1.0, "late": 0, "breached": 0}],
              "per_hour": [{"hour": 9, "submitted": 3}, {"hour": 15, "submitted": 1}]}
    assert ui_logic.on_time_by_window(report) == [(5, 1.0, 0), (11, 0.5, 2)]
    assert ui_logic.every_window([(5, 1.0, 0)], [4, 5, 6]) == [(4, None, 0), (5, 1.0, 0),
                                                               (6, None, 0)]
    hours = ui_logic.per_hour(report)
    assert len(hours) == 24 and hours[9] == 3 and hours[15] == 1 and sum(hours) == 4
    sat = {"by_window": [{"window": 13, "rated": 4, "satisfied": 3, "rate": 0.75}]}
    assert ui_logic.satisfaction_by_window(sat) == [(13, 0.75, 4)]


@pytest.mark.parametrize("report, cases, hour, count", [
    ({"per_hour": [0] * 9 + [2] + [0] * 14}, (), 9, 2),                  # plain list
    ({"per_hour": {"14": 5}}, (), 14, 5),                                 # mapping
    ({}, [{"submitted_at": "2026-03-02T08:45:00+08:00"},                  # counted from cases
          {"submitted_at": "2026-03-02T00:45:00+00:00"}], 8, 2),
])
def test_per_hour_shapes(report, cases, hour, count):
    assert ui_logic.per_hour(report, cases)[hour] == count


@pytest.mark.parametrize("month, start, end", [
    ("2026-03", datetime(2026, 3, 1, tzinfo=TZ), datetime(2026, 4, 1, tzinfo=TZ)),
    ("2026-12", datetime(2026, 12, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)),
])
def test_month_range(month, start, end):
    assert ui_logic.month_range(month) == (start, end)


# ---- charts -------------------------------------------------------------------------------------
def test_bar_chart_marks_the_target_and_reads_out_every_value():
    svg = str(charts.bar_chart([("5号窗口", 1.0), ("11号窗口", 0.5), ("<b>", None)],
                               "按时办结率", target=1.0, no_data="无数据", target_label="目标"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert svg.count('class="bar"') == 2
    assert charts.GOOD in svg and charts.BAD in svg               # met / below the target
    assert "stroke-dasharray" in svg                              # the target line
    assert "5号窗口: 100%; 11号窗口: 50%; &lt;b&gt;: 无数据" in svg       # desc, escaped
    assert "<b>" not in svg


def test_count_chart_and_columns():
    counts = str(charts.bar_chart([("a", 3), ("b", 0)], "超期", percent=False))
    assert 'data-value="3"' in counts and "stroke-dasharray" not in counts
    hours = str(charts.column_chart([0] * 9 + [4] + [0] * 14, [f"{h}时" for h in range(24)],
                                    "每小时"))
    assert hours.count('class="bar"') == 1 and "9时: 4" in hours
    assert charts.bar_chart([], "空", no_data="无数据").count("无数据") == 1


# ---- i18n ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, zh, en", [
    (lambda lang: i18n.t("guide.title", lang), "办事指南", "Service guide"),
    (lambda lang: i18n.t("left.hours", lang, h=2, m=5), "还剩 2 小时 5 分", "2 h 5 min left"),
    (lambda lang: i18n.limit({"value": 3, "unit": "working_days"}, lang), "3个工作日",
     "3 working days"),
    (lambda lang: i18n.status("returned", lang), "退回补正", "Returned for correction"),
    (lambda lang: i18n.action("submit", lang), "提交申请", "Submitted"),
    (lambda lang: i18n.department("logistics", lang), "后勤处", "Logistics"),
    (lambda lang: i18n.choice("door_window", "door_window", lang), "门窗", "door window"),
    (lambda lang: i18n.choice("logistics", "logistics", lang), "后勤处", "Logistics"),
    (lambda lang: i18n.choice("a", "甲", lang), "甲", "a"),
    (lambda lang: i18n.pick({"name_zh": "报修", "name_en": "Repair"}, "name", lang), "报修",
     "Repair"),
])
def test_i18n(call, zh, en):
    assert (call("zh"), call("en")) == (zh, en)


def test_every_message_has_both_languages_and_unknown_keys_show_themselves():
    assert all(len(pair) == 2 and all(pair) for pair in i18n.MESSAGES.values())
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.norm("fr") == "zh" and i18n.norm("en") == "en"
    assert i18n.when("2026-03-02T02:00:00+00:00") == "2026-03-02 10:00"
    assert i18n.percent(0.9655) == "96.5%" and i18n.percent(1.0) == "100%"


# ---- the services' form descriptions (osac_shared.service.describe_form) ------------------------
class _Form(Schema):
    building = fields.Str(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"label_zh": "宿舍楼栋", "label_en": "Building"})
    topic = fields.Str(required=True, validate=validate.OneOf(("a", "b")),
                       metadata={"label_zh": "类别", "label_en": "Topic",
                                 "choices_zh": {"a": ("甲", "说明"), "b": "乙"}})
    copies = fields.Int(load_default=1, validate=validate.Range(min=1, max=5))
    on = fields.Date()
    at = fields.DateTime()
    ok = fields.Bool()
    ids = fields.List(fields.Str())
    rows = fields.List(fields.Nested(Schema.from_dict({"x": fields.Int()})))


def test_describe_form():
    d = {f["name"]: f for f in describe_form(_Form)}
    assert list(d) == ["building", "topic", "copies", "on", "at", "ok", "ids", "rows"]
    assert d["building"] == {"name": "building", "type": "text", "required": True,
                             "label_zh": "宿舍楼栋", "label_en": "Building", "min_length": 1,
                             "max_length": 32}
    assert d["topic"]["choices"] == [["a", "甲"], ["b", "乙"]]
    assert (d["copies"]["type"], d["copies"]["required"], d["copies"]["min"],
            d["copies"]["max"]) == ("integer", False, 1, 5)
    assert [d[k]["type"] for k in ("on", "at", "ok", "ids", "rows")] == [
        "date", "datetime", "boolean", "list", "structured"]
    assert d["on"]["label_zh"] == "on"                          # no label: the field's name
