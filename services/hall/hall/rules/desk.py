"""The consultation desk's log (首问责任制, first-question responsibility).

Whoever first receives a student's matter (the desk or any window's staff) owns it. An
out-of-scope matter is recorded and referred to the responsible department, whose staff answer
it; the owner then records that the student got feedback, which closes it.

    open --refer--> referred --answer--> answered --follow_up--> closed
    open --follow_up--> closed            (the owner answered it directly)
"""
import re

from osac_shared.auth import A_POST, B_POST, DESK, DIRECTOR, STAFF
from osac_shared.errors import DomainError, forbidden, validation_failed
from osac_shared.registry import DEPARTMENTS

CHANNELS = ("on_site", "phone", "email", "wechat")
CHANNEL_ZH = {"on_site": "现场", "phone": "电话", "email": "邮件", "wechat": "微信"}
OPEN, REFERRED, ANSWERED, CLOSED = "open", "referred", "answered", "closed"
STATUSES = (OPEN, REFERRED, ANSWERED, CLOSED)
STATUS_ZH = {OPEN: "已登记", REFERRED: "已转办", ANSWERED: "已答复", CLOSED: "已反馈学生"}
RECORDERS = (DESK, DIRECTOR, B_POST, A_POST)
STUDENT_ID = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
MAX_TEXT = 2000


def _text(value, field, zh, en, errors, required=True):
    text = str(value or "").strip()
    if required and not text:
        errors[field] = f"请填写{zh} / give the {en}"
    elif len(text) > MAX_TEXT:
        errors[field] = f"{zh}最多{MAX_TEXT}字 / at most {MAX_TEXT} characters"
    return text


def check_department(value, field, errors, required=True):
    if not value and not required:
        return None
    if value not in DEPARTMENTS:
        errors[field] = (f"只能取以下部门之一：{', '.join(DEPARTMENTS)} / use one of: "
                         f"{', '.join(DEPARTMENTS)}")
    return value


def clean_question(actor, student_id, channel, question, department):
    """Validate a new log entry; every wrong field is named at once."""
    if actor.get("role") not in RECORDERS:
        raise forbidden("只有咨询台、窗口工作人员或大厅主任可以登记咨询",
                        "Only the desk, window staff or the director record questions")
    errors = {}
    if not STUDENT_ID.match(str(student_id or "")):
        errors["student_id"] = "请填写学生学号（字母数字，最多32位）/ give the student's id"
    if channel not in CHANNELS:
        errors["channel"] = (f"只能取 on_site（现场）、phone（电话）、email（邮件）、wechat（微信）"
                             f" / use one of: {', '.join(CHANNELS)}")
    text = _text(question, "question", "咨询内容", "question", errors)
    department = check_department(department, "department", errors, required=False)
    if errors:
        raise validation_failed(errors)
    return {"student_id": student_id, "channel": channel, "question": text,
            "department": department}


def _state(status, allowed, action_zh, action_en):
    if status not in allowed:
        raise DomainError("question_state", f"该咨询当前状态为“{STATUS_ZH[status]}”，不能{action_zh}",
                          f"This question is {status}; it cannot be {action_en} now",
                          {"status": status}, 409)


def _is_owner(actor, owner_id):
    return actor.get("id") == owner_id or actor.get("role") == DIRECTOR


def check_refer(actor, status, owner_id, owner_department, to_department, note):
    """The owner (or the director) refers an open question to another department."""
    if not _is_owner(actor, owner_id):
        raise forbidden("只有首问责任人（或大厅主任）可以转办", "Only the first-question owner "
                        "(or the director) can refer it")
    _state(status, (OPEN,), "转办", "referred")
    errors = {}
    check_department(to_department, "to_department", errors)
    if not errors and to_department == owner_department:
        errors["to_department"] = ("这是本部门的事项，请直接答复学生 / it is your own department's "
                                   "matter: answer the student directly")
    text = _text(note, "note", "转办说明", "note", errors, required=False)
    if errors:
        raise validation_failed(errors)
    return text


def check_answer(actor, status, to_department, answer):
    """Staff of the receiving department answer a referred question."""
    if actor.get("role") not in STAFF or actor.get("department") != to_department:
        raise forbidden("只有被转办部门的工作人员可以答复",
                        "Only staff of the department it was referred to can answer")
    _state(status, (REFERRED,), "答复", "answered")
    errors = {}
    text = _text(answer, "answer", "答复内容", "answer", errors)
    if errors:
        raise validation_failed(errors)
    return text


def check_follow_up(actor, status, owner_id, feedback):
    """The owner records that the student got the feedback (closes the question)."""
    if actor.get("id") != owner_id:
        raise forbidden("只有首问责任人可以登记反馈", "Only the first-question owner records "
                        "the feedback")
    if status == REFERRED:
        raise DomainError("referral_unanswered", "被转办部门尚未答复，请先督促答复",
                          "The department has not answered yet; chase the answer first",
                          {"status": status}, 409)
    _state(status, (OPEN, ANSWERED), "登记反馈", "followed up")
    errors = {}
    text = _text(feedback, "feedback", "反馈内容", "feedback", errors)
    if errors:
        raise validation_failed(errors)
    return text


def can_see(actor, owner_id, department, to_department):
    role = actor.get("role")
    if role in (DESK, DIRECTOR):
        return True
    if role in STAFF:
        return actor.get("id") == owner_id or actor.get("department") in (department,
                                                                           to_department)
    return False


def check_list(actor, status):
    if actor.get("role") not in RECORDERS:
        raise forbidden("只有咨询台、窗口工作人员或大厅主任可以查看咨询登记",
                        "Only the desk, window staff or the director see the question log")
    if status not in (None, "", *STATUSES):
        raise validation_failed({"status": f"只能取 {', '.join(STATUSES)} / use one of "
                                           f"{', '.join(STATUSES)}"})
