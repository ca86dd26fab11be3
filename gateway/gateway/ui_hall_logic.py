"""The hall office's pages as pure functions (no Flask, no RPC): periods (a month or a term),
the patrol form turned into the hall's ``record_patrol`` arguments and its error names, the
assessment table over the whole roster, the A/B pairing of each window, and totals.

Terms are the hall's (``hall.rules.periods``): ``YYYY-term1`` is February to July of YYYY,
``YYYY-term2`` August YYYY to January YYYY+1."""
import re

from . import i18n
from .hall_api import CHECKS

PERIOD = re.compile(r"^20\d\d-((0[1-9]|1[0-2])|term[12])$")
MONTH = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
FINDING_ROWS = 3                 # blank finding rows on the patrol form (blank ones are skipped)
FINDING_FIELDS = ("window", "person", "opinion", "result")
KINDS = ("lateness", "verified_error", "verified_complaint", "sla_breach", "notice_violation")


# ---- periods -------------------------------------------------------------------------------
def month_of(day):
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day):
    return f"{day.year - 1:04d}-12" if day.month == 1 else f"{day.year:04d}-{day.month - 1:02d}"


def term_of(day):
    if 2 <= day.month <= 7:
        return f"{day.year}-term1"
    return f"{day.year if day.month >= 8 else day.year - 1}-term2"


def previous_term(term):
    year, half = int(term[:4]), term[-1]
    return f"{year - 1}-term2" if half == "1" else f"{year}-term1"


def period_choices(today):
    """The quick links of a period picker: this month, last month, this term, last term."""
    this_term = term_of(today)
    return [month_of(today), previous_month(today), this_term, previous_term(this_term)]


def clean_period(value, today):
    """(period, problem): the period asked for, or this month and why it was not taken."""
    value = (value or "").strip()
    if not value:
        return month_of(today), None
    if PERIOD.match(value):
        return value, None
    return month_of(today), "period"


def period_label(period, lang):
    """"2026-03" -> 2026年3月 / March 2026; "2026-term1" -> 2026年春季学期（2–7月） / ..."""
    if MONTH.match(period or ""):
        year, month = int(period[:4]), int(period[5:])
        return i18n.t("period.month", lang, y=year, m=month)
    if PERIOD.match(period or ""):
        year = int(period[:4])
        key = "period.term1" if period.endswith("1") else "period.term2"
        return i18n.t(key, lang, y=year, next=year + 1)
    return period or ""


# ---- the patrol form -----------------------------------------------------------------------
def patrol_from_form(form):
    """(checklist, findings, rows): ``record_patrol``'s arguments from the page's form and the
    form row (0-based) each finding came from. A check without an answer is left out (the hall
    names it); a finding row left blank is skipped."""
    checklist = {}
    for code in CHECKS:
        answer = form.get(f"check_{code}")
        if answer in ("ok", "bad"):
            checklist[code] = {"ok": answer == "ok",
                               "note": (form.get(f"note_{code}") or "").strip()[:2000]}
    findings, rows = [], []
    for i in range(FINDING_ROWS):
        values = {f: (form.get(f"finding_{i}_{f}") or "").strip() for f in FINDING_FIELDS}
        if not any(values.values()):
            continue
        window = int(values["window"]) if values["window"].isdigit() else None
        findings.append({"window": window, "person": values["person"][:64],
                         "opinion": values["opinion"][:2000], "result": values["result"][:2000]})
        rows.append(i)
    return checklist, findings, rows


def more_findings_given(form):
    """Was anything typed in the finding rows after the first (so they are shown open)?"""
    return any((form.get(f"finding_{i}_{f}") or "").strip()
               for i in range(1, FINDING_ROWS) for f in FINDING_FIELDS)


def patrol_field_names(rows, lang):
    """{error field: label} for the patrol form: checks by name, findings by their form row."""
    names = {"date": i18n.t("patrol.date", lang), "checklist": i18n.t("patrol.checklist", lang),
             "findings": i18n.t("patrol.findings", lang)}
    for code in CHECKS:
        names[f"checklist.{code}"] = i18n.t(f"check.{code}", lang)
    for j, row in enumerate(rows):
        for f in FINDING_FIELDS:
            names[f"findings.{j}.{f}"] = i18n.t("patrol.finding_field", lang, n=row + 1,
                                                what=i18n.t(f"patrol.f_{f}", lang))
    return names


def failed_checks(patrol):
    """[(code, note)] of the checks a patrol found wanting, in the checklist's order."""
    checklist = patrol.get("checklist") or {}
    return [(code, (checklist.get(code) or {}).get("note", "")) for code in CHECKS
            if code in checklist and not checklist[code].get("ok", True)]


def findings_count(patrols):
    """(findings, still without a result) over a list of patrols."""
    found = [f for p in patrols for f in p.get("findings", [])]
    return len(found), sum(1 for f in found if not f.get("resolved"))


# ---- the roster ----------------------------------------------------------------------------
def roster_cards(windows):
    """Each window with its A post(s) and B posts and what its A/B pairing lacks."""
    cards = []
    for w in windows:
        a = [p for p in w.get("posts", []) if p.get("post") == "A"]
        b = [p for p in w.get("posts", []) if p.get("post") == "B"]
        missing = [post for post, people in (("A", a), ("B", b)) if not people]
        cards.append({**w, "a": a, "b": b, "missing": missing, "paired": not missing})
    return cards


def roster_people(windows):
    """{staff_id: {"staff_id", "name", "post", "windows"}} over every window's posts."""
    people = {}
    for w in windows:
        for p in w.get("posts", []):
            person = people.setdefault(p["staff_id"], {"staff_id": p["staff_id"],
                                                       "name": p.get("name", ""),
                                                       "post": p.get("post"), "windows": []})
            person["windows"].append(w["window"])
    return people


def b_posts(windows):
    """[(staff_id, name, [window])] of the B posts (who may have a shift at those windows)."""
    found = {}
    for w in windows:
        for p in w.get("posts", []):
            if p.get("post") == "B":
                found.setdefault(p["staff_id"], (p.get("name", ""), []))[1].append(w["window"])
    return [(staff_id, name, at) for staff_id, (name, at) in sorted(found.items())]


# ---- assessment ----------------------------------------------------------------------------
def assessment_rows(assessment, windows=None, only=None):
    """One row per person: those with demerits (most first) and then, when the roster is
    known, everyone else on it with none. ``only``: that person alone."""
    people = roster_people(windows or [])
    rows = []
    for p in (assessment or {}).get("people", []):
        known = people.get(p["person_id"], {})
        rows.append({**p, "name": known.get("name", ""), "windows": known.get("windows")
                     or sorted({d["window"] for d in p.get("demerits", []) if d.get("window")})})
    rows.sort(key=lambda r: (-r["total"], r["person_id"]))
    seen = {r["person_id"] for r in rows}
    for staff_id, person in sorted(people.items()):
        if staff_id not in seen:
            rows.append({"person_id": staff_id, "post": person["post"], "name": person["name"],
                         "windows": person["windows"], "total": 0, "by_kind": {},
                         "month_demerits": 0, "term_demerits": 0, "wage_reduced": False,
                         "dismissal_flag": False, "rate_delta_yuan": 0, "demerits": []})
    if only is not None:
        rows = [r for r in rows if r["person_id"] == only]
    return rows


# ---- satisfaction and the ranking ----------------------------------------------------------
def overall_satisfaction(satisfaction):
    """(rated, satisfied, rate or None) over every window."""
    rows = (satisfaction or {}).get("by_window", [])
    rated = sum(r.get("rated", 0) for r in rows)
    satisfied = sum(r.get("satisfied", 0) for r in rows)
    return rated, satisfied, (round(satisfied / rated, 4) if rated else None)


def report_totals(report):
    """Totals of a hall report's rows (cases handled, ratings, demerits, findings, open)."""
    rows = (report or {}).get("rows", [])
    keys = ("cases_handled", "ratings", "demerits", "patrol_findings", "open_findings")
    return {k: sum(r.get(k) or 0 for r in rows) for k in keys}


def weights_text(weights, lang):
    """{"votes": 0.3, ...} -> "投票 30%、满意度 30%、…" in the order of the ranking's parts."""
    parts = [(p, weights.get(p)) for p in ("votes", "satisfaction", "on_time", "assessment")
             if weights.get(p)]
    return i18n.t("sep", lang).join(f"{i18n.t('part.' + p, lang)} {i18n.percent(w)}"
                                    for p, w in parts)
