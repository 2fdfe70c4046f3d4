#!/usr/bin/env python
"""Performance figures for landsupply (`make bench`; not part of the test run).

Builds its own data in the database named by DATABASE_URL (use a dedicated one, e.g.
postgres://postgres@127.0.0.1:5432/landsupply_bench), measures, and prints one line per figure
with its comparison measured side by side in the same run. Bench parcels have codes starting
with BENCH- and are removed at the end; reference data (districts, categories) is seeded
idempotently.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/landsupply_bench .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --only import      # one group: import, memory, sweep, pages, geo
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landsupply.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

import django  # noqa: E402


def ensure_database():
    """Create the PostgreSQL database DATABASE_URL names if it does not exist yet."""
    import dj_database_url

    settings = dj_database_url.parse(os.environ.get("DATABASE_URL", "sqlite:///bench.sqlite3"))
    if "postgresql" not in settings["ENGINE"]:
        return
    import psycopg

    dsn = {
        k: v
        for k, v in {
            "host": settings["HOST"],
            "port": settings["PORT"] or None,
            "user": settings["USER"],
            "password": settings["PASSWORD"] or None,
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{settings["NAME"]}"')


ensure_database()
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from landsupply.models import District, User  # noqa: E402
from landsupply.seed import seed_jurisdictions  # noqa: E402
from parcels.models import LandUseCategory, Parcel  # noqa: E402
from parcels.seed import seed_land_use_categories  # noqa: E402

PREFIX = "BENCH-"
IMPORT_ROWS = 20_000
DEFAULT_PATH_ROWS = 2_000
MEMORY_ROWS = 100_000
PAGE_PARCELS = 100_000
REQUESTS = 50

HEADER = [
    "地块编号", "地块名称", "区", "坐落", "用地类型", "面积", "面积单位", "存量/新增", "供应方式",
    "计划年度", "计划季度", "重点功能区", "轨道站点周边", "状态", "供应日期", "成交价（元）",
]  # fmt: skip


def line(label, value, comparison=""):
    print(f"{label:<58} {value:>16}  {comparison}", flush=True)


def setup_reference():
    seed_jurisdictions()
    seed_land_use_categories()
    user, _ = User.objects.get_or_create(
        username="bench_city",
        defaults={
            "role": User.Role.CITY,
            "jurisdiction": District.objects.get(code="haidian").jurisdiction,
        },
    )
    return user


def ledger_rows(n, start=0):
    districts = list(
        District.objects.filter(jurisdiction__code="beijing").values_list("name", flat=True)
    )
    categories = list(LandUseCategory.objects.values_list("name", flat=True))
    methods = ["挂牌", "招标", "拍卖", "协议", "划拨", "先租后让"]
    for i in range(start, start + n):
        supplied = i % 3 == 0
        yield [
            f"{PREFIX}{i:07d}",
            f"测试地块{i}",
            districts[i % len(districts)],
            f"某某路{i % 500}号",
            categories[i % len(categories)],
            f"{(i % 997) + 1}.{i % 10000:04d}",
            "公顷",
            "存量" if i % 2 else "新增",
            methods[i % len(methods)],
            2024,
            (i % 4) + 1,
            "是" if i % 5 == 0 else "否",
            "是" if i % 7 == 0 else "否",
            "已供应" if supplied else "计划供应",
            f"2024/{(i % 12) + 1}/{(i % 28) + 1}" if supplied else "",
            f"{(i % 900 + 100) * 10000}.00" if supplied else "",
        ]


def write_xlsx(path, n, start=0):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("地块台账")
    sheet.append(HEADER)
    for row in ledger_rows(n, start):
        sheet.append(row)
    workbook.save(path)


def clear_bench_parcels():
    """Remove bench parcels and their history without per-row signals."""
    from boundaries.models import ParcelBoundary

    with transaction.atomic():
        ParcelBoundary.objects.filter(
            parcel_id__in=Parcel.objects.filter(code__startswith=PREFIX).values("pk")
        )._raw_delete(connection.alias)
        Parcel.history.filter(code__startswith=PREFIX)._raw_delete(connection.alias)
        Parcel.objects.filter(code__startswith=PREFIX)._raw_delete(connection.alias)
    vacuum()


def vacuum():
    """Reclaim the space of deleted bench rows and refresh the planner's statistics, so that
    repeated runs measure a healthy table, not one bloated by the previous run's rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE parcels_parcel")
            cursor.execute("VACUUM ANALYZE parcels_historicalparcel")
            cursor.execute("VACUUM ANALYZE boundaries_parcelboundary")


def fresh_query_log(conn):
    """CaptureQueriesContext on an emptied query log: the log keeps 9,000 queries at most, and
    once full (after building bench data) the context would count 0 for any statement."""
    conn.queries_log.clear()
    return CaptureQueriesContext(conn)


class StatementCount:
    """connection.execute_wrapper that counts the statements sent (no cap, unlike the log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def limit_path(path):
    """Fastest parse (python-calamine) + plain bulk_create of the same rows, no checks, no history."""
    from python_calamine import CalamineWorkbook

    districts = {d.name: d for d in District.objects.all()}
    categories = {c.name: c.pk for c in LandUseCategory.objects.all()}
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
    parcels = [
        Parcel(
            district_id=districts[r[2]].pk,
            ring_id=districts[r[2]].default_ring_id,
            code=r[0],
            name=r[1],
            location=r[3],
            category_id=categories[r[4]],
            area_ha=Decimal(str(r[5])),
            land_source="stock" if r[7] == "存量" else "new",
            supply_method="listing",
            in_key_function_area=r[11] == "是",
            near_rail=r[12] == "是",
            plan_year=int(r[9]),
            planned_quarter=int(r[10]),
            status="supplied" if r[13] == "已供应" else "planned",
            supplied_on=date(*map(int, r[14].split("/"))) if r[14] else None,
        )
        for r in rows
    ]
    Parcel.objects.bulk_create(parcels, batch_size=2000)
    return len(parcels)


def our_path(path, user):
    from parcels.ledger import ledger_import

    check = ledger_import(path=path, user=user, change_reason="bench")
    assert check.ok, check.errors[:5]
    return len(check.new)


def default_path(path, user):
    import tablib

    from parcels.resources import ParcelResource

    dataset = tablib.Dataset().load(Path(path).read_bytes(), format="xlsx")
    resource_ = ParcelResource(districts=District.objects.all())
    result = resource_.import_data(dataset, dry_run=False, user=user)
    assert not result.has_errors() and not result.has_validation_errors(), result.row_errors()[:3]
    return result.totals


def bench_import(tmp):
    user = setup_reference()
    big = Path(tmp) / "ledger20k.xlsx"
    small = Path(tmp) / "ledger2k.xlsx"
    write_xlsx(big, IMPORT_ROWS)
    write_xlsx(small, DEFAULT_PATH_ROWS)
    clear_bench_parcels()
    t_limit, _ = timed(lambda: limit_path(big))
    clear_bench_parcels()
    t_ours, created = timed(lambda: our_path(big, user))
    assert created == IMPORT_ROWS
    history = Parcel.history.filter(code__startswith=PREFIX).count()
    clear_bench_parcels()
    t_default_small, _ = timed(lambda: default_path(small, user))
    clear_bench_parcels()
    t_default = t_default_small * IMPORT_ROWS / DEFAULT_PATH_ROWS
    line(
        f"ledger import, {IMPORT_ROWS:,} rows .xlsx (ours: parse+check+write+history)",
        f"{t_ours:.2f} s",
        f"{t_ours / t_limit:.2f}x the limit (target <= 2x); history rows {history:,}",
    )
    line("  limit: calamine parse + plain bulk_create, no checks", f"{t_limit:.2f} s")
    line(
        f"  django-import-export default path ({DEFAULT_PATH_ROWS:,} rows x{IMPORT_ROWS // DEFAULT_PATH_ROWS}, linear)",
        f"{t_default:.1f} s",
        f"ours is {t_default / t_ours:.0f}x faster (target >= 25x)",
    )


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(path):
    """Run in a subprocess: import the file and print 'baseline peak' RSS in MB."""
    user = setup_reference()
    from parcels.ledger import ledger_import

    baseline = peak_rss_mb()
    check = ledger_import(path=path, user=user, change_reason="bench")
    assert check.ok and len(check.new) == MEMORY_ROWS, check.errors[:3]
    print(f"{baseline:.0f} {peak_rss_mb():.0f}")


def bench_memory(tmp):
    setup_reference()
    path = Path(tmp) / "ledger100k.xlsx"
    write_xlsx(path, MEMORY_ROWS)
    clear_bench_parcels()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    seconds = time.perf_counter() - start
    baseline, peak = float(out[-2]), float(out[-1])
    line(
        f"import peak memory, {MEMORY_ROWS:,} rows .xlsx (process peak RSS)",
        f"{peak:.0f} MB",
        f"target < 300 MB; Django process before import {baseline:.0f} MB; took {seconds:.1f} s",
    )
    clear_bench_parcels()


def make_parcels(n, start=0, lease_then_transfer=False):
    """bulk_create n bench parcels of 2024 spread over Beijing's 17 districts (no history);
    lease_then_transfer: all supplied by 先租后让 (for contracts)."""
    districts = list(District.objects.filter(jurisdiction__code="beijing"))
    categories = list(LandUseCategory.objects.values_list("pk", flat=True))
    methods = ["listing", "tender", "auction", "agreement", "allocation", "lease_then_transfer"]
    batch = []
    for i in range(start, start + n):
        district = districts[i % len(districts)]
        supplied = lease_then_transfer or i % 3 == 0
        batch.append(Parcel(
            district=district, ring_id=district.default_ring_id, code=f"{PREFIX}{i:07d}",
            name=f"测试地块{i}", category_id=categories[i % len(categories)],
            area_ha=Decimal((i % 997) + 1) / 10, land_source="stock" if i % 2 else "new",
            supply_method="lease_then_transfer" if lease_then_transfer else methods[i % len(methods)],
            in_key_function_area=i % 5 == 0,
            near_rail=i % 7 == 0, plan_year=2024, planned_quarter=(i % 4) + 1,
            status="supplied" if supplied else "planned",
            supplied_on=date(2024, (i % 12) + 1, (i % 28) + 1) if supplied else None,
        ))  # fmt: skip
        if len(batch) == 5000:
            Parcel.objects.bulk_create(batch)
            batch = []
    Parcel.objects.bulk_create(batch)


def p95_ms(client, url, params, n=REQUESTS):
    client.get(url, params)  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.quantiles(times, n=20)[18], statistics.median(times)


def query_count(client, url, params):
    with fresh_query_log(connection) as ctx:
        client.get(url, params)
    return len(ctx.captured_queries)


def bench_pages():
    user = setup_reference()
    from plans.models import AnnualPlan
    from plans.seed import seed_plans

    seed_plans()
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    client = Client()
    client.force_login(user)
    pages = [
        ("plan overview page", reverse("plans:overview"), {"plan": plan.pk}, 150),
        ("parcel list, filtered + paginated (page 3)", reverse("parcels:list"),
         {"status": "planned", "district": District.objects.get(code="haidian").pk,
          "land_source": "new", "page": 3}, 100),
        ("parcel list, unfiltered, last page", reverse("parcels:list"), {"page": "last"}, 100),
    ]  # fmt: skip
    clear_bench_parcels()
    make_parcels(PAGE_PARCELS // 10)
    small = {label: query_count(client, url, params) for label, url, params, _t in pages}
    make_parcels(PAGE_PARCELS - PAGE_PARCELS // 10, start=PAGE_PARCELS // 10)
    vacuum()
    for label, url, params, target in pages:
        large = query_count(client, url, params)
        p95, median = p95_ms(client, url, params)
        line(
            f"{label}, {PAGE_PARCELS:,} parcels / 17 districts",
            f"p95 {p95:.0f} ms",
            f"median {median:.0f} ms; target p95 < {target} ms; queries {small[label]} at "
            f"{PAGE_PARCELS // 10:,} parcels, {large} at {PAGE_PARCELS:,}"
            + (" (constant)" if large == small[label] else " (GROWS)"),
        )
    clear_bench_parcels()


SWEEP_ENTERPRISES = 2_000
SWEEP_DISTRICT_STAFF = 2  # per district


def sweep_people(districts):
    """bulk_create the bench enterprises (each with one user) and district staff."""
    from landsupply.models import Enterprise

    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"基准测试企业{i}", credit_code=f"91BENCH{i:011d}", contact_email=f"ent{i}@bench.example.com")
        for i in range(SWEEP_ENTERPRISES)
    ])  # fmt: skip
    User.objects.bulk_create(
        [User(username=f"{PREFIX}ent{i}", role=User.Role.ENTERPRISE, enterprise=e, email=f"u{i}@bench.example.com")
         for i, e in enumerate(enterprises)]
        + [User(username=f"{PREFIX}{d.code}{k}", role=User.Role.DISTRICT, district=d, jurisdiction=d.jurisdiction,
                email=f"{d.code}{k}@bench.example.com")
           for d in districts for k in range(SWEEP_DISTRICT_STAFF)]
    )  # fmt: skip
    return enterprises


def clear_sweep_people():
    from landsupply.models import Enterprise, Notification

    with transaction.atomic():
        Notification.objects.filter(recipient__username__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX)._raw_delete(connection.alias)
        Enterprise.objects.filter(credit_code__startswith="91BENCH")._raw_delete(connection.alias)


def bench_sweep():
    """Time the daily reminder sweep over 100,000 active contracts.

    Realistic spread: lease starts are spread evenly over five years (≈ 55 contracts per
    deadline day, the share a city with 100,000 five-year leases would see), held by 2,000
    enterprises (one user each, plus the enterprise's contact e-mail), two staff per district;
    85 % leasing, 5 % each awaiting the assessment decision, passed (transfer application due)
    and failed (exit due). Two figures: the first sweep ever (catches up every deadline within
    the 90-day lead or overdue up to 30 days: the worst day), and the next day (a normal day).
    """
    try:
        from assessments import services
        from assessments.models import Contract
    except ImportError as exc:
        line("reminder sweep, 100,000 active contracts", "not measured", f"{exc}")
        return
    from datetime import timedelta

    from django.core import mail
    from django.test.utils import override_settings

    setup_reference()
    clear_bench_contracts()
    clear_bench_parcels()
    clear_sweep_people()
    n = PAGE_PARCELS
    make_parcels(n, lease_then_transfer=True)
    parcels = list(Parcel.objects.filter(code__startswith=PREFIX).values_list("pk", flat=True))
    enterprises = sweep_people(list(District.objects.filter(jurisdiction__code="beijing")))
    from assessments.seed import seed_rule_sets

    seed_rule_sets()
    # The template contract's parcel is industrial land: the land use the rule set covers.
    Parcel.objects.filter(pk=parcels[0]).update(
        category=LandUseCategory.objects.get(code="industrial")
    )
    first = Parcel.objects.get(pk=parcels[0])
    template = services.contract_award(
        actor=None, parcel=first, enterprise=enterprises[0], base_price=Decimal("30000000"),
        lease_years=5, transfer_years=15, lease_start=date(2024, 9, 1), award_method="listing",
        award_reference="bench", number=f"{PREFIX}C-template",
    )  # fmt: skip
    Contract.objects.filter(pk=template.pk).update(state=Contract.State.LEASING)
    fields = {f.attname: getattr(template, f.attname) for f in Contract._meta.concrete_fields}
    date_fields = [f.attname for f in Contract._meta.concrete_fields
                   if f.get_internal_type() == "DateField" and fields[f.attname]]  # fmt: skip
    S = Contract.State
    batch = []
    for i, parcel_id in enumerate(parcels[1:], start=1):
        shift = timedelta(days=i % 1826 - 913)  # lease starts spread over five years
        values = {**fields, "id": None, "parcel_id": parcel_id, "number": f"{PREFIX}C{i:07d}",
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
        if len(batch) == 5000:
            Contract.objects.bulk_create(batch)
            batch = []
    Contract.objects.bulk_create(batch)
    # bulk_create bypasses Contract.save: set the reminder schedule as after any bulk load.
    services.reminder_schedule_reset(contracts=Contract.objects.filter(number__startswith=PREFIX))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    today = template.assessment_application_due - timedelta(days=30)
    # Statements counted by a wrapper: the query log keeps 9,000 at most, and a catch-up sends
    # more (each reminder is marked sent in its own transaction).
    first, next_day = StatementCount(), StatementCount()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        with connection.execute_wrapper(first):
            seconds, sent = timed(lambda: services.reminder_sweep(today=today))
        mails = len(mail.outbox)
        again, sent_again = timed(lambda: services.reminder_sweep(today=today))
        with connection.execute_wrapper(next_day):
            next_seconds, next_sent = timed(
                lambda: services.reminder_sweep(today=today + timedelta(days=1))
            )
    total = Contract.objects.filter(number__startswith=PREFIX).count()
    per = seconds / max(len(sent), 1) * 1000
    line(f"reminder sweep, first run (catch-up), {total:,} active contracts", f"{seconds:.2f} s",
         f"target < 5 ms per reminder; sent {len(sent):,} reminders ({mails:,} e-mails), {per:.2f} ms each, "
         f"in {first.count:,} statements; same day again {again:.2f} s, sent {len(sent_again)}")  # fmt: skip
    line(
        f"reminder sweep, next day (a normal day), {total:,} contracts",
        f"{next_seconds:.2f} s",
        f"sent {len(next_sent):,} reminders in {next_day.count:,} statements",
    )
    clear_bench_contracts()  # with their reminder deliveries
    clear_bench_parcels()
    clear_sweep_people()


def clear_bench_contracts():
    try:
        from assessments.models import Contract
    except ImportError:
        return
    from django.db.models.deletion import Collector  # noqa: F401

    ids = list(Contract.objects.filter(number__startswith=PREFIX).values_list("pk", flat=True))
    if ids:
        with connection.cursor() as cursor:
            for model in Contract._meta.related_objects:
                related = model.related_model
                if model.on_delete.__name__ in ("CASCADE", "SET_NULL", "PROTECT") and hasattr(
                    related, "objects"
                ):
                    related.objects.filter(**{f"{model.field.name}__in": ids})._raw_delete(
                        connection.alias
                    )
            cursor.execute("SELECT 1")
        Contract.objects.filter(pk__in=ids)._raw_delete(connection.alias)
        if hasattr(Contract, "history"):
            Contract.history.filter(number__startswith=PREFIX)._raw_delete(connection.alias)


GEO_PARCELS = 100_000
GEO_CHECKS = 50


def make_boundaries():
    """bulk_create a boundary for every bench parcel: squares of their ledger area on a
    320 × 320 grid over Beijing's plain (115.9–116.9° E, 39.6–40.4° N), none overlapping."""
    import numpy
    import shapely

    from boundaries import rules
    from boundaries.models import ParcelBoundary

    rows = list(
        Parcel.objects.filter(code__startswith=PREFIX).order_by("pk").values_list("pk", "area_ha")
    )
    step_x, step_y = 1.0 / 320, 0.8 / 320  # ≈ 285 m × 278 m cells; parcels ≤ 100 m across
    batch = []
    for index, (pk, area_ha) in enumerate(rows):
        lon = 115.9 + (index % 320) * step_x
        lat = 39.6 + (index // 320) * step_y
        half = min(float(area_ha), 1.0) ** 0.5 * 50 / 111_000  # ≤ 100 m square
        square = shapely.box(lon, lat, lon + half * 1.3, lat + half)
        zone = rules.zone_for_longitude(lon)
        batch.append(ParcelBoundary(
            parcel_id=pk, geometry=rules.to_wkb(square), min_x=lon, min_y=lat,
            max_x=lon + half * 1.3, max_y=lat + half, zone_epsg=zone.epsg_plane,
            area_ha=area_ha, source_format="bench",
        ))  # fmt: skip
        if len(batch) == 10_000:
            ParcelBoundary.objects.bulk_create(batch)
            batch = []
    ParcelBoundary.objects.bulk_create(batch)
    del numpy


def bench_geo():
    """Overlap check of one new boundary against 100,000 stored ones (the box index against a
    full scan), the map's data requests, and the map page's first paint in Chromium."""
    from shapely.geometry import box as shapely_box

    from boundaries import rules
    from boundaries.models import ParcelBoundary
    from boundaries.seed import seed_district_outlines
    from boundaries.services import stored_overlaps

    user = setup_reference()
    seed_district_outlines()
    clear_bench_parcels()
    make_parcels(GEO_PARCELS)
    make_boundaries()
    vacuum()
    stored = ParcelBoundary.objects.filter(parcel__code__startswith=PREFIX).count()

    # A new boundary over half of a stored one, somewhere in the middle of the grid.
    target = ParcelBoundary.objects.filter(
        parcel__code=f"{PREFIX}{GEO_PARCELS // 2 + 160:07d}"
    ).get()
    west, south, east, north = target.min_x, target.min_y, target.max_x, target.max_y
    new = shapely_box(west + (east - west) / 2, south, east + (east - west) / 2, north)
    zone = rules.parcel_zone(new)
    plane = rules.to_plane(new, zone)

    def indexed():
        return stored_overlaps(lonlat=new, plane=plane, zone=zone)

    def full_scan():
        found = []
        for pk, wkb in ParcelBoundary.objects.values_list("parcel_id", "geometry").iterator(
            chunk_size=5000
        ):
            shape = rules.from_wkb(wkb)
            if shape.intersects(new):
                found += rules.find_overlaps(
                    plane, [(pk, rules.to_plane(shape, zone))], tolerance_m2=1.0
                )
        return found

    assert [o.key.code for o in indexed()] == [target.parcel.code]
    times = []
    for _ in range(GEO_CHECKS):
        elapsed, _result = timed(indexed)
        times.append(elapsed * 1000)
    with fresh_query_log(connection) as ctx:
        indexed()
    scan, scan_result = timed(full_scan)
    assert len(scan_result) == 1
    p95 = statistics.quantiles(times, n=20)[18]
    line(
        f"overlap check, one boundary vs {stored:,} stored",
        f"p95 {p95:.1f} ms",
        f"median {statistics.median(times):.1f} ms, {len(ctx.captured_queries)} query; "
        f"full scan without the box index: {scan * 1000:.0f} ms "
        f"({scan * 1000 / statistics.median(times):.0f}×); target < 50 ms",
    )

    client = Client()
    client.force_login(user)
    url = reverse("boundaries:parcels_json")
    views = [
        ("map data, whole city (grid clusters)", {"bbox": "115.4,39.4,117.6,41.1", "zoom": 9}),
        ("map data, 2 km viewport (parcel shapes)",
         {"bbox": f"{west - 0.012},{south - 0.009},{west + 0.012},{south + 0.009}", "zoom": 15}),
    ]  # fmt: skip
    for label, params in views:
        data = client.get(url, params).json()
        p95_value, median = p95_ms(client, url, params)
        line(
            f"{label}, {stored:,} boundaries",
            f"p95 {p95_value:.0f} ms",
            f"median {median:.0f} ms; {data['mode']}: {data['total']:,} parcels in view; "
            f"{query_count(client, url, params)} queries",
        )
    first_paint(client)
    clear_bench_parcels()


def first_paint(client):
    """Open /map/ in Debian's Chromium against a runserver on this database and read the
    moment the parcel layer was first drawn (performance.now() since navigation)."""
    import shutil
    import socket

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        line("map page first paint", "skipped", "chromium not installed")
        return
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
        cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        session = client.cookies["sessionid"].value
        paints = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, headless=True,
                args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            )  # fmt: skip
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies(
                [{"name": "sessionid", "value": session, "url": f"http://127.0.0.1:{port}"}]
            )
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/map/")  # warm-up: the server's first request
            page.wait_for_function("window.mapFirstPaintMs !== undefined", timeout=30000)
            for _ in range(5):
                page.goto(f"http://127.0.0.1:{port}/map/")
                page.wait_for_function("window.mapFirstPaintMs !== undefined", timeout=30000)
                paints.append(page.evaluate("window.mapFirstPaintMs"))
            browser.close()
        line(
            f"map page first paint (Chromium, {GEO_PARCELS:,} boundaries)",
            f"median {statistics.median(paints):.0f} ms",
            f"worst {max(paints):.0f} ms of {len(paints)} loads after one warm-up, from "
            "navigation to the parcel layer drawn; target < 1000 ms",
        )
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["import", "memory", "sweep", "pages", "geo"])
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if args.only in (None, "import"):
                bench_import(tmp)
            if args.only in (None, "memory"):
                bench_memory(tmp)
            if args.only in (None, "sweep"):
                bench_sweep()
            if args.only in (None, "pages"):
                bench_pages()
            if args.only in (None, "geo"):
                bench_geo()
        finally:
            clear_bench_contracts()
            clear_bench_parcels()
            if args.only in (None, "sweep"):
                clear_sweep_people()


if __name__ == "__main__":
    main()
