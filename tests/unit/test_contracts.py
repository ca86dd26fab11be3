"""Event contracts: the envelope, versioned schemas, tolerant reading."""
import pytest
from marshmallow import ValidationError

from osac_shared.contracts import EVENT_SCHEMAS, make_event, read_event

CASE_DATA = {"item_code": "aid.national-grant", "window": 2, "department": "aid",
             "student_id": "2026000001", "status": "submitted", "actor_id": "2026000001",
             "actor_role": "student", "limit": {"value": 5, "unit": "working_days"},
             "submitted_at": "2026-12-07T10:00:00+08:00"}


def test_envelope_has_every_field():
    env = make_event("case.submitted", "aid", CASE_DATA, occurred_at="2026-12-07T10:00:00+08:00",
                     case_id="aid-20261207-00000001")
    assert set(env) == {"event_id", "type", "version", "occurred_at", "source", "case_id",
                        "correlation_id", "data"}
    assert env["version"] == 1 and env["source"] == "aid"


def test_breaking_the_contract_is_refused_at_the_source():
    with pytest.raises(ValueError):
        make_event("case.submitted", "aid", {**CASE_DATA, "status": "lost"},
                   occurred_at="2026-12-07T10:00:00+08:00")
    with pytest.raises(ValueError):
        make_event("case.teleported", "aid", CASE_DATA, occurred_at="x", version=1)


def test_reader_tolerates_unknown_fields_and_rejects_unknown_versions():
    env = make_event("case.accepted", "aid", CASE_DATA, occurred_at="2026-12-07T10:00:00+08:00")
    env["data"]["added_in_a_later_release"] = True
    env["extra_envelope_field"] = "x"
    read = read_event(env)
    assert "added_in_a_later_release" not in read["data"]
    env["version"] = 99
    with pytest.raises(ValidationError):
        read_event(env)


def test_every_contract_is_a_schema():
    for (type_, version), schema in EVENT_SCHEMAS.items():
        assert "." in type_ and version >= 1
        assert schema().fields, type_
