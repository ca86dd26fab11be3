"""Student aid (学生工作处), window 2: policy consultation and aid applications."""
import logging

from marshmallow import ValidationError
from nameko.rpc import rpc

from osac_shared import cases as engine
from osac_shared.auth import A_POST, require_actor, require_role
from osac_shared.contracts import read_event
from osac_shared.errors import DomainError
from osac_shared.outbox import event_handler, first_time   # requeues on failure
from osac_shared.service import CaseService

from . import domain, wages
from .awards import check_no_conflict, record_award
from .catalogue import ITEMS
from .dependencies import WorkCalendar, WorkStudyBaseRate

log = logging.getLogger(__name__)


class AidService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus ``programmes``, ``record_committee_decision`` and
    ``work_study_rate(assistant_id, month)``. Event handler: ``on_wage_adjusted`` (hall
    "hall.wage_adjusted": a B-post assistant's month at a reduced hourly rate). Emits the
    case.* events and ``aid.awarded`` (through the outbox) on an award.

    Review: B accepts -> A approves (stage "committee") -> the A post records the committee's
    decision (stage "public_notice" until ``notice_until``) -> complete pays the award."""
    name = "aid"
    ITEMS = ITEMS
    FORMS = domain.FORMS

    calendar = WorkCalendar()
    base_rate = WorkStudyBaseRate()

    def clean_form(self, item, form):
        form = super().clean_form(item, form)
        programme = domain.PROGRAMMES.get(item.code)
        if programme is not None:
            domain.check_eligibility(programme, form)
        return form

    def after_submit(self, session, case, item, now):
        programme = domain.PROGRAMMES.get(item.code)
        if programme is None:   # consultation: the policy summary at once
            case.result = {"policy_zh": domain.TOPICS[case.form["topic"]][1]}
            return
        year = domain.academic_year(now)
        check_no_conflict(session, programme, case.student_id, year)
        result = {"programme": programme.code, "academic_year": year, "stage": "b_review",
                  "amount_cents": domain.award_amount_cents(programme, case.form)}
        if programme.code == "national_grant":
            result["tier_zh"] = domain.GRANT_TIERS[case.form["hardship_level"]][0]
        case.result = result

    def before_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        programme = domain.PROGRAMMES.get(item.code)
        domain.check_can_complete(programme, case.result, extra, now)
        if programme is not None and programme.committee:
            check_no_conflict(session, programme, case.student_id, case.result["academic_year"])

    def after_action(self, session, case, item, action, extra, now):
        programme = domain.PROGRAMMES.get(item.code)
        if programme is None:          # the consultation: its answer is kept by the engine
            return
        result = {**case.result, "stage": domain.stage_after(programme, action)}
        if action == "complete" and not programme.committee:
            result["post_name"] = str(extra["post_name"]).strip()
        case.result = result
        if action == "complete" and programme.committee:
            record_award(session, case, programme, now, self.correlation_id)

    @rpc
    def programmes(self):
        """The aid programmes and their rules (public)."""
        return [domain.programme_to_dict(p) for p in domain.PROGRAMMES.values()]

    @rpc
    def record_committee_decision(self, case_id, approved, note=""):
        """The A post records the aid committee's decision: approved -> public notice;
        refused -> the case is rejected with the note as the reason."""
        now = self.clock()
        require_role(self.actor, A_POST)
        case = engine.read_case(self.db, case_id, self.actor)
        programme = domain.PROGRAMMES.get(case.item_code)
        if programme is None or not programme.committee:
            raise DomainError("no_committee", "该事项不经资助委员会评审",
                              "This item has no committee review", {"case_id": case_id}, 409)
        domain.check_committee_stage((case.result or {}).get("stage"))
        case.result = {**case.result,
                       **domain.committee_outcome(approved, note, now, self.actor["id"],
                                                  self.calendar)}
        if not approved:
            engine.act(self.db, case, self.ITEMS[case.item_code], "reject", self.actor, now,
                       f"资助委员会评审未通过：{note.strip()}",
                       correlation_id=self.correlation_id)
        self.db.commit()
        return self.to_dict(case)

    # ---- work-study wages of the hall's student assistants -------------------------------
    @rpc
    def work_study_rate(self, assistant_id, month):
        """The assistant's hourly rate (yuan) for a month: base, minus any adjustment."""
        wages.check_query(require_actor(self.actor), assistant_id, month)
        return wages.rate_for(self.db, assistant_id, month, self.base_rate)

    @event_handler("hall", "hall.wage_adjusted")
    def on_wage_adjusted(self, payload):
        """Record the month's reduced rate, once per event and once per assistant-month."""
        try:
            event = read_event(payload)
        except ValidationError as err:
            log.warning("hall.wage_adjusted rejected, breaks the contract: %s", err.messages)
            return
        if not first_time(self.db, event["event_id"], "aid.on_wage_adjusted"):
            return
        wages.record(self.db, event, self.clock())
        self.db.commit()
