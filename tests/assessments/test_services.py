"""The contract lifecycle services (issue 4): R11–R23, recorded on the timeline."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import services
from assessments.models import Contract
from landsupply.models import Jurisdiction
from tests.assessments.conftest import make_leasing, report_all
from tests.factories import (
    ContractFactory,
    DistrictFactory,
    EnterpriseFactory,
    EnterpriseUserFactory,
    LeaseThenTransferParcelFactory,
)

D = datetime.date
S = Contract.State


def test_award_computes_worked_example(db):
    contract = ContractFactory()
    assert contract.state == S.AWARDED
    assert contract.lease_rent == contract.deposit == Decimal("7500000.00")
    assert contract.transfer_price == Decimal("22500000.00")
    assert contract.lease_end == D(2029, 8, 31)
    assert contract.assessment_application_due == D(2029, 2, 28)
    assert contract.events.get().rule.startswith("R12, R13")


def test_award_refused_in_jurisdiction_without_rule_set(reference_data):
    parcel = LeaseThenTransferParcelFactory(
        district=Jurisdiction.objects.get(code="zhengzhou").districts.first()
    )
    with pytest.raises(ValidationError, match="R25"):
        services.contract_award(
            actor=None,
            parcel=parcel,
            enterprise=EnterpriseFactory(),
            base_price=Decimal("1000000"),
            lease_years=5,
            transfer_years=15,
            lease_start=D(2025, 1, 1),
            award_method="listing",
            award_reference="X",
            number="ZZ-1",
        )
    assert not Contract.objects.exists()


def test_award_refuses_terms_and_methods(db):
    with pytest.raises(ValidationError, match="R11"):
        ContractFactory(lease_years=6, transfer_years=14)
    with pytest.raises(ValidationError, match="R12"):
        ContractFactory(award_method="agreement")
    assert not Contract.objects.exists()


def test_stock_land_by_agreement(db):
    contract = ContractFactory(
        parcel=LeaseThenTransferParcelFactory(land_source="stock"), award_method="agreement"
    )
    assert contract.land_source == "stock"
    assert "R16" in contract.events.get().rule


def test_pass_then_transfer(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    report_all(contract, holder, year=2028)
    assessment = services.assessment_apply(actor=holder, contract=contract, today=D(2029, 1, 10))
    assert assessment.proposed_pass is True
    services.assessment_decide(
        actor=staff,
        contract=contract,
        passed=True,
        notice_number="海规考〔2029〕1号",
        today=D(2029, 5, 20),
    )
    contract.refresh_from_db()
    assert contract.state == S.PASSED
    assert contract.transfer_application_due == D(2029, 6, 4)
    with pytest.raises(ValidationError, match="2029-06-04"):
        services.transfer_apply(actor=holder, contract=contract, today=D(2029, 6, 5))
    services.transfer_apply(actor=holder, contract=contract, today=D(2029, 6, 4))
    contract.refresh_from_db()
    assert contract.state == S.TRANSFER_APPLIED
    assert [e.action for e in contract.events.all()] == [
        "award",
        "lease",
        "assessment_apply",
        "assessment_decide",
        "transfer",
    ]
    assert contract.events.last().actor == holder


def test_assessment_application_closes_at_due(worked_example):
    contract, holder = worked_example["contract"], worked_example["holder"]
    with pytest.raises(ValidationError, match="2029-02-28"):
        services.assessment_apply(actor=holder, contract=contract, today=D(2029, 3, 1))
    contract.refresh_from_db()
    assert contract.state == S.LEASING


def test_decision_must_come_before_lease_end_and_override_needs_remarks(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    services.assessment_apply(actor=holder, contract=contract, today=D(2029, 2, 28))
    with pytest.raises(ValidationError, match="remarks|考核意见"):
        services.assessment_decide(
            actor=staff, contract=contract, passed=True, notice_number="N1", today=D(2029, 5, 1)
        )
    with pytest.raises(ValidationError, match="R18"):
        services.assessment_decide(
            actor=staff, contract=contract, passed=False, notice_number="N1", today=D(2029, 9, 1)
        )


def test_fail_then_exit(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    services.assessment_apply(actor=holder, contract=contract, today=D(2029, 1, 10))
    services.assessment_decide(
        actor=staff, contract=contract, passed=False, notice_number="N2", today=D(2029, 4, 1)
    )
    contract.refresh_from_db()
    assert contract.state == S.FAILED
    record = services.exit_complete(
        actor=staff, contract=contract, exit_date=D(2029, 8, 1), today=D(2029, 8, 1)
    )
    contract.refresh_from_db()
    assert contract.state == S.EXITED and record.title_deregistered and record.kind == "failed"


def test_renewal_moves_every_deadline(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    with pytest.raises(ValidationError, match="R21"):
        services.renewal_apply(
            actor=holder, contract=contract, years=3, reason="设备未到位", today=D(2029, 1, 1)
        )
    renewal = services.renewal_apply(
        actor=holder, contract=contract, years=2, reason="设备未到位", today=D(2029, 1, 1)
    )
    assert renewal.rent == Decimal("3000000.00")
    services.renewal_decide(
        actor=staff,
        contract=contract,
        approved=True,
        approval_reference="海政批〔2029〕3号",
        today=D(2029, 2, 1),
    )
    contract.refresh_from_db()
    assert contract.state == S.LEASING
    assert contract.lease_end == D(2031, 8, 31)
    assert contract.assessment_application_due == D(2031, 2, 28)
    assert contract.transfer_term_start == D(2031, 9, 1)
    assert contract.renewal_rent == Decimal("3000000.00")
    assert contract.transfer_price == Decimal("22500000.00")


def test_voluntary_exit_settlement(worked_example):
    """R23 worked example: exit on 2027-08-31 → 2 remaining years, 3,000,000.00 rent; the
    district settles with a penalty, buildings and charges."""
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    preview = services.exit_apply(
        actor=holder,
        contract=contract,
        exit_date=D(2027, 8, 31),
        reason="经营调整",
        today=D(2027, 6, 1),
    )
    assert preview.remaining_rent == Decimal("3000000.00")
    assert preview.remaining_years == Decimal("2")
    record = services.exit_complete(
        actor=staff,
        contract=contract,
        penalty=Decimal("500000"),
        replacement_cost=Decimal("2000000"),
        newness=Decimal("0.6"),
        demolition_charge=Decimal("50000"),
        today=D(2027, 8, 31),
    )
    assert record.remaining_rent == Decimal("3000000.00")
    assert record.rent_refund == Decimal("2500000.00")
    assert record.amount_owed == Decimal("0.00")
    assert record.net_payable_to_holder == Decimal("3650000.00")
    contract.refresh_from_db()
    assert contract.state == S.EXITED


def test_exit_penalty_beyond_the_remaining_rent_is_owed_by_the_holder(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    services.exit_apply(
        actor=holder, contract=contract, exit_date=D(2028, 8, 31), reason="x", today=D(2028, 1, 1)
    )
    record = services.exit_complete(
        actor=staff, contract=contract, penalty=Decimal("1800000"), today=D(2028, 8, 31)
    )
    assert record.rent_refund == Decimal("0.00")
    assert record.amount_owed == Decimal("300000.00")
    assert record.net_payable_to_holder == Decimal("-300000.00")


def test_exit_date_on_the_lease_end_is_accepted_the_day_after_is_not(worked_example):
    contract, holder = worked_example["contract"], worked_example["holder"]
    with pytest.raises(ValidationError, match="R23") as exc:
        services.exit_apply(
            actor=holder,
            contract=contract,
            exit_date=D(2029, 9, 1),
            reason="x",
            today=D(2029, 1, 1),
        )
    assert "exit_date" in exc.value.message_dict
    record = services.exit_apply(
        actor=holder, contract=contract, exit_date=D(2029, 8, 31), reason="x", today=D(2029, 1, 1)
    )
    assert record.remaining_rent == Decimal("0.00")


def test_failed_exit_must_be_by_the_lease_end(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    services.assessment_apply(actor=holder, contract=contract, today=D(2029, 1, 10))
    services.assessment_decide(
        actor=staff, contract=contract, passed=False, notice_number="N", today=D(2029, 4, 1)
    )
    with pytest.raises(ValidationError, match="2029-08-31"):
        services.exit_complete(
            actor=staff, contract=contract, exit_date=D(2029, 9, 1), today=D(2029, 8, 1)
        )
    record = services.exit_complete(
        actor=staff, contract=contract, exit_date=D(2029, 8, 31), today=D(2029, 8, 1)
    )
    assert record.exit_date == D(2029, 8, 31)


def test_serious_violation_terminates(worked_example):
    contract, staff = worked_example["contract"], worked_example["district_user"]
    services.violation_record(
        actor=staff,
        contract=contract,
        kind="sublease",
        found_on=D(2026, 3, 1),
        description="未完成建设即转租",
        disposal="限期整改",
        serious=False,
    )
    contract.refresh_from_db()
    assert contract.state == S.LEASING
    services.violation_record(
        actor=staff,
        contract=contract,
        kind="real_estate",
        found_on=D(2026, 6, 1),
        description="变相房地产开发",
        disposal="解除租赁合同，收回土地",
        serious=True,
    )
    contract.refresh_from_db()
    assert contract.state == S.TERMINATED


def test_other_enterprise_and_other_district_cannot_act(worked_example):
    contract = worked_example["contract"]
    stranger = EnterpriseUserFactory()
    with pytest.raises(PermissionDenied):
        services.assessment_apply(actor=stranger, contract=contract, today=D(2029, 1, 1))
    from tests.factories import DistrictUserFactory

    other_district = DistrictUserFactory(
        district=DistrictFactory(jurisdiction=contract.parcel.district.jurisdiction)
    )
    with pytest.raises(PermissionDenied):
        services.violation_record(
            actor=other_district,
            contract=contract,
            kind="mortgage",
            found_on=D(2026, 1, 1),
            description="x",
            disposal="y",
        )


def test_start_lease_needs_an_indicator(db):
    contract = ContractFactory()
    with pytest.raises(ValidationError, match="R17"):
        services.contract_start_lease(actor=None, contract=contract, agreement_reference="A")
    make_leasing(contract)
    contract.refresh_from_db()
    assert contract.state == S.LEASING
