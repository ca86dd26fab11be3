"""Roster rules: posts, shifts, who is on duty, and the hand-over register (受理事项登记).

B posts (student assistants) take turns at a window in shifts; the leaving B post registers
the open cases handed to the arriving one, who confirms receiving them. The A post (teacher)
sits at the window 15:30–17:30 on working days (集中办理).
"""
import re
from datetime import date, time

from osac_shared.auth import B_POST as B_ROLE, DIRECTOR
from osac_shared.errors import DomainError, forbidden, validation_failed

from ..windows import A_POST, B_POST, WINDOWS

CASE_ID = re.compile(r"^([a-z_]+)-[0-9A-Za-z-]{1,60}$")
STAFF_ID = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
MAX_CASES = 200


def check_window(window, field="window"):
    if not isinstance(window, int) or isinstance(window, bool) or window not in WINDOWS:
        raise validation_failed({field: "窗口号须为1–13 / a window number from 1 to 13"})
    return window


def clean_post(window, staff_id, post, name):
    errors = {}
    if not isinstance(window, int) or isinstance(window, bool) or window not in WINDOWS:
        errors["window"] = "窗口号须为1–13 / a window number from 1 to 13"
    if not STAFF_ID.match(str(staff_id or "")):
        errors["staff_id"] = "工号须为1–64位字母数字 / 1–64 letters or digits"
    if post not in (A_POST, B_POST):
        errors["post"] = "岗位只能是 A 或 B / post is A or B"
    if errors:
        raise validation_failed(errors)
    return {"window": window, "staff_id": staff_id, "post": post,
            "department": WINDOWS[window].department, "name": str(name or "")[:64]}


def parse_day(value, field="date", errors=None):
    """A "YYYY-MM-DD" date; with ``errors`` the problem is noted there, else raised."""
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        message = "日期须写作 YYYY-MM-DD / a date like 2026-12-07"
        if errors is None:
            raise validation_failed({field: message})
        errors[field] = message


def _time(value, field, errors):
    try:
        return value if isinstance(value, time) else time.fromisoformat(str(value))
    except ValueError:
        errors[field] = "时间须写作 HH:MM，如 08:30 / a time like 08:30"


def clean_shift(day, start, end, window, staff_id, b_posts):
    """A shift of a B post at a window: ``b_posts`` are the window's B post ids."""
    errors = {}
    day = parse_day(day, "date", errors)
    start, end = _time(start, "start", errors), _time(end, "end", errors)
    if start and end and start >= end:
        errors["end"] = "结束时间须晚于开始时间 / end must be after start"
    if staff_id not in b_posts:
        errors["staff_id"] = ("该人员不是本窗口的B岗，请先在花名册中登记 / not a B post of this "
                              "window; add them to the roster first")
    if errors:
        raise validation_failed(errors)
    return {"day": day, "start": start, "end": end, "window": window, "staff_id": staff_id}


def overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def on_shift(shifts, now):
    """Staff ids whose shift (day, start, end) covers ``now`` (a local datetime)."""
    today, t = now.date(), now.time()
    return sorted({s["staff_id"] for s in shifts
                   if s["day"] == today and s["start"] <= t < s["end"]})


def clean_hand_over(actor, window, to_b_post, b_posts, open_case_ids, note):
    """The leaving B post of ``window`` hands open cases to another B post of it."""
    if actor.get("role") != B_ROLE or actor.get("id") not in b_posts:
        raise forbidden("只有本窗口的B岗可以登记交接", "Only a B post of this window registers "
                        "a hand-over")
    errors = {}
    if to_b_post == actor.get("id"):
        errors["to_b_post"] = "不能交接给自己 / hand over to the arriving B post, not yourself"
    elif to_b_post not in b_posts:
        errors["to_b_post"] = "接班人须为本窗口的B岗 / must be a B post of this window"
    ids = open_case_ids if isinstance(open_case_ids, list) else None
    department = WINDOWS[window].department
    if ids is None or len(ids) > MAX_CASES:
        errors["open_case_ids"] = f"须为事项编号列表（最多{MAX_CASES}个）/ a list of at most " \
                                  f"{MAX_CASES} case ids"
    else:
        bad = [c for c in ids if not isinstance(c, str) or not CASE_ID.match(c)
               or CASE_ID.match(c).group(1) != department]
        if bad:
            errors["open_case_ids"] = (f"以下编号不是本窗口部门的事项：{', '.join(map(str, bad))}"
                                       f" / not cases of {department}: {', '.join(map(str, bad))}")
    if len(str(note or "")) > 2000:
        errors["note"] = "备注最多2000字 / at most 2000 characters"
    if errors:
        raise validation_failed(errors)
    return list(dict.fromkeys(ids)), str(note or "").strip()


def check_confirm(actor, to_staff, confirmed):
    if actor.get("id") != to_staff or actor.get("role") != B_ROLE:
        raise forbidden("只有接班的B岗本人可以确认交接", "Only the arriving B post can confirm "
                        "this hand-over")
    if confirmed:
        raise DomainError("hand_over_confirmed", "该交接已确认", "This hand-over is already "
                          "confirmed", {"handover_id": "已确认 / already confirmed"}, 409)


def age_minutes(created_at, now):
    return max(0, int((now - created_at).total_seconds() // 60))


def can_see_hand_over(actor, department):
    return actor.get("role") == DIRECTOR or actor.get("department") == department
