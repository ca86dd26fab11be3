"""League (校团委), window 8 党团事务: consultations, club activities, competitions, league
cards and membership transfer."""
from nameko.rpc import rpc

from osac_shared.auth import STUDENT, require_actor, require_read
from osac_shared.errors import not_found, validation_failed
from osac_shared.service import CaseService

from . import domain, records
from .catalogue import ITEMS
from .models import Membership

CONSULTATIONS = ("league.league-work-consultation", "league.practice-volunteer-consultation")
CLUB, COMPETITION, CARD, TRANSFER = ("league.club-activity", "league.competition",
                                     "league.member-card", "league.membership-transfer")


class LeagueService(CaseService):
    """Boundary: the CaseService RPCs (catalogue, submit_case, get_case, list_cases, perform,
    act, expedite, health, ping) plus ``competitions()`` (public) and
    ``membership(student_id)``. No event handlers; emits the case.* events through the outbox.

    One notice at submission names the form's errors, the rules it breaks and every material
    it makes necessary (a safety plan, a photo or the card, a transfer letter, an advisor's
    confirmation); refusals no form can fix are 409s of their own (registration closed, no
    membership here, already a member, a member already on a team).

    - consultations: staff complete the case with the answer (``result.answer``);
    - club activity: declared >= 7 days ahead; a safety plan when off campus or > 100 people;
    - competition: open registration windows only (the same days every year), team rules per
      competition, one team per student;
    - league card: for a member here only; a photo for a reissue, the card itself for the
      yearly registration;
    - membership transfer: "in" (a freshman, or anyone not a member here) activates the
      membership when completed, "out" (a member) marks it transferred to the destination."""
    name = "league"
    ITEMS = ITEMS
    FORMS = domain.FORMS
    EXAMPLES = domain.EXAMPLES

    # ---- hooks ---------------------------------------------------------------------------
    def clean_form(self, item, form):
        data, problems = domain.load_partial(self.FORMS[item.code], form)
        now = self.clock()
        code = item.code
        if code == COMPETITION and "competition" in data:
            competition = domain.COMPETITIONS[data["competition"]]
            domain.check_open(competition, now)
            if "members" in data:
                problems.update(domain.team_problems(competition, data["members"],
                                                     self.actor["id"]))
        elif code == CLUB and "activity_date" in data:
            problem = domain.activity_date_problem(data["activity_date"], now)
            if problem:
                problems["form.activity_date"] = problem
        elif code == CARD:
            domain.check_card(records.membership_status(self.db, self.actor["id"]))
        elif code == TRANSFER:
            problems.update(domain.transfer_form_problems(data))
            if "direction" in data:
                domain.check_transfer(data["direction"],
                                      records.membership_status(self.db, self.actor["id"]))
        if problems:
            raise validation_failed(problems)
        return data

    def conditional_materials(self, item, form):
        return domain.needed_materials(item.code, form)

    def after_submit(self, session, case, item, now):
        if item.code == COMPETITION:
            records.enter_team(session, case)
            competition = domain.COMPETITIONS[case.form["competition"]]
            case.result = {"competition_zh": competition.name_zh,
                           "registration_deadline": competition.window(now)[1].isoformat()}

    def after_action(self, session, case, item, action, extra, now):
        if item.code == COMPETITION and action in ("reject", "withdraw"):
            records.leave_team(session, case.id)
        elif item.code == COMPETITION and action == "complete":
            case.result = {**(case.result or {}), "registered_members": case.form["members"]}
        elif item.code == CLUB and action == "complete":
            case.result = {**(case.result or {}), "approved_for": case.form["activity_date"],
                           "venue": case.form["venue"]}
        elif item.code == CARD and action == "complete":
            done = ({"reissued_at": now.isoformat()} if case.form["purpose"] == "reissue"
                    else {"registered_year": now.year})
            case.result = {**(case.result or {}), **done}
        elif item.code == TRANSFER and action == "complete":
            membership = records.apply_transfer(session, case, now)
            case.result = {**(case.result or {}), "membership_status": membership.status}

    # ---- entrypoints ---------------------------------------------------------------------
    @rpc
    def competitions(self):
        """The competitions, their registration windows and whether each is open (public)."""
        now = self.clock()
        return [dict(c.to_dict(now), open=not domain.registration_closed(c, now))
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
