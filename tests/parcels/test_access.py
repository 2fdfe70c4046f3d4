"""A district user sees and changes only their district's parcels (tested through the URLs)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from parcels.models import Parcel
from tests.factories import (
    CityUserFactory,
    DistrictFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
    LandUseCategoryFactory,
    ParcelFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts():
    mine = DistrictFactory()
    other = DistrictFactory(jurisdiction=mine.jurisdiction)
    return mine, other


def test_district_user_lists_only_own_parcels(client, two_districts):
    mine, other = two_districts
    own = ParcelFactory(district=mine, code="OWN-1")
    ParcelFactory(district=other, code="OTHER-1")
    client.force_login(DistrictUserFactory(district=mine))

    response = client.get(reverse("parcels:list"))

    assert response.status_code == 200
    assert own.code in response.text
    assert "OTHER-1" not in response.text
    # Asking for the other district by filter does not widen the scope either.
    response = client.get(reverse("parcels:list"), {"district": other.pk})
    assert "OTHER-1" not in response.text


def test_district_user_cannot_open_or_edit_other_district_parcel(client, two_districts):
    mine, other = two_districts
    theirs = ParcelFactory(district=other, name="别区地块")
    client.force_login(DistrictUserFactory(district=mine))

    assert client.get(reverse("parcels:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("parcels:update", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("parcels:update", args=[theirs.pk]),
        {
            "district": other.pk,
            "code": "X",
            "name": "改名",
            "category": theirs.category_id,
            "area": "1",
            "area_unit": "ha",
            "land_source": "new",
            "supply_method": "listing",
            "plan_year": 2024,
            "planned_quarter": 1,
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "别区地块"


def test_district_user_cannot_create_parcel_in_other_district(client, two_districts):
    mine, other = two_districts
    category = LandUseCategoryFactory()
    client.force_login(DistrictUserFactory(district=mine))

    response = client.post(
        reverse("parcels:create"),
        {
            "district": other.pk,
            "code": "NEW-1",
            "name": "越权",
            "category": category.pk,
            "area": "1",
            "area_unit": "ha",
            "land_source": "new",
            "supply_method": "listing",
            "plan_year": 2024,
            "planned_quarter": 1,
        },
    )

    assert response.status_code == 200  # the form is shown again with the district refused
    assert "district" in response.context["form"].errors
    assert not Parcel.objects.filter(code="NEW-1").exists()


def test_area_in_mu_and_square_metres_is_stored_in_hectares(client, two_districts):
    mine, _ = two_districts
    category = LandUseCategoryFactory()
    client.force_login(DistrictUserFactory(district=mine))
    base = {
        "district": mine.pk,
        "name": "换算",
        "category": category.pk,
        "land_source": "stock",
        "supply_method": "listing",
        "plan_year": 2024,
        "planned_quarter": 3,
    }

    client.post(reverse("parcels:create"), {**base, "code": "MU", "area": "15", "area_unit": "mu"})
    client.post(
        reverse("parcels:create"), {**base, "code": "M2", "area": "25000", "area_unit": "m2"}
    )

    assert Parcel.objects.get(code="MU").area_ha == Decimal("1.0000")
    assert Parcel.objects.get(code="M2").area_ha == Decimal("2.5000")


def test_ring_defaults_from_district(reference_data):
    from landsupply.models import District

    haidian = District.objects.get(code="haidian")
    parcel = ParcelFactory(district=haidian, category=reference_data["categories"]["rnd"])
    assert parcel.ring.code == "central"


def test_city_staff_see_all_districts_of_their_jurisdiction_only(client, two_districts):
    mine, other = two_districts
    ParcelFactory(district=mine, code="A-1")
    ParcelFactory(district=other, code="B-1")
    ParcelFactory(code="ELSEWHERE-1")  # another jurisdiction
    client.force_login(CityUserFactory(jurisdiction=mine.jurisdiction))

    text = client.get(reverse("parcels:list")).text

    assert "A-1" in text and "B-1" in text
    assert "ELSEWHERE-1" not in text


def test_enterprise_user_cannot_see_parcel_list(client):
    client.force_login(EnterpriseUserFactory())
    assert client.get(reverse("parcels:list")).status_code == 403


def test_parcel_page_shows_who_changed_what(client, two_districts):
    mine, _ = two_districts
    user = DistrictUserFactory(district=mine, first_name="张科长")
    client.force_login(user)
    category = LandUseCategoryFactory()
    base = {
        "district": mine.pk,
        "code": "H-1",
        "name": "旧名",
        "category": category.pk,
        "area": "1",
        "area_unit": "ha",
        "land_source": "new",
        "supply_method": "listing",
        "plan_year": 2024,
        "planned_quarter": 1,
    }
    client.post(reverse("parcels:create"), base)
    parcel = Parcel.objects.get(code="H-1")
    client.post(reverse("parcels:update", args=[parcel.pk]), {**base, "name": "新名", "area": "2"})

    text = client.get(reverse("parcels:detail", args=[parcel.pk])).text

    assert "张科长" in text
    assert "旧名 → <strong>新名</strong>" in text
    assert "1.0000 → <strong>2.0000</strong>" in text
