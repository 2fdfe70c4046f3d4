"""Browser: the one-command demo, as each role sees it after logging in (issue 2).

Loads exactly what `make run` loads (seed_plans + seed_demo) and logs in with the demo users.
"""

import pytest
from django.core.management import call_command

from landsupply.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site():
    call_command("seed_plans", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)  # tests run with DEBUG off


def test_city_staff_home_is_the_plan_overview_with_real_figures(demo_site, page, login, screenshot):
    login("city", DEMO_PASSWORD)

    assert page.url.rstrip("/").endswith("/plans")
    heading = page.locator("h1").inner_text()
    assert "北京市2024年度建设用地供应计划" in heading
    body = page.locator("main").inner_text()
    for figure in [
        "3,240.00–3,660.00",
        "2,770.00–2,790.00",
        "510.00–530.00",
        "1,060.00",
        "460.00",
        "650.00",
        "550.00",
        "470.00–870.00",
    ]:
        assert figure in body, figure
    assert "25.00%" in body and "60.00%" in body and "15.00%" in body  # R3 ring shares
    assert "80.00%" in body and "65.00%" in body  # R4 ratios
    page.wait_for_function("document.querySelectorAll('canvas').length >= 3")
    screenshot("home_city")


def test_district_staff_home_is_limited_to_their_district(demo_site, page, login, screenshot):
    login("haidian", DEMO_PASSWORD)

    body = page.locator("main").inner_text()
    assert "海淀区" in body
    page.goto(page.base_url + "/parcels/")
    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    districts = {rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())}
    assert districts == {"海淀区"}
    screenshot("home_district_parcels")


def test_enterprise_home_lists_its_contracts_with_rule_ids(demo_site, page, login, screenshot):
    login("enterprise", DEMO_PASSWORD)

    assert "/contracts" in page.url
    body = page.locator("main").inner_text()
    assert "演示" in body
    for rule in ["R13", "R14", "R15", "R18"]:
        assert rule in body, rule
    assert "京南新材料" not in body  # the other demo enterprise's contracts stay hidden
    screenshot("home_enterprise")
