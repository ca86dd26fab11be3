"""Staff pages: the B post's window queue and hand-over register, the A post's concentrated
processing queue and delegations, the deadlines about to be missed (B/A posts: their
department's; the director: all, from the SLA service's ``at_risk``), and a department's
review committee's cases waiting for its decision. The queues' quick buttons are the
``allowed_actions`` the department lists for this user and post to ``ui.case_action`` (the
department's ``perform``), like every action on a case page."""
from flask import flash, redirect, request, url_for
from sqlalchemy import select

from osac_shared.auth import A_POST, B_POST, COMMITTEE, DIRECTOR
from osac_shared.errors import DomainError

from . import accounts, ui_logic
from .api import department_of_case
from .app import current_user, db, state
from .clients import ServiceUnavailable
from .ui import _, bp, catalogue, clock, ctx, flash_error, lang, login_required, render
from .ui_student import deadlines_of, fan_out

PER_PAGE = 20
BUCKETS = {"new": ("submitted", "resubmitted"), "returned": ("returned",),
           "waiting": ("accepted",), "processing": ("processing",)}
BUCKET_TITLE = {"new": "staff.queue_new", "returned": "staff.queue_returned",
                "waiting": "staff.queue_waiting", "processing": "staff.queue_processing"}
AT_RISK_COUNT = ("sla", "at_risk", (1, 1), {})     # one row: the answer's total is the badge


def department_items(department):
    items, _u, _s = catalogue()
    return [i for i in items if i["department"] == department]


def queue(department, buckets, page, show=None):
    """{bucket: {"cases", "total"}} plus the failures, one fan-out for every list."""
    calls = {b: (department, "list_cases", (), {"statuses": list(BUCKETS[b]),
                                                "page": page if b == show else 1,
                                                "per_page": PER_PAGE}) for b in buckets}
    calls["delegations"] = (department, "delegations", (), {})
    calls["handovers"] = ("hall", "list_hand_overs", (True,), {})
    calls["referrals"] = ("hall", "list_questions", ("referred",), {"per_page": PER_PAGE})
    calls["at_risk"] = AT_RISK_COUNT
    ok, failed = fan_out(calls)
    cases = [c for b in buckets for c in (ok.get(b) or {}).get("cases", [])]
    deadlines, sla_down = deadlines_of(cases)
    lists = {b: {"cases": ui_logic.queue_order(ok[b]["cases"], deadlines),
                 "total": ok[b]["total"]} for b in buckets if b in ok}
    return lists, ok, failed, deadlines, sla_down


def delegations_for(ok, user):
    rows = ok.get("delegations")
    if rows is None:
        return None
    return {d["item_code"] for d in rows if d.get("b_post_id") in ("*", user.username)}


def at_risk_total(ok):
    """The count badge of the due-soon link (None when the SLA did not answer)."""
    return (ok.get("at_risk") or {}).get("total")


@bp.get("/window")
@login_required(B_POST, A_POST)
def window():
    user = current_user()
    show = request.args.get("show")
    show = show if show in BUCKETS else None
    page = max(1, request.args.get("page", 1, type=int))
    buckets = [show] if show else list(BUCKETS)
    lists, ok, failed, deadlines, sla_down = queue(user.department, buckets, page, show)
    delegated = delegations_for(ok, user) or set()
    items = department_items(user.department)
    kinds = {i["code"]: i for i in items}
    actions = {c["id"]: ui_logic.quick_actions(c, kinds.get(c["item_code"]))
               for b in lists.values() for c in b["cases"]}
    more = {c["id"]: ui_logic.more_actions(c, kinds.get(c["item_code"]))
            for b in lists.values() for c in b["cases"]}
    b_posts = db().scalars(select(accounts.User.username).where(
        accounts.User.role == B_POST, accounts.User.department == user.department)).all()
    open_ids = [c["id"] for b in lists.values() for c in b["cases"]
                if c["status"] not in ui_logic.FINISHED]
    handovers = ok.get("handovers")
    if isinstance(handovers, dict):
        handovers = handovers.get("hand_overs") or handovers.get("items") or []
    referrals = [q for q in (ok.get("referrals") or {}).get("questions", [])
                 if q.get("to_department") == user.department]
    return render("window.html", lists=lists, referrals=referrals, buckets=buckets,
                  titles=BUCKET_TITLE,
                  show=show, page=page, per_page=PER_PAGE, deadlines=deadlines,
                  actions=actions, more=more, delegated=sorted(delegated), items=items,
                  windows=sorted({i["window"] for i in items}), b_posts=b_posts,
                  open_ids=open_ids, handovers=handovers, now=state().clock(),
                  department_down=any(b in failed for b in buckets),
                  hall_down="handovers" in failed, sla_down=sla_down,
                  due_soon=at_risk_total(ok))


@bp.get("/approvals")
@login_required(A_POST)
def approvals():
    user = current_user()
    page = max(1, request.args.get("page", 1, type=int))
    ok, failed = fan_out({
        "queue": (user.department, "list_cases", (), {"statuses": ["accepted", "processing"],
                                                      "page": page, "per_page": PER_PAGE}),
        "delegations": (user.department, "delegations", (), {}),
        "at_risk": AT_RISK_COUNT})
    cases = (ok.get("queue") or {}).get("cases", [])
    deadlines, sla_down = deadlines_of(cases)
    cases = ui_logic.queue_order(cases, deadlines)
    now = state().clock()
    left = {c["id"]: ui_logic.time_left(c, deadlines.get(c["id"]), now, lang()) for c in cases}
    delegation_rows = ok.get("delegations")
    delegated = {d["item_code"] for d in delegation_rows or [] if d.get("b_post_id") == "*"}
    items = {i["code"]: i for i in department_items(user.department)}
    a_items = [i for i in items.values() if i.get("post") == "A"]
    total = (ok.get("queue") or {}).get("total", 0)
    return render("approvals.html", cases=cases, deadlines=deadlines, left=left,
                  actions={c["id"]: ui_logic.quick_actions(c, items.get(c["item_code"]))
                           for c in cases},
                  more={c["id"]: ui_logic.more_actions(c, items.get(c["item_code"]))
                        for c in cases},
                  page=page, pages=max(1, -(-total // PER_PAGE)), total=total,
                  queue_down="queue" in failed, sla_down=sla_down,
                  can_delegate=delegation_rows is not None, delegated=delegated,
                  a_items=a_items, due_soon=at_risk_total(ok))


def case_department(case_id):
    """The department serving ``case_id``, or None when it is not a case number."""
    try:
        return department_of_case(case_id)
    except DomainError:
        return None


@bp.get("/due-soon")
@login_required(B_POST, A_POST, DIRECTOR)
def due_soon():
    """Deadlines whose warning fired and that are not yet breached, soonest due first (the SLA
    scopes them: B/A posts their department's, the director all); each case's department is
    asked for its student and item. A department that is down is named; the SLA down is said
    on the page, never an error page."""
    user = current_user()
    page = max(1, request.args.get("page", 1, type=int))
    ok, failed = fan_out({"risk": ("sla", "at_risk", (page, PER_PAGE), {})})
    if isinstance(failed.get("risk"), DomainError):
        raise failed["risk"]
    answer = ok.get("risk") or {}
    deadlines, total = answer.get("items", []), answer.get("total", 0)
    calls = ui_logic.case_calls(deadlines, case_department)
    cases, missing = fan_out(calls) if calls else ({}, {})
    items, _u, _s = catalogue()
    rows = ui_logic.due_soon_rows(deadlines, cases, {i["code"]: i for i in items}, clock(),
                                  lang())
    unavailable = sorted({calls[k][0] for k, exc in missing.items()
                          if not isinstance(exc, DomainError)})
    return render("due_soon.html", rows=rows, page=page, total=total,
                  pages=max(1, -(-total // PER_PAGE)), sla_down="risk" in failed,
                  unavailable=unavailable,
                  department=None if user.role == DIRECTOR else user.department)


# ---- a department's review committee ------------------------------------------------------
OPEN = ("submitted", "resubmitted", "accepted", "processing", "returned")
COMMITTEE_SCAN = 200            # the most open cases looked through (list_cases' page limit)


@bp.get("/review")
@login_required(COMMITTEE)
def review():
    """A department's review committee (e.g. aid's 评审委员会): the department's cases that
    wait for its decision (``waiting_for.role == "committee"``), each opened to decide with
    the action the department lists for it."""
    user = current_user()
    if not user.department:
        return render("error.html", 403, message=_("error.forbidden"))
    ok, failed = fan_out({"open": (user.department, "list_cases", (),
                                   {"statuses": list(OPEN), "page": 1,
                                    "per_page": COMMITTEE_SCAN})})
    answer = ok.get("open") or {}
    cases = ui_logic.waiting_for_committee(answer.get("cases", []), user.department)
    deadlines, sla_down = deadlines_of(cases)
    cases = ui_logic.queue_order(cases, deadlines)
    now = clock()
    left = {c["id"]: ui_logic.time_left(c, deadlines.get(c["id"]), now, lang()) for c in cases}
    return render("review.html", cases=cases, deadlines=deadlines, left=left,
                  department_down="open" in failed, sla_down=sla_down,
                  more_open=answer.get("total", 0) > COMMITTEE_SCAN)


# ---- writes -------------------------------------------------------------------------------
def write_and_back(service, method, args, done, back):
    try:
        state().clients.call(service, method, *args, write=True, **ctx())
        flash(done, "ok")
    except (DomainError, ServiceUnavailable) as exc:
        flash_error(exc)
    return redirect(back)


@bp.post("/delegations")
@login_required(A_POST)
def delegate():
    user = current_user()
    return write_and_back(user.department, "delegate",
                          (request.form.get("item_code", ""),
                           request.form.get("enabled") == "1"),
                          _("staff.delegations_saved"), url_for("ui.approvals"))


@bp.post("/referrals/<int:question_id>/answer")
@login_required(B_POST, A_POST)
def answer_referral(question_id):
    return write_and_back("hall", "answer_referral",
                          (question_id, request.form.get("answer", "").strip()[:2000]),
                          _("desk.answered"), url_for("ui.window"))


@bp.post("/handover")
@login_required(B_POST, A_POST)
def hand_over():
    f = request.form
    return write_and_back("hall", "hand_over",
                          (f.get("window", type=int), f.get("to_b_post", "").strip()[:64],
                           f.getlist("open_case_ids"), f.get("note", "").strip()[:2000]),
                          _("handover.saved"), url_for("ui.window"))


@bp.post("/handover/<int:handover_id>/confirm")
@login_required(B_POST, A_POST)
def confirm_hand_over(handover_id):
    return write_and_back("hall", "confirm_hand_over", (handover_id,),
                          _("handover.confirmed"), url_for("ui.window"))
