import datetime
from decimal import Decimal

import pytest

from assessments import services
from tests.factories import (
    ContractFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
)


def make_leasing(contract, *, targets=None):
    """Set two indicators and start the lease (R17)."""
    targets = targets or {"投资强度": Decimal("8000"), "单位产值能耗": Decimal("0.1")}
    services.indicator_set(
        actor=None,
        contract=contract,
        name="投资强度",
        unit="万元/公顷",
        direction="at_least",
        target=targets["投资强度"],
    )
    services.indicator_set(
        actor=None,
        contract=contract,
        name="单位产值能耗",
        unit="吨标准煤/万元",
        direction="at_most",
        target=targets["单位产值能耗"],
    )
    return services.contract_start_lease(
        actor=None, contract=contract, agreement_reference="协议-1", on=contract.lease_start
    )


@pytest.fixture
def worked_example(db):
    """The DOMAIN.md worked example, leasing, with its enterprise user and district user."""
    contract = ContractFactory()
    make_leasing(contract)
    holder = EnterpriseUserFactory(enterprise=contract.enterprise)
    district_user = DistrictUserFactory(district=contract.parcel.district)
    contract.refresh_from_db()
    return {"contract": contract, "holder": holder, "district_user": district_user}


DAY = datetime.date
