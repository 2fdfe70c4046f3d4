"""Reads of lease-then-transfer contracts, always scoped to what the user may see.

Public API used by other parts of the project (register export, benchmarks):

- ``contract_list(user=)`` → QuerySet[Contract] with parcel, district, enterprise and rule set
  joined; every stored figure (lease_rent, deposit, annual_rent, transfer_price, yuan) and
  table-C date (lease_end, assessment_application_due, …) is a column, so exporting needs no
  further queries.
- ``contract_get(user=, pk=)`` → one Contract or Contract.DoesNotExist (→ 404).
- ``indicator_report_get(user=, pk=)`` → one IndicatorReport of a contract the user may see,
  or IndicatorReport.DoesNotExist (→ 404); used to serve evidence files.
- ``rule_set_effective(jurisdiction=, on=)`` → the LeaseRuleSet in force (R25).
- ``reminder_due_list(today=)`` → every (contract, deadline, due date, lead time) to remind of
  today, found with one indexed query (see services.reminder_sweep).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import Contract, DeadlineKind, IndicatorReport, LeaseRuleSet
from landsupply.access import scope_to_user
from landsupply.models import Jurisdiction, User
from parcels.models import Parcel, SupplyMethod

# How far back the sweep looks for overdue deadlines: a catch-up window for a sweep that did not
# run for a while, not a rule of the jurisdiction (the overdue reminder is sent once anyway).
OVERDUE_LOOKBACK_DAYS = 30


def _base_queryset() -> QuerySet[Contract]:
    return Contract.objects.select_related(
        "parcel", "parcel__district", "parcel__district__jurisdiction", "enterprise", "rule_set"
    )


def contract_list(*, user: User) -> QuerySet[Contract]:
    """Return the contracts `user` may see, parcel/district/enterprise/rule set joined.

    Enterprise: the contracts it holds. District staff: contracts on their district's parcels.
    City staff: their jurisdiction's. Anyone else (the platform administrator too): none.
    """
    return scope_to_user(
        _base_queryset(),
        user=user,
        district="parcel__district_id",
        jurisdiction="parcel__district__jurisdiction_id",
        enterprise="enterprise_id",
    )


def contract_get(*, user: User, pk: int) -> Contract:
    """Return one contract `user` may see. Raises Contract.DoesNotExist otherwise (→ 404)."""
    return contract_list(user=user).get(pk=pk)


def indicator_report_get(*, user: User, pk: int) -> IndicatorReport:
    """Return one indicator report (with its evidence file) of a contract `user` may see
    (contract_list's scope). Raises IndicatorReport.DoesNotExist otherwise (→ 404).
    """
    return IndicatorReport.objects.select_related("indicator__contract").get(
        pk=pk, indicator__contract__in=contract_list(user=user).values("pk")
    )


def contract_list_public() -> QuerySet[Contract]:
    """Return every contract for the public disclosure page (R24); the template shows only
    parcel, district, area, terms and execution status — no money paid, contacts or reports.
    Rule R24, 北京市工业用地先租后让指导意见（试行） §四(二).
    """
    return (
        _base_queryset()
        .select_related("parcel__category")
        .order_by("parcel__district__jurisdiction_id", "parcel__district__sort_order", "number")
    )


def rule_set_effective(*, jurisdiction: Jurisdiction, on: datetime.date) -> LeaseRuleSet:
    """Return the jurisdiction's lease rule set in force on `on` (latest effective_from ≤ on,
    not expired).

    Raises rules.RuleViolation (R25) naming the jurisdiction when none is entered or in force.
    Rule R25, 北京市工业用地先租后让指导意见（试行） (valid 5 years from 2024-02-18).
    """
    rule_set = (
        LeaseRuleSet.objects.filter(jurisdiction=jurisdiction, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("-effective_from")
        .first()
    )
    if rule_set is None:
        raise rules.RuleViolation(
            _(
                "%(name)s 在 %(day)s 没有有效的先租后让规则（租赁年期、总年期等参数），"
                "请市级工作人员先在后台录入规则后再办理（R25）。"
            )
            % {"name": jurisdiction.name, "day": on.isoformat()},
            rule="R25",
            limit="rule_set",
            field="jurisdiction",
        )
    return rule_set


@dataclass(frozen=True)
class Deadline:
    """One table-C date of a contract, for pages and reminders."""

    kind: str
    label: str
    due: datetime.date
    rule: str
    who: str
    active: bool


def contract_deadlines(contract: Contract) -> list[Deadline]:
    """Return every table-C date of `contract` with its rule id, sorted by date; `active`
    marks those still to be met in the contract's current state.
    """
    state = Contract.State
    items = [
        Deadline(
            DeadlineKind.ASSESSMENT_APPLICATION,
            _("考核申请截止（租赁期届满前 %(m)s 个月）")
            % {"m": contract.rule_set.application_lead_months},
            contract.assessment_application_due,
            "R18",
            _("企业；抄送区"),
            contract.state == state.LEASING,
        ),
        Deadline(
            DeadlineKind.RENEWAL_APPLICATION,
            _("续租申请截止（租赁期届满前 %(m)s 个月）")
            % {"m": contract.rule_set.application_lead_months},
            contract.renewal_application_due,
            "R21",
            _("企业"),
            contract.state == state.LEASING,
        ),
        Deadline(
            DeadlineKind.ASSESSMENT_DECISION,
            _("考核完成截止（租赁期届满日）"),
            contract.lease_end,
            "R18",
            _("区级工作人员"),
            contract.state == state.ASSESSMENT_APPLIED,
        ),
    ]
    if contract.transfer_application_due:
        items.append(
            Deadline(
                DeadlineKind.TRANSFER_APPLICATION,
                _("转出让申请截止（书面通知后 %(d)s 日内）")
                % {"d": contract.rule_set.transfer_application_days},
                contract.transfer_application_due,
                "R19",
                _("企业；抄送区"),
                contract.state == state.PASSED,
            )
        )
    if contract.state == state.FAILED or (contract.state == state.EXITED and contract.notice_date):
        items.append(
            Deadline(
                DeadlineKind.EXIT,
                _("退出截止（租赁合同到期前）"),
                contract.lease_end,
                "R20",
                _("企业、区"),
                contract.state == state.FAILED,
            )
        )
    return sorted(items, key=lambda d: d.due)


def contract_next_deadline(
    contract: Contract, *, today: datetime.date
) -> tuple[Deadline, int] | None:
    """Return (the earliest active deadline, days left — negative when overdue) or None."""
    active = [d for d in contract_deadlines(contract) if d.active]
    if not active:
        return None
    first = active[0]
    return first, (first.due - today).days


@dataclass(frozen=True)
class DueReminder:
    contract: Contract
    kind: str
    due: datetime.date
    lead_days: int


# (state, stored date field, deadline kinds) — table C; one index per (state, field).
_SWEEP_SPEC = [
    (
        Contract.State.LEASING,
        "assessment_application_due",
        (DeadlineKind.ASSESSMENT_APPLICATION, DeadlineKind.RENEWAL_APPLICATION),
    ),
    (Contract.State.ASSESSMENT_APPLIED, "lease_end", (DeadlineKind.ASSESSMENT_DECISION,)),
    (Contract.State.PASSED, "transfer_application_due", (DeadlineKind.TRANSFER_APPLICATION,)),
    (Contract.State.FAILED, "lease_end", (DeadlineKind.EXIT,)),
]


def reminder_due_list(*, today: datetime.date) -> list[DueReminder]:
    """Return every reminder that applies on `today`: for each active table-C deadline within
    its rule set's largest lead time (or overdue up to OVERDUE_LOOKBACK_DAYS), the lead time
    rules.reminder_lead_for picks.

    Two queries whatever the number of contracts: the rule sets' lead times, then one range
    scan over the indexed (state, deadline date) columns. The contracts carry only the fields
    the sweep reads (number, state, dates, enterprise name and e-mail, parcel name and district).
    Table C (DOMAIN.md), rules R18–R21.
    """
    lead_sets = {
        pk: _parse_leads(value)
        for pk, value in LeaseRuleSet.objects.values_list("pk", "reminder_lead_days")
    }
    if not lead_sets:
        return []
    max_lead = max((max(leads) for leads in lead_sets.values() if leads), default=0)
    low, high = (
        today - datetime.timedelta(days=OVERDUE_LOOKBACK_DAYS),
        today + datetime.timedelta(days=max_lead),
    )
    condition = Q()
    for state, field, _kinds in _SWEEP_SPEC:
        condition |= Q(state=state, **{f"{field}__range": (low, high)})
    # Only what the sweep reads: a catch-up day covers thousands of contracts.
    contracts = (
        Contract.objects.filter(condition)
        .select_related("parcel", "enterprise")
        .only(
            "number",
            "state",
            "rule_set",
            "enterprise__name",
            "enterprise__contact_email",
            "parcel__name",
            "parcel__district",
            *{field for _state, field, _kinds in _SWEEP_SPEC},
        )
        .order_by()
    )
    result = []
    for contract in contracts.iterator(chunk_size=2000):
        leads = lead_sets.get(contract.rule_set_id, ())
        for state, field, kinds in _SWEEP_SPEC:
            if contract.state != state:
                continue
            due = getattr(contract, field)
            lead = rules.reminder_lead_for(due=due, today=today, leads=leads)
            if lead is None:
                continue
            result.extend(DueReminder(contract, kind, due, lead) for kind in kinds)
    return result


def _parse_leads(value: str) -> tuple[int, ...]:
    return tuple(
        sorted(
            {int(p) for p in value.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True
        )
    )


def assessment_proposal(contract: Contract) -> list[dict]:
    """Return one row per indicator: name, unit, direction, target, latest reported year and
    value, and whether it meets the target (None when unreported).
    Rule R17, 北京市工业用地先租后让指导意见（试行） §三(二).
    """
    rows = []
    for indicator in contract.indicators.prefetch_related("reports"):
        reports = sorted(indicator.reports.all(), key=lambda r: r.year)
        latest = reports[-1] if reports else None
        actual = latest.actual if latest else None
        rows.append(
            {
                "indicator_id": indicator.pk,
                "name": indicator.name,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "direction_label": str(indicator.get_direction_display()),
                "target": _plain(indicator.target),
                "year": latest.year if latest else None,
                "actual": _plain(actual),
                "met": rules.indicator_met(
                    direction=indicator.direction, target=indicator.target, actual=actual
                ),
            }
        )
    return rows


def _plain(value) -> str | None:
    """Return a Decimal without trailing zeros and without exponent (8000, 0.08)."""
    return None if value is None else f"{value.normalize():f}"


def parcel_list_offered_public() -> QuerySet[Parcel]:
    """Return the parcels offered (planned, not yet supplied) by lease-then-transfer, for the
    public disclosure page: every district, no login. R24, 北京市工业用地先租后让指导意见（试行）."""
    return (
        Parcel.objects.filter(
            supply_method=SupplyMethod.LEASE_THEN_TRANSFER, status=Parcel.Status.PLANNED
        )
        .select_related("district", "category")
        .order_by("district__sort_order", "code")
    )
