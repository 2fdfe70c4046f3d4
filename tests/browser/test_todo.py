"""Browser: each role's to-do list (待办) leads to the place to act and back, at desktop and
phone width (issue 10)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from parcels.models import LandUseCategory
from plans import services as plan_services
from plans.models import AnnualPlan
from tests.assessments.conftest import make_leasing
from tests.browser.conftest import zhengzhou_desks
from tests.factories import ContractFactory, EnterpriseUserFactory, ParcelFactory

CST = ZoneInfo("Asia/Shanghai")


def walk(page, screenshot, name, *, expect_in_first, also=""):
    """From any page: the navigation's 待办 → the list → the first item's page → back."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    badge = page.locator("#nav-todo .badge")
    count = int(badge.inner_text())
    page.click("#nav-todo")
    items = page.locator(".todo-item")
    assert items.count() == count
    first = items.first.locator("a.todo-title")
    assert expect_in_first in first.inner_text()
    assert also in page.locator("#todo-list").inner_text()
    href = first.get_attribute("href")
    screenshot(f"todo_{name}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"todo_{name}_390")
    page.locator(".todo-item a.todo-title").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(href)
    screenshot(f"todo_{name}_action_390")
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert page.locator("#todo-list").is_visible()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.context.clear_cookies()
    return href


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_each_roles_todo_list_leads_to_the_action_and_back(page, login, screenshot):
    desks = zhengzhou_desks()
    staff, city = desks["district_user"], desks["city_user"]
    jinshui = staff.district
    zz = AnnualPlan.objects.get(jurisdiction__code="zhengzhou")
    ParcelFactory(
        district=jinshui,
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal("12"),
    )
    targets = {t.code: t for t in zz.category_targets.all()}

    with time_machine.travel(datetime.datetime(2024, 5, 20, 10, tzinfo=CST), tick=False):
        adjustment = plan_services.adjustment_create(
            user=staff,
            plan=zz,
            reason="商服用地需求增加",
            items=[
                {
                    "kind": "move_area",
                    "from_target": targets["other"],
                    "to_target": targets["commercial"],
                    "area_ha": Decimal("5"),
                }
            ],
        )
        plan_services.adjustment_file(user=staff, adjustment=adjustment)
        submission = plan_services.submission_start(user=staff, plan=zz)
    with time_machine.travel(datetime.datetime(2024, 5, 28, 10, tzinfo=CST), tick=False):
        plan_services.submission_submit(user=staff, submission=submission)
        login("zz_boss")
        href = walk(page, screenshot, "city", expect_in_first="计划调整申请")
        assert href == f"/plans/adjustments/{adjustment.pk}/"
        plan_services.submission_return(user=city, submission=submission, comment="请补充地块")
        login("jinshui_staff")
        href = walk(page, screenshot, "district_plans", expect_in_first="被退回")
        assert href == f"/plans/submissions/{submission.pk}/"

    contract = ContractFactory(parcel__district=jinshui)
    make_leasing(contract)
    holder = EnterpriseUserFactory(username="factory_mgr", enterprise=contract.enterprise)
    assert holder.pk
    with time_machine.travel(datetime.datetime(2029, 2, 10, 10, tzinfo=CST), tick=False):
        login("jinshui_staff")
        walk(
            page,
            screenshot,
            "district_contracts",
            expect_in_first="被退回",
            also=f"合同 {contract.number}：考核申请截止",
        )
        login("factory_mgr")
        href = walk(page, screenshot, "enterprise", expect_in_first=contract.number)
        assert href == f"/contracts/{contract.pk}/"
