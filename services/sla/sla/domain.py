"""Deadline rules (plain functions, no I/O): fold events into deadlines, fire alarms.

A deadline's state is a function of the *set* of events seen, not of their order: the row keeps
the facts every event carries (item, limit, submitted_at) plus "marks" (the events that pause,
resume or close its timer, with their times) and a few order-free facts (the earliest moment it
went green, the latest staff actor); ``recompute`` derives everything else. So an out-of-order
or repeated delivery ends in the same state.

Timers (one row per case and timer; ``TIMERS``):
    completion  every case: the item's limit, or the POLICIES table's when one matches, from
                submitted_at, moved later by paused time (returned .. resubmitted; paused time
                counts as the limit's unit does). Green channel (submitted green, or
                case.expedited): due no later than ``green_hours`` working hours after the
                moment it went green. completed/rejected -> met or late; withdrawn -> cancelled.
    acceptance  every case, A or B post: ``acceptance_hours`` working hours from submitted_at;
                accepted/returned/rejected -> met or late; withdrawn -> cancelled.
    referral    hall.referral_opened .. hall.referral_answered (first-question responsibility):
                the "hall.referral" policy (1 working day) for the receiving department.
Alarms (each fires once; SlaAlarmV1 ``level`` = who is told: 1 the window, 2 the department
head, 3 the hall director):
    sla.warning   level 1, when ``warning_share`` of the time has passed
    sla.breached  level 1, once past due (a pending warning becomes moot); also for a timer
                  closed late before its breach was raised (at night, during an outage)
    sla.escalated level 2 ``escalate_hours`` working hours after the breach moment, level 3 as
                  much again, while the timer stays open
    sla.urgent    level 1, when an open completion timer turns green (fired by the consumer)
Warnings and breaches of working-calendar limits, and every escalation, wait for working hours;
those of calendar-hour limits (repairs: a 24-hour hotline) fire at any time.
"""
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta

from osac_shared.auth import STAFF
from osac_shared.calendar import (DEFAULT, WORKING_UNITS, add_working_seconds, due_at,
                                  elapsed_seconds, in_working_hours, next_working_moment,
                                  shift, working_seconds_between)
from osac_shared.catalogue import UNITS
from osac_shared.clock import TZ
from osac_shared.contracts import make_event

COMPLETION, ACCEPTANCE, REFERRAL = "completion", "acceptance", "referral"
TIMERS = (COMPLETION, ACCEPTANCE, REFERRAL)
OPEN, BREACHED, MET, LATE, CANCELLED = "open", "breached", "met", "late", "cancelled"
ACTIVE = (OPEN, BREACHED)
DONE = "done"                                   # a closing event that is judged met or late
RETURNED, RESUBMITTED = "case.returned", "case.resubmitted"
OPENED, ANSWERED = "hall.referral_opened", "hall.referral_answered"
REFERRAL_TYPES = (OPENED, ANSWERED)
REFERRAL_ITEM = "hall.referral"
WARNING, BREACH, ESCALATION, URGENT = "warning", "breached", "escalated", "urgent"
ALARM_TYPE = {WARNING: "sla.warning", BREACH: "sla.breached", ESCALATION: "sla.escalated",
              URGENT: "sla.urgent"}
TOP_LEVEL = 3
ITEM_BASIS, GREEN_BASIS = "limit", "green"
DEFAULT_WARNING_SHARE = 0.75
Alarm = namedtuple("Alarm", "kind level")


@dataclass(frozen=True)
class TimerSpec:
    closes: dict                    # event type -> DONE or CANCELLED
    pause: str | None = None
    resume: str | None = None

    @property
    def mark_types(self):
        return {t for t in (*self.closes, self.pause, self.resume) if t}


SPECS = {
    COMPLETION: TimerSpec({"case.completed": DONE, "case.rejected": DONE,
                           "case.withdrawn": CANCELLED}, RETURNED, RESUBMITTED),
    ACCEPTANCE: TimerSpec({"case.accepted": DONE, "case.returned": DONE,
                           "case.rejected": DONE, "case.withdrawn": CANCELLED}),
    REFERRAL: TimerSpec({ANSWERED: DONE}),
}
# same-moment marks sort in this order (a return and a resubmission never share a moment)
_MARK_ORDER = {t: i for i, t in enumerate(
    (RETURNED, RESUBMITTED, "case.accepted", "case.completed", "case.rejected",
     "case.withdrawn", ANSWERED))}


# ---- policies ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    """``match``: an item-code prefix ("sunshine.complaint"), or "kind:<kind>"."""
    match: str
    value: int
    unit: str
    why: str = ""

    def applies(self, item_code, kind):
        if self.match.startswith("kind:"):
            return kind == self.match[5:]
        return item_code.startswith(self.match)


REFERRAL_POLICY = Policy(REFERRAL_ITEM, 1, "working_days", "首问责任制：一个工作日内答复 / "
                         "first-question referrals: answered within 1 working day")
# THE policy table: the first row that matches an item overrides the limit its events carry;
# an item no row matches keeps its catalogue limit. SLA_POLICIES (config) replaces the table.
POLICIES = (
    Policy("sunshine.complaint", 3, "working_days",
           "投诉三个工作日内反馈调查结果 / complaints: findings within 3 working days"),
    Policy("logistics.complaint", 3, "working_days",
           "后勤投诉三个工作日内反馈 / logistics complaints: findings within 3 working days"),
    Policy("logistics.dorm-repair", 48, "calendar_hours",
           "报修48小时内修复，24小时热线 / repairs within 48 hours, day and night"),
    REFERRAL_POLICY,
)


def policy_for(item_code, kind, policies=POLICIES):
    return next((p for p in policies if p.applies(item_code, kind)), None)


def policies_from_config(text):
    """"sunshine.complaint=3 working_days; kind:report=48 calendar_hours" -> a policy table
    (None when empty: keep POLICIES). Raises ValueError naming the bad entry."""
    if not text or not str(text).strip():
        return None
    table = []
    for entry in (e.strip() for e in str(text).split(";")):
        if not entry:
            continue
        match, _, limit = entry.partition("=")
        value, _, unit = limit.strip().partition(" ")
        if not match.strip() or not value.isdigit() or int(value) < 1 \
                or unit.strip() not in UNITS:
            raise ValueError(f"SLA_POLICIES entry {entry!r}: write <item prefix or kind:x>="
                             f"<whole number> <{'|'.join(UNITS)}>")
        table.append(Policy(match.strip(), int(value), unit.strip(), "configured"))
    return tuple(table)


@dataclass(frozen=True)
class Rules:
    """Everything the rules are configured with (see ``dependencies.Settings``)."""
    cal: object = DEFAULT
    warning_share: float = DEFAULT_WARNING_SHARE
    acceptance_hours: int = 4
    green_hours: int = 2
    escalate_hours: int = 4
    policies: tuple = field(default=POLICIES)


DEFAULT_RULES = Rules()


# ---- state -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeadlineState:
    case_id: str
    timer: str
    department: str
    window: int                       # referrals: the referring window, 0 = consultation desk
    item_code: str
    student_id: str
    limit_value: int
    limit_unit: str
    submitted_at: datetime
    post: str = "B"
    kind: str = "application"
    green_channel: bool = False
    green_since: datetime | None = None
    actor_id: str | None = None       # the latest staff actor seen on the case
    actor_role: str | None = None
    actor_at: datetime | None = None
    marks: tuple = ()                 # ({"event_id", "type", "at"}, ...)
    status: str = OPEN
    basis: str = ITEM_BASIS           # which limit governs due_at: the item's or the green one
    due_at: datetime | None = None
    flagged: bool = False
    warning_at: datetime | None = None
    paused_since: datetime | None = None
    paused_seconds: float = 0.0
    finished_at: datetime | None = None
    on_time: bool | None = None
    warned_at: datetime | None = None
    breached_at: datetime | None = None
    level: int = 0                    # 0 nothing fired, 1 breached, 2/3 escalated
    escalated_at: datetime | None = None
    urgent_at: datetime | None = None
    alarm_at: datetime | None = None


STATE_FIELDS = tuple(f.name for f in fields(DeadlineState))


def parse_time(value):
    """An ISO 8601 string or datetime as an aware Asia/Shanghai datetime (naive = local)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value.astimezone(TZ)


def timers_for(event_type):
    if event_type in REFERRAL_TYPES:
        return (REFERRAL,)
    return (COMPLETION, ACCEPTANCE)


def new_state(case_id, data, timer=COMPLETION, rules=DEFAULT_RULES, occurred_at=None):
    """A deadline from the first event seen (each carries every fact the row needs)."""
    if timer == REFERRAL:
        policy = policy_for(REFERRAL_ITEM, "referral", rules.policies) or REFERRAL_POLICY
        return DeadlineState(
            case_id=case_id, timer=timer, department=data["to_department"],
            window=int(data.get("from_window") or 0), item_code=REFERRAL_ITEM,
            student_id=data["student_id"], limit_value=policy.value, limit_unit=policy.unit,
            submitted_at=parse_time(occurred_at), post="A", kind="referral")
    kind = data.get("kind") or "application"
    value, unit = int(data["limit"]["value"]), data["limit"]["unit"]
    if timer == ACCEPTANCE:
        value, unit = rules.acceptance_hours, "working_hours"
    elif (policy := policy_for(data["item_code"], kind, rules.policies)) is not None:
        value, unit = policy.value, policy.unit
    return DeadlineState(
        case_id=case_id, timer=timer, department=data["department"],
        window=int(data["window"]), item_code=data["item_code"],
        student_id=data["student_id"], limit_value=value, limit_unit=unit,
        submitted_at=parse_time(data["submitted_at"]), post=data.get("post") or "B",
        kind=kind)


def promise_event(case):
    """The ``case.submitted`` event a just-submitted case (its department's answer) stands
    for, as ``apply_event`` reads it: what the SLA will compute once the event arrives."""
    data = {"item_code": case["item_code"], "window": int(case["window"]),
            "department": case["department"], "student_id": str(case["student_id"]),
            "limit": {"value": int(case["limit"]["value"]), "unit": case["limit"]["unit"]},
            "post": case.get("post") or "B", "kind": case.get("kind") or "application",
            "green_channel": bool(case.get("green_channel")),
            "submitted_at": parse_time(case["submitted_at"]).isoformat(),
            "actor_role": "student", "actor_id": str(case["student_id"])}
    if data["limit"]["unit"] not in UNITS:
        raise ValueError(data["limit"]["unit"])
    return {"type": "case.submitted", "event_id": "promise", "case_id": str(case["id"]),
            "occurred_at": data["submitted_at"], "data": data}


def iso(dt):
    return dt.astimezone(TZ).isoformat() if dt else None


def apply_event(state, event, rules=DEFAULT_RULES, timer=COMPLETION):
    """Fold one validated event (``contracts.read_event`` output) into ``state`` (None for a
    deadline not seen yet); returns the new state."""
    at, data = parse_time(event["occurred_at"]), event["data"]
    if state is None:
        state = new_state(event["case_id"], data, timer, rules, at)
    changes = {}
    if event["type"] in SPECS[state.timer].mark_types and \
            all(m["event_id"] != event["event_id"] for m in state.marks):
        changes["marks"] = tuple(state.marks) + (
            {"event_id": event["event_id"], "type": event["type"], "at": at.isoformat()},)
    if state.timer == REFERRAL and at < state.submitted_at:
        changes["submitted_at"] = at          # opened is the earliest referral event
    if state.timer == COMPLETION and data.get("green_channel") and \
            (state.green_since is None or at < state.green_since):
        changes.update(green_channel=True, green_since=at)
    if data.get("actor_role") in STAFF and (state.actor_at is None or (at, data["actor_id"]) >
                                            (state.actor_at, state.actor_id or "")):
        changes.update(actor_id=data["actor_id"], actor_role=data["actor_role"], actor_at=at)
    return recompute(replace(state, **changes), rules)


# ---- derivation --------------------------------------------------------------------------
def _sorted_marks(marks):
    return sorted(marks, key=lambda m: (parse_time(m["at"]), _MARK_ORDER.get(m["type"], 99)))


def final_mark(marks, spec=SPECS[COMPLETION]):
    """The earliest closing event (a timer closes once; a stray later one is ignored)."""
    return next((m for m in _sorted_marks(marks) if m["type"] in spec.closes), None)


def pauses(marks, until, unit, cal=DEFAULT, spec=SPECS[COMPLETION], after=None):
    """(paused seconds of closed pauses, start of a pause still open) up to ``until``;
    with ``after``, only paused time after that moment counts."""
    total, since = 0.0, None
    for m in _sorted_marks(marks):
        at = parse_time(m["at"])
        if until is not None and at > until:
            break
        if m["type"] == spec.pause and since is None:
            since = at
        elif m["type"] == spec.resume and since is not None:
            total += elapsed_seconds(max(since, after) if after else since, at, unit, cal)
            since = None
    if since is not None and until is not None:       # finished while paused
        total += elapsed_seconds(max(since, after) if after else since, until, unit, cal)
        since = None
    return total, since


def warning_moment(start, due, unit, share, cal=DEFAULT):
    """The moment ``share`` of the time from ``start`` to ``due`` has passed."""
    if unit in WORKING_UNITS:
        secs = working_seconds_between(start, due, cal)
        return add_working_seconds(start, round(secs * share), cal)
    return start + timedelta(seconds=round((due - start).total_seconds() * share))


Window = namedtuple("Window", "due warning flagged paused_seconds paused_since")


def _window(start, value, unit, marks, finished_at, spec, rules, after=None):
    """The deadline of a limit of ``value`` ``unit`` from ``start``, paused by ``marks``."""
    cal = rules.cal
    base_due, flagged = due_at(start, value, unit, cal)
    base_warning = warning_moment(start, base_due, unit, rules.warning_share, cal)
    paused, since = pauses(marks, finished_at, unit, cal, spec, after)
    due, moved = shift(base_due, paused, unit, cal)
    warning, _ = shift(base_warning, paused, unit, cal)
    return Window(due, warning, flagged or moved, paused, since)


def recompute(state, rules=DEFAULT_RULES):
    """Derive due/warning/pause/status/alarm from the facts and marks (alarm stamps kept)."""
    spec = SPECS[state.timer]
    final = final_mark(state.marks, spec)
    finished_at = parse_time(final["at"]) if final else None
    win = _window(state.submitted_at, state.limit_value, state.limit_unit, state.marks,
                  finished_at, spec, rules)
    basis = ITEM_BASIS
    if state.timer == COMPLETION and state.green_since is not None:
        green = _window(state.green_since, rules.green_hours, "working_hours", state.marks,
                        finished_at, spec, rules, after=state.green_since)
        if green.due < win.due:
            win, basis = green, GREEN_BASIS
    on_time = None
    if final is None:
        status = BREACHED if state.breached_at else OPEN
    elif spec.closes[final["type"]] == CANCELLED:
        status = CANCELLED
    else:
        on_time = finished_at <= win.due
        status = MET if on_time else LATE
    state = replace(state, basis=basis, due_at=win.due, flagged=win.flagged,
                    warning_at=win.warning, paused_since=win.paused_since,
                    paused_seconds=win.paused_seconds, finished_at=finished_at,
                    on_time=on_time, status=status)
    return replace(state, alarm_at=next_alarm_at(state, rules))


# ---- alarms ------------------------------------------------------------------------------
def _held(state):
    """Alarms of working-calendar limits wait for working hours; calendar hours do not."""
    return state.basis == GREEN_BASIS or state.limit_unit in WORKING_UNITS


def pending(state, rules=DEFAULT_RULES):
    """[(Alarm, moment, held)] still to fire, in time order; moments already held."""
    late_unreported = state.status == LATE and state.breached_at is None
    if (state.status not in ACTIVE and not late_unreported) or state.paused_since is not None:
        return []
    cal, held = rules.cal, _held(state)
    breach_at = state.due_at + timedelta(seconds=1)         # breached once *past* due
    if held:
        breach_at = next_working_moment(breach_at, cal)
    if late_unreported:             # closed late before its breach was raised: raise it now
        return [(Alarm(BREACH, 1), breach_at, held)]
    out = []
    if state.breached_at is None:
        if state.warned_at is None and state.warning_at < state.due_at:
            warn_at = next_working_moment(state.warning_at, cal) if held else state.warning_at
            out.append((Alarm(WARNING, 1), warn_at, held))
        out.append((Alarm(BREACH, 1), breach_at, held))
    for level in range(max(state.level, 1) + 1, TOP_LEVEL + 1):
        moment = add_working_seconds(breach_at, (level - 1) * rules.escalate_hours * 3600, cal)
        out.append((Alarm(ESCALATION, level), next_working_moment(moment, cal), True))
    return out


def next_alarm_at(state, rules=DEFAULT_RULES, now=None):
    """When the next alarm may fire, or None (closed, paused, or every alarm fired)."""
    todo = pending(state, rules)
    if not todo:
        return None
    _, moment, held = todo[0]
    if now is not None and held and moment <= now and not in_working_hours(now, rules.cal):
        return next_working_moment(now, rules.cal)
    return moment


def fire_alarms(state, now, rules=DEFAULT_RULES):
    """(new state, [Alarm]) at ``now``: every alarm whose moment has come, each once."""
    todo = pending(state, rules)
    due = [(alarm, held) for alarm, moment, held in todo if moment <= now]
    if any(held for _, held in due) and not in_working_hours(now, rules.cal):
        due = [(alarm, held) for alarm, held in due if not held]
    if any(alarm.kind == BREACH for alarm, _ in due):
        due = [(alarm, held) for alarm, held in due if alarm.kind != WARNING]   # moot
    fired = []
    for alarm, _ in due:
        if alarm.kind == WARNING:
            state = replace(state, warned_at=now)
        elif alarm.kind == BREACH:
            state = replace(state, breached_at=now, level=1,
                            status=BREACHED if state.status == OPEN else state.status)
        else:
            state = replace(state, level=alarm.level, escalated_at=now)
        fired.append(alarm)
    return replace(state, alarm_at=next_alarm_at(state, rules, now)), fired


def urgent_alarm(state, now):
    """(new state, [Alarm]): the one sla.urgent of an open completion timer gone green."""
    if state.timer != COMPLETION or state.green_since is None or state.urgent_at is not None \
            or state.status not in ACTIVE:
        return state, []
    return replace(state, urgent_at=now), [Alarm(URGENT, 1)]


def alarm_event(state, alarm, now):
    """The ``sla.*`` envelope of ``alarm`` for ``state`` (contracts.SlaAlarmV1)."""
    data = {"timer": state.timer, "department": state.department, "window": state.window,
            "item_code": state.item_code, "student_id": state.student_id,
            "due_at": state.due_at.isoformat(), "level": alarm.level}
    return make_event(ALARM_TYPE[alarm.kind], "sla", data, occurred_at=now,
                      case_id=state.case_id)


# ---- answers -----------------------------------------------------------------------------
def _iso(dt):
    return dt.astimezone(TZ).isoformat() if dt else None


def public(state):
    """What ``get_deadline`` answers (and each row of ``at_risk`` and the breach list)."""
    return {"case_id": state.case_id, "timer": state.timer, "department": state.department,
            "window": state.window, "item_code": state.item_code,
            "limit": {"value": state.limit_value, "unit": state.limit_unit},
            "submitted_at": _iso(state.submitted_at), "due_at": _iso(state.due_at),
            "basis": state.basis, "green_channel": state.green_since is not None,
            "green_since": _iso(state.green_since),
            "flagged": state.flagged, "status": state.status, "on_time": state.on_time,
            "paused": state.paused_since is not None,
            "paused_seconds": int(state.paused_seconds), "warning_at": _iso(state.warning_at),
            "warned_at": _iso(state.warned_at), "breached_at": _iso(state.breached_at),
            "level": state.level, "escalated_at": _iso(state.escalated_at),
            "actor_id": state.actor_id, "actor_role": state.actor_role,
            "completed_at": _iso(state.finished_at)}


def _bucket():
    return {"total": 0, OPEN: 0, BREACHED: 0, MET: 0, LATE: 0, CANCELLED: 0}


def _rate(b):
    judged = b[MET] + b[LATE] + b[BREACHED]
    return round(b[MET] / judged, 4) if judged else None


def summarize(states, max_breaches=200):
    """The report over deadlines submitted in a period. On-time rates (per window, department
    and item) are of the completion timer: met / (met + late + open-and-breached); open or
    cancelled cases do not count. ``per_timer`` rates every timer; ``breaches`` lists the
    late or overdue deadlines of every timer, most overdue first, with who (the last staff
    actor) and why (timer, level); ``per_hour`` counts cases by submission hour (0-23)."""
    groups = {"window": defaultdict(_bucket), "department": defaultdict(_bucket),
              "item": defaultdict(_bucket)}
    timers = {t: _bucket() for t in TIMERS}
    per_hour = [0] * 24
    breaches = []
    for s in states:
        timers[s.timer]["total"] += 1
        timers[s.timer][s.status] += 1
        if s.status in (BREACHED, LATE):
            breaches.append(s)
        if s.timer != COMPLETION:
            continue
        per_hour[s.submitted_at.astimezone(TZ).hour] += 1
        for name, key in (("window", s.window), ("department", s.department),
                          ("item", s.item_code)):
            groups[name][key]["total"] += 1
            groups[name][key][s.status] += 1
    breaches.sort(key=lambda s: (s.due_at, s.case_id, s.timer))

    def rows(name):
        return [{name: key, **b, "on_time_rate": _rate(b)}
                for key, b in sorted(groups[name].items())]

    overall = timers[COMPLETION]
    by_window = rows("window")
    return {"total": overall["total"], "counts": overall, "on_time_rate": _rate(overall),
            "by_window": by_window, "per_window": by_window,
            "by_department": rows("department"), "by_item": rows("item"),
            "per_timer": {t: {**b, "on_time_rate": _rate(b)} for t, b in timers.items()},
            "per_hour": [{"hour": h, "submitted": n} for h, n in enumerate(per_hour)],
            "breaches_total": len(breaches),
            "breaches": [public(s) for s in breaches[:max_breaches]]}
