"""The one claim-once mechanism: a job (a reminder, a digest, a notice) is done only by the
sweep whose statement inserted its unique key.

Following healthchecks' sendalerts and Zulip's deliver_scheduled_messages (docs/STYLE): the
sweep finds what is due, claims every item in one statement, and does only what it claimed, so
running a sweep twice, or in two workers at once, does nothing twice. The lease reminders
(assessments.ReminderDelivery) use the same statement shape on their own table, because a
reminder's row also carries its e-mail attempts and the take-over of a killed sweep's claims.
"""

import datetime
import json
from collections.abc import Iterable

from django.db import connection as db_connection
from django.utils import timezone

from landsupply.models import Claim


def rows_source(columns: list[tuple[str, str]], rows: list[tuple]) -> tuple[str, list]:
    """Return (a SELECT yielding `rows` with the named columns, its parameters): the rows of a
    one-statement claim or update travel as arrays (PostgreSQL, unnest) or as one JSON document
    (SQLite, json_each), one statement whatever their number.

    columns: (name, PostgreSQL array element type) pairs.
    """
    if db_connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{pg_type}[]" for _name, pg_type in columns)
        names = ", ".join(name for name, _type in columns)
        return f"SELECT * FROM unnest({arrays}) AS r({names})", [
            list(col) for col in zip(*rows, strict=True)
        ]
    extract = ", ".join(
        f"json_extract(value, '$[{i}]') AS {name}" for i, (name, _type) in enumerate(columns)
    )
    document = json.dumps(
        [[v.isoformat() if isinstance(v, datetime.date) else v for v in row] for row in rows]
    )
    return f"SELECT {extract} FROM json_each(%s)", [document]


def claim(keys: Iterable[str], *, now: datetime.datetime | None = None) -> set[str]:
    """Return the keys of `keys` that this call claimed: those nobody had claimed before.

    One INSERT … ON CONFLICT DO NOTHING … RETURNING statement: under concurrency the unique
    index makes the second inserter wait for the first and then skip the key. Commit (leave
    the atomic block) before doing the job if a failure of the job should not undo the claim.
    """
    keys = sorted(set(keys))
    if not keys:
        return set()
    table = Claim._meta.db_table
    claimed_at = Claim._meta.get_field("claimed_at").get_db_prep_value(
        now or timezone.now(), db_connection
    )
    source, params = rows_source([("claim_key", "varchar")], [(k,) for k in keys])
    sql = f"""
        INSERT INTO {table} ("key", claimed_at)
        SELECT s.claim_key, %s FROM ({source}) AS s WHERE true
        ON CONFLICT ("key") DO NOTHING
        RETURNING "key"
    """
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [claimed_at, *params])
        return {row[0] for row in cursor.fetchall()}


def release(keys: Iterable[str]) -> int:
    """Give up the claims of `keys` (the job failed and the next sweep should do it); return
    how many were released."""
    deleted, _detail = Claim.objects.filter(key__in=list(keys)).delete()
    return deleted
