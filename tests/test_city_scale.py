"""City scale, shown by counting statements (not by timing, issue 11): the plan overview and the
reminder sweep send the same statements at 1,000 and at 10,000 rows, and the kept plan
figures equal a full scan of the parcels at both sizes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Contract
from landsupply.models import District
from parcels import figures
from parcels.models import Parcel
from plans import selectors as plan_selectors
from tests.assessments.conftest import make_leasing
from tests.factories import (
    CityUserFactory,
    ContractFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def _statements(run) -> list[str]:
    """The statements `run()` sends, without the savepoints that stand for transactions inside
    the test's own transaction."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def _add_parcels(n, *, start, categories, districts=None, lease_then_transfer=False):
    """bulk_create n parcels of 2024 spread over `districts` (default Beijing's), categories,
    land sources, statuses and supply days (the kept figures follow through the triggers)."""
    districts = districts or list(District.objects.filter(jurisdiction__code="beijing"))
    rows = []
    for i in range(start, start + n):
        district = districts[i % len(districts)]
        supplied = lease_then_transfer or i % 3 == 0
        rows.append(
            Parcel(
                district=district, ring_id=district.default_ring_id, code=f"S-{i:06d}",
                name=f"规模地块{i}", category=categories[i % len(categories)],
                area_ha=Decimal(i % 997 + 1) / 10, land_source="stock" if i % 2 else "new",
                supply_method="lease_then_transfer" if lease_then_transfer else "listing",
                in_key_function_area=i % 5 == 0, near_rail=i % 7 == 0, plan_year=2024,
                planned_quarter=i % 4 + 1, status="supplied" if supplied else "planned",
                supplied_on=D(2024, i % 12 + 1, i % 28 + 1) if supplied else None,
            )
        )  # fmt: skip
    Parcel.objects.bulk_create(rows, batch_size=2000)


def test_overview_statements_and_kept_figures_at_1k_and_10k_parcels(client, reference_data):
    from plans.models import AnnualPlan
    from plans.seed import seed_plans

    seed_plans()
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    categories = [c for c in reference_data["categories"].values() if c.parent_id]
    client.force_login(CityUserFactory(jurisdiction=plan.jurisdiction))

    def overview():
        assert client.get(reverse("plans:overview"), {"plan": plan.pk}).status_code == 200

    def progress():
        plan_selectors.plan_progress(plan=plan, as_of=D(2024, 12, 31))

    _add_parcels(1000, start=0, categories=categories)
    assert figures.differences() == []  # the kept sums equal a full scan
    page_1k, progress_1k = _statements(overview), _statements(progress)
    total_1k = plan_selectors.plan_progress(plan=plan, as_of=D(2024, 12, 31))["total"]

    _add_parcels(9000, start=1000, categories=categories)
    assert Parcel.objects.count() == 10_000
    assert figures.differences() == []
    page_10k, progress_10k = _statements(overview), _statements(progress)

    assert len(page_10k) == len(page_1k)
    assert len(progress_10k) == len(progress_1k)
    assert not any("parcels_parcel" in sql for sql in progress_10k)  # figures, never parcels
    total_10k = plan_selectors.plan_progress(plan=plan, as_of=D(2024, 12, 31))["total"]
    assert total_10k["planned_ha"] > total_1k["planned_ha"]  # the figures did move
    expected = sum(Parcel.objects.values_list("area_ha", flat=True), Decimal(0))
    assert total_10k["planned_ha"] == expected


def _template():
    """One awarded, leasing contract: the worked example, lease from 2024-09-01, so its
    assessment application is due 2029-02-28 (and its renewal application before it)."""
    template = ContractFactory()
    make_leasing(template)
    EnterpriseUserFactory(enterprise=template.enterprise)
    DistrictUserFactory(district=template.parcel.district)
    template.refresh_from_db()
    return template


def _copies(template, n, *, due):
    """bulk_create n copies of `template` on new parcels of their own: the first `due` with the
    same dates, the others with every date 20 years later (nothing of theirs is due in 2029).
    bulk_create bypasses Contract.save: the reminder schedule is set afterwards."""
    start = Parcel.objects.count()
    _add_parcels(
        n, start=start, categories=[template.parcel.category],
        districts=[template.parcel.district], lease_then_transfer=True,
    )  # fmt: skip
    parcels = Parcel.objects.order_by("-pk").values_list("pk", flat=True)[:n]
    fields = {f.attname: getattr(template, f.attname) for f in Contract._meta.concrete_fields}
    dates = [f.attname for f in Contract._meta.concrete_fields
             if f.get_internal_type() == "DateField" and fields[f.attname]]  # fmt: skip
    copies = []
    for i, parcel_id in enumerate(parcels):
        values = {**fields, "id": None, "parcel_id": parcel_id, "number": f"S-C{start + i:06d}"}
        if i >= due:
            for name in dates:
                values[name] = fields[name].replace(year=fields[name].year + 20)
        copies.append(Contract(**values))
    Contract.objects.bulk_create(copies, batch_size=2000)
    services.reminder_schedule_reset()


def test_sweep_statements_are_the_same_at_1k_and_10k_contracts():
    """30 contracts due on the day among 1,000, then among 10,000: the same 60 reminders
    (assessment application and renewal application, 30-day lead) in the same statements."""
    from assessments.models import ReminderDelivery

    template = _template()
    _copies(template, 999, due=29)  # with the template: 30 due among 1,000
    assert Contract.objects.count() == 1000

    def sweep():
        sent = []
        statements = _statements(lambda: sent.extend(services.reminder_sweep(today=D(2029, 2, 1))))
        assert len(sent) == 60 and {s["lead_days"] for s in sent} == {30}
        return statements

    at_1k = sweep()
    ReminderDelivery.objects.all().delete()  # as if never reminded
    _copies(template, 9000, due=0)
    assert Contract.objects.count() == 10_000
    at_10k = sweep()

    assert len(at_10k) == len(at_1k)
    assert services.reminder_sweep(today=D(2029, 2, 2)) == []  # the next day: nothing due
