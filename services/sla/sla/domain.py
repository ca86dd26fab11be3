"""Deadline rules (plain functions, no I/O): fold case events into a deadline, fire alarms,
summarise on-time rates.

A deadline's state is a function of the *set* of events seen, not of their order: the row keeps
the facts every case event carries (item, limit, submitted_at) plus a list of "marks" (the
returned / resubmitted / final events with their times), and ``recompute`` derives everything
else from them. So an out-of-order or repeated delivery ends in the same state.

    completion timer: due = limit from submitted_at, moved later by paused time
    case.returned -> paused; case.resubmitted -> resumed (paused time counts as the limit's
        unit does: working seconds for working-calendar limits, elapsed time for calendar hours)
    case.completed / case.rejected -> met (finished <= due) or late; case.withdrawn -> cancelled
    alarms: warning at ``share`` of the time, breached once past due; each fires once; alarms of
    working-calendar limits are held to working hours.
"""
from collections import defaultdict
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

from osac_shared.calendar import (DEFAULT, WORKING_UNITS, add_working_seconds, due_at,
                                  elapsed_seconds, in_working_hours,
                                  next_working_moment, shift, working_seconds_between)
from osac_shared.clock import TZ
from osac_shared.contracts import make_event

COMPLETION = "completion"
OPEN, BREACHED, MET, LATE, CANCELLED = "open", "breached", "met", "late", "cancelled"
ACTIVE = (OPEN, BREACHED)
RETURNED, RESUBMITTED = "case.returned", "case.resubmitted"
FINAL_TYPES = ("case.completed", "case.rejected", "case.withdrawn")
MARK_TYPES = (RETURNED, RESUBMITTED) + FINAL_TYPES
_MARK_ORDER = {t: i for i, t in enumerate(MARK_TYPES)}
WARNING, BREACH = "warning", "breached"
ALARM_LEVEL = {WARNING: 1, BREACH: 2}
DEFAULT_WARNING_SHARE = 0.75


@dataclass(frozen=True)
class DeadlineState:
    case_id: str
    timer: str
    department: str
    window: int
    item_code: str
    student_id: str
    limit_value: int
    limit_unit: str
    submitted_at: datetime
    post: str = "B"
    kind: str = "application"
    green_channel: bool = False
    marks: tuple = ()                 # ({"event_id", "type", "at"}, ...)
    status: str = OPEN
    due_at: datetime | None = None
    flagged: bool = False
    warning_at: datetime | None = None
    paused_since: datetime | None = None
    paused_seconds: float = 0.0
    finished_at: datetime | None = None
    on_time: bool | None = None
    warned_at: datetime | None = None
    breached_at: datetime | None = None
    alarm_at: datetime | None = None


STATE_FIELDS = tuple(f.name for f in fields(DeadlineState))


def parse_time(value):
    """An ISO 8601 string or datetime as an aware Asia/Shanghai datetime (naive = local)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value.astimezone(TZ)


def new_state(case_id, data, timer=COMPLETION):
    """A deadline from any case event's data (each carries the item, limit and submitted_at)."""
    return DeadlineState(
        case_id=case_id, timer=timer, department=data["department"],
        window=int(data["window"]), item_code=data["item_code"],
        student_id=data["student_id"], limit_value=int(data["limit"]["value"]),
        limit_unit=data["limit"]["unit"], submitted_at=parse_time(data["submitted_at"]),
        post=data.get("post") or "B", kind=data.get("kind") or "application",
        green_channel=bool(data.get("green_channel")))


def apply_event(state, event, cal=DEFAULT, warning_share=DEFAULT_WARNING_SHARE):
    """Fold one validated case event (``contracts.read_event`` output) into ``state``
    (None for a case not seen yet); returns the new state."""
    if state is None:
        state = new_state(event["case_id"], event["data"])
    if event["type"] in MARK_TYPES and all(m["event_id"] != event["event_id"]
                                           for m in state.marks):
        mark = {"event_id": event["event_id"], "type": event["type"],
                "at": parse_time(event["occurred_at"]).isoformat()}
        state = replace(state, marks=tuple(state.marks) + (mark,))
    return recompute(state, cal, warning_share)


def _sorted_marks(marks):
    return sorted(marks, key=lambda m: (parse_time(m["at"]), _MARK_ORDER[m["type"]]))


def final_mark(marks):
    """The earliest final event (a case has only one; a stray second one is ignored)."""
    finals = [m for m in _sorted_marks(marks) if m["type"] in FINAL_TYPES]
    return finals[0] if finals else None


def pauses(marks, until, unit, cal=DEFAULT):
    """(paused seconds of closed pauses, start of a pause still open) up to ``until``."""
    total, since = 0.0, None
    for m in _sorted_marks(marks):
        at = parse_time(m["at"])
        if until is not None and at > until:
            break
        if m["type"] == RETURNED and since is None:
            since = at
        elif m["type"] == RESUBMITTED and since is not None:
            total += elapsed_seconds(since, at, unit, cal)
            since = None
    if since is not None and until is not None:       # finished while returned
        total += elapsed_seconds(since, until, unit, cal)
        since = None
    return total, since


def warning_moment(start, due, unit, share, cal=DEFAULT):
    """The moment ``share`` of the time from ``start`` to ``due`` has passed."""
    if unit in WORKING_UNITS:
        secs = working_seconds_between(start, due, cal)
        return add_working_seconds(start, round(secs * share), cal)
    return start + timedelta(seconds=round((due - start).total_seconds() * share))


def recompute(state, cal=DEFAULT, warning_share=DEFAULT_WARNING_SHARE):
    """Derive due/warning/pause/status/alarm from the facts and marks (alarm stamps kept)."""
    unit = state.limit_unit
    base_due, flagged = due_at(state.submitted_at, state.limit_value, unit, cal)
    base_warning = warning_moment(state.submitted_at, base_due, unit, warning_share, cal)
    final = final_mark(state.marks)
    finished_at = parse_time(final["at"]) if final else None
    paused_seconds, paused_since = pauses(state.marks, finished_at, unit, cal)
    due, moved_flag = shift(base_due, paused_seconds, unit, cal)
    warning, _ = shift(base_warning, paused_seconds, unit, cal)
    on_time = None
    if final is None:
        status = BREACHED if state.breached_at else OPEN
    elif final["type"] == "case.withdrawn":
        status = CANCELLED
    else:
        on_time = finished_at <= due
        status = MET if on_time else LATE
    state = replace(state, due_at=due, flagged=flagged or moved_flag, warning_at=warning,
                    paused_since=paused_since, paused_seconds=paused_seconds,
                    finished_at=finished_at, on_time=on_time, status=status)
    return replace(state, alarm_at=next_alarm_at(state, cal))


def _hold(state, moment, cal):
    """Alarms of working-calendar limits wait for working hours; calendar hours fire any time."""
    return next_working_moment(moment, cal) if state.limit_unit in WORKING_UNITS else moment


def next_alarm_at(state, cal=DEFAULT):
    """When the next alarm may fire, or None (finished, paused, or every alarm fired)."""
    if state.status not in ACTIVE or state.paused_since is not None or state.breached_at:
        return None
    breach = state.due_at + timedelta(seconds=1)         # breached once *past* due
    if state.warned_at is None and state.warning_at < breach:
        return _hold(state, state.warning_at, cal)
    return _hold(state, breach, cal)


def fire_alarms(state, now, cal=DEFAULT):
    """(new state, alarms to emit) at ``now``. A breach makes a pending warning moot."""
    if state.status not in ACTIVE or state.paused_since is not None:
        return replace(state, alarm_at=None), []
    if state.limit_unit in WORKING_UNITS and not in_working_hours(now, cal):
        return replace(state, alarm_at=next_working_moment(now, cal)), []
    kinds = []
    if state.breached_at is not None:
        pass                                           # every alarm has fired
    elif now > state.due_at:
        state = replace(state, breached_at=now, status=BREACHED)
        kinds.append(BREACH)
    elif state.warned_at is None and now >= state.warning_at:
        state = replace(state, warned_at=now)
        kinds.append(WARNING)
    state = replace(state, alarm_at=next_alarm_at(state, cal))
    return state, kinds


def alarm_event(state, kind, now):
    """The ``sla.warning`` / ``sla.breached`` envelope for ``state`` (contracts.SlaAlarmV1)."""
    data = {"timer": state.timer, "department": state.department, "window": state.window,
            "item_code": state.item_code, "student_id": state.student_id,
            "due_at": state.due_at.isoformat(), "level": ALARM_LEVEL[kind]}
    return make_event(f"sla.{kind}", "sla", data, occurred_at=now, case_id=state.case_id)


def _iso(dt):
    return dt.astimezone(TZ).isoformat() if dt else None


def public(state):
    """What ``get_deadline`` answers."""
    return {"case_id": state.case_id, "timer": state.timer, "department": state.department,
            "window": state.window, "item_code": state.item_code,
            "limit": {"value": state.limit_value, "unit": state.limit_unit},
            "submitted_at": _iso(state.submitted_at), "due_at": _iso(state.due_at),
            "flagged": state.flagged, "status": state.status, "on_time": state.on_time,
            "paused": state.paused_since is not None,
            "paused_seconds": int(state.paused_seconds), "warning_at": _iso(state.warning_at),
            "warned_at": _iso(state.warned_at), "breached_at": _iso(state.breached_at),
            "completed_at": _iso(state.finished_at)}


# ---- report ------------------------------------------------------------------------------
def _bucket():
    return {"total": 0, OPEN: 0, BREACHED: 0, MET: 0, LATE: 0, CANCELLED: 0}


def _rate(b):
    judged = b[MET] + b[LATE] + b[BREACHED]
    return round(b[MET] / judged, 4) if judged else None


def summarize(states, max_breaches=200):
    """On-time rate per window, department and item, and the breaches (most overdue first).
    The rate is met / (met + late + open-and-breached); open or cancelled cases do not count."""
    groups = {"window": defaultdict(_bucket), "department": defaultdict(_bucket),
              "item": defaultdict(_bucket)}
    overall = _bucket()
    breaches = []
    for s in states:
        keys = {"window": s.window, "department": s.department, "item": s.item_code}
        for name, key in keys.items():
            groups[name][key]["total"] += 1
            groups[name][key][s.status] += 1
        overall["total"] += 1
        overall[s.status] += 1
        if s.status in (BREACHED, LATE):
            breaches.append(s)
    breaches.sort(key=lambda s: s.due_at)

    def rows(name):
        return [{name: key, **b, "on_time_rate": _rate(b)}
                for key, b in sorted(groups[name].items())]

    return {"total": overall["total"], "counts": overall, "on_time_rate": _rate(overall),
            "by_window": rows("window"), "by_department": rows("department"),
            "by_item": rows("item"), "breaches_total": len(breaches),
            "breaches": [public(s) for s in breaches[:max_breaches]]}
