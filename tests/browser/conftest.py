"""The browser suite's fixtures: the platform really running (every department, the SLA, the
hall and the gateway, demo data seeded, as ``make run`` starts it) on real RabbitMQ and
PostgreSQL, and Debian's Chromium driven by Playwright. One platform for the whole package:
two at once would exhaust PostgreSQL's connections on a shared machine.

Chromium is the system one (``/usr/bin/chromium``); Playwright never downloads a browser.
The platform clock is fixed on a working Monday morning so deadlines are the same every run.
"""
import os
import shutil
from datetime import datetime

import pytest

from osac_shared.clock import TZ
from osac_shared.registry import SERVICES as ALL_SERVICES
from osac_shared.testing import ARTIFACTS, platforms

CHROMIUM = os.environ.get("OSAC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVICES = list(ALL_SERVICES)
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = os.path.join(ARTIFACTS, "screenshots")
PASSWORD = "demo1234"


@pytest.fixture(scope="package")
def hall(tmp_path_factory):
    clock = tmp_path_factory.mktemp("ui-clock") / "now"
    clock.write_text(NOW.isoformat())
    with platforms() as start:
        yield start(SERVICES, gateway=True, clock_file=str(clock),
                    extra_env={"SEED_DEMO": "1"})


@pytest.fixture(scope="package")
def url(hall):
    return hall.gateway_url


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_as(browser, url):
    """open_as(username or None, path) -> a phone-sized page (zh-CN) logged in as that user,
    showing ``path``. Every context is closed after the test."""
    contexts = []

    def open_page(username, path="/ui/"):
        context = browser.new_context(viewport=PHONE, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        if username:
            page.goto(f"{url}/ui/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(lambda u: "/ui/login" not in u)
        page.goto(url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots():
    os.makedirs(SCREENSHOTS, exist_ok=True)
    return SCREENSHOTS
