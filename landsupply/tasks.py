"""Celery tasks of the ground-floor app: thin wrappers around its services."""

from celery import shared_task

from landsupply.export_jobs import export_job_run


@shared_task
def export_job_run_task(export_job_id: int) -> None:
    """Write the file of a queued export job (see landsupply.export_jobs.export_job_run)."""
    export_job_run(job_id=export_job_id)
