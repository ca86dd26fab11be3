"""The hall's thirteen windows (plan, 服务窗口与服务内容) and who sits at them.

The hall keeps its own window -> department table (it owns no catalogue items), and the demo
roster: each department's A post (teacher) ``<dept>_a`` and B post (student assistant)
``<dept>_b`` at its windows, matching the gateway's demo accounts.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    number: int
    name_zh: str
    name_en: str
    department: str


WINDOWS = {w.number: w for w in (
    Window(1, "学生日常事务", "Student daily affairs", "student_affairs"),
    Window(2, "学生资助", "Student financial aid", "aid"),
    Window(3, "学生保险", "Student insurance", "insurance"),
    Window(4, "招生就业", "Admissions and employment", "career"),
    Window(5, "教学服务", "Teaching services", "academic"),
    Window(6, "学籍事务", "Student status affairs", "academic"),
    Window(7, "户籍与安保", "Household registration and security", "security"),
    Window(8, "党团事务", "Party and Youth League affairs", "league"),
    Window(9, "网络服务", "Network services", "campus_it"),
    Window(10, "校园一卡通", "Campus card", "campus_it"),
    Window(11, "维修服务", "Repair services", "logistics"),
    Window(12, "财务服务", "Finance services", "finance"),
    Window(13, "投诉与建议", "Complaints and suggestions", "sunshine"),
)}

A_POST, B_POST = "A", "B"
POST_OF_ROLE = {"a_post": A_POST, "b_post": B_POST}
ROLE_OF_POST = {A_POST: "a_post", B_POST: "b_post"}


def windows_of(department):
    """The window numbers of a department, in order (academic: 5 and 6)."""
    return [n for n, w in sorted(WINDOWS.items()) if w.department == department]


def home_window(actor):
    """The window a staff actor works at (the context's ``window``, else their department's
    first window); None for the consultation desk, the director and students."""
    if actor.get("role") not in POST_OF_ROLE:
        return None
    if actor.get("window") in WINDOWS:
        return int(actor["window"])
    numbers = windows_of(actor.get("department"))
    return numbers[0] if numbers else None


def window_to_dict(w):
    return {"window": w.number, "name_zh": w.name_zh, "name_en": w.name_en,
            "department": w.department}


def demo_roster(departments):
    """[(window, staff_id, post, name)] for every window of every department given."""
    rows = []
    for dept in departments:
        for number in windows_of(dept):
            rows.append((number, f"{dept}_a", A_POST, f"{WINDOWS[number].name_zh} A岗"))
            rows.append((number, f"{dept}_b", B_POST, f"{WINDOWS[number].name_zh} B岗"))
    return rows
