"""Celery tasks of the parcels app: thin wrappers around services."""

from celery import shared_task

from parcels.imports import parcel_import_check, parcel_import_expire_stale, parcel_import_run


@shared_task
def parcel_import_check_task(parcel_import_id: int) -> None:
    """Check every cell of an uploaded ledger (see parcels.imports.parcel_import_check)."""
    parcel_import_check(parcel_import_id=parcel_import_id)


@shared_task
def parcel_import_run_task(parcel_import_id: int) -> None:
    """Write a confirmed ledger import (see parcels.imports.parcel_import_run)."""
    parcel_import_run(parcel_import_id=parcel_import_id)


@shared_task
def parcel_import_expire_task() -> int:
    """Fail imports whose worker died (see parcels.imports.parcel_import_expire_stale)."""
    return parcel_import_expire_stale()
