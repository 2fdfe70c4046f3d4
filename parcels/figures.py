"""Kept plan figures: sums of the parcels that count, maintained by database triggers.

The plan pages (plans.selectors: plan_progress, milestone_matrix, plan_ranking, plan_report)
read three small tables instead of scanning the parcels, so they cost the same at any number
of parcels:

- ``PlanFigure``: per key (plan year, district, category, ring, land source, key function area,
  near rail): planned area, supplied area (any date), parcel count;
- ``PlanFigureDay``: the same key and the supply date: supplied area (for figures as of a past
  date, the supplies after it are subtracted);
- ``DistrictSupplyDay``: per plan year, district and supply date (milestones, the curve).

Areas are kept in square metres (0.0001 ha, the parcels' own precision) as integers, so the
sums are exact on SQLite as on PostgreSQL and equal a full scan to the last digit.

Why triggers (README "Performance"): every parcel write — services, the ledger import's COPY,
the admin, history revert, bulk updates and deletes, raw SQL — changes the sums in the same
transaction without each path having to remember it. PostgreSQL: one statement-level trigger
per INSERT/UPDATE/DELETE reading the transition tables (a COPY of 20,000 rows is one grouped
upsert, sorted by key so concurrent writers lock rows in one order); SQLite (the development
default): row-level triggers with the same upserts. The upsert adds a difference
(``sum = sum + excluded.sum``), so two transactions writing parcels of one district at once
both count: the second waits for the first's row and adds to what it committed.

Which parcels count is decided in ONE place, ``member_sql``. Changing it needs a migration that
calls ``install`` and ``rebuild`` (the triggers are SQL built from it).
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db import transaction

from parcels.models import KEY_FIELDS, DistrictSupplyDay, Parcel, PlanFigure, PlanFigureDay

PARCEL_TABLE = Parcel._meta.db_table
FIGURE_TABLE = PlanFigure._meta.db_table
FIGURE_DAY_TABLE = PlanFigureDay._meta.db_table
DISTRICT_DAY_TABLE = DistrictSupplyDay._meta.db_table
TABLES = (FIGURE_TABLE, FIGURE_DAY_TABLE, DISTRICT_DAY_TABLE)
OPERATIONS = ("insert", "update", "delete")


def member_sql(p: str) -> str:
    """SQL condition on parcel row alias `p`: the parcel counts in plan figures (planned, and
    supplied when supplied). The one membership rule of plan figures: a withdrawn parcel (调出)
    counts nowhere (R6), nor does one pending inclusion (待纳入, R7) until an approved
    adjustment takes it in (the SQL twin of ``Parcel.objects.counted_in_plan()``). Used by the
    triggers, the rebuild, the check and plan_progress's exclusions."""
    return f"{p}.status <> '{Parcel.Status.WITHDRAWN}' AND NOT {p}.inclusion_pending"


def _delta_select(p: str, table: str, sign: int) -> str:
    """SELECT of one signed contribution per member row of `table` (alias `p`)."""
    return (
        f"SELECT {p}.plan_year AS plan_year, {p}.district_id AS district_id, "
        f"{p}.category_id AS category_id, COALESCE({p}.ring_id, 0) AS ring_id, "
        f"{p}.land_source AS land_source, {p}.in_key_function_area AS in_key_function_area, "
        f"{p}.near_rail AS near_rail, "
        f"{sign} * CAST(ROUND({p}.area_ha * 10000) AS BIGINT) AS m2, "
        f"CASE WHEN {p}.status = '{Parcel.Status.SUPPLIED}' THEN {p}.supplied_on END "
        f"AS supplied_on, {sign} AS n "
        f"FROM {table} {p} WHERE {member_sql(p)}"
    )


KEY = ", ".join(KEY_FIELDS)


def _upserts(source: str) -> list[str]:
    """The three upserts that add the signed rows of `source` (a SELECT, see _delta_select) to
    the kept tables. Groups that add nothing (an edit of a name) touch no row."""
    supplied = "CASE WHEN d.supplied_on IS NOT NULL THEN d.m2 ELSE 0 END"
    return [
        f"""INSERT INTO {FIGURE_TABLE} ({KEY}, planned_m2, supplied_m2, parcels)
            SELECT {KEY}, SUM(d.m2), SUM({supplied}), SUM(d.n) FROM ({source}) d
             WHERE true GROUP BY {KEY}
            HAVING SUM(d.m2) <> 0 OR SUM({supplied}) <> 0 OR SUM(d.n) <> 0 ORDER BY {KEY}
            ON CONFLICT ({KEY}) DO UPDATE SET
               planned_m2 = {FIGURE_TABLE}.planned_m2 + excluded.planned_m2,
               supplied_m2 = {FIGURE_TABLE}.supplied_m2 + excluded.supplied_m2,
               parcels = {FIGURE_TABLE}.parcels + excluded.parcels""",
        f"""INSERT INTO {FIGURE_DAY_TABLE} ({KEY}, supplied_on, supplied_m2, parcels)
            SELECT {KEY}, d.supplied_on, SUM(d.m2), SUM(d.n) FROM ({source}) d
             WHERE d.supplied_on IS NOT NULL GROUP BY {KEY}, d.supplied_on
            HAVING SUM(d.m2) <> 0 OR SUM(d.n) <> 0 ORDER BY {KEY}, d.supplied_on
            ON CONFLICT ({KEY}, supplied_on) DO UPDATE SET
               supplied_m2 = {FIGURE_DAY_TABLE}.supplied_m2 + excluded.supplied_m2,
               parcels = {FIGURE_DAY_TABLE}.parcels + excluded.parcels""",
        f"""INSERT INTO {DISTRICT_DAY_TABLE} (plan_year, district_id, supplied_on, supplied_m2,
                                              parcels)
            SELECT d.plan_year, d.district_id, d.supplied_on, SUM(d.m2), SUM(d.n)
              FROM ({source}) d WHERE d.supplied_on IS NOT NULL
             GROUP BY d.plan_year, d.district_id, d.supplied_on
            HAVING SUM(d.m2) <> 0 OR SUM(d.n) <> 0
             ORDER BY d.plan_year, d.district_id, d.supplied_on
            ON CONFLICT (plan_year, district_id, supplied_on) DO UPDATE SET
               supplied_m2 = {DISTRICT_DAY_TABLE}.supplied_m2 + excluded.supplied_m2,
               parcels = {DISTRICT_DAY_TABLE}.parcels + excluded.parcels""",
    ]


def _postgresql_statements() -> list[str]:
    statements = []
    sources = {
        "insert": _delta_select("p", "new_rows", 1),
        "delete": _delta_select("p", "old_rows", -1),
        "update": _delta_select("p", "old_rows", -1)
        + " UNION ALL "
        + _delta_select("p", "new_rows", 1),
    }
    referencing = {
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
        "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    for op in OPERATIONS:
        name = f"parcels_figures_{op}"
        body = ";\n".join(_upserts(sources[op]))
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {PARCEL_TABLE}",
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
            f"BEGIN\n{body};\nRETURN NULL;\nEND\n$f$",
            f"CREATE TRIGGER {name} AFTER {op.upper()} ON {PARCEL_TABLE} {referencing[op]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite_statements() -> list[str]:
    statements = []

    def single(row: str, sign: int) -> str:
        columns = (
            "plan_year, district_id, category_id, ring_id, land_source, in_key_function_area, "
            "near_rail, area_ha, status, supplied_on, inclusion_pending"
        )
        values = ", ".join(f"{row}.{c.strip()} AS {c.strip()}" for c in columns.split(","))
        return _delta_select("p", f"(SELECT {values})", sign)

    # The last parcel gone (a test database flushed table by table, in any order): no sum can
    # be left, whatever was deleted first.
    emptied = [
        f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM {PARCEL_TABLE})" for table in TABLES
    ]
    bodies = {
        "insert": _upserts(single("NEW", 1)),
        "delete": _upserts(single("OLD", -1)) + emptied,
        "update": _upserts(single("OLD", -1)) + _upserts(single("NEW", 1)),
    }
    for op in OPERATIONS:
        name = f"parcels_figures_{op}"
        body = ";\n".join(bodies[op])
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {op.upper()} ON {PARCEL_TABLE} FOR EACH ROW "
            f"BEGIN\n{body};\nEND",
        ]
    return statements


def install(connection=None) -> None:
    """(Re)create the triggers that keep the figures, for the connection's database
    (PostgreSQL or SQLite). Idempotent. Does not rebuild the sums: call rebuild()."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        statements = _postgresql_statements()
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements()
    else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def rebuild(connection=None) -> None:
    """Recompute every kept figure from the parcels, in one transaction. On PostgreSQL parcel
    writes wait meanwhile (SHARE lock on the parcels), so nothing is missed."""
    connection = connection or default_connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {PARCEL_TABLE} IN SHARE MODE")
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
        for statement in _upserts(_delta_select("p", PARCEL_TABLE, 1)):
            cursor.execute(statement)


def _stored(cursor, table: str, key: str, values: str) -> dict:
    cursor.execute(f"SELECT {key}, {values} FROM {table}")
    width = len(key.split(","))
    return {
        tuple(row[:width]): tuple(int(v) for v in row[width:])
        for row in cursor.fetchall()
        if any(row[width:])
    }


def _normal(key: tuple) -> tuple:
    """Keys as comparable values (SQLite returns dates as text and booleans as 0/1)."""
    return tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in key)


def differences(connection=None) -> list[dict]:
    """Return how the kept figures differ from a full scan of the parcels: one dict per
    differing row {"table", "key", "kept", "scan"} (an empty list when they agree). Reads every
    parcel once (for check_consistency, not for pages)."""
    connection = connection or default_connection
    scan = _delta_select("p", PARCEL_TABLE, 1)
    specs = [
        (FIGURE_TABLE, KEY, "planned_m2, supplied_m2, parcels"),
        (FIGURE_DAY_TABLE, f"{KEY}, supplied_on", "supplied_m2, parcels"),
        (DISTRICT_DAY_TABLE, "plan_year, district_id, supplied_on", "supplied_m2, parcels"),
    ]
    expected_sql = [
        f"SELECT {KEY}, SUM(d.m2), SUM(CASE WHEN d.supplied_on IS NOT NULL THEN d.m2 ELSE 0 END),"
        f" SUM(d.n) FROM ({scan}) d GROUP BY {KEY}",
        f"SELECT {KEY}, d.supplied_on, SUM(d.m2), SUM(d.n) FROM ({scan}) d "
        f"WHERE d.supplied_on IS NOT NULL GROUP BY {KEY}, d.supplied_on",
        "SELECT d.plan_year, d.district_id, d.supplied_on, SUM(d.m2), SUM(d.n) "
        f"FROM ({scan}) d WHERE d.supplied_on IS NOT NULL "
        "GROUP BY d.plan_year, d.district_id, d.supplied_on",
    ]
    found = []
    # One snapshot for both sides (PostgreSQL; inside an outer transaction, that one's).
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if snapshot:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for (table, key, values), sql in zip(specs, expected_sql, strict=True):
            kept = {_normal(k): v for k, v in _stored(cursor, table, key, values).items()}
            cursor.execute(sql)
            width = len(key.split(","))
            scanned = {
                _normal(tuple(row[:width])): tuple(int(v) for v in row[width:])
                for row in cursor.fetchall()
                if any(row[width:])
            }
            for k in sorted(set(kept) | set(scanned), key=repr):
                if kept.get(k) != scanned.get(k):
                    found.append(
                        {"table": table, "key": k, "kept": kept.get(k), "scan": scanned.get(k)}
                    )
    return found
