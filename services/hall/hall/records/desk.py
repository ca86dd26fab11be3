"""The consultation desk's question log over a session; referrals publish events (outbox)."""
from sqlalchemy import func, or_, select

from osac_shared.auth import DESK, DIRECTOR
from osac_shared.contracts import make_event
from osac_shared.errors import forbidden, not_found
from osac_shared.outbox import add_event

from ..models import Question
from ..rules import desk as rules
from ..windows import home_window
from .roster import iso

MAX_PER_PAGE = 100


def to_dict(q):
    return {"id": q.id, "student_id": q.student_id, "channel": q.channel,
            "channel_zh": rules.CHANNEL_ZH.get(q.channel, q.channel), "question": q.question,
            "department": q.department, "owner_id": q.owner_id, "owner_role": q.owner_role,
            "owner_window": q.owner_window, "status": q.status,
            "status_zh": rules.STATUS_ZH.get(q.status, q.status),
            "to_department": q.to_department, "referral_note": q.referral_note,
            "referred_at": iso(q.referred_at), "answer": q.answer,
            "answered_by": q.answered_by, "answered_at": iso(q.answered_at),
            "feedback": q.feedback, "closed_at": iso(q.closed_at),
            "created_at": iso(q.created_at)}


def get(session, question_id, lock=False):
    q = session.get(Question, question_id, with_for_update=lock)
    if q is None:
        raise not_found("咨询登记", "Question", question_id)
    return q


def record(session, actor, student_id, channel, question, department, now):
    data = rules.clean_question(actor, student_id, channel, question, department)
    staff_department = actor.get("department") if actor["role"] not in (DESK, DIRECTOR) \
        else None
    q = Question(**data, owner_id=actor["id"], owner_role=actor["role"],
                 owner_department=staff_department, owner_window=home_window(actor),
                 status=rules.OPEN, referral_note="", answer="", feedback="", created_at=now)
    session.add(q)
    session.flush()
    return q


def _referral(q, **more):
    return {"referral_id": str(q.id), "from_window": q.owner_window,
            "to_department": q.to_department, "student_id": q.student_id,
            "question": q.question, **more}


def refer(session, actor, question_id, to_department, note, now, correlation_id=None):
    q = get(session, question_id, lock=True)
    note = rules.check_refer(actor, q.status, q.owner_id, q.owner_department, to_department,
                             note)
    q.status, q.to_department, q.referral_note, q.referred_at = (
        rules.REFERRED, to_department, note, now)
    add_event(session, make_event("hall.referral_opened", "hall", _referral(q),
                                  occurred_at=now, correlation_id=correlation_id))
    return q


def answer(session, actor, question_id, text, now, correlation_id=None):
    q = get(session, question_id, lock=True)
    text = rules.check_answer(actor, q.status, q.to_department, text)
    q.status, q.answer, q.answered_by, q.answered_at = rules.ANSWERED, text, actor["id"], now
    add_event(session, make_event("hall.referral_answered", "hall", _referral(q, answer=text),
                                  occurred_at=now, correlation_id=correlation_id))
    return q


def follow_up(session, actor, question_id, feedback, now):
    q = get(session, question_id, lock=True)
    q.feedback = rules.check_follow_up(actor, q.status, q.owner_id, feedback)
    q.status, q.closed_at = rules.CLOSED, now
    return q


def read(session, actor, question_id):
    q = get(session, question_id)
    if not rules.can_see(actor, q.owner_id, q.department, q.to_department):
        raise forbidden("您无权查看该咨询登记", "You may not see this question")
    return q


def list_questions(session, actor, status=None, page=1, per_page=50):
    rules.check_list(actor, status)
    query = select(Question)
    if status:
        query = query.where(Question.status == status)
    if actor["role"] not in (DESK, DIRECTOR):
        dept = actor.get("department")
        query = query.where(or_(Question.owner_id == actor["id"], Question.department == dept,
                                Question.to_department == dept))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    per_page = max(1, min(int(per_page or 50), MAX_PER_PAGE))
    page = max(1, int(page or 1))
    rows = session.scalars(query.order_by(Question.created_at.desc(), Question.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return {"questions": [to_dict(q) for q in rows], "total": total, "page": page,
            "per_page": per_page}
