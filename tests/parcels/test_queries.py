"""A page's query count does not grow with the number of parcels."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ParcelFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"status": "planned", "category": "", "page": "2"}])
def test_parcel_list_query_count_is_constant(client, beijing, params):
    categories = list(beijing["categories"].values())
    client.force_login(beijing["city_user"])
    url = reverse("parcels:list")

    def add(n):
        for i in range(n):
            ParcelFactory(
                district=[beijing["haidian"], beijing["daxing"]][i % 2],
                category=categories[i % len(categories)],
            )

    add(60)
    small = count_queries(client, url, params)
    add(120)
    large = count_queries(client, url, params)

    assert large == small


def test_parcel_export_query_count_is_constant(client, beijing):
    client.force_login(beijing["city_user"])
    category = beijing["categories"]["industrial"]
    ParcelFactory.create_batch(5, district=beijing["haidian"], category=category)
    small = count_queries(client, reverse("parcels:export"))
    ParcelFactory.create_batch(25, district=beijing["daxing"], category=category)
    assert count_queries(client, reverse("parcels:export")) == small


def test_plan_overview_query_count_is_constant(client, beijing):
    from plans.models import AnnualPlan
    from plans.seed import seed_plans

    seed_plans()
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    categories = list(beijing["categories"].values())
    client.force_login(beijing["city_user"])
    url = reverse("plans:overview")

    def add(n, factory=ParcelFactory):
        for i in range(n):
            factory(
                district=[beijing["haidian"], beijing["daxing"]][i % 2],
                category=categories[i % len(categories)],
                plan_year=plan.year,
            )

    add(10)
    small = count_queries(client, url, {"plan": plan.pk})
    add(40)
    from tests.factories import SuppliedParcelFactory

    add(20, SuppliedParcelFactory)
    assert count_queries(client, url, {"plan": plan.pk}) == small
