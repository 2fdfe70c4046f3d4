#!/usr/bin/env python
"""Plan figures and the reminder sweep at city scale (issue 11): the figures that must cost the
same at any size, measured side by side at each size in one run, on DATABASE_URL's database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/landsupply_aggbench \\
        .venv/bin/python bench/scale.py --sizes 10000,100000,1000000 --only overview
    ... --sizes 10000,100000 --only sweep

overview: the plan overview page (p95 of 50 requests after a warm-up, Django test client,
logged-in city staff) and plan_progress alone, with their query counts, at each number of
parcels; beside it the two GROUP BYs the overview ran over the parcels before the figures were
kept (the comparison, same data, same run). sweep: the reminder sweep's catch-up day (the
first sweep ever) and an ordinary day (the next one) at each number of contracts. Bench rows
have codes starting with AGGB- and are removed at the end (also after a failure).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landsupply.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q, Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.contracts import contract_copies  # noqa: E402
from landsupply.models import District, User  # noqa: E402
from landsupply.seed import seed_jurisdictions  # noqa: E402
from parcels.models import LandUseCategory, Parcel  # noqa: E402
from parcels.seed import seed_land_use_categories  # noqa: E402

PREFIX = "AGGB-"
REQUESTS = 50


def line(label, value, comparison=""):
    print(f"{label:<58} {value:>16}  {comparison}", flush=True)


def city_user():
    seed_jurisdictions()
    seed_land_use_categories()
    user, _ = User.objects.get_or_create(
        username="aggbench_city",
        defaults={
            "role": User.Role.CITY,
            "jurisdiction": District.objects.get(code="haidian").jurisdiction,
        },
    )
    return user


def captured():
    """CaptureQueriesContext on an emptied log (the log keeps 9,000 queries, then counts 0)."""
    connection.queries_log.clear()
    return CaptureQueriesContext(connection)


def analyze():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def parcels_to(n, lease_then_transfer=False):
    """Grow the AGGB- parcels of 2024 (Beijing's 17 districts) to n, with bulk_create (the
    kept figures follow through the triggers)."""
    have = Parcel.objects.filter(code__startswith=PREFIX).count()
    districts = list(District.objects.filter(jurisdiction__code="beijing"))
    categories = list(LandUseCategory.objects.values_list("pk", flat=True))
    methods = ["listing", "tender", "auction", "agreement", "allocation", "lease_then_transfer"]
    batch = []
    for i in range(have, n):
        district = districts[i % len(districts)]
        supplied = lease_then_transfer or i % 3 == 0
        batch.append(Parcel(
            district=district, ring_id=district.default_ring_id, code=f"{PREFIX}{i:07d}",
            name=f"规模测试地块{i}", category_id=categories[i % len(categories)],
            area_ha=Decimal((i % 997) + 1) / 10, land_source="stock" if i % 2 else "new",
            supply_method="lease_then_transfer" if lease_then_transfer else methods[i % len(methods)],
            in_key_function_area=i % 5 == 0, near_rail=i % 7 == 0, plan_year=2024,
            planned_quarter=(i % 4) + 1, status="supplied" if supplied else "planned",
            supplied_on=date(2024, (i % 12) + 1, (i % 28) + 1) if supplied else None,
        ))  # fmt: skip
        if len(batch) == 10000:
            Parcel.objects.bulk_create(batch)
            batch = []
    Parcel.objects.bulk_create(batch)
    analyze()


def clear_parcels():
    """Remove the AGGB- parcels with plain DELETEs (no per-row signals or history; the kept
    figures follow through the triggers: one grouped upsert per statement)."""
    with transaction.atomic():
        Parcel.history.filter(code__startswith=PREFIX)._raw_delete(connection.alias)
        Parcel.objects.filter(code__startswith=PREFIX)._raw_delete(connection.alias)


def p95(fn, n=REQUESTS):
    fn()  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.quantiles(times, n=20)[18], statistics.median(times)


def old_group_bys(plan):
    """The two GROUP BYs over the parcels the overview ran before the figures were kept."""
    from plans import rules

    as_of = rules.figures_as_of(year=plan.year, as_of=None, today=timezone.localdate())
    ids = list(District.objects.filter(jurisdiction=plan.jurisdiction).values_list("pk", flat=True))
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


def bench_overview(sizes):
    from plans import selectors
    from plans.models import AnnualPlan
    from plans.seed import seed_plans

    user = city_user()
    seed_plans()
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    client = Client()
    client.force_login(user)
    url, params = reverse("plans:overview"), {"plan": plan.pk}
    clear_parcels()
    first = None
    for n in sizes:
        parcels_to(n)
        with captured() as page_queries:
            assert client.get(url, params).status_code == 200
        with captured() as progress_queries:
            selectors.plan_progress(plan=plan)
        page, page_median = p95(lambda: client.get(url, params))
        progress, _m = p95(lambda: selectors.plan_progress(plan=plan))
        old, old_median = p95(lambda: old_group_bys(plan), n=10)
        first = first or page
        load = os.getloadavg()[0]
        line(
            f"plan overview page, {n:,} parcels (load {load:.1f})",
            f"p95 {page:.0f} ms",
            f"median {page_median:.0f} ms; {len(page_queries)} queries; {page / first:.2f}x the "
            f"first size; target p95 < 60 ms at 1M, <= 1.2x at 10k",
        )
        line(
            f"  plan_progress alone, {n:,} parcels",
            f"p95 {progress:.1f} ms",
            f"{len(progress_queries)} queries; the two GROUP BYs over the parcels it ran before: "
            f"p95 {old:.0f} ms (median {old_median:.0f} ms)",
        )
    clear_parcels()


def contracts_to(n, template, enterprises):
    """Grow the AGGB- contracts (on lease-then-transfer parcels) to n, spread like bench/run.py's
    sweep: lease starts over five years, 85 % leasing, 5 % each assessment applied, passed,
    failed. bulk_create bypasses Contract.save: the reminder schedule is set afterwards with
    services.reminder_schedule_reset (as after any bulk load)."""
    from assessments import services
    from assessments.models import Contract

    parcels_to(n + 1, lease_then_transfer=True)
    have = Contract.objects.filter(number__startswith=f"{PREFIX}C").count()
    used = Contract.objects.values("parcel_id")
    parcel_ids = list(
        Parcel.objects.filter(code__startswith=PREFIX)
        .exclude(pk__in=used)
        .order_by("pk")
        .values_list("pk", flat=True)[: n - have]
    )
    contract_copies(
        template,
        enumerate(parcel_ids, start=have + 1),
        enterprises,
        prefix=PREFIX,
        batch_size=10000,
    )
    services.reminder_schedule_reset(
        contracts=Contract.objects.filter(number__startswith=f"{PREFIX}C")
    )
    analyze()


def clear_contracts():
    from assessments.models import Contract, ContractEvent, ReminderDelivery
    from landsupply.models import Enterprise, Notification

    with transaction.atomic():
        ids = Contract.objects.filter(number__startswith=PREFIX).values("pk")
        ReminderDelivery.objects.filter(contract_id__in=ids)._raw_delete(connection.alias)
        ContractEvent.objects.filter(contract_id__in=ids)._raw_delete(connection.alias)
        Notification.objects.filter(recipient__username__startswith=PREFIX)._raw_delete(
            connection.alias
        )
        Contract.history.filter(number__startswith=PREFIX)._raw_delete(connection.alias)
        Contract.objects.filter(number__startswith=PREFIX)._raw_delete(connection.alias)
        User.objects.filter(username__startswith=PREFIX)._raw_delete(connection.alias)
        Enterprise.objects.filter(credit_code__startswith="91AGGB")._raw_delete(connection.alias)


def bench_sweep(sizes):
    from assessments import services
    from assessments.models import ReminderDelivery
    from assessments.seed import seed_rule_sets
    from landsupply.models import Enterprise

    city_user()
    seed_rule_sets()
    clear_contracts()
    clear_parcels()
    districts = list(District.objects.filter(jurisdiction__code="beijing"))
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"规模测试企业{i}", credit_code=f"91AGGB{i:012d}", contact_email=f"e{i}@aggb.example.com")
        for i in range(2000)
    ])  # fmt: skip
    User.objects.bulk_create(
        [User(username=f"{PREFIX}ent{i}", role=User.Role.ENTERPRISE, enterprise=e, email=f"u{i}@aggb.example.com")
         for i, e in enumerate(enterprises)]
        + [User(username=f"{PREFIX}{d.code}{k}", role=User.Role.DISTRICT, district=d,
                jurisdiction=d.jurisdiction, email=f"{d.code}{k}@aggb.example.com")
           for d in districts for k in range(2)]
    )  # fmt: skip
    parcels_to(1, lease_then_transfer=True)
    first = Parcel.objects.filter(code__startswith=PREFIX).order_by("pk").first()
    Parcel.objects.filter(pk=first.pk).update(
        category=LandUseCategory.objects.get(code="industrial")
    )
    first.refresh_from_db()
    from assessments.models import Contract

    template = services.contract_award(
        actor=None, parcel=first, enterprise=enterprises[0], base_price=Decimal("30000000"),
        lease_years=5, transfer_years=15, lease_start=date(2024, 9, 1), award_method="listing",
        award_reference="bench", number=f"{PREFIX}T-template",
    )  # fmt: skip
    Contract.objects.filter(pk=template.pk).update(state=Contract.State.LEASING)
    template.refresh_from_db()
    today = template.assessment_application_due - timedelta(days=30)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for n in sizes:
            contracts_to(n, template, enterprises)
            ReminderDelivery.objects.filter(contract__number__startswith=PREFIX)._raw_delete(
                connection.alias
            )
            services.reminder_schedule_reset(
                contracts=Contract.objects.filter(number__startswith=PREFIX)
            )
            analyze()
            start = time.perf_counter()
            sent = services.reminder_sweep(today=today)
            catch_up = time.perf_counter() - start
            ordinary = []
            for k in range(1, 6):
                with captured() as queries:
                    start = time.perf_counter()
                    normal = services.reminder_sweep(today=today + timedelta(days=k))
                    ordinary.append((time.perf_counter() - start, len(normal), len(queries)))
            line(
                f"reminder sweep, catch-up day, {n:,} contracts",
                f"{catch_up:.2f} s",
                f"sent {len(sent):,} reminders, {catch_up / max(len(sent), 1) * 1000:.2f} ms each",
            )
            worst = max(ordinary)
            line(
                f"reminder sweep, ordinary day, {n:,} contracts",
                f"{worst[0]:.3f} s",
                "five next days (s / reminders / statements): "
                + "; ".join(f"{s:.3f} / {r} / {q}" for s, r, q in ordinary)
                + "; target < 0.5 s at 1M",
            )
    clear_contracts()
    clear_parcels()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--only", choices=["overview", "sweep"])
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        if args.only in (None, "overview"):
            bench_overview(sizes)
        if args.only in (None, "sweep"):
            bench_sweep(sizes)
    finally:
        clear_contracts()
        clear_parcels()


if __name__ == "__main__":
    main()
