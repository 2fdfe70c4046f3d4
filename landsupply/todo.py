"""The to-do list (待办): what waits for a user's action now, composed once from the apps'
selectors (plans.selectors.todo_for_user, assessments.selectors.todo_for_user).

Each app answers for its own objects with a fixed number of queries whatever the number of rows,
so the list and the count in the navigation cost the same for one item or a thousand. "Today"
is `today()` (the local date, Asia/Shanghai) unless a caller passes a date, so tests pass one.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class TodoItem:
    """One thing a user must do: what (title, in the reader's language), since when it waits
    (`since`), by when (`deadline`, None when no rule sets one), the rule, and where to act."""

    kind: str
    title: str
    since: datetime.date
    deadline: datetime.date | None
    url: str
    rule: str = ""

    def days_left(self, today: datetime.date) -> int | None:
        return None if self.deadline is None else (self.deadline - today).days


def today() -> datetime.date:
    """The date the to-do list is computed for: the local date (Asia/Shanghai)."""
    return timezone.localdate()


def todo_for_user(user, *, on: datetime.date | None = None) -> list[TodoItem]:
    """Return the user's to-do items, oldest first (since, then deadline, then title).

    City staff: filed adjustments, submitted lists, missed milestones; district staff: returned
    lists, assessments to decide, contracts with a deadline this month, a failed assessment's
    exit, applications to decide; enterprise: indicator reports due, applications due, the
    transfer window after a passed assessment. Nothing for the platform administrator.
    """
    from assessments.selectors import todo_for_user as contract_todo
    from plans.selectors import todo_for_user as plan_todo

    if user is None or not user.is_authenticated or user.is_platform_admin:
        return []
    on = on or today()
    items = plan_todo(user=user, today=on) + contract_todo(user=user, today=on)
    far = datetime.date.max
    return sorted(items, key=lambda i: (i.since, i.deadline or far, i.title))
