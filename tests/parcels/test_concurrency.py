"""Two district staff enter the same parcel code at once (PostgreSQL, two threads): one parcel
is created, the other gets the form message naming the code — not a 500."""

from decimal import Decimal

import pytest

from parcels import services
from parcels.models import Parcel
from tests.concurrency import kinds, needs_postgres, race, refusals
from tests.factories import DistrictUserFactory, LandUseCategoryFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_parcel_code_entered_twice_at_once():
    needs_postgres()
    first = DistrictUserFactory()
    second = DistrictUserFactory(district=first.district)
    category = LandUseCategoryFactory()

    def create(user):
        return services.parcel_create(
            user=user,
            district=user.district,
            code="HD-2031-01",
            name="同一地块",
            category=category,
            area_ha=Decimal("2.5"),
            plan_year=2031,
            planned_quarter=2,
        )

    outcomes = race(lambda: create(first), lambda: create(second))
    assert kinds(outcomes) == ["ok", "refused"]
    # the uniqueness check or, when both passed it at once, the database's constraint
    assert "地块编号" in refusals(outcomes)[0]
    assert Parcel.objects.filter(code="HD-2031-01").count() == 1
