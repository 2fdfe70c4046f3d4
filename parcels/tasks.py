"""Celery tasks of the parcels app: thin wrappers around services."""

from celery import shared_task

from parcels.imports import parcel_import_run


@shared_task
def parcel_import_run_task(parcel_import_id: int) -> None:
    """Write a confirmed ledger import (see parcels.imports.parcel_import_run)."""
    parcel_import_run(parcel_import_id=parcel_import_id)
