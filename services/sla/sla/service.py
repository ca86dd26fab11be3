"""SLA (时限监督): keeps every case's completion deadline and fires warnings and breaches."""
import logging

from marshmallow import ValidationError
from nameko.events import event_handler
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from osac_shared.calendar import due_at
from osac_shared.catalogue import UNITS
from osac_shared.clock import Clock
from osac_shared.contracts import CASE_EVENT_TYPES, read_event
from osac_shared.db import Database
from osac_shared.errors import validation_failed
from osac_shared.outbox import OutboxRelay, first_time
from osac_shared.registry import DEPARTMENTS

from . import domain, store
from .dependencies import ConfigTimer, Settings

log = logging.getLogger(__name__)
CONSUMER = "sla"
MAX_IDS = 500


def parse_moment(value, field):
    try:
        return domain.parse_time(value)
    except (AttributeError, TypeError, ValueError):
        raise validation_failed({field: "须为ISO 8601时间，如 2026-03-02T10:00:00+08:00 / must "
                                        "be an ISO 8601 time, e.g. 2026-03-02T10:00:00+08:00"})


class SlaService:
    """Boundary.
    RPCs: health(); get_deadline(case_id) -> dict | None; deadlines(case_ids) -> {id: dict};
          compute_deadline(start_iso, value, unit) -> {due_at, flagged};
          report(start_iso, end_iso) -> on-time rates per window/department/item + breaches.
    Events consumed: "case.*" from every department in ``registry.DEPARTMENTS``
          (methods ``on_<department>_case_event``, added below the class).
    Timer: ``tick`` every SLA_TICK seconds emits sla.warning / sla.breached via the outbox.
    """
    name = "sla"

    db = Database()
    outbox = OutboxRelay()
    clock = Clock()
    settings = Settings()

    # ---- events ------------------------------------------------------------------------
    def consume_case_event(self, payload):
        try:
            event = read_event(payload)
        except ValidationError as err:
            log.warning("sla: dropping an invalid event: %s", err.messages)
            return
        if event["type"] not in CASE_EVENT_TYPES or not event["case_id"]:
            return
        for attempt in range(3):
            try:
                return self._apply(event)
            except IntegrityError:      # a concurrent event for the same case made the row
                self.db.rollback()
                if attempt == 2:
                    raise

    def _apply(self, event):
        if not first_time(self.db, event["event_id"], CONSUMER):
            self.db.rollback()
            return
        row = store.get(self.db, event["case_id"], domain.COMPLETION, lock=True)
        state = domain.apply_event(store.state_of(row) if row else None, event,
                                   self.settings.calendar, self.settings.warning_share)
        store.save(self.db, row, state)
        self.db.commit()

    # ---- timer -------------------------------------------------------------------------
    @ConfigTimer.decorator("SLA_TICK", 5)
    def tick(self):
        now = self.clock()
        for row in store.claim_due(self.db, now):
            state, alarms = domain.fire_alarms(store.state_of(row), now, self.settings.calendar)
            store.save(self.db, row, state)
            for kind in alarms:
                self.outbox.add(self.db, domain.alarm_event(state, kind, now))
        self.db.commit()

    # ---- RPCs --------------------------------------------------------------------------
    @rpc
    def health(self):
        return {"status": "ok", "service": self.name, "outbox_backlog": self.outbox.backlog()}

    @rpc
    def get_deadline(self, case_id):
        row = store.get(self.db, str(case_id), domain.COMPLETION)
        return domain.public(store.state_of(row)) if row else None

    @rpc
    def deadlines(self, case_ids):
        if not isinstance(case_ids, (list, tuple)) or len(case_ids) > MAX_IDS:
            raise validation_failed({"case_ids": f"须为事项编号列表（最多{MAX_IDS}个）/ a list "
                                                 f"of at most {MAX_IDS} case ids"})
        rows = store.many(self.db, [str(c) for c in case_ids], domain.COMPLETION)
        return {row.case_id: domain.public(store.state_of(row)) for row in rows}

    @rpc
    def compute_deadline(self, start_iso, value, unit):
        start = parse_moment(start_iso, "start_iso")
        if unit not in UNITS:
            raise validation_failed({"unit": f"只能取 {', '.join(UNITS)} / use one of "
                                             f"{', '.join(UNITS)}"})
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
            raise validation_failed({"value": "须为1到1000的整数 / a whole number from 1 to 1000"})
        due, flagged = due_at(start, value, unit, self.settings.calendar)
        return {"due_at": due.isoformat(), "flagged": flagged}

    @rpc
    def report(self, start_iso, end_iso):
        start, end = parse_moment(start_iso, "start_iso"), parse_moment(end_iso, "end_iso")
        if end <= start:
            raise validation_failed({"end_iso": "结束时间须晚于开始时间 / must be after start_iso"})
        rows = store.submitted_between(self.db, start, end, domain.COMPLETION)
        summary = domain.summarize([store.state_of(r) for r in rows])
        return {"from": start.isoformat(), "to": end.isoformat(), **summary}


def _case_handler(department):
    @event_handler(department, "case.*")
    def handle(self, payload):
        self.consume_case_event(payload)
    handle.__name__ = handle.__qualname__ = f"on_{department}_case_event"
    handle.__doc__ = f"Case lifecycle events of {department} -> its cases' deadlines."
    return handle


for _department in DEPARTMENTS:
    setattr(SlaService, f"on_{_department}_case_event", _case_handler(_department))
