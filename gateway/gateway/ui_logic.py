"""The web UI's rules as plain functions (no Flask, no I/O): searching the guide, turning a
posted form into the service's form, the one checklist of everything missing, time left,
notifications, staff queues, the return notice and the dashboard's rows."""
import json
from datetime import datetime, timedelta

from osac_shared.calendar import due_at
from osac_shared.clock import TZ

from . import i18n

FINISHED = ("completed", "rejected", "withdrawn")
WARN_HOURS = 24                 # "deadline near" notification
LONG_TEXT = 200                 # text fields allowing more than this get a text area


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


# ---- apply: the form -------------------------------------------------------------------
def form_spec(item, described):
    """The fields to render for ``item``: the service's own description when it has one
    (``form_fields`` RPC), else a generic form: a question for a consultation, otherwise a
    free text area for the details."""
    if described and item["code"] in described:
        return [dict(f, widget=widget_of(f)) for f in described[item["code"]]]
    if item.get("kind") == "consultation":
        return [{"name": "question", "type": "text", "required": True, "widget": "textarea",
                 "label_zh": i18n.t("apply.question", "zh"),
                 "label_en": i18n.t("apply.question", "en"), "max_length": 1000}]
    return [{"name": "details", "type": "text", "required": False, "widget": "textarea",
             "label_zh": i18n.t("apply.details", "zh"), "label_en": i18n.t("apply.details", "en"),
             "max_length": 2000}]


def widget_of(field):
    kind = field.get("type")
    if field.get("choices"):
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if kind == "date":
        return "date"
    if kind == "datetime":
        return "datetime"
    if kind in ("list", "structured"):
        return "textarea"
    if (field.get("max_length") or 0) > LONG_TEXT:
        return "textarea"
    return "text"


ERR = {"integer": ("须为整数", "must be a whole number"),
       "number": ("须为数字", "must be a number"),
       "structured": ("须为有效的 JSON", "must be valid JSON")}


def parse_form(spec, data):
    """Posted strings -> (the form for the service, {"form.<name>": "中文 / English"}).
    Empty optional fields are left out (the service's default applies); an empty required
    field is left out too, so the service names it with everything else at once."""
    form, errors = {}, {}
    for field in spec:
        name, kind = field["name"], field.get("type", "text")
        raw = data.get(name, "")
        raw = raw.strip() if isinstance(raw, str) else raw
        if kind == "boolean":
            if raw:
                form[name] = True
            continue
        if raw in ("", None):
            continue
        try:
            if kind == "integer":
                form[name] = int(raw)
            elif kind == "number":
                form[name] = float(raw)
            elif kind == "list":
                form[name] = [p.strip() for p in raw.replace(",", "\n").splitlines() if p.strip()]
            elif kind == "structured":
                form[name] = json.loads(raw)
            elif kind == "datetime":
                form[name] = raw if ("+" in raw[10:] or raw.endswith("Z")) else raw + "+08:00"
            else:
                form[name] = raw
        except ValueError:
            zh, en = ERR[kind]
            errors[f"form.{name}"] = f"{zh} / {en}"
    return form, errors


def form_values(spec, data):
    """What the student typed, to put back into the form after an error."""
    return {f["name"]: data.get(f["name"], "") for f in spec}


# ---- the one checklist (一次性告知) ------------------------------------------------------
def message_in(text, lang):
    """A service message "中文 / English" in one language (the whole text when unsplit)."""
    text = str(text)
    if " / " not in text:
        return text
    zh, en = text.split(" / ", 1)
    return en if lang == "en" else zh


def _material_label(item, code, lang):
    for m in item.get("materials", []):
        if m["code"] == code:
            return i18n.pick(m, "name", lang)
    return code


def checklist(item, spec, given_materials, fields, lang):
    """Everything to fix, in one list: [{"key", "label", "message"}]. ``fields`` are the
    service's and our own {field: "中文 / English"}; mandatory materials not ticked are added
    even when the service stopped at the form."""
    labels = {f"form.{f['name']}": i18n.pick(f, "label", lang) for f in spec}
    out, seen = [], set()
    for key, text in (fields or {}).items():
        if key.startswith("materials."):
            label = _material_label(item, key.split(".", 1)[1], lang)
        else:
            label = labels.get(key) or key.split(".", 1)[-1]
        out.append({"key": key, "label": label, "message": message_in(text, lang)})
        seen.add(key)
    given = set(given_materials or ())
    for m in item.get("materials", []):
        key = f"materials.{m['code']}"
        if m.get("mandatory", True) and m["code"] not in given and key not in seen:
            out.append({"key": key, "label": i18n.pick(m, "name", lang),
                        "message": i18n.t("apply.missing_material", lang)})
    return out


def labelled(fields, item, spec, lang, names=None):
    """An error's {field: "中文 / English"} as [(what, message)] a person can read: material
    codes and form fields by their names, other fields by ``names`` or as they are."""
    labels = {f"form.{f['name']}": i18n.pick(f, "label", lang) for f in spec or ()}
    out = []
    for key, text in (fields or {}).items():
        tail = key.split(".", 1)[-1]
        if key.startswith(("materials.", "notice.")) and item and \
                any(m["code"] == tail for m in item.get("materials", [])):
            label = _material_label(item, tail, lang)
        else:
            label = labels.get(key) or (names or {}).get(key) or key
        out.append((label, message_in(text, lang)))
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


def staff_actions(case, role, delegated_codes):
    """The buttons a B or A post gets for ``case``: its allowed actions minus what the role may
    not do (a B post approves or rejects an A-post item only when it was delegated)."""
    out = [a for a in case.get("allowed_actions", []) if a not in ("resubmit", "withdraw")]
    if role == "b_post" and case.get("post") == "A" \
            and case.get("item_code") not in set(delegated_codes or ()):
        out = [a for a in out if a not in ("approve", "reject")]
    return out


def return_notice(item, data):
    """The posted return form -> (reason, notice) for ``act(.., "return", reason, notice)``.
    ``data`` has getlist("missing"), "correct_<code>", "deadline", "reason"."""
    codes = [m["code"] for m in item.get("materials", [])]
    missing = [c for c in data.getlist("missing") if c in codes]
    correct = {c: data.get(f"correct_{c}", "").strip() for c in codes
               if data.get(f"correct_{c}", "").strip()}
    deadline = (data.get("deadline") or "").strip() or None
    return (data.get("reason") or "").strip(), {"missing": missing, "correct": correct,
                                                "deadline": deadline}


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
