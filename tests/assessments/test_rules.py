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


TERMS = {"lease_years": 5, "transfer_years": 15}


def test_renewal_limit():
    rules.check_renewal(renewal_years=2, params=BEIJING, **TERMS)
    with pytest.raises(rules.RuleViolation, match="R21"):
        rules.check_renewal(renewal_years=3, params=BEIJING, **TERMS)
    with pytest.raises(rules.RuleViolation, match="至少 1 年"):
        rules.check_renewal(renewal_years=0, params=BEIJING, **TERMS)


def test_renewals_add_up_to_the_total_cap():
    """R21 "续租期限原则上不超过2年" caps the lease's renewals together: 1 + 1 is fine, 2 + 1 or
    1 + 2 is refused."""
    rules.check_renewal(renewal_years=1, renewed_years=1, params=BEIJING, **TERMS)
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_renewal(renewal_years=1, renewed_years=2, params=BEIJING, **TERMS)
    assert exc.value.limit == "max_total_renewal_years" and "合计" in exc.value.message
    with pytest.raises(rules.RuleViolation):
        rules.check_renewal(renewal_years=2, renewed_years=1, params=BEIJING, **TERMS)


def test_renewals_may_not_follow_when_the_rule_set_says_so():
    once = rules.LeaseParameters(
        **{**BEIJING.__dict__, "renewals_may_follow": False, "max_total_renewal_years": 4}
    )
    rules.check_renewal(renewal_years=2, renewed_years=0, params=once, **TERMS)
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_renewal(renewal_years=1, renewed_years=1, params=once, **TERMS)
    assert exc.value.limit == "renewals_may_follow"


def test_a_renewal_needs_no_extension_approval_even_where_extensions_are_forbidden():
    strict = rules.LeaseParameters(**{**BEIJING.__dict__, "extension_allowed": False})
    rules.check_renewal(renewal_years=2, params=strict, lease_years=5, transfer_years=15)


def test_renewal_stops_at_the_statutory_maximum():
    rules.check_renewal(renewal_years=2, params=BEIJING, lease_years=5, transfer_years=43)
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_renewal(renewal_years=2, params=BEIJING, lease_years=5, transfer_years=44)
    assert exc.value.rule == "R11" and exc.value.limit == "statutory_max_years"


def test_exactly_the_statutory_maximum_is_allowed_one_more_year_is_not():
    approval = "京政函〔2025〕8号"
    assert rules.check_terms(
        lease_years=5, transfer_years=45, params=BEIJING, extension_approval=approval
    ) == ["R11", "R11-extension"]
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_terms(
            lease_years=5, transfer_years=46, params=BEIJING, extension_approval=approval
        )
    assert exc.value.limit == "statutory_max_years"
    commercial = rules.LeaseParameters(**{**BEIJING.__dict__, "statutory_max_years": 40})
    with pytest.raises(rules.RuleViolation, match="40"):
        rules.check_terms(
            lease_years=5, transfer_years=36, params=commercial, extension_approval=approval
        )


def test_general_limits_at_their_edges():
    assert rules.check_terms(lease_years=5, transfer_years=15, params=BEIJING) == ["R11"]
    assert rules.check_terms(lease_years=1, transfer_years=0, params=BEIJING) == ["R11"]
    with pytest.raises(rules.RuleViolation):
        rules.check_terms(lease_years=0, transfer_years=15, params=BEIJING)
    with pytest.raises(rules.RuleViolation):
        rules.check_terms(lease_years=5, transfer_years=-1, params=BEIJING)


def test_statutory_maximum_of_a_land_use_is_its_nearest_linked_category():
    limits = {"residential": 70, "industrial": 50, "commercial": 40}
    assert rules.statutory_max_for(["affordable_housing", "residential"], limits, 50) == 70
    assert rules.statutory_max_for(["commercial", "industry"], limits, 50) == 40
    assert rules.statutory_max_for(["water"], limits, 50) == 50
    assert rules.statutory_max_for(["water"], limits, None) is None


def test_land_use_outside_the_scope_is_refused():
    rules.check_land_use(covered=True, land_use="工业用地", rule_set="X", covered_names="工业用地")
    with pytest.raises(rules.RuleViolation, match="商服用地") as exc:
        rules.check_land_use(
            covered=False, land_use="商服用地", rule_set="X", covered_names="工业用地"
        )
    assert exc.value.field == "parcel"


def test_missing_indicator_kinds_in_order():
    required = ("industry_type", "tax", "local_employment")
    assert rules.missing_indicator_kinds(required=required, present=["tax"]) == [
        "industry_type",
        "local_employment",
    ]
    assert rules.missing_indicator_kinds(required=required, present=required) == []
    assert rules.missing_indicator_kinds(required=(), present=[]) == []


@pytest.mark.parametrize("kind", ["transfer", "sublease", "mortgage", "unpaid_rent"])
def test_lease_only_breaches_cannot_be_recorded_after_conversion(kind):
    rules.check_violation_kind(kind=kind, converted=False)
    with pytest.raises(rules.RuleViolation, match="R22"):
        rules.check_violation_kind(kind=kind, converted=True)


@pytest.mark.parametrize("kind", ["change_of_use", "real_estate"])
def test_grant_breaches_can_be_recorded_after_conversion(kind):
    rules.check_violation_kind(kind=kind, converted=True)


def test_deadlines_on_rest_days_move_with_the_calendar():
    def weekends(day):
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day

    # Lease end 2029-09-30 → 2029-03-30 (Friday) stays; 2028-08-31 → 2028-02-29 (Tuesday).
    assert rules.application_due(
        lease_end=D(2029, 9, 30), params=BEIJING, period_end=weekends
    ) == D(2029, 3, 30)
    # Lease end 2029-12-31 → 2029-06-30 is a Saturday → Monday 2029-07-02.
    assert rules.application_due(
        lease_end=D(2029, 12, 31), params=BEIJING, period_end=weekends
    ) == D(2029, 7, 2)
    # Notice 2029-05-17 + 15 = 2029-06-01 (Friday); notice 2029-05-18 + 15 = Saturday → Monday.
    assert rules.transfer_application_due(
        notice_date=D(2029, 5, 17), params=BEIJING, period_end=weekends
    ) == D(2029, 6, 1)
    assert rules.transfer_application_due(
        notice_date=D(2029, 5, 18), params=BEIJING, period_end=weekends
    ) == D(2029, 6, 4)
    assert rules.registration_opens(lease_end=D(2029, 8, 31)) == D(2029, 9, 1)
    assert rules.registration_due(
        lease_end=D(2029, 8, 31), params=BEIJING, period_end=weekends
    ) == D(2029, 10, 1)


def test_quote_what_ifs_exit_and_renewal():
    quote = rules.lease_quote(
        base_price=Decimal("30000000"),
        lease_years=5,
        transfer_years=15,
        params=BEIJING,
        lease_start=D(2024, 9, 1),
        exit_on=D(2027, 8, 31),
        penalty=Decimal("500000"),
    )
    assert quote.exit_remaining_rent == Decimal("3000000.00")
    assert quote.exit_refund == Decimal("2500000.00")
    assert quote.exit_amount_owed == Decimal("0.00")
    assert "R23" in quote.rules
    renewed = rules.lease_quote(
        base_price=Decimal("30000000"),
        lease_years=5,
        transfer_years=15,
        params=BEIJING,
        lease_start=D(2024, 9, 1),
        renewal_years=2,
        exit_on=D(2030, 8, 31),
    )
    assert renewed.renewal_rent == Decimal("3000000.00")
    assert renewed.lease_end == D(2031, 8, 31)
    assert renewed.exit_remaining_rent == Decimal("1500000.00")
    with pytest.raises(rules.RuleViolation, match="R23"):
        rules.lease_quote(
            base_price=Decimal("30000000"),
            lease_years=5,
            transfer_years=15,
            params=BEIJING,
            exit_on=D(2027, 8, 31),
        )
    with pytest.raises(rules.RuleViolation) as exc:
        rules.lease_quote(
            base_price=Decimal("30000000"),
            lease_years=5,
            transfer_years=15,
            params=BEIJING,
            renewal_years=3,
        )
    assert exc.value.limit == "max_renewal_years"
    with pytest.raises(rules.RuleViolation) as exc:
        rules.lease_quote(
            base_price=Decimal("30000000"),
            lease_years=5,
            transfer_years=15,
            params=BEIJING,
            renewed_years=2,
            renewal_years=1,
        )
    assert exc.value.limit == "max_total_renewal_years"


def test_exit_settlement_shows_each_part():
    s = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=D(2024, 9, 1),
        lease_years=5,
        exit_date=D(2027, 8, 31),
        penalty=Decimal("100000"),
        replacement_cost=Decimal("2000000"),
        newness=Decimal("0.6"),
        demolition_charge=Decimal("50000"),
        ecological_damage=Decimal("0"),
    )
    assert (s.remaining_whole_years, s.remaining_part_days) == (2, 0)
    assert s.remaining_rent == Decimal("3000000.00")
    assert s.rent_refund == Decimal("2900000.00")
    assert s.amount_owed == Decimal("0.00")
    assert s.building_compensation == Decimal("1200000.00")
    assert s.net_payable_to_holder == Decimal("4050000.00")


def test_worked_example_exit_refunds_two_remaining_years():
    """R23: exit on 2027-08-31 leaves exactly two lease years: 3,000,000.00; a 500,000
    penalty leaves 2,500,000.00."""
    s = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=D(2024, 9, 1),
        lease_years=5,
        exit_date=D(2027, 8, 31),
    )
    assert s.remaining_years == Decimal("2.0000")
    assert s.remaining_rent == Decimal("3000000.00")
    with_penalty = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=D(2024, 9, 1),
        lease_years=5,
        exit_date=D(2027, 8, 31),
        penalty=Decimal("500000"),
    )
    assert with_penalty.rent_refund == Decimal("2500000.00")


def test_penalty_larger_than_the_remaining_rent_shows_what_the_holder_owes():
    s = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=D(2024, 9, 1),
        lease_years=5,
        exit_date=D(2028, 8, 31),  # one year left: 1,500,000
        penalty=Decimal("1800000"),
    )
    assert s.remaining_rent == Decimal("1500000.00")
    assert s.rent_refund == Decimal("0.00")
    assert s.amount_owed == Decimal("300000.00")
    assert s.net_payable_to_holder == Decimal("-300000.00")
    equal = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=D(2024, 9, 1),
        lease_years=5,
        exit_date=D(2028, 8, 31),
        penalty=Decimal("1500000"),
    )
    assert (equal.rent_refund, equal.amount_owed) == (Decimal("0.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("part_year", "years", "rent"),
    [
        ("days", Decimal("2.5041"), Decimal("3756164.38")),  # 2 years + 184/365
        ("whole_years", Decimal("2.0000"), Decimal("3000000.00")),
        ("round_up", Decimal("3.0000"), Decimal("4500000.00")),
    ],
)
def test_part_year_is_counted_as_the_rule_set_says(part_year, years, rent):
    # Exit on 2027-02-28: 184 days of the lease year 2026-09-01…2027-08-31 remain, then 2 years.
    s = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=D(2024, 9, 1),
        lease_years=5,
        exit_date=D(2027, 2, 28),
        part_year=part_year,
    )
    assert (s.remaining_whole_years, s.remaining_part_days, s.part_year_days) == (2, 184, 365)
    assert s.remaining_years == years.quantize(Decimal("0.0001"))
    assert s.remaining_rent == rent


def test_remaining_years_around_an_anniversary():
    assert rules.remaining_lease_years(
        lease_start=D(2024, 9, 1), lease_years=5, exit_date=D(2027, 8, 30)
    ) == (2, 1, 365)
    assert rules.remaining_lease_years(
        lease_start=D(2024, 9, 1), lease_years=5, exit_date=D(2027, 8, 31)
    ) == (2, 0, 0)
    # A leap day inside the lease year counts: 2027-09-01…2028-08-31 has 366 days.
    assert rules.remaining_lease_years(
        lease_start=D(2024, 9, 1), lease_years=5, exit_date=D(2027, 9, 1)
    ) == (1, 365, 366)
    assert rules.remaining_lease_years(
        lease_start=D(2024, 9, 1), lease_years=5, exit_date=D(2024, 9, 1)
    ) == (4, 364, 365)
    assert rules.remaining_lease_years(
        lease_start=D(2024, 9, 1), lease_years=5, exit_date=D(2028, 2, 1)
    ) == (1, 212, 366)


def test_exit_must_fall_within_the_lease_both_ends():
    def settle(day):
        return rules.exit_settlement(
            rent_paid=Decimal("7500000"), lease_start=D(2024, 9, 1), lease_years=5, exit_date=day
        )

    assert settle(D(2029, 8, 31)).remaining_rent == Decimal("0.00")
    assert settle(D(2024, 9, 1)).remaining_years == Decimal("4.9973")
    with pytest.raises(rules.RuleViolation, match="2029-08-31") as exc:
        settle(D(2029, 9, 1))
    assert exc.value.rule == "R23" and exc.value.field == "exit_date"
    with pytest.raises(rules.RuleViolation):
        settle(D(2024, 8, 31))


def test_newness_must_be_between_0_and_1_inclusive():
    def settle(newness):
        return rules.exit_settlement(
            rent_paid=Decimal("7500000"),
            lease_start=D(2024, 9, 1),
            lease_years=5,
            exit_date=D(2027, 8, 31),
            replacement_cost=Decimal("100"),
            newness=newness,
        )

    assert settle(Decimal("1")).building_compensation == Decimal("100.00")
    assert settle(Decimal("0")).building_compensation == Decimal("0.00")
    for bad in (Decimal("1.0001"), Decimal("-0.0001")):
        with pytest.raises(rules.RuleViolation, match="成新率"):
            settle(bad)


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


@given(
    first=st.integers(min_value=0, max_value=1825),
    later=st.integers(min_value=0, max_value=1825),
    part_year=st.sampled_from(["days", "whole_years", "round_up"]),
)
def test_remaining_rent_shrinks_as_the_exit_comes_later(first, later, part_year):
    start = D(2024, 9, 1)
    a, b = sorted([first, later])

    def remaining(offset):
        return rules.exit_settlement(
            rent_paid=Decimal("7500000"),
            lease_start=start,
            lease_years=5,
            exit_date=start + datetime.timedelta(days=offset),
            part_year=part_year,
        ).remaining_rent

    assert Decimal("0") <= remaining(b) <= remaining(a) <= Decimal("7500000")


def _violation(call):
    with pytest.raises(rules.RuleViolation) as exc:
        call()
    return exc.value.rule, exc.value.limit, exc.value.field


START = D(2024, 9, 1)
STRICT = rules.LeaseParameters(**{**BEIJING.__dict__, "extension_allowed": False})
ONCE = rules.LeaseParameters(**{**BEIJING.__dict__, "renewals_may_follow": False})


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: rules.check_terms(lease_years=0, transfer_years=15, params=BEIJING),
            ("R11", "lease_years", "lease_years"),
        ),
        (
            lambda: rules.check_terms(lease_years=5, transfer_years=-1, params=BEIJING),
            ("R11", "transfer_years", "transfer_years"),
        ),
        (
            lambda: rules.check_terms(lease_years=5, transfer_years=46, params=BEIJING),
            ("R11", "statutory_max_years", "transfer_years"),
        ),
        (
            lambda: rules.check_terms(lease_years=6, transfer_years=10, params=BEIJING),
            ("R11", "max_lease_years", "lease_years"),
        ),
        (
            lambda: rules.check_terms(lease_years=5, transfer_years=16, params=STRICT),
            ("R11", "max_total_years", "transfer_years"),
        ),
        (
            lambda: rules.lease_rent(base_price=Decimal("1"), lease_years=0, transfer_years=0),
            ("R14", "total_years", ""),
        ),
        (
            lambda: rules.check_renewal(renewal_years=0, params=BEIJING, **TERMS),
            ("R21", "renewal_years", "years"),
        ),
        (
            lambda: rules.check_renewal(renewal_years=3, params=BEIJING, **TERMS),
            ("R21", "max_renewal_years", "years"),
        ),
        (
            lambda: rules.check_renewal(renewal_years=1, renewed_years=1, params=ONCE, **TERMS),
            ("R21", "renewals_may_follow", "years"),
        ),
        (
            lambda: rules.check_renewal(renewal_years=2, renewed_years=1, params=BEIJING, **TERMS),
            ("R21", "max_total_renewal_years", "years"),
        ),
        (
            lambda: rules.check_renewal_total(
                renewed_years=2, params=BEIJING, lease_years=5, transfer_years=44
            ),
            ("R11", "statutory_max_years", "years"),
        ),
        (
            lambda: rules.check_land_use(
                covered=False, land_use="x", rule_set="y", covered_names=""
            ),
            ("R25", "land_use", "parcel"),
        ),
        (
            lambda: rules.lease_quote(
                base_price=Decimal("0"), lease_years=5, transfer_years=15, params=BEIJING
            ),
            ("R14", "base_price", "base_price"),
        ),
        (
            lambda: rules.lease_quote(
                base_price=Decimal("1"),
                lease_years=5,
                transfer_years=15,
                params=BEIJING,
                exit_on=START,
            ),
            ("R23", "lease_start", "lease_start"),
        ),
        (
            lambda: rules.check_violation_kind(kind="mortgage", converted=True),
            ("R22", "kind", "kind"),
        ),
        (
            lambda: rules.exit_settlement(
                rent_paid=Decimal("1"), lease_start=START, lease_years=5, exit_date=D(2030, 1, 1)
            ),
            ("R23", "exit_date", "exit_date"),
        ),
        (
            lambda: rules.exit_settlement(
                rent_paid=Decimal("1"),
                lease_start=START,
                lease_years=5,
                exit_date=D(2027, 1, 1),
                newness=Decimal("2"),
            ),
            ("R23", "newness", "newness"),
        ),
    ],
)
def test_every_violation_names_its_rule_limit_and_field(call, expected):
    """The rule id, the limit and the form field of each refusal: commands print the rule and
    limit, pages put the message on the field."""
    assert _violation(call) == expected


def test_no_extension_message_names_the_reason():
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_terms(lease_years=6, transfer_years=10, params=STRICT, extension_approval="X")
    assert "租赁年期 6 年超过上限 5 年" in exc.value.message and "不允许延长" in exc.value.message
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_terms(lease_years=5, transfer_years=16, params=BEIJING, extension_approval=" ")
    assert "租让总年期 21 年超过上限 20 年" in exc.value.message
    assert "批准文号" in exc.value.message
    assert str(exc.value) == exc.value.message


def test_ecological_damage_and_demolition_are_charged_to_the_holder():
    s = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=START,
        lease_years=5,
        exit_date=D(2027, 8, 31),
        demolition_charge=Decimal("100000"),
        ecological_damage=Decimal("200000"),
    )
    assert (s.demolition_charge, s.ecological_damage) == (
        Decimal("100000.00"),
        Decimal("200000.00"),
    )
    assert s.net_payable_to_holder == Decimal("2700000.00")


def test_quote_as_dict_is_json_ready():
    quote = rules.lease_quote(
        base_price=Decimal("30000000"),
        lease_years=5,
        transfer_years=15,
        params=BEIJING,
        lease_start=START,
        exit_on=D(2027, 2, 28),
    )
    data = quote.as_dict()
    assert data["lease_rent"] == "7500000.00" and data["lease_end"] == "2029-08-31"
    assert data["exit_remaining_years"] == "2.5041"
    assert data["lease_years"] == 5 and data["rules"][0] == "R11"
    assert "renewal_rent" not in data  # None values are left out


def test_settlement_keeps_each_amount_and_the_violation_its_message():
    s = rules.exit_settlement(
        rent_paid=Decimal("7500000"),
        lease_start=START,
        lease_years=5,
        exit_date=D(2027, 8, 31),
        penalty=Decimal("100000.004"),
        demolition_charge=Decimal("1.005"),
        ecological_damage=Decimal("2.005"),
    )
    assert (s.penalty, s.demolition_charge, s.ecological_damage) == (
        Decimal("100000.00"),
        Decimal("1.01"),
        Decimal("2.01"),
    )
    violation = rules.RuleViolation("消息", rule="R1")
    assert violation.args == ("消息",) and (violation.limit, violation.field) == ("", "")


def test_quote_defaults_new_land_and_no_extension():
    quote = rules.lease_quote(
        base_price=Decimal("30000000"), lease_years=5, transfer_years=15, params=BEIJING
    )
    assert quote.land_source == "new" and {"R14", "R15"} <= set(quote.rules)
    assert "R16" not in quote.rules
    with pytest.raises(rules.RuleViolation, match="批准文号"):
        rules.lease_quote(
            base_price=Decimal("30000000"), lease_years=6, transfer_years=14, params=BEIJING
        )


def test_land_use_message_without_covered_categories():
    with pytest.raises(rules.RuleViolation, match="仅适用于—"):
        rules.check_land_use(covered=False, land_use="商服用地", rule_set="X", covered_names="")


def test_at_most_and_at_least_are_met_at_the_target():
    assert rules.indicator_met(direction="at_most", target=Decimal("0.1"), actual=Decimal("0.1"))
    assert rules.indicator_met(direction="at_least", target=Decimal("8000"), actual=Decimal("8000"))
    assert not rules.indicator_met(
        direction="at_least", target=Decimal("8000"), actual=Decimal("7999.9999")
    )
    assert rules.indicator_met(direction="at_most", target=None, actual=Decimal("1")) is None
    assert rules.proposed_outcome([]) is False


def test_reminder_lead_ignores_zero_and_keeps_one_day():
    due = D(2029, 2, 28)
    assert rules.reminder_lead_for(due=due, today=due, leads=(0,)) is None
    assert rules.reminder_lead_for(due=due, today=due - datetime.timedelta(days=1), leads=(1,)) == 1
    assert (
        rules.reminder_lead_for(due=due, today=due - datetime.timedelta(days=2), leads=(1,)) is None
    )


def test_full_quote_of_stock_land_with_renewal_exit_and_calendar():
    """Every field of a quote, so none is lost on the way: stock land (R16), a 1-year renewal
    what-if, an exit what-if under a "whole years only" rule set, deadlines moved off weekends."""

    def weekends(day):
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day

    params = rules.LeaseParameters(**{**BEIJING.__dict__, "exit_part_year": "whole_years"})
    quote = rules.lease_quote(
        base_price=Decimal("20000000"),
        lease_years=4,
        transfer_years=16,
        params=params,
        land_source="stock",
        lease_start=D(2025, 7, 1),
        renewal_years=1,
        period_end=weekends,
        exit_on=D(2027, 12, 31),
        penalty=Decimal("100000"),
    )
    assert quote.as_dict() == {
        "base_price": "20000000.00",
        "lease_years": 4,
        "transfer_years": 16,
        "land_source": "stock",
        "lease_rent": "4000000.00",
        "deposit": "4000000.00",
        "annual_rent": "1000000.00",
        "transfer_price": "16000000.00",
        "renewal_rent_max": "2000000.00",
        "rules": ["R11", "R13", "R16", "R21", "R18", "R19", "R23"],
        "lease_start": "2025-07-01",
        # 5 years with the renewal: ends 2030-06-30; − 6 months = 2029-12-30, a Sunday.
        "lease_end": "2030-06-30",
        "assessment_application_due": "2029-12-31",
        "renewal_application_due": "2029-12-31",
        "assessment_decision_due": "2030-06-30",
        "transfer_term_start": "2030-07-01",
        "transfer_term_end": "2046-06-30",
        "registration_due": "2030-07-30",
        "renewal_years": 1,
        "renewal_rent": "1000000.00",
        "exit_on": "2027-12-31",
        # 2028-01-01…2030-06-30: 2 whole years (from 2028-07-01) and half a year, dropped.
        "exit_remaining_years": "2.0000",
        "exit_remaining_rent": "2000000.00",
        "exit_penalty": "100000.00",
        "exit_refund": "1900000.00",
        "exit_amount_owed": "0.00",
    }
