"""Sunshine service center (校办（阳光服务中心）), window 13 投诉与建议: complaints and
suggestions, routed to the department concerned and answered within 3 working days."""
from nameko.rpc import rpc

from osac_shared import calendar
from osac_shared import cases as engine
from osac_shared import lifecycle
from osac_shared.auth import A_POST, B_POST, DIRECTOR, STAFF, STUDENT, is_staff_of, \
    require_actor
from osac_shared import forms
from osac_shared.calls import each
from osac_shared.errors import DomainError, forbidden, validation_failed
from osac_shared.service import CaseService
from osac_shared.steps import waiting

from . import domain, records
from .catalogue import ITEMS
from .dependencies import DepartmentRpc, WorkCalendar

ITEM = "sunshine.complaint-suggestion"


class SunshineService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus ``add_investigation_note`` (sunshine staff),
    ``investigation_notes`` (sunshine staff; the director reads them too) and ``routed_cases``
    (staff of the department a complaint was routed to). No event handlers; emits case.*
    events through the outbox. Calls ``<department>.get_case`` (through ``departments``, and
    nothing else) to check a related case the student cites.

    Flow (each stage a step of the case's next_actions): submit (feedback due in 3 working
    days) -> B accepts and routes it (the accept step's ``routed_to``, default the department
    the student chose; ``result.routed_to``) -> sunshine staff record the investigation
    (``add_investigation_note``; at least one before approval) -> A approves -> complete with
    the feedback to the student (the complete step's ``feedback``, required;
    ``result.feedback``). An anonymous case hides the student from everyone but the
    student."""
    name = "sunshine"
    ITEMS = ITEMS
    FORMS = {ITEM: domain.ComplaintForm}
    EXAMPLES = {ITEM: {"category": "complaint", "department": "logistics",
                       "text": "宿舍楼热水每天22点就停止供应，上完晚自习回来洗不了澡，"
                               "希望延长供应时间。", "anonymous": False}}
    CUSTOM_ACTIONS = ("add_investigation_note",)

    calendar = WorkCalendar()
    departments = DepartmentRpc(calls=each(domain.DEPARTMENTS, "get_case"))

    # ---- hooks ---------------------------------------------------------------------------
    def clean_form(self, item, form):
        """The form and the related case it cites (checked with its department): every
        problem in one notice; a department that cannot be reached is a 503 naming it."""
        data, problems = forms.load(self.FORMS[item.code], form)
        raw = data if data is not None else (form if isinstance(form, dict) else {})
        self.related = None
        case_id, department = raw.get("related_case_id"), raw.get("department")
        if case_id and isinstance(case_id, str) and not {
                "form.related_case_id", "form.department"} & set(problems):
            if case_id.split("-", 1)[0] != department:
                problems["form.related_case_id"] = ("该事项不属于所选部门 / that case is not of "
                                                    "the department you chose")
            else:
                try:
                    self.related = domain.related_summary(
                        self.departments.call(department, "get_case", case_id))
                except DomainError as err:
                    if err.code == "department_unavailable":
                        raise
                    problems.update(domain.related_case_problem().fields)
        if problems:
            raise validation_failed(problems)
        return data

    def after_submit(self, session, case, item, now):
        due, flagged = calendar.due_at(case.submitted_at, item.limit.value, item.limit.unit,
                                       self.calendar)
        case.result = {"feedback_due_at": due.isoformat(), "due_flagged": flagged}
        if self.related:
            case.result["related_case"] = self.related

    def before_action(self, session, case, item, action, extra, now):
        if action == "accept":
            self.route_to = domain.route_target(case.form, extra)
        elif action == "approve":
            # who may not approve hears that first; then: no approval without an investigation
            engine.authorize_action(self.actor, case, item, action, self.delegated_items())
            lifecycle.next_status(case.status, action)
            if not records.note_count(session, case.id):
                raise domain.investigation_missing()

    def after_action(self, session, case, item, action, extra, now):
        """(Raising here discards the whole change, after the lifecycle said who may act.)"""
        actor_id = self.actor["id"]
        if action == "accept":
            records.route(session, case.id, self.route_to, actor_id, now)
            case.result = {**case.result, **domain.routing_result(self.route_to, actor_id, now)}
        elif action == "complete":
            case.result = {**case.result, "feedback_at": now.isoformat(),
                           "feedback": domain.feedback_text(case.history[-1].reason, extra)}

    def refine_steps(self, case, item, steps):
        """Accepting routes the case; while it is investigated its staff record notes, and the
        A post approves only once the investigation is recorded; completing gives the
        feedback."""
        noted = case.status in domain.NOTE_STATUSES and records.note_count(self.db, case.id)
        out = []
        for step in steps:
            if step.action == "accept":
                step = domain.accept_step(case.form)
            elif step.action == "complete":
                step = domain.COMPLETE
            elif step.action == "approve" and not noted:
                continue
            out.append(step)
        if case.status in domain.NOTE_STATUSES and is_staff_of(self.actor or {}, self.name):
            first = case.status == lifecycle.ACCEPTED and not noted
            out.insert(0 if first else len(out), domain.note_step(first))
        return out

    def refine_waiting(self, case, item, waiting_for):
        routed = {k: (case.result or {}).get(k) for k in ("routed_to", "routed_to_zh")
                  if (case.result or {}).get(k)}
        if case.status == lifecycle.ACCEPTED and not records.note_count(self.db, case.id):
            return waiting(B_POST, self.name, "调查中：等待记录调查情况（已转交{}）".format(
                routed.get("routed_to_zh", "相关部门")), "Being investigated: waiting for the "
                "findings to be recorded", **routed)
        if case.status == lifecycle.ACCEPTED:
            return waiting(A_POST, self.name, "等待A岗审核调查结果", "Waiting for the A post to "
                           "approve the findings", **routed)
        if case.status == lifecycle.PROCESSING:
            return waiting(A_POST, self.name, "等待向学生反馈调查处理结果", "Waiting for the "
                           "feedback to the student",
                           feedback_due_at=(case.result or {}).get("feedback_due_at"), **routed)
        return waiting_for

    def to_dict(self, case, steps=True):
        return domain.anonymise(super().to_dict(case, steps), self.actor or {})

    # ---- steps run through perform -------------------------------------------------------
    def note_step(self, case_id, note):
        """The add_investigation_note step: the note kept, the case as the caller sees it."""
        self.add_investigation_note(case_id, note)
        return self.to_dict(engine.read_case(self.db, case_id, self.actor))

    def complete_with_feedback(self, case_id, feedback):
        """The complete step: the feedback is also the history's reason (the timeline)."""
        return self.act(case_id, "complete", reason=feedback, extra={"feedback": feedback})

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
