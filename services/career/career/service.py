"""Career (招生就业处), window 4 招生就业."""
from sqlalchemy import select

from osac_shared.auth import require_actor
from osac_shared.cases import Case
from osac_shared.errors import validation_failed
from osac_shared.service import CaseService

from .catalogue import ITEMS
from .domain import (AgreementBreachForm, AgreementReissueForm, PolicyQuestionForm, StampForm,
                     StartupForm, SubsidyForm, breach_problems,
                     graduating_problems, new_agreement_no, stamp_problems, subsidy_problems,
                     team_problems)

STAMP, REISSUE = "career.graduate-document-stamp", "career.agreement-reissue"
BREACH, SUBSIDY, STARTUP = "career.agreement-breach", "career.employment-subsidy", \
    "career.startup-park"


class CareerService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act, health,
    ping); no RPCs of its own and no event handlers. Publishes case.* through the outbox.
    Rules at submission: graduating students only (stamping, agreements, subsidy), one
    recommendation-form stamp, one breach and one subsidy per graduate, subsidy eligibility,
    startup teams of 1-10. A reissued agreement gets its new number when completed."""
    name = "career"
    ITEMS = ITEMS
    FORMS = {"career.policy-consultation": PolicyQuestionForm, STAMP: StampForm,
             REISSUE: AgreementReissueForm, BREACH: AgreementBreachForm, SUBSIDY: SubsidyForm,
             STARTUP: StartupForm}

    def clean_form(self, item, form):
        form = super().clean_form(item, form)
        actor = require_actor(self.actor)
        today = self.clock().date()
        code = item.code
        if code == STARTUP:
            problems = team_problems(form["team_size"], form["members"], actor["id"])
        elif code == REISSUE:
            problems = graduating_problems(form["graduation_year"], today)
        elif code in (STAMP, BREACH, SUBSIDY):
            previous = [(c.status, c.form) for c in self.db.scalars(
                select(Case).where(Case.student_id == actor["id"], Case.item_code == code))]
            check = {STAMP: stamp_problems, BREACH: breach_problems, SUBSIDY: subsidy_problems}
            problems = check[code](form, previous, today)
        else:
            problems = {}
        if problems:
            raise validation_failed(problems)
        return form

    def after_action(self, session, case, item, action, extra, now):
        if action != "complete":
            return
        if item.code == REISSUE:
            case.result = {**(case.result or {}), "agreement_no": new_agreement_no(
                case.form["graduation_year"], case.id), "void_agreement_no":
                case.form.get("agreement_no") or None}
