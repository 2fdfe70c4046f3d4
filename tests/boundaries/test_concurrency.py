"""Two imports over the same ground at the same moment: one wins, the other is refused naming
the winner's parcel (PostgreSQL row lock on the jurisdiction)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from boundaries.models import ParcelBoundary
from boundaries.services import boundary_import
from tests.boundaries.conftest import coordinate_text, square
from tests.factories import DistrictFactory, JurisdictionFactory, ParcelFactory

X0, Y0 = 4_400_000.0, 39_500_000.0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_at_once_store_one():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    jurisdiction = JurisdictionFactory(code="racecity")
    east = DistrictFactory(code="east", jurisdiction=jurisdiction)
    west = DistrictFactory(code="west", jurisdiction=jurisdiction)
    ParcelFactory(district=east, code="E1", area_ha=Decimal("1.0000"))
    ParcelFactory(district=west, code="W1", area_ha=Decimal("1.0000"))
    files = {
        east: coordinate_text([{"code": "E1", "rings": [square(X0, Y0)]}]).encode(),
        west: coordinate_text([{"code": "W1", "rings": [square(X0, Y0 + 50)]}]).encode(),
    }
    barrier = threading.Barrier(2)
    outcomes = []

    def run(district):
        from django.db import connections

        try:
            barrier.wait()
            report = boundary_import(district=district, data=files[district], source_name="f")
            outcomes.append("ok" if report.written else report.errors[0]["message"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(d,)) for d in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert ParcelBoundary.objects.count() == 1
    winner = ParcelBoundary.objects.get().parcel.code
    [refusal] = [o for o in outcomes if o != "ok"]
    assert winner in refusal and "重叠 0.5000 公顷" in refusal
