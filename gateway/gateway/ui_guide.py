"""The service guide (public: search, browse by window or department, what each item needs and
when it would be due, an example of its form) and applying online: the form is built from the
item's ``form_schema`` (the department's own definition), every mistake is listed at once
with the student's input kept, and the answer says when the case is promised."""
import uuid

from flask import flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from osac_shared.auth import STUDENT
from osac_shared.catalogue import service_of
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

from . import i18n, ui_forms, ui_logic
from .api import _promised as promised
from .app import state
from .clients import ServiceUnavailable
from .ui import (GUIDE_PAGE, _, bp, catalogue, clock, ctx, explain, item_by_code, lang,
                 login_required, render)


# ---- the service guide (public) ---------------------------------------------------------------
@bp.get("/guide")
def guide():
    items, unavailable, stale = catalogue()
    q = request.args.get("q", "").strip()[:100]
    window = request.args.get("window", type=int)
    department = request.args.get("department", "")
    department = department if department in DEPARTMENTS else ""
    found = ui_logic.search_items(items, q, window, department)
    page = max(1, request.args.get("page", 1, type=int))
    pages = max(1, -(-len(found) // GUIDE_PAGE))
    page = min(page, pages)
    shown = found[(page - 1) * GUIDE_PAGE:page * GUIDE_PAGE]
    now = clock()
    due = {i["code"]: ui_logic.due_if_submitted_now(i, now) for i in shown}
    examples = {i["code"]: example_of(i) for i in shown}
    windows = sorted({i["window"] for i in items})
    return render("guide.html", groups=ui_logic.group_by_window(shown), due=due, q=q,
                  examples=examples,
                  window=window, department=department, windows=windows, total=len(found),
                  page=page, pages=pages, departments=DEPARTMENTS,
                  unavailable=unavailable, stale=stale)


def example_of(item):
    """The item's example form as [(label, text)] (labels and choice names, not keys)."""
    schema = item.get("form_schema") or {}
    found = schema.get("examples") or []
    return ui_forms.readable(schema, found[0], lang()) if found else []


# ---- apply -------------------------------------------------------------------------------------
def prefill(schema, args):
    """Form fields given in the address (e.g. the complaint form opened from a case: its
    department and number), for the fields the form has."""
    names = (schema or {}).get("properties") or {}
    return MultiDict([(k, v[:200]) for k, v in args.items(multi=True) if k in names])


@bp.route("/apply/<item_code>", methods=["GET", "POST"])
@login_required(STUDENT)
def apply(item_code):
    item = item_by_code(item_code)
    department = service_of(item_code)
    if item is None:
        if department in DEPARTMENTS:
            return render("error.html", 503, message=_(
                "part_unavailable", name=i18n.department(department, lang())))
        return render("error.html", 404, message=_("guide.nothing"))
    schema = item.get("form_schema") or {}
    if request.method == "GET":
        return render("apply.html", item=item, schema=schema,
                      fields=ui_forms.fields(schema, prefill(schema, request.args), {}, lang()),
                      given=[], key=uuid.uuid4().hex, green_reason="", problems=None,
                      message=None)
    data = request.form
    given = data.getlist("materials")
    form, local, rows = ui_forms.parse(schema, data)
    key = (data.get("key") or uuid.uuid4().hex)[:128]
    green_reason = data.get("green_reason", "")[:2000]

    def again(status, message, problems):
        errors = {p["key"][5:]: p["message"] for p in problems or () if
                  p["key"].startswith("form.")}
        return render("apply.html", status, item=item, schema=schema,
                      fields=ui_forms.fields(schema, data, errors, lang()), given=given,
                      key=key, green_reason=green_reason, problems=problems, message=message)
    try:
        case = state().clients.call(department, "submit_case", item_code, given, form, key,
                                    green_reason, write=True, **ctx())
    except (DomainError, ServiceUnavailable) as exc:
        status, message, _fields = explain(exc)
        if status == 422 and isinstance(exc, DomainError):
            found = {**ui_forms.to_page_errors(exc.fields or {}, {
                f"form.{k}": v for k, v in rows.items()}),
                **{f"form.{k}": v for k, v in ui_forms.to_page_errors(local, rows).items()}}
            return again(status, message,
                         ui_logic.checklist(item, schema, given, found, lang()))
        return again(status, message, None)
    promise = promised(case, ctx())
    if promise.get("due_at"):
        flash(_("apply.sent_due", id=case["id"], due=i18n.when(promise["due_at"])), "ok")
    else:
        flash(_("apply.sent", id=case["id"]), "ok")
    return redirect(url_for("ui.case", case_id=case["id"]))
