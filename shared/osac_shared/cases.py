"""The case engine every department shares: the case tables and the plain functions that
submit a case and move it through its lifecycle.

Each function works inside the caller's session: the case row, its history row and its
outbox event are added together and commit together (or not at all). Department services add
their own rules through the hooks of ``osac_shared.service.CaseService``.
"""
import secrets
from datetime import datetime

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Integer, String, Text,
                        UniqueConstraint, select, func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import lifecycle, notices
from .auth import (A_POST, B_POST, STUDENT, require_actor, require_read, is_staff_of)
from .catalogue import missing_materials, unknown_materials
from .clock import TZ
from .contracts import ACTION_EVENT, make_event
from .db import Base
from .errors import DomainError, forbidden, not_found, validation_failed
from .outbox import add_event


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("student_id", "idempotency_key",
                                       name="uq_cases_student_idempotency"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(80), index=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    student_name: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    form: Mapped[dict] = mapped_column(JSON, default=dict)
    materials: Mapped[list] = mapped_column(JSON, default=list)
    notices: Mapped[list] = mapped_column(JSON, default=list)
    supplements: Mapped[list] = mapped_column(JSON, default=list)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    green_channel: Mapped[bool] = mapped_column(Boolean, default=False)
    green_reason: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    history: Mapped[list["CaseHistory"]] = relationship(
        back_populates="case", order_by="CaseHistory.id", cascade="all, delete-orphan")


class CaseHistory(Base):
    __tablename__ = "case_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    case: Mapped[Case] = relationship(back_populates="history")


class Delegation(Base):
    """An A post's delegation of an item's approval to the B posts (b_post_id "*" = all)."""
    __tablename__ = "delegations"
    item_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    b_post_id: Mapped[str] = mapped_column(String(64), primary_key=True, default="*")
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def delegated_codes(session, actor):
    """Item codes whose approval has been delegated to this B post."""
    if (actor or {}).get("role") != B_POST:
        return set()
    return set(session.scalars(select(Delegation.item_code).where(
        Delegation.b_post_id.in_(["*", actor["id"]]))).all())


def set_delegation(session, item, actor, enabled, b_post_id, now):
    """The department's A post delegates (or takes back) approval of ``item`` to B posts."""
    require_actor(actor)
    if actor["role"] != A_POST or actor.get("department") != item.department:
        raise forbidden("只有本部门A岗教师可以授权", "Only this department's A post can delegate")
    if item.post != "A":
        raise DomainError("not_delegable", "该事项本就由B岗办理，无需授权",
                          "B posts already handle this item", {"item_code": item.code}, 409)
    b_post_id = (b_post_id or "*").strip() or "*"
    row = session.get(Delegation, (item.code, b_post_id))
    if enabled and row is None:
        session.add(Delegation(item_code=item.code, b_post_id=b_post_id, granted_by=actor["id"],
                               granted_at=now))
    elif not enabled and row is not None:
        session.delete(row)


def list_delegations(session):
    return [{"item_code": d.item_code, "b_post_id": d.b_post_id, "granted_by": d.granted_by,
             "granted_at": _iso(d.granted_at)}
            for d in session.scalars(select(Delegation).order_by(Delegation.item_code)).all()]


def new_case_id(service, now):
    return f"{service}-{now:%Y%m%d}-{secrets.token_hex(4)}"


def _iso(dt):
    """ISO 8601 in Asia/Shanghai. PostgreSQL hands back UTC; SQLite hands back the naive
    local time it was given (every case time comes from the Asia/Shanghai clock)."""
    if dt is None:
        return None
    return (dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt.astimezone(TZ)).isoformat()


def case_to_dict(case, item=None):
    d = {
        "id": case.id, "item_code": case.item_code, "student_id": case.student_id,
        "student_name": case.student_name, "status": case.status,
        "status_zh": lifecycle.STATUS_ZH.get(case.status, case.status),
        "form": case.form or {}, "materials": case.materials or [],
        "notices": case.notices or [], "supplements": case.supplements or [],
        "result": case.result or {},
        "green_channel": case.green_channel, "green_reason": case.green_reason,
        "submitted_at": _iso(case.submitted_at), "updated_at": _iso(case.updated_at),
        "allowed_actions": lifecycle.allowed_actions(case.status),
        "history": [{"action": h.action, "from": h.from_status, "to": h.to_status,
                     "actor_id": h.actor_id, "actor_role": h.actor_role, "reason": h.reason,
                     "at": _iso(h.at)} for h in case.history],
    }
    if item is not None:
        d.update(item_name_zh=item.name_zh, item_name_en=item.name_en, window=item.window,
                 department=item.department, department_zh=item.department_zh,
                 post=item.post, kind=item.kind,
                 limit={"value": item.limit.value, "unit": item.limit.unit})
    return d


def case_event(case, item, action, actor, reason, now, previous_status, correlation_id=None,
               **more):
    data = {"item_code": item.code, "window": item.window, "department": item.department,
            "student_id": case.student_id, "status": case.status,
            "previous_status": previous_status, "actor_id": actor["id"],
            "actor_role": actor["role"], "reason": reason or "",
            "limit": {"value": item.limit.value, "unit": item.limit.unit}, "post": item.post,
            "kind": item.kind, "green_channel": bool(case.green_channel),
            "submitted_at": _iso(case.submitted_at), **more}
    return make_event(ACTION_EVENT[action], item.department, data, occurred_at=now,
                      case_id=case.id, correlation_id=correlation_id)


def _record(session, case, item, action, actor, reason, now, previous, correlation_id):
    case.updated_at = now
    case.history.append(CaseHistory(action=action, from_status=previous, to_status=case.status,
                                     actor_id=actor["id"], actor_role=actor["role"],
                                     reason=reason or "", at=now))
    add_event(session, case_event(case, item, action, actor, reason, now, previous,
                                  correlation_id))


def materials_notice(item, provided, needed=None):
    """The one-time notice for a submission: every missing mandatory material, and every
    optional one this application needs (``needed``: {code: why "中文 / English"}), at once."""
    fields = {}
    for code in unknown_materials(item, provided):
        fields[f"materials.{code}"] = (
            f"本事项不需要该材料，请删除 / not a material of this item; remove it")
    for m in missing_materials(item, provided):
        fields[f"materials.{m.code}"] = f"请补交：{m.name_zh} / Please add: {m.name_en}"
    given = set(provided or ())
    names = {m.code: m for m in item.materials}
    for code, why in (needed or {}).items():
        m = names.get(code)
        if m is not None and code not in given:
            zh, _, en = str(why).partition(" / ")
            fields[f"materials.{code}"] = (f"请补交：{m.name_zh}（{zh}）/ Please add: {m.name_en}"
                                           + (f" ({en})" if en else ""))
    return fields


def find_by_idempotency_key(session, student_id, key):
    if not key:
        return None
    return session.scalar(select(Case).where(Case.student_id == student_id,
                                             Case.idempotency_key == key))


def submit(session, item, actor, materials, form, now, idempotency_key=None,
           green_reason="", correlation_id=None):
    """Create a case in status ``submitted`` (plus history and event). Refuses with one notice
    listing every missing material. Repeating an idempotency key returns the first case."""
    require_actor(actor)
    if actor["role"] != STUDENT:
        raise forbidden("只有学生本人可以提交申请", "Only a student can submit an application")
    existing = find_by_idempotency_key(session, actor["id"], idempotency_key)
    if existing is not None:
        return existing
    notice = materials_notice(item, materials)
    if notice:
        names = [m.name_zh for m in missing_materials(item, materials)]
        raise DomainError(
            "materials_missing",
            "材料不齐，请一次性补齐以下材料后再提交：" + "、".join(names) if names
            else "材料有误，请按提示修改",
            "Materials are incomplete; add all of the following, then submit again: "
            + ", ".join(m.name_en for m in missing_materials(item, materials)),
            notice, 422)
    if green_reason and not item.green_channel:
        raise validation_failed({"green_reason": "该事项不适用绿色通道 / this item has no "
                                                 "green channel; leave it empty"})
    case = Case(id=new_case_id(item.department, now), item_code=item.code,
                student_id=actor["id"], student_name=actor.get("name", ""),
                status=lifecycle.SUBMITTED, form=form or {}, materials=list(materials or []),
                notices=[], supplements=[], result={}, green_channel=bool(green_reason),
                green_reason=green_reason or "", idempotency_key=idempotency_key,
                submitted_at=now, updated_at=now)
    session.add(case)
    _record(session, case, item, "submit", actor, green_reason, now, None, correlation_id)
    return case


def authorize_action(actor, case, item, action, delegated=()):
    """Who may do what: the student owns resubmit/withdraw; the department's staff do the rest;
    approve/reject of an A-post item needs the A post, or a B post the item was delegated to."""
    require_actor(actor)
    if action in ("resubmit", "withdraw"):
        if actor["role"] != STUDENT or actor["id"] != case.student_id:
            raise forbidden("只有申请人本人可以补正或撤回", "Only the applicant can do this")
        return
    if not is_staff_of(actor, item.department):
        raise forbidden("只有本窗口工作人员可以办理该事项",
                        "Only staff of this case's department can do this")
    if action in ("approve", "reject") and item.post == "A" and actor["role"] == B_POST \
            and item.code not in delegated:
        raise forbidden("该事项须由A岗教师审批（未授权B岗）",
                        "This item is approved by the A post (not delegated to B posts)")


def get_case(session, case_id):
    case = session.get(Case, case_id)
    if case is None:
        raise not_found("事项", "Case", case_id)
    return case


def read_case(session, case_id, actor):
    require_actor(actor)
    case = get_case(session, case_id)
    department = case_id.split("-", 1)[0]
    require_read(actor, case.student_id, department)
    return case


def act(session, case, item, action, actor, now, reason="", materials=None, notice=None,
        delegated=(), correlation_id=None):
    """Move ``case`` by ``action``; returns the case. Raises DomainError when not allowed, and
    ``notices.NoticeViolation`` when a return breaks one-time notification."""
    authorize_action(actor, case, item, action, delegated)
    if action in lifecycle.REASON_REQUIRED and not (reason or "").strip():
        raise validation_failed({"reason": "请填写原因，学生将看到它 / give the reason; the "
                                           "student will see it"})
    previous = case.status
    case.status = lifecycle.next_status(case.status, action)
    if action == "return":
        new = notices.build_notice(item, notice, reason)
        changed = notices.changed_since_first_notice(case.notices, case.supplements)
        bad = notices.violations(case.notices or [], changed, new)
        if bad:
            raise notices.NoticeViolation(bad)
        case.notices = list(case.notices or []) + [dict(new, kind="return", at=now.isoformat(),
                                                        reason=reason)]
    if action == "reject" and notice and notice.get("refer_to"):
        case.notices = list(case.notices or []) + [{
            "kind": "refusal", "at": now.isoformat(), "reason": reason,
            "refer_to": str(notice["refer_to"])[:100]}]
    if action == "resubmit":
        supplied = list(dict.fromkeys(materials or []))
        merged = list(dict.fromkeys(list(case.materials or []) + supplied))
        notice_fields = materials_notice(item, merged)
        if notice_fields:
            raise DomainError("materials_missing", "补正后的材料仍不齐全，请按提示一次补齐",
                              "The resubmitted materials are still incomplete",
                              notice_fields, 422)
        case.materials = merged
        case.supplements = list(case.supplements or []) + [
            {"at": now.isoformat(), "materials": supplied}]
    _record(session, case, item, action, actor, reason, now, previous, correlation_id)
    return case


def consultation_answer(reason, extra=None):
    """A consultation (政策咨询) is completed with its written answer: ``extra.answer`` or,
    failing that, the reason. An empty answer is refused - the student must get one."""
    answer = str((extra or {}).get("answer") or reason or "").strip()
    if not answer:
        fix = ("请填写答复内容（写在答复或办结原因中），学生将看到它 / write the answer (as the "
               "answer or the reason); the student will see it")
        raise validation_failed({"extra.answer": fix, "reason": fix})
    return answer[:5000]


def record_violation(session, case, item, actor, codes, now, correlation_id=None):
    """Stage the ``case.notice_violation`` event (the caller commits it on its own, after the
    refused return was rolled back)."""
    add_event(session, case_event(case, item, "notice_violation", actor,
                                  "一次性告知违规 / one-time notification breached", now,
                                  case.status, correlation_id, materials=list(codes)))


def expedite(session, case, item, actor, reason, now, correlation_id=None):
    """Green channel (绿色通道): staff mark an eligible open case urgent, with the reason."""
    if not is_staff_of(actor, item.department):
        raise forbidden("只有本窗口工作人员可以开启绿色通道",
                        "Only staff of this department can use the green channel")
    if not item.green_channel:
        raise DomainError("green_channel_not_applicable", "该事项不适用绿色通道",
                          "This item has no green channel", {"item_code": item.code}, 409)
    if case.status in lifecycle.FINAL:
        raise DomainError("case_closed", "事项已结束，无需加急", "The case is already closed",
                          {"status": case.status}, 409)
    if not (reason or "").strip():
        raise validation_failed({"reason": "请填写加急原因 / give the reason for urgency"})
    case.green_channel = True
    case.green_reason = reason
    case.updated_at = now
    case.history.append(CaseHistory(action="expedite", from_status=case.status,
                                    to_status=case.status, actor_id=actor["id"],
                                    actor_role=actor["role"], reason=reason, at=now))
    add_event(session, case_event(case, item, "expedite", actor, reason, now, case.status,
                                  correlation_id))
    return case


def list_cases(session, actor, department, student_id=None, statuses=None, page=1,
               per_page=50):
    """A student's own cases, or a department's cases for its staff (paginated)."""
    require_actor(actor)
    query = select(Case)
    if actor["role"] == STUDENT:
        query = query.where(Case.student_id == actor["id"])
    elif is_staff_of(actor, department) or actor["role"] in ("director", "system") or (
            actor["role"] == "committee" and actor.get("department") in (None, department)):
        if student_id:
            query = query.where(Case.student_id == student_id)
    else:
        raise forbidden()
    if statuses:
        query = query.where(Case.status.in_(list(statuses)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    per_page = max(1, min(int(per_page or 50), 200))
    page = max(1, int(page or 1))
    order = ((Case.updated_at.desc(),) if actor["role"] == STUDENT
             else (Case.green_channel.desc(), Case.submitted_at.asc()))
    rows = session.scalars(query.order_by(*order)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total
