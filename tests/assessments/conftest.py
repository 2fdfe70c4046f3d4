import datetime

import pytest

from assessments import services
from assessments.demo import DEMO_TARGETS, GOOD_VALUES
from assessments.seed import STANDARD_INDICATORS
from tests.factories import (
    ContractFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
)

# Targets of the eight indicators (one of each kind R17 names) and reported values meeting them.
TARGETS = DEMO_TARGETS
GOOD = GOOD_VALUES


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


def make_passed(contract, holder, staff, *, notice_on=datetime.date(2029, 5, 20)):
    """Report good values for 2028, apply (2029-01-10) and pass the assessment (notice_on)."""
    report_all(contract, holder, year=2028)
    services.assessment_apply(actor=holder, contract=contract, today=datetime.date(2029, 1, 10))
    services.assessment_decide(
        actor=staff, contract=contract, passed=True, notice_number="N-1", today=notice_on
    )
    contract.refresh_from_db()
    return contract


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
