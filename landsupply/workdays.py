"""Working days and the end of a period whose last day is a rest day (民法典 第二百零三条).

"期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。" A rest day is a Saturday or
Sunday that is not a make-up working day (调休上班), or a statutory holiday (法定节假日). The
holidays and make-up days are data (landsupply.models.CalendarDay), entered per year as the State
Council publishes them; a year not entered yet counts weekends only.

`period_end` is the pure rule (dates in, date out); `deadline` reads the calendar and applies it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection

# The longest run of rest days the State Council has arranged is 9 days (Spring Festival /
# National Day with weekends); the window read from the calendar covers it with room to spare.
WINDOW_DAYS = 31


def is_working_day(
    day: datetime.date,
    *,
    holidays: Collection[datetime.date],
    workdays: Collection[datetime.date],
) -> bool:
    """Return True when `day` is a working day: a make-up working day, or a weekday that is not
    a statutory holiday. 民法典 第二百零三条 (法定休假日), 国务院 全国年节及纪念日放假办法."""
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def period_end(
    last_day: datetime.date,
    *,
    holidays: Collection[datetime.date],
    workdays: Collection[datetime.date],
) -> datetime.date:
    """Return the last day of a period whose nominal last day is `last_day`: the day itself when
    it is a working day, else the next working day after the rest days.

    Rule 民法典 第二百零三条 第一款.
    """
    day = last_day
    while not is_working_day(day, holidays=holidays, workdays=workdays):
        day += datetime.timedelta(days=1)
    return day


def deadline(last_day: datetime.date) -> datetime.date:
    """Return `last_day` moved to the next working day when it is a rest day, reading the
    holiday calendar (one query over a one-month window). 民法典 第二百零三条."""
    from landsupply.models import CalendarDay

    rows = CalendarDay.objects.filter(
        day__range=(last_day, last_day + datetime.timedelta(days=WINDOW_DAYS))
    ).values_list("day", "kind")
    holidays = {day for day, kind in rows if kind == CalendarDay.Kind.HOLIDAY}
    workdays = {day for day, kind in rows if kind == CalendarDay.Kind.WORKDAY}
    return period_end(last_day, holidays=holidays, workdays=workdays)


def calendar_years() -> list[int]:
    """Return the years for which holidays are entered (ascending)."""
    from landsupply.models import CalendarDay

    return [d.year for d in CalendarDay.objects.dates("day", "year")]


def deadline_function() -> Callable[[datetime.date], datetime.date]:
    """Return a function like `deadline` over the whole calendar read once (one query), for
    code that moves many deadlines (consistency checks, bulk recomputation)."""
    from landsupply.models import CalendarDay

    rows = list(CalendarDay.objects.values_list("day", "kind"))
    holidays = frozenset(day for day, kind in rows if kind == CalendarDay.Kind.HOLIDAY)
    workdays = frozenset(day for day, kind in rows if kind == CalendarDay.Kind.WORKDAY)

    def moved(last_day: datetime.date) -> datetime.date:
        return period_end(last_day, holidays=holidays, workdays=workdays)

    return moved
