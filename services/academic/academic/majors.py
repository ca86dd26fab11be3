"""Major transfer data (转专业): the majors, and the rule of the rounds: two rounds in every
academic year (from 1 September), each at the same place in the year, and the number of
students each target major takes in a round. Academic Affairs edits this file when the
school's transfer notice changes the dates or the places.

    rounds_near(now)   -> the concrete rounds of the academic years before, of and after ``now``
"""
from dataclasses import dataclass
from datetime import datetime

from osac_shared.clock import TZ

MAJORS = {
    "computer_science": ("计算机科学与技术", "Computer Science and Technology"),
    "software_engineering": ("软件工程", "Software Engineering"),
    "artificial_intelligence": ("人工智能", "Artificial Intelligence"),
    "network_engineering": ("网络工程", "Network Engineering"),
    "data_science": ("数据科学与大数据技术", "Data Science and Big Data Technology"),
    "communication_engineering": ("通信工程", "Communication Engineering"),
    "electronic_science": ("电子科学与技术", "Electronic Science and Technology"),
    "automation": ("自动化", "Automation"),
    "microelectronics": ("微电子科学与工程", "Microelectronic Science and Engineering"),
    "mechanical_engineering": ("机械设计制造及其自动化", "Mechanical Engineering"),
    "accounting": ("会计学", "Accounting"),
    "finance": ("金融学", "Finance"),
    "marketing": ("市场营销", "Marketing"),
    "international_trade": ("国际经济与贸易", "International Economics and Trade"),
    "law": ("法学", "Law"),
    "intellectual_property": ("知识产权", "Intellectual Property"),
    "social_work": ("社会工作", "Social Work"),
    "english": ("英语", "English"),
    "visual_communication": ("视觉传达设计", "Visual Communication Design"),
    "industrial_design": ("工业设计", "Industrial Design"),
    "music_performance": ("音乐表演", "Music Performance"),
    "clinical_medicine": ("临床医学", "Clinical Medicine"),
    "preventive_medicine": ("预防医学", "Preventive Medicine"),
}
MAJOR_BY_NAME = {zh: code for code, (zh, _en) in MAJORS.items()}


@dataclass(frozen=True)
class TransferRound:
    code: str
    opens: datetime
    closes: datetime
    quotas: dict          # {target major: places}; a major not listed takes nobody this round


@dataclass(frozen=True)
class YearlyRound:
    """One round of every academic year: ``opens`` / ``closes`` as (month, day, hour, minute);
    months before September fall in the academic year's second calendar year."""
    term: int             # 1: the autumn semester, 2: the spring semester
    opens: tuple
    closes: tuple
    quotas: dict

    def of(self, academic_year):
        def moment(month, day, hour, minute):
            year = academic_year if month >= 9 else academic_year + 1
            return datetime(year, month, day, hour, minute, tzinfo=TZ)
        return TransferRound(f"{academic_year}-{academic_year + 1}-{self.term}",
                             moment(*self.opens), moment(*self.closes), self.quotas)


_QUOTAS = {"computer_science": 10, "software_engineering": 8, "artificial_intelligence": 6,
           "data_science": 6, "mechanical_engineering": 6, "accounting": 5, "finance": 4,
           "law": 4, "english": 4, "industrial_design": 2}
_AUTUMN_QUOTAS = {"computer_science": 4, "software_engineering": 3, "accounting": 2,
                  "english": 2, "industrial_design": 1}

# the autumn round in weeks 12-16 of the first semester (for students whose first year showed
# the wrong choice), the main round at the end of the spring semester
ROUNDS = (
    YearlyRound(1, (11, 16, 8, 30), (12, 18, 17, 30), _AUTUMN_QUOTAS),
    YearlyRound(2, (5, 11, 8, 30), (6, 12, 17, 30), _QUOTAS),
)


def academic_year_of(now):
    """The academic year (its first calendar year) that ``now`` falls in."""
    local = now.astimezone(TZ)
    return local.year if local.month >= 9 else local.year - 1


def rounds_near(now, rules=ROUNDS):
    """The rounds of the previous, this and the next academic year, in time order."""
    year = academic_year_of(now)
    return sorted((rule.of(y) for y in (year - 1, year, year + 1) for rule in rules),
                  key=lambda r: r.opens)
