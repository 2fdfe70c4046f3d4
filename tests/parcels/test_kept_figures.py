"""Kept plan figures (parcels.figures): after any mix of parcel writes — service-like saves,
bulk creates, queryset updates and deletes, the ledger import (COPY on PostgreSQL) — the kept
sums equal a full scan of the parcels, and the plan selectors read exactly the full scan's
numbers (issue 11). Runs on SQLite and on PostgreSQL (the suite's DATABASE_URL)."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from landsupply.models import Ring
from parcels import figures
from parcels.ledger import ledger_import
from parcels.models import LandUseCategory, Parcel, PlanFigure
from plans import selectors
from tests import concurrency
from tests.factories import AnnualPlanFactory
from tests.parcels.conftest import ledger_row

D = datetime.date
YEAR = 2024
DIMS = ("district_id", "category_id", "ring_id", "land_source", "in_key_function_area")
DIMS += ("near_rail",)


def _scan(plan, district_ids, as_of, excluded=()):
    """The plan figures by a full scan of the parcels, summed exactly in Python: the
    reference the kept figures must equal."""
    rows = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_day = defaultdict(Decimal)
    for p in Parcel.objects.filter(plan_year=plan.year, district_id__in=district_ids):
        if p.pk in excluded or p.status == Parcel.Status.WITHDRAWN:
            continue
        row = rows[tuple(getattr(p, k) for k in DIMS)]
        row[0] += p.area_ha
        if p.status == Parcel.Status.SUPPLIED and p.supplied_on <= as_of:
            row[1] += p.area_ha
            by_day[p.supplied_on] += p.area_ha
    return (
        {k: tuple(v) for k, v in rows.items() if any(v)},
        {d: a for d, a in by_day.items() if a},
    )


def _kept(plan, district_ids, as_of, excluded=None):
    rows, by_day = selectors._figure_rows(
        plan=plan, district_ids=district_ids, as_of=as_of, excluded_parcel_ids=excluded
    )
    return {tuple(r[k] for k in DIMS): (r["planned"], r["supplied"]) for r in rows}, by_day


class World:
    def __init__(self, beijing, seed):
        self.rnd = random.Random(seed)
        self.districts = [beijing["haidian"], beijing["daxing"]]
        self.categories = list(LandUseCategory.objects.order_by("pk")[:4])
        self.rings = [*Ring.objects.filter(jurisdiction=self.districts[0].jurisdiction), None]
        self.user = beijing["city_user"]
        self.counter = 0

    def fields(self):
        r = self.rnd
        status = r.choice(list(Parcel.Status))
        return {
            "category": r.choice(self.categories),
            "ring": r.choice(self.rings),
            "area_ha": Decimal(r.randint(1, 99999)).scaleb(-4) * r.choice([1, 10, 1000]),
            "land_source": r.choice(["stock", "new"]),
            "in_key_function_area": r.random() < 0.3,
            "near_rail": r.random() < 0.3,
            "plan_year": r.choice([YEAR, YEAR, YEAR, YEAR + 1]),
            "status": status,
            "supplied_on": (
                D(YEAR, 1, 1) + datetime.timedelta(days=r.randint(-20, 400))
                if status == Parcel.Status.SUPPLIED or r.random() < 0.2
                else None
            ),
        }

    def new(self):
        self.counter += 1
        return Parcel(
            district=self.rnd.choice(self.districts),
            code=f"R{self.counter:05d}",
            name=f"随机地块{self.counter}",
            planned_quarter=1,
            **self.fields(),
        )

    def some(self, k):
        ids = list(Parcel.objects.values_list("pk", flat=True))
        return Parcel.objects.filter(pk__in=self.rnd.sample(ids, min(k, len(ids))))

    def step(self):
        r = self.rnd
        op = r.choice(["create", "bulk", "save", "update", "delete", "delete_many", "ledger"])
        if op == "create":
            self.new().save()
        elif op == "bulk":
            Parcel.objects.bulk_create([self.new() for _ in range(r.randint(1, 8))])
        elif op == "save":
            for parcel in self.some(3):
                for name, value in self.fields().items():
                    if r.random() < 0.5:
                        setattr(parcel, name, value)
                if parcel.status == Parcel.Status.SUPPLIED and parcel.supplied_on is None:
                    parcel.supplied_on = D(YEAR, 6, 1)
                if r.random() < 0.2:
                    parcel.district = r.choice(self.districts)
                    parcel.code = f"M{parcel.pk:05d}"
                parcel.save()
        elif op == "update":  # a bulk change: withdraw, or put back into planning
            category = r.choice(self.categories)
            if r.random() < 0.5:
                Parcel.objects.filter(category=category).update(status=Parcel.Status.WITHDRAWN)
            else:
                Parcel.objects.filter(category=category).exclude(
                    status=Parcel.Status.SUPPLIED
                ).update(status=Parcel.Status.PLANNED, area_ha=Decimal("3.3333"))
        elif op == "delete":
            self.some(1).delete()
        elif op == "delete_many":
            self.some(r.randint(2, 6)).delete()
        else:
            return op
        return op

    def ledger(self, write_ledger):
        """The ledger import: new rows (COPY on PostgreSQL) and changes of existing ones."""
        r = self.rnd
        existing = list(
            Parcel.objects.filter(district=self.districts[0], plan_year=YEAR).values_list(
                "code", flat=True
            )[:3]
        )
        rows = []
        for code in [*existing, *(f"L{self.counter}-{i}" for i in range(r.randint(1, 5)))]:
            supplied = r.random() < 0.5
            rows.append(
                ledger_row(
                    地块编号=code,
                    面积=str(r.randint(1, 500) / 10),
                    状态="已供应" if supplied else "计划供应",
                    供应日期=f"{YEAR}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                    if supplied
                    else "",
                    轨道站点周边=r.choice(["是", "否"]),
                )
            )
        self.counter += 1
        check = ledger_import(path=write_ledger(rows), user=self.user)
        assert check.errors == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kept_figures_equal_a_full_scan_after_random_writes(beijing, write_ledger, seed):
    world = World(beijing, seed)
    plan = AnnualPlanFactory(jurisdiction=world.districts[0].jurisdiction, year=YEAR)
    for _ in range(10):
        world.new().save()
    for _ in range(25):
        if world.step() == "ledger":
            world.ledger(write_ledger)
        assert figures.differences() == []
    world.ledger(write_ledger)  # at least one import (new rows: COPY on PostgreSQL) per seed
    assert figures.differences() == []
    assert Parcel.objects.exists()
    ids = [d.pk for d in world.districts]
    excluded = set(world.some(3).values_list("pk", flat=True))
    for as_of in [
        D(YEAR, 1, 1),
        D(YEAR, 3, 15),
        D(YEAR, 6, 30),
        D(YEAR, 12, 31),
        D(YEAR - 1, 12, 31),
    ]:
        for district_ids in (ids, ids[:1]):
            assert _kept(plan, district_ids, as_of) == _scan(plan, district_ids, as_of)
            assert _kept(plan, district_ids, as_of, list(excluded)) == _scan(
                plan, district_ids, as_of, excluded
            )


def test_supplies_after_as_of_do_not_count_and_on_the_day_do(beijing):
    """Both sides of the as-of day: a supply on the day counts, one the day after does not."""
    world = World(beijing, 9)
    plan = AnnualPlanFactory(jurisdiction=world.districts[0].jurisdiction, year=YEAR)
    district = world.districts[0]
    for day, area in [(D(YEAR, 5, 10), "1.0001"), (D(YEAR, 5, 11), "2.0002")]:
        p = world.new()
        p.district, p.status, p.supplied_on, p.area_ha = district, "supplied", day, Decimal(area)
        p.plan_year = YEAR
        p.save()
    progress = selectors.plan_progress(plan=plan, district=district, as_of=D(YEAR, 5, 10))
    assert progress["total"]["supplied_ha"] == Decimal("1.0001")
    assert progress["total"]["planned_ha"] == Decimal("3.0003")
    progress = selectors.plan_progress(plan=plan, district=district, as_of=D(YEAR, 5, 11))
    assert progress["total"]["supplied_ha"] == Decimal("3.0003")


def test_a_withdrawn_parcel_counts_nowhere_and_counts_again_when_reinstated(beijing):
    world = World(beijing, 5)
    plan = AnnualPlanFactory(jurisdiction=world.districts[0].jurisdiction, year=YEAR)
    p = world.new()
    p.plan_year, p.status, p.supplied_on, p.area_ha = YEAR, "planned", None, Decimal("4.5")
    p.save()
    assert selectors.plan_progress(plan=plan)["total"]["planned_ha"] == Decimal("4.5000")
    Parcel.objects.filter(pk=p.pk).update(status=Parcel.Status.WITHDRAWN)
    assert selectors.plan_progress(plan=plan)["total"]["planned_ha"] == Decimal("0.0000")
    Parcel.objects.filter(pk=p.pk).update(status=Parcel.Status.PLANNED)
    assert selectors.plan_progress(plan=plan)["total"]["planned_ha"] == Decimal("4.5000")


def test_plan_figures_do_not_scan_the_parcels(beijing, django_assert_num_queries):
    """The overview's figures issue the same queries at 20 and 200 parcels, and none of them
    reads the parcels table."""
    world = World(beijing, 11)
    plan = AnnualPlanFactory(jurisdiction=world.districts[0].jurisdiction, year=YEAR)
    Parcel.objects.bulk_create([world.new() for _ in range(20)])
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        selectors.plan_progress(plan=plan)
        selectors.plan_ranking(plan=plan)
    Parcel.objects.bulk_create([world.new() for _ in range(180)])
    with CaptureQueriesContext(connection) as large:
        selectors.plan_progress(plan=plan)
        selectors.plan_ranking(plan=plan)
    assert len(small) == len(large)
    assert not [q for q in large.captured_queries if '"parcels_parcel"' in q["sql"]]


def test_check_consistency_finds_and_rebuilds_stale_figures(beijing):
    world = World(beijing, 3)
    Parcel.objects.bulk_create([world.new() for _ in range(10)])
    PlanFigure.objects.filter(pk=PlanFigure.objects.order_by("pk").first().pk).update(planned_m2=1)
    assert figures.differences()
    out = StringIO()
    with pytest.raises(CommandError):  # exit status 1: an unexplained finding
        call_command("check_consistency", stdout=out)
    assert "figures-differ" in out.getvalue()
    call_command("check_consistency", "--rebuild-figures", stdout=StringIO())
    assert figures.differences() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parcels_of_one_district_written_at_once_both_count(reference_data):
    """Two transactions add a parcel to the same kept row at the same moment: the second waits
    for the first's row and adds to what it committed (PostgreSQL, two threads)."""
    concurrency.needs_postgres()
    from landsupply.models import District

    district = District.objects.get(code="haidian")
    category = LandUseCategory.objects.order_by("pk").first()
    for round_ in range(concurrency.ROUNDS):

        def write(i, round_=round_):
            return Parcel.objects.create(
                district=district,
                code=f"C{round_}-{i}",
                name="并发地块",
                category=category,
                area_ha=Decimal("1.2345"),
                plan_year=YEAR,
                planned_quarter=1,
                status=Parcel.Status.SUPPLIED,
                supplied_on=D(YEAR, 4, 1),
            ).pk

        concurrency.race(lambda: write(1), lambda: write(2))
        # and two supplies of planned parcels of the district changed at once
        pks = list(
            Parcel.objects.filter(code__startswith=f"C{round_}-").values_list("pk", flat=True)
        )

        def withdraw(pk):  # back to planned: the supplied area leaves the kept row
            return Parcel.objects.filter(pk=pk).update(status=Parcel.Status.PLANNED)

        first, second = pks
        concurrency.race(lambda a=first: withdraw(a), lambda b=second: withdraw(b))
    figure = PlanFigure.objects.get(district_id=district.pk, category_id=category.pk)
    assert figure.parcels == 2 * concurrency.ROUNDS
    assert figure.planned_m2 == 12345 * 2 * concurrency.ROUNDS
    assert figure.supplied_m2 == 0
    assert figures.differences() == []
