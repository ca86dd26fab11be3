"""即将超时 / Due soon on a screen: real Chromium against the real platform. A repair case's
acceptance warning is made to fire by moving the platform clock past the warning moment the
SLA service itself computed; then the B post finds it in their list, in Chinese and English,
with the keyboard alone, at phone width. Students and the desk are refused."""
import os
from datetime import datetime, timedelta

import pytest

from osac_shared.clock import TZ
from osac_shared.registry import DEPARTMENT_ZH
from osac_shared.testing import ACTORS, login_session, staff

from .conftest import NOW
from .test_ui_browser import focus_until, no_horizontal_scroll, wait_for

pytestmark = pytest.mark.browser

REPAIR = "logistics.dorm-repair"
REPAIR_FORM = {"building": "B7", "room": "415", "facility": "electricity",
               "description": "寝室插座没电"}


def local(iso):
    """An SLA time as the page writes it (Asia/Shanghai)."""
    return datetime.fromisoformat(iso).astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def test_nothing_due_soon_is_said_plainly(open_as):
    page = open_as("aid_b", "/ui/due-soon")        # no aid case in this platform at all
    assert page.title().startswith("即将超时的事项")
    assert page.locator(".due-row").count() == 0
    assert "目前没有即将超时的事项" in page.inner_text("main .empty")
    assert f"范围：{DEPARTMENT_ZH['aid']}" in page.inner_text("main")
    assert no_horizontal_scroll(page)


def test_a_b_post_sees_the_case_about_to_be_late(open_as, url, hall, screenshots):
    with hall.rpc(ACTORS["student"]) as rpc:
        case = rpc.logistics.submit_case(REPAIR, [], REPAIR_FORM, "ui-due-soon")
    case_id = case["id"]
    with hall.rpc(staff("logistics")) as rpc:
        acceptance = wait_for(lambda: rpc.sla.get_deadline(case_id, "acceptance"), bool)
    assert acceptance and acceptance["status"] == "open" and not acceptance["warned_at"]
    warn_at = datetime.fromisoformat(acceptance["warning_at"])
    due_at = datetime.fromisoformat(acceptance["due_at"])
    assert NOW < warn_at < due_at
    now = warn_at + timedelta(minutes=1)
    hall.set_time(now)                                       # the next SLA tick warns
    h, m = divmod(int((due_at - now).total_seconds()) // 60, 60)      # plain time left
    try:
        # the queue links to the list, with the count the SLA gives this department
        page = open_as("logistics_b", "/ui/window")

        def at_risk_total():
            with hall.rpc(staff("logistics")) as rpc:
                return rpc.sla.at_risk(1, 1)["total"]
        total = wait_for(at_risk_total, lambda n: n >= 1, timeout=30)
        page.reload()
        assert page.inner_text("#due-soon-count") == f"{total} 件"
        assert no_horizontal_scroll(page)
        page.screenshot(path=os.path.join(screenshots, "window-due-soon-375.png"))

        # by keyboard alone: skip link, the due-soon link in the page, Enter
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        focus_until(page, "el.closest('main') && el.href && el.href.endsWith('/ui/due-soon')")
        page.keyboard.press("Enter")
        page.wait_for_url("**/ui/due-soon")
        assert page.title().startswith("即将超时的事项")
        row = page.locator(f".due-row:has(a[href='/ui/cases/{case_id}'])")
        assert row.count() == 1                          # the acceptance timer only
        text = row.inner_text()
        for shown in (case_id, case["item_name_zh"], "张三 2026000001", "11 · 维修服务",
                      "受理", local(acceptance["due_at"]), f"还剩 {h} 小时 {m} 分"):
            assert shown in text, (shown, text)
        assert "范围：后勤处" in page.inner_text("main")
        # soonest first, and only this department's (the SLA scopes B posts)
        assert page.locator(".due-row a[href^='/ui/cases/']:not([href^='/ui/cases/logistics-'])"
                            ).count() == 0
        dues = [t.get_attribute("datetime") for t in page.locator(".due-row time").all()]
        assert dues == sorted(dues, key=datetime.fromisoformat)
        assert no_horizontal_scroll(page)
        page.screenshot(path=os.path.join(screenshots, "due-soon-375.png"), full_page=True)

        # English, by keyboard: the language switch is the third stop of the page
        focus_until(page, "el.classList.contains('lang')")
        page.keyboard.press("Enter")
        page.wait_for_url("**/ui/due-soon?lang=en")
        assert page.title().startswith("Due soon")
        text = page.locator(f".due-row:has(a[href='/ui/cases/{case_id}'])").inner_text()
        for shown in ("Acceptance", "11 · Repairs", f"{h} h {m} min left", "张三 2026000001",
                      local(acceptance["due_at"])):
            assert shown in text, (shown, text)
        assert "Scope: Logistics" in page.inner_text("main")
        assert no_horizontal_scroll(page)
        page.screenshot(path=os.path.join(screenshots, "due-soon-375-en.png"), full_page=True)

        # the case number is a link to the case page, reached with Tab and Enter
        focus_until(page, f"el.getAttribute('href') === '/ui/cases/{case_id}'")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/ui/cases/{case_id}")
        assert case_id in page.inner_text("main")

        # the director sees every department's, linked from the dashboard with the count
        director = login_session(url, "director")
        board = director.get(f"{url}/ui/director?month=2026-03", timeout=30)
        assert board.status_code == 200 and 'href="/ui/due-soon"' in board.text
        assert 'id="due-soon-count"' in board.text
        listing = director.get(f"{url}/ui/due-soon", timeout=30)
        assert listing.status_code == 200
        assert f'href="/ui/cases/{case_id}"' in listing.text
        assert "范围：全部部门" in listing.text and "后勤处" in listing.text
    finally:
        hall.set_time(NOW)


@pytest.mark.parametrize("username", ["2026000001", "desk"])
def test_students_and_the_desk_are_refused(open_as, url, username):
    page = open_as(username, "/ui/")
    assert "即将超时" not in page.inner_text("header nav")          # not offered either
    answer = page.goto(f"{url}/ui/due-soon")
    assert answer.status == 403
    assert "没有权限" in page.inner_text("#problems")
    assert page.locator(".due-row").count() == 0
