"""League rules (plain functions and data): forms, materials a form makes necessary,
competition registration windows, club activity notice, membership transfer. Each rule reads
only the fields that loaded, so one notice names the field errors and the broken rules."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marshmallow import ValidationError, fields, validate

from osac_shared import forms
from osac_shared.clock import TZ
from osac_shared.errors import DomainError, marshmallow_fields
from osac_shared.forms import Form, IsoDate, Text

STUDENT_ID = validate.Regexp(r"^[0-9]{10}$", error="学号须为10位数字 / a student id is 10 digits")


def choices(table):
    """{value: (中文, English)} -> the field metadata naming every choice in both languages."""
    return {"choices_zh": {k: zh for k, (zh, _en) in table.items()},
            "choices_en": {k: en for k, (_zh, en) in table.items()}}


def load_partial(schema_cls, data):
    """Like ``osac_shared.forms.load``, but also hands back the fields that did load, so the
    rules can be checked on them in the same notice as the field errors."""
    if not isinstance(data, dict):
        return {}, forms.load(schema_cls, data)[1]
    try:
        return schema_cls().load(data), {}
    except ValidationError as err:
        return dict(err.valid_data or {}), {
            f"form.{k}": v for k, v in marshmallow_fields(err).items()}


# ---- consultations -------------------------------------------------------------------------
LEAGUE_WORK_TOPICS = {
    "branch": ("团支部建设", "League branch work"),
    "recruitment": ("团员发展（入团）", "Recruiting members (joining the League)"),
    "dues": ("团费收缴", "League dues"),
    "meetings": ("“三会两制一课”", "Branch meetings and league lessons"),
    "other": ("其他团建问题", "Another league question"),
}
PRACTICE_TOPICS = {
    "quality_credits": ("素质拓展（第二课堂）学分", "Quality-development (second classroom) "
                                                   "credits"),
    "social_practice": ("社会实践（如暑期“三下乡”）", "Social practice (e.g. summer rural "
                                                   "programmes)"),
    "volunteer_hours": ("志愿服务时长认定", "Recognition of volunteer hours"),
    "other": ("其他", "Other"),
}


def question_form(topics, name):
    return type(name, (Form,), {
        "topic": fields.Str(required=True, validate=validate.OneOf(tuple(topics)),
                            metadata={"label_zh": "咨询类别", "label_en": "Topic",
                                      **choices(topics)}),
        "question": Text(required=True, min_length=2, max_length=1000,
                         metadata={"label_zh": "您的问题", "label_en": "Your question"}),
    })


LeagueWorkQuestionForm = question_form(LEAGUE_WORK_TOPICS, "LeagueWorkQuestionForm")
PracticeQuestionForm = question_form(PRACTICE_TOPICS, "PracticeQuestionForm")


# ---- club activity (社团活动审批) ------------------------------------------------------------
MIN_DAYS_AHEAD = 7
SAFETY_PLAN_FROM = 101      # participants from which a safety plan is needed


class ClubActivityForm(Form):
    club = Text(required=True, max_length=64, metadata={"label_zh": "社团名称", "label_en": "Club"})
    title = Text(required=True, min_length=2, max_length=100,
                 metadata={"label_zh": "活动名称", "label_en": "Activity"})
    activity_date = IsoDate(required=True, metadata={"label_zh": "活动日期（须提前7天申报）",
                                                     "label_en": "Date (at least 7 days ahead)"})
    venue = Text(required=True, max_length=100,
                 metadata={"label_zh": "活动地点", "label_en": "Venue"})
    participants = fields.Int(required=True, validate=validate.Range(min=1, max=5000),
                              metadata={"label_zh": "参加人数", "label_en": "Participants"})
    off_campus = fields.Bool(load_default=False,
                             metadata={"label_zh": "是否校外活动", "label_en": "Off campus"})


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
    """A competition whose registration opens and closes on the same days every year
    (``opens`` / ``closes`` as (month, day); a window may run across the new year)."""
    code: str
    name_zh: str
    name_en: str
    opens: tuple
    closes: tuple
    min_team: int = 1
    max_team: int = 10

    def windows(self, now):
        """The registration windows of last year, this year and next year."""
        out = []
        for year in range(now.astimezone(TZ).year - 1, now.astimezone(TZ).year + 2):
            close_year = year if self.closes >= self.opens else year + 1
            out.append((datetime(year, *self.opens, tzinfo=TZ),
                        datetime(close_year, *self.closes, 23, 59, 59, tzinfo=TZ)))
        return out

    def window(self, now):
        """(opens, deadline) of the window open at ``now``, else of the next one."""
        return next(w for w in self.windows(now) if now <= w[1])

    def to_dict(self, now):
        opens, deadline = self.window(now)
        return {"code": self.code, "name_zh": self.name_zh, "name_en": self.name_en,
                "opens": opens.isoformat(), "deadline": deadline.isoformat(),
                "min_team": self.min_team, "max_team": self.max_team}


COMPETITIONS = {c.code: c for c in (
    Competition("challenge-cup", "“挑战杯”全国大学生课外学术科技作品竞赛",
                "Challenge Cup: extracurricular academic and technology works",
                (9, 1), (3, 31)),
    Competition("challenge-cup-business", "“挑战杯”中国大学生创业计划竞赛",
                "Challenge Cup: business plan competition", (9, 1), (12, 20), 3, 10),
    Competition("innovation", "中国国际大学生创新大赛", "China International College Students' "
                "Innovation Competition", (3, 1), (5, 31), 1, 10),
    Competition("math-modeling", "全国大学生数学建模竞赛",
                "Contemporary Undergraduate Mathematical Contest in Modeling",
                (5, 15), (9, 5), 3, 3),
)}
COMPETITION_CHOICES = {c.code: (c.name_zh, c.name_en) for c in COMPETITIONS.values()}


class CompetitionForm(Form):
    competition = fields.Str(required=True, validate=validate.OneOf(tuple(COMPETITIONS)),
                             metadata={"label_zh": "竞赛", "label_en": "Competition",
                                       **choices(COMPETITION_CHOICES)})
    team_name = Text(required=True, max_length=50,
                     metadata={"label_zh": "团队名称", "label_en": "Team name"})
    project_title = Text(required=True, min_length=2, max_length=100,
                         metadata={"label_zh": "作品/项目名称", "label_en": "Project"})
    members = fields.List(fields.Str(validate=STUDENT_ID), required=True,
                          validate=validate.Length(min=1, max=10),
                          metadata={"label_zh": "队员学号（含队长本人）",
                                    "label_en": "Members' student ids (with yourself)"})
    advisor = Text(load_default="", max_length=32,
                   metadata={"label_zh": "指导教师（如有，须附其确认书）",
                             "label_en": "Advisor (if any; attach their confirmation)"})


def registration_closed(competition, now):
    opens, _deadline = competition.window(now)
    return now < opens


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


def check_open(competition, now):
    """Refuse a registration outside the competition's window (409: no form can fix it)."""
    if not registration_closed(competition, now):
        return
    opens, deadline = competition.window(now)
    raise DomainError(
        "registration_closed",
        f"{competition.name_zh}当前不在报名时间内，下一次报名时间为"
        f"{opens:%Y-%m-%d}至{deadline:%Y-%m-%d}",
        f"Registration for this competition is closed; it next runs from {opens:%Y-%m-%d} "
        f"to {deadline:%Y-%m-%d}",
        {"form.competition": "报名已截止，请选择其他竞赛 / registration closed; choose "
                             "another competition"}, 409)


def open_competition(now, team_size):
    """The first competition open at ``now`` that takes a team of ``team_size``."""
    return next(c for c in COMPETITIONS.values() if not registration_closed(c, now)
                and c.min_team <= team_size <= c.max_team)


# ---- league card (团员证补办、注册) -----------------------------------------------------------
CARD_PURPOSES = {"reissue": ("团员证遗失补办", "Reissue of a lost card"),
                 "register": ("年度团员注册", "Yearly registration")}


class MemberCardForm(Form):
    purpose = fields.Str(required=True, validate=validate.OneOf(tuple(CARD_PURPOSES)),
                         metadata={"label_zh": "办理类型", "label_en": "What for",
                                   **choices(CARD_PURPOSES)})
    branch = Text(required=True, min_length=2, max_length=64,
                  metadata={"label_zh": "所在团支部", "label_en": "League branch"})
    note = Text(load_default="", max_length=500,
                metadata={"label_zh": "说明（如遗失经过）", "label_en": "Note (e.g. how it was "
                                                                  "lost)"})


def card_problem(current_status):
    """None when the student's membership here lets them have a card, else (code, zh, en)."""
    if current_status == ACTIVE:
        return None
    if current_status == INCOMING:
        return ("membership_not_transferred", "您的团组织关系尚未转入本校，请先办理团组织关系转入",
                "Your league membership has not been transferred here yet; transfer it in "
                "first")
    return ("no_membership", "本校没有您有效的团组织关系，不能补办或注册团员证",
            "You have no active league membership here, so no card can be issued or registered")


def check_card(current_status):
    problem = card_problem(current_status)
    if problem:
        raise DomainError(*problem, {"item_code": problem[2]}, 409)


# ---- membership transfer (团组织关系转接) -----------------------------------------------------
IN, OUT = "in", "out"
ACTIVE, TRANSFERRED, INCOMING = "active", "transferred", "incoming"
DIRECTIONS = {IN: ("转入本校（新生）", "Transfer in (freshmen)"),
              OUT: ("转出本校（毕业生）", "Transfer out (graduates)")}


class TransferForm(Form):
    direction = fields.Str(required=True, validate=validate.OneOf(tuple(DIRECTIONS)),
                           metadata={"label_zh": "转入/转出", "label_en": "Direction",
                                     **choices(DIRECTIONS)})
    organisation = Text(required=True, min_length=2, max_length=100,
                        metadata={"label_zh": "原团组织（转入）或去向团组织（转出）",
                                  "label_en": "Former (in) or new (out) organisation"})
    branch = Text(load_default="", max_length=64,
                  metadata={"label_zh": "转入的本校团支部（转入必填）",
                            "label_en": "Your branch here (for a transfer in)"})


def transfer_form_problems(form):
    if form.get("direction") == IN and "branch" in form and not form["branch"]:
        return {"form.branch": "转入须填写本校团支部 / a transfer in needs your branch here"}
    return {}


def transfer_problem(direction, current_status):
    """None when a transfer may go ahead, else (code, zh, en). ``current_status`` is the
    student's membership here (None when there is no record; "incoming" for a freshman
    whose membership is expected)."""
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
CONDITIONS = {
    "safety_plan": "校外活动或参加人数超过100人须附 / needed off campus or above 100 people",
    "photo": "补办团员证须交 / needed for a reissue",
    "league_card": "年度注册须交 / needed for the yearly registration",
    "transfer_letter": "转入须交 / needed for a transfer in",
    "advisor_confirmation": "填写了指导教师须附 / needed when you name an advisor",
}


def conditional_materials(item_code, form):
    """Optional materials that this form makes mandatory."""
    if item_code == "league.club-activity":
        if form.get("off_campus") or (form.get("participants") or 0) >= SAFETY_PLAN_FROM:
            return ["safety_plan"]
    elif item_code == "league.member-card":
        purpose = form.get("purpose")
        return ["photo"] if purpose == "reissue" else ["league_card"] \
            if purpose == "register" else []
    elif item_code == "league.membership-transfer" and form.get("direction") == IN:
        return ["transfer_letter"]
    elif item_code == "league.competition" and str(form.get("advisor") or "").strip():
        return ["advisor_confirmation"]
    return []


def needed_materials(item_code, form):
    """{code: why} for the framework's one notice."""
    return {code: CONDITIONS[code] for code in conditional_materials(item_code, form)}


FORMS = {
    "league.league-work-consultation": LeagueWorkQuestionForm,
    "league.practice-volunteer-consultation": PracticeQuestionForm,
    "league.club-activity": ClubActivityForm,
    "league.competition": CompetitionForm,
    "league.member-card": MemberCardForm,
    "league.membership-transfer": TransferForm,
}


# ---- examples (valid on the demo data for the journeys' students) ----------------------------
def competition_example(now):
    return {"competition": open_competition(now, 3).code, "team_name": "星火",
            "project_title": "校园二手书循环平台",
            "members": ["2026000001", "2026000002", "2026000003"], "advisor": "李明"}


EXAMPLES = {
    "league.league-work-consultation": {
        "topic": "recruitment", "question": "入团积极分子需要参加多长时间的团课培训才能发展为团员？"},
    "league.practice-volunteer-consultation": {
        "topic": "volunteer_hours", "question": "校外志愿服务的时长如何认定并计入素质拓展学分？"},
    "league.club-activity": lambda now: {
        "club": "摄影协会", "title": "校园摄影展",
        "activity_date": (now.astimezone(TZ).date() + timedelta(days=30)).isoformat(),
        "venue": "图书馆一楼大厅", "participants": 150, "off_campus": False},
    "league.competition": competition_example,
    "league.member-card": {"purpose": "reissue", "branch": "计算机科学与技术24级团支部",
                           "note": "搬宿舍时遗失"},
    # 2026000005 陈晨, a freshman of 法学 whose membership is to be transferred in
    "league.membership-transfer": {"direction": "in", "organisation": "长沙市第一中学团委",
                                   "branch": "法学26级团支部"},
}
