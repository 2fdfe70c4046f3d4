"""Consistency checks of the lease-then-transfer contracts (R11–R16, R21, R25), for
landsupply.consistency: contracts on parcels that are not lease-then-transfer or of a land use
the rule set does not cover, and contracts whose stored money or dates no longer match what
rules.py computes from their terms (e.g. edited outside the services, or a holiday entered
after the dates were computed).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessments import rules, selectors
from assessments.models import Contract
from assessments.services import contract_quote
from landsupply import workdays
from landsupply.consistency import Finding
from parcels.models import SupplyMethod

# Stored figures compared with a fresh computation: (field, label).
_COMPARED = [
    ("lease_rent", gettext_noop("租赁期租金")),
    ("deposit", gettext_noop("竞买保证金")),
    ("annual_rent", gettext_noop("年租金")),
    ("transfer_price", gettext_noop("转出让地价款")),
    ("renewal_rent", gettext_noop("续租租金")),
    ("lease_end", gettext_noop("租赁期届满日")),
    ("assessment_application_due", gettext_noop("考核申请截止日")),
    ("transfer_term_start", gettext_noop("出让期起始日")),
    ("transfer_term_end", gettext_noop("出让期届满日")),
]


def contract_findings(*, jurisdiction=None, year: int | None = None) -> list[Finding]:
    """Return the findings of the contracts of `jurisdiction` (None: all) on parcels of plan
    `year` (None: all):

    - R12-not-lease-then-transfer: the parcel is not supplied by lease-then-transfer;
    - R25-land-use: the parcel's land use is outside the rule set's scope (§二 适用范围);
    - R14-stored-figures: a stored figure or date differs from rules.py's (R11, R13–R16,
      R18, R19, R21) — or the terms themselves break a rule now.
    Queries: the contracts, the rule sets' land uses, the statutory limits, the calendar.
    """
    contracts = Contract.objects.select_related(
        "parcel", "parcel__category", "parcel__district__jurisdiction", "rule_set"
    ).prefetch_related("rule_set__land_use_categories")
    if jurisdiction is not None:
        contracts = contracts.filter(parcel__district__jurisdiction=jurisdiction)
    if year is not None:
        contracts = contracts.filter(parcel__plan_year=year)
    period_end = workdays.deadline_function()
    statutory: dict[int, int | None] = {}
    covered: dict[tuple[int, int], bool] = {}
    result = []
    for contract in contracts.order_by("number"):
        parcel = contract.parcel

        def finding(check, rule, message, contract=contract, parcel=parcel):
            return Finding(
                check=check,
                rule=rule,
                jurisdiction=parcel.district.jurisdiction.code,
                subject=_("合同 %(n)s") % {"n": contract.number},
                message=message,
                url=contract.get_absolute_url(),
                year=parcel.plan_year,
            )

        if parcel.supply_method != SupplyMethod.LEASE_THEN_TRANSFER:
            result.append(
                finding(
                    "R12-not-lease-then-transfer",
                    "R12",
                    _("地块 %(code)s 的供应方式为“%(method)s”，不是先租后让")
                    % {"code": parcel.code, "method": parcel.get_supply_method_display()},
                )
            )
        key = (contract.rule_set_id, parcel.category_id)
        if key not in covered:
            covered[key] = selectors.rule_set_covers(
                rule_set=contract.rule_set, category=parcel.category
            )
        if not covered[key]:
            result.append(
                finding(
                    "R25-land-use",
                    "R25",
                    _("地块用途“%(use)s”不在《%(rules)s》适用范围内")
                    % {"use": parcel.category.name, "rules": contract.rule_set.name},
                )
            )
        if parcel.category_id not in statutory:
            try:
                statutory[parcel.category_id] = selectors.statutory_max_years(
                    category=parcel.category
                )
            except rules.RuleViolation:
                statutory[parcel.category_id] = None
        years = statutory[parcel.category_id]
        message = _stored_figures_differ(contract, years, period_end)
        if message:
            result.append(finding("R14-stored-figures", "R11, R13–R16, R21", message))
    return result


def _stored_figures_differ(contract: Contract, statutory_years, period_end) -> str:
    if statutory_years is None:
        return _("地块用途没有录入法定最高出让年限，无法核算")
    params = contract.rule_set.parameters(statutory_max_years=statutory_years)
    try:
        quote = contract_quote(contract, params=params, period_end=period_end)
    except rules.RuleViolation as exc:
        return _("合同条款不符合规则：%(m)s") % {"m": exc.message}
    expected = {
        "lease_rent": quote.lease_rent,
        "deposit": quote.deposit,
        "annual_rent": quote.annual_rent,
        "transfer_price": quote.transfer_price,
        "renewal_rent": rules.renewal_rent(
            annual_rent_amount=quote.annual_rent, renewal_years=contract.renewal_years
        ),
        "lease_end": quote.lease_end,
        "assessment_application_due": quote.assessment_application_due,
        "transfer_term_start": quote.transfer_term_start,
        "transfer_term_end": quote.transfer_term_end,
    }
    differ = [
        _("%(label)s 存为 %(stored)s，按规则应为 %(expected)s")
        % {"label": _(label), "stored": getattr(contract, name), "expected": expected[name]}
        for name, label in _COMPARED
        if getattr(contract, name) != expected[name]
    ]
    return "；".join(differ)
