#!/usr/bin/env python
"""Performance figures for landsupply (`make bench`; not part of the test run).

Every figure is printed with its comparison measured side by side in the same run. The bench
works in a database of its own: the one DATABASE_URL names with "_bench" appended unless its
name already ends in "bench" (postgres://…/landsupply_bench), created afresh at the start and
dropped at the end (--keep keeps it), so no clean-up can touch real data or hang on a DELETE.
Between sizes the bench tables are TRUNCATEd, and every build ends with ANALYZE.

    make bench                      # every figure; the per-size ones at 10k, 100k and 1M parcels
    make bench SIZE=1000000         # the per-size figures at one size (fixed-size ones too)
    make bench ONLY=pages SIZE=100000
    .venv/bin/python bench/run.py --only public --size 10000 --size 1000000

Adding a figure is adding one function decorated with @figure("name") (runs once, builds its
own data) or @figure("name", per_size=True) (runs at each size on the shared data of that size:
`bench.size` parcels, a tenth of them with contracts). It prints with line(label, value,
comparison).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landsupply.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

import django  # noqa: E402


def bench_database_url() -> str:
    """Return DATABASE_URL with the bench's own database name (see the module docstring)."""
    url = os.environ.get("DATABASE_URL", "sqlite:///bench.sqlite3")
    if not url.startswith("postgres"):
        return url
    base, _, name = url.rpartition("/")
    name, query = (name.split("?", 1) + [""])[:2]
    if not name.endswith("bench"):
        name = f"{name}_bench"
    return f"{base}/{name}" + (f"?{query}" if query else "")


def _admin_connection():
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(os.environ["DATABASE_URL"])
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
    return psycopg.connect(dbname="postgres", autocommit=True, **dsn), settings["NAME"]


def ensure_database(fresh: bool):
    """Create the bench database (dropped first when `fresh`); PostgreSQL only."""
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        return
    conn, name = _admin_connection()
    with conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database():
    """Drop the bench database (the reliable clean-up: nothing to DELETE row by row)."""
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        return
    from django.db import connections

    connections.close_all()
    conn, name = _admin_connection()
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped database {name}", flush=True)


os.environ["DATABASE_URL"] = bench_database_url()
_CHILD = "--memory-child" in sys.argv or "--export-child" in sys.argv
ensure_database(fresh=not _CHILD and "--reuse" not in sys.argv)
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.contracts import contract_copies  # noqa: E402
from landsupply.models import District, User  # noqa: E402
from landsupply.seed import seed_jurisdictions  # noqa: E402
from parcels.models import LandUseCategory, Parcel  # noqa: E402
from parcels.seed import seed_land_use_categories  # noqa: E402

PREFIX = "BENCH-"
IMPORT_ROWS = 20_000
BULK_ROWS = 2_000  # django-import-export's bulk mode looks each row up: linear, ~14 ms a row
MEMORY_ROWS = 100_000
EXPORT_ROWS = 100_000
SIZES = (10_000, 100_000, 1_000_000)
REQUESTS = 50
LOAD_REQUESTS = 200  # per URL under gunicorn
LOAD_CLIENTS = 8


@dataclass
class Bench:
    """What a figure gets: a temporary folder, the bench's city-staff user, and for per-size
    figures the number of parcels in the database (a tenth of them with contracts)."""

    tmp: Path
    user: object
    size: int = 0
    contracts: int = 0
    sizes: tuple = ()  # the sizes chosen for this run (--size, default SIZES)
    notes: dict = field(default_factory=dict)


@dataclass
class Figure:
    name: str
    fn: Callable[[Bench], None]
    per_size: bool


FIGURES: list[Figure] = []


def figure(name: str, *, per_size: bool = False):
    """Register a figure: `--only name` selects it; per_size figures run at every size."""

    def register(fn):
        FIGURES.append(Figure(name, fn, per_size))
        return fn

    return register


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
    """Empty the bench's parcel tables and what refers to them (the bench database holds
    nothing else): TRUNCATE, not a DELETE that the planner may run row by row on stale
    statistics."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE parcels_parcel, parcels_historicalparcel, boundaries_parcelboundary "
                "CASCADE"
            )
            if table_exists("assessments_historicalcontract"):
                cursor.execute("TRUNCATE assessments_historicalcontract")
        analyze()
        return
    from boundaries.models import ParcelBoundary

    with transaction.atomic():
        ParcelBoundary.objects.all()._raw_delete(connection.alias)
        Parcel.history.all()._raw_delete(connection.alias)
        Parcel.objects.all()._raw_delete(connection.alias)


def table_exists(name):
    return name in connection.introspection.table_names()


def analyze():
    """Refresh the planner's statistics after building or emptying the bench data."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


vacuum = analyze


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


def limit_path(path, user):
    """The fair limit: python-calamine reads the same file, and PostgreSQL COPY writes the same
    rows (parcels and their '+' history rows, as the import does) with no checks at all."""
    from python_calamine import CalamineWorkbook

    now = timezone.now()
    districts = {d.name: d for d in District.objects.all()}
    categories = {c.name: c.pk for c in LandUseCategory.objects.all()}
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
    history = Parcel.history.model
    columns = ["id", "district_id", "ring_id", "code", "name", "location", "category_id",
               "area_ha", "land_source", "supply_method", "in_key_function_area", "near_rail",
               "plan_year", "planned_quarter", "status", "supplied_on", "is_demo",
               "created_at", "updated_at"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('parcels_parcel', 'id')) "
            "FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        records = []
        for pk, r in zip(ids, rows, strict=True):
            district = districts[r[2]]
            records.append([
                pk, district.pk, district.default_ring_id, r[0], r[1], r[3], categories[r[4]],
                Decimal(str(r[5])), "stock" if r[7] == "存量" else "new", "listing",
                r[11] == "是", r[12] == "是", int(r[9]), int(r[10]),
                "supplied" if r[13] == "已供应" else "planned",
                date(*map(int, r[14].split("/"))) if r[14] else None, False, now, now,
            ])  # fmt: skip
        copy_records(cursor, "parcels_parcel", columns, records)
        copy_records(
            cursor,
            history._meta.db_table,
            [*columns, "history_date", "history_change_reason", "history_type", "history_user_id"],
            [[*r, now, "bench", "+", user.pk] for r in records],
        )
    return len(records)


def copy_records(cursor, table, columns, records):
    """COPY `records` (lists in the order of `columns`) into `table`; a Parcel column not named
    gets its field's default."""
    quote = connection.ops.quote_name
    extra = []
    if table in ("parcels_parcel", Parcel.history.model._meta.db_table):
        extra = [
            f
            for f in Parcel._meta.concrete_fields
            if f.attname not in columns and f.attname != "id"
        ]
    names = [*columns, *(f.attname for f in extra)]
    defaults = [f.get_default() for f in extra]
    with cursor.cursor.copy(
        f"COPY {quote(table)} ({', '.join(map(quote, names))}) FROM STDIN"
    ) as copy:
        for record in records:
            copy.write_row([*record, *defaults])


def our_path(path, user):
    from parcels.ledger import ledger_import

    check = ledger_import(path=path, user=user, change_reason="bench")
    assert check.ok, check.errors[:5]
    return len(check.new)


def bulk_path(path, user):
    """django-import-export's documented bulk mode (use_bulk=True, skip_diff=True; "Bulk
    imports" in its docs) on the same file, through the same resource (its widgets' checks)."""
    import tablib

    from parcels.resources import ParcelResource

    dataset = tablib.Dataset().load(Path(path).read_bytes(), format="xlsx")
    resource_ = ParcelResource(districts=District.objects.all())
    resource_._meta.use_bulk = True
    resource_._meta.skip_diff = True
    resource_._meta.batch_size = 2000
    result = resource_.import_data(dataset, dry_run=False, user=user)
    assert not result.has_errors() and not result.has_validation_errors(), result.row_errors()[:3]
    return result.totals


@figure("import")
def bench_import(bench):
    """Ledger import of 20,000 rows against the fair limit and django-import-export's bulk
    mode, each on the same file in an emptied table."""
    if connection.vendor != "postgresql":
        line("ledger import", "skipped", "the fair limit writes with COPY: PostgreSQL only")
        return
    user = setup_reference()
    big = Path(bench.tmp) / "ledger20k.xlsx"
    small = Path(bench.tmp) / "ledger2k.xlsx"
    write_xlsx(big, IMPORT_ROWS)
    write_xlsx(small, BULK_ROWS)
    clear_bench_parcels()
    t_limit, _ = timed(lambda: limit_path(big, user))
    clear_bench_parcels()
    t_ours, created = timed(lambda: our_path(big, user))
    assert created == IMPORT_ROWS
    history = Parcel.history.count()
    clear_bench_parcels()
    t_bulk_small, _ = timed(lambda: bulk_path(small, user))
    t_bulk = t_bulk_small * IMPORT_ROWS / BULK_ROWS
    bulk_history = Parcel.history.count()
    clear_bench_parcels()
    line(
        f"ledger import, {IMPORT_ROWS:,} rows .xlsx (parse+check+write+history)",
        f"{t_ours:.2f} s",
        f"{t_ours / t_limit:.2f}x the fair limit (target <= 1.5x); history rows {history:,}",
    )
    line("  fair limit: calamine read + COPY of the same rows, no checks", f"{t_limit:.2f} s")
    line(
        f"  django-import-export bulk mode (use_bulk, skip_diff), {BULK_ROWS:,} rows x"
        f"{IMPORT_ROWS // BULK_ROWS}",
        f"{t_bulk:.1f} s",
        f"ours is {t_bulk / t_ours:.1f}x faster; its history rows {bulk_history:,}",
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


@figure("memory")
def bench_memory(bench):
    setup_reference()
    path = Path(bench.tmp) / "ledger100k.xlsx"
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


PARCEL_COLUMNS = ["district_id", "ring_id", "code", "name", "location", "category_id",
                  "area_ha", "land_source", "supply_method", "in_key_function_area", "near_rail",
                  "plan_year", "planned_quarter", "status", "supplied_on", "is_demo",
                  "created_at", "updated_at"]  # fmt: skip


def make_parcels(n, start=0, lease_then_transfer=False):
    """Write n bench parcels of 2024 spread over Beijing's 17 districts (no history): COPY on
    PostgreSQL, bulk_create elsewhere. Every sixth is offered by 先租后让 (planned);
    lease_then_transfer: all supplied by 先租后让 (for contracts)."""
    districts = list(District.objects.filter(jurisdiction__code="beijing"))
    categories = list(LandUseCategory.objects.values_list("pk", flat=True))
    methods = ["listing", "tender", "auction", "agreement", "allocation", "lease_then_transfer"]
    now = timezone.now()

    def values(i):
        district = districts[i % len(districts)]
        supplied = lease_then_transfer or i % 3 == 0
        return [
            district.pk, district.default_ring_id, f"{PREFIX}{i:07d}", f"测试地块{i}", "",
            categories[i % len(categories)], Decimal((i % 997) + 1) / 10,
            "stock" if i % 2 else "new",
            "lease_then_transfer" if lease_then_transfer else methods[i % len(methods)],
            i % 5 == 0, i % 7 == 0, 2024, (i % 4) + 1, "supplied" if supplied else "planned",
            date(2024, (i % 12) + 1, (i % 28) + 1) if supplied else None, False, now, now,
        ]  # fmt: skip

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_records(
                cursor,
                "parcels_parcel",
                PARCEL_COLUMNS,
                (values(i) for i in range(start, start + n)),
            )
        return
    batch = []
    for i in range(start, start + n):
        batch.append(Parcel(**dict(zip(PARCEL_COLUMNS, values(i), strict=True))))
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


def page_statements(client, url, params):
    """Return the SELECT statements one request of the page sends (values interpolated)."""
    with fresh_query_log(connection) as ctx:
        client.get(url, params)
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]


def sql_p95_ms(statements, n=REQUESTS):
    """Return (p95, median) in ms of sending `statements` straight to the database: the raw
    SQL cost of a page, without Django, templates or HTTP."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(n + 1):
            start = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    times = times[1:]
    return statistics.quantiles(times, n=20)[18], statistics.median(times)


QUERY_COUNTS: dict[str, dict[int, int]] = {}
PAGE_P95: dict[str, dict[int, float]] = {}


def measure_page(bench, client, label, url, params, target):
    """Print one page's p95 and median at this size, with its raw SQL's p95 and its query
    count compared with the smallest size measured."""
    statements = page_statements(client, url, params)
    p95, median = p95_ms(client, url, params)
    sql_p95, _sql_median = sql_p95_ms(statements)
    counts = QUERY_COUNTS.setdefault(label, {})
    counts[bench.size] = len(statements)
    PAGE_P95.setdefault(label, {})[bench.size] = p95
    smallest = min(counts)
    same = (
        f"; {len(statements)} SELECTs"
        + (f", {counts[smallest]} at {smallest:,}" if smallest != bench.size else "")
        + (" (GROWS)" if counts[smallest] != len(statements) else "")
    )
    line(
        f"{label}, {bench.size:,} parcels",
        f"p95 {p95:.1f} ms",
        f"median {median:.1f} ms; its raw SQL p95 {sql_p95:.1f} ms; target p95 < {target} ms"
        + same,
    )


def bench_client(user):
    client = Client()
    client.force_login(user)
    return client


@figure("pages", per_size=True)
def bench_pages(bench):
    """The parcel list, filtered (page 3 and the last page) and unfiltered (last page)."""
    client = bench_client(bench.user)
    haidian = District.objects.get(code="haidian").pk
    filtered = {"status": "planned", "district": haidian, "land_source": "new"}
    url = reverse("parcels:list")
    measure_page(bench, client, "parcel list, filtered, page 3", url, {**filtered, "page": 3}, 60)
    measure_page(
        bench, client, "parcel list, filtered, last page", url, {**filtered, "page": "last"}, 60
    )
    measure_page(bench, client, "parcel list, unfiltered, last page", url, {"page": "last"}, 60)


def old_group_bys(plan):
    """The two GROUP BYs over the parcels the overview ran before the figures were kept
    (issue 11): the comparison for the plan figures, same data, same run."""
    from django.db.models import Q, Sum

    from plans import rules

    as_of = rules.figures_as_of(year=plan.year, as_of=None, today=timezone.localdate())
    ids = District.objects.filter(jurisdiction=plan.jurisdiction).values("pk")
    parcels = Parcel.objects.filter(plan_year=plan.year, district_id__in=ids)
    dims = ("district_id", "category_id", "ring_id", "land_source", "in_key_function_area")
    list(
        parcels.values(*dims, "near_rail")
        .annotate(
            planned=Sum("area_ha", filter=~Q(status="withdrawn")),
            supplied=Sum("area_ha", filter=Q(status="supplied", supplied_on__lte=as_of)),
        )
        .order_by()
    )
    list(
        parcels.filter(status="supplied", supplied_on__lte=as_of)
        .values("supplied_on")
        .annotate(area=Sum("area_ha"))
        .order_by()
    )


def function_p95_ms(fn, n=REQUESTS):
    fn()  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.quantiles(times, n=20)[18], statistics.median(times)


@figure("overview", per_size=True)
def bench_overview(bench):
    """The plan overview page (Beijing 2024, city staff) at this size, its p95 against the
    smallest size measured in this run; plan_progress alone (the kept figures) against the two
    GROUP BYs over the parcels it replaced."""
    from plans import selectors
    from plans.models import AnnualPlan

    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    client = bench_client(bench.user)
    label = "plan overview (Beijing 2024)"
    measure_page(bench, client, label, reverse("plans:overview"), {"plan": plan.pk}, 60)
    sizes = PAGE_P95.get(label, {})
    smallest = min(sizes)
    if smallest != bench.size:
        ratio = sizes[bench.size] / sizes[smallest]
        line(
            f"  overview p95 at {bench.size:,} / at {smallest:,}",
            f"{ratio:.2f}x",
            "target <= 1.2x the p95 at 10,000",
        )
    progress, _median = function_p95_ms(lambda: selectors.plan_progress(plan=plan))
    old, old_median = function_p95_ms(lambda: old_group_bys(plan), n=10)
    line(
        f"  plan_progress alone (kept figures), {bench.size:,} parcels",
        f"p95 {progress:.1f} ms",
        f"the two GROUP BYs over the parcels it replaced: p95 {old:.0f} ms "
        f"(median {old_median:.0f} ms)",
    )


def middle_cursor(queryset, keys):
    """The keyset cursor of the row in the middle of `queryset` (a deep page's position)."""
    n = queryset.count()
    row = queryset.order_by(*keys).values_list(*keys)[n // 2]
    return json.dumps(list(row), ensure_ascii=False)


@figure("public", per_size=True)
def bench_public(bench):
    """The public disclosure page (R24, no login): first page, a page in the middle of both
    lists (keyset cursors), the last page, and a district's middle page."""
    from assessments import selectors

    client = Client()
    url = reverse("assessments:public_list")
    offered = selectors.parcel_list_offered_public()
    contracts = selectors.contract_list_public()
    middle = {
        "o_after": middle_cursor(offered, selectors.PUBLIC_OFFERED_ORDER),
        "c_after": middle_cursor(contracts, selectors.PUBLIC_CONTRACT_ORDER),
    }
    haidian = District.objects.get(code="haidian").pk
    in_district = {
        "district": haidian,
        "o_after": middle_cursor(
            offered.filter(district_id=haidian), selectors.PUBLIC_OFFERED_ORDER
        ),
        "c_after": middle_cursor(
            contracts.filter(parcel__district_id=haidian), selectors.PUBLIC_CONTRACT_ORDER
        ),
    }
    label = f"public page ({offered.count():,} offered, {bench.contracts:,} contracts)"
    measure_page(bench, client, f"{label}, first page", url, {}, 80)
    measure_page(bench, client, f"{label}, middle page", url, middle, 80)
    measure_page(bench, client, f"{label}, last page", url, {"o_last": 1, "c_last": 1}, 80)
    measure_page(bench, client, f"{label}, one district, middle", url, in_district, 80)


BENCH_ENTERPRISES = 100


def award_template(parcel_id, enterprise, *, number):
    """Award the worked example (30,000,000 yuan, 5 + 15 years from 2024-09-01) through the
    service on `parcel_id`, made industrial land (the land use the rule set covers), and set it
    leasing: the contract the bench copies. Returns it."""
    from assessments import services
    from assessments.models import Contract

    Parcel.objects.filter(pk=parcel_id).update(
        category=LandUseCategory.objects.get(code="industrial")
    )
    template = services.contract_award(
        actor=None, parcel=Parcel.objects.get(pk=parcel_id), enterprise=enterprise,
        base_price=Decimal("30000000"), lease_years=5, transfer_years=15,
        lease_start=date(2024, 9, 1), award_method="listing", award_reference="bench",
        number=number,
    )  # fmt: skip
    Contract.objects.filter(pk=template.pk).update(state=Contract.State.LEASING)
    template.refresh_from_db()
    return template


def make_contracts(n):
    """Add n bench parcels supplied by 先租后让, each with an active contract (a copy of one
    awarded through the service, its dates spread over five years; COPY on PostgreSQL)."""
    from datetime import timedelta

    from assessments.models import Contract
    from assessments.seed import seed_rule_sets
    from landsupply.models import Enterprise

    seed_rule_sets()
    start = Parcel.objects.count()
    make_parcels(n, start=start, lease_then_transfer=True)
    parcels = list(
        Parcel.objects.filter(supply_method="lease_then_transfer", status="supplied")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # The previous size's (its contracts are gone with the TRUNCATE).
    Enterprise.objects.filter(credit_code__startswith="91BENCHP").delete()
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"基准测试企业P{i}", credit_code=f"91BENCHP{i:010d}")
        for i in range(BENCH_ENTERPRISES)
    ])  # fmt: skip
    template = award_template(parcels[0], enterprises[0], number=f"{PREFIX}C0000000")
    fields = [f for f in Contract._meta.concrete_fields if f.attname != "id"]
    base = {f.attname: getattr(template, f.attname) for f in fields}
    dates = [f.attname for f in fields if f.get_internal_type() == "DateField" and base[f.attname]]
    states = list(Contract.State.values)

    def rows():
        for i, parcel_id in enumerate(parcels[1:], start=1):
            shift = timedelta(days=i % 1826 - 913)
            values = {**base, "parcel_id": parcel_id, "number": f"{PREFIX}C{i:07d}",
                      "enterprise_id": enterprises[i % len(enterprises)].pk,
                      "state": states[i % len(states)] if i % 10 == 0 else Contract.State.LEASING}  # fmt: skip
            for name in dates:
                values[name] = base[name] + shift
            yield [f.get_db_prep_save(values[f.attname], connection) for f in fields]

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_records(
                cursor,
                Contract._meta.db_table,
                [f.column for f in fields],
                (list(r) for r in rows()),
            )
    else:
        Contract.objects.bulk_create(
            [Contract(**dict(zip([f.attname for f in fields], r, strict=True))) for r in rows()]
        )
    return len(parcels)


LOAD_URLS = [
    ("plan overview", "plans:overview", {}),
    ("parcel list, filtered, page 3", "parcels:list",
     {"status": "planned", "land_source": "new", "page": 3}),
    ("public page, first page", "assessments:public_list", {}),
]  # fmt: skip


def serve_production(port, secret):
    """Start gunicorn as bin/serve-production does (gunicorn.conf.py, DEBUG off, WhiteNoise)
    on 127.0.0.1:port against the bench database; return the process once it answers."""
    import socket

    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR, env=env, check=True,
    )  # fmt: skip
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "landsupply.wsgi:application", "--config", "gunicorn.conf.py",
         "--access-logfile", "/dev/null"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start: " + server.stderr.read().decode()[-2000:])


FIRST_ERROR: list[str] = []


def load(port, path, cookie, clients, requests):
    """A bounded load generator: `clients` threads send `requests` GETs in all; return
    (requests per second, p50 ms, p99 ms, non-200 answers)."""
    import http.client

    def one(_):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200 and not FIRST_ERROR:
            FIRST_ERROR.append(f"{response.status} {body[:200]!r}")
        return (time.perf_counter() - start) * 1000, response.status

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(clients)))  # warm-up: every worker has answered once
        start = time.perf_counter()
        results = list(pool.map(one, range(requests)))
        elapsed = time.perf_counter() - start
    times = sorted(t for t, _status in results)
    errors = sum(1 for _t, status in results if status != 200)
    return requests / elapsed, statistics.median(times), times[int(len(times) * 0.99) - 1], errors


@figure("throughput", per_size=True)
def bench_throughput(bench):
    """Requests per second under the production server (gunicorn, gunicorn.conf.py) with
    LOAD_CLIENTS concurrent clients on loopback, against one client at a time."""
    import socket
    from urllib.parse import urlencode

    from django.conf import settings

    from plans.models import AnnualPlan

    secret = "bench-only-" + "x" * 50  # the server's key: the session's auth hash uses it
    with override_settings(SECRET_KEY=secret):
        client = bench_client(bench.user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    plan = AnnualPlan.objects.filter(jurisdiction__code="beijing", year=2024).first()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = serve_production(port, secret)
    try:
        workers = os.environ.get("WEB_CONCURRENCY") or "gunicorn.conf.py's default"
        for label, name, params in LOAD_URLS:
            if name == "plans:overview":
                params = {"plan": plan.pk} if plan else {}
            path = reverse(name) + ("?" + urlencode(params) if params else "")
            rate, p50, p99, errors = load(port, path, cookie, LOAD_CLIENTS, LOAD_REQUESTS)
            one_rate, one_p50, _p99, _e = load(port, path, cookie, 1, LOAD_REQUESTS // 4)
            line(
                f"throughput, {label}, {bench.size:,} parcels",
                f"{rate:.0f} req/s",
                f"{LOAD_CLIENTS} clients: p50 {p50:.0f} ms, p99 {p99:.0f} ms, {errors} errors; "
                f"1 client: {one_rate:.0f} req/s, p50 {one_p50:.0f} ms; gunicorn workers: {workers}"
                + (f"; first error: {FIRST_ERROR[0]}" if FIRST_ERROR else ""),
            )
            FIRST_ERROR.clear()
    finally:
        server.terminate()
        server.wait(timeout=30)


def export_child(mode):
    """Run in a subprocess: export every parcel as .xlsx and print 'seconds peak_MB bytes'.
    mode "ours": the app's export job (parcels.exports through landsupply.export_jobs, stored
    in private storage); "xlsxwriter": XlsxWriter's constant_memory mode (the library the app
    writes with) writing the same columns' raw values with one typed call per cell, empty
    cells skipped; "openpyxl": openpyxl write-only of the same raw values."""
    from openpyxl import Workbook

    from landsupply.export_jobs import export_job_create, export_job_run
    from landsupply.models import ExportJob

    user = setup_reference()
    start = time.perf_counter()
    rows = Parcel.objects.values_list(*PARCEL_COLUMNS[:16]).iterator(chunk_size=2000)
    if mode == "ours":
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            with transaction.atomic():
                job = ExportJob.objects.create(user=user, kind="parcels", file_format="xlsx")
            job = export_job_run(job_id=job.pk)
        assert job.status == ExportJob.Status.DONE, job.error
        size = job.file.size
        job.file.delete()
        del export_job_create
    elif mode == "xlsxwriter":
        import xlsxwriter

        with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
            workbook = xlsxwriter.Workbook(target.name, {
                "constant_memory": True, "strings_to_formulas": False,
                "strings_to_numbers": False, "strings_to_urls": False,
            })  # fmt: skip
            sheet = workbook.add_worksheet("地块台账")
            day = workbook.add_format({"num_format": "yyyy-mm-dd"})
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        sheet.write_string(r, c, value)
                    elif isinstance(value, bool):
                        sheet.write_boolean(r, c, value)
                    elif isinstance(value, date):
                        sheet.write_datetime(r, c, value, day)
                    else:
                        sheet.write_number(r, c, value)
            workbook.close()
            size = os.path.getsize(target.name)
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("地块台账")
        for row in rows:
            sheet.append(row)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
            workbook.save(target.name)
            size = os.path.getsize(target.name)
    print(f"{time.perf_counter() - start:.2f} {peak_rss_mb():.0f} {size}")


@figure("export")
def bench_export(bench):
    """Export of 100,000 parcels by the background job, against XlsxWriter's constant_memory
    mode (the library the app writes with) and openpyxl write-only writing the same rows' raw
    values, each in its own process (peak memory)."""
    setup_reference()
    clear_bench_parcels()
    make_parcels(EXPORT_ROWS)
    analyze()
    results = {}
    for mode in ("ours", "xlsxwriter", "openpyxl"):
        out = subprocess.run(
            [sys.executable, __file__, "--export-child", mode],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        results[mode] = (float(out[-3]), float(out[-2]), int(out[-1]))
    seconds, peak, size = results["ours"]
    raw_seconds, raw_peak, _size = results["xlsxwriter"]
    plain_seconds, plain_peak, _size = results["openpyxl"]
    line(
        f"export of {EXPORT_ROWS:,} parcels (.xlsx, background job)",
        f"{seconds:.1f} s",
        f"peak {peak:.0f} MB, file {size / 1e6:.1f} MB; target < 12 s, < 150 MB; XlsxWriter "
        f"constant_memory of the raw values: {raw_seconds:.1f} s, {raw_peak:.0f} MB "
        f"({seconds / raw_seconds:.2f}x); openpyxl write-only: {plain_seconds:.1f} s, "
        f"{plain_peak:.0f} MB",
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


def sweep_contract_counts(sizes):
    """The numbers of contracts the sweep runs at: each chosen size from 100,000 up (100k and
    1M by default), or the chosen sizes if all are smaller."""
    large = [n for n in sorted(sizes) if n >= 100_000]
    return large or sorted(sizes)


def vacuum_contracts():
    """VACUUM the contracts table (no ANALYZE: its statistics stay as stale as between two
    autovacuum analyses), as autovacuum would after the catch-up moved a tenth of the rows."""
    from assessments.models import Contract

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Contract._meta.db_table}")


def measured_sweep(today):
    """Run one sweep on `today` with the locmem mail backend; return (seconds, reminders sent,
    statements sent)."""
    from assessments import services

    count = StatementCount()
    with connection.execute_wrapper(count):
        seconds, sent = timed(lambda: services.reminder_sweep(today=today))
    return seconds, len(sent), count.count


@figure("sweep")
def bench_sweep(bench):
    """Time the daily reminder sweep over 100,000 and 1,000,000 contracts (SIZE picks one).

    Spread like a city's book (bench/contracts.py): lease starts over five years, so the
    reminders due on a day grow with the contracts (≈ 400 a day at 100k, ≈ 4,000 at 1M),
    2,000 enterprises (one user each, plus the enterprise's contact e-mail), two staff per
    district. Figures per size: the catch-up day (the first sweep ever: every deadline within
    its lead or overdue up to 30 days), the same day again (nothing left to send: what a sweep
    costs whatever the contracts), and five ordinary days after it (the day's reminders), each
    with its statements; compared per reminder and for the nothing-due sweep with the smallest
    size of the run.
    """
    from datetime import timedelta

    from django.core import mail

    from assessments import services
    from assessments.models import Contract
    from assessments.seed import seed_rule_sets

    setup_reference()
    seed_rule_sets()
    results = {}
    for n in sweep_contract_counts(bench.sizes):
        clear_bench_contracts()
        clear_bench_parcels()
        clear_sweep_people()
        started = time.perf_counter()
        make_parcels(n, lease_then_transfer=True)
        parcels = list(Parcel.objects.order_by("pk").values_list("pk", flat=True))
        enterprises = sweep_people(list(District.objects.filter(jurisdiction__code="beijing")))
        template = award_template(parcels[0], enterprises[0], number=f"{PREFIX}C-template")
        contract_copies(
            template, enumerate(parcels[1:], start=1), enterprises, prefix=PREFIX,
            batch_size=10_000,
        )  # fmt: skip
        # bulk_create bypasses Contract.save: set the reminder schedule as after any bulk load.
        services.reminder_schedule_reset(contracts=Contract.objects.all())
        analyze()
        print(f"-- {n:,} contracts built in {time.perf_counter() - started:.0f} s", flush=True)
        today = template.assessment_application_due - timedelta(days=30)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            catch_up = measured_sweep(today)
            mails = len(mail.outbox)
            mail.outbox = []
            nothing_dead = measured_sweep(today)  # the catch-up's old row versions still there
            vacuum_contracts()  # what autovacuum does next; the statistics stay stale
            nothing = measured_sweep(today)
            days = []
            for k in range(1, 6):
                days.append(measured_sweep(today + timedelta(days=k)))
                mail.outbox = []
        seconds, sent, statements = catch_up
        line(
            f"reminder sweep, catch-up day, {n:,} contracts",
            f"{seconds:.2f} s",
            f"sent {sent:,} reminders ({mails:,} e-mails), {seconds / max(sent, 1) * 1000:.2f} "
            f"ms each, {statements:,} statements",
        )
        worst = max(days)
        per = sum(d[0] for d in days) / max(sum(d[1] for d in days), 1) * 1000
        results[n] = (nothing[0], per)
        smallest = min(results)
        compare = (
            f"; at {smallest:,}: nothing-due {results[smallest][0] * 1000:.0f} ms "
            f"({nothing[0] / results[smallest][0]:.2f}x), per reminder "
            f"{results[smallest][1]:.2f} ms ({per / results[smallest][1]:.2f}x)"
            if smallest != n
            else ""
        )
        line(
            f"reminder sweep, a day with nothing due, {n:,} contracts",
            f"{nothing[0] * 1000:.0f} ms",
            f"{nothing[2]} statements; target < 0.5 s at 1M, <= 1.2x at 100k"
            + compare
            + f"; right after the catch-up, before VACUUM: {nothing_dead[0] * 1000:.0f} ms",
        )
        line(
            f"reminder sweep, ordinary day (worst of 5), {n:,} contracts",
            f"{worst[0]:.2f} s",
            f"{worst[1]:,} reminders, {per:.2f} ms per reminder over the 5 days; each day "
            "(s / reminders / statements): "
            + "; ".join(f"{s:.2f} / {r} / {q}" for s, r, q in days),
        )
    clear_bench_contracts()  # with their reminder deliveries
    clear_bench_parcels()
    clear_sweep_people()


def clear_bench_contracts():
    """Empty the contract tables (TRUNCATE … CASCADE: their reminders, reports, renewals)."""
    try:
        from assessments.models import Contract
    except ImportError:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Contract._meta.db_table} CASCADE")
            if hasattr(Contract, "history"):
                cursor.execute(f"TRUNCATE {Contract.history.model._meta.db_table}")
        return
    Contract.objects.all().delete()


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


@figure("geo")
def bench_geo(bench):
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


def build(size):
    """Empty the bench tables and write `size` parcels, a tenth of them (at most) supplied by
    先租后让 with a contract; then ANALYZE. Returns the number of contracts."""
    from plans.seed import seed_plans

    clear_bench_contracts()
    clear_bench_parcels()
    contracts = size // 10
    started = time.perf_counter()
    make_parcels(size - contracts)
    made = make_contracts(contracts) if contracts else 0
    seed_plans()
    analyze()
    print(
        f"-- {size:,} parcels ({made:,} with contracts) built in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return made


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=sorted({f.name for f in FIGURES}), action="append")
    parser.add_argument("--size", type=int, action="append", help="parcels (default 10k, 100k, 1M)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.export_child:
        export_child(args.export_child)
        return
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    chosen = [f for f in FIGURES if not args.only or f.name in args.only]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            user = setup_reference()
            for fig in (f for f in chosen if not f.per_size):
                fig.fn(Bench(tmp=Path(tmp), user=user, sizes=tuple(args.size or SIZES)))
            per_size = [f for f in chosen if f.per_size]
            for size in sorted(args.size or SIZES) if per_size else []:
                contracts = build(size)
                bench = Bench(tmp=Path(tmp), user=user, size=size, contracts=contracts)
                for fig in per_size:
                    fig.fn(bench)
    finally:
        if args.keep:
            clear_bench_contracts()
            clear_bench_parcels()
        else:
            drop_database()


if __name__ == "__main__":
    main()
