"""Reminder lead times (提醒提前天数): how many days before a deadline people are reminded.

Lead times are data of the jurisdiction — `LeaseRuleSet.reminder_lead_days` (contracts, table C)
and `PlanRuleSet.reminder_lead_days` (the R7 adjustment deadline and the R6 milestones) — written
as comma-separated days ("30,7"). Pure functions; the lease reminders and the plan reminders
both pick the lead time that applies today here.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_lead_days(value: str) -> None:
    """Raise ValidationError unless `value` is comma-separated positive whole days."""
    try:
        leads = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise ValidationError(_("提醒提前天数须为逗号分隔的正整数，例如 90,30,7。")) from exc
    if not leads or any(lead <= 0 for lead in leads):
        raise ValidationError(_("提醒提前天数须为逗号分隔的正整数，例如 90,30,7。"))


def parse_lead_days(value: str) -> tuple[int, ...]:
    """Return the positive lead times of `value` ("30,7"), largest first; junk is ignored."""
    return tuple(
        sorted(
            {int(p) for p in value.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True
        )
    )


def reminder_lead_for(
    *, due: datetime.date, today: datetime.date, leads: tuple[int, ...]
) -> int | None:
    """Return the reminder lead time (days) that applies today for a deadline on `due`:
    the smallest lead L with due − today ≤ L, so a missed day is caught up without sending
    the longer leads late; 0 means overdue (today after due). None when nothing is due yet.

    Table C (DOMAIN.md); lead times are the rule set's reminder_lead_days.
    """
    days_left = (due - today).days
    if days_left < 0:
        return 0
    fitting = [lead for lead in leads if lead > 0 and days_left <= lead]
    return min(fitting) if fitting else None


def reminder_first_look(
    *, due: datetime.date | None, leads: tuple[int, ...]
) -> datetime.date | None:
    """Return the first day a reminder of a deadline on `due` applies: due − the largest lead
    time (days), or the day after `due` (the overdue reminder) when there is no lead time.
    None when there is no deadline. The sweep reads a contract only from this day on (its
    indexed Contract.reminder_next_on), so a day costs the reminders due, not the contracts.

    Table C (DOMAIN.md); lead times are the rule set's reminder_lead_days.
    """
    if due is None:
        return None
    positive = [lead for lead in leads if lead > 0]
    return (
        due - datetime.timedelta(days=max(positive))
        if positive
        else due + datetime.timedelta(days=1)
    )


def reminder_next_look(
    *, due: datetime.date, today: datetime.date, leads: tuple[int, ...]
) -> datetime.date | None:
    """Return the next day after `today` on which reminder_lead_for picks another lead time for
    a deadline on `due` (a shorter lead's window opens: due − lead; or the day after due: the
    overdue reminder), or None when nothing is left to remind. Between today and that day the
    reminder that applies is the one sent today, so the sweep need not read the contract.

    Table C (DOMAIN.md).
    """
    days = [due - datetime.timedelta(days=lead) for lead in leads if lead > 0]
    days.append(due + datetime.timedelta(days=1))
    later = [day for day in days if day > today]
    return min(later) if later else None
