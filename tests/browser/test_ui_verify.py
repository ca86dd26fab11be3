"""The public verification page in real Chromium at 375 px, in Chinese, without logging in:
what a receiver sees after scanning a certificate's QR code, and typing another code with the
keyboard alone."""
import os

import pytest

from osac_shared.testing import ACTORS, staff

from .test_ui_browser import focus_until, no_horizontal_scroll

pytestmark = pytest.mark.browser


def issue_certificate(hall):
    with hall.rpc(ACTORS["student"]) as rpc:
        case = rpc.academic.submit_case("academic.transcript", [], {"purpose": "出国留学"},
                                        "ui-verify")
    for who, action in [("b_post", "accept"), ("a_post", "approve"), ("b_post", "complete")]:
        with hall.rpc(staff("academic", who)) as rpc:
            case = rpc.academic.act(case["id"], action)
    return case["result"]["certificate_code"]


def test_the_verify_page_on_a_phone(open_as, hall, screenshots):
    code = issue_certificate(hall)
    page = open_as(None, f"/verify/{code}")
    assert page.title().startswith("证明核验")
    verdict = page.locator("#verdict")
    assert verdict.locator("h2").inner_text().endswith("证明有效")
    text = verdict.inner_text()
    assert "成绩单" in text and "张*" in text and "2026****01" in text and code in text
    assert "张三" not in page.content()
    assert no_horizontal_scroll(page)
    page.screenshot(path=os.path.join(screenshots, "verify-375.png"), full_page=True)

    focus_until(page, "el.id === 'code'")           # the keyboard reaches the code field
    page.keyboard.type("abcd-efgh-2345")
    page.keyboard.press("Enter")
    page.wait_for_url("**/verify/ABCDEFGH2345")
    assert "没有验证码为 ABCDEFGH2345 的证明" in page.inner_text("#problems")
    assert page.evaluate("document.activeElement.id") == "problems"    # read out first
    assert no_horizontal_scroll(page)
