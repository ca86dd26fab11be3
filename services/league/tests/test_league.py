"""League (校团委) rules as tables, and every item's flow on real RabbitMQ and PostgreSQL."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from osac_shared.cases import materials_notice
from osac_shared.clock import TZ
from osac_shared.demo import STUDENTS
from osac_shared.errors import DomainError
from osac_shared.testing import ACTORS, staff

from league import demo, domain
from league.catalogue import ITEMS

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)          # a Monday
ME, OTHER = ACTORS["student"]["id"], ACTORS["student2"]["id"]
B, A = staff("league", "b_post"), staff("league", "a_post")


# ---- tables ------------------------------------------------------------------------------
def test_catalogue_covers_window_8():
    assert len(ITEMS) == 6 and {i.window for i in ITEMS.values()} == {8}
    kinds = {code: item.kind for code, item in ITEMS.items()}
    assert kinds["league.league-work-consultation"] == "consultation"
    assert kinds["league.practice-volunteer-consultation"] == "consultation"
    assert set(domain.FORMS) == set(ITEMS)


@pytest.mark.parametrize("code, members, problem", [
    ("challenge-cup", [ME], None),
    ("challenge-cup", [ME] + [f"20260001{n:02d}" for n in range(9)], None),        # 10
    ("challenge-cup", [ME] + [f"20260001{n:02d}" for n in range(10)], "1–10"),     # 11
    ("challenge-cup", [OTHER], "include yourself"),
    ("challenge-cup", [ME, ME], "listed twice"),
    ("math-modeling", [ME, OTHER], "3–3"),
    ("math-modeling", [ME, OTHER, "2026000003"], None),
    ("challenge-cup-business", [ME], "3–10"),
])
def test_team_rules(code, members, problem):
    found = domain.team_problems(domain.COMPETITIONS[code], members, ME)
    if problem is None:
        assert found == {}
    else:
        assert problem in found["form.members"]


@pytest.mark.parametrize("now, closed", [
    (datetime(2026, 12, 20, 23, 59, 59, tzinfo=TZ), False),
    (datetime(2026, 12, 21, 0, 0, 0, tzinfo=TZ), True),
    (datetime(2026, 12, 20, 16, 0, 0, tzinfo=ZoneInfo("UTC")), True),   # 00:00 in Shanghai
])
def test_registration_deadline(now, closed):
    assert domain.registration_closed(domain.COMPETITIONS["challenge-cup-business"],
                                      now) is closed


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("code, now, closed", [
    ("challenge-cup", at(2026, 9, 1, 0, 0), False),
    ("challenge-cup", at(2027, 3, 31, 23, 0), False),            # across the new year
    ("challenge-cup", at(2027, 4, 1, 0, 0), True),
    ("challenge-cup", at(2027, 8, 31, 23, 59), True),
    ("innovation", at(2027, 2, 28, 12, 0), True),
    ("innovation", at(2027, 3, 1, 0, 0), False),
    ("math-modeling", at(2027, 9, 5, 23, 0), False),
    ("math-modeling", at(2027, 9, 6, 0, 0), True),
    ("challenge-cup-business", at(2031, 10, 1, 9, 0), False),    # a rule: every year
])
def test_registration_windows_come_back_every_year(code, now, closed):
    assert domain.registration_closed(domain.COMPETITIONS[code], now) is closed


@pytest.mark.parametrize("day", [at(2026, m, d, 12, 0) for m, d in (
    (1, 1), (3, 31), (4, 1), (5, 20), (6, 30), (7, 15), (8, 31), (9, 1), (12, 21))])
def test_some_competition_takes_a_team_of_three_on_any_day(day):
    example = domain.competition_example(day)
    competition = domain.COMPETITIONS[example["competition"]]
    assert not domain.registration_closed(competition, day)
    assert domain.team_problems(competition, example["members"], example["members"][0]) == {}


def test_a_closed_competition_names_its_next_window():
    with pytest.raises(DomainError) as err:
        domain.check_open(domain.COMPETITIONS["innovation"], at(2026, 12, 1, 9, 0))
    assert err.value.status == 409 and "2027-03-01至2027-05-31" in err.value.message


@pytest.mark.parametrize("activity_date, ok", [
    ("2026-12-14", True), ("2026-12-13", False), ("2026-12-07", False), ("2027-01-05", True)])
def test_activity_notice_days(activity_date, ok):
    assert (domain.activity_date_problem(activity_date, T0) is None) is ok


@pytest.mark.parametrize("direction, status, problem", [
    ("in", None, None), ("in", "transferred", None), ("in", "active", "already_member"),
    ("in", "incoming", None), ("out", "incoming", "no_membership"),
    ("out", "active", None), ("out", None, "no_membership"),
    ("out", "transferred", "no_membership"),
])
def test_transfer_rules(direction, status, problem):
    found = domain.transfer_problem(direction, status)
    assert (found[0] if found else None) == problem


@pytest.mark.parametrize("item_code, form, needed", [
    ("league.club-activity", {"participants": 100, "off_campus": False}, []),
    ("league.club-activity", {"participants": 101, "off_campus": False}, ["safety_plan"]),
    ("league.club-activity", {"participants": 5, "off_campus": True}, ["safety_plan"]),
    ("league.member-card", {"purpose": "reissue"}, ["photo"]),
    ("league.member-card", {"purpose": "register"}, ["league_card"]),
    ("league.membership-transfer", {"direction": "in"}, ["transfer_letter"]),
    ("league.membership-transfer", {"direction": "out"}, []),
    ("league.competition", {}, []),
    ("league.competition", {"advisor": "李明"}, ["advisor_confirmation"]),
    ("league.competition", {"advisor": "  "}, []),
    ("league.member-card", {}, []),
])
def test_materials_the_form_makes_necessary(item_code, form, needed):
    assert domain.conditional_materials(item_code, form) == needed


def test_submission_notice_lists_everything_at_once():
    notice = materials_notice(ITEMS["league.club-activity"], ["activity_plan"],
                              domain.needed_materials("league.club-activity",
                                                      {"off_campus": True}))
    assert set(notice) == {"materials.advisor_opinion", "materials.safety_plan"}
    assert "校外活动" in notice["materials.safety_plan"]


@pytest.mark.parametrize("status, problem", [
    ("active", None), ("incoming", "membership_not_transferred"), (None, "no_membership"),
    ("transferred", "no_membership")])
def test_only_a_member_here_has_a_card(status, problem):
    found = domain.card_problem(status)
    assert (found[0] if found else None) == problem


@pytest.mark.parametrize("form, fields", [
    ({"direction": "in", "branch": ""}, {"form.branch"}),
    ({"direction": "in", "branch": "法学26级团支部"}, set()),
    ({"direction": "out", "branch": ""}, set()),
    ({"branch": ""}, set()),
])
def test_a_transfer_in_names_its_branch(form, fields):
    assert set(domain.transfer_form_problems(form)) == fields


@pytest.mark.parametrize("student_id, status, branch", [
    ("2026000001", "active", "计算机科学与技术24级团支部"),
    ("2026000005", "incoming", ""), ("2026000018", None, None)])
def test_demo_memberships_follow_the_profiles(student_id, status, branch):
    student = next(s for s in STUDENTS if s.id == student_id)
    assert student.league == status
    if status == "active":
        assert demo.branch_of(student) == branch


# ---- on the real platform ----------------------------------------------------------------
@pytest.fixture(scope="module")
def plat(platform_factory, tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    return platform_factory(["league"], clock_file=str(clock), extra_env={"SEED_DEMO": "1"})


def run(plat, actor, case_id, *actions, reason=""):
    with plat.rpc(actor) as rpc:
        case = None
        for action in actions:
            case = rpc.league.act(case_id, action, reason if action == "complete" else "")
        return case


def test_consultation_is_answered_in_text(plat):
    with plat.rpc(ACTORS["student"]) as rpc:
        case = rpc.league.submit_case("league.practice-volunteer-consultation", [],
                                      {"topic": "volunteer_hours", "question": "志愿服务时长如何认定？"})
    run(plat, B, case["id"], "accept", "approve")
    with pytest.raises(DomainError) as err:
        run(plat, B, case["id"], "complete")
    assert err.value.status == 422 and "reason" in err.value.fields
    done = run(plat, B, case["id"], "complete", reason="以志愿汇平台记录为准，每学期认定一次。")
    assert done["status"] == "completed"
    assert done["result"]["answer"] == "以志愿汇平台记录为准，每学期认定一次。"


def test_club_activity_approval(plat):
    plat.set_time(T0)
    form = {"club": "摄影协会", "title": "校园摄影展", "activity_date": "2026-12-10",
            "venue": "图书馆一楼", "participants": 120}
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:           # one notice: the date and both materials
            rpc.league.submit_case("league.club-activity", ["activity_plan"],
                                   dict(form, venue="  "))
        assert err.value.code == "materials_missing"
        assert set(err.value.fields) == {"form.activity_date", "form.venue",
                                         "materials.advisor_opinion", "materials.safety_plan"}
        form["activity_date"] = "2026-12-20"
        case = rpc.league.submit_case(
            "league.club-activity", ["activity_plan", "advisor_opinion", "safety_plan"], form)
    run(plat, B, case["id"], "accept")
    with pytest.raises(DomainError) as err:                # an A-post item
        run(plat, B, case["id"], "approve")
    assert err.value.status == 403
    done = run(plat, A, case["id"], "approve", "complete", reason="同意举办，注意场地安全")
    assert done["status"] == "completed"
    assert done["result"]["approved_for"] == "2026-12-20"


def test_competition_registration(plat):
    plat.set_time(T0)
    team = {"competition": "challenge-cup-business", "team_name": "星火", "members":
            [ME, OTHER, "2026000003"], "project_title": "校园二手书循环平台"}
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:           # the team and the material at once
            rpc.league.submit_case("league.competition", ["project_summary"],
                                   dict(team, members=[ME], advisor="李明"))
        assert "3–10" in err.value.fields["form.members"]
        assert set(err.value.fields) == {"form.members", "materials.advisor_confirmation"}
        first = rpc.league.submit_case("league.competition", ["project_summary"], team)
        assert first["result"]["competition_zh"].startswith("“挑战杯”")
        listed = {c["code"]: c["open"] for c in rpc.league.competitions()}
        assert listed["challenge-cup-business"] is True
    with plat.rpc(ACTORS["student2"]) as rpc:          # OTHER is already on a team
        again = dict(team, members=[OTHER, "2026000004", "2026000005"])
        with pytest.raises(DomainError) as err:
            rpc.league.submit_case("league.competition", ["project_summary"], again)
        assert err.value.code == "already_registered" and OTHER in err.value.message
    with plat.rpc(ACTORS["student"]) as rpc:
        rpc.league.act(first["id"], "withdraw")
    with plat.rpc(ACTORS["student2"]) as rpc:          # released by the withdrawal
        second = rpc.league.submit_case("league.competition", ["project_summary"], again)
    done = run(plat, B, second["id"], "accept")
    assert done["status"] == "accepted"
    done = run(plat, A, second["id"], "approve", "complete")
    assert done["result"]["registered_members"] == again["members"]
    plat.set_time(datetime(2026, 12, 21, 9, 0, tzinfo=TZ))
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.league.submit_case("league.competition", ["project_summary"], team)
        assert err.value.code == "registration_closed" and err.value.status == 409
        assert "form.competition" in err.value.fields
    plat.set_time(T0)


def test_member_card_reissue_and_registration(plat):
    with plat.rpc({"id": "2026000005", "role": "student", "name": "陈晨"}) as rpc:
        with pytest.raises(DomainError) as err:          # a freshman not yet transferred in
            rpc.league.submit_case("league.member-card", ["branch_certificate", "photo"],
                                   {"purpose": "reissue", "branch": "法学26级团支部"})
        assert err.value.code == "membership_not_transferred" and err.value.status == 409
    with plat.rpc(ACTORS["student"]) as rpc:
        with pytest.raises(DomainError) as err:
            rpc.league.submit_case("league.member-card", [],
                                   {"purpose": "reissue", "branch": "计算机2201团支部"})
        assert set(err.value.fields) == {"materials.branch_certificate", "materials.photo"}
        reissue = rpc.league.submit_case("league.member-card", ["branch_certificate", "photo"],
                                         {"purpose": "reissue", "branch": "计算机2201团支部"})
        register = rpc.league.submit_case(
            "league.member-card", ["branch_certificate", "league_card"],
            {"purpose": "register", "branch": "计算机2201团支部"})
    assert run(plat, B, reissue["id"], "accept", "approve", "complete")["result"][
        "reissued_at"].startswith("2026-12-07")
    assert run(plat, B, register["id"], "accept", "approve", "complete")["result"][
        "registered_year"] == 2026


def test_membership_transfer_in_then_out(plat):
    student = {"id": "2026000016", "role": "student", "name": "林峰"}      # an incoming freshman
    with plat.rpc(student) as rpc:
        assert rpc.league.membership()["status"] == "incoming"
        with pytest.raises(DomainError) as err:
            rpc.league.submit_case("league.membership-transfer", [],
                                   {"direction": "out", "organisation": "某科技公司团委"})
        assert err.value.code == "no_membership"
        with pytest.raises(DomainError) as err:          # the branch and the letter at once
            rpc.league.submit_case("league.membership-transfer", [],
                                   {"direction": "in", "organisation": "长沙市第一中学团委"})
        assert set(err.value.fields) == {"form.branch", "materials.transfer_letter"}
        case_in = rpc.league.submit_case(
            "league.membership-transfer", ["transfer_letter"],
            {"direction": "in", "organisation": "长沙市第一中学团委", "branch": "计算机2601团支部"})
    with plat.rpc({"id": "2026000018", "role": "student", "name": "郭伟"}) as rpc:
        with pytest.raises(DomainError) as err:          # not a league member: no record
            rpc.league.membership()
        assert err.value.status == 404
    done = run(plat, B, case_in["id"], "accept", "approve", "complete")
    assert done["result"]["membership_status"] == "active"
    with plat.rpc(student) as rpc:
        mine = rpc.league.membership()
        assert (mine["status"], mine["branch"]) == ("active", "计算机2601团支部")
        with pytest.raises(DomainError) as err:
            rpc.league.submit_case("league.membership-transfer", ["transfer_letter"], {
                "direction": "in", "organisation": "长沙市第一中学团委", "branch": "x"})
        assert err.value.code == "already_member"
        case_out = rpc.league.submit_case("league.membership-transfer", [],
                                          {"direction": "out", "organisation": "某科技公司团委"})
    run(plat, B, case_out["id"], "accept", "approve", "complete")
    with plat.rpc(B) as rpc:
        theirs = rpc.league.membership(student["id"])
    assert (theirs["status"], theirs["transferred_to"]) == ("transferred", "某科技公司团委")
    with plat.rpc(ACTORS["student"]) as rpc:            # not someone else's record
        with pytest.raises(DomainError) as err:
            rpc.league.membership(student["id"])
        assert err.value.status == 403
