"""Web forms from JSON Schema (gateway/ui_forms.py), no browser, no services: which widget a
property gets and with which attributes, reading a posted form back into the schema's shape
(rows, lists, maps, wrong numbers), error paths as the page numbers its rows, examples shown
with labels; and, for every item of every department and every lifecycle action, that the
page can show its form and that an example typed into it reaches the department as the
example itself."""
import importlib
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from gateway import ui_forms, ui_logic
from osac_shared import forms, steps
from osac_shared.catalogue import Material
from osac_shared.clock import system_now
from osac_shared.registry import DEPARTMENTS, SERVICES

TOP_UP = {
    "type": "object", "additionalProperties": False, "required": ["payer", "entries"],
    "properties": {
        "payer": {"type": "string", "title": "缴款单位", "x-title-en": "Paying unit",
                  "minLength": 2, "maxLength": 64},
        "entries": {"type": "array", "title": "充值名单", "x-title-en": "Who gets how much",
                    "minItems": 1, "maxItems": 30, "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["student_id", "amount_cents"],
                        "properties": {
                            "student_id": {"type": "string", "title": "学号",
                                           "pattern": "^[0-9]{10}$"},
                            "amount_cents": {"type": "integer", "title": "金额（分）",
                                             "x-title-en": "Amount (fen)", "minimum": 1,
                                             "maximum": 100000}}}}}}
FORM = {
    "type": "object", "additionalProperties": False, "required": ["building", "facility"],
    "properties": {
        "building": {"type": "string", "title": "宿舍楼栋", "x-title-en": "Building",
                     "minLength": 1, "maxLength": 32, "pattern": r"\S"},
        "facility": {"type": "string", "title": "设施类别", "x-title-en": "Facility",
                     "enum": ["water", "door_window"],
                     "x-enum-labels": {"zh": {"water": "水路", "door_window": "door_window"},
                                       "en": {"water": "Water", "door_window": "door_window"}}},
        "description": {"type": "string", "title": "故障描述", "maxLength": 2000},
        "copies": {"type": "integer", "title": "份数", "minimum": 1, "maximum": 5},
        "amount": {"type": "number", "title": "金额", "exclusiveMinimum": 0},
        "on": {"type": "string", "format": "date", "title": "日期"},
        "at": {"type": ["string", "null"], "format": "date-time", "title": "时间"},
        "anonymous": {"type": "boolean", "title": "匿名", "default": False},
        "members": {"type": "array", "title": "成员学号",
                    "items": {"type": "string", "pattern": "^[0-9]{10}$"}},
        "reasons": {"type": "array", "title": "理由", "items": {"type": "string"}},
        "kinds": {"type": "array", "title": "类别", "items": {"type": "string",
                                                            "enum": ["a", "b", "c"]}},
        "period": {"type": "object", "title": "期间", "required": ["start"],
                   "properties": {"start": {"type": "string", "format": "date",
                                            "title": "开始"},
                                  "end": {"type": "string", "format": "date",
                                          "title": "结束"}}},
        "correct": {"type": "object", "title": "需更正", "propertyNames": {"enum": ["x", "y"]},
                    "additionalProperties": {"type": "string", "maxLength": 500}},
        "extra": {"type": "object", "title": "其他"},
    }}


@pytest.mark.parametrize("key, widget", [
    ("building", "text"), ("facility", "select"), ("description", "textarea"),
    ("copies", "number"), ("amount", "number"), ("on", "date"), ("at", "datetime"),
    ("anonymous", "checkbox"), ("members", "lines"), ("reasons", "lines"),
    ("kinds", "checks"), ("period", "group"), ("correct", "map"), ("extra", "json"),
])
def test_widget_of(key, widget):
    assert ui_forms.widget_of(FORM["properties"][key]) == widget
    assert ui_forms.widget_of(TOP_UP["properties"]["entries"]) == "rows"


def by_key(fields):
    return {f["key"]: f for f in fields}


def test_fields_carry_labels_limits_and_choices_in_the_language():
    zh = by_key(ui_forms.fields(FORM, None, {"facility": "请从列表中选择"}, "zh"))
    assert zh["building"]["label"] == "宿舍楼栋" and zh["building"]["required"]
    assert zh["building"]["attrs"] == {"maxlength": 32, "required": True}
    assert zh["copies"]["attrs"] == {"step": 1, "min": 1, "max": 5, "inputmode": "numeric"}
    assert zh["copies"]["hint"] == "1–5"
    assert zh["amount"]["attrs"]["step"] == "any" and "min" not in zh["amount"]["attrs"]
    # the schema's labels; a label that is only the code falls back to the UI's own table
    assert [(c["value"], c["label"]) for c in zh["facility"]["choices"]] == [
        ("water", "水路"), ("door_window", "门窗")]
    assert zh["facility"]["error"] == "请从列表中选择"
    assert zh["members"]["attrs"] == {} and "每行一项" in zh["members"]["hint"]
    assert [f["name"] for f in zh["period"]["fields"]] == ["period.start", "period.end"]
    assert zh["period"]["fields"][0]["required"]
    assert [e["name"] for e in zh["correct"]["entries"]] == ["correct.x", "correct.y"]
    en = by_key(ui_forms.fields(FORM, None, {}, "en"))
    assert en["building"]["label"] == "Building" and en["description"]["label"] == "故障描述"
    assert [c["label"] for c in en["facility"]["choices"]] == ["Water", "door window"]


def test_fields_keep_what_was_posted():
    posted = MultiDict([("building", "A3"), ("facility", "water"), ("anonymous", "1"),
                        ("kinds", "b"), ("kinds", "c"), ("period.start", "2026-03-02")])
    got = by_key(ui_forms.fields(FORM, posted, {}, "zh"))
    assert got["building"]["value"] == "A3"
    assert [c["on"] for c in got["facility"]["choices"]] == [True, False]
    assert got["anonymous"]["value"] is True
    assert [c["value"] for c in got["kinds"]["choices"] if c["on"]] == ["b", "c"]
    assert got["period"]["fields"][0]["value"] == "2026-03-02"


@pytest.mark.parametrize("posted, data, errors", [
    ({"building": " A3 ", "facility": "water"}, {"building": "A3", "facility": "water",
                                                  "anonymous": False}, {}),
    ({"building": ""}, {"anonymous": False}, {}),          # left for the department to name
    ({"copies": "2", "amount": "1.5"}, {"copies": 2, "amount": 1.5, "anonymous": False}, {}),
    ({"copies": "two"}, {"copies": "two", "anonymous": False},     # sent as typed: refused
     {"copies": "须为整数 / must be a whole number"}),
    ({"amount": "x"}, {"amount": "x", "anonymous": False}, {"amount": "须为数字 / must be a "
                                                                      "number"}),
    ({"at": "2026-03-02T10:00"}, {"at": "2026-03-02T10:00:00+08:00", "anonymous": False}, {}),
    ({"anonymous": "1"}, {"anonymous": True}, {}),
    ({"members": "2026000001, 2026000002\n2026000003"},
     {"members": ["2026000001", "2026000002", "2026000003"], "anonymous": False}, {}),
    ({"reasons": "家庭困难，需要帮助\n\n第二条"},            # free text: one per line only
     {"reasons": ["家庭困难，需要帮助", "第二条"], "anonymous": False}, {}),
    ({"period.start": "2026-03-02", "period.end": ""},
     {"period": {"start": "2026-03-02"}, "anonymous": False}, {}),
    ({"correct.x": " 未盖章 ", "correct.y": "  ", "correct.z": "no such key"},
     {"correct": {"x": "未盖章"}, "anonymous": False}, {}),
    ({"extra": '{"a": 1}'}, {"extra": {"a": 1}, "anonymous": False}, {}),
    ({"extra": "{oops"}, {"extra": "{oops", "anonymous": False},
     {"extra": "须为有效的 JSON / must be valid JSON"}),
])
def test_parse(posted, data, errors):
    got, local, _rows = ui_forms.parse(FORM, MultiDict(posted))
    assert (got, local) == (data, errors)


def test_checked_choices_are_a_list_and_unknown_values_are_dropped():
    got, _e, _r = ui_forms.parse(FORM, MultiDict([("kinds", "a"), ("kinds", "zzz")]))
    assert got["kinds"] == ["a"]


def test_rows_skip_blank_ones_and_errors_come_back_to_the_row_shown():
    posted = MultiDict({"payer": "2024级1班",
                        "entries.0.student_id": "2026000002", "entries.0.amount_cents": "500",
                        "entries.1.student_id": "", "entries.1.amount_cents": "",
                        "entries.2.student_id": "2026000003", "entries.2.amount_cents": "五十"})
    data, local, rows = ui_forms.parse(TOP_UP, posted)
    assert data == {"payer": "2024级1班", "entries": [
        {"student_id": "2026000002", "amount_cents": 500},
        {"student_id": "2026000003", "amount_cents": "五十"}]}
    assert rows == {"entries": [0, 2]}
    assert local == {"entries.1.amount_cents": "须为整数 / must be a whole number"}
    # the department numbers the items it got; the page numbers its rows
    page = ui_forms.to_page_errors({**local, "entries.0.student_id": "格式不正确 / bad",
                                    "payer": "x"}, rows)
    assert page == {"entries.2.amount_cents": "须为整数 / must be a whole number",
                    "entries.0.student_id": "格式不正确 / bad", "payer": "x"}
    shown = by_key(ui_forms.fields(TOP_UP, posted, {"entries.2.amount_cents": "须为整数"}))
    table = shown["entries"]
    assert len(table["rows"]) == 4                          # the three posted and one blank
    assert table["rows"][2]["cells"][1]["error"] == "须为整数"
    assert table["rows"][2]["cells"][1]["value"] == "五十"  # kept as typed
    assert [c["label"] for c in table["columns"]] == ["学号", "金额（分）"]
    assert all("required" not in c["attrs"] for r in table["rows"] for c in r["cells"])


def test_rows_when_nothing_is_posted():
    table = by_key(ui_forms.fields(TOP_UP))["entries"]
    assert len(table["rows"]) == ui_forms.MIN_ROWS
    assert table["rows"][0]["cells"][0]["name"] == "entries.0.student_id"
    assert ui_forms.parse(TOP_UP, MultiDict({"payer": "x"}))[0] == {"payer": "x"}


@pytest.mark.parametrize("path, zh, en", [
    ("building", "宿舍楼栋", "Building"),
    ("period.start", "期间 · 开始", "期间 · 开始"),
    ("correct.x", "需更正 · 材料X", "需更正 · 材料X"),
    ("nothing", "nothing", "nothing"),
])
def test_label_of(path, zh, en):
    labels = {"x": "材料X"}
    assert ui_forms.label_of(FORM, path, "zh", labels) == zh
    assert ui_forms.label_of(FORM, path, "en", labels) == en


def test_label_of_a_row():
    assert ui_forms.label_of(TOP_UP, "entries.2.amount_cents") == "充值名单 第3行 · 金额（分）"
    assert ui_forms.label_of(TOP_UP, "entries.2.amount_cents", "en") == \
        "Who gets how much · row 3 · Amount (fen)"


@pytest.mark.parametrize("path, message, lang, said", [
    ("building", "长度不符合要求 / Length must be between 1 and 32.", "zh", "长度须为 1–32 个字"),
    ("building", "长度不符合要求 / Length must be between 1 and 32.", "en",
     "must be 1–32 characters"),
    ("description", "长度不符合要求 / Longer than maximum length 2000.", "zh", "最多 2000 个字"),
    ("copies", "数值超出范围 / Must be greater than or equal to 1 and less than or equal to 5.",
     "zh", "须在 1–5 之间"),
    ("facility", "只能取以下值之一 / Must be one of: water, door_window.", "zh", "请从列表中选择"),
    ("building", "必填项，请填写 / Missing data for required field.", "zh", "必填项，请填写"),
    ("building", "必填项，请填写 / Missing data for required field.", "en",
     "Missing data for required field."),
    ("nothing", "请写明 / say it", "zh", "请写明"),
])
def test_explain(path, message, lang, said):
    assert ui_forms.explain(ui_forms.find(FORM, path), message, lang) == said


def test_readable_uses_labels_not_keys():
    data = {"building": "A3", "facility": "water", "anonymous": True, "kinds": ["a", "b"],
            "at": "2026-03-02T02:00:00+00:00", "period": {"start": "2026-03-02"},
            "total_cents": 850}                           # added by the department: not shown
    assert ui_forms.readable(FORM, data, "zh") == [
        ("宿舍楼栋", "A3"), ("设施类别", "水路"), ("时间", "2026-03-02 10:00"), ("匿名", "是"),
        ("类别", "a、b"), ("期间", "开始：2026-03-02")]
    rows = ui_forms.readable(TOP_UP, {"payer": "1班", "entries": [
        {"student_id": "2026000002", "amount_cents": 500},
        {"student_id": "2026000003", "amount_cents": 50}]}, "zh")
    assert rows == [("缴款单位", "1班"), ("充值名单", ["学号 2026000002，金额（分） 500",
                                                   "学号 2026000003，金额（分） 50"])]
    assert ui_forms.readable({}, {"details": "旧表单"}) == [("details", "旧表单")]  # no schema


def test_as_posted_then_parse_gives_the_data_back():
    data = {"building": "A3", "facility": "water", "copies": 2, "at":
            "2026-03-02T10:00:00+08:00", "anonymous": True, "members": ["2026000001"],
            "kinds": ["c"], "period": {"start": "2026-03-02"}, "correct": {"y": "未签名"}}
    assert ui_forms.parse(FORM, ui_forms.as_posted(FORM, data))[0] == data


# ---- every item's form and every lifecycle action, as the departments define them ------------
def services():
    for name in DEPARTMENTS:
        module, cls = SERVICES[name][0].split(":")
        yield getattr(importlib.import_module(module), cls)


NOW = system_now()
ITEMS = [(svc, code) for svc in services() for code in svc.ITEMS]
WITH_FORM = [(svc, code) for svc, code in ITEMS if code in svc.FORMS]
WITH_EXAMPLE = [(svc, code) for svc, code in WITH_FORM if svc().example(code, NOW)]


def schema_of(svc, code):
    return forms.form_schema(svc.FORMS[code], svc().example(code, NOW))


def all_widgets(fields):
    for f in fields:
        yield f["widget"]
        yield from all_widgets(f.get("fields", ()))
        for row in f.get("rows", ()):
            yield from all_widgets(row["cells"])


def test_some_items_have_forms_and_examples():
    assert WITH_FORM and WITH_EXAMPLE       # the departments publish them


@pytest.mark.parametrize("svc, code", WITH_FORM, ids=[c for _s, c in WITH_FORM])
def test_every_item_form_can_be_shown(svc, code):
    schema = schema_of(svc, code)
    shown = ui_forms.fields(schema, None, {}, "zh")
    assert [f["key"] for f in shown] == list(schema["properties"])
    assert "json" not in set(all_widgets(shown)), f"{code}: a field the page cannot show"
    for f in shown:
        assert f["label"] != f["key"], f"{code}.{f['key']} has no Chinese label"
        for c in f.get("choices", ()):
            assert c["label"], (code, f["key"], c)


@pytest.mark.parametrize("svc, code", WITH_EXAMPLE, ids=[c for _s, c in WITH_EXAMPLE])
def test_an_example_typed_into_the_page_reaches_the_department_as_itself(svc, code):
    schema = schema_of(svc, code)
    example = schema["examples"][0]
    sent, local, _rows = ui_forms.parse(schema, ui_forms.as_posted(schema, example))
    assert local == {}
    loaded, problems = forms.load(svc.FORMS[code], sent)
    assert problems == {}, problems
    assert loaded == forms.load(svc.FORMS[code], example)[0]
    shown = ui_forms.readable(schema, example)          # the guide's example: labels, not keys
    assert shown and all(label not in schema["properties"] for label, _text in shown)


REPAIR = SimpleNamespace(materials=(Material("photo", "故障照片", "Photo", False),
                                    Material("form", "报修单", "Form", True)))


@pytest.mark.parametrize("step", list(steps.LIFECYCLE.values()) + [steps.ANSWER, steps.EXPEDITE],
                         ids=lambda s: s.action + "-" + s.body.__name__)
def test_every_lifecycle_action_can_be_shown_and_read_back(step):
    schema = step.input_schema(REPAIR)
    labels = ui_logic.material_labels(schema, {"materials": [
        {"code": "photo", "name_zh": "故障照片"}, {"code": "form", "name_zh": "报修单"}]}, "zh")
    shown = ui_forms.fields(schema, None, {}, "zh", f"a-{step.action}-", labels)
    assert "json" not in set(all_widgets(shown))
    posted = MultiDict({"reason": "经核实，同意办理", "answer": "可以",
                        "missing": "photo", "correct.form": "未签名", "deadline": "2026-03-09",
                        "materials": "form"})
    data, local, _rows = ui_forms.parse(schema, posted)
    loaded, problems = forms.load(step.body, data, prefix="")
    assert (local, problems) == ({}, {})
    if step.body is steps.ReturnBody:
        assert labels == {"missing": {"photo": "故障照片", "form": "报修单"},
                          "correct": {"photo": "故障照片", "form": "报修单"}}
        assert loaded == {"reason": "经核实，同意办理", "missing": ["photo"],
                          "correct": {"form": "未签名"}, "deadline": "2026-03-09"}
        widgets = {f["key"]: f["widget"] for f in shown}
        assert widgets == {"reason": "textarea", "missing": "checks", "correct": "map",
                           "deadline": "date"}
    if step.body is steps.ResubmitBody:
        assert loaded["materials"] == ["form"]
