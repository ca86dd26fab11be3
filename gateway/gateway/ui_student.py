"""Students' pages: my affairs across every department, a case with its history and notices
(resubmit, withdraw, rate, complain), and notifications. A case page is also what staff and
the director open; staff actions on it are posted to ``ui_staff``."""
from flask import flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from osac_shared.auth import B_POST, STAFF, STUDENT
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

from . import compose, ui_logic
from .api import department_of_case
from .app import current_user, state
from .clients import ServiceUnavailable
from .ui import (_, bp, clock, ctx, described_forms, explain, item_by_code, lang,
                 login_required, render, safe_next)

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
def delegated_codes(department, user):
    """Item codes this B post may approve (the A post delegated them); () when unknown."""
    if user.role != B_POST:
        return ()
    ok, _failed = fan_out({0: (department, "delegations", (), {})})
    return {d["item_code"] for d in ok.get(0) or []
            if d.get("b_post_id") in ("*", user.username)}


def case_page(case_id, status=200, error=None, posted=None):
    """The case page; ``error`` = (status, message, fields) of a refused action, shown above
    the form that caused it, with ``posted`` (the form as sent) kept."""
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
    spec = ui_logic.form_spec(item, described_forms(department))
    is_staff = user.role in STAFF and user.department == department
    actions = ui_logic.staff_actions(case, user.role, delegated_codes(department, user)) \
        if is_staff else []
    now = clock()
    overdue_repair = case["item_code"] == REPAIR_ITEM and case["status"] not in \
        ui_logic.FINISHED and (ui_logic.parse_time(sla.get("due_at")) or now) < now
    if error:
        error = (error[0], error[1], ui_logic.labelled(error[2], item, spec, lang()))
    return render("case.html", status, case=case, sla=sla, item=item, spec=spec,
                  department=department, is_staff=is_staff, actions=actions,
                  left=ui_logic.time_left(case, sla, now, lang()),
                  sla_down="sla" in failed, error=error, posted=posted or MultiDict(),
                  overdue_repair=overdue_repair, complaint_item=COMPLAINT_ITEM,
                  returns=[n for n in case.get("notices", []) if n.get("kind") == "return"],
                  refusals=[n for n in case.get("notices", []) if n.get("kind") == "refusal"])


@bp.get("/cases/<case_id>")
@login_required()
def case(case_id):
    return case_page(case_id)


def perform(case_id, service, method, args, done, **kwargs):
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


@bp.post("/cases/<case_id>/resubmit")
@login_required(STUDENT)
def resubmit(case_id):
    return perform(case_id, department_of_case(case_id), "act", (case_id, "resubmit"),
                   _("case.resubmitted"), reason=request.form.get("reason", "")[:2000],
                   materials=request.form.getlist("materials"))


@bp.post("/cases/<case_id>/withdraw")
@login_required(STUDENT)
def withdraw(case_id):
    return perform(case_id, department_of_case(case_id), "act", (case_id, "withdraw"),
                   _("case.withdrawn"), reason=request.form.get("reason", "")[:2000])


@bp.post("/cases/<case_id>/rate")
@login_required(STUDENT)
def rate(case_id):
    department_of_case(case_id)
    satisfied = request.form.get("satisfied") == "1"
    return perform(case_id, "hall", "rate_case", (case_id, satisfied,
                                                  request.form.get("comment", "")[:1000]),
                   _("case.rated"))


@bp.post("/cases/<case_id>/complain-overdue")
@login_required(STUDENT)
def complain_overdue(case_id):
    return perform(case_id, "logistics", "complain_overdue",
                   (case_id, request.form.get("text", "").strip()[:2000]),
                   lambda c: _("case.complained", id=c["id"]))


@bp.app_template_global("complaint_url")
def complaint_url(case):
    """The complaint form, filled in with the case's department and number."""
    return url_for("ui.apply", item_code=COMPLAINT_ITEM, department=case.get("department")
                   or case["id"].split("-", 1)[0], related_case_id=case["id"])
