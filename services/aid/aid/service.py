"""Student aid (学生工作处), window 2: policy consultation, aid applications (奖、助、免、补),
student loans (贷) and work-study posts (勤)."""
import logging
from datetime import datetime

from marshmallow import ValidationError, validate
from nameko.rpc import rpc
from sqlalchemy import select

from osac_shared import cases as engine, forms, lifecycle
from osac_shared.auth import A_POST, COMMITTEE, is_committee_of, require_actor
from osac_shared.contracts import read_event
from osac_shared.errors import DomainError, forbidden, validation_failed
from osac_shared.outbox import event_handler, first_time   # requeues on failure
from osac_shared.service import CaseService
from osac_shared.steps import NoteBody, Step, waiting

from . import domain, recognitions, wages
from .awards import check_no_conflict, record_award
from .catalogue import ITEMS
from .dependencies import WorkCalendar, WorkStudyBaseRate

log = logging.getLogger(__name__)


# ---- the department's own steps and their inputs -------------------------------------------
def _label(zh, en):
    return {"label_zh": zh, "label_en": en}


class CommitteeApproveBody(forms.Form):
    note = forms.Text(load_default="", max_length=2000,
                      metadata=_label("评审意见（学生可见）", "The committee's note (the student "
                                                         "sees it)"))


class CommitteeRefuseBody(forms.Form):
    reason = forms.Text(required=True, max_length=2000,
                        metadata=_label("不予通过的原因（学生将看到）", "Why it is refused (the "
                                                                "student sees it)"))


class PlacementBody(forms.Form):
    post_name = forms.Text(required=True, max_length=100,
                           metadata=_label("安排的岗位（名称与地点）", "The post (its name and "
                                                                    "place)"))
    reason = forms.Text(load_default="", max_length=2000,
                        metadata=_label("备注（学生可见）", "Note (the student sees it)"))


class LoanContractBody(forms.Form):
    contract_no = forms.Text(required=True, max_length=32, validate=[
        validate.Regexp(domain.CONTRACT_NO, error=(
            "合同编号为6-32位字母、数字或“-” / 6-32 letters, digits or '-'"))],
        metadata=_label("银行借款合同编号", "The bank's loan contract number"))
    reason = forms.Text(load_default="", max_length=2000,
                        metadata=_label("备注（学生可见）", "Note (the student sees it)"))


COMMITTEE_APPROVE = Step("committee_approve", "评审通过（公示5个工作日）",
                         "Approve (publicly noticed for 5 working days)", CommitteeApproveBody,
                         run="committee_approve", tone="primary")
COMMITTEE_REFUSE = Step("committee_refuse", "评审不通过", "Refuse", CommitteeRefuseBody,
                        run="committee_refuse", tone="danger")
# how the lifecycle's steps read for each kind of programme: {kind or programme: {action: Step}}
LABELS = {
    domain.AWARD: {
        "approve": Step("approve", "审核通过，提交资助评审委员会", "Approve: to the aid review "
                        "committee", NoteBody, tone="primary"),
        "complete": Step("complete", "公示期满，发放资助（办结）", "Notice over: pay the award "
                         "(complete)", NoteBody, tone="primary")},
    domain.POST: {
        "approve": Step("approve", "审核通过，待安排岗位", "Approve: to be placed on a post",
                        NoteBody, tone="primary"),
        "complete": Step("complete", "安排岗位并办结", "Place the student on a post (complete)",
                         PlacementBody, tone="primary")},
    "county_loan": {
        "accept": Step("accept", "受理并核对回执", "Accept and check the receipt", NoteBody,
                       tone="primary"),
        "approve": Step("approve", "确认回执信息无误", "Confirm the receipt", NoteBody,
                        tone="primary"),
        "complete": Step("complete", "录入回执并办结（贷款记入学生账户）", "Record the receipt "
                         "(the loan is booked to the student's account)", NoteBody,
                         tone="primary")},
    "campus_loan": {
        "approve": Step("approve", "审核通过，报送经办银行", "Approve: send it to the bank",
                        NoteBody, tone="primary"),
        "complete": Step("complete", "录入借款合同并办结（贷款记入学生账户）", "Record the loan "
                         "contract (the loan is booked to the student's account)",
                         LoanContractBody, tone="primary")},
}


class AidService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, perform,
    act, expedite, delegate, delegations, form_fields, health, ping) plus ``programmes``,
    ``record_committee_decision`` (aid's review committee only) and
    ``work_study_rate(assistant_id, month)``. Event handler: ``on_wage_adjusted`` (hall
    "hall.wage_adjusted": a B-post assistant's month at a reduced hourly rate). Emits the
    case.* events and ``aid.awarded`` (through the outbox) on an award or a loan.

    Eligibility reads aid's own hardship recognitions (``recognitions``, seeded from
    ``osac_shared.demo``); the grade rank is declared, with the transcript as its material.
    Awards: B accepts -> A approves (stage "committee") -> aid's review committee
    (``aid_committee``) approves (stage "public_notice" until ``notice_until``: 5 working days)
    or refuses with a reason (rejected) -> after the notice the A post completes: the award is
    paid (aid.awarded -> finance). Loans: B accepts and checks the receipt / application -> A
    approves -> A completes (the county loan's receipt, or the campus loan's contract number,
    recorded; aid.awarded books it against the fees). Work-study: B accepts -> A approves ->
    A completes naming the post."""
    name = "aid"
    ITEMS = ITEMS
    FORMS = domain.FORMS
    EXAMPLES = {code: (lambda now, code=code: domain.examples(now)[code])
                for code in domain.FORMS}
    CUSTOM_ACTIONS = ("committee_approve", "committee_refuse")

    calendar = WorkCalendar()
    base_rate = WorkStudyBaseRate()

    # ---- submission --------------------------------------------------------------------
    def recognised_level(self, now):
        """This year's hardship recognition of the applying student (or None)."""
        student_id = (self.actor or {}).get("id")
        return recognitions.level_of(self.db, student_id, domain.academic_year(now))

    def clean_form(self, item, form):
        """The form and the programme's rules, every problem at once (one notice)."""
        data, problems = forms.load(self.FORMS[item.code], form)
        programme = domain.PROGRAMMES.get(item.code)
        if programme is not None:
            now = self.clock()
            facts = data if data is not None else domain.usable(form, problems)
            level = self.recognised_level(now) if programme.hardship else None
            problems.update(domain.eligibility_problems(programme, facts, level, now.date()))
        if problems:
            raise validation_failed(problems)
        return data

    def after_submit(self, session, case, item, now):
        programme = domain.PROGRAMMES.get(item.code)
        if programme is None:   # consultation: the policy summary at once
            case.result = {"policy_zh": domain.TOPICS[case.form["topic"]][1]}
            return
        year = domain.academic_year(now)
        self.check_not_pending(session, case, programme)
        check_no_conflict(session, programme, case.student_id, year)
        level = recognitions.level_of(session, case.student_id, year)
        result = {"programme": programme.code, "academic_year": year, "stage": "b_review",
                  "amount_cents": domain.award_amount_cents(programme, case.form, level)}
        if programme.hardship or programme.kind == domain.POST:
            result["hardship_level"] = level or domain.NONE        # from aid's own record
        if programme.code == "national_grant":
            result["tier_zh"] = domain.GRANT_TIERS[level][0]
        if programme.kind == domain.POST:
            result["priority"] = level is not None                 # hardship comes first
        case.result = result

    def check_not_pending(self, session, case, programme):
        """One open application per once-a-year programme (409, not a form problem)."""
        if not programme.once_a_year:
            return
        other = session.scalar(select(engine.Case.id).where(
            engine.Case.student_id == case.student_id, engine.Case.item_code == case.item_code,
            engine.Case.id != case.id, engine.Case.status.not_in(tuple(lifecycle.FINAL))))
        if other is not None:
            raise DomainError("application_pending", f"您已有一份办理中的{programme.name_zh}申请",
                              f"You already have an open {programme.name_en} application",
                              {"item_code": f"办理中的申请：{other} / open application: {other}"},
                              409)

    # ---- the stages --------------------------------------------------------------------
    def can_complete(self, case, programme, now):
        """Whether completing would pass (listed only then)."""
        try:
            if programme.committee:
                domain.check_can_complete(programme, case.result, {}, now)
            if programme.paid and programme.once_a_year:
                check_no_conflict(self.db, programme, case.student_id,
                                  (case.result or {}).get("academic_year"))
        except DomainError:
            return False
        return True

    def refine_steps(self, case, item, steps):
        programme = domain.PROGRAMMES.get(item.code)
        if programme is None:
            return steps
        labels = {**LABELS.get(programme.kind, {}), **LABELS.get(programme.code, {})}
        out = []
        for step in steps:
            if step.action == "complete" and not self.can_complete(case, programme,
                                                                   self.clock()):
                continue
            out.append(labels.get(step.action, step))
        stage = (case.result or {}).get("stage")
        if programme.committee and case.status == lifecycle.PROCESSING and \
                stage == "committee" and is_committee_of(self.actor, self.name):
            out += [COMMITTEE_APPROVE, COMMITTEE_REFUSE]
        return out

    def refine_waiting(self, case, item, waiting_for):
        programme = domain.PROGRAMMES.get(item.code)
        if waiting_for is None or programme is None or case.status != lifecycle.PROCESSING:
            return waiting_for
        result = case.result or {}
        stage = result.get("stage")
        if programme.committee and stage == "committee":
            return waiting(COMMITTEE, self.name, "等待资助评审委员会评审",
                           "Waiting for the aid review committee's decision")
        if programme.committee and stage == "public_notice":
            until = datetime.fromisoformat(result["notice_until"])
            if not domain.notice_over(result, self.clock()):
                return waiting(A_POST, self.name,
                               f"评审已通过，公示至{until:%Y-%m-%d %H:%M}，期满无异议后由A岗发放",
                               f"Approved; publicly noticed until {until:%Y-%m-%d %H:%M}, then "
                               f"the A post pays it", until=result["notice_until"])
            return waiting(A_POST, self.name, "公示期满，等待A岗发放资助",
                           "The public notice is over; waiting for the A post to pay it")
        texts = {domain.POST: ("等待A岗安排岗位", "Waiting for the A post to place the student"),
                 "county_loan": ("回执已确认，等待A岗录入", "Receipt confirmed; waiting for the "
                                                           "A post to record it"),
                 "campus_loan": ("已报送经办银行，签订借款合同后由A岗录入", "Sent to the bank; the "
                                 "A post records the contract once it is signed")}
        zh_en = texts.get(programme.code) or texts.get(programme.kind)
        return waiting(A_POST, self.name, *zh_en) if zh_en else waiting_for

    def before_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        programme = domain.PROGRAMMES.get(item.code)
        domain.check_can_complete(programme, case.result, extra, now)
        if programme is not None and programme.paid:
            check_no_conflict(session, programme, case.student_id, case.result["academic_year"])

    def after_action(self, session, case, item, action, extra, now):
        programme = domain.PROGRAMMES.get(item.code)
        if programme is None:          # the consultation: its answer is kept by the engine
            return
        result = {**case.result, "stage": domain.stage_after(programme, action)}
        if action == "complete":
            if programme.kind == domain.POST:
                result["post_name"] = str(extra["post_name"]).strip()
            elif programme.kind == domain.LOAN:
                result["loan"] = self.loan_record(case, programme, extra, now)
        case.result = result
        if action == "complete" and programme.paid:
            record_award(session, case, programme, now, self.correlation_id)

    @staticmethod
    def loan_record(case, programme, extra, now):
        form = case.form or {}
        loan = {"kind": programme.code, "amount_cents": int(form["amount_yuan"]) * 100,
                "study_level": form["study_level"], "recorded_at": now.isoformat()}
        if programme.code == "county_loan":
            loan.update(county=form["county"], bank=form["bank"],
                        contract_no=form["contract_no"], receipt_code=form["receipt_code"])
        else:
            loan.update(contract_no=str(extra["contract_no"]).strip(), purpose=form["purpose"])
        return loan

    # ---- aid's review committee (资助评审委员会) -------------------------------------------
    def committee_approve(self, case_id, note=""):
        return self.record_committee_decision(case_id, True, note)

    def committee_refuse(self, case_id, reason):
        return self.record_committee_decision(case_id, False, reason)

    @rpc
    def record_committee_decision(self, case_id, approved, note=""):
        """Aid's review committee decides an award: approved -> publicly noticed for 5 working
        days (then the A post pays it); refused -> the case is rejected with the note as the
        reason (a refusal must give one)."""
        now = self.clock()
        actor = require_actor(self.actor)
        if not is_committee_of(actor, self.name):
            raise forbidden("只有资助评审委员会可以记录评审结果",
                            "Only the aid review committee records its decision")
        case = engine.read_case(self.db, case_id, actor)
        item = self.ITEMS.get(case.item_code)
        programme = domain.PROGRAMMES.get(case.item_code)
        if item is None or programme is None or not programme.committee:
            raise DomainError("no_committee", "该事项不经资助评审委员会评审",
                              "This item has no committee review", {"case_id": case_id}, 409)
        domain.check_committee_stage((case.result or {}).get("stage"))
        outcome = domain.committee_outcome(approved, note, now, actor["id"], self.calendar)
        case.result = {**case.result, **outcome}
        note = outcome["committee"]["note"]
        if approved:
            until = datetime.fromisoformat(outcome["notice_until"])
            case.updated_at = now
            case.history.append(engine.CaseHistory(
                action="committee", from_status=case.status, to_status=case.status,
                actor_id=actor["id"], actor_role=actor["role"],
                reason=f"资助评审委员会评审通过，公示至{until:%Y-%m-%d %H:%M}"
                       + (f"：{note}" if note else ""), at=now))
        else:
            # the committee is not the window's staff: the lifecycle's reject, recorded as its
            previous = case.status
            case.status = lifecycle.next_status(case.status, "reject")
            engine._record(self.db, case, item, "reject", actor,
                           f"资助评审委员会评审未通过：{note}", now, previous,
                           self.correlation_id)
        self.db.commit()
        return self.to_dict(case)

    @rpc
    def programmes(self):
        """The aid programmes and their rules (public)."""
        return [domain.programme_to_dict(p) for p in domain.PROGRAMMES.values()]

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
