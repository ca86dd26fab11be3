"""One-time notification rules (plain functions), table-driven."""
import pytest

from osac_shared.catalogue import load_items
from osac_shared.errors import DomainError
from osac_shared.notices import build_notice, changed_since_first_notice, violations

ITEM = load_items("demo", "示例", "Demo", [{
    "code": "demo.item", "window": 2, "name_zh": "示例", "name_en": "Example",
    "description_zh": "", "description_en": "", "post": "B",
    "limit": {"value": 3, "unit": "working_days"},
    "materials": [{"code": c, "name_zh": c, "name_en": c} for c in ("a", "b", "c", "d")]}])[
    "demo.item"]


def n(missing=(), correct=(), at="2026-12-07T10:00:00+08:00"):
    return {"missing": list(missing), "correct": {c: "x" for c in correct}, "at": at}


@pytest.mark.parametrize("earlier, changed, new, expected", [
    ([], set(), n(["a"], ["b"]), []),                     # the first notice may name anything
    ([n(["a"])], set(), n(["a"]), []),                    # still missing: may be named again
    ([n(["a"])], set(), n(["a", "b"]), ["b"]),            # b was never named: violation
    ([n(["a"])], {"b"}, n(["b"]), []),                    # the student changed b: allowed
    ([n(["a"], ["c"])], set(), n([], ["c"]), []),         # still wrong: allowed
    ([n(["a"]), n([], ["b"])], set(), n(["c", "d"]), ["c", "d"]),
    ([n(["a"])], {"a"}, n([], ["a"]), []),                # a supplied but wrong: allowed
])
def test_violations(earlier, changed, new, expected):
    assert violations(earlier, changed, new) == expected


def test_changed_since_first_notice_counts_only_later_supplements():
    notices = [n(["a"], at="2026-12-07T10:00:00+08:00")]
    supplements = [{"at": "2026-12-06T09:00:00+08:00", "materials": ["d"]},
                   {"at": "2026-12-08T09:00:00+08:00", "materials": ["a", "b"]}]
    assert changed_since_first_notice(notices, supplements) == {"a", "b"}
    assert changed_since_first_notice([], supplements) == set()


@pytest.mark.parametrize("notice, reason, bad_field", [
    ({"missing": ["zz"]}, "", "notice.zz"),
    ({}, "", "notice.missing"),
    ({}, "表单填写有误", "notice.missing"),           # a reason alone names nothing to fix
    ({"missing": [], "correct": {}}, "缺材料", "notice.missing"),
    ({"missing": ["a"], "deadline": "next week"}, "", "notice.deadline"),
])
def test_incomplete_notices_are_refused(notice, reason, bad_field):
    with pytest.raises(DomainError) as err:
        build_notice(ITEM, notice, reason)
    assert bad_field in err.value.fields


def test_notice_normalised():
    out = build_notice(ITEM, {"missing": ["a", "a"], "correct": ["b"], "deadline": "2026-12-10"},
                       "材料不全")
    assert out == {"missing": ["a"], "correct": {"b": ""}, "deadline": "2026-12-10", "note": ""}
