"""Browser: reading notifications changes nothing; the buttons mark them read (issue 8). And a
district's first visit to its list offers a button that starts it."""

import pytest

from landsupply.models import Notification
from plans.models import DistrictSubmission
from tests.factories import AnnualPlanFactory, CityUserFactory, DistrictUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_notifications_are_marked_read_by_the_buttons(page, login, screenshot):
    user = CityUserFactory(username="clerk")
    for title in ["【R18】XZ-00001 考核申请截止：2029-02-28（提前 30 天提醒）", "用地清单已退回"]:
        Notification.objects.create(recipient=user, title=title, body="请登录系统办理。")
    login("clerk")
    page.goto(page.base_url + "/notifications/")
    page.reload()  # opening it twice marks nothing read
    assert page.locator(".bell .badge").inner_text() == "2"
    screenshot("notifications_unread")
    page.locator("tr.unread button").first.click()
    assert page.locator(".bell .badge").inner_text() == "1"
    page.click("#mark-all-read button")
    assert page.locator(".bell .badge").count() == 0
    assert not user.notifications.filter(read_at__isnull=True).exists()
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("notifications_read_390")


def test_a_district_starts_its_list_with_a_button(page, login, screenshot):
    plan = AnnualPlanFactory(year=2024)
    DistrictUserFactory(username="clerk", district__jurisdiction=plan.jurisdiction)
    login("clerk")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/plans/submissions/?plan={plan.pk}")
    assert page.locator("#status").inner_text() == "尚未编制"
    screenshot("submission_start_390")
    assert not DistrictSubmission.objects.exists()
    page.click("#start-submission")
    assert page.locator("#status").inner_text() == "编制中"
    assert DistrictSubmission.objects.count() == 1
