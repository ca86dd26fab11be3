"""Student Affairs keeps the shared case tables plus its own table of dormitory beds."""
from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from osac_shared.db import Base
from osac_shared.cases import Case, CaseHistory          # noqa: F401  (registers the tables)
from osac_shared.outbox import OutboxMessage, ProcessedEvent  # noqa: F401


class Bed(Base):
    """One bed of one dorm room; ``occupant`` is a student id (a student holds at most one)."""
    __tablename__ = "beds"
    __table_args__ = (UniqueConstraint("building", "room", "bed", name="uq_beds_place"),
                      UniqueConstraint("occupant", name="uq_beds_occupant"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    building: Mapped[str] = mapped_column(String(32), index=True)
    room: Mapped[str] = mapped_column(String(16))
    bed: Mapped[int] = mapped_column(Integer)
    occupant: Mapped[str | None] = mapped_column(String(32), nullable=True)

    def place(self):
        return {"building": self.building, "room": self.room, "bed": self.bed}
