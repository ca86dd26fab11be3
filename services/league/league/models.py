"""League tables: the shared case tables, league memberships (团组织关系) and competition
entries (one team per student per competition)."""
from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class Membership(Base):
    __tablename__ = "memberships"
    student_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)        # active | transferred
    branch: Mapped[str] = mapped_column(String(64), default="")
    from_organisation: Mapped[str] = mapped_column(String(100), default="")
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    transferred_to: Mapped[str | None] = mapped_column(String(100), nullable=True)
    transferred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    case_id: Mapped[str] = mapped_column(String(64))                   # the last transfer


class CompetitionEntry(Base):
    __tablename__ = "competition_entries"
    competition: Mapped[str] = mapped_column(String(32), primary_key=True)
    student_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
