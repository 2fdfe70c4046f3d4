"""Issue 9: the lease-then-transfer rules at their edges — major projects, the rule set by
award date, land use, renewals, R17's indicator set and district templates, the transfer to
the title registration, violations after conversion, deadlines on holidays."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import AssessmentTemplate, AssessmentTemplateItem, Contract
from assessments.seed import STANDARD_INDICATORS
from landsupply.models import CalendarDay
from tests.assessments.conftest import TARGETS, make_leasing, make_passed, set_indicators
from tests.factories import (
    ContractFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
    LandUseCategoryFactory,
    LeaseRuleSetFactory,
    LeaseThenTransferParcelFactory,
)

D = datetime.date
S = Contract.State
APPROVAL = "京政函〔2025〕8号"


# --- R11 major projects ------------------------------------------------------------------------


def test_major_project_5_plus_45_is_awarded_with_the_city_approval(db):
    contract = ContractFactory(lease_years=5, transfer_years=45, extension_approval=APPROVAL)
    assert contract.state == S.AWARDED
    assert contract.extension_approval == APPROVAL
    assert contract.transfer_term_end == D(2074, 8, 31)
    award = contract.events.get()
    assert len(award.rule) <= 32 and "R11" in award.rule
    assert APPROVAL in award.reason


def test_one_year_past_the_statutory_maximum_is_refused_even_with_approval(db):
    with pytest.raises(ValidationError, match="法定最高年限"):
        ContractFactory(lease_years=5, transfer_years=46, extension_approval=APPROVAL)
    assert not Contract.objects.exists()


def test_past_the_general_limits_without_approval_is_refused(db):
    with pytest.raises(ValidationError, match="批准文号"):
        ContractFactory(lease_years=5, transfer_years=16)


# --- land use (scope, statutory maximum per use) -----------------------------------------------


def test_a_commercial_parcel_is_refused_for_lease_then_transfer(db):
    commercial = LandUseCategoryFactory(code="commercial", name="商服用地")
    parcel = LeaseThenTransferParcelFactory(category=commercial)
    with pytest.raises(ValidationError) as exc:
        ContractFactory(parcel=parcel)
    assert "商服用地" in str(exc.value) and "工业用地" in str(exc.value)
    assert "parcel" in exc.value.message_dict
    assert not Contract.objects.exists()


def test_the_statutory_maximum_follows_the_land_use(db):
    """A rule set that covered commercial land would still stop at its 40 years (第十二条)."""
    commercial = LandUseCategoryFactory(code="commercial", name="商服用地")
    parcel = LeaseThenTransferParcelFactory(category=commercial)
    LeaseRuleSetFactory(jurisdiction=parcel.district.jurisdiction, land_use_categories=[commercial])
    with pytest.raises(ValidationError, match="40"):
        ContractFactory(
            parcel=parcel, lease_years=5, transfer_years=36, extension_approval=APPROVAL
        )
    contract = ContractFactory(
        parcel=parcel, lease_years=5, transfer_years=35, extension_approval=APPROVAL
    )
    assert contract.transfer_years == 35


# --- R25 the rule set of the award date ------------------------------------------------------


def test_rule_set_is_chosen_by_the_award_date_not_the_lease_start(db):
    contract = ContractFactory(award_date=D(2024, 2, 18), lease_start=D(2024, 3, 1))
    assert contract.rule_set.effective_from == D(2024, 2, 18)
    assert contract.events.get().occurred_on == D(2024, 2, 18)


def test_award_before_the_guidance_took_effect_is_refused_without_inviting_back_dating(db):
    with pytest.raises(ValidationError) as exc:
        ContractFactory(award_date=D(2024, 2, 17), lease_start=D(2024, 3, 1))
    message = " ".join(exc.value.messages)
    assert "2024-02-18" in message and "不适用于此前" in message and "R25" in message
    assert "后台" not in message and "录入" not in message


def test_guidance_valid_five_years_last_day_2029_02_17(db):
    on_last_day = ContractFactory(
        award_date=D(2029, 2, 17), lease_start=D(2029, 3, 1), today=D(2029, 3, 1)
    )
    assert on_last_day.rule_set.effective_until == D(2029, 2, 17)
    with pytest.raises(ValidationError, match="2029-02-17") as exc:
        ContractFactory(award_date=D(2029, 2, 18), lease_start=D(2029, 3, 1), today=D(2029, 3, 1))
    assert "失效" in str(exc.value)


def test_award_date_cannot_be_in_the_future_or_after_the_lease_start(db):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        ContractFactory(award_date=D(2025, 3, 2), lease_start=D(2025, 4, 1), today=D(2025, 3, 1))
    with pytest.raises(ValidationError, match="租赁起始日"):
        ContractFactory(award_date=D(2024, 9, 2), lease_start=D(2024, 9, 1))
    assert ContractFactory(award_date=D(2024, 9, 1), lease_start=D(2024, 9, 1)).pk


# --- R21 renewals ---------------------------------------------------------------------------------


def test_a_second_renewal_past_the_total_cap_is_refused(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    services.renewal_apply(
        actor=holder, contract=contract, years=1, reason="a", today=D(2029, 1, 1)
    )
    services.renewal_decide(
        actor=staff, contract=contract, approved=True, approval_reference="R-1", today=D(2029, 1, 5)
    )
    contract.refresh_from_db()
    assert contract.lease_end == D(2030, 8, 31)
    services.renewal_apply(
        actor=holder, contract=contract, years=1, reason="b", today=D(2030, 1, 1)
    )
    services.renewal_decide(
        actor=staff, contract=contract, approved=True, approval_reference="R-2", today=D(2030, 1, 5)
    )
    contract.refresh_from_db()
    assert (contract.renewal_years, contract.lease_end) == (2, D(2031, 8, 31))
    with pytest.raises(ValidationError, match="合计") as exc:
        services.renewal_apply(
            actor=holder, contract=contract, years=1, reason="c", today=D(2031, 1, 1)
        )
    assert "years" in exc.value.message_dict
    contract.refresh_from_db()
    assert contract.state == S.LEASING and contract.renewals.count() == 2


def test_renewal_is_not_an_extension_where_extensions_are_forbidden(db):
    parcel = LeaseThenTransferParcelFactory()
    LeaseRuleSetFactory(jurisdiction=parcel.district.jurisdiction, extension_allowed=False)
    contract = ContractFactory(parcel=parcel)
    make_leasing(contract)
    holder = EnterpriseUserFactory(enterprise=contract.enterprise)
    renewal = services.renewal_apply(
        actor=holder, contract=contract, years=2, reason="设备未到位", today=D(2029, 1, 1)
    )
    assert renewal.rent == Decimal("3000000.00")


def test_renewal_application_deadline_both_sides(worked_example):
    contract, holder = worked_example["contract"], worked_example["holder"]
    with pytest.raises(ValidationError, match="2029-02-28"):
        services.renewal_apply(
            actor=holder, contract=contract, years=1, reason="x", today=D(2029, 3, 1)
        )
    services.renewal_apply(
        actor=holder, contract=contract, years=1, reason="x", today=D(2029, 2, 28)
    )


def test_assessment_application_deadline_last_day_is_accepted(worked_example):
    contract, holder = worked_example["contract"], worked_example["holder"]
    services.assessment_apply(actor=holder, contract=contract, today=D(2029, 2, 28))
    contract.refresh_from_db()
    assert contract.state == S.ASSESSMENT_APPLIED


# --- R17 indicator set and district templates ------------------------------------------------


def test_the_lease_starts_only_when_all_eight_kinds_are_covered(db):
    contract = ContractFactory()
    set_indicators(contract, skip={"本地就业人数"})
    with pytest.raises(ValidationError) as exc:
        services.contract_start_lease(actor=None, contract=contract, agreement_reference="A")
    assert "本地就业人口" in str(exc.value) and "R17" in str(exc.value)
    assert "投资强度" not in str(exc.value)
    set_indicators(contract)
    services.contract_start_lease(actor=None, contract=contract, agreement_reference="A")
    contract.refresh_from_db()
    assert contract.state == S.LEASING


def _template(district, name="海淀区考核标准"):
    template = AssessmentTemplate.objects.create(
        district=district, name=name, effective_from=D(2024, 2, 18)
    )
    for order, (item, unit, direction, kind) in enumerate(STANDARD_INDICATORS):
        AssessmentTemplateItem.objects.create(
            template=template,
            kind=kind,
            name=item,
            unit=unit,
            direction=direction,
            target=TARGETS[item],
            sort_order=order,
        )
    return template


def test_award_takes_the_districts_template_and_the_lease_can_start(db):
    parcel = LeaseThenTransferParcelFactory()
    _template(parcel.district)
    contract = ContractFactory(parcel=parcel)
    assert contract.indicators.count() == 8
    assert set(contract.indicators.values_list("kind", flat=True)) >= {"tax", "local_employment"}
    services.contract_start_lease(actor=None, contract=contract, agreement_reference="A")


def test_district_staff_apply_their_template_not_another_districts(db):
    contract = ContractFactory()
    staff = DistrictUserFactory(district=contract.parcel.district)
    other = _template(DistrictUserFactory().district, name="别区标准")
    with pytest.raises(ValidationError, match="R17"):
        services.indicators_apply_template(actor=staff, contract=contract, template=other)
    own = _template(contract.parcel.district)
    indicators = services.indicators_apply_template(actor=staff, contract=contract, template=own)
    assert len(indicators) == 8
    assert contract.events.filter(action="indicators").exists()


# --- R19 the transfer to the end, R22 after conversion ---------------------------------------


@pytest.fixture
def passed(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    make_passed(contract, holder, staff)
    return worked_example


def test_the_15_days_run_from_the_notice_receipt(passed):
    contract, holder = passed["contract"], passed["holder"]
    with pytest.raises(ValidationError, match="2029-05-20"):
        services.notice_receipt_record(
            actor=holder, contract=contract, received_on=D(2029, 5, 19), today=D(2029, 5, 25)
        )
    services.notice_receipt_record(
        actor=holder, contract=contract, received_on=D(2029, 5, 23), today=D(2029, 5, 25)
    )
    contract.refresh_from_db()
    assert contract.notice_received_on == D(2029, 5, 23)
    assert contract.transfer_application_due == D(2029, 6, 7)
    assert contract.events.filter(action="notice_receipt").get().occurred_on == D(2029, 5, 23)
    services.transfer_apply(actor=holder, contract=contract, today=D(2029, 6, 7))


def test_transfer_due_on_a_holiday_moves_to_the_next_working_day(passed):
    contract, holder = passed["contract"], passed["holder"]
    CalendarDay.objects.create(day=D(2029, 6, 4), kind="holiday", name="测试假日")
    services.notice_receipt_record(
        actor=holder, contract=contract, received_on=D(2029, 5, 20), today=D(2029, 5, 25)
    )
    contract.refresh_from_db()
    assert contract.transfer_application_due == D(2029, 6, 5)


def test_transfer_steps_to_the_title_registration(passed):
    contract, holder, staff = passed["contract"], passed["holder"], passed["district_user"]
    services.transfer_apply(actor=holder, contract=contract, today=D(2029, 6, 1))
    services.transfer_contract_sign(
        actor=staff,
        contract=contract,
        contract_number="京海出让〔2029〕12号",
        signed_on=D(2029, 6, 20),
        today=D(2029, 6, 20),
    )
    with pytest.raises(ValidationError, match="22,500,000.00"):
        services.land_price_pay(
            actor=staff,
            contract=contract,
            amount=Decimal("22000000"),
            paid_on=D(2029, 7, 1),
            receipt="R1",
            today=D(2029, 7, 1),
        )
    services.land_price_pay(
        actor=staff,
        contract=contract,
        amount=Decimal("22500000"),
        paid_on=D(2029, 7, 1),
        receipt="缴款书-1",
        today=D(2029, 7, 1),
    )
    contract.refresh_from_db()
    assert contract.state == S.TRANSFERRED
    assert contract.registration_due == D(2029, 10, 1)
    with pytest.raises(ValidationError, match="2029-09-01"):
        services.title_register(
            actor=holder,
            contract=contract,
            registered_on=D(2029, 8, 31),
            certificate_number="京(2029)海淀区不动产权第1号",
            today=D(2029, 9, 2),
        )
    services.title_register(
        actor=holder,
        contract=contract,
        registered_on=D(2029, 9, 1),
        certificate_number="京(2029)海淀区不动产权第1号",
        today=D(2029, 9, 2),
    )
    contract.refresh_from_db()
    assert contract.state == S.REGISTERED
    assert [e.action for e in contract.events.all()][-4:] == [
        "transfer",
        "transfer_contract",
        "land_price",
        "title_registration",
    ]


def test_a_violation_can_still_end_the_grant_after_conversion(passed):
    contract, holder, staff = passed["contract"], passed["holder"], passed["district_user"]
    services.transfer_apply(actor=holder, contract=contract, today=D(2029, 6, 1))
    with pytest.raises(ValidationError, match="R22"):
        services.violation_record(
            actor=staff,
            contract=contract,
            kind="sublease",
            found_on=D(2030, 1, 1),
            description="x",
            disposal="y",
        )
    services.violation_record(
        actor=staff,
        contract=contract,
        kind="real_estate",
        found_on=D(2030, 1, 1),
        description="变相房地产开发",
        disposal="解除出让合同",
        serious=True,
    )
    contract.refresh_from_db()
    assert contract.state == S.TERMINATED
    assert "出让合同" in contract.events.last().title
    with pytest.raises(ValidationError):
        services.violation_record(
            actor=staff,
            contract=contract,
            kind="real_estate",
            found_on=D(2030, 2, 1),
            description="x",
            disposal="y",
        )


def test_exit_counts_the_part_year_as_the_rule_set_says(db):
    parcel = LeaseThenTransferParcelFactory()
    LeaseRuleSetFactory(jurisdiction=parcel.district.jurisdiction, exit_part_year="whole_years")
    contract = ContractFactory(parcel=parcel)
    make_leasing(contract)
    holder = EnterpriseUserFactory(enterprise=contract.enterprise)
    record = services.exit_apply(
        actor=holder, contract=contract, exit_date=D(2027, 2, 28), reason="x", today=D(2027, 1, 1)
    )
    # 2 whole years and 184 days left; only whole years are refunded under this rule set.
    assert record.remaining_years == Decimal("2")
    assert record.remaining_rent == Decimal("3000000.00")


def test_exit_after_a_renewal_refunds_the_renewed_years_too(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    services.renewal_apply(
        actor=holder, contract=contract, years=2, reason="a", today=D(2029, 1, 1)
    )
    services.renewal_decide(
        actor=staff, contract=contract, approved=True, approval_reference="R-1", today=D(2029, 1, 5)
    )
    contract.refresh_from_db()
    services.exit_apply(
        actor=holder, contract=contract, exit_date=D(2029, 8, 31), reason="x", today=D(2029, 2, 1)
    )
    record = services.exit_complete(
        actor=staff,
        contract=contract,
        ecological_damage=Decimal("100000"),
        today=D(2029, 8, 31),
    )
    # 7 lease years, 10,500,000 rent in all; 2029-09-01…2031-08-31 are two years: 3,000,000.
    assert record.remaining_years == Decimal("2")
    assert record.remaining_rent == Decimal("3000000.00")
    assert record.net_payable_to_holder == Decimal("2900000.00")
