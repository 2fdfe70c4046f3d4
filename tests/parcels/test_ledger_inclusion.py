"""A district's ledger import into a published year: new parcels wait for inclusion (R7)."""

import pytest

from parcels.ledger import ledger_import
from parcels.models import Parcel
from tests.factories import AnnualPlanFactory, ParcelFactory
from tests.parcels.conftest import ledger_row

pytestmark = pytest.mark.django_db


def test_a_districts_import_into_a_published_year_is_pending(beijing, write_ledger):
    AnnualPlanFactory(jurisdiction=beijing["haidian"].jurisdiction, year=2024)
    moved = ParcelFactory(district=beijing["haidian"], code="HD-OLD", plan_year=2023)
    path = write_ledger(
        [
            ledger_row(地块编号="HD-001"),
            ledger_row(地块编号="HD-2025", 计划年度="2025"),
            ledger_row(地块编号="HD-OLD", 地块名称=moved.name),
        ]
    )
    check = ledger_import(path=path, user=beijing["haidian_user"])
    assert check.errors == []
    pending = dict(Parcel.objects.values_list("code", "inclusion_pending"))
    assert pending == {"HD-001": True, "HD-2025": False, "HD-OLD": True}
    assert Parcel.objects.get(code="HD-001").history.get().inclusion_pending


@pytest.mark.parametrize("status", ["draft", "published"])
def test_city_imports_and_unpublished_years_count_at_once(beijing, write_ledger, status):
    AnnualPlanFactory(jurisdiction=beijing["haidian"].jurisdiction, year=2024, status=status)
    user = beijing["city_user"] if status == "published" else beijing["haidian_user"]
    ledger_import(path=write_ledger([ledger_row(地块编号="HD-001")]), user=user)
    assert not Parcel.objects.get(code="HD-001").inclusion_pending
