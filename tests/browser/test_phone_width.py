"""Browser: every main page of each role at 390 px — nothing wider than the screen (tables
scroll inside their own box, forms stack) — and the rules page the badges link to."""

import pytest
from django.core.management import call_command

from assessments.models import Contract
from landsupply.seed import DEMO_PASSWORD
from parcels.models import Parcel
from plans.models import AnnualPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# The page is no wider than the screen, and no table sticks out of its box.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('main *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !el.closest('table, .table-scroll, canvas, .chart-box');
  }).map(el => el.tagName + '.' + el.className + ' ' + el.textContent.slice(0, 30));
  return {page: document.documentElement.scrollWidth, width: width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
def demo_site():
    call_command("seed_plans", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)  # tests run with DEBUG off


def check(page, screenshot, path, name):
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")
    result = page.evaluate(OVERFLOW)
    screenshot(f"phone_{name}")
    assert result["page"] <= result["width"], (path, result)
    assert not result["wide"], (path, result)
    for table in page.locator("main table").all():  # each table fits its box (it scrolls)
        box = table.bounding_box()
        assert box is None or box["x"] + box["width"] <= PHONE["width"] + 1, path


def test_city_staff_pages_fit_a_phone(demo_site, page, login, screenshot):
    page.set_viewport_size(PHONE)
    login("city", DEMO_PASSWORD)
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    for path, name in [
        ("/plans/", "city_overview"),
        ("/parcels/", "city_parcels"),
        ("/plans/adjustments/", "city_adjustments"),
        (f"/plans/submissions/?plan={plan.pk}", "city_submissions"),
        (f"/plans/{plan.pk}/milestones/", "city_milestones"),
        (f"/plans/{plan.pk}/ranking/", "city_ranking"),
        ("/rules/", "rules"),
    ]:
        check(page, screenshot, path, name)


def test_district_staff_pages_fit_a_phone(demo_site, page, login, screenshot):
    page.set_viewport_size(PHONE)
    login("haidian", DEMO_PASSWORD)
    parcel = Parcel.objects.filter(district__code="haidian").first()
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    for path, name in [
        ("/plans/", "district_overview"),
        ("/parcels/", "district_parcels"),
        (parcel.get_absolute_url(), "district_parcel"),
        (f"/plans/adjustments/new/?plan={plan.pk}", "district_adjustment_form"),
        ("/contracts/", "district_contracts"),
    ]:
        check(page, screenshot, path, name)
    # the form stacks: its fields are no wider than the screen and start at the left edge
    page.goto(page.base_url + f"/plans/adjustments/new/?plan={plan.pk}")
    box = page.locator("textarea").first.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]


def test_enterprise_pages_fit_a_phone(demo_site, page, login, screenshot):
    page.set_viewport_size(PHONE)
    login("enterprise", DEMO_PASSWORD)
    check(page, screenshot, "/contracts/", "enterprise_contracts")
    contract = Contract.objects.filter(enterprise__users__username="enterprise").first()
    check(page, screenshot, contract.get_absolute_url(), "enterprise_contract")


def test_rule_badges_link_to_their_entry(demo_site, page, login):
    login("enterprise", DEMO_PASSWORD)
    badge = page.locator("main .rule a.rule-link").first
    href = badge.get_attribute("href")
    assert href.startswith("/rules/#R")
    badge.click()
    page.wait_for_load_state("networkidle")
    rule_id = href.split("#")[1]
    assert page.locator(f"dt#{rule_id}").is_visible()
    assert "DOMAIN" not in page.inner_text("footer")
