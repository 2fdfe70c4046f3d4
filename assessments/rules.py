"""Pure domain rules of industrial-land lease-then-transfer (先租后让): money and dates.

No ORM, no I/O: Decimal and date in, Decimal and date out. Every limit (5 lease years, 20 years
in total, statutory 50, 6 months, 15 days, 2 renewal years …) arrives as an argument taken
from the jurisdiction's rule set (R25); nothing here knows Beijing's numbers.

Source: 北京市工业用地先租后让指导意见（试行）, 北京市规划和自然资源委员会, 2024-02-18
(DOMAIN.md R11–R23). Money is yuan rounded ROUND_HALF_UP to the fen; dates follow DOMAIN.md
"Date conventions": a term of N years starting on S ends on S + N years − 1 day; "N months
before" is calendar-aware and clipped to month end (relativedelta).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

FEN = Decimal("0.01")

SOURCE = "北京市工业用地先租后让指导意见（试行）"


class RuleViolation(ValueError):
    """Terms or an action break a rule. `rule` is the rule id, `limit` the limit's name."""

    def __init__(self, message: str, *, rule: str, limit: str = "", field: str = ""):
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.limit = limit
        self.field = field

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class LeaseParameters:
    """The rule parameters of one jurisdiction's rule set (R11–R23, R25)."""

    max_lease_years: int
    max_total_years: int
    statutory_max_years: int
    extension_allowed: bool
    application_lead_months: int
    transfer_application_days: int
    max_renewal_years: int
    reminder_lead_days: tuple[int, ...] = field(default=(90, 30, 7))


def money(value) -> Decimal:
    """Return `value` as yuan rounded ROUND_HALF_UP to the fen."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


# --- R11 terms -----------------------------------------------------------------------------


def check_terms(
    *,
    lease_years: int,
    transfer_years: int,
    params: LeaseParameters,
    extension_approval: str = "",
) -> list[str]:
    """Return the rule ids applied when the terms are within the limits.

    Raises RuleViolation naming the limit and R11 when lease years exceed the general maximum
    or lease + transfer years exceed the general total without an approval reference
    (major project approved by the city government), or when the total exceeds the statutory
    maximum for industrial land whatever the approval.
    Rule R11, 北京市工业用地先租后让指导意见（试行） §三(三).
    """
    if lease_years < 1:
        raise RuleViolation(
            _("租赁年期至少为 1 年（R11）。"), rule="R11", limit="lease_years", field="lease_years"
        )
    if transfer_years < 0:
        raise RuleViolation(
            _("出让年期不能为负（R11）。"),
            rule="R11",
            limit="transfer_years",
            field="transfer_years",
        )
    total = lease_years + transfer_years
    if total > params.statutory_max_years:
        raise RuleViolation(
            _(
                "租让总年期 %(total)s 年超过工业用地法定最高年限 %(statutory)s 年，"
                "即使经市政府批准也不得延长（R11 法定最高年限）。"
            )
            % {"total": total, "statutory": params.statutory_max_years},
            rule="R11",
            limit="statutory_max_years",
            field="transfer_years",
        )
    over_lease = lease_years > params.max_lease_years
    over_total = total > params.max_total_years
    if over_lease or over_total:
        if over_lease:
            message = _("租赁年期 %(years)s 年超过上限 %(max)s 年（R11 租赁年期上限）") % {
                "years": lease_years,
                "max": params.max_lease_years,
            }
            limit, fld = "max_lease_years", "lease_years"
        else:
            message = _("租让总年期 %(total)s 年超过上限 %(max)s 年（R11 租让总年期上限）") % {
                "total": total,
                "max": params.max_total_years,
            }
            limit, fld = "max_total_years", "transfer_years"
        if not params.extension_allowed:
            raise RuleViolation(
                _("%(reason)s；本辖区规则不允许延长。") % {"reason": message},
                rule="R11",
                limit=limit,
                field=fld,
            )
        if not extension_approval.strip():
            raise RuleViolation(
                _("%(reason)s；重大项目须经市政府批准并填写批准文号方可延长。")
                % {"reason": message},
                rule="R11",
                limit=limit,
                field=fld,
            )
        return ["R11", "R11-extension"]
    return ["R11"]


# --- R13–R16, R21 money ------------------------------------------------------------------------


def lease_rent(*, base_price: Decimal, lease_years: int, transfer_years: int) -> Decimal:
    """Return the rent for the whole lease period, in yuan (fen, ROUND_HALF_UP).

    base_price is the winning price (new land, R14) or the supplementary government land
    revenue (stock land, R16): rent = base ÷ (lease years + transfer years) × lease years.
    Rule R14/R16, 北京市工业用地先租后让指导意见（试行） §三(四).
    """
    total = lease_years + transfer_years
    if total <= 0:
        raise RuleViolation(_("租让总年期必须大于 0（R14）。"), rule="R14", limit="total_years")
    return money(Decimal(base_price) * lease_years / total)


def deposit(*, lease_rent_total: Decimal) -> Decimal:
    """Return the bid deposit in yuan: equal to the lease-period rent, which it becomes.

    Rule R13, 北京市工业用地先租后让指导意见（试行） §三(三).
    """
    return money(lease_rent_total)


def annual_rent(*, lease_rent_total: Decimal, lease_years: int) -> Decimal:
    """Return the average annual rent of the lease in yuan (fen, ROUND_HALF_UP).

    Rule R14 (shown per year) and R21 (the renewal rent rate), 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return money(Decimal(lease_rent_total) / lease_years)


def transfer_price(*, base_price: Decimal, rent_paid: Decimal) -> Decimal:
    """Return the land price payable on conversion to a grant, in yuan: base − rent paid.

    rent_paid + result == base_price to the fen, always.
    Rule R15/R16, 北京市工业用地先租后让指导意见（试行） §三(四).
    """
    return money(base_price) - money(rent_paid)


def renewal_rent(*, annual_rent_amount: Decimal, renewal_years: int) -> Decimal:
    """Return the rent of a renewal in yuan: the preceding lease's average annual rent × years.

    Rule R21, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return money(Decimal(annual_rent_amount) * renewal_years)


def check_renewal(*, renewal_years: int, params: LeaseParameters) -> None:
    """Return None when a renewal of `renewal_years` is allowed.

    Raises RuleViolation (R21 maximum renewal years) otherwise.
    Rule R21, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    if renewal_years < 1:
        raise RuleViolation(
            _("续租年期至少 1 年（R21）。"), rule="R21", limit="renewal_years", field="years"
        )
    if renewal_years > params.max_renewal_years:
        raise RuleViolation(
            _("续租年期 %(years)s 年超过上限 %(max)s 年（R21 续租期限上限）。")
            % {"years": renewal_years, "max": params.max_renewal_years},
            rule="R21",
            limit="max_renewal_years",
            field="years",
        )


# --- dates (table C) ---------------------------------------------------------------------------


def term_end(start: datetime.date, years: int) -> datetime.date:
    """Return the last day of a term of `years` years starting on `start`.

    2024-09-01 + 5 years → 2029-08-31 (DOMAIN.md date conventions).
    """
    return start + relativedelta(years=years) - datetime.timedelta(days=1)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """Return `day` − `months` months, clipped to month end (2029-08-31 − 6 → 2029-02-28)."""
    return day - relativedelta(months=months)


def application_due(*, lease_end: datetime.date, params: LeaseParameters) -> datetime.date:
    """Return the last day to apply for assessment (R18) or renewal (R21): lease end − N months.

    Rule R18/R21, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return months_before(lease_end, params.application_lead_months)


def transfer_term(
    *, lease_end: datetime.date, transfer_years: int
) -> tuple[datetime.date, datetime.date]:
    """Return (first day, last day) of the transfer (grant) term: it starts the day after the
    lease's last day. Rule R19, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    start = lease_end + datetime.timedelta(days=1)
    return start, term_end(start, transfer_years)


def transfer_application_due(
    *, notice_date: datetime.date, params: LeaseParameters
) -> datetime.date:
    """Return the last day to apply for the transfer contract: notice date + N days.

    Rule R19, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return notice_date + datetime.timedelta(days=params.transfer_application_days)


@dataclass(frozen=True)
class Quote:
    """Everything a lease-then-transfer contract costs and when (see lease_quote)."""

    base_price: Decimal
    lease_years: int
    transfer_years: int
    land_source: str
    lease_rent: Decimal
    deposit: Decimal
    annual_rent: Decimal
    transfer_price: Decimal
    renewal_rent_max: Decimal
    rules: list[str]
    lease_start: datetime.date | None = None
    lease_end: datetime.date | None = None
    assessment_application_due: datetime.date | None = None
    renewal_application_due: datetime.date | None = None
    assessment_decision_due: datetime.date | None = None
    transfer_term_start: datetime.date | None = None
    transfer_term_end: datetime.date | None = None

    def as_dict(self) -> dict:
        """Return the quote as JSON-ready strings: yuan with two decimals, ISO dates."""
        data = {}
        for key, value in self.__dict__.items():
            if isinstance(value, Decimal):
                data[key] = f"{value:.2f}"
            elif isinstance(value, datetime.date):
                data[key] = value.isoformat()
            elif value is None:
                continue
            else:
                data[key] = value
        return data


def lease_quote(
    *,
    base_price: Decimal,
    lease_years: int,
    transfer_years: int,
    params: LeaseParameters,
    land_source: str = "new",
    lease_start: datetime.date | None = None,
    extension_approval: str = "",
    renewal_years: int = 0,
) -> Quote:
    """Return the Quote of a contract: rent, deposit, annual rent, transfer price in yuan and,
    when lease_start is given, every table-C date.

    renewal_years (approved renewals, R21) lengthen the lease and move every deadline.
    Raises RuleViolation for terms outside the limits (R11) or a base price ≤ 0.
    Rules R11, R13–R16, R18, R19, R21, 北京市工业用地先租后让指导意见（试行） §三(三)–(五).
    """
    base = money(base_price)
    if base <= 0:
        raise RuleViolation(
            _("底价（竞得价或补缴政府土地收益）必须大于 0（R14/R16）。"),
            rule="R14",
            limit="base_price",
            field="base_price",
        )
    rules = check_terms(
        lease_years=lease_years,
        transfer_years=transfer_years,
        params=params,
        extension_approval=extension_approval,
    )
    rent = lease_rent(base_price=base, lease_years=lease_years, transfer_years=transfer_years)
    yearly = annual_rent(lease_rent_total=rent, lease_years=lease_years)
    rules += [
        "R13",
        "R16" if land_source == "stock" else "R14",
        "R16" if land_source == "stock" else "R15",
        "R21",
    ]
    quote = dict(
        base_price=base,
        lease_years=lease_years,
        transfer_years=transfer_years,
        land_source=land_source,
        lease_rent=rent,
        deposit=deposit(lease_rent_total=rent),
        annual_rent=yearly,
        transfer_price=transfer_price(base_price=base, rent_paid=rent),
        renewal_rent_max=renewal_rent(
            annual_rent_amount=yearly, renewal_years=params.max_renewal_years
        ),
    )
    if lease_start is not None:
        end = term_end(lease_start, lease_years + renewal_years)
        due = application_due(lease_end=end, params=params)
        t_start, t_end = transfer_term(lease_end=end, transfer_years=transfer_years)
        quote.update(
            lease_start=lease_start,
            lease_end=end,
            assessment_application_due=due,
            renewal_application_due=due,
            assessment_decision_due=end,
            transfer_term_start=t_start,
            transfer_term_end=t_end,
        )
        rules += ["R18", "R19"]
    return Quote(rules=list(dict.fromkeys(rules)), **quote)


# --- R17 assessment, R23 exit -----------------------------------------------------------------


AT_LEAST = "at_least"
AT_MOST = "at_most"
YES_NO = "yes_no"


def indicator_met(*, direction: str, target: Decimal | None, actual: Decimal | None) -> bool | None:
    """Return True/False whether a reported value meets the agreement's target, None when
    nothing was reported. yes/no indicators are met by a non-zero value (1 = yes).

    Rule R17, 北京市工业用地先租后让指导意见（试行） §三(二).
    """
    if actual is None:
        return None
    if direction == YES_NO:
        return actual != 0
    if target is None:
        return None
    if direction == AT_MOST:
        return actual <= target
    return actual >= target


def proposed_outcome(results: list[bool | None]) -> bool:
    """Return True (pass) only when every indicator is met; unreported counts as not met.

    Rule R17/R18 (the district confirms or overrides), 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return bool(results) and all(result is True for result in results)


@dataclass(frozen=True)
class ExitSettlement:
    """The R23 calculation of a voluntary exit, in yuan."""

    remaining_days: int
    lease_days: int
    remaining_rent: Decimal
    penalty: Decimal
    rent_refund: Decimal
    building_compensation: Decimal
    demolition_charge: Decimal
    ecological_damage: Decimal
    net_payable_to_holder: Decimal


def exit_settlement(
    *,
    rent_paid: Decimal,
    lease_start: datetime.date,
    lease_end: datetime.date,
    exit_date: datetime.date,
    penalty: Decimal = Decimal("0"),
    replacement_cost: Decimal = Decimal("0"),
    newness: Decimal = Decimal("0"),
    demolition_charge: Decimal = Decimal("0"),
    ecological_damage: Decimal = Decimal("0"),
) -> ExitSettlement:
    """Return the R23 settlement of returning the land on `exit_date`, in yuan.

    Refund = rent of the remaining lease days (pro rata by day, after exit_date) − penalty,
    never below 0; usable buildings are compensated at replacement cost × newness (0–1);
    the demolition cost and ecological damage are charged to the holder. The net amount may be
    negative (the holder owes the district).
    Raises RuleViolation when exit_date is outside the lease or newness outside 0–1.
    Rule R23, 北京市工业用地先租后让指导意见（试行） §三(七).
    """
    if not lease_start <= exit_date <= lease_end:
        raise RuleViolation(
            _("退出日期须在租赁期内（R23）。"), rule="R23", limit="exit_date", field="exit_date"
        )
    if not Decimal("0") <= Decimal(newness) <= Decimal("1"):
        raise RuleViolation(
            _("成新率须在 0 至 1 之间（R23）。"), rule="R23", limit="newness", field="newness"
        )
    lease_days = (lease_end - lease_start).days + 1
    remaining_days = (lease_end - exit_date).days
    remaining = money(Decimal(rent_paid) * remaining_days / lease_days)
    refund = max(remaining - money(penalty), Decimal("0.00"))
    compensation = money(Decimal(replacement_cost) * Decimal(newness))
    net = refund + compensation - money(demolition_charge) - money(ecological_damage)
    return ExitSettlement(
        remaining_days=remaining_days,
        lease_days=lease_days,
        remaining_rent=remaining,
        penalty=money(penalty),
        rent_refund=refund,
        building_compensation=compensation,
        demolition_charge=money(demolition_charge),
        ecological_damage=money(ecological_damage),
        net_payable_to_holder=money(net),
    )


def reminder_lead_for(
    *, due: datetime.date, today: datetime.date, leads: tuple[int, ...]
) -> int | None:
    """Return the reminder lead time (days) that applies today for a deadline on `due`:
    the smallest lead L with due − today ≤ L, so a missed day is caught up without sending
    the longer leads late; 0 means overdue (today after due). None when nothing is due yet.

    Table C (DOMAIN.md); lead times are the rule set's reminder_lead_days.
    """
    days_left = (due - today).days
    if days_left < 0:
        return 0
    fitting = [lead for lead in leads if lead > 0 and days_left <= lead]
    return min(fitting) if fitting else None
