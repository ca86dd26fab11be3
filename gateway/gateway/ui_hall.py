"""The hall's own pages: the consultation desk (first question, referral, follow-up until the
student has feedback), the hall director's dashboard (inline SVG charts + the SLA report, and
a link to the deadlines due soon with their count), and the hall office's pages: patrols,
assessment, the Sunshine Window with satisfaction, the roster and reports (the director
records; the management committee reads, from its own home page), and students' monthly vote.
All read the hall service; when it is down their parts say so and the rest still works."""
import re
from datetime import date
from functools import wraps

from flask import flash, redirect, request, url_for

from osac_shared.auth import COMMITTEE, DESK, DIRECTOR, STAFF, STUDENT
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

from . import charts, hall_api, i18n, ui_hall_logic as hl, ui_logic
from .app import current_user, state
from .hall_api import MAX_ID
from .compose import WINDOW_ZH
from .clients import ServiceUnavailable
from .ui import _, bp, clock, ctx, explain, lang, login_required, render
from .ui_staff import AT_RISK_COUNT, at_risk_total
from .ui_student import fan_out

DESK_PAGE = 20
WINDOWS = sorted(WINDOW_ZH)
CHANNELS = ("on_site", "phone", "email", "wechat")
QUESTION_STATUSES = ("open", "referred", "answered", "closed")
DESK_FIELDS = {"student_id": "desk.student", "channel": "desk.channel",
               "question": "desk.question", "department": "desk.department",
               "to_department": "desk.refer_to", "note": "desk.refer_note",
               "feedback": "desk.feedback"}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# ---- consultation desk ------------------------------------------------------------------------
def desk_page(status=200, error=None, posted=None):
    wanted = request.args.get("status", "")
    wanted = wanted if wanted in QUESTION_STATUSES else ""
    page = max(1, request.args.get("page", 1, type=int))
    ok, failed = fan_out({"q": ("hall", "list_questions", (wanted or None,),
                                {"page": page, "per_page": DESK_PAGE})})
    answer = ok.get("q") or {}
    questions = answer.get("questions", answer if isinstance(answer, list) else [])
    total = answer.get("total", len(questions)) if isinstance(answer, dict) else len(questions)
    return render("desk.html", status, questions=questions, wanted=wanted, page=page,
                  pages=max(1, -(-total // DESK_PAGE)), total=total,
                  hall_down="q" in failed and not isinstance(failed["q"], DomainError),
                  channels=CHANNELS, statuses=QUESTION_STATUSES, departments=DEPARTMENTS,
                  error=error, posted=posted or {})


@bp.get("/desk")
@login_required(DESK, DIRECTOR)
def desk():
    return desk_page()


def desk_write(method, args, done):
    """A desk write: PRG on success; the page again with the message and input on refusal."""
    try:
        state().clients.call("hall", method, *args, write=True, **ctx())
    except (DomainError, ServiceUnavailable) as exc:
        status, message, _fields = explain(exc)
        names = {k: _(v) for k, v in DESK_FIELDS.items()}
        fields = ui_logic.labelled(exc.fields if isinstance(exc, DomainError) else {}, None,
                                   (), lang(), names)
        return desk_page(status, (status, message, fields), request.form)
    flash(done, "ok")
    return redirect(url_for("ui.desk", status=request.args.get("status", "")))


@bp.post("/desk/questions")
@login_required(DESK, DIRECTOR)
def record_question():
    f = request.form
    return desk_write("record_question", (f.get("student_id", "").strip(),
                                          f.get("channel", ""),
                                          f.get("question", "").strip()[:2000],
                                          f.get("department") or None), _("desk.recorded"))


@bp.post("/desk/questions/<int:question_id>/refer")
@login_required(DESK, DIRECTOR)
def refer(question_id):
    f = request.form
    return desk_write("refer", (question_id, f.get("to_department", ""),
                                f.get("note", "").strip()[:2000]), _("desk.referred"))


@bp.post("/desk/questions/<int:question_id>/follow-up")
@login_required(DESK, DIRECTOR)
def follow_up(question_id):
    return desk_write("follow_up", (question_id, request.form.get("feedback", "").strip()[:2000]),
                      _("desk.followed"))


# ---- the director's dashboard ----------------------------------------------------------------
def all_cases_in(start, end):
    """Every department's cases submitted in [start, end) (the newest 200 of each): the
    fallback for cases-per-hour when the SLA report has no ``per_hour``."""
    ok, _failed = fan_out({d: (d, "list_cases", (), {"page": 1, "per_page": 200})
                           for d in DEPARTMENTS})
    out = []
    for answer in ok.values():
        for case in answer.get("cases", []):
            at = ui_logic.parse_time(case.get("submitted_at"))
            if at and start <= at < end:
                out.append(case)
    return out


def window_label(n):
    return i18n.t("dir.window", lang(), n=n)


@bp.get("/director")
@login_required(DIRECTOR)
def director():
    month = request.args.get("month", "")
    month = month if MONTH.match(month) else clock().strftime("%Y-%m")
    start, end = ui_logic.month_range(month)
    ok, failed = fan_out({"sla": ("sla", "report", (start.isoformat(), end.isoformat()), {}),
                          "sat": ("hall", "satisfaction", (month,), {}),
                          "sun": ("hall", "sunshine", (month,), {}),
                          "ho": ("hall", "pending_hand_overs", (), {}),
                          "at_risk": AT_RISK_COUNT})
    report, sat, sun = ok.get("sla"), ok.get("sat"), ok.get("sun")
    no = _("dir.no_data_short")
    on_time = ui_logic.every_window(ui_logic.on_time_by_window(report), WINDOWS) \
        if report else []
    satisfaction = ui_logic.every_window(ui_logic.satisfaction_by_window(sat), WINDOWS) \
        if sat else []
    hours = ui_logic.per_hour(report, () if (report or {}).get("per_hour") is not None
                              else all_cases_in(start, end))
    figures = {
        "on_time": charts.bar_chart([(window_label(w), r) for w, r, _b in on_time],
                                    _("dir.on_time"), target=1.0, no_data=no,
                                    target_label=_("dir.target", v="100%")) if on_time else None,
        "satisfaction": charts.bar_chart(
            [(window_label(w), r) for w, r, _n in satisfaction], _("dir.satisfaction"),
            target=0.96, no_data=no, target_label=_("dir.target", v="96%"))
        if satisfaction else None,
        "breaches": charts.bar_chart([(window_label(w), b) for w, _r, b in on_time],
                                     _("dir.breaches"), percent=False, no_data=no)
        if on_time else None,
        "per_hour": charts.column_chart(hours, [_("dir.hour", h=h) for h in range(24)],
                                        _("dir.per_hour")),
    }
    ranking = sun.get("rows", sun.get("ranking", [])) if isinstance(sun, dict) else (sun or [])
    return render("director.html", month=month, report=report or {}, figures=figures,
                  ranking=ranking, on_time=on_time, hours=hours,
                  handovers=ok.get("ho") or [], due_soon=at_risk_total(ok),
                  sla_down="sla" in failed, hall_down="sat" in failed and "sun" in failed,
                  sat_down="sat" in failed, sun_down="sun" in failed)


# ---- the hall office: patrols, assessment, the Sunshine Window, roster, reports ---------------
# The director records (patrols, demerits, the roster); the management committee reads the same
# pages without their forms; B/A posts read their own assessment; students vote. Every rule is
# the hall service's: these pages send what was typed and show what it answers.
READERS = (DIRECTOR, COMMITTEE)


def centre_only(view):
    """After ``login_required``: a department's review committee (role committee with a
    department) is not the centre's management committee, and gets the 403 page."""
    @wraps(view)
    def inner(*args, **kwargs):
        user = current_user()
        if user.role == COMMITTEE and user.department:
            return render("error.html", 403, message=_("error.forbidden"))
        return view(*args, **kwargs)
    return inner


def period_view():
    """(period, problem) from ?period= (default this month; a bad one says so)."""
    return hl.clean_period(request.args.get("period"), clock().date())


def period_error(problem):
    if not problem:
        return None
    return (422, _("period.bad", value=request.args.get("period", "")[:40]), [])


def hall_error(exc, names=None):
    """A refused or failed call as (status, message, [(what, message)]) for ``error_box``."""
    status, message, _fields = explain(exc)
    raw = exc.fields if isinstance(exc, DomainError) else {}
    return status, message, ui_logic.labelled(raw, None, (), lang(), names)


def first_error(failed, *keys):
    """The first refusal (a DomainError) among ``failed`` calls, as an ``error_box`` triple."""
    for key in keys:
        if isinstance(failed.get(key), DomainError):
            return hall_error(failed[key])
    return None


def hall_down(failed, *keys):
    return any(k in failed and not isinstance(failed[k], DomainError) for k in keys)


def hall_write(method, args, done, back, page, names=None):
    """A write to the hall: PRG with ``done`` (text, or a function of the answer) on success;
    the page again (``page(status, error, posted)``) with the message and the input kept."""
    try:
        answer = state().clients.call("hall", method, *args, write=True, **ctx())
    except (DomainError, ServiceUnavailable) as exc:
        error = hall_error(exc, names)
        return page(error[0], error, request.form)
    for category, text in (done(answer) if callable(done) else [("ok", done)]):
        flash(text, category)
    return redirect(back)


def is_director():
    return current_user().role == DIRECTOR


@bp.app_template_global("period_label")
def period_label(period):
    return hl.period_label(period, lang())


@bp.app_template_global("failed_checks")
def failed_checks(patrol):
    return hl.failed_checks(patrol)


@bp.app_template_filter("post_name")
def post_name(post):
    return _(f"post.{post}")


# ---- patrols (巡查) -------------------------------------------------------------------------
def patrols_page(status=200, error=None, posted=None):
    period, problem = period_view()
    ok, failed = fan_out({"patrols": ("hall", "patrols", (period,), {}),
                          "open": ("hall", "open_findings", (), {}),
                          "windows": ("hall", "windows", (), {})})
    patrols = ok.get("patrols") or []
    found, still_open = hl.findings_count(patrols)
    people = sorted(hl.roster_people(ok.get("windows") or []).values(),
                    key=lambda p: p["staff_id"])
    return render("patrols.html", status, period=period, choices=hl.period_choices(
        clock().date()), patrols=patrols, open_findings=ok.get("open") or [],
        found=found, still_open=still_open, people=people, checks=hl.CHECKS,
        rows=range(hl.FINDING_ROWS), windows=WINDOWS, today=clock().date().isoformat(),
        more_open=hl.more_findings_given(posted or {}),
        error=error or period_error(problem) or first_error(failed, "patrols", "open"),
        down=hall_down(failed, "patrols", "open"), posted=posted or {},
        editable=is_director())


@bp.get("/patrols")
@login_required(*READERS)
@centre_only
def patrols():
    return patrols_page()


@bp.post("/patrols")
@login_required(DIRECTOR)
def record_patrol():
    checklist, findings, rows = hl.patrol_from_form(request.form)
    day = request.form.get("date", "").strip() or clock().date().isoformat()

    def done(answer):
        yield "ok", _("patrol.recorded", n=len(answer["patrol"]["findings"]))
        for warning in answer.get("warnings", []):
            yield "warn", warning["message_en"] if lang() == "en" else warning["message"]
    names = hl.patrol_field_names(rows, lang())
    return hall_write("record_patrol", (day, checklist, findings), done,
                      url_for("ui.patrols", period=request.args.get("period", "")),
                      patrols_page, names)


@bp.post("/patrols/findings/<int:finding_id>/resolve")
@login_required(DIRECTOR)
def resolve_finding(finding_id):
    names = {"result": _("patrol.result"), "finding_id": _("patrol.finding")}
    return hall_write("resolve_finding", (min(finding_id, MAX_ID),
                                          request.form.get("result", "").strip()[:2000]),
                      _("patrol.resolved"),
                      url_for("ui.patrols", period=request.args.get("period", "")),
                      patrols_page, names)


# ---- assessment (考核) ----------------------------------------------------------------------
DEMERIT_FIELDS = {"person_id": "assess.person", "kind": "assess.kind",
                  "source_ref": "assess.source_ref", "note": "assess.note"}


def assessment_page(status=200, error=None, posted=None):
    period, problem = period_view()
    user = current_user()
    own = user.role in STAFF
    calls = {"assessment": ("hall", "assessment", (period, user.username if own else None), {}),
             "windows": ("hall", "windows", (), {})}
    ok, failed = fan_out(calls)
    windows = ok.get("windows") or []
    rows = hl.assessment_rows(ok.get("assessment"), windows,
                              only=user.username if own else None)
    people = sorted(hl.roster_people(windows).values(), key=lambda p: p["staff_id"])
    return render("assessment.html", status, period=period, own=own, rows=rows,
                  choices=hl.period_choices(clock().date()), people=people,
                  kinds=hall_api.DIRECTOR_KINDS, editable=is_director(), posted=posted or {},
                  error=error or period_error(problem) or first_error(failed, "assessment"),
                  down=hall_down(failed, "assessment"))


@bp.get("/assessment")
@login_required(*READERS, *STAFF)
@centre_only
def assessment():
    return assessment_page()


@bp.post("/assessment/demerits")
@login_required(DIRECTOR)
def record_demerit():
    f = request.form
    person = f.get("person_id", "").strip()[:64]

    def done(answer):
        yield "ok", _("assess.recorded", who=person, m=answer["month_demerits"],
                      t=answer["term_demerits"])
        if answer.get("wage_reduced"):
            yield "warn", _("assess.wage_now", who=person)
        if answer.get("dismissal_flag"):
            yield "warn", _("assess.dismissal_now", who=person)
    return hall_write("record_demerit", (person, f.get("kind", ""),
                                         f.get("source_ref", "").strip()[:128],
                                         f.get("note", "").strip()[:2000]), done,
                      url_for("ui.assessment", period=request.args.get("period", "")),
                      assessment_page,
                      {k: _(v) for k, v in DEMERIT_FIELDS.items()})


# ---- the Sunshine Window (阳光窗口) and satisfaction ------------------------------------------
@bp.get("/sunshine")
@login_required(*READERS)
@centre_only
def sunshine():
    month = request.args.get("month", "")
    problem = None
    if not MONTH.match(month):
        problem, month = bool(month), clock().strftime("%Y-%m")
    ok, failed = fan_out({"sun": ("hall", "sunshine", (month,), {}),
                          "sat": ("hall", "satisfaction", (month,), {})})
    sun, sat = ok.get("sun") or {}, ok.get("sat") or {}
    error = (422, _("period.bad_month", value=request.args.get("month", "")[:40]), []) \
        if problem else first_error(failed, "sun", "sat")
    return render("sunshine.html", month=month, sun=sun, sat=sat,
                  overall=hl.overall_satisfaction(sat),
                  weights=hl.weights_text(sun.get("weights") or {}, lang()),
                  sun_down=hall_down(failed, "sun"), sat_down=hall_down(failed, "sat"),
                  error=error)


# ---- the roster (A/B posts and shifts) ---------------------------------------------------------
POST_FIELDS = {"window": "roster.window", "staff_id": "roster.staff_id", "post": "roster.post",
               "name": "roster.name"}
SHIFT_FIELDS = {"window": "roster.window", "staff_id": "roster.staff", "date": "roster.date",
                "start": "roster.start", "end": "roster.end"}


def roster_page(status=200, error=None, posted=None):
    day = request.args.get("date", "")
    try:
        day = date.fromisoformat(day).isoformat()
    except ValueError:
        day = clock().date().isoformat()
    today = day == clock().date().isoformat()
    calls = {"windows": ("hall", "windows", (), {}), "shifts": ("hall", "shifts", (day,), {})}
    if today:
        calls.update({f"duty{n}": ("hall", "on_duty", (n,), {}) for n in WINDOWS})
    ok, failed = fan_out(calls)
    windows = ok.get("windows") or []
    return render("roster.html", status, cards=hl.roster_cards(windows), day=day, today=today,
                  shifts=ok.get("shifts") or [], b_posts=hl.b_posts(windows),
                  duty={n: ok.get(f"duty{n}") for n in WINDOWS}, windows=WINDOWS,
                  down=hall_down(failed, "windows", "shifts"), posted=posted or {},
                  error=error or first_error(failed, "windows", "shifts"))


@bp.get("/roster")
@login_required(DIRECTOR)
def roster():
    return roster_page()


def roster_names(fields=POST_FIELDS, form="roster.set"):
    """{field: "which form · which field"}: the roster page has two forms of the same fields."""
    return {k: _("roster.field", form=_(form), what=_(v)) for k, v in fields.items()}


@bp.post("/roster/posts")
@login_required(DIRECTOR)
def set_post():
    f = request.form
    window = f.get("window", type=int)
    return hall_write("set_post", (window, f.get("staff_id", "").strip()[:64],
                                   f.get("post", ""), f.get("name", "").strip()[:64]),
                      lambda p: [("ok", _("roster.saved", who=p["staff_id"],
                                          window=window_label(p["window"]),
                                          post=_("roster.post_" + p["post"])))],
                      url_for("ui.roster"), roster_page, roster_names())


@bp.post("/roster/posts/remove")
@login_required(DIRECTOR)
def remove_post():
    f = request.form
    return hall_write("remove_post", (f.get("window", type=int),
                                      f.get("staff_id", "").strip()[:64]),
                      lambda p: [("ok", _("roster.removed", who=p["staff_id"],
                                          window=window_label(p["window"]),
                                          n=p["shifts_removed"]))],
                      url_for("ui.roster"), roster_page, roster_names())


@bp.post("/roster/shifts")
@login_required(DIRECTOR)
def add_shift():
    f = request.form
    day = f.get("date", "").strip()
    return hall_write("add_shift", (day, f.get("start", "").strip(), f.get("end", "").strip(),
                                    f.get("window", type=int),
                                    f.get("staff_id", "").strip()[:64]),
                      _("roster.shift_added"), url_for("ui.roster", date=day),
                      roster_page, roster_names(SHIFT_FIELDS, "roster.add_shift"))


# ---- reports -----------------------------------------------------------------------------------
def report_view(period):
    ok, failed = fan_out({"report": ("hall", "report", (period, "json"), {})})
    return ok.get("report") or {}, failed


@bp.get("/reports")
@login_required(*READERS)
@centre_only
def reports():
    period, problem = period_view()
    report, failed = report_view(period)
    return render("reports.html", period=period, report=report,
                  totals=hl.report_totals(report), choices=hl.period_choices(clock().date()),
                  down=hall_down(failed, "report"),
                  error=period_error(problem) or first_error(failed, "report"))


# ---- the management committee's home -----------------------------------------------------------
@bp.get("/committee")
@login_required(COMMITTEE, DIRECTOR)
@centre_only
def committee():
    month = request.args.get("month", "")
    month = month if MONTH.match(month) else clock().strftime("%Y-%m")
    ok, failed = fan_out({"report": ("hall", "report", (month, "json"), {}),
                          "sun": ("hall", "sunshine", (month,), {}),
                          "sat": ("hall", "satisfaction", (month,), {}),
                          "open": ("hall", "open_findings", (), {})})
    report = ok.get("report") or {}
    return render("committee.html", month=month, report=report, sun=ok.get("sun") or {},
                  totals=hl.report_totals(report), overall=hl.overall_satisfaction(
                      ok.get("sat")), open_findings=ok.get("open"),
                  down=hall_down(failed, "report", "sun", "sat", "open"),
                  error=first_error(failed, "report", "sun", "sat", "open"))


# ---- students: the monthly vote ------------------------------------------------------------------
def vote_page(status=200, error=None, posted=None):
    ok, failed = fan_out({"mine": ("hall", "my_vote", (None,), {})})
    return render("vote.html", status, mine=ok.get("mine"), windows=WINDOWS,
                  month=clock().strftime("%Y-%m"), down=hall_down(failed, "mine"),
                  error=error or first_error(failed, "mine"), posted=posted or {})


@bp.get("/vote")
@login_required(STUDENT)
def vote():
    return vote_page()


@bp.post("/vote")
@login_required(STUDENT)
def cast_vote():
    window = request.form.get("window", type=int)
    return hall_write("vote", (window, None), _("vote.thanks"), url_for("ui.vote"), vote_page,
                      {"window": _("vote.choose"), "month": _("vote.month_field")})
