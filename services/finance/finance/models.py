"""Finance tables: the shared case tables plus the per-student ledger."""
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class LedgerEntry(Base):
    """One line of a student's account: charge / payment / refund / aid_disbursement.
    ``amount_cents`` is always positive; the kind gives the sign (see domain.SIGN)."""
    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("student_id", "idempotency_key",
                                       name="uq_ledger_student_idempotency"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(128))
    charge_id: Mapped[int | None] = mapped_column(Integer, nullable=True)   # payment of a charge
    ref: Mapped[str] = mapped_column(String(64), default="")    # case id or event id behind it
    actor_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
