"""The hall on a screen: real Chromium against the real platform (departments, SLA, hall,
gateway on RabbitMQ and PostgreSQL). What a student, a B post, an A post and the director see
and do, at phone width, in Chinese first."""
import os
import time

import pytest
import requests

from osac_shared.testing import ACTORS, staff

pytestmark = pytest.mark.browser

EXCHANGE = "academic.exchange"        # mandatory: application form and transcript
# a domestic exchange in an academic year after the suite's clock (2026-03-02)
EXCHANGE_FORM = {"programme": "domestic_exchange", "partner_university": "厦门大学",
                 "academic_year": "2026-2027", "term": "autumn", "gpa": 3.2,
                 "language_test": "none", "study_plan": "到厦门大学访学一学期，修读海洋经济方向课程。"}
REPAIR = "logistics.dorm-repair"


def wait_for(fetch, ok, timeout=15, interval=0.4):
    deadline = time.time() + timeout
    while True:
        value = fetch()
        if ok(value) or time.time() > deadline:
            return value
        time.sleep(interval)


def new_exchange_case(hall, key):
    with hall.rpc(ACTORS["student"]) as rpc:
        return rpc.academic.submit_case(EXCHANGE, ["application_form", "transcript"],
                                        EXCHANGE_FORM, key)["id"]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


# (a) ----------------------------------------------------------------------------------------
def test_missing_materials_are_told_once_in_one_checklist(open_as, url):
    page = open_as("2026000001", f"/ui/apply/{EXCHANGE}")
    page.select_option("#f-programme", "domestic_exchange")
    page.fill("#f-partner_university", "厦门大学")
    page.fill("#f-academic_year", "2026-2027")
    page.select_option("#f-term", "autumn")
    page.fill("#f-gpa", "3.2")
    page.select_option("#f-language_test", "none")
    page.fill("#f-study_plan", "到厦门大学访学一学期，修读海洋经济方向课程。")
    page.check("#m-language_certificate")                       # the optional one only
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("main form button[type=submit]")
    assert answer.value.status == 422
    problems = page.locator("#problems")
    assert problems.get_attribute("role") == "alert"
    items = problems.locator("li")
    assert items.count() == 2                         # both mandatory materials, at once
    text = problems.inner_text()
    assert "交流生申请表" in text and "成绩单" in text
    assert page.evaluate("document.activeElement.id") == "problems"   # read out first
    # the student's input is kept; the missing ones are marked on the form itself
    assert page.input_value("#f-partner_university") == "厦门大学"
    assert page.is_checked("#m-language_certificate")
    assert page.get_attribute("#m-transcript", "aria-invalid") == "true"
    page.check("#m-application_form")
    page.check("#m-transcript")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/ui/cases/academic-*")
    assert "已提交" in page.inner_text(".flash")
    assert "已提交" in page.inner_text("main .badge")


# (b) ----------------------------------------------------------------------------------------
def test_return_resubmit_approve_complete_rate(open_as, url, hall):
    case_id = new_exchange_case(hall, "ui-flow-b")
    case_path = f"/ui/cases/{case_id}"

    clerk = open_as("academic_b", "/ui/window")
    assert case_id in clerk.inner_text("main")
    clerk.goto(url + case_path)
    clerk.fill("#correct-transcript", "成绩单未盖教务处公章")
    clerk.fill("#deadline", "2026-03-09")
    clerk.fill("#return-reason", "请补盖公章后重新提交")
    clerk.click("form:has(input[name=action][value=return]) button[type=submit]")
    assert "退回补正" in clerk.inner_text(".flash")

    student = open_as("2026000001", case_path)
    notice = student.locator(".notice-box").inner_text()
    assert "成绩单：成绩单未盖教务处公章" in notice and "2026-03-09" in notice
    student.check("#r-transcript")
    student.click("form:has(#r-transcript) button[type=submit]")
    assert "已重新提交" in student.inner_text(".flash")

    # a second return for something the first notice never named is refused, clearly
    clerk.goto(url + case_path)
    clerk.check("#miss-application_form")
    clerk.fill("#return-reason", "申请表未签名")
    with clerk.expect_response(lambda r: r.request.method == "POST") as answer:
        clerk.click("form:has(input[name=action][value=return]) button[type=submit]")
    assert answer.value.status == 409
    refused = clerk.locator("#problems").inner_text()
    assert "违反一次性告知" in refused and "交流生申请表" in refused
    assert clerk.is_checked("#miss-application_form")          # the clerk's input is kept

    clerk.goto(url + "/ui/window")
    clerk.click(f"form[action='/ui/cases/{case_id}/act']:has(input[value=accept]) button")
    assert "受理" in clerk.inner_text(".flash")

    teacher = open_as("academic_a", "/ui/approvals")
    for action, done in (("approve", "审批通过"), ("complete", "办结")):
        teacher.click(f"form[action='/ui/cases/{case_id}/act']:has(input[value={action}]) "
                      f"button")
        assert done in teacher.inner_text(".flash")

    student.goto(url + case_path)
    assert "已办结" in student.inner_text("main .badge")
    timeline = student.locator(".timeline").inner_text()
    for step in ("提交申请", "退回补正", "补正重交", "受理", "审批通过", "办结"):
        assert step in timeline
    student.check("#sat0")
    student.fill("#comment", "等得有点久")
    student.click("form:has(#sat0) button[type=submit]")
    assert "感谢您的评价" in student.inner_text(".flash")
    student.goto(url + "/ui/notifications")
    assert "已办结，欢迎评价" in student.inner_text("main")


# (c) ----------------------------------------------------------------------------------------
def test_director_dashboard_charts_have_data(open_as, url, hall):
    case_id = new_exchange_case(hall, "ui-flow-c")
    with hall.rpc(staff("academic")) as rpc:
        rpc.academic.act(case_id, "accept")
    with hall.rpc(staff("academic", "a_post")) as rpc:
        rpc.academic.act(case_id, "approve")
        rpc.academic.act(case_id, "complete")
    with hall.rpc(ACTORS["student"]) as rpc:
        rpc.hall.rate_case(case_id, True, "很好")

    page = open_as("director", "/ui/director?month=2026-03")

    def on_time_bars():
        page.reload()
        return page.locator("#chart-on-time rect.bar").count()
    assert wait_for(on_time_bars, lambda n: n >= 1) >= 1
    assert page.locator("svg.chart").count() == 4
    assert float(page.get_attribute("#chart-on-time rect.bar", "data-value")) == 1.0
    assert page.locator("#chart-satisfaction rect.bar").count() >= 1
    assert page.locator("#chart-per-hour rect.bar").count() >= 1      # 10:00 submissions
    assert "5号窗口" in page.text_content("#chart-on-time svg")
    assert "目标 96%" in page.text_content("#chart-satisfaction svg")
    assert "5 · 教学服务" in page.inner_text("table")                   # the SLA report table
    assert no_horizontal_scroll(page)


# (d) ----------------------------------------------------------------------------------------
def test_phone_screenshots_and_degradation(open_as, url, hall, screenshots):
    guide = open_as(None, "/ui/guide")
    assert guide.title().startswith("办事指南")
    assert guide.locator("article.item").count() >= 3
    # departments not started in this suite are named, the rest of the page still works
    assert "以下部门暂时无法访问" in guide.inner_text("main") and "学生资助" in \
        guide.inner_text("main")
    assert "如现在提交，预计" in guide.inner_text("main")
    assert no_horizontal_scroll(guide)
    guide.screenshot(path=os.path.join(screenshots, "guide-375.png"), full_page=True)

    new_exchange_case(hall, "ui-flow-d")
    mine = open_as("2026000001", "/ui/my")
    assert mine.locator("article.case").count() >= 1
    wait_for(lambda: (mine.reload(), mine.inner_text("main"))[1],
             lambda text: "期限计算中" not in text)
    assert "剩余时间" in mine.inner_text("main")
    assert no_horizontal_scroll(mine)
    mine.screenshot(path=os.path.join(screenshots, "my-affairs-375.png"), full_page=True)

    # English on request, remembered by a cookie
    mine.goto(url + "/ui/my?lang=en")
    assert mine.title().startswith("My affairs")
    mine.goto(url + "/ui/guide")
    assert mine.title().startswith("Service guide")
    mine.goto(url + "/ui/guide?lang=zh")
    assert mine.title().startswith("办事指南")


def test_a_post_without_a_csrf_token_gets_a_chinese_400(url):
    r = requests.post(f"{url}/ui/login", data={"username": "x", "password": "y"}, timeout=10)
    assert r.status_code == 400
    assert "页面已过期" in r.text


# (e) ----------------------------------------------------------------------------------------
def focus_until(page, predicate_js, limit=40):
    """Press Tab until the focused element satisfies ``predicate_js`` (a JS expression over
    ``el``); returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => !!({predicate_js}))(document.activeElement)"):
            return presses
    raise AssertionError(f"never reached {predicate_js} with the keyboard")


def test_keyboard_alone_search_and_apply(open_as, url):
    page = open_as("2026000001", "/ui/guide")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")                                   # skip to main content
    focus_until(page, "el.id === 'q'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"                                       # focus is visible
    page.keyboard.type("报修")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/guide?q=*")
    assert page.locator("article.item").count() >= 1
    focus_until(page, f"el.href && el.href.endsWith('/ui/apply/{REPAIR}')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/ui/apply/{REPAIR}")

    focus_until(page, "el.id === 'f-building'")
    page.keyboard.type("A3")
    page.keyboard.press("Tab")
    page.keyboard.type("302")
    page.keyboard.press("Tab")                                     # the facility select
    assert page.evaluate("document.activeElement.id") == "f-facility"
    page.keyboard.press("ArrowDown")
    assert page.input_value("#f-facility") != ""
    page.keyboard.press("Tab")
    page.keyboard.type("水龙头漏水")
    focus_until(page, "el.type === 'submit' && el.closest('main')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/ui/cases/logistics-*")
    assert "已提交" in page.inner_text(".flash")


# stops the hall and SLA services of this suite's platform, and starts them again after ----------
def test_services_down_show_as_unavailable_parts_never_error_pages(url, hall):
    case_id = new_exchange_case(hall, "ui-down")
    with hall.rpc(staff("academic")) as rpc:
        rpc.academic.act(case_id, "accept")                   # into the A post's queue too
    hall.processes["hall"].stop()
    hall.processes["sla"].stop()
    pages = {"2026000001": ["/ui/my", f"/ui/cases/{case_id}", "/ui/notifications",
                            "/ui/guide"],
             "academic_b": ["/ui/window", f"/ui/cases/{case_id}", "/ui/due-soon"],
             "academic_a": ["/ui/approvals", "/ui/due-soon"],
             "desk": ["/ui/desk"],
             "director": ["/ui/director", "/ui/due-soon"]}
    try:
        for username, paths in pages.items():
            s = requests.Session()
            r = s.post(f"{url}/api/login", json={"username": username, "password": "demo1234"},
                       timeout=15)
            assert r.status_code == 200, r.text
            for path in paths:
                r = s.get(url + path, timeout=30)
                assert r.status_code == 200, (username, path, r.status_code)
                assert "暂时无法访问" in r.text, (username, path)
    finally:                                   # the package's later files need them back
        hall.start_service("sla")
        hall.start_service("hall")
