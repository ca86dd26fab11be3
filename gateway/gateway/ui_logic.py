"""The web UI's rules as plain functions (no Flask, no I/O): searching the guide, the one
checklist of everything missing, errors said with the form's labels, time left,
notifications, staff queues' quick buttons, the review committee's cases and the dashboard's
rows. Forms themselves are built from their JSON Schema in ``ui_forms``."""
from datetime import datetime, timedelta

from osac_shared.calendar import due_at
from osac_shared.clock import TZ

from . import i18n, ui_forms

FINISHED = ("completed", "rejected", "withdrawn")
WARN_HOURS = 24                 # "deadline near" notification


# ---- the service guide -----------------------------------------------------------------
def _haystack(item):
    parts = [item.get(k, "") for k in ("code", "name_zh", "name_en", "description_zh",
                                       "description_en", "department_zh", "department_en")]
    parts += [m.get("name_zh", "") + " " + m.get("name_en", "") for m in item.get("materials", [])]
    return " ".join(parts).lower()


def search_items(items, q="", window=None, department=""):
    """Items matching every keyword of ``q`` (any field, any language), in ``window`` and
    ``department`` when given; sorted by window then code."""
    words = [w for w in (q or "").lower().split() if w]
    out = [i for i in items
           if (window is None or i.get("window") == window)
           and (not department or i.get("department") == department)
           and all(w in _haystack(i) for w in words)]
    return sorted(out, key=lambda i: (i.get("window", 0), i.get("code", "")))


def group_by_window(items):
    """[(window, [items])] in window order (items keep their order)."""
    groups = {}
    for item in items:
        groups.setdefault(item.get("window"), []).append(item)
    return sorted(groups.items(), key=lambda kv: kv[0] or 0)


def due_if_submitted_now(item, now):
    """(deadline, flagged) for a submission at ``now`` (the working calendar's rule)."""
    lim = item.get("limit") or {}
    return due_at(now, lim["value"], lim["unit"])


# ---- the one checklist (一次性告知) ------------------------------------------------------
def message_in(text, lang):
    """A service message "中文 / English" in one language (the whole text when unsplit)."""
    text = str(text)
    if " / " not in text:
        return text
    zh, en = text.split(" / ", 1)
    return en if lang == "en" else zh


def _material_label(item, code, lang):
    for m in (item or {}).get("materials", []):
        if m["code"] == code:
            return i18n.pick(m, "name", lang)
    return code


def material_names(item, lang):
    """{material code: its name in ``lang``} (the labels of a return's or resubmission's
    material choices)."""
    return {m["code"]: i18n.pick(m, "name", lang) for m in (item or {}).get("materials", [])}


def _choices(prop):
    prop = prop or {}
    return prop.get("enum") or (prop.get("items") or {}).get("enum") or \
        (prop.get("propertyNames") or {}).get("enum")


def material_labels(schema, item, lang):
    """{property: {material code: name}} for the properties of ``schema`` whose choices are
    the item's materials (a return's missing / to-correct lists, a resubmission's)."""
    names = material_names(item, lang)
    return {key: names for key, prop in ((schema or {}).get("properties") or {}).items()
            if _choices(prop) and set(_choices(prop)) <= set(names)}


def asked_for(case):
    """The materials the case's last return notice named (missing or to correct)."""
    returns = [n for n in (case or {}).get("notices") or () if n.get("kind") == "return"]
    if not returns:
        return []
    last = returns[-1]
    return list(last.get("missing") or ()) + list((last.get("correct") or {}).keys())


def anchor(key, prefix="f-"):
    """The id of the input a checklist entry links to."""
    if key.startswith("materials."):
        return "m-" + key.split(".", 1)[1]
    if key.startswith("form."):
        return ui_forms.field_id(prefix, key[5:])
    return key if key == "green_reason" else "main"


def checklist(item, schema, given_materials, fields, lang):
    """Everything to fix, in one list: [{"key", "label", "message", "anchor"}]. ``fields``
    are the department's and our own {field: "中文 / English"} ("form.<path>",
    "materials.<code>", ...), said with the form's own labels and limits; mandatory materials
    not ticked are added even when the department stopped at the form."""
    out, seen = [], set()
    for key, text in (fields or {}).items():
        if key.startswith("materials."):
            label = _material_label(item, key.split(".", 1)[1], lang)
            message = message_in(text, lang)
        elif key.startswith("form."):
            path = key[5:]
            label = ui_forms.label_of(schema, path, lang)
            message = ui_forms.explain(ui_forms.find(schema, path), text, lang)
        else:
            label = i18n.t(FIELD_NAMES[key], lang) if key in FIELD_NAMES else key
            message = message_in(text, lang)
        out.append({"key": key, "label": label, "message": message, "anchor": anchor(key)})
        seen.add(key)
    given = set(given_materials or ())
    for m in (item or {}).get("materials", []):
        key = f"materials.{m['code']}"
        if m.get("mandatory", True) and m["code"] not in given and key not in seen:
            out.append({"key": key, "label": i18n.pick(m, "name", lang),
                        "message": i18n.t("apply.missing_material", lang),
                        "anchor": anchor(key)})
    return out


FIELD_NAMES = {"green_reason": "apply.green", "item_code": "apply.item"}


def field_errors(fields, schema, lang, prefix=""):
    """A department's {key: "中文 / English"} about a form -> {path: message in ``lang``} for
    the fields themselves (``prefix`` "form." for an application, "" for an action)."""
    out = {}
    for key, text in (fields or {}).items():
        if key.startswith(prefix):
            path = key[len(prefix):]
            out[path] = ui_forms.explain(ui_forms.find(schema, path), text, lang)
    return out


def labelled(fields, item, schema, lang, names=None):
    """An error's {field: "中文 / English"} as [(what, message)] a person can read: material
    codes by their names, fields of ``schema`` by their labels, other keys by ``names`` or as
    they are."""
    out = []
    for key, text in (fields or {}).items():
        tail = key.split(".", 1)[-1]
        prop = ui_forms.find(schema, key) if schema else None
        if key.startswith(("materials.", "notice.")) and item and \
                any(m["code"] == tail for m in item.get("materials", [])):
            label = _material_label(item, tail, lang)
        elif prop is not None:
            label = ui_forms.label_of(schema, key, lang, material_names(item, lang))
        else:
            label = (names or {}).get(key) or key
        out.append((label, ui_forms.explain(prop, text, lang) if prop is not None
                    else message_in(text, lang)))
    return out


# ---- deadlines ---------------------------------------------------------------------------
def parse_time(value):
    if not value:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)


def time_left(case, sla, now, lang):
    """(text, tone) for a case's deadline: tone is ok / soon / late / done / muted."""
    sla = sla or {}
    if case.get("status") in FINISHED:
        if sla.get("on_time") is False:
            return i18n.t("left.done_late", lang), "late"
        return (i18n.t("left.done_on_time", lang), "done") if sla.get("on_time") else \
            (i18n.status(case.get("status"), lang), "muted")
    if sla.get("paused") or (case.get("status") == "returned" and not sla.get("due_at")):
        return i18n.t("left.paused", lang), "muted"
    return remaining(parse_time(sla.get("due_at")), now, lang)


def remaining(due, now, lang):
    """(text, tone) for the time from ``now`` to ``due`` in plain hours (the SLA gives no
    working-time figure): tone soon under ``WARN_HOURS``, late once past."""
    if due is None:
        return i18n.t("left.unknown", lang), "muted"
    seconds = (due - now).total_seconds()
    if seconds < 0:
        return i18n.t("left.over", lang, h=int(-seconds // 3600) or 1), "late"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    tone = "soon" if seconds < WARN_HOURS * 3600 else "ok"
    if days:
        return i18n.t("left.days", lang, d=days, h=hours), tone
    return i18n.t("left.hours", lang, h=hours, m=rest // 60), tone


# ---- due soon (the SLA's at-risk list) -----------------------------------------------------
REFERRAL = "referral"


def due_soon_rows(deadlines, cases, items, now, lang):
    """The at-risk list's rows, in the SLA's order (soonest due first): each deadline with what
    to show of it. ``cases`` {case id: case} holds the cases their departments returned (a
    missing one shows no student); ``items`` {code: catalogue item} names items whose case is
    missing. A referral's id is the desk's question number, not a case. Every row is at risk,
    so the time left is never shown in the "ok" tone."""
    out = []
    for d in deadlines:
        referral = d.get("timer") == REFERRAL
        case = None if referral else cases.get(d["case_id"])
        if referral:
            name = i18n.t("due.referral_item", lang, id=d["case_id"])
        else:
            name = i18n.pick(case, "item_name", lang) or \
                i18n.pick(items.get(d.get("item_code")), "name", lang) or d.get("item_code", "")
        student = " ".join(str(case[k]) for k in ("student_name", "student_id")
                           if case and case.get(k))
        due = parse_time(d.get("due_at"))
        left, tone = remaining(due, now, lang)
        out.append({"case_id": d["case_id"], "is_case": not referral,
                    "department": d.get("department", ""), "window": d.get("window") or 0,
                    "item": name, "student": student, "timer": i18n.timer(d.get("timer"), lang),
                    "green": bool(d.get("green_channel")), "due_at": due,
                    "left": (left, "soon" if tone == "ok" else tone)})   # all at risk
    return out


def case_calls(deadlines, department_of):
    """{case id: (department, "get_case", (case id,), {})} for the deadlines that are cases
    (once each); ``department_of(case_id)`` -> the department or None (not a case number)."""
    calls = {}
    for d in deadlines:
        if d.get("timer") == REFERRAL or d["case_id"] in calls:
            continue
        department = department_of(d["case_id"])
        if department:
            calls[d["case_id"]] = (department, "get_case", (d["case_id"],), {})
    return calls


# ---- notifications -----------------------------------------------------------------------
NOTIFY = {"return": "note.returned", "approve": "note.approved", "complete": "note.completed",
          "reject": "note.rejected", "accept": "note.accepted"}


def notifications(cases, deadlines, now, lang, warn_hours=WARN_HOURS):
    """The student's notices, newest first: what happened to each case (from its history)
    and deadline warnings (near or past due; a notice's fix-by date)."""
    out = []
    for case in cases:
        name = i18n.pick(case, "item_name", lang) or case.get("item_code", "")
        for h in case.get("history", []):
            key = NOTIFY.get(h.get("action"))
            if key:
                out.append({"at": parse_time(h.get("at")), "case_id": case["id"],
                            "text": i18n.t(key, lang, item=name), "kind": h["action"],
                            "reason": h.get("reason", "")})
        if case.get("status") == "returned" and case.get("notices"):
            last = case["notices"][-1]
            if last.get("deadline"):
                out.append({"at": parse_time(last.get("at")), "case_id": case["id"],
                            "text": i18n.t("note.fix_by", lang, item=name,
                                           date=last["deadline"]),
                            "kind": "fix_by", "reason": ""})
        sla = (deadlines or {}).get(case["id"]) or {}
        due = parse_time(sla.get("due_at"))
        if due and case.get("status") not in FINISHED and not sla.get("paused"):
            if due < now:
                out.append({"at": due, "case_id": case["id"], "kind": "overdue", "reason": "",
                            "text": i18n.t("note.overdue", lang, item=name)})
            elif due - now <= timedelta(hours=warn_hours):
                out.append({"at": now, "case_id": case["id"], "kind": "due_soon", "reason": "",
                            "text": i18n.t("note.due_soon", lang, item=name, h=warn_hours)})
    far_past = datetime(1970, 1, 1, tzinfo=TZ)
    return sorted(out, key=lambda n: n["at"] or far_past, reverse=True)


# ---- staff -------------------------------------------------------------------------------
def queue_order(cases, deadlines):
    """Green-channel cases first, then by deadline (unknown last), then by submission."""
    far = datetime(9999, 1, 1, tzinfo=TZ)

    def key(case):
        due = parse_time(((deadlines or {}).get(case["id"]) or {}).get("due_at")) or far
        return (not case.get("green_channel"), due, case.get("submitted_at") or "")
    return sorted(cases, key=key)


QUICK = ("accept", "approve", "complete")


def quick_actions(case, item=None):
    """The one-click buttons a queue shows for ``case``: those of its ``allowed_actions``
    (the department's answer for this user) that need no input (accept, approve, complete;
    a consultation is completed with a written answer, on its page)."""
    kind = (item or {}).get("kind")
    return [a for a in case.get("allowed_actions") or () if a in QUICK
            and not (a == "complete" and kind == "consultation")]


def more_actions(case, item=None):
    """The user's other actions on ``case`` (they need input: taken on the case page)."""
    quick = quick_actions(case, item)
    return [a for a in case.get("allowed_actions") or () if a not in quick]


def waiting_for_committee(cases, department):
    """The cases of ``department`` waiting for its review committee."""
    return [c for c in cases if (c.get("waiting_for") or {}).get("role") == "committee"
            and (c.get("waiting_for") or {}).get("department") in (None, department)]


# ---- dashboard ---------------------------------------------------------------------------
def _rows(data, *keys):
    data = data or {}
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, dict):
            return [{"window": k, **v} for k, v in value.items()]
    return []


def on_time_by_window(report):
    """[(window, rate or None, breached+late)] from ``sla.report``."""
    rows = _rows(report, "per_window", "by_window")
    return [(int(r["window"]), r.get("on_time_rate"), r.get("breached", 0) + r.get("late", 0))
            for r in sorted(rows, key=lambda r: int(r["window"]))]


def every_window(rows, windows):
    """``rows`` [(window, rate, n)] completed with (window, None, 0) for windows not in it."""
    have = {r[0]: r for r in rows}
    return [have.get(w, (w, None, 0)) for w in windows]


def satisfaction_by_window(data):
    """[(window, rate or None, rated)] from ``hall.satisfaction``."""
    rows = _rows(data, "per_window", "by_window", "windows")
    out = []
    for r in sorted(rows, key=lambda r: int(r["window"])):
        rate = r.get("rate", r.get("satisfaction_rate", r.get("satisfaction")))
        out.append((int(r["window"]), rate, r.get("rated", r.get("total", 0))))
    return out


def per_hour(report, cases=()):
    """24 counts of submissions per hour of day: ``sla.report``'s ``per_hour`` when it has
    one, else counted from the given cases' submission times."""
    given = (report or {}).get("per_hour")
    counts = [0] * 24
    if isinstance(given, dict):
        given = [{"hour": int(h), "submitted": n} for h, n in given.items()]
    if isinstance(given, list) and given:
        for h, row in enumerate(given):
            if isinstance(row, dict):
                h, row = int(row.get("hour", h)), row.get("submitted", row.get("count", 0))
            if 0 <= h < 24:
                counts[h] += int(row or 0)
        return counts
    for case in cases:
        at = parse_time(case.get("submitted_at"))
        if at:
            counts[at.hour] += 1
    return counts


def month_range(month):
    """"2026-03" -> (start, end) aware datetimes of that month in Asia/Shanghai."""
    year, mon = (int(p) for p in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=TZ)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=TZ)
    return start, end
