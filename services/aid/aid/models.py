"""Aid tables: the shared case tables plus the awards paid out (one row per completed case)."""
from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class Award(Base):
    __tablename__ = "awards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64), unique=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    programme: Mapped[str] = mapped_column(String(32))
    academic_year: Mapped[str] = mapped_column(String(9), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    awarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
