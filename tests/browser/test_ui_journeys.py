"""One item per department walked to 已办结 in Chromium, through the UI only, on the whole
platform (every department, the SLA and the hall, demo data seeded: the package's platform),
at phone width.

The walk is data: ``ITEMS`` names one item per department; what an item needs beyond its
catalogue entry and its cases' ``next_actions`` is the API journey suite's plan for it
(``tests/journeys/plans/<department>.py``: student, form overrides, materials, prepare, inputs
per action, prefer), with ``UI_PLANS`` for anything the UI walk needs differently.

    apply    the plan's student opens 办事指南 → the item's page, fills the form with the item's
             example (``form_schema.examples[0]`` of the catalogue, with the plan's overrides),
             ticks every mandatory material and submits; the page names the case and the
             promised completion time, which is the 201-style ``due_at`` the SLA holds
    follow   while the case is open, whoever ``waiting_for`` names logs in, finds the case
             from their own page (我的事项, 窗口受理, 集中办理, 评审委员会), opens it, checks that
             its buttons are exactly the case's ``next_actions`` for them, fills the chosen
             action's inputs (the plan's, or built from its ``input_schema``) and clicks it; a
             case waiting ``until`` a moment moves the platform clock past it
    end      the student sees 已办结; the plan's ``check`` looks at the effects elsewhere

Screenshots of every page acted on are written at 375 px (artifacts/screenshots/journey-*).
"""
import importlib
import os
import pkgutil
import re
from datetime import datetime, timedelta

import pytest

from osac_shared.clock import TZ
from osac_shared.testing import login_session

from tests.journeys import plans as plan_package
from tests.journeys.walk import (MAX_STEPS, Journey, Plan, account_for, body_for, choose,
                                 mandatory, same_moment, stored_deadline)

from .conftest import NOW, PASSWORD, PHONE
from .page_forms import catalogue, fill

pytestmark = pytest.mark.browser

# department -> the item walked through the UI
ITEMS = {
    "student_affairs": "student_affairs.student-id-card",
    "aid": "aid.national-grant",                     # through the review committee
    "insurance": "insurance.claim-outpatient",       # the insurer's payout recorded
    "career": "career.graduate-document-stamp",
    "academic": "academic.enrollment-certificate",
    "security": "security.vehicle-pass",
    "league": "league.membership-transfer",
    "campus_it": "campus_it.card-top-up-transfer",   # a list of rows
    "logistics": "logistics.dorm-repair",
    "finance": "finance.fee-consultation",           # answered in writing
    "sunshine": "sunshine.complaint-suggestion",
}
UI_PLANS = {}                # code -> Plan, when the UI walk needs more than the API plan
HOME = {"student": "/ui/my", "b_post": "/ui/window", "a_post": "/ui/approvals",
        "committee": "/ui/review"}
FINAL = ("completed", "rejected", "withdrawn")


def api_plans():
    found = {}
    for info in pkgutil.iter_modules(plan_package.__path__):
        module = importlib.import_module(f"{plan_package.__name__}.{info.name}")
        found.update(getattr(module, "PLANS", {}))
    return found


PLANS = {**api_plans(), **UI_PLANS}


@pytest.fixture(scope="module")
def whole(hall):
    """The package's platform: every department, demo data seeded (tests/browser/conftest)."""
    return hall


@pytest.fixture(scope="module")
def items(whole):
    return catalogue(whole.gateway_url)


@pytest.fixture(scope="module")
def sessions():
    return {}


class Screens:
    """One logged-in phone-sized page per user, screenshots numbered in order."""

    def __init__(self, browser, url, code, folder):
        self.browser, self.url, self.code, self.folder = browser, url, code, folder
        self.pages, self.contexts, self.n = {}, [], 0

    def page(self, username):
        if username not in self.pages:
            context = self.browser.new_context(viewport=PHONE, locale="zh-CN",
                                               timezone_id="Asia/Shanghai")
            context.set_default_timeout(20000)
            self.contexts.append(context)
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(f"{self.url}/ui/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(lambda u: "/ui/login" not in u)
            self.pages[username] = page
        return self.pages[username]

    def shot(self, page, what):
        self.n += 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], \
            f"{self.code}: {what} scrolls sideways at {PHONE['width']} px"
        page.screenshot(path=os.path.join(self.folder, f"journey-{self.code}-{self.n:02d}-"
                                                       f"{what}.png"), full_page=True)

    def close(self):
        for context in self.contexts:
            context.close()


def no_problems(page, what):
    if page.locator("#problems").count():
        raise AssertionError(f"{what} was refused: {page.inner_text('#problems')}")


def apply_in_ui(screens, journey, item, plan, form):
    page = screens.page(plan.student)
    page.goto(f"{screens.url}/ui/guide?q={item['code']}")
    page.click(f"a[href='/ui/apply/{item['code']}']")
    page.wait_for_url(f"**/ui/apply/{item['code']}")
    fill(page.locator("main form.card"), item["form_schema"], form)
    for code in mandatory(item) + list(plan.materials):
        page.check(f"#m-{code}")
    screens.shot(page, "apply")
    page.click("main form.card button[type=submit]")
    page.wait_for_load_state()
    no_problems(page, f"applying for {item['code']}")
    page.wait_for_url(re.compile(r".*/ui/cases/[a-z_]+-[0-9A-Za-z-]+$"))
    case_id = page.url.rsplit("/", 1)[1]
    told = page.inner_text(".flash")
    assert case_id in told and "承诺办结时间" in told, told
    return case_id, told


def open_case(screens, username, role, case_id):
    """The case opened the way its user finds it: from their own page when it lists it."""
    page = screens.page(username)
    page.goto(screens.url + HOME.get(role, "/ui/"))
    link = page.locator(f"main a[href='/ui/cases/{case_id}']").first
    if role == "committee":
        assert link.count(), f"{case_id} is not on the committee's page"
    if link.count():
        link.click()
        page.wait_for_url(f"**/ui/cases/{case_id}")
    else:
        page.goto(f"{screens.url}/ui/cases/{case_id}")
    return page


@pytest.mark.parametrize("department", list(ITEMS))
def test_an_item_of_each_department_is_walked_to_its_end_in_the_browser(
        whole, items, sessions, browser, screenshots, department):
    code = ITEMS[department]
    item = items[code]
    plan = PLANS.get(code, Plan())
    assert not plan.blocked, f"{code} cannot be carried to its end: {plan.blocked}"
    examples = (item.get("form_schema") or {}).get("examples")
    assert examples, f"{code}: the catalogue publishes no example form (form_schema.examples)"
    journey = Journey(whole, item, plan, sessions)
    form = {**examples[0], **plan.form}
    if plan.prepare is not None:
        form.update(plan.prepare(journey) or {})
    screens = Screens(browser, whole.gateway_url, code, screenshots)
    try:
        case_id, told = apply_in_ui(screens, journey, item, plan, form)
        case = journey.get(plan.student, f"/api/cases/{case_id}")
        assert_same_form(form, case["form"])          # what was typed is what was filed
        due = stored_deadline(journey, case_id, plan.student)
        assert due and local_minute(due) in told, (due, told)
        for _ in range(MAX_STEPS):
            case = journey.get(plan.student, f"/api/cases/{case_id}")
            if case["status"] in FINAL:
                break
            waiting = case["waiting_for"]
            assert waiting, f"{case_id} is {case['status']} and waits for nobody"
            username = account_for(waiting, plan.student)
            seen = journey.get(username, f"/api/cases/{case_id}")
            action = choose(seen.get("next_actions") or [], plan)
            page = open_case(screens, username, waiting["role"], case_id)
            shown = page.locator("#actions form[data-action]")
            assert sorted(shown.nth(i).get_attribute("data-action")
                          for i in range(shown.count())) == \
                sorted(a["action"] for a in seen.get("next_actions") or [])
            assert pick_label(waiting) in page.inner_text("#waiting-for")
            if action is None:
                assert waiting.get("until"), (f"{case_id} waits for {waiting} but {username} "
                                              f"has nothing to do")
                whole.set_time(datetime.fromisoformat(waiting["until"]) + timedelta(minutes=1))
                continue
            form_of = page.locator(f"#act-{action['action']}")
            folded = page.locator(f"details:has(#act-{action['action']}):not([open]) > summary")
            if folded.count():                     # a secondary action: opened first
                folded.click()
            fill(form_of, action["input_schema"], body_for(action, seen, plan, journey))
            screens.shot(page, f"{waiting['role']}-{action['action']}")
            form_of.locator("button[type=submit]").last.click()
            page.wait_for_load_state()
            no_problems(page, f"{username}'s {action['action']} on {case_id}")
            assert "已完成" in page.inner_text(".flash") or action["action"] in (
                "resubmit", "withdraw"), page.inner_text(".flash")
            journey.steps.append((username, action["action"]))
        else:
            raise AssertionError(f"{case_id} did not end in {MAX_STEPS} steps: {journey.steps}")
        assert case["status"] == "completed", (case["status"], journey.steps)
        page = screens.page(plan.student)
        page.goto(f"{screens.url}/ui/cases/{case_id}")
        assert "已办结" in page.inner_text("main .badge")
        screens.shot(page, "completed")
        if plan.check is not None:
            plan.check(journey, case)
    finally:
        screens.close()
        whole.set_time(NOW)             # each walk starts on the package's Monday morning


def pick_label(waiting):
    return waiting.get("label_zh") or ""


def local_minute(iso):
    return datetime.fromisoformat(iso).astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def assert_same_form(sent, filed):
    for key, value in sent.items():
        got = filed.get(key)
        if isinstance(value, str) and isinstance(got, str) and "T" in value and \
                re.match(r"\d{4}-\d{2}-\d{2}T", value):
            assert same_moment(value, got), (key, value, got)
        elif isinstance(value, str) and isinstance(got, str):
            assert value.strip() == got, (key, value, got)
        else:
            assert got == value, (key, value, got)


# ---- what the walks above rely on, shown on this platform --------------------------------------
TOP_UP = "campus_it.card-top-up-transfer"


def test_a_list_of_rows_is_typed_row_by_row_and_a_wrong_row_is_named(whole, items, browser,
                                                                       screenshots):
    """A group top-up list (a list of objects in the form's schema) is a set of rows; more
    rows come with a button; a blank row is skipped; a wrong amount is named by its row,
    next to it, and everything typed is kept."""
    item = items[TOP_UP]
    schema = item["form_schema"]
    assert schema["properties"]["entries"]["type"] == "array"
    screens = Screens(browser, whole.gateway_url, TOP_UP, screenshots)
    try:
        page = screens.page("2026000001")
        page.goto(f"{whole.gateway_url}/ui/apply/{TOP_UP}")
        rows = page.locator("[data-rows=entries] .row-item")
        assert rows.count() == 3
        page.fill("[name=payer]", "2024级计算机1班")
        page.fill("[name='entries.0.student_id']", "2026000002")
        page.fill("[name='entries.0.amount_cents']", "500")
        page.fill("[name='entries.2.student_id']", "2026000003")   # row 2 left blank
        page.fill("[name='entries.2.amount_cents']", "50.5")         # not whole fen
        page.click("[data-rows=entries] button.add-row")
        assert rows.count() == 4
        assert "第 4 行" in rows.nth(3).locator("legend").inner_text()
        assert page.evaluate("document.activeElement.name") == "entries.3.student_id"
        page.keyboard.type("2026000004")
        page.fill("[name='entries.3.amount_cents']", "200000")       # over the limit
        for code in mandatory(item):
            page.check(f"#m-{code}")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("main form.card button[type=submit]")
        assert answer.value.status == 422
        problems = page.inner_text("#problems")
        assert "第3行" in problems and "须为整数" in problems, problems
        assert "第4行" in problems and "须在 1–100000 之间" in problems, problems
        assert "须为整数" in page.inner_text("#f-entries-2-amount_cents-err")
        assert "须在 1–100000 之间" in page.inner_text("#f-entries-3-amount_cents-err")
        assert page.get_attribute("#f-entries-2-amount_cents", "aria-invalid") == "true"
        assert page.input_value("[name='entries.2.amount_cents']") == "50.5"   # kept
        assert page.input_value("[name='entries.3.student_id']") == "2026000004"
        assert page.input_value("[name=payer]") == "2024级计算机1班"
        screens.shot(page, "rows-refused")
        page.fill("[name='entries.2.amount_cents']", "50")
        page.fill("[name='entries.3.amount_cents']", "300")
        page.click("main form.card button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("[id^=f-entries-][id$=-err]").count() == 0
        screens.shot(page, "rows-sent")
    finally:
        screens.close()


def test_a_review_committee_starts_from_the_cases_waiting_for_it(whole, browser, screenshots):
    screens = Screens(browser, whole.gateway_url, "aid-committee", screenshots)
    try:
        page = screens.page("aid_committee")
        assert page.url.endswith("/ui/review")                     # its home
        assert page.title().startswith("资助评审委员会 · 待评审事项")
        assert "资助评审委员会" in page.inner_text("header .who")
        nav = page.locator("header nav a[aria-current=page]")
        assert nav.inner_text() == "评审委员会"
        shown = page.locator("main article.case")
        listed = whole_api_waiting(whole, "aid_committee")
        assert shown.count() == len(listed)
        if not listed:
            assert "目前没有等待本委员会评审的事项" in page.inner_text("main")
        screens.shot(page, "home")
        page.goto(f"{whole.gateway_url}/ui/review?lang=en")
        assert page.title().startswith("Aid review committee")
        other = screens.page("2026000001")
        other.goto(f"{whole.gateway_url}/ui/review")
        assert "没有权限" in other.inner_text("main")
    finally:
        screens.close()


def whole_api_waiting(whole, username):
    """The aid cases waiting for its committee, as the API tells the committee."""
    session = login_session(whole.gateway_url, username)
    answer = session.get(whole.gateway_url + "/api/me/cases?per_page=100", timeout=30)
    assert answer.status_code == 200, answer.text
    cases = answer.json()
    return [c for c in cases.get("cases", []) if (c.get("waiting_for") or {}).get("role") ==
            "committee" and c["id"].startswith("aid-")]
