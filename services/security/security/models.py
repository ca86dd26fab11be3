"""Security's own table beside the shared case tables: vehicle passes. A pass row is written
at submission (pending, so a second application for the plate is refused at once), issued when
the case is completed and cancelled when it is rejected or withdrawn."""
import zlib
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base, is_postgres
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class VehiclePass(Base):
    __tablename__ = "vehicle_passes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), unique=True)
    plate: Mapped[str] = mapped_column(String(16), index=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_relation: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)   # pending | issued | cancelled
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def lock(session, name):
    """Serialize a check-then-insert (one pass per plate) until the transaction ends. On
    PostgreSQL a transaction-scoped advisory lock; SQLite already runs one writer at a time."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": zlib.crc32(name.encode())})
