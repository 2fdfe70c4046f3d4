"""Bench contracts: copies of one awarded contract on many parcels, for bench/run.py's
reminder sweep (imported after django.setup())."""

from datetime import timedelta


def contract_copies(template, numbered_parcels, enterprises, *, prefix, batch_size=5000) -> None:
    """bulk_create a copy of `template` (a Contract) on each parcel of `numbered_parcels`
    ([(i, parcel id)]), numbered f"{prefix}C{i:07d}", spread like a city's book: lease dates
    shifted over five years, 85 % leasing, 5 % each assessment applied, passed (notice 60 days
    before the lease ends, transfer due 15 days later) and failed. bulk_create bypasses
    Contract.save: callers set the reminder schedule afterwards
    (assessments.services.reminder_schedule_reset), as after any bulk load."""
    from assessments.models import Contract

    S = Contract.State
    fields = {f.attname: getattr(template, f.attname) for f in Contract._meta.concrete_fields}
    date_fields = [f.attname for f in Contract._meta.concrete_fields
                   if f.get_internal_type() == "DateField" and fields[f.attname]]  # fmt: skip
    batch = []
    for i, parcel_id in numbered_parcels:
        shift = timedelta(days=i % 1826 - 913)  # lease starts spread over five years
        values = {**fields, "id": None, "parcel_id": parcel_id, "number": f"{prefix}C{i:07d}",
                  "enterprise_id": enterprises[i % len(enterprises)].pk, "state": S.LEASING}  # fmt: skip
        for name in date_fields:
            values[name] = fields[name] + shift
        kind = i % 20
        if kind == 1:
            values["state"] = S.ASSESSMENT_APPLIED
        elif kind == 2:
            values["state"] = S.PASSED
            values["notice_date"] = values["lease_end"] - timedelta(days=60)
            values["transfer_application_due"] = values["notice_date"] + timedelta(days=15)
        elif kind == 3:
            values["state"] = S.FAILED
            values["notice_date"] = values["lease_end"] - timedelta(days=60)
        batch.append(Contract(**values))
        if len(batch) == batch_size:
            Contract.objects.bulk_create(batch)
            batch = []
    Contract.objects.bulk_create(batch)
