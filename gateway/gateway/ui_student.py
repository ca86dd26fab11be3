"""Students' pages (my affairs across every department, notifications, rating, complaints)
and the case page everyone opens: its history, notices, who it waits for, and the actions the
department lists for this user (``next_actions``), each a form built from its
``input_schema`` and posted to ``case_action``, which calls the department's ``perform``."""
import re

from flask import flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from osac_shared.auth import STAFF, STUDENT
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

from . import compose, i18n, security, ui_forms, ui_logic
from .api import department_of_case
from .app import current_user, state
from .clients import ServiceUnavailable
from .ui import (_, bp, clock, ctx, explain, item_by_code, lang, login_required, render,
                 safe_next)

MY_PAGE = 10
NOTES_PAGE = 20
COMPLAINT_ITEM = "sunshine.complaint-suggestion"
REPAIR_ITEM = "logistics.dorm-repair"


def fan_out(calls):
    return state().clients.fan_out(calls, **ctx())


def deadlines_of(cases):
    """({case id: SLA view}, sla unavailable?) for ``cases``."""
    if not cases:
        return {}, False
    ok, failed = fan_out({"sla": ("sla", "deadlines", ([c["id"] for c in cases],), {})})
    return ok.get("sla") or {}, "sla" in failed


def student_cases(per_department):
    """(every department's newest cases merged, total, departments that did not answer)."""
    ok, failed = fan_out({d: (d, "list_cases", (), {"page": 1, "per_page": per_department})
                          for d in DEPARTMENTS})
    answers = [ok[d] for d in DEPARTMENTS if d in ok]
    merged = compose.merge_pages([a["cases"] for a in answers], 1,
                                 per_department * len(DEPARTMENTS))
    return merged, sum(a["total"] for a in answers), sorted(failed)


@bp.get("/my")
@login_required(STUDENT)
def my():
    page = max(1, request.args.get("page", 1, type=int))
    size = min(page * MY_PAGE, compose.MERGE_LIMIT)
    merged, total, unavailable = student_cases(size)
    start = (page - 1) * MY_PAGE
    cases = merged[start:start + MY_PAGE]
    deadlines, sla_down = deadlines_of(cases)
    now = clock()
    left = {c["id"]: ui_logic.time_left(c, deadlines.get(c["id"]), now, lang()) for c in cases}
    pages = max(1, -(-min(total, compose.MERGE_LIMIT) // MY_PAGE))
    return render("my.html", cases=cases, deadlines=deadlines, left=left, page=page,
                  pages=pages, total=total, unavailable=unavailable + (["sla"] if sla_down
                                                                       else []))


@bp.get("/notifications")
@login_required(STUDENT)
def notifications():
    cases, _total, unavailable = student_cases(50)
    deadlines, sla_down = deadlines_of(cases)
    notes = ui_logic.notifications(cases, deadlines, clock(), lang())
    page = max(1, request.args.get("page", 1, type=int))
    pages = max(1, -(-len(notes) // NOTES_PAGE))
    shown = notes[(page - 1) * NOTES_PAGE:page * NOTES_PAGE]
    return render("notifications.html", notes=shown, page=page, pages=pages, total=len(notes),
                  unavailable=unavailable + (["sla"] if sla_down else []))


# ---- one case ------------------------------------------------------------------------------
ACTION = re.compile(r"^[a-z_]{2,32}$")
STUDENT_DONE = {"resubmit": "case.resubmitted", "withdraw": "case.withdrawn"}
TONE_ORDER = {"primary": 0, "": 1, "danger": 2}


def action_view(action, case, item, posted, errors, lang_):
    """One of the case's ``next_actions`` as a form: its fields from its ``input_schema``
    (choices that are the item's materials named), and how to lay it out: ``return`` (per
    material: missing / what to correct), ``resubmit`` (the materials supplied now), ``inline``
    (a single optional note beside the button) or ``form``."""
    schema = action.get("input_schema") or {}
    name = action["action"]
    fields = ui_forms.fields(schema, posted, errors, lang_, f"a-{name}-",
                             ui_logic.material_labels(schema, item, lang_))
    by_key = {f["key"]: f for f in fields}
    view = {"action": name, "label": i18n.pick(action, "label", lang_),
            "tone": action.get("tone") or "", "fields": fields, "layout": "form",
            "posted": posted is not None, "id": f"act-{name}"}
    if name == "return" and {"missing", "correct"} <= set(by_key):
        missing = {c["value"]: c for c in by_key["missing"].get("choices", [])}
        correct = {e["key"]: e for e in by_key["correct"].get("entries", [])}
        view.update(layout="return", missing_field=by_key["missing"], materials=[
            {"code": m["code"], "name": i18n.pick(m, "name", lang_),
             "provided": m["code"] in (case.get("materials") or ()),
             "missing": missing.get(m["code"]), "correct": correct.get(m["code"])}
            for m in item.get("materials", [])],
            rest=[f for f in fields if f["key"] not in ("missing", "correct")])
    elif name == "resubmit" and "materials" in by_key:
        asked = ui_logic.asked_for(case)
        view.update(layout="resubmit", choices=by_key["materials"], asked=asked,
                    rest=[f for f in fields if f["key"] != "materials"])
    elif len(fields) == 1 and fields[0]["widget"] in ("text", "textarea") \
            and not fields[0]["required"]:
        view["layout"] = "inline"
    return view


def case_page(case_id, status=200, error=None, posted=None, acting=None):
    """The case page; its buttons are the case's ``next_actions`` for this user, each a form
    built from its ``input_schema``. ``error`` = (status, message, {field: "中文 / English"})
    of a refused action ``acting``: said above the page and next to each field it names,
    with ``posted`` (the form as sent) kept."""
    department = department_of_case(case_id)
    ok, failed = fan_out({"case": (department, "get_case", (case_id,), {}),
                          "sla": ("sla", "get_deadline", (case_id,), {})})
    if "case" in failed:
        if isinstance(failed["case"], DomainError):
            raise failed["case"]
        return render("case.html", 503, case=None, department=department, case_id=case_id)
    case, sla, user = ok["case"], ok.get("sla") or {}, current_user()
    item = item_by_code(case["item_code"]) or {"code": case["item_code"], "materials": [],
                                               "name_zh": case.get("item_name_zh", ""),
                                               "name_en": case.get("item_name_en", "")}
    schema = item.get("form_schema") or {}
    steps = sorted(case.get("next_actions") or [],
                   key=lambda a: TONE_ORDER.get(a.get("tone") or "", 1))
    acting_schema = next((a.get("input_schema") for a in steps if a["action"] == acting),
                         None) or {}
    errors = ui_logic.field_errors(error[2], acting_schema, lang()) if error else {}
    actions = [action_view(a, case, item, posted if a["action"] == acting else None,
                           errors if a["action"] == acting else {}, lang()) for a in steps]
    now = clock()
    overdue_repair = case["item_code"] == REPAIR_ITEM and case["status"] not in \
        ui_logic.FINISHED and (ui_logic.parse_time(sla.get("due_at")) or now) < now
    if error:
        error = (error[0], error[1], ui_logic.labelled(error[2], item, acting_schema, lang()))
    return render("case.html", status, case=case, sla=sla, item=item, department=department,
                  is_staff=user.role in STAFF and user.department == department,
                  actions=actions, waiting=case.get("waiting_for"),
                  form_rows=ui_forms.readable(schema, case.get("form") or {}, lang()),
                  left=ui_logic.time_left(case, sla, now, lang()),
                  sla_down="sla" in failed, error=error, posted=posted or MultiDict(),
                  overdue_repair=overdue_repair, complaint_item=COMPLAINT_ITEM,
                  returns=[n for n in case.get("notices", []) if n.get("kind") == "return"],
                  refusals=[n for n in case.get("notices", []) if n.get("kind") == "refusal"])


@bp.get("/cases/<case_id>")
@login_required()
def case(case_id):
    return case_page(case_id)


@bp.post("/cases/<case_id>/actions/<action>")
@login_required()
def case_action(case_id, action):
    """Take one of the case's next_actions: the posted form is read with the action's own
    ``input_schema`` and sent to the department's ``perform``, which loads it with the same
    definition and refuses anything this user may not do now; a refusal shows the case page
    again with the reason next to each field it names and the input kept."""
    department = department_of_case(case_id)
    if not ACTION.match(action):
        return render("error.html", 404, message=_("error.fix"))
    user = current_user()
    security.check_case_reach(user, department, write=True)
    case = state().clients.call(department, "get_case", case_id, **ctx())
    step = next((a for a in case.get("next_actions") or [] if a["action"] == action), None)
    data, local, rows = ui_forms.parse((step or {}).get("input_schema") or {}, request.form)
    try:
        state().clients.call(department, "perform", case_id, action, data, write=True,
                             **ctx())
    except (DomainError, ServiceUnavailable) as exc:
        status, message, _fields = explain(exc)
        raw = exc.fields if isinstance(exc, DomainError) else {}
        raw = {**ui_forms.to_page_errors(raw or {}, rows),
               **ui_forms.to_page_errors(local, rows)}
        return case_page(case_id, status, (status, message, raw), request.form, action)
    if action in STUDENT_DONE and user.role == STUDENT:
        flash(_(STUDENT_DONE[action]), "ok")
    else:
        label = i18n.pick(step, "label", lang()) if step else i18n.action(action, lang())
        flash(_("case.done", label=label, id=case_id), "ok")
    return redirect(safe_next(request.form.get("next"), url_for("ui.case", case_id=case_id)))


def write(case_id, service, method, args, done, **kwargs):
    """Call a write; on success flash ``done`` and go back (PRG); on refusal show the case page
    again with the reason and the input kept."""
    try:
        result = state().clients.call(service, method, *args, write=True, **kwargs, **ctx())
    except (DomainError, ServiceUnavailable) as exc:
        status, message, _fields = explain(exc)
        raw = exc.fields if isinstance(exc, DomainError) else {}
        return case_page(case_id, status, (status, message, raw), request.form)
    flash(done(result) if callable(done) else done, "ok")
    return redirect(safe_next(request.form.get("next"), url_for("ui.case", case_id=case_id)))


@bp.post("/cases/<case_id>/rate")
@login_required(STUDENT)
def rate(case_id):
    department_of_case(case_id)
    satisfied = request.form.get("satisfied") == "1"
    return write(case_id, "hall", "rate_case", (case_id, satisfied,
                                                  request.form.get("comment", "")[:1000]),
                   _("case.rated"))


@bp.post("/cases/<case_id>/complain-overdue")
@login_required(STUDENT)
def complain_overdue(case_id):
    return write(case_id, "logistics", "complain_overdue",
                   (case_id, request.form.get("text", "").strip()[:2000]),
                   lambda c: _("case.complained", id=c["id"]))


@bp.app_template_global("complaint_url")
def complaint_url(case):
    """The complaint form, filled in with the case's department and number."""
    return url_for("ui.apply", item_code=COMPLAINT_ITEM, department=case.get("department")
                   or case["id"].split("-", 1)[0], related_case_id=case["id"])
