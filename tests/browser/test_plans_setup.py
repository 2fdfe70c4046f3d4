"""Browser: city staff start next year's plan from last year's, edit it and publish it."""

from decimal import Decimal

import pytest

from landsupply.models import User
from landsupply.seed import seed_jurisdictions
from parcels.seed import seed_land_use_categories
from plans.models import AnnualPlan, CategoryTarget
from plans.seed import seed_plans
from tests.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_city_staff_publish_a_plan(page, login, screenshot):
    jurisdictions = seed_jurisdictions()
    seed_land_use_categories()
    seed_plans()
    UserFactory(
        username="zz_boss",
        first_name="市局供地处",
        role=User.Role.CITY,
        jurisdiction=jurisdictions["zhengzhou"],
    )

    login("zz_boss")
    page.click("#plan-create-link")
    assert page.locator("input[name=year]").input_value() == "2025"
    page.fill("input[name=name]", "郑州市市本级2025年度国有建设用地供应计划")
    page.click("#create-button")
    assert page.locator("#status").inner_text() == "草稿"
    # an invalid milestone line is refused with the rule, and nothing is saved
    page.fill("input[name=milestones-1-cumulative_pct]", "40")
    page.click("#save-button")
    page.wait_for_load_state()
    screenshot("plans_setup_error")
    assert "未高于" in page.locator("#plan-errors").inner_text()
    screenshot("plans_setup_error")
    page.fill("input[name=milestones-1-cumulative_pct]", "75")
    commercial = page.locator("#section-categories tr", has=page.locator("input[value=commercial]"))
    commercial.locator("input[name$=target_min_ha]").fill("200")
    commercial.locator("input[name$=target_max_ha]").fill("200")
    # The categories must still add up to the total 3927.94 (R1, R2): refused until they do.
    page.click("#save-button")
    page.wait_for_load_state()
    assert "R1、R2" in page.locator("#plan-errors").inner_text()
    residential = page.locator(
        "#section-categories tr", has=page.locator("input[value=residential]")
    )
    residential.locator("input[name$=target_min_ha]").fill("858.25")
    residential.locator("input[name$=target_max_ha]").fill("858.25")
    page.click("#save-button")
    assert "计划已保存" in page.locator(".messages").inner_text()
    screenshot("plans_setup_edit")
    page.click("#publish-button")
    assert "计划已发布" in page.locator(".messages").inner_text()
    assert "郑州市市本级2025年度" in page.locator("h1").inner_text()
    screenshot("plans_setup_published")

    plan = AnnualPlan.objects.get(year=2025, jurisdiction__code="zhengzhou")
    assert plan.is_published
    assert CategoryTarget.objects.get(plan=plan, code="commercial").target_min_ha == Decimal("200")
