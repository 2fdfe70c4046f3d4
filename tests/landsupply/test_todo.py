"""The to-do list (待办, issue 10): per role, both sides of each boundary, oldest first, the
navigation count at a fixed number of queries."""

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from assessments import services as contract_services
from landsupply.models import District
from landsupply.todo import todo_for_user
from parcels.models import LandUseCategory
from plans import services as plan_services
from plans.models import MilestoneFlag
from tests.assessments.conftest import make_passed, report_all
from tests.factories import ContractFactory, DistrictUserFactory, ParcelFactory
from tests.plans.conftest import bj_city, district_user, plans_2024, zz_city  # noqa: F401

D = datetime.date
CST = ZoneInfo("Asia/Shanghai")


def kinds(user, on):
    return [item.kind for item in todo_for_user(user, on=on)]


# --- city and district staff: plans ---------------------------------------------------------


@pytest.fixture
def zz_people(plans_2024, district_user, zz_city, bj_city):  # noqa: F811
    return {
        "zz": plans_2024["zhengzhou"],
        "city": zz_city,
        "bj_city": bj_city,
        "jinshui": district_user("jinshui"),
        "erqi": district_user("erqi"),
    }


def test_city_staff_see_filed_adjustments_and_submitted_lists_of_their_jurisdiction(zz_people):
    zz, jinshui, city = zz_people["zz"], zz_people["jinshui"], zz_people["city"]
    targets = {t.code: t for t in zz.category_targets.all()}
    item = {
        "kind": "move_area",
        "from_target": targets["residential"],
        "to_target": targets["commercial"],
        "area_ha": Decimal("5"),
    }
    draft = plan_services.adjustment_create(user=jinshui, plan=zz, reason="调剂", items=[item])
    assert kinds(city, D(2024, 5, 31)) == []  # a draft waits for nobody at the city
    with time_machine.travel(datetime.datetime(2024, 5, 20, 9, tzinfo=CST), tick=False):
        plan_services.adjustment_file(user=jinshui, adjustment=draft)
    ParcelFactory(
        district=District.objects.get(code="jinshui"),
        category=LandUseCategory.objects.get(code="residential"),
    )
    submission = plan_services.submission_start(user=jinshui, plan=zz)
    plan_services.submission_submit(user=jinshui, submission=submission)
    items = todo_for_user(city, on=D(2024, 5, 31))
    assert [i.kind for i in items] == ["adjustment_filed", "submission_submitted"]  # oldest first
    assert items[0].since == D(2024, 5, 20) and items[0].url == f"/plans/adjustments/{draft.pk}/"
    assert kinds(zz_people["bj_city"], D(2024, 5, 31)) == []  # another jurisdiction
    assert kinds(jinshui, D(2024, 5, 31)) == []
    plan_services.submission_return(user=city, submission=submission, comment="请补充")
    assert "submission_submitted" not in kinds(city, D(2024, 5, 31))
    assert kinds(jinshui, D(2024, 5, 31)) == ["submission_returned"]
    assert kinds(zz_people["erqi"], D(2024, 5, 31)) == []  # another district


def test_missed_milestones_wait_for_city_staff(zz_people):
    ParcelFactory(
        district=District.objects.get(code="erqi"),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal("30"),
    )
    assert "milestone_missed" not in kinds(zz_people["city"], D(2024, 7, 1))
    plan_services.milestone_flags_record(as_of=D(2024, 7, 1))
    assert MilestoneFlag.objects.exists()
    assert "milestone_missed" in kinds(zz_people["city"], D(2024, 7, 1))
    assert "milestone_missed" not in kinds(zz_people["bj_city"], D(2024, 7, 1))


# --- contracts ------------------------------------------------------------------------------


def test_district_sees_a_deadline_this_month_but_not_next_months(worked_example):
    """Assessment application due 2029-02-28 (lease ends 2029-08-31)."""
    staff = worked_example["district_user"]
    assert kinds(staff, D(2029, 1, 31)) == []
    items = todo_for_user(staff, on=D(2029, 2, 1))
    # the renewal application (also due 2029-02-28) is the enterprise's alone (table C)
    assert [i.kind for i in items] == ["deadline_assessment_application"]
    assert items[0].deadline == D(2029, 2, 28)
    assert kinds(DistrictUserFactory(), D(2029, 2, 1)) == []  # another district


def test_district_decides_an_applied_assessment_and_recovers_after_a_fail(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    report_all(contract, holder, year=2028)
    contract_services.assessment_apply(actor=holder, contract=contract, today=D(2029, 1, 10))
    items = todo_for_user(staff, on=D(2029, 3, 1))
    assert [(i.kind, i.since, i.deadline) for i in items] == [
        ("assessment_decide", D(2029, 1, 10), D(2029, 8, 31))
    ]
    contract.refresh_from_db()
    contract_services.assessment_decide(
        actor=staff,
        contract=contract,
        passed=False,
        notice_number="N-9",
        remarks="投资强度不足",
        today=D(2029, 5, 20),
    )
    assert kinds(staff, D(2029, 5, 21)) == ["exit_failed"]
    assert kinds(holder, D(2029, 5, 21)) == []


def test_enterprise_application_window_opens_at_the_largest_lead_time(worked_example):
    holder = worked_example["holder"]
    for year in (2027, 2028):  # no report missing, so only the application is waiting
        report_all(worked_example["contract"], holder, year=year)
    assert kinds(holder, D(2028, 11, 29)) == []
    assert kinds(holder, D(2028, 11, 30)) == ["assessment_apply"]  # 90 days before 2029-02-28
    assert kinds(holder, D(2029, 2, 28)) == ["assessment_apply"]
    assert kinds(holder, D(2029, 3, 1)) == []


def test_enterprise_sees_missing_indicator_reports_of_last_year(worked_example):
    holder, contract = worked_example["holder"], worked_example["contract"]
    assert kinds(holder, D(2024, 12, 31)) == []  # no completed lease year yet
    items = todo_for_user(holder, on=D(2026, 3, 1))
    assert [i.kind for i in items] == ["indicator_reports"]
    assert "8" in items[0].title
    with translation.override("en"):
        title = todo_for_user(holder, on=D(2026, 3, 1))[0].title
    assert (
        title
        == f"Contract {contract.number}: report the 2025 performance indicators (8 not reported)"
    )
    report_all(contract, holder, year=2025)
    assert kinds(holder, D(2026, 3, 1)) == []


def test_enterprise_transfer_window_ends_on_its_due_day(worked_example):
    contract = make_passed(
        worked_example["contract"], worked_example["holder"], worked_example["district_user"]
    )
    due = contract.transfer_application_due
    holder = worked_example["holder"]
    assert kinds(holder, due) == ["transfer_apply"]
    assert kinds(holder, due + datetime.timedelta(days=1)) == []


def test_navigation_count_and_page_at_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, db
):
    staff = DistrictUserFactory()
    contracts = [ContractFactory(parcel__district=staff.district) for _ in range(2)]
    from tests.assessments.conftest import make_leasing

    for c in contracts:
        make_leasing(c)
    client.force_login(staff)
    with mock.patch("landsupply.todo.today", return_value=D(2029, 2, 10)):
        response = client.get(reverse("todo"))
        assert response.content.decode().count('class="todo-item"') == 2
        assert '<span class="badge">2</span>' in response.content.decode()
        with django_assert_max_num_queries(12) as few:
            client.get(reverse("todo"))
        for _ in range(5):
            make_leasing(ContractFactory(parcel__district=staff.district))
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("todo"))
        assert response.content.decode().count('class="todo-item"') == 7
