"""Student aid (学生工作处), window 2: policy consultation and aid applications."""
from nameko.rpc import rpc

from osac_shared import cases as engine
from osac_shared.auth import A_POST, require_role
from osac_shared.errors import DomainError
from osac_shared.service import CaseService

from . import domain
from .awards import check_no_conflict, record_award
from .catalogue import ITEMS
from .dependencies import WorkCalendar


class AidService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus ``programmes`` and ``record_committee_decision``. No event
    handlers; emits the case.* events and ``aid.awarded`` (through the outbox) on an award.

    Review: B accepts -> A approves (stage "committee") -> the A post records the committee's
    decision (stage "public_notice" until ``notice_until``) -> complete pays the award."""
    name = "aid"
    ITEMS = ITEMS
    FORMS = domain.FORMS

    calendar = WorkCalendar()

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
