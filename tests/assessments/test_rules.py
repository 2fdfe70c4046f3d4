"""rules.py: R11–R16, R18, R19, R21, R23 and table-C dates (北京市工业用地先租后让指导意见（试行）)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import rules

BEIJING = rules.LeaseParameters(
    max_lease_years=5,
    max_total_years=20,
    statutory_max_years=50,
    extension_allowed=True,
    application_lead_months=6,
    transfer_application_days=15,
    max_renewal_years=2,
)
D = datetime.date


def test_worked_example_money():
    quote = rules.lease_quote(
        base_price=Decimal("30000000"), lease_years=5, transfer_years=15, params=BEIJING
    )
    assert quote.lease_rent == Decimal("7500000.00")
    assert quote.deposit == Decimal("7500000.00")
    assert quote.annual_rent == Decimal("1500000.00")
    assert quote.transfer_price == Decimal("22500000.00")
    assert quote.renewal_rent_max == Decimal("3000000.00")  # 2 × 150 万元 (R21)


def test_worked_example_dates():
    quote = rules.lease_quote(
        base_price=Decimal("30000000"),
        lease_years=5,
        transfer_years=15,
        params=BEIJING,
        lease_start=D(2024, 9, 1),
    )
    assert quote.lease_end == D(2029, 8, 31)
    assert quote.assessment_application_due == D(2029, 2, 28)
    assert quote.renewal_application_due == D(2029, 2, 28)
    assert (quote.transfer_term_start, quote.transfer_term_end) == (D(2029, 9, 1), D(2044, 8, 31))


def test_application_due_clips_to_month_end():
    assert rules.application_due(lease_end=D(2028, 2, 29), params=BEIJING) == D(2027, 8, 29)
    assert rules.application_due(lease_end=D(2029, 8, 31), params=BEIJING) == D(2029, 2, 28)


def test_transfer_application_due_is_notice_plus_days():
    assert rules.transfer_application_due(notice_date=D(2029, 5, 20), params=BEIJING) == D(
        2029, 6, 4
    )


def test_renewal_moves_lease_end():
    quote = rules.lease_quote(
        base_price=Decimal("30000000"),
        lease_years=5,
        transfer_years=15,
        params=BEIJING,
        lease_start=D(2024, 9, 1),
        renewal_years=2,
    )
    assert quote.lease_end == D(2031, 8, 31)
    assert quote.assessment_application_due == D(2031, 2, 28)
    assert quote.transfer_term_start == D(2031, 9, 1)


@pytest.mark.parametrize(
    ("lease", "transfer", "limit"),
    [(6, 14, "max_lease_years"), (5, 16, "max_total_years"), (5, 46, "statutory_max_years")],
)
def test_terms_beyond_limits_are_refused(lease, transfer, limit):
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_terms(lease_years=lease, transfer_years=transfer, params=BEIJING)
    assert exc.value.rule == "R11"
    assert exc.value.limit == limit


def test_extension_needs_approval_and_stops_at_statutory_max():
    assert "R11-extension" in rules.check_terms(
        lease_years=6, transfer_years=30, params=BEIJING, extension_approval="京政函〔2025〕1号"
    )
    with pytest.raises(rules.RuleViolation, match="法定最高年限"):
        rules.check_terms(
            lease_years=6, transfer_years=45, params=BEIJING, extension_approval="京政函〔2025〕1号"
        )


def test_no_extension_when_rule_set_forbids_it():
    strict = rules.LeaseParameters(**{**BEIJING.__dict__, "extension_allowed": False})
    with pytest.raises(rules.RuleViolation, match="不允许延长"):
        rules.check_terms(lease_years=6, transfer_years=10, params=strict, extension_approval="X")


def test_renewal_limit():
    rules.check_renewal(renewal_years=2, params=BEIJING)
    with pytest.raises(rules.RuleViolation, match="R21"):
        rules.check_renewal(renewal_years=3, params=BEIJING)


def test_exit_settlement_shows_each_part():
    s = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=D(2024, 9, 1),
        lease_end=D(2029, 8, 31),
        exit_date=D(2027, 8, 31),
        penalty=Decimal("100000"),
        replacement_cost=Decimal("2000000"),
        newness=Decimal("0.6"),
        demolition_charge=Decimal("50000"),
        ecological_damage=Decimal("0"),
    )
    assert s.lease_days == 1826 and s.remaining_days == 731
    assert s.remaining_rent == Decimal("3002464.40")
    assert s.rent_refund == Decimal("2902464.40")
    assert s.building_compensation == Decimal("1200000.00")
    assert s.net_payable_to_holder == Decimal("4052464.40")


def test_indicator_directions():
    assert rules.indicator_met(direction="at_least", target=Decimal(10), actual=Decimal(10)) is True
    assert (
        rules.indicator_met(direction="at_most", target=Decimal(1), actual=Decimal("1.1")) is False
    )
    assert rules.indicator_met(direction="yes_no", target=None, actual=Decimal(0)) is False
    assert rules.indicator_met(direction="at_least", target=Decimal(1), actual=None) is None
    assert rules.proposed_outcome([True, True]) is True
    assert rules.proposed_outcome([True, None]) is False


def test_reminder_lead_picks_tightest_window():
    leads = (90, 30, 7)
    due = D(2029, 2, 28)
    assert (
        rules.reminder_lead_for(due=due, today=due - datetime.timedelta(days=91), leads=leads)
        is None
    )
    assert (
        rules.reminder_lead_for(due=due, today=due - datetime.timedelta(days=90), leads=leads) == 90
    )
    assert (
        rules.reminder_lead_for(due=due, today=due - datetime.timedelta(days=25), leads=leads) == 30
    )
    assert rules.reminder_lead_for(due=due, today=due, leads=leads) == 7
    assert (
        rules.reminder_lead_for(due=due, today=due + datetime.timedelta(days=1), leads=leads) == 0
    )


@given(
    base=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2),
    lease=st.integers(min_value=1, max_value=5),
    transfer=st.integers(min_value=0, max_value=15),
)
def test_rent_plus_transfer_price_is_base_price(base, lease, transfer):
    quote = rules.lease_quote(
        base_price=base, lease_years=lease, transfer_years=transfer, params=BEIJING
    )
    assert quote.lease_rent + quote.transfer_price == base
    assert quote.lease_rent.as_tuple().exponent == -2
    assert quote.deposit == quote.lease_rent
    assert Decimal(0) <= quote.lease_rent <= base


@given(start=st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)), years=st.integers(1, 50))
def test_term_end_is_day_before_anniversary(start, years):
    end = rules.term_end(start, years)
    nxt = end + datetime.timedelta(days=1)
    assert nxt.year == start.year + years
    assert (nxt.month, nxt.day) == (start.month, start.day) or (start.month, start.day) == (2, 29)
    due = rules.application_due(lease_end=end, params=BEIJING)
    assert due <= end and (end - due).days <= 184 and (end - due).days >= 181
