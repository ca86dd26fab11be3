"""SLA tables: one deadline row per (case, timer) - timers "completion", "acceptance",
"referral" - plus the shared outbox tables."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401  (registers tables)


class Deadline(Base):
    """Columns mirror ``sla.domain.DeadlineState`` one to one."""
    __tablename__ = "deadlines"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    timer: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(32), index=True)
    window: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str] = mapped_column(String(80))
    student_id: Mapped[str] = mapped_column(String(32))
    post: Mapped[str] = mapped_column(String(1), default="B")
    kind: Mapped[str] = mapped_column(String(16), default="application")
    green_channel: Mapped[bool] = mapped_column(Boolean, default=False)
    green_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    actor_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    limit_value: Mapped[int] = mapped_column(Integer)
    limit_unit: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    marks: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    basis: Mapped[str] = mapped_column(String(8), default="limit", server_default="limit")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    warning_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paused_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    urgent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # the next moment an alarm may fire (already held to working hours); NULL: nothing to fire
    alarm_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                      index=True)
