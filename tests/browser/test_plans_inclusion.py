"""Browser: a parcel a district adds to the published 2024 list is pending (待纳入) and changes
no plan figure until city staff approve the adjustment that takes it in (R7)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from parcels.models import Parcel
from tests.browser.conftest import zhengzhou_desks


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_parcel_waits_for_the_approved_adjustment(page, login, screenshot):
    zhengzhou_desks()

    with time_machine.travel(
        datetime.datetime(2024, 5, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        login("jinshui_staff")
        planned_before = page.locator("#total-cards .card").nth(1).inner_text()
        page.goto(page.base_url + "/parcels/new/")
        page.fill("input[name=code]", "JS-NEW-1")
        page.fill("input[name=name]", "金水新增住宅地块")
        page.select_option("select[name=category]", label="住宅用地")
        page.fill("input[name=area]", "28.23")
        page.fill("input[name=plan_year]", "2024")
        page.fill("input[name=planned_quarter]", "3")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "待纳入" in page.inner_text("h1")
        page.goto(page.base_url + "/plans/")
        assert "JS-NEW-1" in page.inner_text("#pending-parcels")
        assert page.locator("#total-cards .card").nth(1).inner_text() == planned_before
        screenshot("plans_pending_parcel")

        page.click("#new-adjustment")
        page.fill("textarea[name=reason]", "新增住宅项目纳入年度计划")
        page.select_option("select[name=form-0-kind]", "add_parcel")
        options = page.locator("select[name=form-0-parcel] option").all_inner_texts()
        assert any("JS-NEW-1" in o and "待纳入" in o for o in options)
        page.select_option(
            "select[name=form-0-parcel]", label=next(o for o in options if "JS-NEW-1" in o)
        )
        page.click("#adjustment-form button[type=submit]")
        page.click("#file-button")
        page.context.clear_cookies()

        login("zz_boss")
        page.goto(page.base_url + "/plans/adjustments/")
        page.click("#adjustment-table a")
        page.click("#approve-button")
        assert page.locator("#status").inner_text() == "已批准"

    assert not Parcel.objects.get(code="JS-NEW-1").inclusion_pending
