"""Sunshine service center (校办（阳光服务中心）), window 13 投诉与建议: complaints and
suggestions, routed to the department concerned and answered within 3 working days."""
from nameko.rpc import rpc

from osac_shared import calendar
from osac_shared import cases as engine
from osac_shared.auth import DIRECTOR, STAFF, STUDENT, is_staff_of, require_actor
from osac_shared.errors import DomainError, forbidden
from osac_shared.service import CaseService

from . import domain, records
from .catalogue import ITEMS
from .dependencies import DepartmentRpc, WorkCalendar

ITEM = "sunshine.complaint-suggestion"


class SunshineService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus ``add_investigation_note`` (sunshine staff),
    ``investigation_notes`` (sunshine staff; the director reads them too) and ``routed_cases``
    (staff of the department a complaint was routed to). No event handlers; emits case.*
    events through the outbox. Calls ``<department>.get_case`` (through ``departments``) to
    check a related case the student cites.

    Flow: submit (feedback due in 3 working days) -> B accepts and routes (``extra.routed_to``,
    default the department the student chose; ``result.routed_to``) -> notes -> A approves ->
    complete with the feedback as the reason (``result.feedback``). An anonymous case hides
    the student from everyone but the student."""
    name = "sunshine"
    ITEMS = ITEMS
    FORMS = {ITEM: domain.ComplaintForm}

    calendar = WorkCalendar()
    departments = DepartmentRpc()

    # ---- hooks ---------------------------------------------------------------------------
    def clean_form(self, item, form):
        form = super().clean_form(item, form)
        self.related = None
        if form.get("related_case_id"):
            try:
                remote = self.departments.call(form["department"], "get_case",
                                               form["related_case_id"])
            except DomainError as err:
                if err.code == "department_unavailable":
                    raise
                raise domain.related_case_problem()
            self.related = domain.related_summary(remote)
        return form

    def after_submit(self, session, case, item, now):
        due, flagged = calendar.due_at(case.submitted_at, item.limit.value, item.limit.unit,
                                       self.calendar)
        case.result = {"feedback_due_at": due.isoformat(), "due_flagged": flagged}
        if self.related:
            case.result["related_case"] = self.related

    def before_action(self, session, case, item, action, extra, now):
        if action == "accept":
            self.route_to = domain.route_target(case.form, extra)

    def after_action(self, session, case, item, action, extra, now):
        actor_id = self.actor["id"]
        if action == "accept":
            records.route(session, case.id, self.route_to, actor_id, now)
            case.result = {**case.result, **domain.routing_result(self.route_to, actor_id, now)}
        elif action == "complete":
            case.result = {**case.result, "feedback_at": now.isoformat(),
                           "feedback": domain.feedback_text(case.history[-1].reason)}

    def to_dict(self, case):
        return domain.anonymise(super().to_dict(case), self.actor or {})

    # ---- entrypoints ---------------------------------------------------------------------
    @rpc
    def list_cases(self, student_id=None, statuses=None, page=1, per_page=50):
        """As CaseService.list_cases, but staff cannot filter by student (anonymity)."""
        actor = require_actor(self.actor)
        if student_id and actor["role"] != STUDENT:
            raise DomainError("filter_not_allowed", "为保护匿名投诉人，不能按学生筛选投诉",
                              "Complaints cannot be filtered by student (anonymity)",
                              {"student_id": "请去掉该条件 / leave it out"}, 422)
        return super().list_cases(student_id, statuses, page, per_page)

    def _sunshine_staff(self, director_reads=False):
        """The actor, if Sunshine staff (or, for a read, the director, who reads everything)."""
        actor = require_actor(self.actor)
        if not (is_staff_of(actor, self.name)
                or (director_reads and actor["role"] == DIRECTOR)):
            raise forbidden("只有阳光服务中心工作人员可以记录和查看调查情况",
                            "Only Sunshine Service Center staff can do this")
        return actor

    @rpc
    def add_investigation_note(self, case_id, note):
        """Sunshine staff record what the investigation found; returns all notes."""
        actor = self._sunshine_staff()
        case = engine.read_case(self.db, case_id, actor)
        domain.check_note(case.status, note)
        records.add_note(self.db, case.id, note, actor, self.clock())
        self.db.commit()
        return records.notes(self.db, case.id)

    @rpc
    def investigation_notes(self, case_id):
        """The investigation notes of a case (sunshine staff, and the director: read only)."""
        actor = self._sunshine_staff(director_reads=True)
        return records.notes(self.db, engine.read_case(self.db, case_id, actor).id)

    @rpc
    def routed_cases(self, page=1, per_page=20):
        """The complaints routed to the caller's department (its staff), newest first."""
        actor = require_actor(self.actor)
        if actor["role"] not in STAFF or not actor.get("department"):
            raise forbidden("只有部门工作人员可以查看转交本部门的投诉",
                            "Only department staff can see complaints routed to them")
        rows, total = records.routed_to(self.db, actor["department"], page, per_page)
        return {"cases": [self.to_dict(c) for c in rows], "total": total, "page": page,
                "per_page": per_page}
