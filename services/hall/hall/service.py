"""Hall office (事务大厅（中心办公室）): the people and rules of the hall (plan, attachments 2–3).
A plain Nameko service (it owns no catalogue items); the rules live in ``hall.rules``, the
database side in ``hall.records``."""
import logging

from marshmallow import ValidationError
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from osac_shared.auth import (B_POST, COMMITTEE, DIRECTOR, DESK, STAFF, STUDENT, CurrentActor,
                              require_actor, require_role)
from osac_shared.calls import each
from osac_shared.catalogue import service_of
from osac_shared.clock import Clock
from osac_shared.contracts import read_event
from osac_shared.db import Database
from osac_shared.errors import conflict, forbidden, not_found
from osac_shared.observability import Metrics
from osac_shared.outbox import OutboxRelay, event_handler, first_time   # requeues on failure
from osac_shared.registry import DEPARTMENTS
from osac_shared.service import CorrelationId

from . import reports
from .dependencies import Departments, Settings, Unavailable
from .records import demerits, desk, events, patrols, ratings, roster
from .rules import assessment, ranking
from .rules.desk import RECORDERS
from .rules.periods import local, parse_month, period_bounds
from .rules.roster import CASE_ID, check_window, clean_post, clean_shift, parse_day
from .windows import WINDOWS, window_to_dict

log = logging.getLogger(__name__)
MANAGERS = (DIRECTOR, COMMITTEE)       # the centre's committee: role committee, no department
SLA_DOWN = {"sla": "unavailable", "note_zh": "时限监督服务暂不可用，本次未计入按时办结率",
            "note_en": "The SLA service is unavailable; on-time rates are left out this time"}


class HallService:
    """Boundary.
    RPCs — roster: windows(), set_post(window, staff_id, post, name), remove_post(window,
      staff_id), add_shift(date, start, end, window, staff_id), shifts(date, window=None),
      on_duty(window);
    hand-overs: hand_over(window, to_b_post, open_case_ids, note), confirm_hand_over(id),
      pending_hand_overs(), list_hand_overs(pending_only=True);
    desk: record_question(student_id, channel, question, department=None), refer(question_id,
      to_department, note), answer_referral(question_id, answer), follow_up(question_id,
      feedback), get_question(question_id), list_questions(status=None, page=1, per_page=50);
    patrols: record_patrol(date, checklist, findings), resolve_finding(finding_id, result),
      patrols(period), open_findings();
    assessment: record_demerit(person_id, kind, source_ref, note=""), assessment(period,
      person_id=None);
    satisfaction: rate_case(case_id, satisfied, comment=""), satisfaction(period),
      vote(window, month=None), my_vote(month=None), sunshine(month);
    reports: report(period, format="json"); health(); ping().
    Who may call what: every RPC but health and ping needs the actor in the RPC context (the
      roster and who is on duty: any actor); each names the roles it lets through before it
      reads anything (``_me``; the reports, rankings, patrols and assessment: ``_manager``, the
      director and the centre's committee, not a department's review committee), and the
      rules (``hall.rules``) then check ownership.
    Events consumed: "case.*" of every department in registry.DEPARTMENTS
      (on_<department>_case_event: last staff actor; case.notice_violation -> demerit) and
      sla "sla.breached" (-> demerit). Emits (outbox): hall.referral_opened,
      hall.referral_answered, hall.wage_adjusted.
    Calls (``departments``, and only these): ``<department>.get_case`` (rate_case: the case
      rated) and ``sla.report`` (the on-time rates in sunshine() and report()).
    """
    name = "hall"

    db = Database()
    outbox = OutboxRelay()
    clock = Clock()
    actor = CurrentActor()
    correlation_id = CorrelationId()
    settings = Settings()
    departments = Departments(calls={"sla": ["report"], **each(DEPARTMENTS, "get_case")})
    metrics = Metrics()             # /metrics and JSON logs (osac_shared.observability)

    # ---- helpers -------------------------------------------------------------------------
    def _me(self, *roles):
        """The calling actor (401 without one; 403 when ``roles`` are given and it has none)."""
        require_role(self.actor, *roles) if roles else require_actor(self.actor)
        return self.actor

    def _manager(self):
        """The director or the centre's management committee; a department's own review
        committee (role committee with a department) is refused (``assessment.is_manager``)."""
        actor = self._me(*MANAGERS)
        if not assessment.is_manager(actor):
            raise forbidden("只有大厅主任和中心管理委员会可以查看", "Only the hall director and "
                            "the centre's management committee see this")
        return actor

    def _done(self, value):
        self.db.commit()
        return value

    def _retrying(self, work):
        """Run ``work`` again when a concurrent worker inserted the same row first."""
        for attempt in range(3):
            try:
                return work()
            except IntegrityError:
                self.db.rollback()
                if attempt == 2:
                    raise

    def _sla_report(self, start, end):
        try:
            return self.departments.call("sla", "report", start.isoformat(), end.isoformat())
        except Unavailable:
            return None

    # ---- roster and hand-overs -----------------------------------------------------------
    @rpc
    def windows(self):
        self._me()                      # the roster names staff: callers must be known
        return [{**window_to_dict(w), "posts": [roster.post_to_dict(p) for p in
                                                roster.posts(self.db, n)]}
                for n, w in sorted(WINDOWS.items())]

    @rpc
    def set_post(self, window, staff_id, post, name=""):
        self._me(DIRECTOR)
        row = roster.set_post(self.db, clean_post(window, staff_id, post, name))
        return self._done(roster.post_to_dict(row))

    @rpc
    def remove_post(self, window, staff_id):
        """Take someone off a window's roster (and their shifts there from today on)."""
        self._me(DIRECTOR)
        gone, shifts = roster.remove_post(self.db, check_window(window), str(staff_id or ""),
                                          local(self.clock()).date())
        return self._done({**gone, "shifts_removed": shifts})

    @rpc
    def add_shift(self, date, start, end, window, staff_id):
        self._me(DIRECTOR)
        data = clean_shift(date, start, end, check_window(window), staff_id,
                           roster.b_posts_of(self.db, window))
        return self._done(roster.shift_to_dict(roster.add_shift(self.db, data)))

    @rpc
    def shifts(self, date, window=None):
        self._me(DIRECTOR, DESK, *STAFF)
        return [roster.shift_to_dict(s)
                for s in roster.shifts(self.db, parse_day(date), window)]

    @rpc
    def on_duty(self, window):
        self._me()
        return roster.on_duty(self.db, check_window(window), self.clock(),
                              self.settings.calendar)

    @rpc
    def hand_over(self, window, to_b_post, open_case_ids, note=""):
        row = roster.hand_over(self.db, self._me(), check_window(window), to_b_post,
                               open_case_ids, note, self.clock())
        return self._done(roster.hand_over_to_dict(row))

    @rpc
    def confirm_hand_over(self, handover_id):
        row = roster.confirm(self.db, self._me(B_POST), handover_id, self.clock())
        return self._done(roster.hand_over_to_dict(row))

    @rpc
    def pending_hand_overs(self):
        """For the director: unconfirmed hand-overs, oldest first, with their age."""
        actor, now = self._me(DIRECTOR), self.clock()
        return [roster.hand_over_to_dict(h, now)
                for h in roster.list_hand_overs(self.db, actor, pending_only=True)]

    @rpc
    def list_hand_overs(self, pending_only=True):
        actor, now = self._me(), self.clock()
        return [roster.hand_over_to_dict(h, now)
                for h in roster.list_hand_overs(self.db, actor, bool(pending_only))]

    # ---- consultation desk ---------------------------------------------------------------
    @rpc
    def record_question(self, student_id, channel, question, department=None):
        q = desk.record(self.db, self._me(), student_id, channel, question, department,
                        self.clock())
        return self._done(desk.to_dict(q))

    @rpc
    def refer(self, question_id, to_department, note=""):
        q = desk.refer(self.db, self._me(*RECORDERS), question_id, to_department, note,
                       self.clock(), self.correlation_id)
        return self._done(desk.to_dict(q))

    @rpc
    def answer_referral(self, question_id, answer):
        q = desk.answer(self.db, self._me(*STAFF), question_id, answer, self.clock(),
                        self.correlation_id)
        return self._done(desk.to_dict(q))

    @rpc
    def follow_up(self, question_id, feedback):
        q = desk.follow_up(self.db, self._me(*RECORDERS), question_id, feedback, self.clock())
        return self._done(desk.to_dict(q))

    @rpc
    def get_question(self, question_id):
        return desk.to_dict(desk.read(self.db, self._me(*RECORDERS), question_id))

    @rpc
    def list_questions(self, status=None, page=1, per_page=50):
        return desk.list_questions(self.db, self._me(*RECORDERS), status, page, per_page)

    # ---- patrols -------------------------------------------------------------------------
    @rpc
    def record_patrol(self, date, checklist, findings=None):
        patrol, warnings = patrols.record(self.db, self._me(DIRECTOR), date, checklist,
                                          findings, self.clock())
        return self._done({"patrol": patrols.patrol_to_dict(patrol), "warnings": warnings})

    @rpc
    def resolve_finding(self, finding_id, result):
        finding = patrols.resolve(self.db, self._me(DIRECTOR), finding_id, result,
                                  self.clock())
        return self._done(patrols.finding_to_dict(finding))

    @rpc
    def patrols(self, period):
        self._manager()
        _, start, end = period_bounds(period)
        return [patrols.patrol_to_dict(p) for p in patrols.between(self.db, start, end)]

    @rpc
    def open_findings(self):
        """Findings still without a result, of any period, oldest patrol first."""
        self._manager()
        return [patrols.open_finding_to_dict(f) for f in patrols.still_open(self.db)]

    # ---- assessment ----------------------------------------------------------------------
    @rpc
    def record_demerit(self, person_id, kind, source_ref, note=""):
        """The director records lateness, a verified error or a verified complaint."""
        actor, now = self._me(DIRECTOR), self.clock()
        assessment.check_director_kind(kind)
        post, window = roster.post_of(self.db, person_id)
        if post is None:
            raise not_found("花名册人员", "Staff member on the roster", person_id)
        ref = str(source_ref or "").strip()[:128] or now.isoformat()

        def work():
            if demerits.find(self.db, person_id, kind, ref) is not None:
                raise conflict("demerit_recorded", "该记过已登记（同一人、同一类型、同一依据）",
                               "This demerit is already recorded (same person, kind and "
                               "reference)", {"source_ref": ref})
            d, verdict = demerits.add(self.db, person_id=person_id, post=post, window=window,
                                      kind=kind, source="director", source_ref=ref, at=now,
                                      recorded_by=actor["id"], now=now, note=str(note)[:2000],
                                      correlation_id=self.correlation_id)
            return self._done({"demerit": demerits.to_dict(d), **verdict})
        return self._retrying(work)

    @rpc
    def assessment(self, period, person_id=None):
        actor = self._me()
        if not assessment.is_manager(actor) and (actor["role"] not in STAFF
                                                 or person_id != actor["id"]):
            raise forbidden("只有大厅主任可以查看考核（工作人员可查看本人）",
                            "Only the director sees assessments (staff see their own)")
        return demerits.assessment(self.db, period, person_id)

    # ---- satisfaction and the Sunshine Window --------------------------------------------
    @rpc
    def rate_case(self, case_id, satisfied, comment=""):
        actor = self._me(STUDENT)       # the case's own student (checked after reading it)
        department = service_of(str(case_id))
        if not CASE_ID.match(str(case_id)) or department not in DEPARTMENTS:
            raise not_found("事项", "Case", case_id)
        try:
            case = self.departments.call(department, "get_case", case_id)
        except Unavailable as exc:
            raise exc.as_error("case_id")
        rating = ratings.rate(self.db, actor, case, satisfied, comment, self.clock())
        return self._done(ratings.rating_to_dict(rating))

    @rpc
    def satisfaction(self, period):
        self._manager()
        _, start, end = period_bounds(period)
        return {"period": period, **ratings.satisfaction(self.db, start, end)}

    @rpc
    def vote(self, window, month=None):
        row = ratings.vote(self.db, self._me(STUDENT), check_window(window), month,
                           self.clock())
        return self._done({"student_id": row.student_id, "month": row.month,
                           "window": row.window})

    @rpc
    def my_vote(self, month=None):
        """The calling student's own vote of a month (this month when None)."""
        return ratings.my_vote(self.db, self._me(STUDENT), month, self.clock())

    @rpc
    def sunshine(self, month):
        """The month's Sunshine Window ranking (ranked without on-time rates if SLA is down)."""
        self._manager()
        start, end = parse_month(month)
        sla = self._sla_report(start, end)
        rows = reports.sunshine_rows(self.db, month, start, end,
                                     reports.on_time_by_window(sla), self.settings.weights)
        winner = ranking.sunshine_window(rows)
        return {"month": month, "weights": self.settings.weights,
                **({"sla": "ok"} if sla is not None else SLA_DOWN),
                "sunshine_window": winner, "ranking": rows}

    # ---- reports -------------------------------------------------------------------------
    @rpc
    def report(self, period, format="json"):
        self._manager()
        kind, start, end = period_bounds(period)
        sla = self._sla_report(start, end)
        rows = reports.window_rows(self.db, start, end, reports.on_time_by_window(sla))
        report = {"period": period, "kind": kind, "from": start.isoformat(),
                  "to": end.isoformat(), **({"sla": "ok"} if sla is not None else SLA_DOWN),
                  "rows": rows}
        return reports.export(report, format)

    @rpc
    def health(self):
        return {"status": "ok", "service": self.name, "outbox_backlog": self.outbox.backlog()}

    @rpc
    def ping(self):
        return "pong"

    # ---- events --------------------------------------------------------------------------
    def consume(self, payload, consumer, apply):
        try:
            event = read_event(payload)
        except ValidationError as err:
            log.warning("hall: dropping an event that breaks its contract: %s", err.messages)
            return

        def work():
            if not first_time(self.db, event["event_id"], consumer):
                self.db.rollback()
                return
            apply(event)
            self.db.commit()
        self._retrying(work)

    def apply_case_event(self, event):
        if not event["case_id"]:
            return
        events.note_case_event(self.db, event)
        if event["type"] == "case.notice_violation":
            events.notice_violation(self.db, event, self.clock())

    @event_handler("sla", "sla.breached")
    def on_sla_breached(self, payload):
        """An SLA breach -> a demerit for the case's last staff actor (else the A post)."""
        self.consume(payload, "hall.sla_breached",
                     lambda event: events.sla_breach(self.db, event, self.clock()))


def _case_handler(department):
    @event_handler(department, "case.*")
    def handle(self, payload):
        self.consume(payload, "hall.case_events", self.apply_case_event)
    handle.__name__ = handle.__qualname__ = f"on_{department}_case_event"
    handle.__doc__ = f"{department}'s case events -> last staff actor; notice violations."
    return handle


for _department in DEPARTMENTS:
    setattr(HallService, f"on_{_department}_case_event", _case_handler(_department))
