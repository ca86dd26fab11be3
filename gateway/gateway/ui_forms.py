"""Web forms from JSON Schema (plain functions, no Flask, no I/O).

The catalogue publishes each item's form as ``form_schema`` and each case action's input as
``input_schema`` (``osac_shared.forms``: the department's own marshmallow definition). The UI
renders both with the same functions and sends what the person typed back in the shape the
schema describes; the department loads it with that very definition and names every problem,
so the page, the API and the department cannot drift apart.

    fields(schema, values, errors, lang, id_prefix, labels)  -> [field] for the template
    parse(schema, posted)        -> (data, {path: "中文 / English"}, rows) from a posted form
    to_page_errors(fields, rows) -> a department's {path: message} with row numbers as shown
    as_posted(schema, data)      -> the data as a posted form (prefill, examples)
    readable(schema, data, lang) -> [(label, text)] a person can read (the guide's example,
                                    a case's application details)
    label_of(schema, path, lang) -> the field's label ("充值名单 第2行 · 金额")

Posted names are the data's paths: ``building``, ``period.start``, ``entries.0.amount_cents``
(a list of objects is shown as rows), ``correct.transcript`` (a map with known keys); a list
of choices posts one value per ticked box, a list of text one item per line. A value that
cannot be read as its type is sent as typed, so the department refuses it together with
everything else (one notice); the page says what is wrong with it in its own words.
"""
import json
import re
from datetime import datetime

from werkzeug.datastructures import MultiDict

from osac_shared.clock import TZ

from . import i18n

LONG_TEXT = 200          # text allowing more characters than this gets a text area
MIN_ROWS = 3             # a list of objects shows at least this many rows (more: "add a row")
MAX_ROWS = 50
SPLIT_ITEMS = re.compile(r"[\s,，、;；]+")

ERR = {"integer": ("须为整数", "must be a whole number"),
       "number": ("须为数字", "must be a number"),
       "json": ("须为有效的 JSON", "must be valid JSON")}


# ---- reading a schema ------------------------------------------------------------------
def kind_of(schema):
    """(type, nullable) of a property: "string", "integer", ..., or None."""
    kind = schema.get("type")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        return (rest[0] if rest else None), "null" in kind
    return kind, False


def title(schema, key, lang):
    if lang == "en" and schema.get("x-title-en"):
        return schema["x-title-en"]
    return schema.get("title") or schema.get("x-title-en") or key


def help_text(schema, lang):
    if lang == "en" and schema.get("x-description-en"):
        return schema["x-description-en"]
    return schema.get("description") or ""


def choice_label(schema, value, lang, labels=None):
    """An enum value's label: the caller's (e.g. material names), the schema's
    ``x-enum-labels`` in the language, else the UI's own table; never a bare code when any
    label is known."""
    if labels and value in labels:
        return labels[value]
    given = (schema.get("x-enum-labels") or {}).get(lang, {}).get(str(value))
    if given and given != str(value):
        return given
    zh = (schema.get("x-enum-labels") or {}).get("zh", {}).get(str(value))
    return i18n.choice(value, zh, lang)


def widget_of(schema):
    """How a property is shown: text, textarea, number, date, datetime, select, checkbox,
    checks (a list of choices), lines (a list, one per line), rows (a list of objects),
    group (an object), map (an object with known keys), json (anything else)."""
    kind, _null = kind_of(schema)
    if "enum" in schema and kind != "array":
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if kind == "array":
        items = schema.get("items") or {}
        item_kind, _ = kind_of(items)
        if "enum" in items:
            return "checks"
        if item_kind == "object" and items.get("properties") and all(
                widget_of(p) in SCALAR for p in items["properties"].values()):
            return "rows"
        if item_kind in ("string", "integer", "number"):
            return "lines"
        return "json"
    if kind == "object":
        if schema.get("properties"):
            return "group"
        if (schema.get("propertyNames") or {}).get("enum"):
            return "map"
        return "json"
    if schema.get("format") == "date":
        return "date"
    if schema.get("format") == "date-time":
        return "datetime"
    if (schema.get("maxLength") or 0) > LONG_TEXT:
        return "textarea"
    return "text"


SCALAR = ("text", "textarea", "number", "date", "datetime", "select", "checkbox")


def _attrs(schema, widget, required):
    out = {}
    if widget in ("text", "textarea"):
        if schema.get("maxLength") is not None:
            out["maxlength"] = schema["maxLength"]
        low = schema.get("minLength")
        if low and low > 1:
            out["minlength"] = low
        if re.fullmatch(r"\^?\[0-9\]\{\d+(,\d+)?\}\$?", schema.get("pattern") or ""):
            out["inputmode"] = "numeric"
    if widget == "number":
        kind, _ = kind_of(schema)
        step = 1 if kind == "integer" else "any"
        out["step"] = step
        if "minimum" in schema:
            out["min"] = schema["minimum"]
        elif "exclusiveMinimum" in schema and kind == "integer":
            out["min"] = schema["exclusiveMinimum"] + 1
        if "maximum" in schema:
            out["max"] = schema["maximum"]
        elif "exclusiveMaximum" in schema and kind == "integer":
            out["max"] = schema["exclusiveMaximum"] - 1
        out["inputmode"] = "numeric" if kind == "integer" else "decimal"
    if required and widget not in ("checkbox",):
        out["required"] = True
    return out


def _hint(schema, widget, lang):
    """What the person should know to fill it in: its help, the list format, the limits."""
    parts = [help_text(schema, lang)] if help_text(schema, lang) else []
    zh = lang != "en"
    if widget == "lines":
        parts.append("每行一项" if zh else "one per line")
    if widget == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            parts.append(f"{low}–{high}")
    if widget == "datetime":
        parts.append("北京时间" if zh else "Beijing time")
    for key, zh_text, en_text in (("minItems", "至少{n}项", "at least {n}"),
                                  ("maxItems", "最多{n}项", "at most {n}")):
        if schema.get(key) and widget in ("lines", "checks", "rows"):
            parts.append((zh_text if zh else en_text).format(n=schema[key]))
    return ("；" if zh else "; ").join(p for p in parts if p)


# ---- fields for the template -----------------------------------------------------------
def _values(values):
    if values is None:
        return MultiDict()
    if isinstance(values, MultiDict):
        return values
    return MultiDict(values)


def fields(schema, values=None, errors=None, lang="zh", id_prefix="f-", labels=None):
    """The properties of ``schema`` as fields to render: each with its name (the posted
    name, a path), id, widget, label, hint, attributes (required, maxlength, min, max),
    choices [{value, label, on, id}], its current value and its error. ``values`` is the
    posted form (or ``as_posted`` of some data), ``errors`` {path: message}, ``labels``
    {path: {value: label}} for choices the schema does not label (material names)."""
    return _fields(schema or {}, _values(values), errors or {}, lang, id_prefix,
                   labels or {}, "")


def _fields(schema, values, errors, lang, id_prefix, labels, base):
    required = set(schema.get("required") or ())
    out = []
    for key, prop in (schema.get("properties") or {}).items():
        out.append(_field(prop, key, f"{base}{key}", key in required, values, errors, lang,
                          id_prefix, labels))
    return out


def field_id(id_prefix, path):
    return id_prefix + re.sub(r"[^0-9A-Za-z_-]", "-", path)


def _field(prop, key, path, required, values, errors, lang, id_prefix, labels):
    widget = widget_of(prop)
    f = {"key": key, "name": path, "id": field_id(id_prefix, path), "widget": widget,
         "label": title(prop, key, lang), "hint": _hint(prop, widget, lang),
         "required": required, "attrs": _attrs(prop, widget, required),
         "error": errors.get(path), "schema": prop}
    if widget == "select":
        current = values.get(path, "")
        f["value"] = current
        f["choices"] = [{"value": str(v), "label": choice_label(prop, v, lang, labels.get(path)),
                         "on": str(v) == current} for v in prop["enum"]]
    elif widget == "checks":
        items = prop.get("items") or {}
        ticked = set(values.getlist(path))
        f["choices"] = [{"value": str(v), "label": choice_label(items, v, lang, labels.get(path)),
                         "on": str(v) in ticked, "id": field_id(f["id"] + "-", str(v))}
                        for v in items["enum"]]
    elif widget == "checkbox":
        f["value"] = values.get(path, "") not in ("", "0", "false")
    elif widget == "group":
        f["fields"] = _fields(prop, values, errors, lang, id_prefix, labels, path + ".")
        f["error"] = errors.get(path)
    elif widget == "map":
        names = labels.get(path) or {}
        f["entries"] = [{"key": k, "name": f"{path}.{k}", "id": field_id(id_prefix, f"{path}.{k}"),
                         "label": names.get(k, k), "value": values.get(f"{path}.{k}", ""),
                         "error": errors.get(f"{path}.{k}")}
                        for k in prop["propertyNames"]["enum"]]
    elif widget == "rows":
        f["columns"], f["rows"] = _rows(prop, path, values, errors, lang, id_prefix, labels)
    else:
        f["value"] = values.get(path, "")
    return f


def _posted_rows(path, values):
    """How many rows of the list at ``path`` the posted form has (its last one with text)."""
    last = -1
    pattern = re.compile(re.escape(path) + r"\.(\d+)\.")
    for name in values.keys():
        m = pattern.match(name)
        if m and any(v.strip() for v in values.getlist(name)):
            last = max(last, int(m.group(1)))
    return last + 1


def _rows(prop, path, values, errors, lang, id_prefix, labels):
    items = prop["items"]
    required = set(items.get("required") or ())
    columns = [{"key": k, "label": title(p, k, lang), "required": k in required,
                "widget": widget_of(p)} for k, p in items["properties"].items()]
    high = min(prop.get("maxItems") or MAX_ROWS, MAX_ROWS)
    count = min(high, max(prop.get("minItems") or 0, _posted_rows(path, values) + 1, MIN_ROWS))
    rows = []
    for i in range(count):
        cells = [_field(p, k, f"{path}.{i}.{k}", k in required, values, errors, lang,
                        id_prefix, labels) for k, p in items["properties"].items()]
        for cell in cells:          # a blank row is fine; a row begun needs its columns
            cell["attrs"].pop("required", None)
        rows.append({"index": i, "number": i + 1, "cells": cells,
                     "error": errors.get(f"{path}.{i}")})
    return columns, rows


# ---- parsing a posted form ---------------------------------------------------------------
def parse(schema, posted):
    """A posted form -> (data in the schema's shape, our own {path: "中文 / English"} for what
    could not be read, {list path: [row number on the page of each item sent]}).

    Blank optional fields are left out (the department's default applies); blank required
    ones too, so the department names them with everything else; blank rows are dropped."""
    data, errors, rows = {}, {}, {}
    _parse_object(schema or {}, _values(posted), "", data, errors, rows)
    return data, errors, rows


def _parse_object(schema, posted, base, out, errors, rows):
    for key, prop in (schema.get("properties") or {}).items():
        path = f"{base}{key}"
        found = _parse_value(prop, path, posted, errors, rows)
        if found is not _MISSING:
            out[key] = found


_MISSING = object()


def _scalar(prop, path, raw, errors):
    kind, _null = kind_of(prop)
    text = raw.strip() if isinstance(raw, str) else raw
    if text in ("", None):
        return _MISSING
    if kind == "integer":
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        errors[path] = "{} / {}".format(*ERR["integer"])
        return text
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            errors[path] = "{} / {}".format(*ERR["number"])
            return text
        return int(number) if number.is_integer() and "." not in text else number
    if prop.get("format") == "date-time" and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", text):
        return text + ("" if text.count(":") == 2 else ":00") + "+08:00"
    return text


def _parse_value(prop, path, posted, errors, rows):
    widget = widget_of(prop)
    if widget == "checkbox":
        return posted.get(path, "") not in ("", "0", "false")
    if widget == "checks":
        allowed = [str(v) for v in prop["items"]["enum"]]
        ticked = [v for v in posted.getlist(path) if v in allowed]
        return ticked if ticked or path in posted else _MISSING
    if widget == "lines":
        raw = posted.get(path, "")
        items = prop.get("items") or {}
        free_text = kind_of(items)[0] == "string" and not items.get("pattern") \
            and "enum" not in items
        parts = raw.splitlines() if free_text else SPLIT_ITEMS.split(raw)
        values = []
        for part in (p.strip() for p in parts):
            if part:
                value = _scalar(items, f"{path}.{len(values)}", part, errors)
                values.append(value)
        return values if values else _MISSING
    if widget == "group":
        out = {}
        _parse_object(prop, posted, path + ".", out, errors, rows)
        return out if out else _MISSING
    if widget == "map":
        out = {}
        for key in prop["propertyNames"]["enum"]:
            text = posted.get(f"{path}.{key}", "").strip()
            if text:
                out[key] = text
        return out if out else _MISSING
    if widget == "rows":
        return _parse_rows(prop, path, posted, errors, rows)
    if widget == "json":
        text = posted.get(path, "").strip()
        if not text:
            return _MISSING
        try:
            return json.loads(text)
        except ValueError:
            errors[path] = "{} / {}".format(*ERR["json"])
            return text
    return _scalar(prop, path, posted.get(path, ""), errors)


def _parse_rows(prop, path, posted, errors, rows):
    items = prop["items"]
    out, shown = [], []
    for i in range(_posted_rows(path, posted)):
        row, row_errors = {}, {}
        row_posted = posted_row(posted, path, i, len(out))
        for key, sub in items["properties"].items():
            value = _parse_value(sub, f"{path}.{len(out)}.{key}", row_posted, row_errors, rows)
            if value is not _MISSING and not (widget_of(sub) == "checkbox" and not value):
                row[key] = value
        if not row:
            continue                 # a blank row
        out.append(row)
        shown.append(i)
        errors.update(row_errors)
    rows[path] = shown
    return out if out else _MISSING


def posted_row(posted, path, page_index, data_index):
    """The posted values of page row ``page_index`` renamed as data row ``data_index``."""
    if page_index == data_index:
        return posted
    old, new = f"{path}.{page_index}.", f"{path}.{data_index}."
    return MultiDict([(new + k[len(old):], v) for k, v in posted.items(multi=True)
                      if k.startswith(old)])


def to_page_errors(errors, rows):
    """{data path: message} -> {page path: message}: a list's item numbers as the page shows
    its rows (blank rows were not sent)."""
    out = {}
    for key, message in (errors or {}).items():
        page_key = key
        for path, shown in (rows or {}).items():
            prefix = path + "."
            if key.startswith(prefix):
                head, _, tail = key[len(prefix):].partition(".")
                if head.isdigit() and int(head) < len(shown):
                    page_key = f"{prefix}{shown[int(head)]}" + (f".{tail}" if tail else "")
        out[page_key] = message
    return out


# ---- data as a posted form ---------------------------------------------------------------
def as_posted(schema, data):
    """``data`` (e.g. the schema's example) as the form a person would post."""
    out = MultiDict()
    _post_object(schema or {}, data or {}, "", out)
    return out


def _local_minute(value):
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _post_object(schema, data, base, out):
    for key, prop in (schema.get("properties") or {}).items():
        if key in data and data[key] is not None:
            _post_value(prop, f"{base}{key}", data[key], out)


def _post_value(prop, path, value, out):
    widget = widget_of(prop)
    if widget == "checkbox":
        if value:
            out.add(path, "1")
    elif widget == "checks":
        for v in value or ():
            out.add(path, str(v))
    elif widget == "lines":
        out.add(path, "\n".join(str(v) for v in value or ()))
    elif widget == "group" and isinstance(value, dict):
        _post_object(prop, value, path + ".", out)
    elif widget == "map" and isinstance(value, dict):
        for k, v in value.items():
            out.add(f"{path}.{k}", str(v))
    elif widget == "rows":
        for i, row in enumerate(value or ()):
            _post_object(prop["items"], row, f"{path}.{i}.", out)
    elif widget == "json":
        out.add(path, json.dumps(value, ensure_ascii=False))
    elif widget == "datetime":
        out.add(path, _local_minute(value))
    else:
        out.add(path, str(value))


# ---- showing data to people ----------------------------------------------------------------
def readable(schema, data, lang="zh"):
    """[(label, text or [text])] for the fields of ``data`` in the schema's order (a list of
    objects: one text per row). A form the schema does not describe (no schema) is shown
    with its own keys; keys a department adds beside the form are not shown."""
    out = []
    props = (schema or {}).get("properties") or {}
    for key, prop in props.items():
        if key in (data or {}) and data[key] not in (None, "", [], {}):
            out.append((title(prop, key, lang), show(prop, data[key], lang)))
    if not props:
        out += [(key, show({}, value, lang)) for key, value in (data or {}).items()
                if value not in (None, "", [], {})]
    return out


def show(prop, value, lang="zh"):
    """One value as text: choices by their labels, yes/no, times in Beijing time, lists
    joined; a list of objects as one "label value, label value" text per row."""
    sep = i18n.t("sep", lang)
    widget = widget_of(prop) if prop else None
    if isinstance(value, bool):
        return i18n.t("yes" if value else "no", lang)
    if widget == "select":
        return choice_label(prop, value, lang)
    if widget == "checks" and isinstance(value, list):
        return sep.join(choice_label(prop["items"], v, lang) for v in value)
    if widget == "datetime":
        return i18n.when(value)
    if isinstance(value, list):
        items = (prop or {}).get("items") or {}
        if value and all(isinstance(v, dict) for v in value):
            comma = "，" if lang != "en" else ", "
            return [comma.join(f"{a} {b}" for a, b in readable(items, v, lang))
                    for v in value]
        return sep.join(str(show(items, v, lang)) for v in value)
    if isinstance(value, dict):
        return sep.join(f"{a}{i18n.t('colon', lang)}{b}" for a, b in readable(prop, value, lang))
    return str(value)


def label_of(schema, path, lang="zh", labels=None):
    """The label of the field at ``path`` ("entries.1.amount_cents" -> "充值名单 第2行 ·
    amount"); the path itself when the schema does not know it."""
    parts = path.split(".")
    prop, names = schema or {}, []
    i = 0
    while i < len(parts):
        part = parts[i]
        kind, _ = kind_of(prop)
        if kind == "array" and part.isdigit():
            names.append(f"第{int(part) + 1}行" if lang != "en" else f"row {int(part) + 1}")
            prop = prop.get("items") or {}
        elif part in (prop.get("properties") or {}):
            prop = prop["properties"][part]
            names.append(title(prop, part, lang))
        elif (prop.get("propertyNames") or {}).get("enum") and part in \
                prop["propertyNames"]["enum"]:
            names.append((labels or {}).get(part, part))
            prop = prop.get("additionalProperties") or {}
        else:
            return path if not names else " · ".join(names + parts[i:])
        i += 1
    return " · ".join(names) if lang == "en" else " · ".join(names).replace(" · 第", " 第")


def find(schema, path):
    """The schema of the property at ``path`` (None when unknown)."""
    prop = schema or {}
    for part in path.split("."):
        kind, _ = kind_of(prop)
        if kind == "array" and part.isdigit():
            prop = prop.get("items") or {}
        elif part in (prop.get("properties") or {}):
            prop = prop["properties"][part]
        elif kind == "object" and isinstance(prop.get("additionalProperties"), dict):
            prop = prop["additionalProperties"]
        else:
            return None
    return prop


# ---- a department's message said with the field's own limits -------------------------------
def explain(prop, message, lang="zh"):
    """A department's "中文 / English" message about one field in ``lang``, made specific
    with the field's limits when it is one of marshmallow's general ones."""
    text = str(message)
    zh, _, en = text.partition(" / ") if " / " in text else (text, "", text)
    if prop is None:
        return en if lang == "en" and en else zh
    widget = widget_of(prop)
    low, high = prop.get("minLength"), prop.get("maxLength")
    if zh.startswith("长度不符合要求") or en.startswith(("Length must", "Shorter than",
                                                          "Longer than")):
        if widget in ("lines", "checks", "rows"):
            low, high = prop.get("minItems"), prop.get("maxItems")
            unit_zh, unit_en = "项", "items"
        else:
            unit_zh, unit_en = "个字", "characters"
        if low and high:
            return (f"must be {low}–{high} {unit_en}" if lang == "en"
                    else f"长度须为 {low}–{high} {unit_zh}")
        if high:
            return f"at most {high} {unit_en}" if lang == "en" else f"最多 {high} {unit_zh}"
        if low:
            return f"at least {low} {unit_en}" if lang == "en" else f"至少 {low} {unit_zh}"
    if zh.startswith("数值超出范围"):
        lo, hi = prop.get("minimum"), prop.get("maximum")
        if lo is not None and hi is not None:
            return f"must be {lo}–{hi}" if lang == "en" else f"须在 {lo}–{hi} 之间"
        if lo is not None:
            return f"at least {lo}" if lang == "en" else f"不能小于 {lo}"
        if hi is not None:
            return f"at most {hi}" if lang == "en" else f"不能大于 {hi}"
    if zh.startswith("只能取以下值之一"):
        return "pick one from the list" if lang == "en" else "请从列表中选择"
    return en if lang == "en" and en else zh
