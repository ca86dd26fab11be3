"""The hall office on a screen: real Chromium at 375 px, in Chinese, against the real platform.
The director pairs a window's A and B posts and gives the B post a shift, records a patrol
(a failed check and a finding; a finding without an opinion is refused with the row named and
the input kept), resolves the finding, records a demerit, reads the Sunshine ranking a
student's vote went into, and downloads the report. The management committee gets its home
page and the same pages without a single form. A student votes with the keyboard alone."""
import os

import pytest

from .test_ui_browser import focus_until

pytestmark = pytest.mark.browser

MONTH = "2026-03"                   # the suite's clock (conftest.NOW) is 2 March 2026, 10:00


WIDER = """() => [...document.querySelectorAll('body *')].filter(el =>
    el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
    && !(el.parentElement && el.parentElement.closest('.table-wrap'))).slice(0, 5).map(el => el.tagName + '.' + el.className +
    ' ' + Math.round(el.getBoundingClientRect().right) + ': ' + el.textContent.slice(0, 40))"""


def sticking_out(page):
    """[] when the page is no wider than the phone (tables scroll inside their own region);
    else what sticks out."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= page.viewport_size["width"]:
        return []
    return page.evaluate(WIDER) or [f"the page is {width} px wide"]


def submit(page, action):
    """Send a form (``action``: a selector to click, or a key to press) and wait for the
    answer page (the POST's redirect, or the page again with what to fix)."""
    with page.expect_navigation():
        if action in ("Enter", " "):
            page.keyboard.press(action)
        else:
            page.click(action)


def post_forms(page):
    """State-changing forms in the page's main part (the header's log-out form aside)."""
    return page.locator("main form[method=post]").count()


def flash_text(page):
    return page.inner_text(".flash")


def test_a_student_votes_for_a_window_with_the_keyboard(open_as, screenshots):
    page = open_as("2026000001", "/ui/my")
    assert "阳光窗口投票" in page.inner_text("header nav")
    page.click("header nav a[href='/ui/vote']")
    page.wait_for_url("**/ui/vote")
    assert page.title().startswith("阳光窗口投票")
    assert "2026年3月的投票" in page.inner_text("#vote-form legend")
    assert sticking_out(page) == []
    focus_until(page, "el.id === 'w-1'")
    for _ in range(10):                        # arrow keys move along the radio group: 1 -> 11
        page.keyboard.press("ArrowDown")
    assert page.is_checked("#w-11")
    focus_until(page, "el.type === 'submit' && !!el.closest('#vote-form')")
    submit(page, "Enter")
    assert "投票成功" in flash_text(page)
    assert "您本月已投票给：11 · 维修服务" in page.inner_text("#voted")
    assert page.locator("#vote-form").count() == 0          # one vote a month
    page.screenshot(path=os.path.join(screenshots, "vote-375.png"), full_page=True)


def test_the_director_pairs_posts_and_gives_a_shift(open_as, url, screenshots):
    page = open_as("director", "/ui/roster")
    assert page.title().startswith("排班与岗位")
    nav = page.inner_text("header nav")
    for link in ("巡查", "考核", "阳光窗口", "报表", "排班与岗位"):
        assert link in nav
    for staff_id, post in (("logistics_a", "a"), ("logistics_b", "b")):
        page.select_option("#s-window", "11")
        page.fill("#s-staff", staff_id)
        page.check(f"#s-post-{post}")
        submit(page, "#post-form button[type=submit]")
        assert f"已安排 {staff_id} 到11号窗口" in flash_text(page)
    card = page.inner_text("#window-11")
    assert "A/B岗已配齐" in card and "logistics_a" in card and "logistics_b" in card
    # the platform runs as ``make run`` does, with the demo roster: window 12 is paired until
    # its B post is moved off it
    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, "#window-12 form:has(input[name=staff_id][value=finance_b]) button")
    assert "已将 finance_b 移出" in flash_text(page)
    assert "缺B岗" in page.inner_text("#window-12")

    assert "logistics_b" in page.inner_text("#window-11 .on-duty")       # 10:00: on shift
    page.fill("#sh-date", "2026-03-03")        # today the demo roster's shift fills the day
    page.select_option("#sh-window", "11")
    page.select_option("#sh-staff", "logistics_b")
    page.fill("#sh-start", "08:30")
    page.fill("#sh-end", "12:30")
    submit(page, "#shift-form button[type=submit]")
    assert "已添加班次" in flash_text(page)
    assert "logistics_b" in page.inner_text("#shifts") and "08:30–12:30" in \
        page.inner_text("#shifts")
    # a shift for someone who is not a B post of that window is refused, naming the field
    page.select_option("#sh-window", "12")
    page.select_option("#sh-staff", "logistics_b")
    submit(page, "#shift-form button[type=submit]")
    problems = page.inner_text("#problems")
    assert "添加班次 · B岗：该人员不是本窗口的B岗" in problems
    assert page.evaluate("document.activeElement.id") == "problems"
    assert page.input_value("#sh-window") == "12"                   # the input is kept
    assert sticking_out(page) == []
    page.screenshot(path=os.path.join(screenshots, "roster-375.png"), full_page=True)


def test_the_director_records_a_patrol_and_its_result(open_as, url, screenshots):
    page = open_as("director", "/ui/patrols")
    assert page.title().startswith("巡查登记")
    assert page.input_value("#p-date") == "2026-03-02"
    # by keyboard: from "合格" to "不合格" on 亮证上岗 with an arrow key
    focus_until(page, "el.id === 'c-badge-ok'")
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#c-badge-bad")
    page.fill("#n-badge", "11号窗口B岗未佩戴工作牌")
    page.select_option("#f0-window", "11")
    page.fill("#f0-person", "logistics_b")
    submit(page, "#patrol-form button[type=submit]")                 # no opinion yet
    problems = page.inner_text("#problems")
    assert "问题 1 · 处理意见" in problems
    assert page.evaluate("document.activeElement.id") == "problems"
    assert page.is_checked("#c-badge-bad") and page.input_value("#f0-person") == "logistics_b"
    page.fill("#f0-opinion", "上岗须佩戴工作牌，当班提醒")
    submit(page, "#patrol-form button[type=submit]")
    assert "已登记巡查（1 条问题）" in flash_text(page)
    finding = page.locator("article.open-finding").first
    assert "11 · 维修服务 · logistics_b" in finding.inner_text()
    assert "上岗须佩戴工作牌" in finding.inner_text()
    patrol = page.inner_text("article.patrol")
    assert "不合格项" in patrol and "亮证上岗：11号窗口B岗未佩戴工作牌" in patrol
    assert sticking_out(page) == []
    page.screenshot(path=os.path.join(screenshots, "patrols-375.png"), full_page=True)

    finding.locator("textarea[name=result]").fill("已整改，次日复查合格")
    with page.expect_navigation():
        finding.locator("button[type=submit]").click()
    assert "已登记处理结果" in flash_text(page)
    assert page.locator("article.open-finding").count() == 0
    assert "所有巡查问题均已有处理结果" in page.inner_text("main")
    assert "已处理" in page.inner_text("article.patrol") and "已整改，次日复查合格" in \
        page.inner_text("article.patrol")
    assert "共 1 次巡查，1 条问题，0 条待处理" in page.inner_text("#patrol-count")
    page.goto(url + "/ui/patrols?lang=en")
    assert page.title().startswith("Patrols") and "Badge worn" in page.inner_text("main")
    page.goto(url + "/ui/patrols?lang=zh")


def test_the_director_records_a_demerit_and_reads_the_ranking_and_reports(open_as, url,
                                                                          screenshots):
    page = open_as("director", "/ui/assessment")
    assert page.title().startswith("工作人员考核")
    page.select_option("#d-person", "logistics_b")
    page.select_option("#d-kind", "lateness")
    page.fill("#d-ref", "2026-03-02 考勤")
    page.fill("#d-note", "迟到15分钟")
    submit(page, "#demerit-form button[type=submit]")
    assert "已为 logistics_b 登记记过（本月 1 次，本学期 1 次）" in flash_text(page)
    person = page.inner_text("#person-logistics_b")
    assert "迟到早退 1" in person and "维修服务" in person
    assert "logistics_a" in page.inner_text("#no-demerits")
    assert sticking_out(page) == []
    page.screenshot(path=os.path.join(screenshots, "assessment-375.png"), full_page=True)

    page.goto(url + "/ui/sunshine")
    assert page.title().startswith("阳光窗口评比")
    row = page.locator("#ranking tr:has(th:text-is('11 · 维修服务'))")
    assert row.locator("td").nth(2).inner_text() == "1"                  # the student's vote
    assert "评分权重：投票 30%" in page.inner_text("main")
    assert sticking_out(page) == []
    page.screenshot(path=os.path.join(screenshots, "sunshine-375.png"), full_page=True)

    page.goto(url + "/ui/reports")
    assert "11 · 维修服务" in page.inner_text("table.report")
    with page.expect_download() as download:
        page.click(".downloads a:has-text('Excel')")
    assert download.value.suggested_filename == f"hall-report-{MONTH}.xlsx"
    assert sticking_out(page) == []


def test_the_committee_reads_without_a_single_form(open_as, url, screenshots):
    page = open_as("committee", "/ui/")
    page.wait_for_url("**/ui/committee")
    assert page.title().startswith("学生事务中心概览")
    assert "只读" in page.inner_text("main")
    nav = page.inner_text("header nav")
    assert "排班与岗位" not in nav and "咨询台" not in nav and "巡查" in nav
    assert "2026年3月" in page.inner_text("h1")
    assert page.locator("#stats dd").count() == 4
    assert sticking_out(page) == []
    page.screenshot(path=os.path.join(screenshots, "committee-375.png"), full_page=True)
    for path, shown in (("/ui/patrols", "亮证上岗"), ("/ui/assessment", "logistics_b"),
                        ("/ui/sunshine", "11 · 维修服务"), ("/ui/reports", "维修服务")):
        page.goto(url + path)
        assert shown in page.inner_text("main"), path
        assert post_forms(page) == 0, path
        assert "只读" in page.inner_text("main"), path
        assert sticking_out(page) == [], path
    assert page.goto(url + "/ui/roster").status == 403
