"""Academic Affairs' own tables beside the shared case tables: issued certificates (and their
revocation) and major transfer applications (which hold a place in a target major's quota)."""
import zlib
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base, is_postgres
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class Certificate(Base):
    __tablename__ = "certificates"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), unique=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    student_name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    # set once when an A post revokes it (the public verification then says so, and why)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class TransferApplication(Base):
    __tablename__ = "transfer_applications"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    round_code: Mapped[str] = mapped_column(String(16), index=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    current_major: Mapped[str] = mapped_column(String(64))
    target_major: Mapped[str] = mapped_column(String(64), index=True)


def lock(session, name):
    """Serialize a check-then-insert (a quota) until the transaction ends. On PostgreSQL a
    transaction-scoped advisory lock; SQLite already runs one writer at a time."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": zlib.crc32(name.encode())})
