"""landsupply.locking: the lock helper and the duplicate-insert refusal."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from landsupply.locking import lock, refuse_duplicate
from parcels import services
from parcels.models import Parcel
from tests.factories import DistrictUserFactory, ParcelFactory

pytestmark = pytest.mark.django_db


def test_lock_returns_the_row_read_afresh():
    parcel = ParcelFactory(name="旧名")
    Parcel.objects.filter(pk=parcel.pk).update(name="新名")
    assert lock(Parcel, parcel.pk).name == "新名"
    assert lock(Parcel.objects.select_related("district"), parcel.pk).district == parcel.district


def test_a_duplicate_that_slipped_past_the_check_is_a_message_and_the_transaction_goes_on():
    """Two inserts that both passed full_clean: the database refuses the second, the service
    raises ValidationError naming the code, and the caller's transaction is still usable."""
    user = DistrictUserFactory()
    existing = ParcelFactory(district=user.district, code="HD-1")
    with (
        mock.patch.object(Parcel, "validate_constraints"),
        mock.patch.object(Parcel, "validate_unique"),
        pytest.raises(ValidationError) as exc,
    ):
        services.parcel_create(
            user=user,
            district=user.district,
            code="HD-1",
            name="重复",
            category=existing.category,
            area_ha=existing.area_ha,
            plan_year=2031,
            planned_quarter=1,
        )
    assert "HD-1" in exc.value.message_dict["code"][0]
    assert Parcel.objects.filter(code="HD-1").count() == 1  # and the connection still works


def test_refuse_duplicate_lets_other_errors_through():
    with pytest.raises(ZeroDivisionError), refuse_duplicate("dup"):
        1 / 0  # noqa: B018
