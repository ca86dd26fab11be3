"""The OpenAPI document (/api/openapi.json) and the Flask app name the same routes: every /api
rule of ``app.url_map`` (method + path) is documented, and everything documented is served, so
a route added without its description (or a description left behind) fails here."""
import re

import pytest

from gateway.app import create_app
from gateway.config import Settings

IGNORED = {"HEAD", "OPTIONS"}
VARIABLE = re.compile(r"<(?:(?P<conv>[a-z_]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def openapi_paths(rule):
    """Flask rule -> its OpenAPI paths: ``<int:x>`` -> ``{x}``; ``<any(a, b):x>`` -> one path
    per choice (the document lists each action on its own)."""
    paths = [""]
    position = 0
    for m in VARIABLE.finditer(rule):
        paths = [p + rule[position:m.start()] for p in paths]
        if m.group("conv") == "any":
            choices = [c.strip().strip("'\"") for c in m.group("args").split(",")]
            paths = [p + c for p in paths for c in choices]
        else:
            paths = [p + "{" + m.group("name") + "}" for p in paths]
        position = m.end()
    return [p + rule[position:] for p in paths]


def test_openapi_paths_of_flask_rules():
    assert openapi_paths("/api/me") == ["/api/me"]
    assert openapi_paths("/api/hall/questions/<int:question_id>/refer") == \
        ["/api/hall/questions/{question_id}/refer"]
    assert openapi_paths("/api/cases/<case_id>/<any(resubmit, withdraw):action>") == \
        ["/api/cases/{case_id}/resubmit", "/api/cases/{case_id}/withdraw"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("openapi") / "gateway.db"
    return create_app(Settings(db_url=f"sqlite:///{db}"))


@pytest.fixture(scope="module")
def doc(app):
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def served(app):
    """{(METHOD, OpenAPI path)} of every rule the app serves."""
    return {(method, path) for rule in app.url_map.iter_rules()
            for method in rule.methods - IGNORED for path in openapi_paths(rule.rule)}


def documented(doc):
    return {(method.upper(), path) for path, operations in doc["paths"].items()
            for method in operations}


def test_every_api_route_is_documented_and_nothing_else(app, doc):
    api = {(m, p) for m, p in served(app) if p.startswith("/api/")}
    assert sorted(api - documented(doc)) == [], "served under /api but not in openapi.py"
    assert sorted(documented(doc) - served(app)) == [], "documented but not served"


def test_each_operation_declares_its_path_parameters_and_errors(doc):
    schemas = doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == in_path, where
            assert any(code.startswith("2") for code in op["responses"]), where
            assert "text/html" in op["responses"]["414"]["content"], where   # gunicorn's
            for code, response in op["responses"].items():
                if code[0] in "45" and code != "414":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", where
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                name = body["schema"]["$ref"].rsplit("/", 1)[-1]
                assert name in schemas and schemas[name]["type"] == "object", where
            if method == "post" and path.startswith("/api/") and path != "/api/login":
                assert {"403", "415"} <= set(op["responses"]), where     # CSRF, not JSON


def test_bodies_and_queries_come_from_the_schemas_the_routes_load(doc):
    """Spot checks that the document is generated from the marshmallow schemas."""
    schemas, paths = doc["components"]["schemas"], doc["paths"]
    assert schemas["HandOverBody"]["properties"]["window"] == \
        {"type": "integer", "minimum": 1, "maximum": 13}
    assert set(schemas["TransferBody"]["required"]) == {"to_student_id", "amount_cents"}
    assert schemas["RateBody"]["additionalProperties"] is False
    deadline = {p["name"]: p for p in paths["/api/calendar/deadline"]["get"]["parameters"]}
    assert deadline["start"]["required"] and deadline["start"]["schema"]["format"] == "date-time"
    assert set(deadline["unit"]["schema"]["enum"]) >= {"working_days"}
    report = {p["name"] for p in paths["/api/sla/report"]["get"]["parameters"]}
    assert report == {"from", "to"}
    money = paths["/api/finance/payments"]["post"]
    key = next(p for p in money["parameters"] if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and key["required"]
    assert "text/csv" in paths["/api/hall/report"]["get"]["responses"]["200"]["content"]
