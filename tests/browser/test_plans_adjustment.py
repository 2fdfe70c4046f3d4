"""Browser: a Zhengzhou district files an adjustment before 1 June; city staff approve it (R7)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from plans.models import CategoryTarget
from tests.browser.conftest import zhengzhou_desks


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_district_files_adjustment_and_city_approves(page, login, screenshot):
    zhengzhou_desks()

    # the live server runs in another thread of this process: a frozen clock applies to it too
    with time_machine.travel(
        datetime.datetime(2024, 5, 31, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        login("jinshui_staff")
        page.click("#new-adjustment")
        page.fill("textarea[name=reason]", "商服用地需求增加，由其他用地调剂")
        page.select_option("select[name=form-0-kind]", "move_area")
        page.select_option("select[name=form-0-from_target]", label="其他用地")
        page.select_option("select[name=form-0-to_target]", label="商服用地")
        page.fill("input[name=form-0-area_ha]", "20")
        page.click("#adjustment-form button[type=submit]")
        row = page.locator("#preview-table tr[data-code=commercial]")
        assert "186.52" in row.inner_text() and "206.52" in row.inner_text()
        screenshot("plans_adjustment_preview")
        page.click("#file-button")
        assert page.locator("#status").inner_text() == "已报送"
        page.context.clear_cookies()

        login("zz_boss")
        page.goto(page.base_url + "/plans/adjustments/")
        page.click("#adjustment-table a")
        page.fill("textarea[name=comment]", "同意调剂")
        page.click("#approve-button")
        assert page.locator("#status").inner_text() == "已批准"
        assert "同意调剂" in page.locator("#timeline").inner_text()
        screenshot("plans_adjustment_approved")

    assert CategoryTarget.objects.get(
        plan__jurisdiction__code="zhengzhou", code="commercial"
    ).target_min_ha == Decimal("206.52")
