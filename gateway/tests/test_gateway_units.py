"""The gateway's pure parts, table-driven: composing lists, the error registry, request
schemas, and accounts/sessions on a real (SQLite file) database."""
from datetime import datetime, timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy.orm import sessionmaker
from werkzeug.exceptions import MethodNotAllowed, NotFound, UnsupportedMediaType

from osac_shared.clock import TZ
from osac_shared.db import make_engine
from osac_shared.errors import DomainError, forbidden
from osac_shared import steps
from osac_shared.registry import DEPARTMENTS

from gateway import accounts, compose, schemas
from gateway.clients import ServiceDown, ServiceFailed, ServiceTimeout, context_data
from gateway.errors import error_response

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)


def case(id_, updated):
    return {"id": id_, "updated_at": f"2026-12-0{updated}T10:00:00+08:00"}


# ---- compose -------------------------------------------------------------------------
@pytest.mark.parametrize("lists, page, per_page, ids", [
    ([[case("a-1", 5), case("a-2", 3)], [case("b-1", 4)]], 1, 10, ["a-1", "b-1", "a-2"]),
    ([[case("a-1", 5), case("a-2", 3)], [case("b-1", 4)]], 1, 2, ["a-1", "b-1"]),
    ([[case("a-1", 5), case("a-2", 3)], [case("b-1", 4)]], 2, 2, ["a-2"]),
    ([[case("a-1", 5), case("a-2", 3)], [case("b-1", 4)]], 3, 2, []),
    ([[], []], 1, 20, []),
    ([[case("a-1", 4)], [case("b-1", 4)]], 1, 5, ["b-1", "a-1"]),   # same time: id breaks ties
])
def test_merge_pages_newest_first(lists, page, per_page, ids):
    assert [c["id"] for c in compose.merge_pages(lists, page, per_page)] == ids


@pytest.mark.parametrize("page, per_page, size", [(1, 20, 20), (3, 20, 60), (2, 100, 200)])
def test_merge_size(page, per_page, size):
    assert compose.merge_size(page, per_page) == size


def test_merge_size_past_the_limit_names_the_field():
    with pytest.raises(ValidationError) as err:
        compose.merge_size(3, 100)
    assert "page" in err.value.messages


@pytest.mark.parametrize("deadline, expected", [
    (None, {"due_at": None, "flagged": False, "sla_status": None, "on_time": None}),
    ({"due_at": "2026-12-09T10:00:00+08:00", "flagged": True, "status": "breached"},
     {"due_at": "2026-12-09T10:00:00+08:00", "flagged": True, "sla_status": "breached",
      "on_time": None}),
    ({"due_at": "2026-12-09T10:00:00+08:00", "flagged": False, "status": "met",
      "on_time": True},
     {"due_at": "2026-12-09T10:00:00+08:00", "flagged": False, "sla_status": "met",
      "on_time": True}),
])
def test_attach_deadline(deadline, expected):
    out = compose.attach_deadline({"id": "x-1"}, deadline)
    assert out == {"id": "x-1", **expected}


def test_group_by_window_orders_windows_and_items():
    items = [{"window": 11, "code": "logistics.z"}, {"window": 2, "code": "aid.b"},
             {"window": 11, "code": "logistics.a"}]
    groups = compose.group_by_window(items)
    assert [(w, name) for w, name, _ in groups] == [(2, "学生资助"), (11, "维修服务")]
    assert [i["code"] for i in groups[1][2]] == ["logistics.a", "logistics.z"]


# ---- the error registry --------------------------------------------------------------
@pytest.mark.parametrize("exc, status, code", [
    (DomainError("materials_missing", "材料不齐", "incomplete", {"materials.x": "add"}, 422),
     422, "materials_missing"),
    (forbidden(), 403, "forbidden"),
    (ValidationError({"reason": ["Missing data for required field."]}), 422,
     "validation_failed"),
    (ServiceDown("logistics"), 503, "service_unavailable"),
    (ServiceTimeout("logistics"), 504, "service_timeout"),
    (ServiceFailed("logistics", "KeyError"), 502, "service_failed"),
    (UnsupportedMediaType(), 415, "unsupported_media_type"),
    (NotFound(), 404, "not_found"),
    (MethodNotAllowed(), 405, "method_not_allowed"),
    (KeyError("bug"), 500, "internal_error"),
])
def test_error_registry(exc, status, code):
    got_status, body = error_response(exc, "cid-12345678")
    assert (got_status, body["error"]) == (status, code)
    assert set(body) == {"error", "message", "message_en", "fields"}
    assert body["message"] and body["message_en"]


def test_service_errors_name_the_department_in_both_languages():
    _, body = error_response(ServiceDown("logistics"))
    assert "后勤处" in body["message"] and "Logistics" in body["message_en"]
    assert body["fields"] == {"department": "logistics"}


def test_validation_errors_are_chinese_first():
    _, body = error_response(ValidationError({"reason": ["Missing data for required field."]}))
    assert body["fields"]["reason"].startswith("必填项")


def test_unexpected_errors_never_leak_details():
    _, body = error_response(KeyError("secret internals"), "cid-12345678")
    assert "secret" not in str(body) and "cid-12345678" in body["message"]


# ---- schemas -------------------------------------------------------------------------
@pytest.mark.parametrize("schema, data, bad_fields", [
    (steps.ReasonBody, {}, {"reason"}),
    (steps.ReasonBody, {"reason": "   "}, {"reason"}),
    (steps.ReasonBody, {"reason": "不符合条件"}, set()),
    (steps.ReturnBody, {"reason": "缺材料", "missing": ["photo"], "deadline": "2026-12-10"},
     set()),
    (steps.ReturnBody, {"reason": "缺材料", "correct": {"photo": "模糊"}}, set()),
    (steps.ReturnBody, {"missing": "photo", "deadline": "tomorrow", "correct": 3},
     {"reason", "missing", "deadline", "correct"}),
    (steps.ReturnBody, {"reason": "x", "other": 1}, {"other"}),
    (steps.AnswerBody, {"answer": " \n "}, {"answer"}),
    (schemas.SubmitBody, {"item_code": "logistics.dorm-repair"}, set()),
    (schemas.SubmitBody, {"item_code": "Bad Code", "materials": "x", "extra": 1},
     {"item_code", "materials", "extra"}),
    (steps.ResubmitBody, {}, {"materials"}),
    (schemas.LoginBody, {"username": ""}, {"username", "password"}),
])
def test_request_schemas_name_every_bad_field(schema, data, bad_fields):
    try:
        schema().load(data)
        found = set()
    except ValidationError as err:
        found = set(err.messages)
    assert found == bad_fields


@pytest.mark.parametrize("args, expected", [
    ({}, {"page": 1, "per_page": 20, "statuses": None}),
    ({"status": "submitted, resubmitted", "page": "2", "_": "1"},
     {"page": 2, "per_page": 20, "statuses": ["submitted", "resubmitted"]}),
])
def test_list_query(args, expected):
    assert schemas.ListQuery().load(args) == expected


def test_list_query_refuses_unknown_statuses_and_pages_at_once():
    with pytest.raises(ValidationError) as err:
        schemas.ListQuery().load({"status": "submitted,lost", "per_page": "500"})
    assert set(err.value.messages) == {"status", "per_page"}
    assert "lost" in err.value.messages["status"][0]


def test_context_data_drops_empty_values():
    assert context_data({"id": "s1", "role": "student", "department": None}, "cid") == {
        "correlation_id": "cid", "actor": {"id": "s1", "role": "student"}}
    assert context_data(None, None) == {}


# ---- accounts ------------------------------------------------------------------------
def test_demo_accounts_cover_every_department_and_role():
    by_name = {a["username"]: a for a in accounts.demo_accounts()}
    for dept in DEPARTMENTS:
        assert by_name[f"{dept}_b"]["role"] == "b_post"
        assert by_name[f"{dept}_a"] == {"username": f"{dept}_a", "role": "a_post",
                                        "department": dept, "name": by_name[f"{dept}_a"]["name"]}
    assert by_name["2026000001"]["name"] == "张三" and by_name["2026000002"]["name"] == "李四"
    assert by_name["director"]["role"] == "director" and by_name["desk"]["role"] == "desk"
    assert by_name["committee"] == {"username": "committee", "role": "committee",
                                    "department": None, "name": "管理委员会"}


@pytest.fixture(scope="module")
def Session(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('gw')}/gateway.db")
    accounts.init_db(engine, seed=True, now=NOW)
    accounts.init_db(engine, seed=True, now=NOW)       # idempotent
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def test_authenticate(Session):
    with Session() as s:
        assert accounts.authenticate(s, "2026000001", "demo1234").name == "张三"
        assert accounts.authenticate(s, "2026000001", "wrong") is None
        assert accounts.authenticate(s, "nobody", "demo1234") is None


@pytest.mark.parametrize("hours_later, logged_in", [(0, True), (7.9, True), (8, False),
                                                     (30, False)])
def test_sessions_expire(Session, hours_later, logged_in):
    with Session() as s:
        user = s.get(accounts.User, "director")
        token = accounts.open_session(s, user, NOW, 8, "k")
        s.commit()
        found = accounts.user_for_token(s, token, NOW + timedelta(hours=hours_later), "k")
    assert (found is not None) is logged_in


def test_logout_deletes_the_session_and_tokens_are_not_stored(Session):
    with Session() as s:
        token = accounts.open_session(s, s.get(accounts.User, "desk"), NOW, 8, "k")
        s.commit()
        assert s.get(accounts.LoginSession, token) is None          # only the HMAC is kept
        assert accounts.user_for_token(s, token, NOW, "other-key") is None
        accounts.close_session(s, token, "k")
        s.commit()
        assert accounts.user_for_token(s, token, NOW, "k") is None


def test_idempotency_keys_are_per_user_and_first_wins(Session):
    with Session() as s:
        assert accounts.remember_key(s, "2026000001", "k1", "logistics-1", "f1", NOW)
        assert not accounts.remember_key(s, "2026000001", "k1", "logistics-2", "f2", NOW)
        assert accounts.case_for_key(s, "2026000001", "k1") == ("logistics-1", "f1")
        assert accounts.case_for_key(s, "2026000002", "k1") is None
