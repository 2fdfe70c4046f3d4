"""Celery tasks of plans. Thin: they call a service."""

from celery import shared_task

from plans import services


@shared_task
def milestone_check_task() -> int:
    """Flag the milestones passed without being met (R6); return how many flags were created.

    Runs daily from Celery beat (CELERY_BEAT_SCHEDULE "daily-milestone-check"); idempotent.
    """
    return len(services.milestone_flags_record())
