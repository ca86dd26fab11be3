"""Filling the UI's forms in Chromium from data, the way a person would, reading only the JSON
Schema the API publishes (``form_schema`` of the catalogue, ``input_schema`` of a case's
next actions) and the page's documented names: a field is named by its path (``building``,
``period.start``, ``entries.0.amount_cents``, ``correct.transcript``); a list of choices is a
set of checkboxes named by the list, one per value; a list of text is a text area, one item a
line; a list of objects is a set of rows (more with the "添加一行" button); a time is a
``datetime-local`` input in Beijing time."""
from datetime import datetime

import requests

from osac_shared.clock import TZ


def catalogue(url):
    body = requests.get(url + "/api/catalogue", timeout=60).json()
    return {i["code"]: i for i in body["items"]}


def kind_of(schema):
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def _in(scope, name, value=None):
    selector = f'[name="{name}"]' + (f'[value="{value}"]' if value is not None else "")
    return scope.locator(selector)


def _local_minute(value):
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")


def fill(scope, schema, data, base=""):
    """Type ``data`` into the form ``scope`` (a page or a form locator) built from
    ``schema``. Fields ``data`` leaves out keep what the page shows (their defaults)."""
    for key, prop in (schema.get("properties") or {}).items():
        if key not in data or data[key] is None:
            continue
        fill_value(scope, prop, f"{base}{key}", data[key])


def fill_value(scope, prop, name, value):
    kind = kind_of(prop)
    items = prop.get("items") or {}
    if kind == "boolean":
        _in(scope, name).set_checked(bool(value))
    elif "enum" in prop:
        _in(scope, name).select_option(str(value))
    elif kind == "array" and "enum" in items:
        for choice in items["enum"]:
            _in(scope, name, choice).set_checked(choice in value)
    elif kind == "array" and kind_of(items) == "object":
        for i, row in enumerate(value):
            first = f"{name}.{i}.{next(iter(items['properties']))}"
            while _in(scope, first).count() == 0:        # the page shows too few rows
                scope.locator(f'[data-rows="{name}"] button.add-row').click()
            fill(scope, items, row, f"{name}.{i}.")
    elif kind == "array":
        _in(scope, name).fill("\n".join(str(v) for v in value))
    elif kind == "object" and prop.get("properties"):
        fill(scope, prop, value, name + ".")
    elif kind == "object":
        for k, v in value.items():
            _in(scope, f"{name}.{k}").fill(str(v))
    elif prop.get("format") == "date-time":
        _in(scope, name).fill(_local_minute(value))
    else:
        _in(scope, name).fill(str(value))
