"""The service guide (public: search, browse by window or department, what each item needs and
when it would be due) and applying online (a form built from the item's definition; every
mistake listed at once, the student's input kept)."""
import uuid

from flask import flash, redirect, request, url_for

from osac_shared.auth import STUDENT
from osac_shared.catalogue import service_of
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

from . import i18n, ui_logic
from .app import state
from .clients import ServiceUnavailable
from .ui import (GUIDE_PAGE, _, bp, catalogue, clock, ctx, described_forms, explain,
                 item_by_code, lang, login_required, render)


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
    windows = sorted({i["window"] for i in items})
    return render("guide.html", groups=ui_logic.group_by_window(shown), due=due, q=q,
                  window=window, department=department, windows=windows, total=len(found),
                  page=page, pages=pages, departments=DEPARTMENTS,
                  unavailable=unavailable, stale=stale)


# ---- apply -------------------------------------------------------------------------------------
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
    spec = ui_logic.form_spec(item, described_forms(department))
    if request.method == "GET":
        values = {f["name"]: request.args.get(f["name"], "") for f in spec}
        return render("apply.html", item=item, spec=spec, values=values, given=[],
                      key=uuid.uuid4().hex, green_reason="", problems=None, message=None)
    data = request.form
    given = data.getlist("materials")
    form, local = ui_logic.parse_form(spec, data)
    local.update({f"form.{f['name']}": "必填项，请填写 / required" for f in spec
                  if f.get("required") and f.get("type") != "boolean"
                  and not str(data.get(f["name"], "")).strip()})
    key = data.get("key") or uuid.uuid4().hex
    green_reason = data.get("green_reason", "").strip()[:2000]
    keep = dict(item=item, spec=spec, values=ui_logic.form_values(spec, data), given=given,
                key=key, green_reason=green_reason)
    if local:
        return render("apply.html", 422, message=_("error.fix"),
                      problems=ui_logic.checklist(item, spec, given, local, lang()), **keep)
    try:
        case = state().clients.call(department, "submit_case", item_code, given, form, key,
                                    green_reason, write=True, **ctx())
    except (DomainError, ServiceUnavailable) as exc:
        status, message, _fields = explain(exc)
        problems = None
        if status == 422 and isinstance(exc, DomainError):
            problems = ui_logic.checklist(item, spec, given, exc.fields, lang())
        return render("apply.html", status, message=message, problems=problems, **keep)
    flash(_("apply.sent", id=case["id"]), "ok")
    return redirect(url_for("ui.case", case_id=case["id"]))
