"""Sunshine tables: the shared case tables, where each complaint was routed, and the
investigation notes sunshine staff keep on it (never shown to the student)."""
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class Routing(Base):
    __tablename__ = "routings"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(32), index=True)
    routed_by: Mapped[str] = mapped_column(String(64))
    routed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InvestigationNote(Base):
    __tablename__ = "investigation_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(64))
    author_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
