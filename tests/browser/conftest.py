"""Playwright fixtures: Debian's chromium, headless, against pytest-django's live_server.

Screenshots go to screenshots/ (gitignored). Tests are skipped when chromium is not installed
(a bare user machine); CI installs it.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (creating data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@contextmanager
def open_page(browser, base_url):
    """A fresh browser context (zh-CN, desktop size) with one page whose base_url is set."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = base_url
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server):
    with open_page(browser, live_server.url) as page:
        yield page


@pytest.fixture
def login(page):
    """login(username, password) logs in through the login form and returns the page."""

    def do_login(username, password="pw-12345"):
        page.goto(page.base_url + "/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do_login


@pytest.fixture
def screenshot(page):
    """screenshot(name) saves a full-page PNG to screenshots/<name>.png and returns its path."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def zhengzhou_desks(*, district_name: str = "", city_name: str = "") -> dict:
    """Seed the real 2024 plans and the two Zhengzhou users the plan walks log in as:
    `jinshui_staff` (金水区 district staff) and `zz_boss` (Zhengzhou city staff).
    Returns {"district_user", "city_user", "categories"} (categories by code)."""
    from landsupply.models import District, User
    from landsupply.seed import seed_jurisdictions
    from parcels.seed import seed_land_use_categories
    from plans.seed import seed_plans
    from tests.factories import UserFactory

    jurisdictions = seed_jurisdictions()
    categories = seed_land_use_categories()
    seed_plans()
    district_user = UserFactory(
        username="jinshui_staff",
        first_name=district_name,
        role=User.Role.DISTRICT,
        district=District.objects.get(code="jinshui"),
    )
    city_user = UserFactory(
        username="zz_boss",
        first_name=city_name,
        role=User.Role.CITY,
        jurisdiction=jurisdictions["zhengzhou"],
    )
    return {"district_user": district_user, "city_user": city_user, "categories": categories}
