"""The hall's own pages: the consultation desk (first question, referral, follow-up until the
student has feedback) and the hall director's dashboard (inline SVG charts + the SLA report,
and a link to the deadlines due soon with their count).
Both read the hall service; when it is down its parts say so and the rest still works."""
import re

from flask import flash, redirect, request, url_for

from osac_shared.auth import DESK, DIRECTOR
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENTS

from . import charts, i18n, ui_logic
from .app import state
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
