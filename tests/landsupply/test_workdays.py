"""Deadlines on rest days move to the next working day (民法典 第二百零三条); the holiday
calendar is seeded from chinesecalendar and editable in the admin."""

import datetime

import pytest
from django.urls import reverse

from landsupply import workdays
from landsupply.models import CalendarDay
from landsupply.seed import seed_calendar
from tests.factories import PlatformAdminFactory

D = datetime.date
NONE: frozenset = frozenset()


def test_a_working_day_stays():
    assert workdays.period_end(D(2024, 6, 3), holidays=NONE, workdays=NONE) == D(2024, 6, 3)


def test_a_weekend_moves_to_monday_but_not_further():
    assert workdays.period_end(D(2024, 6, 1), holidays=NONE, workdays=NONE) == D(2024, 6, 3)
    assert workdays.period_end(D(2024, 6, 2), holidays=NONE, workdays=NONE) == D(2024, 6, 3)
    assert workdays.period_end(D(2024, 5, 31), holidays=NONE, workdays=NONE) == D(2024, 5, 31)


def test_a_holiday_run_moves_past_its_last_day():
    national_day = {D(2024, 10, d) for d in range(1, 8)}
    assert workdays.period_end(D(2024, 10, 1), holidays=national_day, workdays=NONE) == D(
        2024, 10, 8
    )
    assert workdays.period_end(D(2024, 10, 7), holidays=national_day, workdays=NONE) == D(
        2024, 10, 8
    )


def test_a_make_up_working_day_on_a_weekend_is_a_working_day():
    # 2024-10-12 (Saturday) was a make-up working day for National Day.
    assert workdays.period_end(D(2024, 10, 12), holidays=NONE, workdays={D(2024, 10, 12)}) == D(
        2024, 10, 12
    )
    assert workdays.is_working_day(D(2024, 10, 12), holidays=NONE, workdays={D(2024, 10, 12)})
    assert not workdays.is_working_day(D(2024, 10, 13), holidays=NONE, workdays={D(2024, 10, 12)})


@pytest.mark.django_db
def test_seeded_calendar_moves_dragon_boat_2025_and_keeps_staff_edits():
    added = seed_calendar()
    assert added > 700
    assert CalendarDay.objects.get(day=D(2025, 6, 2)).name == "端午节"
    # 31 May – 2 June 2025 was the Dragon Boat holiday: 1 June ends on Tuesday 3 June.
    assert workdays.deadline(D(2025, 6, 1)) == D(2025, 6, 3)
    assert workdays.deadline(D(2025, 6, 3)) == D(2025, 6, 3)
    # 2025-09-28 (Sunday) was a make-up working day.
    assert workdays.deadline(D(2025, 9, 28)) == D(2025, 9, 28)
    assert workdays.deadline_function()(D(2025, 6, 1)) == D(2025, 6, 3)
    assert 2025 in workdays.calendar_years()

    day = CalendarDay.objects.get(day=D(2025, 6, 2))
    day.name = "端午节（已核对）"
    day.save()
    assert seed_calendar() == 0
    assert CalendarDay.objects.get(day=D(2025, 6, 2)).name == "端午节（已核对）"


@pytest.mark.django_db
def test_the_platform_administrator_adds_a_year_in_the_admin(client):
    client.force_login(PlatformAdminFactory())
    response = client.post(
        reverse("admin:landsupply_calendarday_add"),
        {"day": "2030-01-01", "kind": "holiday", "name": "元旦", "source": "国办发明电〔2029〕X号"},
    )
    assert response.status_code == 302
    assert workdays.deadline(D(2030, 1, 1)) == D(2030, 1, 2)
