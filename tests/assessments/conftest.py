import datetime
from decimal import Decimal

import pytest

from assessments import services
from assessments.seed import STANDARD_INDICATORS
from tests.factories import (
    ContractFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
)

# Targets of the eight indicators (one of each kind R17 names), by name.
TARGETS = {
    "产业类型符合准入要求": None,
    "投资强度": Decimal("8000"),
    "地均产出": Decimal("15000"),
    "地均税收": Decimal("800"),
    "研发投入占营业收入比例": Decimal("3"),
    "单位产值能耗": Decimal("0.1"),
    "地区贡献率": Decimal("60"),
    "本地就业人数": Decimal("200"),
}
# Reported values that meet every target.
GOOD = {
    "产业类型符合准入要求": Decimal("1"),
    "投资强度": Decimal("9000"),
    "地均产出": Decimal("16000"),
    "地均税收": Decimal("900"),
    "研发投入占营业收入比例": Decimal("4"),
    "单位产值能耗": Decimal("0.05"),
    "地区贡献率": Decimal("70"),
    "本地就业人数": Decimal("250"),
}


def set_indicators(contract, *, targets=None, skip=()):
    """Set the eight indicators of the performance agreement (R17), leaving out `skip` names."""
    targets = {**TARGETS, **(targets or {})}
    for name, unit, direction, kind in STANDARD_INDICATORS:
        if name in skip:
            continue
        services.indicator_set(
            actor=None,
            contract=contract,
            name=name,
            unit=unit,
            direction=direction,
            target=targets[name],
            kind=kind,
        )


def report_all(contract, holder, *, year, values=None):
    """Report every indicator of `contract` for `year` (values by name, default GOOD)."""
    values = {**GOOD, **(values or {})}
    for indicator in contract.indicators.all():
        services.indicator_report_submit(
            actor=holder, indicator=indicator, year=year, actual=values[indicator.name]
        )


def make_leasing(contract, *, targets=None):
    """Set the eight indicators and start the lease (R17)."""
    set_indicators(contract, targets=targets)
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
