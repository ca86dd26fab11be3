"""The compatibility rules of published contracts (osac_shared.contract_testing), table-driven,
and the lock command: additive changes are recorded, breaking ones refused."""
import copy
import json

import pytest
from marshmallow import Schema, fields, validate

from osac_shared import contract_testing as ct


class Before(Schema):
    student_id = fields.Str(required=True)
    amount_cents = fields.Int(required=True)
    note = fields.Str(load_default="", allow_none=True)
    kind = fields.Str(required=True, validate=validate.OneOf(("a", "b")))


def published(schema=Before):
    return {"events": {"demo.happened@1": {"data": ct.describe_schema(schema)}},
            "rpc": {"demo.do@1": {"args": ct.describe_schema(schema, positional=True),
                                  "result": ct.describe_field(fields.Nested(schema))}}}


def changed(**declared):
    """``Before`` with fields replaced (None: removed) or added."""
    attrs = {k: v for k, v in Before._declared_fields.items()}
    for name, field in declared.items():
        if field is None:
            attrs.pop(name)
        else:
            attrs[name] = field
    return Schema.from_dict(attrs)


CASES = [
    ("unchanged", {}, False),
    ("optional field added", {"currency": fields.Str(load_default="CNY")}, False),
    ("choice added", {"kind": fields.Str(required=True,
                                         validate=validate.OneOf(("a", "b", "c")))}, False),
    ("required made optional", {"amount_cents": fields.Int(load_default=0)}, False),
    ("field removed", {"note": None}, True),
    ("type changed", {"amount_cents": fields.Str(required=True)}, True),
    ("optional made required", {"note": fields.Str(required=True, allow_none=True)}, True),
    ("null refused", {"note": fields.Str(load_default="")}, True),
    ("required field added", {"currency": fields.Str(required=True)}, True),
    ("choice removed", {"kind": fields.Str(required=True, validate=validate.OneOf(("a",)))},
     True),
]


@pytest.mark.parametrize("what,declared,breaking", CASES, ids=[c[0] for c in CASES])
def test_compatibility_table(what, declared, breaking):
    problems = ct.incompatibilities(published(), published(changed(**declared)))
    assert bool(problems) is breaking, problems
    if breaking:         # each side (event data, rpc args, rpc result) names the field
        assert any("demo.happened@1" in p for p in problems)


def test_moving_an_argument_breaks_positional_callers():
    swapped = Schema.from_dict({"amount_cents": fields.Int(required=True),
                                "student_id": fields.Str(required=True),
                                "note": fields.Str(load_default="", allow_none=True),
                                "kind": Before._declared_fields["kind"]})
    problems = ct.incompatibilities(published(), published(swapped))
    assert any("position" in p and "demo.do@1 args" in p for p in problems)


def test_removing_a_published_version_breaks_and_adding_one_does_not():
    now = published()
    gone = copy.deepcopy(now)
    del gone["events"]["demo.happened@1"]
    assert ct.incompatibilities(now, gone) == ["demo.happened@1: removed (keep it until no "
                                               "consumer uses it)"]
    more = copy.deepcopy(now)
    more["events"]["demo.happened@2"] = now["events"]["demo.happened@1"]
    assert ct.incompatibilities(now, more) == []
    assert ct.unrecorded(now, more) == ["events demo.happened@2"]


def test_aid_awarded_v2_is_a_new_version_v1_is_unchanged():
    lock = ct.read_lock()
    assert {"aid.awarded@1", "aid.awarded@2"} <= set(lock["events"])
    v1, v2 = lock["events"]["aid.awarded@1"]["data"], lock["events"]["aid.awarded@2"]["data"]
    assert set(v2) - set(v1) == {"programme_name_zh", "currency"}
    broken = copy.deepcopy(ct.snapshot())       # had v1 gained a required field in place:
    broken["events"]["aid.awarded@1"]["data"]["currency"] = {
        "type": "string", "required": True, "nullable": False}
    assert ct.incompatibilities(lock, broken) == [
        "aid.awarded@1 data.currency: new required field"]


def test_the_lock_command_records_additive_changes_and_refuses_breaking_ones(tmp_path,
                                                                            monkeypatch,
                                                                            capsys):
    lock = tmp_path / "contracts.lock.json"
    monkeypatch.setattr(ct, "LOCK_PATH", lock)
    assert ct.main(["lock"], current=published()) == 0
    assert ct.main(["check"], current=published()) == 0
    additive = published(changed(currency=fields.Str(load_default="CNY")))
    assert ct.main(["check"], current=additive) == 1                # not recorded yet
    assert ct.main(["lock"], current=additive) == 0
    assert "currency" in json.loads(lock.read_text())["events"]["demo.happened@1"]["data"]
    breaking = published(changed(amount_cents=None))
    assert ct.main(["lock"], current=breaking) == 1                 # refused, file kept
    assert "amount_cents" in lock.read_text()
    assert "BREAKING demo.happened@1 data.amount_cents: removed" in capsys.readouterr().out
    assert ct.main(["lock", "--force"], current=breaking) == 0
