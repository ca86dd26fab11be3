"""Major transfer data (转专业): the majors, and each round's application window and the number
of students each target major takes in that round. Academic Affairs edits this file each year
when the school publishes the transfer notice."""
from dataclasses import dataclass
from datetime import datetime

from osac_shared.clock import TZ

MAJORS = {
    "computer_science": ("计算机科学与技术", "Computer Science and Technology"),
    "software_engineering": ("软件工程", "Software Engineering"),
    "mechanical_engineering": ("机械设计制造及其自动化", "Mechanical Engineering"),
    "accounting": ("会计学", "Accounting"),
    "english": ("英语", "English"),
    "industrial_design": ("工业设计", "Industrial Design"),
}


@dataclass(frozen=True)
class TransferRound:
    code: str
    opens: datetime
    closes: datetime
    quotas: dict          # {target major: places}; a major not listed takes nobody this round


_QUOTAS = {"computer_science": 10, "software_engineering": 8, "mechanical_engineering": 6,
           "accounting": 5, "english": 4, "industrial_design": 2}

ROUNDS = (
    TransferRound("2026", datetime(2026, 6, 1, 8, 30, tzinfo=TZ),
                  datetime(2026, 6, 12, 17, 30, tzinfo=TZ), _QUOTAS),
    TransferRound("2027", datetime(2027, 6, 1, 8, 30, tzinfo=TZ),
                  datetime(2027, 6, 11, 17, 30, tzinfo=TZ), _QUOTAS),
)
