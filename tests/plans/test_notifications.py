"""Workflow notifications of plans (issue 10): each step tells exactly those who act next, and
the R7 deadline and R6 milestone reminders go out once, from data lead times."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from landsupply.models import District, Notification, User
from parcels.models import LandUseCategory, Parcel
from plans import services
from plans.models import Milestone, MilestoneFlag, PlanRuleSet
from tests.factories import EnterpriseUserFactory, ParcelFactory, UserFactory

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(plans_2024, district_user, zz_city, bj_city):
    """Everyone who might wrongly be told: both cities, two Zhengzhou districts, a Beijing
    district, an enterprise, and an inactive Zhengzhou city user."""
    inactive = UserFactory(
        username="zz_city_gone",
        role=User.Role.CITY,
        jurisdiction=zz_city.jurisdiction,
        is_active=False,
    )
    return {
        "zz": plans_2024["zhengzhou"],
        "zz_city": zz_city,
        "bj_city": bj_city,
        "jinshui": district_user("jinshui"),
        "erqi": district_user("erqi"),
        "haidian": district_user("haidian"),
        "enterprise": EnterpriseUserFactory(),
        "inactive": inactive,
    }


def told(message):
    return set(
        Notification.objects.filter(message_id=message).values_list(
            "recipient__username", flat=True
        )
    )


def _adjustment(people):
    zz = people["zz"]
    targets = {t.code: t for t in zz.category_targets.all()}
    return services.adjustment_create(
        user=people["jinshui"],
        plan=zz,
        reason="住宅用地需求减少",
        items=[
            {
                "kind": "move_area",
                "from_target": targets["residential"],
                "to_target": targets["commercial"],
                "area_ha": Decimal("10"),
            }
        ],
    )


def test_filing_notifies_the_jurisdictions_city_staff_only_and_approving_the_district(
    people, django_capture_on_commit_callbacks
):
    adj = _adjustment(people)
    with (
        time_machine.travel(datetime.datetime(2024, 5, 31, 16, 0, tzinfo=CST), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.adjustment_file(user=people["jinshui"], adjustment=adj)
    assert told("adjustment_filed") == {"zz_city"}  # not Beijing, not a district, not inactive
    with django_capture_on_commit_callbacks(execute=True):
        services.adjustment_approve(user=people["zz_city"], adjustment=adj, comment="同意")
    assert told("adjustment_approved") == {"staff_jinshui"}  # not erqi, not the city
    note = Notification.objects.get(message_id="adjustment_approved")
    assert note.url == f"/plans/adjustments/{adj.pk}/"


def test_rejecting_notifies_the_district(people, django_capture_on_commit_callbacks):
    adj = _adjustment(people)
    with time_machine.travel(datetime.datetime(2024, 5, 31, 16, 0, tzinfo=CST), tick=False):
        services.adjustment_file(user=people["jinshui"], adjustment=adj)
    with django_capture_on_commit_callbacks(execute=True):
        services.adjustment_reject(user=people["zz_city"], adjustment=adj, comment="理由不充分")
    assert told("adjustment_rejected") == {"staff_jinshui"}
    assert "理由不充分" in Notification.objects.get(message_id="adjustment_rejected").display_body


def test_a_refused_step_notifies_nobody(people, django_capture_on_commit_callbacks):
    """After the deadline the filing is refused: the rolled-back change tells no one."""
    adj = _adjustment(people)
    with (
        time_machine.travel(datetime.datetime(2024, 6, 4, 10, 0, tzinfo=CST), tick=False),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError),
    ):
        services.adjustment_file(user=people["jinshui"], adjustment=adj)
    assert not Notification.objects.exists()


def test_submission_steps_notify_who_acts_next(people, django_capture_on_commit_callbacks):
    district = District.objects.get(code="jinshui")
    ParcelFactory(
        district=district,
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal("12"),
    )
    submission = services.submission_start(user=people["jinshui"], plan=people["zz"])
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(user=people["jinshui"], submission=submission)
    assert told("submission_submitted") == {"zz_city"}
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_return(user=people["zz_city"], submission=submission, comment="补充")
    assert told("submission_returned") == {"staff_jinshui"}
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(user=people["jinshui"], submission=submission)
        services.submission_accept(user=people["zz_city"], submission=submission)
    assert told("submission_accepted") == {"staff_jinshui"}
    assert Notification.objects.filter(message_id="submission_submitted").count() == 2


def test_english_reader_sees_a_stored_notification_in_english(
    people, django_capture_on_commit_callbacks
):
    adj = _adjustment(people)
    with (
        time_machine.travel(datetime.datetime(2024, 5, 31, 16, 0, tzinfo=CST), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.adjustment_file(user=people["jinshui"], adjustment=adj)
    note = Notification.objects.get(message_id="adjustment_filed")
    with translation.override("zh-hans"):
        assert note.display_title == f"金水区 报送了计划调整申请 #{adj.pk}，待审批"
    with translation.override("en"):
        assert note.display_title == f"金水区 filed plan adjustment request #{adj.pk} for approval"
        assert "approve" in note.display_body


# --- reminders ------------------------------------------------------------------------------


def sweep(day):
    return services.plan_reminder_sweep(today=day)


def test_adjustment_deadline_reminded_30_and_7_days_ahead_once_to_district_staff(people):
    """Zhengzhou's deadline 1 June 2024 is a Saturday → Monday 3 June; 30 days ahead is 4 May."""
    assert sweep(datetime.date(2024, 5, 3)) == [] or not told("adjustment_deadline")
    assert not told("adjustment_deadline")  # 31 days ahead: nothing yet
    sweep(datetime.date(2024, 5, 4))
    sweep(datetime.date(2024, 5, 4))  # run twice: nothing twice
    assert told("adjustment_deadline") == {"staff_jinshui", "staff_erqi"}  # not Beijing
    assert Notification.objects.filter(message_id="adjustment_deadline").count() == 2
    sweep(datetime.date(2024, 5, 26))  # 8 days ahead: nothing new
    assert Notification.objects.filter(message_id="adjustment_deadline").count() == 2
    sweep(datetime.date(2024, 5, 27))  # 7 days ahead
    sweep(datetime.date(2024, 5, 27))
    assert Notification.objects.filter(message_id="adjustment_deadline").count() == 4
    sweep(datetime.date(2024, 6, 4))  # after the deadline: no reminder
    assert Notification.objects.filter(message_id="adjustment_deadline").count() == 4
    note = Notification.objects.filter(message_id="adjustment_deadline").first()
    with translation.override("zh-hans"):
        assert "2024-06-03" in note.display_title


def test_lead_times_are_data_of_the_rule_set(people):
    PlanRuleSet.objects.filter(jurisdiction=people["zz"].jurisdiction).update(
        reminder_lead_days="10"
    )
    sweep(datetime.date(2024, 5, 4))
    assert not told("adjustment_deadline")
    sweep(datetime.date(2024, 5, 24))
    assert told("adjustment_deadline") == {"staff_jinshui", "staff_erqi"}


def _supplied(code, area, on):
    return ParcelFactory(
        district=District.objects.get(code=code),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal(area),
        status=Parcel.Status.SUPPLIED,
        supplied_on=on,
        contract_number=f"C-{code}-{area}",
        transaction_price=Decimal("1000"),
        awardee="某公司",
    )


def test_milestone_reminder_goes_to_the_districts_behind_with_their_completion(people):
    """30 June 2024 requires 50 %: jinshui has supplied all it planned, erqi a quarter."""
    _supplied("jinshui", "20", datetime.date(2024, 4, 1))
    _supplied("erqi", "10", datetime.date(2024, 4, 1))
    ParcelFactory(
        district=District.objects.get(code="erqi"),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal("30"),
    )
    june = Milestone.objects.get(plan=people["zz"], due_on=datetime.date(2024, 6, 30))
    sweep(datetime.date(2024, 5, 31))  # 30 days ahead
    sweep(datetime.date(2024, 5, 31))
    assert told("milestone_due") == {"staff_erqi"}
    note = Notification.objects.get(message_id="milestone_due")
    assert note.params["reached"] == "25.00" and note.params["required"] == str(june.cumulative_pct)
    sweep(datetime.date(2024, 6, 23))  # 7 days ahead: once more
    sweep(datetime.date(2024, 6, 24))
    assert Notification.objects.filter(message_id="milestone_due").count() == 2


def test_missed_milestone_notifies_city_staff_and_the_district_once(people):
    _supplied("erqi", "10", datetime.date(2024, 4, 1))
    ParcelFactory(
        district=District.objects.get(code="erqi"),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal("30"),
    )
    sweep(datetime.date(2024, 6, 30))  # the milestone's own day is not over
    assert not told("milestone_missed")
    sweep(datetime.date(2024, 7, 1))
    sweep(datetime.date(2024, 7, 2))
    flag = MilestoneFlag.objects.get(district__code="erqi")
    erqi_notes = Notification.objects.filter(message_id="milestone_missed", params__scope="二七区")
    assert set(erqi_notes.values_list("recipient__username", flat=True)) == {
        "zz_city",
        "staff_erqi",
    }
    assert erqi_notes.count() == 2
    assert flag.reached_pct == Decimal("25.00")
    with translation.override("en"):
        whole = Notification.objects.filter(message_id="milestone_missed").exclude(
            params__scope="二七区"
        )
        assert all("city-wide plan" in n.display_title for n in whole)
        assert {n.recipient.username for n in whole} == {"zz_city"}


def test_a_parcel_pending_inclusion_counts_toward_no_milestone_reminder_nor_to_do(people):
    """A district parcel waiting for its adjustment (待纳入) is in no plan figure (parcels.figures):
    erqi's 10 ha of 40 planned is 25 % whatever the pending 30 ha supplied — the flag, the
    notices and the city staff's to-do say 25 %, not the 57 % counting it would give."""
    from landsupply.todo import todo_for_user

    _supplied("erqi", "10", datetime.date(2024, 4, 1))
    ParcelFactory(
        district=District.objects.get(code="erqi"),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal("30"),
    )
    pending = _supplied("erqi", "30", datetime.date(2024, 4, 2))
    Parcel.objects.filter(pk=pending.pk).update(inclusion_pending=True)
    sweep(datetime.date(2024, 5, 31))
    assert Notification.objects.get(message_id="milestone_due").params["reached"] == "25.00"
    sweep(datetime.date(2024, 7, 1))
    assert MilestoneFlag.objects.get(district__code="erqi").reached_pct == Decimal("25.00")
    items = [
        item
        for item in todo_for_user(people["zz_city"], on=datetime.date(2024, 7, 1))
        if item.kind == "milestone_missed" and "二七区" in item.title
    ]
    assert len(items) == 1 and "25.00%" in items[0].title
