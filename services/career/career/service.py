"""Career (招生就业处), window 4 招生就业."""
from sqlalchemy import select

from osac_shared.auth import require_actor
from osac_shared.cases import Case
from osac_shared.errors import validation_failed
from osac_shared.service import CaseService
from osac_shared.steps import Step

from .catalogue import ITEMS
from .domain import (AgreementBreachForm, AgreementReissueForm, PlaceBody, PolicyQuestionForm,
                     StampForm, StartupForm, SubsidyForm, breach_problems, examples,
                     graduating_problems, load_partial, new_agreement_no, stamp_problems,
                     subsidy_problems, team_problems)

STAMP, REISSUE = "career.graduate-document-stamp", "career.agreement-reissue"
BREACH, SUBSIDY, STARTUP = "career.agreement-breach", "career.employment-subsidy", \
    "career.startup-park"


class CareerService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, perform,
    act, health, ping); no RPCs of its own and no event handlers. Publishes case.* through the
    outbox. Rules at submission, told in one notice with the form's own errors: graduating
    students only (stamping, agreements, subsidy), one recommendation-form stamp, one breach
    and one subsidy per graduate, subsidy eligibility, startup teams of 1-10. A reissued
    agreement gets its new number when completed; a startup team's space is named when the
    application is completed."""
    name = "career"
    ITEMS = ITEMS
    FORMS = {"career.policy-consultation": PolicyQuestionForm, STAMP: StampForm,
             REISSUE: AgreementReissueForm, BREACH: AgreementBreachForm, SUBSIDY: SubsidyForm,
             STARTUP: StartupForm}
    EXAMPLES = examples()

    def clean_form(self, item, form):
        form, problems = load_partial(self.FORMS[item.code], form)
        actor = require_actor(self.actor)
        today = self.clock().date()
        code = item.code
        if code == STARTUP:
            problems.update(team_problems(form.get("team_size"), form.get("members"),
                                          actor["id"]))
        elif code == REISSUE:
            problems.update(graduating_problems(form.get("graduation_year"), today))
        elif code in (STAMP, BREACH, SUBSIDY):
            previous = [(c.status, c.form) for c in self.db.scalars(
                select(Case).where(Case.student_id == actor["id"], Case.item_code == code))]
            check = {STAMP: stamp_problems, BREACH: breach_problems, SUBSIDY: subsidy_problems}
            problems.update(check[code](form, previous, today))
        if problems:
            raise validation_failed(problems)
        return form

    def refine_steps(self, case, item, steps):
        """A startup-park application is completed with the space it gets."""
        if item.code != STARTUP:
            return steps
        place = Step("complete", "安排场地，办结", "Assign the space; complete", PlaceBody,
                     tone="primary")
        return [place if s.action == "complete" else s for s in steps]

    def before_action(self, session, case, item, action, extra, now):
        if item.code == STARTUP and action == "complete" and \
                not str(extra.get("space") or "").strip():
            raise validation_failed({"space": "请填写安排的场地 / name the space assigned"})

    def after_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        if item.code == REISSUE:
            case.result = {**(case.result or {}), "agreement_no": new_agreement_no(
                case.form["graduation_year"], case.id), "void_agreement_no":
                case.form.get("agreement_no") or None}
        elif item.code == STARTUP:
            case.result = {**(case.result or {}), "space": str(extra["space"]).strip(),
                           "move_in_on": extra.get("move_in_on")}
