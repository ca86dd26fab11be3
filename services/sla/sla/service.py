"""SLA (时限监督): keeps every case's deadlines and fires warnings, breaches and escalations."""
from nameko.rpc import rpc

from osac_shared.auth import CurrentActor, require_actor
from osac_shared.calendar import due_at
from osac_shared.catalogue import UNITS
from osac_shared.clock import Clock
from osac_shared.db import Database
from osac_shared.errors import validation_failed
from osac_shared.observability import Metrics
from osac_shared.outbox import OutboxRelay, event_handler   # requeues on failure
from osac_shared.registry import DEPARTMENTS

from . import access, domain, engine, store
from .dependencies import ConfigTimer, Inbox, Settings
from .metrics import gauges as deadline_gauges

MAX_IDS = 500


def parse_moment(value, field):
    try:
        return domain.parse_time(value)
    except (AttributeError, TypeError, ValueError):
        raise validation_failed({field: "须为ISO 8601时间，如 2026-03-02T10:00:00+08:00 / must "
                                        "be an ISO 8601 time, e.g. 2026-03-02T10:00:00+08:00"})


def parse_page(page, per_page):
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise validation_failed({"page": "须为正整数 / a whole number from 1"})
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= 200:
        raise validation_failed({"per_page": "须为1到200的整数 / a whole number from 1 to 200"})
    return page, per_page


class SlaService:
    """Boundary.
    RPCs (who may call them: ``sla.access``; every one but health and compute_deadline needs
          the actor in the RPC context):
          health(); get_deadline(case_id, timer="completion") -> dict | None;
          deadlines(case_ids) -> {id: completion dict}; timers(case_id) -> [dict]
              (the case's student, its department's staff, the desk for referrals, managers);
          compute_deadline(start_iso, value, unit) -> {due_at, flagged}   (open to anyone);
          promise(case) -> {due_at, flagged, basis}: the deadline a just-submitted case will
              be held to (any actor; the case's own facts in, nothing read);
          report(start_iso, end_iso) -> on-time rates per window/department/item/timer,
              per_hour submissions, breaches with who and why   (director, committee, system;
              B/A posts: their department's deadlines only);
          at_risk(page=1, per_page=50) -> deadlines warned, not yet breached, not paused
              (soonest due first; breached ones are in the report)  (same roles and scope).
    Events consumed: "case.*" from every department in ``registry.DEPARTMENTS`` (methods
          ``on_<department>_case_event``, added below the class); "hall.referral_opened" and
          "hall.referral_answered" from the hall.
    Events emitted (outbox): sla.urgent (while consuming), sla.warning, sla.breached,
          sla.escalated (from ``tick``, every SLA_TICK seconds, once the inbox is settled).
    """
    name = "sla"

    db = Database()
    outbox = OutboxRelay()
    clock = Clock()
    settings = Settings()
    inbox = Inbox()
    actor = CurrentActor()
    metrics = Metrics(gauges=deadline_gauges)   # /metrics, JSON logs (open deadlines too)

    # ---- events ------------------------------------------------------------------------
    def consume(self, payload):
        event = engine.read(payload)
        if event is not None:
            engine.consume(self.db, event, self.settings.rules, self.clock(), self.outbox.add)

    @event_handler("hall", domain.OPENED)
    def on_referral_opened(self, payload):
        self.consume(payload)

    @event_handler("hall", domain.ANSWERED)
    def on_referral_answered(self, payload):
        self.consume(payload)

    # ---- timer -------------------------------------------------------------------------
    @ConfigTimer.decorator("SLA_TICK", 5)
    def tick(self):
        if self.inbox.settled():
            engine.tick(self.db, self.clock(), self.settings.rules, self.outbox.add)

    # ---- RPCs --------------------------------------------------------------------------
    @rpc
    def health(self):
        return {"status": "ok", "service": self.name, "outbox_backlog": self.outbox.backlog()}

    @rpc
    def get_deadline(self, case_id, timer=domain.COMPLETION):
        require_actor(self.actor)
        if timer not in domain.TIMERS:
            raise validation_failed({"timer": f"只能取 {', '.join(domain.TIMERS)} / use one "
                                              f"of {', '.join(domain.TIMERS)}"})
        row = store.get(self.db, str(case_id), timer)
        if row is None:
            return None
        state = store.state_of(row)
        access.require_read(self.actor, [state])
        return domain.public(state)

    @rpc
    def timers(self, case_id):
        states = [store.state_of(r) for r in store.of_case(self.db, str(case_id))]
        access.require_read(self.actor, states)
        return [domain.public(s) for s in states]

    @rpc
    def deadlines(self, case_ids):
        """Completion deadlines of the cases named; refused when any of them is not the
        caller's to see (unknown ids are left out)."""
        require_actor(self.actor)
        if not isinstance(case_ids, (list, tuple)) or len(case_ids) > MAX_IDS:
            raise validation_failed({"case_ids": f"须为事项编号列表（最多{MAX_IDS}个）/ a list "
                                                 f"of at most {MAX_IDS} case ids"})
        rows = store.many(self.db, [str(c) for c in case_ids], domain.COMPLETION)
        states = [store.state_of(r) for r in rows]
        access.require_read(self.actor, states)
        return {s.case_id: domain.public(s) for s in states}

    @rpc
    def compute_deadline(self, start_iso, value, unit):
        """Pure working-calendar arithmetic over no personal data (it backs the public service
        guide's ``GET /api/calendar/deadline``): open to any caller, with or without an actor."""
        start = parse_moment(start_iso, "start_iso")
        if unit not in UNITS:
            raise validation_failed({"unit": f"只能取 {', '.join(UNITS)} / use one of "
                                             f"{', '.join(UNITS)}"})
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
            raise validation_failed({"value": "须为1到1000的整数 / a whole number from 1 to 1000"})
        due, flagged = due_at(start, value, unit, self.settings.rules.cal)
        return {"due_at": due.isoformat(), "flagged": flagged}

    @rpc
    def promise(self, case):
        """The completion deadline this service will hold ``case`` (a case as its department
        answers it, just submitted) to: the same rules and calendar as the deadline it keeps
        from the case's events, so what the student is promised is what is enforced."""
        require_actor(self.actor)
        try:
            event = domain.promise_event(case)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise validation_failed({"case": "须为刚提交的事项（含 item_code、limit、submitted_at 等）"
                                             " / a case as submitted (item_code, limit, "
                                             "submitted_at, ...)"})
        state = domain.apply_event(None, event, self.settings.rules)
        return {"due_at": domain.iso(state.due_at), "flagged": state.flagged,
                "basis": state.basis}

    @rpc
    def report(self, start_iso, end_iso):
        department = access.viewer_department(self.actor)
        start, end = parse_moment(start_iso, "start_iso"), parse_moment(end_iso, "end_iso")
        if end <= start:
            raise validation_failed({"end_iso": "结束时间须晚于开始时间 / must be after start_iso"})
        states = [store.state_of(r) for r in store.submitted_between(self.db, start, end)]
        if department:
            states = [s for s in states if s.department == department]
        return {"from": start.isoformat(), "to": end.isoformat(),
                **domain.summarize(states)}

    @rpc
    def at_risk(self, page=1, per_page=50):
        department = access.viewer_department(self.actor)
        page, per_page = parse_page(page, per_page)
        rows, total = store.at_risk(self.db, page, per_page, department=department or None)
        return {"items": [domain.public(store.state_of(r)) for r in rows], "total": total,
                "page": page, "per_page": per_page}


def _case_handler(department):
    @event_handler(department, "case.*")
    def handle(self, payload):
        self.consume(payload)
    handle.__name__ = handle.__qualname__ = f"on_{department}_case_event"
    handle.__doc__ = f"Case lifecycle events of {department} -> its cases' deadlines."
    return handle


for _department in DEPARTMENTS:
    setattr(SlaService, f"on_{_department}_case_event", _case_handler(_department))
