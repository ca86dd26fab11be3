"""Campus IT tables: the shared case tables, campus cards and the card ledger.

Every change to a card (money in or out, freeze, unfreeze, issue) is one ledger row with the
balance after it; a row started by a caller carries the caller's idempotency key, unique per
student, so a retried call finds its first result instead of moving money twice."""
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class Card(Base):
    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_no: Mapped[str] = mapped_column(String(16), unique=True)    # changes on a reissue
    student_id: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16))                  # active | frozen
    balance_cents: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LedgerEntry(Base):
    __tablename__ = "card_ledger"
    __table_args__ = (UniqueConstraint("student_id", "idempotency_key",
                                       name="uq_card_ledger_student_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_no: Mapped[str] = mapped_column(String(16))
    student_id: Mapped[str] = mapped_column(String(32), index=True)
    # top_up | transfer_out | transfer_in | group_top_up | issue | reissue | freeze | unfreeze
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)                # signed; 0 for no money
    balance_after_cents: Mapped[int] = mapped_column(Integer)
    counterparty: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    actor_id: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
