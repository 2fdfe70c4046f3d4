"""Browser: a Zhengzhou district assembles and submits its parcel list; city staff accept (R9)."""

from decimal import Decimal

import pytest

from parcels.models import LandUseCategory
from plans.models import DistrictSubmission
from tests.browser.conftest import zhengzhou_desks
from tests.factories import ParcelFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_district_submits_city_staff_accept(page, login, screenshot):
    desks = zhengzhou_desks(district_name="金水区用地科", city_name="市局供地处")
    categories = desks["categories"]
    jinshui = desks["district_user"].district
    for code, category, area, kfa in [
        ("JS-2024-01", "residential", "12.5", False),
        ("JS-2024-02", "commercial", "3.2", True),
        ("JS-2024-03", "industrial", "8", False),
    ]:
        ParcelFactory(
            district=jinshui,
            code=code,
            name=f"金水区{code}地块",
            category=LandUseCategory.objects.get(code=category),
            area_ha=Decimal(area),
            in_key_function_area=kfa,
        )
    assert categories

    login("jinshui_staff")
    page.click("#submission-link")
    assert page.locator("#status").inner_text() == "尚未编制"  # opening the page creates nothing
    assert not DistrictSubmission.objects.exists()
    page.click("#start-submission")
    assert page.locator("#status").inner_text() == "编制中"
    assert "未向本区分配分区指标" in page.locator("#no-allocation").inner_text()
    assert page.locator("#listed-total").inner_text() == "23.70"
    # take the industrial parcel off the list: the comparison is re-computed at once
    page.locator("tr[data-code='JS-2024-03'] .listed-toggle").uncheck()
    page.wait_for_function("document.getElementById('listed-total').innerText === '15.70'")
    assert (
        page.locator("#comparison-table tr[data-code=industrial_warehouse] .listed").inner_text()
        == "0.00"
    )
    screenshot("plans_submission_district_list")
    page.fill("#submit-form textarea[name=comment]", "金水区2024年度供地清单")
    page.click("#submit-button")
    assert page.locator("#status").inner_text() == "已报送"
    assert page.locator(".listed-toggle").first.is_disabled()
    page.context.clear_cookies()

    login("zz_boss")
    page.click("#submission-link")
    page.click("#submission-table tr[data-district=jinshui] a")
    page.fill("#review-form textarea[name=comment]", "清单与计划一致，予以接收")
    page.click("#accept-button")
    assert page.locator("#status").inner_text() == "已接收"
    timeline = page.locator("#timeline").inner_text()
    assert (
        "报送" in timeline
        and "接收" in timeline
        and "予以接收" in timeline
        and "金水区用地科" in timeline
    )
    screenshot("plans_submission_accepted")

    assert DistrictSubmission.objects.get().status == DistrictSubmission.Status.ACCEPTED
