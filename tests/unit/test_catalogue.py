"""The catalogue item model and the one-time materials notice."""
import pytest

from osac_shared.catalogue import load_items, missing_materials, service_of, unknown_materials
from osac_shared.cases import materials_notice

ENTRY = {"code": "demo.item", "window": 2, "name_zh": "示例", "name_en": "Example",
         "description_zh": "说明", "description_en": "About", "post": "A",
         "limit": {"value": 3, "unit": "working_days"},
         "materials": [{"code": "id_card", "name_zh": "身份证", "name_en": "ID card"},
                       {"code": "proof", "name_zh": "证明", "name_en": "Proof"},
                       {"code": "photo", "name_zh": "照片", "name_en": "Photo",
                        "mandatory": False}]}


def items(**change):
    return load_items("demo", "示例部门", "Demo", [{**ENTRY, **change}])


def test_item_round_trips_to_dict():
    item = items()["demo.item"]
    d = item.to_dict()
    assert d["limit"] == {"value": 3, "unit": "working_days", "text_zh": "3个工作日"}
    assert [m["mandatory"] for m in d["materials"]] == [True, True, False]
    assert d["department"] == "demo" and d["post"] == "A" and d["green_channel"] is False


@pytest.mark.parametrize("change, complaint", [
    ({"limit": {"value": 0, "unit": "working_days"}}, "value"),
    ({"limit": {"value": 2, "unit": "fortnights"}}, "unit"),
    ({"post": "C"}, "post"),
    ({"window": 14}, "window"),
    ({"code": "Demo Item"}, "code"),
    ({"code": "other.item"}, "must start with"),
    ({"name_zh": ""}, "name_zh"),
])
def test_malformed_entries_fail_at_load(change, complaint):
    with pytest.raises(ValueError) as err:
        items(**change)
    assert complaint in str(err.value)


@pytest.mark.parametrize("provided, missing", [
    ([], ["id_card", "proof"]),
    (["id_card"], ["proof"]),
    (["id_card", "proof"], []),
    (["id_card", "proof", "photo"], []),
    (["photo"], ["id_card", "proof"]),
])
def test_missing_materials_are_listed_all_at_once(provided, missing):
    item = items()["demo.item"]
    assert [m.code for m in missing_materials(item, provided)] == missing
    notice = materials_notice(item, provided)
    assert sorted(notice) == sorted(f"materials.{c}" for c in missing)
    for code in missing:
        assert "请补交" in notice[f"materials.{code}"] and "Please add" in notice[f"materials.{code}"]


def test_unknown_materials_are_named():
    item = items()["demo.item"]
    assert unknown_materials(item, ["id_card", "passport"]) == ["passport"]
    assert "materials.passport" in materials_notice(item, ["id_card", "proof", "passport"])


@pytest.mark.parametrize("code, service", [
    ("aid.national-grant", "aid"), ("student_affairs.dorm-bed", "student_affairs"),
    ("aid-20261126-1a2b3c4d", "aid"), ("campus_it-20261126-00ff00ff", "campus_it"),
])
def test_service_of(code, service):
    assert service_of(code) == service
