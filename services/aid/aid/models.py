"""Aid tables: the shared case tables, the awards and loans paid out (one row per completed
case), the hardship recognitions (家庭经济困难认定) of each student per academic year, and the
work-study wage adjustments of the hall's student assistants."""
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
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


class HardshipRecognition(Base):
    """A student's financial hardship recognition (家庭经济困难认定) for one academic year:
    ``level`` special / hard / general. No row: not recognised that year."""
    __tablename__ = "hardship_recognitions"
    __table_args__ = (UniqueConstraint("student_id", "academic_year",
                                       name="uq_hardship_student_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    academic_year: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64), default="")
    recognised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WageAdjustment(Base):
    """A month in which a hall B-post assistant's work-study hourly rate is adjusted (from the
    hall's ``hall.wage_adjusted``): one row per assistant and month."""
    __tablename__ = "work_study_wage_adjustments"
    __table_args__ = (UniqueConstraint("assistant_id", "month",
                                       name="uq_wage_adjustments_assistant_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assistant_id: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    rate_delta_yuan: Mapped[int] = mapped_column(Integer)
    demerits: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
