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
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

# Table C lead times live in one place (landsupply.leads); the names stay importable from here.
from landsupply.leads import (  # noqa: F401
    reminder_first_look,
    reminder_lead_for,
    reminder_next_look,
)

FEN = Decimal("0.01")
YEAR_PLACES = Decimal("0.0001")

# How a deadline that ends on a rest day is moved (民法典 第二百零三条): services pass
# landsupply.workdays.deadline; the identity leaves dates as they are (pure tests, what-ifs).
PeriodEnd = Callable[[datetime.date], datetime.date]


def same_day(day: datetime.date) -> datetime.date:
    """Return `day` unchanged: no holiday calendar."""
    return day


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


# How the part year of a voluntary exit is counted (R23 "退还剩余年期土地租金").
PART_YEAR_BY_DAY = "days"  # the part year pro rata by day of that lease year
PART_YEAR_DROPPED = "whole_years"  # only whole remaining lease years are refunded
PART_YEAR_AS_WHOLE = "round_up"  # a part year counts as a whole year


@dataclass(frozen=True)
class LeaseParameters:
    """The rule parameters of one jurisdiction's rule set (R11–R23, R25).

    statutory_max_years is the statutory maximum of the parcel's land use (城镇国有土地使用权出让
    和转让暂行条例 第十二条), not of the rule set: the caller fills it in per contract.
    """

    max_lease_years: int
    max_total_years: int
    statutory_max_years: int
    extension_allowed: bool
    application_lead_months: int
    transfer_application_days: int
    max_renewal_years: int
    max_total_renewal_years: int = 2
    renewals_may_follow: bool = True
    exit_part_year: str = PART_YEAR_BY_DAY
    registration_period_days: int = 30
    required_indicator_kinds: tuple[str, ...] = ()
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
                "租让总年期 %(total)s 年超过该用途法定最高年限 %(statutory)s 年，"
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


def check_renewal(
    *,
    renewal_years: int,
    params: LeaseParameters,
    lease_years: int,
    transfer_years: int,
    renewed_years: int = 0,
) -> None:
    """Return None when a renewal of `renewal_years` is allowed after `renewed_years` already
    approved on a lease of `lease_years` with `transfer_years` to follow.

    Raises RuleViolation (R21) naming the limit: fewer than 1 year; more than the rule set's
    years per renewal; a renewal after an approved one when renewals may not follow each other;
    renewals adding up to more than the rule set's total (续租期限原则上不超过2年 caps the lease's
    renewals together, not each application); or lease + renewals + transfer years past the
    statutory maximum of the land use (R11). A renewal is its own allowance: it needs no
    extension approval of R11.
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
    if renewed_years > 0 and not params.renewals_may_follow:
        raise RuleViolation(
            _("本合同已续租 %(done)s 年；本辖区规则不允许再次续租（R21）。")
            % {"done": renewed_years},
            rule="R21",
            limit="renewals_may_follow",
            field="years",
        )
    check_renewal_total(
        renewed_years=renewed_years,
        renewal_years=renewal_years,
        params=params,
        lease_years=lease_years,
        transfer_years=transfer_years,
    )


def check_renewal_total(
    *,
    renewed_years: int,
    params: LeaseParameters,
    lease_years: int,
    transfer_years: int,
    renewal_years: int = 0,
) -> None:
    """Return None when `renewed_years` already approved plus `renewal_years` asked for stay
    within the rule set's total renewal cap and, with lease and transfer years, within the
    statutory maximum of the land use. Raises RuleViolation (R21, R11) otherwise.
    Rule R21 "续租期限原则上不超过2年" (all renewals of a lease together), §三(五).
    """
    total_renewal = renewed_years + renewal_years
    if total_renewal > params.max_total_renewal_years:
        raise RuleViolation(
            _(
                "本合同已续租 %(done)s 年，再续 %(years)s 年合计 %(total)s 年，超过续租合计上限 "
                "%(max)s 年（R21 续租期限原则上不超过 %(max)s 年）。"
            )
            % {
                "done": renewed_years,
                "years": renewal_years,
                "total": total_renewal,
                "max": params.max_total_renewal_years,
            },
            rule="R21",
            limit="max_total_renewal_years",
            field="years",
        )
    total = lease_years + total_renewal + transfer_years
    if total > params.statutory_max_years:
        raise RuleViolation(
            _("续租后租让总年期 %(total)s 年超过该用途法定最高年限 %(statutory)s 年（R11）。")
            % {"total": total, "statutory": params.statutory_max_years},
            rule="R11",
            limit="statutory_max_years",
            field="years",
        )


def check_land_use(*, covered: bool, land_use: str, rule_set: str, covered_names: str) -> None:
    """Return None when the parcel's land use is one the lease rule set covers.

    Raises RuleViolation naming the land use and the covered ones otherwise ("工业用地采用先租后让
    方式供应时，适用本指导意见"). Rule R25 (scope of the rule set), 北京市工业用地先租后让指导意见
    （试行） §二 适用范围.
    """
    if not covered:
        raise RuleViolation(
            _(
                "地块用途为“%(land_use)s”；《%(rule_set)s》仅适用于%(covered)s，"
                "该地块不能以先租后让方式供应（适用范围）。"
            )
            % {"land_use": land_use, "rule_set": rule_set, "covered": covered_names or "—"},
            rule="R25",
            limit="land_use",
            field="parcel",
        )


def statutory_max_for(chain: list[str], limits: dict[str, int], default: int | None) -> int | None:
    """Return the statutory maximum term (years) of a land use given its category chain
    [itself, parent, …] (codes), the limits linked to categories {code: years} and the limit for
    composite or other uses; the nearest linked category wins. None when nothing applies.
    Rule R11, 城镇国有土地使用权出让和转让暂行条例 第十二条.
    """
    for code in chain:
        if code in limits:
            return limits[code]
    return default


# --- dates (table C) ---------------------------------------------------------------------------


def term_end(start: datetime.date, years: int) -> datetime.date:
    """Return the last day of a term of `years` years starting on `start`.

    2024-09-01 + 5 years → 2029-08-31 (DOMAIN.md date conventions).
    """
    return start + relativedelta(years=years) - datetime.timedelta(days=1)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """Return `day` − `months` months, clipped to month end (2029-08-31 − 6 → 2029-02-28)."""
    return day - relativedelta(months=months)


def application_due(
    *, lease_end: datetime.date, params: LeaseParameters, period_end: PeriodEnd = same_day
) -> datetime.date:
    """Return the last day to apply for assessment (R18) or renewal (R21): lease end − N months,
    moved to the next working day when it is a rest day (period_end, 民法典 第二百零三条).

    Rule R18/R21, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return period_end(months_before(lease_end, params.application_lead_months))


def transfer_term(
    *, lease_end: datetime.date, transfer_years: int
) -> tuple[datetime.date, datetime.date]:
    """Return (first day, last day) of the transfer (grant) term: it starts the day after the
    lease's last day. Rule R19, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    start = lease_end + datetime.timedelta(days=1)
    return start, term_end(start, transfer_years)


def transfer_application_due(
    *, notice_date: datetime.date, params: LeaseParameters, period_end: PeriodEnd = same_day
) -> datetime.date:
    """Return the last day to apply for the transfer contract: the day the holder received the
    written notice (or, until that is recorded, the notice date) + N days, moved to the next
    working day when it is a rest day (民法典 第二百零三条).

    Rule R19 "收到书面通知15日内", 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return period_end(notice_date + datetime.timedelta(days=params.transfer_application_days))


def registration_opens(*, lease_end: datetime.date) -> datetime.date:
    """Return the first day the holder may register the title of the grant: the day after the
    lease ends ("在租赁期届满后…申请办理不动产登记"). Rule R19, §三(五)."""
    return lease_end + datetime.timedelta(days=1)


def registration_due(
    *, lease_end: datetime.date, params: LeaseParameters, period_end: PeriodEnd = same_day
) -> datetime.date:
    """Return the last day to apply for title registration (不动产登记): lease end + the rule
    set's registration period, moved to the next working day when it is a rest day.

    The guidance asks for registration after the lease ends and for the district to see it done
    on time (区政府应督促…按期办理); the period is the jurisdiction's parameter.
    Rule R19, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    return period_end(lease_end + datetime.timedelta(days=params.registration_period_days))


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
    registration_due: datetime.date | None = None
    renewal_years: int | None = None
    renewal_rent: Decimal | None = None
    exit_on: datetime.date | None = None
    exit_remaining_years: Decimal | None = None
    exit_remaining_rent: Decimal | None = None
    exit_penalty: Decimal | None = None
    exit_refund: Decimal | None = None
    exit_amount_owed: Decimal | None = None

    def as_dict(self) -> dict:
        """Return the quote as JSON-ready strings: yuan with two decimals, ISO dates."""
        data = {}
        for key, value in self.__dict__.items():
            if key == "exit_remaining_years" and value is not None:
                data[key] = str(value)
            elif isinstance(value, Decimal):
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
    renewed_years: int = 0,
    renewal_years: int = 0,
    period_end: PeriodEnd = same_day,
    exit_on: datetime.date | None = None,
    penalty: Decimal = Decimal("0"),
) -> Quote:
    """Return the Quote of a contract: rent, deposit, annual rent, transfer price in yuan and,
    when lease_start is given, every table-C date (action deadlines moved off rest days by
    period_end, 民法典 第二百零三条).

    renewed_years (renewals approved, R21: within the total cap and the statutory maximum) and
    renewal_years (a renewal asked for, checked as an application, R21) lengthen the lease and
    move every deadline; renewal_years also gives its renewal_rent. exit_on (needs lease_start)
    adds the R23 what-if of a voluntary exit on that day: remaining rent, refund after
    `penalty`, and what the holder owes when the penalty is larger.
    Raises RuleViolation for terms outside the limits (R11, R21, R23) or a base price ≤ 0.
    Rules R11, R13–R16, R18, R19, R21, R23, 北京市工业用地先租后让指导意见（试行） §三(三)–(七).
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
    if renewal_years:
        check_renewal(
            renewal_years=renewal_years,
            renewed_years=renewed_years,
            params=params,
            lease_years=lease_years,
            transfer_years=transfer_years,
        )
    elif renewed_years:
        check_renewal_total(
            renewed_years=renewed_years,
            params=params,
            lease_years=lease_years,
            transfer_years=transfer_years,
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
    if renewal_years:
        quote.update(
            renewal_years=renewal_years,
            renewal_rent=renewal_rent(annual_rent_amount=yearly, renewal_years=renewal_years),
        )
    if lease_start is not None:
        lease_total = lease_years + renewed_years + renewal_years
        end = term_end(lease_start, lease_total)
        due = application_due(lease_end=end, params=params, period_end=period_end)
        t_start, t_end = transfer_term(lease_end=end, transfer_years=transfer_years)
        quote.update(
            lease_start=lease_start,
            lease_end=end,
            assessment_application_due=due,
            renewal_application_due=due,
            assessment_decision_due=end,
            transfer_term_start=t_start,
            transfer_term_end=t_end,
            registration_due=registration_due(lease_end=end, params=params, period_end=period_end),
        )
        rules += ["R18", "R19"]
        if exit_on is not None:
            settlement = exit_settlement(
                rent_paid=annual_rent(lease_rent_total=rent, lease_years=lease_years) * lease_total,
                lease_start=lease_start,
                lease_years=lease_total,
                exit_date=exit_on,
                penalty=penalty,
                part_year=params.exit_part_year,
            )
            quote.update(
                exit_on=exit_on,
                exit_remaining_years=settlement.remaining_years,
                exit_remaining_rent=settlement.remaining_rent,
                exit_penalty=settlement.penalty,
                exit_refund=settlement.rent_refund,
                exit_amount_owed=settlement.amount_owed,
            )
            rules.append("R23")
    elif exit_on is not None:
        raise RuleViolation(
            _("计算退出金额须给出租赁起始日（R23）。"),
            rule="R23",
            limit="lease_start",
            field="lease_start",
        )
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


def missing_indicator_kinds(*, required: Collection[str], present: Collection[str]) -> list[str]:
    """Return the required indicator kinds (codes, in `required` order) that no indicator of
    the performance agreement covers; [] when all are covered.

    The guidance names at least eight kinds (包括但不限于产业类型、投资强度、产出效率（含地均产出）、
    税收、创新能力、节能环保、地区贡献率、本地就业人口); the jurisdiction's rule set lists them.
    Rule R17, 北京市工业用地先租后让指导意见（试行） §三(二).
    """
    have = set(present)
    return [kind for kind in required if kind not in have]


# R22: what may not be done "在完成开发建设前" applies during the lease only; after conversion the
# holder has the grant's full powers (转出让后，享有出让国有建设用地使用权权能). Changing the use or
# industry and disguised real-estate development stay breaches of the grant.
LEASE_ONLY_VIOLATIONS = frozenset({"transfer", "sublease", "mortgage", "unpaid_rent"})


def check_violation_kind(*, kind: str, converted: bool) -> None:
    """Return None when a breach of `kind` can be recorded on a contract that is (converted=True)
    or is not yet converted to a grant. Raises RuleViolation (R22) for a lease-only breach after
    conversion. Rule R22, 北京市工业用地先租后让指导意见（试行） §三(六).
    """
    if converted and kind in LEASE_ONLY_VIOLATIONS:
        raise RuleViolation(
            _(
                "转出让后土地使用权人享有出让国有建设用地使用权权能，该类违约仅适用于租赁期内"
                "（R22）。"
            ),
            rule="R22",
            limit="kind",
            field="kind",
        )


@dataclass(frozen=True)
class ExitSettlement:
    """The R23 calculation of a voluntary exit, in yuan (years as Decimal, 4 places)."""

    remaining_whole_years: int
    remaining_part_days: int
    part_year_days: int
    remaining_years: Decimal
    remaining_rent: Decimal
    penalty: Decimal
    rent_refund: Decimal
    amount_owed: Decimal
    building_compensation: Decimal
    demolition_charge: Decimal
    ecological_damage: Decimal
    net_payable_to_holder: Decimal


def remaining_lease_years(
    *, lease_start: datetime.date, lease_years: int, exit_date: datetime.date
) -> tuple[int, int, int]:
    """Return (whole lease years, days of the part lease year, days of that lease year) left
    after `exit_date` (the holder's last day) in a lease of `lease_years` from `lease_start`.

    Lease years run from anniversary to anniversary of lease_start (2024-09-01 → 2025-08-31 …),
    so an exit on 2027-08-31 of a 5-year lease from 2024-09-01 leaves exactly (2, 0, 0).
    Rule R23 "剩余年期", DOMAIN.md date conventions.
    """
    after = exit_date + datetime.timedelta(days=1)
    elapsed = 0  # whole lease years started and ended on or before exit_date
    while lease_start + relativedelta(years=elapsed + 1) <= after:
        elapsed += 1
    year_start = lease_start + relativedelta(years=elapsed)
    if year_start == after:
        return lease_years - elapsed, 0, 0
    year_end_next = lease_start + relativedelta(years=elapsed + 1)
    return (
        lease_years - elapsed - 1,
        (year_end_next - after).days,
        (year_end_next - year_start).days,
    )


def exit_settlement(
    *,
    rent_paid: Decimal,
    lease_start: datetime.date,
    lease_years: int,
    exit_date: datetime.date,
    part_year: str = PART_YEAR_BY_DAY,
    penalty: Decimal = Decimal("0"),
    replacement_cost: Decimal = Decimal("0"),
    newness: Decimal = Decimal("0"),
    demolition_charge: Decimal = Decimal("0"),
    ecological_damage: Decimal = Decimal("0"),
) -> ExitSettlement:
    """Return the R23 settlement of returning the land after `exit_date`, in yuan.

    rent_paid is the rent of the whole lease of `lease_years` (renewals included, each year at
    the same average annual rent). Remaining rent = rent of the remaining lease YEARS
    (退还剩余年期土地租金): whole years × annual rent, plus the part year counted as the rule set
    says (`part_year`: by day of that lease year, dropped, or as a whole year). Refund =
    remaining rent − penalty (按照合同约定扣除违约金后); when the penalty is larger the refund is 0
    and `amount_owed` is what the holder owes. Usable buildings are compensated at replacement
    cost × newness (0–1); demolition cost and ecological damage are charged to the holder. The
    net amount (remaining rent − penalty + compensation − charges) may be negative: the holder
    owes the district.
    Worked example: 7,500,000 rent, 5 years from 2024-09-01, exit 2027-08-31 → 2 years,
    3,000,000.00; penalty 500,000 → refund 2,500,000.00.
    Raises RuleViolation when exit_date is outside the lease or newness outside 0–1.
    Rule R23, 北京市工业用地先租后让指导意见（试行） §三(七).
    """
    lease_end = term_end(lease_start, lease_years)
    if not lease_start <= exit_date <= lease_end:
        raise RuleViolation(
            _("退出日期须在租赁期内（%(start)s 至 %(end)s）（R23）。")
            % {"start": lease_start.isoformat(), "end": lease_end.isoformat()},
            rule="R23",
            limit="exit_date",
            field="exit_date",
        )
    if not Decimal("0") <= Decimal(newness) <= Decimal("1"):
        raise RuleViolation(
            _("成新率须在 0 至 1 之间（R23）。"), rule="R23", limit="newness", field="newness"
        )
    whole, part_days, year_days = remaining_lease_years(
        lease_start=lease_start, lease_years=lease_years, exit_date=exit_date
    )
    if part_days == 0 or part_year == PART_YEAR_DROPPED:
        years = Decimal(whole)
    elif part_year == PART_YEAR_AS_WHOLE:
        years = Decimal(whole + 1)
    else:
        years = Decimal(whole) + Decimal(part_days) / Decimal(year_days)
    remaining = money(Decimal(rent_paid) * years / lease_years)
    fine = money(penalty)
    refund = max(remaining - fine, Decimal("0.00"))
    owed = max(fine - remaining, Decimal("0.00"))
    compensation = money(Decimal(replacement_cost) * Decimal(newness))
    net = remaining - fine + compensation - money(demolition_charge) - money(ecological_damage)
    return ExitSettlement(
        remaining_whole_years=whole,
        remaining_part_days=part_days,
        part_year_days=year_days,
        remaining_years=years.quantize(YEAR_PLACES, rounding=ROUND_HALF_UP),
        remaining_rent=remaining,
        penalty=fine,
        rent_refund=refund,
        amount_owed=owed,
        building_compensation=compensation,
        demolition_charge=money(demolition_charge),
        ecological_damage=money(ecological_damage),
        net_payable_to_holder=money(net),
    )
