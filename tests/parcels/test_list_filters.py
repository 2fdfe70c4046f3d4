"""The parcel list's filters narrow what a user sees, as a user would use them."""

import pytest
from django.urls import reverse

from landsupply.models import District
from tests.factories import CityUserFactory, ParcelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_client(client, reference_data):
    client.force_login(CityUserFactory(jurisdiction=reference_data["jurisdictions"]["beijing"]))
    return client


def codes(response):
    return {p.code for p in response.context["page"]}


def test_category_filter_includes_subcategories(city_client, reference_data):
    cats = reference_data["categories"]
    haidian = District.objects.get(code="haidian")
    ParcelFactory(district=haidian, code="RES", category=cats["residential"])
    ParcelFactory(district=haidian, code="AFF", category=cats["affordable_housing"])
    ParcelFactory(district=haidian, code="IND", category=cats["industrial"])

    response = city_client.get(reverse("parcels:list"), {"category": cats["residential"].pk})

    assert codes(response) == {"RES", "AFF"}


def test_yes_no_filters_default_to_all(city_client, reference_data):
    cats = reference_data["categories"]
    haidian = District.objects.get(code="haidian")
    ParcelFactory(district=haidian, code="RAIL", category=cats["industrial"], near_rail=True)
    ParcelFactory(district=haidian, code="NORAIL", category=cats["industrial"], near_rail=False)

    everything = city_client.get(reverse("parcels:list"))
    near = city_client.get(reverse("parcels:list"), {"near_rail": "true"})

    assert codes(everything) == {"RAIL", "NORAIL"}
    assert codes(near) == {"RAIL"}
    assert "全部" in everything.text


def test_ring_and_district_filters(city_client, reference_data):
    cats = reference_data["categories"]
    ParcelFactory(district=District.objects.get(code="haidian"), code="H", category=cats["rnd"])
    ParcelFactory(district=District.objects.get(code="daxing"), code="D", category=cats["rnd"])
    plain = District.objects.get(code="daxing").default_ring

    assert codes(city_client.get(reverse("parcels:list"), {"ring": plain.pk})) == {"D"}
    district = District.objects.get(code="haidian").pk
    assert codes(city_client.get(reverse("parcels:list"), {"district": district})) == {"H"}
