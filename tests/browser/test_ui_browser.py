"""The hall on a screen: real Chromium against the real platform (departments, SLA, hall,
gateway on RabbitMQ and PostgreSQL). What a student, a B post, an A post and the director see
and do, at phone width, in Chinese first."""
import os
import time

import pytest
import requests

from osac_shared.testing import ACTORS, staff

from .page_forms import catalogue, fill

pytestmark = pytest.mark.browser

EXCHANGE = "academic.exchange"        # mandatory: application form and transcript
REPAIR = "logistics.dorm-repair"


def wait_for(fetch, ok, timeout=15, interval=0.4):
    deadline = time.time() + timeout
    while True:
        value = fetch()
        if ok(value) or time.time() > deadline:
            return value
        time.sleep(interval)


def mandatory(item):
    return [m["code"] for m in item["materials"] if m.get("mandatory", True)]


def new_exchange_case(hall, key):
    """An exchange application as the student files it: the catalogue's example form and
    every material (the example may make an optional one necessary)."""
    item = catalogue(hall.gateway_url)[EXCHANGE]
    with hall.rpc(ACTORS["student"]) as rpc:
        return rpc.academic.submit_case(EXCHANGE, [m["code"] for m in item["materials"]],
                                        item["form_schema"]["examples"][0], key)["id"]


def first_text_field(schema):
    """A required free-text field of the form (the one a student could leave blank)."""
    return next(k for k in schema["required"] if schema["properties"][k].get("type") ==
                "string" and "enum" not in schema["properties"][k] and
                "format" not in schema["properties"][k])


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


# (a) ----------------------------------------------------------------------------------------
def test_missing_materials_and_form_errors_are_told_once_in_one_checklist(open_as, url):
    item = catalogue(url)[EXCHANGE]
    schema = item["form_schema"]
    example = schema["examples"][0]
    blank = first_text_field(schema)
    title = schema["properties"][blank]["title"]
    page = open_as("2026000001", f"/ui/apply/{EXCHANGE}")
    form = page.locator("main form.card")
    fill(form, schema, example)
    page.fill(f"#f-{blank}", "   ")                               # only spaces: missing
    page.check("#m-language_certificate")                       # the optional one only
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("main form button[type=submit]")
    assert answer.value.status == 422
    problems = page.locator("#problems")
    assert problems.get_attribute("role") == "alert"
    items = problems.locator("li")
    assert items.count() == 3               # both mandatory materials and the form, at once
    text = problems.inner_text()
    assert "交流生申请表" in text and "成绩单" in text and title in text
    assert page.evaluate("document.activeElement.id") == "problems"   # read out first
    # the mistake is said next to the field, in Chinese; the student's input is kept
    assert page.get_attribute(f"#f-{blank}", "aria-invalid") == "true"
    assert "必填" in page.inner_text(f"#f-{blank}-err")
    assert f"f-{blank}-err" in page.get_attribute(f"#f-{blank}", "aria-describedby")
    kept = next(k for k in schema["properties"] if k != blank and isinstance(example.get(k),
                                                                              str)
                and "enum" not in schema["properties"][k] and
                "format" not in schema["properties"][k])
    assert page.input_value(f"#f-{kept}") == example[kept]
    assert page.is_checked("#m-language_certificate")
    assert page.get_attribute("#m-transcript", "aria-invalid") == "true"
    problems.locator("a").nth(0).click()                        # the list links to the field
    page.check("#m-application_form")
    page.check("#m-transcript")
    page.fill(f"#f-{blank}", example[blank])
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/ui/cases/academic-*")
    told = page.inner_text(".flash")
    assert "已提交" in told and "承诺办结时间" in told
    assert "已提交" in page.inner_text("main .badge")
    assert "等待B岗受理" in page.inner_text("#waiting-for")


# (b) ----------------------------------------------------------------------------------------
def buttons(page):
    forms = page.locator("#actions form[data-action]")
    return sorted(forms.nth(i).get_attribute("data-action") for i in range(forms.count()))


def unfold(page, action):
    """Open the folded form of a secondary action (return, reject, ...)."""
    page.click(f"#act-{action}-more > summary")


def test_return_resubmit_approve_complete_rate(open_as, url, hall, screenshots):
    case_id = new_exchange_case(hall, "ui-flow-b")
    case_path = f"/ui/cases/{case_id}"

    clerk = open_as("academic_b", "/ui/window")
    clerk.on("dialog", lambda dialog: dialog.accept())
    assert case_id in clerk.inner_text("main")
    clerk.goto(url + case_path)
    # the buttons are the case's next actions for this B post: no approval or refusal of an
    # A-post item (not delegated)
    assert buttons(clerk) == ["accept", "return"]
    assert "等待B岗受理" in clerk.inner_text("#waiting-for")
    # the return, sent without its reason: said next to the field, the ticks kept
    unfold(clerk, "return")
    clerk.check("#a-return-missing-transcript")
    with clerk.expect_response(lambda r: r.request.method == "POST") as answer:
        clerk.click("#act-return button[type=submit]")
    assert answer.value.status == 422
    assert "必填" in clerk.inner_text("#a-return-reason-err")
    assert clerk.get_attribute("#a-return-reason", "aria-invalid") == "true"
    assert clerk.is_visible("#act-return")                      # still open, for fixing
    assert clerk.is_checked("#a-return-missing-transcript")
    clerk.uncheck("#a-return-missing-transcript")
    # per material: what is missing or to correct; a deadline; a reason
    clerk.fill("#a-return-correct-transcript", "成绩单未盖教务处公章")
    clerk.fill("#a-return-deadline", "2026-03-09")
    clerk.fill("#a-return-reason", "请补盖公章后重新提交")
    assert no_horizontal_scroll(clerk)
    clerk.screenshot(path=os.path.join(screenshots, "case-staff-375.png"), full_page=True)
    clerk.click("#act-return button[type=submit]")
    assert "退回补正" in clerk.inner_text(".flash")

    student = open_as("2026000001", case_path)
    notice = student.locator(".notice-box").inner_text()
    assert "成绩单：成绩单未盖教务处公章" in notice and "2026-03-09" in notice
    assert "等待学生补正" in student.inner_text("#waiting-for")
    assert buttons(student) == ["resubmit", "withdraw"]
    assert "需补正" in student.inner_text("label[for=a-resubmit-materials-transcript]")
    student.check("#a-resubmit-materials-transcript")
    student.screenshot(path=os.path.join(screenshots, "case-returned-375.png"), full_page=True)
    # the same page in English: the actions' and fields' own English labels
    student.goto(url + case_path + "?lang=en")
    assert "Resubmit with the corrections" in student.inner_text("#actions")
    assert "Waiting for the student" in student.inner_text("#waiting-for")
    student.screenshot(path=os.path.join(screenshots, "case-returned-375-en.png"),
                       full_page=True)
    student.goto(url + case_path + "?lang=zh")
    student.check("#a-resubmit-materials-transcript")
    student.click("#act-resubmit button[type=submit]")
    assert "已重新提交" in student.inner_text(".flash")

    # a second return for something the first notice never named is refused, clearly
    clerk.goto(url + case_path)
    unfold(clerk, "return")
    clerk.check("#a-return-missing-application_form")
    clerk.fill("#a-return-reason", "申请表未签名")
    with clerk.expect_response(lambda r: r.request.method == "POST") as answer:
        clerk.click("#act-return button[type=submit]")
    assert answer.value.status == 409
    refused = clerk.locator("#problems").inner_text()
    assert "违反一次性告知" in refused and "交流生申请表" in refused
    assert clerk.is_checked("#a-return-missing-application_form")   # the input is kept

    clerk.goto(url + "/ui/window")
    clerk.click(f"form[action='/ui/cases/{case_id}/actions/accept'] button")
    assert "受理" in clerk.inner_text(".flash")

    teacher = open_as("academic_a", "/ui/approvals")
    for action, done in (("approve", "审批通过"), ("complete", "办结")):
        teacher.click(f"form[action='/ui/cases/{case_id}/actions/{action}'] button")
        assert done in teacher.inner_text(".flash")

    student.goto(url + case_path)
    assert "已办结" in student.inner_text("main .badge")
    assert buttons(student) == [] and student.locator("#waiting-for").count() == 0
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
    guide.goto(url + "/ui/guide?q=报修")
    assert "如现在提交，预计" in guide.inner_text("main")
    # each item's example form, collapsed, with the form's labels and the choices' names
    example = guide.locator(f"[id='item-{REPAIR}'] details.example")
    assert example.get_attribute("open") is None
    example.locator("summary").click()
    shown = example.inner_text()
    assert "宿舍楼栋" in shown and "building" not in shown
    assert no_horizontal_scroll(guide)
    guide.screenshot(path=os.path.join(screenshots, "guide-375.png"), full_page=True)

    new_exchange_case(hall, "ui-flow-d")
    mine = open_as("2026000001", "/ui/my")
    assert mine.locator("article.case").count() >= 1
    wait_for(lambda: (mine.reload(), mine.inner_text("main"))[1],
             lambda text: "期限计算中" not in text)
    assert "剩余时间" in mine.inner_text("main")
    assert no_horizontal_scroll(mine)
    # a department that is down is named; the rest of the page still works
    hall.processes["aid"].stop()
    try:
        mine.reload()
        text = mine.inner_text("main")
        assert "以下部门暂时无法访问" in text and "学生资助" in text
        assert mine.locator("article.case").count() >= 1
    finally:
        hall.start_service("aid")
    mine.reload()
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
    pages = {"2026000001": ["/ui/my", f"/ui/cases/{case_id}", "/ui/notifications"],
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
