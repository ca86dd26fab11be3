"""League rules (plain functions and data): forms, materials a form makes necessary,
competition registration, club activity notice, membership transfer."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from osac_shared.cases import materials_notice
from osac_shared.clock import TZ
from osac_shared.errors import DomainError, validation_failed

STUDENT_ID = validate.Regexp(r"^[0-9]{10}$", error="学号须为10位数字 / a student id is 10 digits")


# ---- consultation ------------------------------------------------------------------------
class ConsultationForm(Schema):
    question = fields.Str(required=True, validate=validate.Length(min=2, max=1000),
                          metadata={"label_zh": "问题", "label_en": "Question"})


# ---- club activity (社团活动审批) ------------------------------------------------------------
MIN_DAYS_AHEAD = 7
SAFETY_PLAN_FROM = 101      # participants from which a safety plan is needed


class ClubActivityForm(Schema):
    club = fields.Str(required=True, validate=validate.Length(min=1, max=64),
                      metadata={"label_zh": "社团名称", "label_en": "Club"})
    title = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                       metadata={"label_zh": "活动名称", "label_en": "Activity"})
    activity_date = fields.Date(required=True,
                                metadata={"label_zh": "活动日期", "label_en": "Date"})
    venue = fields.Str(required=True, validate=validate.Length(min=1, max=100),
                       metadata={"label_zh": "活动地点", "label_en": "Venue"})
    participants = fields.Int(required=True, validate=validate.Range(min=1, max=5000),
                              metadata={"label_zh": "参加人数", "label_en": "Participants"})
    off_campus = fields.Bool(load_default=False,
                             metadata={"label_zh": "是否校外活动", "label_en": "Off campus"})

    @post_load
    def dates_as_text(self, data, **kwargs):
        data["activity_date"] = data["activity_date"].isoformat()
        return data


def activity_date_problem(activity_date, now):
    """The activity must be at least ``MIN_DAYS_AHEAD`` days after the day of application."""
    earliest = now.astimezone(TZ).date() + timedelta(days=MIN_DAYS_AHEAD)
    if date.fromisoformat(activity_date) < earliest:
        return (f"活动须提前{MIN_DAYS_AHEAD}天申报，最早可申报{earliest.isoformat()}的活动 / "
                f"declare at least {MIN_DAYS_AHEAD} days ahead (earliest {earliest.isoformat()})")
    return None


# ---- competitions (“挑战杯”等竞赛) -----------------------------------------------------------
@dataclass(frozen=True)
class Competition:
    code: str
    name_zh: str
    name_en: str
    deadline: datetime          # registration closes at this moment
    min_team: int = 1
    max_team: int = 10

    def to_dict(self):
        return {"code": self.code, "name_zh": self.name_zh, "name_en": self.name_en,
                "deadline": self.deadline.isoformat(), "min_team": self.min_team,
                "max_team": self.max_team}


def _closes(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=TZ)


COMPETITIONS = {c.code: c for c in (
    Competition("challenge-cup", "“挑战杯”全国大学生课外学术科技作品竞赛",
                "Challenge Cup: extracurricular academic and technology works",
                _closes(2027, 3, 31)),
    Competition("challenge-cup-business", "“挑战杯”中国大学生创业计划竞赛",
                "Challenge Cup: business plan competition", _closes(2026, 12, 20), 3, 10),
    Competition("innovation", "中国国际大学生创新大赛", "China International College Students' "
                "Innovation Competition", _closes(2027, 5, 31), 1, 10),
    Competition("math-modeling", "全国大学生数学建模竞赛",
                "Contemporary Undergraduate Mathematical Contest in Modeling",
                _closes(2027, 6, 30), 3, 3),
)}


class CompetitionForm(Schema):
    competition = fields.Str(required=True, validate=validate.OneOf(tuple(COMPETITIONS)),
                             metadata={"label_zh": "竞赛", "label_en": "Competition"})
    team_name = fields.Str(required=True, validate=validate.Length(min=1, max=50),
                           metadata={"label_zh": "团队名称", "label_en": "Team name"})
    project_title = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                               metadata={"label_zh": "作品/项目名称", "label_en": "Project"})
    members = fields.List(fields.Str(validate=STUDENT_ID), required=True,
                          validate=validate.Length(min=1, max=10),
                          metadata={"label_zh": "队员学号（含队长本人）",
                                    "label_en": "Members' student ids (with yourself)"})
    advisor = fields.Str(load_default="", validate=validate.Length(max=32),
                         metadata={"label_zh": "指导教师", "label_en": "Advisor"})


def registration_closed(competition, now):
    return now > competition.deadline


def team_problems(competition, members, leader_id):
    """{field: message} for a team that breaks the competition's rules (empty when fine)."""
    problems = {}
    if len(set(members)) != len(members):
        problems["form.members"] = "队员学号有重复 / a student id is listed twice"
    elif not competition.min_team <= len(members) <= competition.max_team:
        problems["form.members"] = (
            f"{competition.name_zh}每队{competition.min_team}–{competition.max_team}人 / "
            f"teams of {competition.min_team}–{competition.max_team}")
    if leader_id not in members:
        problems.setdefault("form.members", "请把自己（队长）列入队员 / include yourself "
                                            "(the team leader)")
    return problems


def check_registration(competition, members, leader_id, now):
    if registration_closed(competition, now):
        raise DomainError(
            "registration_closed",
            f"{competition.name_zh}报名已于{competition.deadline:%Y-%m-%d %H:%M}截止",
            f"Registration for this competition closed at {competition.deadline.isoformat()}",
            {"form.competition": "报名已截止，请选择其他竞赛 / registration closed; choose "
                                 "another competition"}, 409)
    problems = team_problems(competition, members, leader_id)
    if problems:
        raise validation_failed(problems)


# ---- league card (团员证补办、注册) -----------------------------------------------------------
class MemberCardForm(Schema):
    purpose = fields.Str(required=True, validate=validate.OneOf(("reissue", "register")),
                         metadata={"label_zh": "办理类型（补办/注册）", "label_en": "Purpose"})
    branch = fields.Str(required=True, validate=validate.Length(min=2, max=64),
                        metadata={"label_zh": "所在团支部", "label_en": "League branch"})
    note = fields.Str(load_default="", validate=validate.Length(max=500),
                      metadata={"label_zh": "说明（如遗失经过）", "label_en": "Note"})


# ---- membership transfer (团组织关系转接) -----------------------------------------------------
IN, OUT = "in", "out"
ACTIVE, TRANSFERRED = "active", "transferred"


class TransferForm(Schema):
    direction = fields.Str(required=True, validate=validate.OneOf((IN, OUT)),
                           metadata={"label_zh": "转入/转出", "label_en": "Direction"})
    organisation = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                              metadata={"label_zh": "原团组织（转入）或去向团组织（转出）",
                                        "label_en": "Former (in) or new (out) organisation"})
    branch = fields.Str(load_default="", validate=validate.Length(max=64),
                        metadata={"label_zh": "转入的本校团支部", "label_en": "Branch here"})

    @validates_schema
    def branch_for_transfer_in(self, data, **kwargs):
        if data.get("direction") == IN and not data.get("branch", "").strip():
            raise ValidationError("转入须填写本校团支部 / a transfer in needs your branch here",
                                  "branch")


def transfer_problem(direction, current_status):
    """None when a transfer may go ahead, else (code, zh, en). ``current_status`` is the
    student's membership here (None when there is no record)."""
    if direction == IN and current_status == ACTIVE:
        return ("already_member", "您已是本校团员，无需转入",
                "You are already a league member here; no transfer in is needed")
    if direction == OUT and current_status != ACTIVE:
        return ("no_membership", "本校没有您有效的团组织关系，无法转出",
                "You have no active league membership here to transfer out")
    return None


def check_transfer(direction, current_status):
    problem = transfer_problem(direction, current_status)
    if problem:
        raise DomainError(*problem, {"form.direction": problem[2]}, 409)


# ---- materials a form makes necessary (one notice for all) ---------------------------------
CONDITIONS_ZH = {
    "safety_plan": "校外活动或参加人数超过100人须附 / needed off campus or above 100 people",
    "photo": "补办团员证须交 / needed for a reissue",
    "league_card": "年度注册须交 / needed for the yearly registration",
    "transfer_letter": "转入须交 / needed for a transfer in",
}


def conditional_materials(item_code, form):
    """Optional materials that this form makes mandatory."""
    if item_code == "league.club-activity":
        if form.get("off_campus") or form.get("participants", 0) >= SAFETY_PLAN_FROM:
            return ["safety_plan"]
    elif item_code == "league.member-card":
        return ["photo"] if form.get("purpose") == "reissue" else ["league_card"]
    elif item_code == "league.membership-transfer" and form.get("direction") == IN:
        return ["transfer_letter"]
    return []


def submission_notice(item, form, materials):
    """Every material problem of a submission at once: the item's own mandatory materials plus
    the ones the form makes necessary ({field: message}; empty when complete)."""
    notice = materials_notice(item, materials)
    names = {m.code: m for m in item.materials}
    for code in conditional_materials(item.code, form):
        if code not in (materials or []):
            m = names[code]
            notice[f"materials.{code}"] = (f"请补交：{m.name_zh}（{CONDITIONS_ZH[code]}）/ "
                                           f"Please add: {m.name_en}")
    return notice


def check_submission_materials(item, form, materials):
    notice = submission_notice(item, form, materials)
    if notice:
        raise DomainError("materials_missing", "材料不齐，请按提示一次性补齐后再提交",
                          "Materials are incomplete; add everything listed, then submit again",
                          notice, 422)


FORMS = {
    "league.league-work-consultation": ConsultationForm,
    "league.practice-volunteer-consultation": ConsultationForm,
    "league.club-activity": ClubActivityForm,
    "league.competition": CompetitionForm,
    "league.member-card": MemberCardForm,
    "league.membership-transfer": TransferForm,
}
