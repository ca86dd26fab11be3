"""League (校团委), window 8 党团事务: consultations, club activities, competitions, league
cards and membership transfer."""
from nameko.rpc import rpc

from osac_shared import cases as engine
from osac_shared.auth import STUDENT, require_actor, require_read
from osac_shared.errors import not_found, validation_failed
from osac_shared.service import CaseService

from . import domain, records
from .catalogue import ITEMS
from .models import Membership

CONSULTATIONS = ("league.league-work-consultation", "league.practice-volunteer-consultation")


class LeagueService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus ``competitions()`` (public) and ``membership(student_id)``.
    No event handlers; emits the case.* events through the outbox.

    - consultations: staff complete the case with the answer as the reason (``result.answer``);
    - club activity: declared >= 7 days ahead; a safety plan when off campus or > 100 people;
    - competition: open competitions only, team rules per competition, one team per student;
    - league card: a photo for a reissue, the card itself for the yearly registration;
    - membership transfer: completing "in" activates the membership, "out" marks it
      transferred to the destination organisation."""
    name = "league"
    ITEMS = ITEMS
    FORMS = domain.FORMS

    # ---- hooks ---------------------------------------------------------------------------
    def clean_form(self, item, form):
        form = super().clean_form(item, form)
        now = self.clock()
        if item.code == "league.competition":
            domain.check_registration(domain.COMPETITIONS[form["competition"]],
                                      form["members"], self.actor["id"], now)
        elif item.code == "league.club-activity":
            problem = domain.activity_date_problem(form["activity_date"], now)
            if problem:
                raise validation_failed({"form.activity_date": problem})
        return form

    def after_submit(self, session, case, item, now):
        if item.code == "league.competition":
            records.enter_team(session, case)
            competition = domain.COMPETITIONS[case.form["competition"]]
            case.result = {"competition_zh": competition.name_zh,
                           "registration_deadline": competition.deadline.isoformat()}
        elif item.code == "league.membership-transfer":
            domain.check_transfer(case.form["direction"],
                                  records.membership_status(session, case.student_id))

    def after_action(self, session, case, item, action, extra, now):
        if item.code == "league.competition" and action in ("reject", "withdraw"):
            records.leave_team(session, case.id)
        elif item.code == "league.member-card" and action == "complete":
            done = ({"reissued_at": now.isoformat()} if case.form["purpose"] == "reissue"
                    else {"registered_year": now.year})
            case.result = {**case.result, **done}
        elif item.code == "league.membership-transfer" and action == "complete":
            membership = records.apply_transfer(session, case, now)
            case.result = {**case.result, "membership_status": membership.status}

    # ---- entrypoints ---------------------------------------------------------------------
    @rpc
    def submit_case(self, item_code, materials=None, form=None, idempotency_key=None,
                    green_reason=""):
        """As CaseService.submit_case; materials that the form makes necessary (e.g. a safety
        plan for an off-campus activity) are told together with the item's own, at once."""
        item = self.item(item_code)
        actor = require_actor(self.actor)
        if engine.find_by_idempotency_key(self.db, actor["id"], idempotency_key) is None:
            domain.check_submission_materials(item, self.clean_form(item, form), materials)
        return super().submit_case(item_code, materials, form, idempotency_key, green_reason)

    @rpc
    def competitions(self):
        """The competitions and their registration deadlines (public)."""
        now = self.clock()
        return [dict(c.to_dict(), open=not domain.registration_closed(c, now))
                for c in domain.COMPETITIONS.values()]

    @rpc
    def membership(self, student_id=None):
        """A student's league membership here: students see their own, league staff anyone's."""
        actor = require_actor(self.actor)
        student_id = student_id or (actor["id"] if actor["role"] == STUDENT else None)
        if not student_id:
            raise validation_failed({"student_id": "请填写学号 / give the student id"})
        require_read(actor, student_id, self.name)
        membership = self.db.get(Membership, student_id)
        if membership is None:
            raise not_found("团组织关系", "League membership", student_id)
        return records.membership_to_dict(membership)
