"""Window 1 rules (plain functions): forms, group-activity dates and the security gate, the
train-card and ID-card rules, dorm beds, and consultation answers."""
from datetime import date, timedelta

from marshmallow import Schema, fields, validate

from osac_shared.errors import DomainError, conflict, validation_failed
from osac_shared.forms import IsoDate

OPEN_OR_DONE = ("submitted", "accepted", "returned", "resubmitted", "processing", "completed")


def department_unavailable(name, name_zh, name_en):
    return DomainError("department_unavailable", f"{name_zh}暂时无法连接，请稍后再试",
                       f"{name_en} cannot be reached right now; try again later",
                       {"department": f"{name_zh}不可用 / {name} is unavailable"}, 503)


# ---- consultation ------------------------------------------------------------------------
CONSCRIPTION_TOPICS = {"pre_enlistment": "预征兵", "enlistment": "在校生入伍",
                       "direct_nco": "直招士官", "other": "其他"}


class ConscriptionQuestionForm(Schema):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(CONSCRIPTION_TOPICS)),
                       metadata={"label_zh": "咨询类别", "label_en": "Topic",
                                 "choices_zh": CONSCRIPTION_TOPICS})
    question = fields.Str(required=True, validate=validate.Length(min=2, max=1000),
                          metadata={"label_zh": "问题", "label_en": "Question"})




# ---- group activity ----------------------------------------------------------------------
ACTIVITY_LEAD_DAYS = 5       # the activity starts at least this many days after the application
ACTIVITY_MAX_DAYS = 15


class GroupActivityForm(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                       metadata={"label_zh": "活动名称", "label_en": "Activity"})
    destination = fields.Str(required=True, validate=validate.Length(min=2, max=100),
                             metadata={"label_zh": "目的地", "label_en": "Destination"})
    start_date = IsoDate(required=True, metadata={"label_zh": "开始日期", "label_en": "Start"})
    end_date = IsoDate(required=True, metadata={"label_zh": "结束日期", "label_en": "End"})
    participants = fields.Int(required=True, validate=validate.Range(min=2, max=2000),
                              metadata={"label_zh": "参加人数", "label_en": "Participants"})
    leader_teacher = fields.Str(required=True, validate=validate.Length(min=2, max=32),
                                metadata={"label_zh": "带队教师", "label_en": "Leading teacher"})
    security_case_id = fields.Str(
        required=True, validate=validate.Regexp(
            r"^security-[0-9]{8}-[0-9a-f]{8}$",
            error="须为保卫处活动安全审批的事项编号，如 security-20261207-1a2b3c4d / give the "
                  "case id of Security's activity safety approval"),
        metadata={"label_zh": "保卫处安全审批事项编号", "label_en": "Security approval case id"})


def activity_date_problems(start_date, end_date, today):
    """{field: fix} for the activity's dates (ISO strings), all at once."""
    start, end = date.fromisoformat(start_date), date.fromisoformat(end_date)
    problems = {}
    earliest = today + timedelta(days=ACTIVITY_LEAD_DAYS)
    if start < earliest:
        problems["form.start_date"] = (f"活动开始日须不早于{earliest.isoformat()}（提交后"
                                       f"{ACTIVITY_LEAD_DAYS}天）/ must be on or after "
                                       f"{earliest.isoformat()}")
    if end < start:
        problems["form.end_date"] = "结束日期不能早于开始日期 / must not be before the start"
    elif (end - start).days + 1 > ACTIVITY_MAX_DAYS:
        problems["form.end_date"] = (f"活动不超过{ACTIVITY_MAX_DAYS}天 / at most "
                                     f"{ACTIVITY_MAX_DAYS} days")
    return problems


def check_security_approval(status, start_date, end_date):
    """Raise unless Security's answer (``{"approved": bool, "status": str, "activity":
    {"starts_at", "ends_at"}}``) approves this activity and, when it gives the activity's
    times, covers the activity's dates (ISO strings)."""
    state = status.get("status") or "unknown"
    field = "form.security_case_id"
    if state in ("rejected", "withdrawn"):
        raise conflict("security_not_approved",
                       f"保卫处未通过该活动的安全审批（{state}），本活动不能审批通过，请不予办理并告知原因",
                       f"Security did not approve the activity's safety ({state}); this "
                       "activity cannot be approved - reject it and say why",
                       {field: f"保卫处审批状态：{state} / Security status: {state}"})
    if not status.get("approved"):
        raise conflict("security_approval_pending",
                       f"保卫处尚未通过该活动的安全审批（当前：{state}），通过后方可审批",
                       f"Security has not approved the activity's safety yet ({state}); "
                       "approve this once it has",
                       {field: f"等待保卫处安全审批，当前状态：{state} / waiting for Security, "
                               f"now: {state}"})
    activity = status.get("activity") or {}
    if activity.get("starts_at") and activity.get("ends_at"):
        covered_from = activity["starts_at"][:10]
        covered_to = activity["ends_at"][:10]
        if not covered_from <= start_date <= end_date <= covered_to:
            raise conflict("security_dates_differ",
                           f"保卫处安全审批的活动时间（{covered_from}至{covered_to}）未覆盖本活动日期"
                           f"（{start_date}至{end_date}）",
                           f"Security's approval covers {covered_from} to {covered_to}, not the "
                           f"activity's {start_date} to {end_date}",
                           {field: "请提交覆盖本活动日期的安全审批编号 / give a safety approval "
                                   "that covers these dates"})


def security_case_unknown(security_case_id):
    return validation_failed({"form.security_case_id": f"保卫处没有这个活动安全审批：{security_case_id}"
                                                       f"，请核对编号 / Security has no activity "
                                                       f"safety approval {security_case_id}"})


# ---- train-ticket discount card ----------------------------------------------------------
SCHOOL_STATION = "株洲"
CARD_REQUESTS = {"purchase": "申购", "recharge": "充磁"}


class TrainCardForm(Schema):
    request = fields.Str(required=True, validate=validate.OneOf(tuple(CARD_REQUESTS)),
                         metadata={"label_zh": "办理类型（申购/充磁）", "label_en": "Request",
                                   "choices_zh": CARD_REQUESTS})
    home_station = fields.Str(required=True, validate=validate.Length(min=2, max=20),
                              metadata={"label_zh": "家庭所在地车站", "label_en": "Home station"})


def academic_year(day):
    """The academic year (September to August) a date falls in, e.g. "2026-2027"."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


def station(name):
    name = name.strip()
    return name[:-1] if name.endswith("站") else name


def train_card_problems(form, previous, today):
    """``previous``: [(status, form, submitted date)] of the student's earlier card cases."""
    problems = {}
    if station(form["home_station"]) == SCHOOL_STATION:
        problems["form.home_station"] = ("家庭所在地车站不能是学校所在地车站 / the home station "
                                         "cannot be the university's station")
    year = academic_year(today)
    if form["request"] == "recharge" and any(
            status in OPEN_OR_DONE and f.get("request") == "recharge"
            and academic_year(day) == year for status, f, day in previous):
        problems["form.request"] = (f"{year}学年已充磁（每学年限一次）/ already recharged for "
                                    f"{year} (once per academic year)")
    return problems


# ---- student ID card ---------------------------------------------------------------------
ID_REQUESTS = {"issue": "办理", "reissue": "补办"}
REISSUE_REASONS = {"lost": "遗失", "damaged": "损坏"}
REISSUE_FEE_CENTS = 1500


class IdCardForm(Schema):
    request = fields.Str(required=True, validate=validate.OneOf(tuple(ID_REQUESTS)),
                         metadata={"label_zh": "办理类型（办理/补办）", "label_en": "Request",
                                   "choices_zh": ID_REQUESTS})
    reissue_reason = fields.Str(load_default=None, allow_none=True,
                                validate=validate.OneOf(tuple(REISSUE_REASONS)),
                                metadata={"label_zh": "补办原因", "label_en": "Why a reissue",
                                          "choices_zh": REISSUE_REASONS})


def id_card_problems(form, previous):
    """``previous``: [(status, form)] of the student's earlier ID-card cases."""
    problems = {}
    if form["request"] == "reissue" and not form.get("reissue_reason"):
        problems["form.reissue_reason"] = "补办须选择原因（遗失/损坏）/ choose lost or damaged"
    if form["request"] == "issue" and any(status in OPEN_OR_DONE and f.get("request") == "issue"
                                          for status, f in previous):
        problems["form.request"] = ("您已办理过学生证，遗失或损坏请选择补办 / you already have "
                                    "a card; choose reissue")
    return problems


def id_card_fee_cents(form):
    return REISSUE_FEE_CENTS if form.get("request") == "reissue" else 0


# ---- dormitory beds ----------------------------------------------------------------------
class BedAdjustmentForm(Schema):
    building = fields.Str(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"label_zh": "申请调入楼栋", "label_en": "Building"})
    room = fields.Str(required=True, validate=validate.Regexp(r"^[0-9A-Za-z-]{1,10}$"),
                      metadata={"label_zh": "申请调入房间号", "label_en": "Room"})
    reason = fields.Str(required=True, validate=validate.Length(min=2, max=500),
                        metadata={"label_zh": "调整理由", "label_en": "Reason"})


def free_bed(room_beds):
    """The lowest free bed number in a room (``room_beds``: [(bed, occupant)]), or None."""
    free = sorted(bed for bed, occupant in room_beds if occupant is None)
    return free[0] if free else None


def check_bed_request(student_id, building, room, room_beds):
    """Raise unless the student may ask to move into ``building``/``room`` now."""
    if not room_beds:
        raise validation_failed({"form.room": f"没有{building}栋{room}房间，请核对楼栋和房间号 / "
                                              f"no room {room} in building {building}"})
    if any(occupant == student_id for _, occupant in room_beds):
        raise validation_failed({"form.room": "您已住在该房间 / you already live in this room"})
    if free_bed(room_beds) is None:
        raise conflict("no_free_bed", f"{building}栋{room}房间已住满，没有空床位，请选择其他房间",
                       f"Room {room} of building {building} is full; choose another room",
                       {"form.room": "该房间没有空床位 / no free bed in this room"})
