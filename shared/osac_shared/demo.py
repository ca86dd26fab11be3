"""The demo students and staff (``SEED_DEMO=1``), in one place.

The gateway makes their accounts (password ``demo1234``); each department seeds only its own
part of a profile from this table, in its ``<package>/demo.py`` (finance the ledger, campus IT
the cards, aid the hardship recognitions, the league the memberships, student affairs the
dorm beds). So one student is the same person everywhere: 2026000003 is in special hardship
for aid, has paid her fees in finance, has a card in campus IT, ...

Profiles (academic year from 1 September):
    hardship    aid's 家庭经济困难认定 this year: special / hard / general / none
    rank        grade rank this year, top percent (what a transcript states)
    fees        finance: "arrears" (this year's tuition and accommodation unpaid), "paid",
                "credit" (paid, then last year's aid paid in: money to refund), "deferred"
                (a freshman on the green channel for fees: charged, not yet paid)
    card        campus IT: a campus card ("active"), "frozen" (reported lost), or none (None)
    league      league membership: "active", "incoming" (a freshman to transfer in), None
    enrolled    year of enrolment; ``graduating`` students finish in June of the coming summer
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    gender: str
    college: str
    major: str
    enrolled: int
    hardship: str = "none"
    rank: float = 50.0
    fees: str = "paid"
    card: str | None = "active"
    league: str | None = "active"
    room: tuple = ("A3", "301")

    @property
    def graduation_year(self):
        return self.enrolled + 4

    def graduating(self, academic_year_start):
        return self.graduation_year == academic_year_start + 1

    def freshman(self, academic_year_start):
        return self.enrolled == academic_year_start


CS, EE, ECON, LAW, ART, MED = ("计算机学院", "电子信息学院", "经济管理学院", "法学院",
                                "艺术学院", "医学院")
STUDENTS = (
    Student("2026000001", "张三", "男", CS, "计算机科学与技术", 2024, rank=8.0, fees="arrears"),
    Student("2026000002", "李四", "男", CS, "软件工程", 2024, hardship="hard", rank=25.0,
            fees="arrears"),
    Student("2026000003", "王芳", "女", ECON, "会计学", 2025, hardship="special", rank=40.0,
            room=("A3", "303")),
    Student("2026000004", "刘洋", "男", EE, "通信工程", 2023, rank=12.0, room=("B1", "201")),
    Student("2026000005", "陈晨", "女", LAW, "法学", 2026, fees="deferred", card=None,
            league="incoming", room=("B1", "202")),
    Student("2026000006", "杨帆", "男", ECON, "金融学", 2025, hardship="general", rank=15.0,
            room=("B1", "201")),
    Student("2026000007", "赵敏", "女", ART, "视觉传达设计", 2024, fees="credit",
            room=("A3", "303")),
    Student("2026000008", "黄磊", "男", CS, "人工智能", 2023, hardship="hard", rank=28.0,
            room=("B1", "201")),
    Student("2026000009", "周婷", "女", MED, "临床医学", 2025, rank=5.0, room=("A3", "304")),
    Student("2026000010", "吴昊", "男", EE, "电子科学与技术", 2026, hardship="special",
            fees="deferred", card=None, league="incoming", room=("B1", "202")),
    Student("2026000011", "徐静", "女", LAW, "知识产权", 2024, hardship="general", rank=20.0,
            room=("A3", "304")),
    Student("2026000012", "孙浩", "男", CS, "网络工程", 2023, fees="arrears",
            room=("B1", "203")),
    Student("2026000013", "胡悦", "女", ECON, "市场营销", 2025, card="frozen",
            room=("A3", "304")),
    Student("2026000014", "朱强", "男", EE, "自动化", 2024, hardship="hard", rank=9.0,
            room=("B1", "203")),
    Student("2026000015", "高雪", "女", ART, "音乐表演", 2023, rank=33.0, fees="credit",
            room=("A3", "305")),
    Student("2026000016", "林峰", "男", MED, "预防医学", 2026, card=None, league="incoming",
            room=("B1", "204")),
    Student("2026000017", "何丽", "女", CS, "数据科学与大数据技术", 2025, hardship="special",
            rank=18.0, room=("A3", "305")),
    Student("2026000018", "郭伟", "男", LAW, "社会工作", 2024, league=None,
            room=("B1", "204")),
    Student("2026000019", "马琳", "女", ECON, "国际经济与贸易", 2023, hardship="general",
            rank=45.0, room=("A3", "305")),
    Student("2026000020", "罗杰", "男", EE, "微电子科学与工程", 2025, rank=60.0,
            room=("B1", "204")),
)
BY_ID = {s.id: s for s in STUDENTS}

# departments with their own review committee (role "committee" with the department)
COMMITTEES = {"aid": ("资助评审委员会", "Aid review committee")}


def student(student_id):
    return BY_ID.get(student_id)
