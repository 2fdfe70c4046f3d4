"""Celery tasks of the assessments app: thin wrappers around services."""

import logging

from celery import shared_task

from assessments import services

logger = logging.getLogger(__name__)


@shared_task(name="assessments.tasks.reminder_sweep_task")
def reminder_sweep_task(today: str | None = None) -> int:
    """Run the daily reminder sweep (Celery beat, see settings.CELERY_BEAT_SCHEDULE).

    `today` (ISO date) overrides the local date; returns the number of reminders sent.
    Table C; exactly once per (contract, deadline, lead time): see services.reminder_sweep.
    """
    import datetime

    day = datetime.date.fromisoformat(today) if today else None
    sent = services.reminder_sweep(today=day)
    logger.info("reminder sweep sent %d reminders", len(sent))
    return len(sent)
