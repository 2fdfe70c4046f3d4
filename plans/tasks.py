"""Celery tasks of plans. Thin: they call a service."""

from celery import shared_task

from plans import services


@shared_task
def milestone_check_task() -> int:
    """Flag the milestones passed without being met (R6); return how many flags were created.

    Runs daily from Celery beat (CELERY_BEAT_SCHEDULE "daily-milestone-check"); idempotent.
    """
    return len(services.milestone_flags_record())


@shared_task(name="plans.tasks.plan_reminder_sweep_task")
def plan_reminder_sweep_task(today: str | None = None) -> int:
    """Send the R7 adjustment-deadline and R6 milestone reminders and missed-milestone notices
    due today (Celery beat "daily-plan-reminders"); `today` (ISO date) overrides the local date.
    Exactly once per notice (services.plan_reminder_sweep); returns how many were sent."""
    import datetime

    day = datetime.date.fromisoformat(today) if today else None
    return len(services.plan_reminder_sweep(today=day))
