"""One definition per item form: every item of every department has a form (a marshmallow
``Form``) and one complete example; the JSON Schema the catalogue publishes is valid, takes
the example, names every field in both languages, and refuses what the department refuses
(a missing required field, an unknown key, a value outside an enum, blank required text)."""
import copy
import importlib

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from osac_shared import forms
from osac_shared.clock import system_now
from osac_shared.registry import DEPARTMENTS, SERVICES


def services():
    for name in DEPARTMENTS:
        module, cls = SERVICES[name][0].split(":")
        yield getattr(importlib.import_module(module), cls)


CASES = [(svc, code) for svc in services() for code in svc.ITEMS]
IDS = [code for _svc, code in CASES]
NOW = system_now()


def schema_of(svc, code):
    return forms.form_schema(svc.FORMS[code], svc().example(code, NOW))


def json_ok(schema, data):
    return not list(Draft202012Validator(schema, format_checker=FormatChecker())
                    .iter_errors(data))


def department_ok(svc, code, data):
    loaded, problems = forms.load(svc.FORMS[code], data)
    return not problems


@pytest.mark.parametrize("svc, code", CASES, ids=IDS)
def test_every_item_has_a_form_and_an_example(svc, code):
    assert code in svc.FORMS, f"{code} has no form"
    assert issubclass(svc.FORMS[code], forms.Form), f"{code}'s form is not a forms.Form"
    example = svc().example(code, NOW)
    assert isinstance(example, dict) and example, f"{code} has no example"


@pytest.mark.parametrize("svc, code", CASES, ids=IDS)
def test_the_published_schema_is_valid_and_takes_its_example(svc, code):
    schema = schema_of(svc, code)
    Draft202012Validator.check_schema(schema)
    example = schema["examples"][0]
    assert json_ok(schema, example), list(Draft202012Validator(schema).iter_errors(example))
    assert department_ok(svc, code, example), forms.load(svc.FORMS[code], example)[1]


def properties(schema, prefix=""):
    """(dotted name, property) of every field, nested objects and lists of them included."""
    for name, prop in schema.get("properties", {}).items():
        yield prefix + name, prop
        inner = prop.get("items", prop)
        if inner.get("properties"):
            yield from properties(inner, f"{prefix}{name}[].")


@pytest.mark.parametrize("svc, code", CASES, ids=IDS)
def test_every_field_and_choice_is_named_in_both_languages(svc, code):
    for name, prop in properties(schema_of(svc, code)):
        assert prop.get("title") and prop.get("x-title-en"), f"{code}.{name} has no label"
        if "enum" in prop:
            labels = prop["x-enum-labels"]
            for value in prop["enum"]:
                assert labels["zh"][str(value)] != str(value), \
                    f"{code}.{name}: choice {value!r} has no Chinese label"
                assert labels["en"][str(value)], f"{code}.{name}: choice {value!r}"


def mutations(schema):
    """(what, a form both must refuse) built from the example."""
    example = schema["examples"][0]
    yield "an unknown key", {**example, "no_such_field": "x"}
    for name in schema.get("required", ()):
        data = copy.deepcopy(example)
        data.pop(name, None)
        yield f"without {name}", data
    for name, prop in schema["properties"].items():
        if "enum" in prop:
            yield f"{name} outside its choices", {**example, name: "__not_a_choice__"}
        if prop.get("pattern") == r"\S" and name in schema.get("required", ()):
            yield f"{name} blank", {**example, name: "   "}


@pytest.mark.parametrize("svc, code", CASES, ids=IDS)
def test_the_schema_and_the_department_refuse_the_same(svc, code):
    schema = schema_of(svc, code)
    for what, data in mutations(schema):
        assert not json_ok(schema, data), f"{code}: the JSON Schema takes a form {what}"
        assert not department_ok(svc, code, data), f"{code}: the department takes a form {what}"


@pytest.mark.parametrize("field, value, ok", [
    (forms.Text(required=True), "  你好  ", "你好"),
    (forms.Text(required=True), "   ", None),
    (forms.Text(load_default=""), "   ", ""),
    (forms.Text(required=True, max_length=3), "abcd", None),
])
def test_text_strips_and_refuses_blank(field, value, ok):
    schema_cls = forms.Form.from_dict({"v": field})
    loaded, problems = forms.load(schema_cls, {"v": value})
    if ok is None:
        assert "form.v" in problems
    else:
        assert loaded == {"v": ok}
