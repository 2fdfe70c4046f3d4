"""Two requests at once on the new transfer steps and renewals (PostgreSQL, two threads): the
contract row lock lets one through and the other gets a clear message; nothing is done twice."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from assessments import services
from assessments.models import Contract, Renewal
from tests.assessments.conftest import make_leasing, make_passed
from tests.factories import ContractFactory, DistrictUserFactory, EnterpriseUserFactory

D = datetime.date
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _twice(call):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def leasing():
    contract = ContractFactory()
    make_leasing(contract)
    contract.refresh_from_db()
    holder = EnterpriseUserFactory(enterprise=contract.enterprise)
    staff = DistrictUserFactory(district=contract.parcel.district)
    return contract, holder, staff


def test_two_renewal_applications_at_once_make_one_renewal(leasing):
    contract, holder, _staff = leasing
    outcomes = _twice(
        lambda: services.renewal_apply(
            actor=holder, contract=contract, years=2, reason="设备", today=D(2029, 1, 1)
        )
    )
    assert outcomes.count("ok") == 1
    assert any("已申请续租" in o for o in outcomes if o != "ok")
    assert Renewal.objects.filter(contract=contract).count() == 1


def test_two_land_price_payments_at_once_record_one(leasing):
    contract, holder, staff = leasing
    make_passed(contract, holder, staff)
    services.transfer_apply(actor=holder, contract=contract, today=D(2029, 5, 25))
    services.transfer_contract_sign(
        actor=staff,
        contract=contract,
        contract_number="C",
        signed_on=D(2029, 6, 1),
        today=D(2029, 6, 1),
    )
    outcomes = _twice(
        lambda: services.land_price_pay(
            actor=staff,
            contract=contract,
            amount=contract.transfer_price,
            paid_on=D(2029, 6, 2),
            receipt="R",
            today=D(2029, 6, 2),
        )
    )
    assert outcomes.count("ok") == 1
    contract.refresh_from_db()
    assert contract.state == Contract.State.TRANSFERRED
    assert contract.events.filter(action="land_price").count() == 1
