"""Hall tables: roster and shifts, hand-overs, the desk's question log, patrols and findings,
demerits and wage adjustments, the case read model (last staff actor), ratings and votes."""
from datetime import date, datetime, time

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, Time,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from osac_shared.db import Base
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401  (registers the tables)


class Post(Base):
    """Who holds a post at a window: the A post (teacher) or a B post (student assistant)."""
    __tablename__ = "posts"
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    post: Mapped[str] = mapped_column(String(1))                 # "A" | "B"
    department: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")


class Shift(Base):
    __tablename__ = "shifts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    window: Mapped[int] = mapped_column(Integer, index=True)
    staff_id: Mapped[str] = mapped_column(String(64), index=True)


class HandOver(Base):
    """受理事项登记: the leaving B post hands open cases to the arriving one, who confirms."""
    __tablename__ = "hand_overs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    window: Mapped[int] = mapped_column(Integer, index=True)
    from_staff: Mapped[str] = mapped_column(String(64))
    to_staff: Mapped[str] = mapped_column(String(64), index=True)
    open_case_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                          index=True)


class Question(Base):
    """The first-question log (首问责任制): owner, referral, answer, feedback to the student."""
    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_role: Mapped[str] = mapped_column(String(16))
    owner_department: Mapped[str | None] = mapped_column(String(32), nullable=True)
    owner_window: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    to_department: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    referral_note: Mapped[str] = mapped_column(Text, default="")
    referred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    feedback: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Patrol(Base):
    __tablename__ = "patrols"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    patroller_id: Mapped[str] = mapped_column(String(64))
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    findings: Mapped[list["Finding"]] = relationship(back_populates="patrol",
                                                     order_by="Finding.id",
                                                     cascade="all, delete-orphan")


class Finding(Base):
    """事事有登记，有意见，有结果: a finding always has an opinion, and later a result."""
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id"), index=True)
    window: Mapped[int] = mapped_column(Integer, index=True)
    person: Mapped[str] = mapped_column(String(64), default="")
    opinion: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    patrol: Mapped[Patrol] = relationship(back_populates="findings")


class Demerit(Base):
    """记过: one per (person, kind, source ref); events use their event id as the ref."""
    __tablename__ = "demerits"
    __table_args__ = (UniqueConstraint("person_id", "kind", "source_ref",
                                       name="uq_demerits_person_kind_ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    post: Mapped[str] = mapped_column(String(1))                  # "A" | "B"
    window: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    source_ref: Mapped[str] = mapped_column(String(128))
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WageAdjustment(Base):
    """A B post's month with 2+ demerits: the ``hall.wage_adjusted`` event went out once."""
    __tablename__ = "wage_adjustments"
    assistant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    demerits: Mapped[int] = mapped_column(Integer)
    rate_delta_yuan: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseSeen(Base):
    """The hall's read model of every department's cases, fed by ``case.*`` events: the last
    staff actor (who answers for an SLA breach and is rated) and when the case was finished."""
    __tablename__ = "cases_seen"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(32))
    window: Mapped[int] = mapped_column(Integer, index=True)
    last_staff_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_staff_role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_staff_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                         index=True)


class Rating(Base):
    """A student's satisfaction with one completed case (once per case)."""
    __tablename__ = "ratings"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    satisfied: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    window: Mapped[int] = mapped_column(Integer, index=True)
    department: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Vote(Base):
    """One Sunshine Window vote per student per month."""
    __tablename__ = "votes"
    student_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    window: Mapped[int] = mapped_column(Integer)
    voted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
