"""Window 1 rules (plain functions): the item forms and their examples, group-activity dates
and the security gate, the train-card and ID-card rules, dorm beds, and consultation answers.

Every ``*_problems`` function answers ``{"form.<field>": "中文 / English"}`` (empty when the
form is fine) so the service can name every problem in one notice; ``*_materials`` functions
answer the optional materials a form makes necessary (``{code: "why 中文 / English"}``)."""
from datetime import date, timedelta

from marshmallow import fields, validate

from osac_shared.errors import DomainError, conflict, validation_failed
from osac_shared.forms import Form, IsoDate, Text

OPEN_OR_DONE = ("submitted", "accepted", "returned", "resubmitted", "processing", "completed")
PHONE = validate.Regexp(r"^1[3-9][0-9]{9}$", error="手机号须为11位，以1开头 / an 11-digit "
                                                   "mobile number starting with 1")


def department_unavailable(name, name_zh, name_en):
    return DomainError("department_unavailable", f"{name_zh}暂时无法连接，请稍后再试",
                       f"{name_en} cannot be reached right now; try again later",
                       {"department": f"{name_zh}不可用 / {name} is unavailable"}, 503)


# ---- consultation ------------------------------------------------------------------------
CONSCRIPTION_TOPICS = {"pre_enlistment": "预征兵", "enlistment": "在校生入伍（保留学籍、学费补偿）",
                       "direct_nco": "直招士官", "other": "其他"}
CONSCRIPTION_TOPICS_EN = {"pre_enlistment": "Pre-enlistment",
                          "enlistment": "Enlisting while enrolled (keeping one's place, tuition "
                                        "compensation)",
                          "direct_nco": "Direct NCO recruitment", "other": "Other"}


class ConscriptionQuestionForm(Form):
    topic = fields.Str(required=True, validate=validate.OneOf(tuple(CONSCRIPTION_TOPICS)),
                       metadata={"label_zh": "咨询类别", "label_en": "Topic",
                                 "choices_zh": CONSCRIPTION_TOPICS,
                                 "choices_en": CONSCRIPTION_TOPICS_EN})
    question = Text(required=True, min_length=2, max_length=1000,
                    metadata={"label_zh": "问题", "label_en": "Question"})


# ---- group activity ----------------------------------------------------------------------
ACTIVITY_LEAD_DAYS = 5       # the activity starts at least this many days after the application
ACTIVITY_MAX_DAYS = 15
TRANSPORT = {"chartered_bus": "包车", "public_transport": "公共交通（火车、客车、地铁）",
             "walking": "步行", "other": "其他"}
TRANSPORT_EN = {"chartered_bus": "Chartered coach", "public_transport": "Public transport "
                "(train, coach, metro)", "walking": "On foot", "other": "Other"}
SECURITY_CASE_ID = validate.Regexp(
    r"^security-[0-9]{8}-[0-9a-f]{8}$",
    error="须为保卫处活动安全审批的事项编号，如 security-20261207-1a2b3c4d / give the case id of "
          "Security's activity safety approval")


class GroupActivityForm(Form):
    title = Text(required=True, min_length=2, max_length=100,
                 metadata={"label_zh": "活动名称", "label_en": "Activity"})
    organizer = Text(required=True, min_length=2, max_length=100,
                     metadata={"label_zh": "组织单位（学院、班级或社团）",
                               "label_en": "Organizer (college, class or club)"})
    destination = Text(required=True, min_length=2, max_length=100,
                       metadata={"label_zh": "目的地", "label_en": "Destination"})
    start_date = IsoDate(required=True, metadata={"label_zh": "开始日期", "label_en": "Start"})
    end_date = IsoDate(required=True, metadata={"label_zh": "结束日期", "label_en": "End"})
    participants = fields.Int(required=True, strict=True,
                              validate=validate.Range(min=2, max=2000),
                              metadata={"label_zh": "参加人数", "label_en": "Participants"})
    transport = fields.Str(required=True, validate=validate.OneOf(tuple(TRANSPORT)),
                           metadata={"label_zh": "交通方式", "label_en": "Transport",
                                     "choices_zh": TRANSPORT, "choices_en": TRANSPORT_EN})
    leader_teacher = Text(required=True, min_length=2, max_length=32,
                          metadata={"label_zh": "带队教师", "label_en": "Leading teacher"})
    leader_phone = fields.Str(required=True, validate=PHONE,
                              metadata={"label_zh": "带队教师手机号",
                                        "label_en": "Leading teacher's mobile"})
    security_case_id = fields.Str(
        required=True, validate=SECURITY_CASE_ID,
        metadata={"label_zh": "保卫处活动安全审批事项编号",
                  "label_en": "Security's activity safety approval (case id)",
                  "help_zh": "先在7号窗口申报“校内活动安全审批”，填写其事项编号",
                  "help_en": "Apply for the activity safety approval at window 7 first, then "
                             "give its case id"})


def group_activity_example(now):
    start = now.date() + timedelta(days=ACTIVITY_LEAD_DAYS + 2)
    return {"title": "湘江风光带徒步", "organizer": "计算机学院学生会",
            "destination": "湘潭市湘江风光带", "start_date": start.isoformat(),
            "end_date": start.isoformat(), "participants": 30, "transport": "chartered_bus",
            "leader_teacher": "刘老师", "leader_phone": "13800138000",
            "security_case_id": "security-20261207-1a2b3c4d"}


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


def activity_materials(form):
    """An activity that stays overnight needs the participants' accident insurance."""
    start, end = str(form.get("start_date") or ""), str(form.get("end_date") or "")
    if start and end and end > start:
        return {"insurance_proof": "跨夜活动必交 / needed for an activity over more than one "
                                   "day"}
    return {}


def security_gate(status, start_date, end_date):
    """None when Security's answer (``{"approved": bool, "status": str, "activity":
    {"starts_at", "ends_at"}}``) approves this activity and, when it gives the activity's
    times, covers the activity's dates (ISO strings); else the DomainError saying why."""
    state = status.get("status") or "unknown"
    field = "form.security_case_id"
    if state in ("rejected", "withdrawn"):
        return conflict("security_not_approved",
                        f"保卫处未通过该活动的安全审批（{state}），本活动不能审批通过，请不予办理并告知原因",
                        f"Security did not approve the activity's safety ({state}); this "
                        "activity cannot be approved - reject it and say why",
                        {field: f"保卫处审批状态：{state} / Security status: {state}"})
    if not status.get("approved"):
        return conflict("security_approval_pending",
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
            return conflict("security_dates_differ",
                            f"保卫处安全审批的活动时间（{covered_from}至{covered_to}）未覆盖本活动"
                            f"日期（{start_date}至{end_date}）",
                            f"Security's approval covers {covered_from} to {covered_to}, not "
                            f"the activity's {start_date} to {end_date}",
                            {field: "请提交覆盖本活动日期的安全审批编号 / give a safety approval "
                                    "that covers these dates"})
    return None


def check_security_approval(status, start_date, end_date):
    """Raise ``security_gate``'s refusal, if any."""
    problem = security_gate(status, start_date, end_date)
    if problem is not None:
        raise problem


# who acts next on Security's approval, by its status (role, department)
SECURITY_NEXT = {"submitted": ("b_post", "security"), "resubmitted": ("b_post", "security"),
                 "accepted": ("a_post", "security"), "processing": ("a_post", "security"),
                 "returned": ("student", None)}


def security_waiting(state):
    """(role, department) of whoever must move Security's approval on, or None when nobody
    there can (it is completed, rejected, withdrawn or unknown)."""
    return SECURITY_NEXT.get(state)


def security_case_unknown(security_case_id):
    return validation_failed(
        {"form.security_case_id": f"保卫处没有这个活动安全审批：{security_case_id}，请核对编号 / "
                                  f"Security has no activity safety approval {security_case_id}"},
        f"保卫处没有活动安全审批{security_case_id}，本活动不能审批通过",
        f"Security has no activity safety approval {security_case_id}; this activity cannot "
        "be approved")


# ---- train-ticket discount card ----------------------------------------------------------
SCHOOL_STATION = "株洲"
CARD_REQUESTS = {"purchase": "申购（首次办卡）", "recharge": "充磁（每学年一次）"}
CARD_REQUESTS_EN = {"purchase": "Buy the card (first time)",
                    "recharge": "Recharge (once per academic year)"}


class TrainCardForm(Form):
    request = fields.Str(required=True, validate=validate.OneOf(tuple(CARD_REQUESTS)),
                         metadata={"label_zh": "办理类型", "label_en": "Request",
                                   "choices_zh": CARD_REQUESTS, "choices_en": CARD_REQUESTS_EN})
    home_station = Text(required=True, min_length=2, max_length=20,
                        metadata={"label_zh": "家庭所在地车站（优惠区间终点）",
                                  "label_en": "Home station (the discount trip's other end)"})


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
    if form["request"] == "purchase" and any(
            status in OPEN_OR_DONE and f.get("request") == "purchase"
            for status, f, _day in previous):
        problems["form.request"] = ("您已申购过优惠卡，请选择充磁 / you already bought the card; "
                                    "choose recharge")
    return problems


def train_card_materials(form):
    if form.get("request") == "recharge":
        return {"discount_card": "充磁时必交 / needed to recharge it"}
    return {}


# ---- student ID card ---------------------------------------------------------------------
ID_REQUESTS = {"issue": "办理（首次）", "reissue": "补办（遗失或损坏）"}
ID_REQUESTS_EN = {"issue": "Issue (first card)", "reissue": "Reissue (lost or damaged)"}
REISSUE_REASONS = {"lost": "遗失", "damaged": "损坏"}
REISSUE_REASONS_EN = {"lost": "Lost", "damaged": "Damaged"}
REISSUE_FEE_CENTS = 1500


class IdCardForm(Form):
    request = fields.Str(required=True, validate=validate.OneOf(tuple(ID_REQUESTS)),
                         metadata={"label_zh": "办理类型", "label_en": "Request",
                                   "choices_zh": ID_REQUESTS, "choices_en": ID_REQUESTS_EN})
    reissue_reason = fields.Str(load_default=None, allow_none=True,
                                validate=validate.OneOf(tuple(REISSUE_REASONS)),
                                metadata={"label_zh": "补办原因（补办时必选）",
                                          "label_en": "Why a reissue (for a reissue)",
                                          "choices_zh": REISSUE_REASONS,
                                          "choices_en": REISSUE_REASONS_EN})


def id_card_problems(form, previous):
    """``previous``: [(status, form)] of the student's earlier ID-card cases."""
    problems = {}
    if form["request"] == "reissue" and not form.get("reissue_reason"):
        problems["form.reissue_reason"] = "补办须选择原因（遗失/损坏）/ choose lost or damaged"
    if form["request"] == "issue" and form.get("reissue_reason"):
        problems["form.reissue_reason"] = ("首次办理无需补办原因，请留空 / leave it empty for a "
                                           "first card")
    if form["request"] == "issue" and any(status in OPEN_OR_DONE and f.get("request") == "issue"
                                          for status, f in previous):
        problems["form.request"] = ("您已办理过学生证，遗失或损坏请选择补办 / you already have "
                                    "a card; choose reissue")
    return problems


def id_card_materials(form):
    if form.get("request") == "reissue" and form.get("reissue_reason") == "damaged":
        return {"damaged_card": "损坏补办时交回原证 / hand in the damaged card"}
    return {}


def id_card_fee_cents(form):
    return REISSUE_FEE_CENTS if form.get("request") == "reissue" else 0


# ---- dormitory beds ----------------------------------------------------------------------
BED_REASONS = {"study": "学习需要（同专业、同课题组）", "roommates": "室友关系", "health": "身体原因",
               "other": "其他"}
BED_REASONS_EN = {"study": "Study (same major or project)", "roommates": "Roommates",
                  "health": "Health", "other": "Other"}


class BedAdjustmentForm(Form):
    building = Text(required=True, max_length=32,
                    metadata={"label_zh": "申请调入楼栋", "label_en": "Building"})
    room = fields.Str(required=True, validate=validate.Regexp(
        r"^[0-9A-Za-z-]{1,10}$", error="房间号为1–10位字母、数字 / 1–10 letters or digits"),
        metadata={"label_zh": "申请调入房间号", "label_en": "Room"})
    reason_kind = fields.Str(required=True, validate=validate.OneOf(tuple(BED_REASONS)),
                             metadata={"label_zh": "调整原因类别", "label_en": "Kind of reason",
                                       "choices_zh": BED_REASONS, "choices_en": BED_REASONS_EN})
    reason = Text(required=True, min_length=2, max_length=500,
                  metadata={"label_zh": "调整理由", "label_en": "Reason"})


def bed_materials(form):
    if form.get("reason_kind") == "health":
        return {"medical_proof": "因身体原因调整时必交 / needed for a move on health grounds"}
    return {}


def free_bed(room_beds):
    """The lowest free bed number in a room (``room_beds``: [(bed, occupant)]), or None."""
    free = sorted(bed for bed, occupant in room_beds if occupant is None)
    return free[0] if free else None


def bed_request_problems(student_id, building, room, room_beds):
    """{"form.room": fix} unless the student may ask to move into ``building``/``room``."""
    if not room_beds:
        return {"form.room": f"没有{building}栋{room}房间，请核对楼栋和房间号 / no room {room} "
                             f"in building {building}"}
    if any(occupant == student_id for _, occupant in room_beds):
        return {"form.room": "您已住在该房间 / you already live in this room"}
    if free_bed(room_beds) is None:
        return {"form.room": f"{building}栋{room}房间已住满，没有空床位，请选择其他房间 / room "
                             f"{room} of building {building} is full; choose another room"}
    return {}


def check_bed_request(student_id, building, room, room_beds):
    """Raise unless the student may move into ``building``/``room`` now (at completion: the
    room may have filled up since the application)."""
    problems = bed_request_problems(student_id, building, room, room_beds)
    if not problems:
        return
    if room_beds and free_bed(room_beds) is None:
        raise conflict("no_free_bed", f"{building}栋{room}房间已住满，没有空床位",
                       f"Room {room} of building {building} is full",
                       {"form.room": "该房间没有空床位 / no free bed in this room"})
    raise validation_failed(problems)


# ---- examples (complete and valid on the demo data for the journeys' students) ------------
def examples():
    return {
        "student_affairs.group-activity": group_activity_example,
        "student_affairs.train-discount-card": {"request": "purchase",
                                                "home_station": "长沙南站"},
        "student_affairs.student-id-card": {"request": "reissue", "reissue_reason": "lost"},
        "student_affairs.bed-adjustment": {"building": "B1", "room": "203",
                                           "reason_kind": "study",
                                           "reason": "与同专业同学同住，便于一起完成课程设计"},
        "student_affairs.conscription-consultation": {
            "topic": "enlistment", "question": "大二在校生入伍，学籍能保留几年？学费可以补偿吗？"},
    }
