"""Reads of lease-then-transfer contracts, always scoped to what the user may see.

Public API used by other parts of the project (register export, benchmarks):

- ``contract_list(user=)`` → QuerySet[Contract] with parcel, district, enterprise and rule set
  joined; every stored figure (lease_rent, deposit, annual_rent, transfer_price, yuan) and
  table-C date (lease_end, assessment_application_due, …) is a column, so exporting needs no
  further queries.
- ``contract_get(user=, pk=)`` → one Contract or Contract.DoesNotExist (→ 404).
- ``indicator_report_get(user=, pk=)`` → one IndicatorReport of a contract the user may see,
  or IndicatorReport.DoesNotExist (→ 404); used to serve evidence files.
- ``rule_set_effective(jurisdiction=, on=)`` → the LeaseRuleSet in force on an award date (R25).
- ``statutory_max_years(category=)`` → the statutory maximum term of a land use (R11).
- ``reminder_due_list(today=)`` → every (contract, deadline, due date, lead time) to remind of
  today, found with one index lookup on the contracts' next reminder day (reminder_day, see
  services.reminder_sweep).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import (
    REMINDED_DEADLINE,
    AssessmentTemplate,
    Contract,
    DeadlineKind,
    Indicator,
    IndicatorReport,
    LeaseRuleSet,
    StatutoryTermLimit,
)
from landsupply import workdays
from landsupply.access import scope_to_user
from landsupply.leads import parse_lead_days
from landsupply.models import District, Jurisdiction, User
from landsupply.paging import keyset_batches
from landsupply.todo import TodoItem
from parcels.models import LandUseCategory, Parcel, SupplyMethod

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


# Sort keys of the public page's lists (landsupply.paging): unique, and each served by an
# index (the contract number's; the parcels' (district, code)), so any page is one seek.
PUBLIC_CONTRACT_ORDER = ("number",)
PUBLIC_OFFERED_ORDER = ("district_id", "code")


def contract_list_public() -> QuerySet[Contract]:
    """Return every contract for the public disclosure page (R24), ordered by number; the
    template shows only parcel, district, area, terms and execution status — no money paid,
    contacts or reports. Rule R24, 北京市工业用地先租后让指导意见（试行） §四(二).
    """
    return _base_queryset().select_related("parcel__category").order_by(*PUBLIC_CONTRACT_ORDER)


def rule_set_effective(*, jurisdiction: Jurisdiction, on: datetime.date) -> LeaseRuleSet:
    """Return the jurisdiction's lease rule set in force on `on` — the award date (成交确认书
    or approval date), not the lease start: the rules of the day the land was awarded govern the
    contract (latest effective_from ≤ on, not expired).

    Raises rules.RuleViolation (R25) naming the rules and their dates when none is in force:
    before the first rule set took effect the message says so and that it does not govern
    earlier awards (no invitation to back-date it); after the last one expired, that it expired.
    Rule R25, 北京市工业用地先租后让指导意见（试行） "自印发之日起生效，有效期5年".
    """
    sets = list(LeaseRuleSet.objects.filter(jurisdiction=jurisdiction).order_by("effective_from"))
    in_force = [
        r
        for r in sets
        if r.effective_from <= on and (r.effective_until is None or r.effective_until >= on)
    ]
    if in_force:
        return in_force[-1]
    if not sets:
        message = _(
            "%(name)s 没有发布先租后让规则，%(day)s 成交的项目不能按先租后让办理（R25）。"
        ) % {"name": jurisdiction.name, "day": on.isoformat()}
    elif on < sets[0].effective_from:
        message = _(
            "《%(rules)s》自 %(start)s 起施行，不适用于此前（%(day)s）成交的项目（R25）。"
        ) % {
            "rules": sets[0].name,
            "start": sets[0].effective_from.isoformat(),
            "day": on.isoformat(),
        }
    else:
        last = max((r for r in sets if r.effective_from <= on), key=lambda r: r.effective_from)
        message = _(
            "《%(rules)s》已于 %(until)s 失效，%(day)s 成交的项目没有可适用的先租后让规则（R25）。"
        ) % {
            "rules": last.name,
            "until": last.effective_until.isoformat() if last.effective_until else "—",
            "day": on.isoformat(),
        }
    raise rules.RuleViolation(message, rule="R25", limit="rule_set", field="award_date")


def _category_chain(category: LandUseCategory) -> list[LandUseCategory]:
    parents = {c.pk: c for c in LandUseCategory.objects.all()}
    chain, node = [], parents.get(category.pk, category)
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node.parent_id)
    return chain


def statutory_max_years(*, category: LandUseCategory) -> int:
    """Return the statutory maximum grant term in years of land use `category`: the limit
    linked to it or its nearest ancestor, else the "composite or other" limit.

    Raises rules.RuleViolation (R11) when no limit applies (none entered).
    Rule R11, 城镇国有土地使用权出让和转让暂行条例 第十二条.
    """
    chain = [c.code for c in _category_chain(category)]
    limits = {}
    default = None
    for limit in StatutoryTermLimit.objects.prefetch_related("land_use_categories"):
        for c in limit.land_use_categories.all():
            limits[c.code] = limit.max_years
        if limit.is_default:
            default = limit.max_years
    years = rules.statutory_max_for(chain, limits, default)
    if years is None:
        raise rules.RuleViolation(
            _("用地类型“%(name)s”没有录入法定最高出让年限（R11）。") % {"name": category.name},
            rule="R11",
            limit="statutory_max_years",
            field="parcel",
        )
    return years


def rule_set_covers(*, rule_set: LeaseRuleSet, category: LandUseCategory) -> bool:
    """Return whether `rule_set` applies to land use `category` (it or an ancestor is listed).
    Rule R25 (scope), 北京市工业用地先租后让指导意见（试行） §二 适用范围."""
    covered = set(rule_set.land_use_categories.values_list("pk", flat=True))
    return any(c.pk in covered for c in _category_chain(category))


def assessment_template_list(*, district: District) -> QuerySet[AssessmentTemplate]:
    """Return the district's active assessment templates (R17), newest first, items joined."""
    return AssessmentTemplate.objects.filter(district=district, is_active=True).prefetch_related(
        "items"
    )


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
    if contract.is_converted or contract.state == state.PASSED:
        items += [
            Deadline(
                DeadlineKind.TRANSFER_CONTRACT,
                _("签订出让合同截止（租赁期届满前）"),
                contract.lease_end,
                "R19",
                _("企业；抄送区"),
                contract.state in (state.PASSED, state.TRANSFER_APPLIED),
            ),
            Deadline(
                DeadlineKind.LAND_PRICE,
                _("缴纳地价款截止（租赁期届满前）"),
                contract.lease_end,
                "R19",
                _("企业；抄送区"),
                contract.state in (state.PASSED, state.TRANSFER_APPLIED, state.TRANSFER_SIGNED),
            ),
        ]
        if contract.registration_due:
            items.append(
                Deadline(
                    DeadlineKind.TITLE_REGISTRATION,
                    _("不动产登记截止（租赁期届满后 %(d)s 日内）")
                    % {"d": contract.rule_set.registration_period_days},
                    contract.registration_due,
                    "R19",
                    _("企业；抄送区"),
                    contract.state != state.REGISTERED,
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


@dataclass(frozen=True)
class ContractLook:
    """A contract the sweep read today: where its schedule stood (compare-and-set values) and
    the next day it must be read (None: nothing left to remind)."""

    contract_id: int
    was_next_on: datetime.date
    updated_at: datetime.datetime
    next_on: datetime.date | None


# State → the deadline kinds reminded (table C); the date field is the model's
# REMINDED_DEADLINE, so the schedule written on contract save and the sweep agree.
_SWEEP_KINDS = {
    Contract.State.LEASING: (
        DeadlineKind.ASSESSMENT_APPLICATION,
        DeadlineKind.RENEWAL_APPLICATION,
    ),
    Contract.State.ASSESSMENT_APPLIED: (DeadlineKind.ASSESSMENT_DECISION,),
    Contract.State.PASSED: (DeadlineKind.TRANSFER_APPLICATION,),
    Contract.State.TRANSFER_APPLIED: (DeadlineKind.TRANSFER_CONTRACT,),
    Contract.State.TRANSFER_SIGNED: (DeadlineKind.LAND_PRICE,),
    Contract.State.TRANSFERRED: (DeadlineKind.TITLE_REGISTRATION,),
    Contract.State.FAILED: (DeadlineKind.EXIT,),
}
assert set(_SWEEP_KINDS) == set(REMINDED_DEADLINE)


def reminder_due_list(*, today: datetime.date) -> list[DueReminder]:
    """Return every reminder that applies on `today` (reminder_day's first part)."""
    return reminder_day(today=today)[0]


def contract_side(user: User) -> str | None:
    """Return the side of a contract `user` acts for: "enterprise" (the holder), "district"
    (the district bureau), or None (city staff watch; the platform administrator has no
    contract page). Roles are roles (landsupply.access): superuser status is no side."""
    return {User.Role.ENTERPRISE: "enterprise", User.Role.DISTRICT: "district"}.get(user.role)


REMINDER_READ_CHUNK = 2000  # contracts read per statement by the sweep


def reminder_day(*, today: datetime.date) -> tuple[list[DueReminder], list[ContractLook]]:
    """Return (the reminders that apply on `today`, the contracts read with their next day).

    A reminder applies for each active table-C deadline within its rule set's largest lead time
    (or overdue up to OVERDUE_LOOKBACK_DAYS), with the lead time rules.reminder_lead_for picks.
    Only the contracts whose indexed `reminder_next_on` has come are read (Contract.save sets
    it to the first day a reminder applies; the sweep moves it on to the day the next lead time
    opens, services.reminder_sweep), so a day costs the contracts with something due, not every
    contract in the window. Queries: the rule sets' lead times, then per 2,000 contracts read
    one index range scan of the contracts table alone for their ids and one load by primary key
    (landsupply.paging.keyset_batches: the index order, whatever the planner's statistics).
    Table C (DOMAIN.md), rules R18–R21.
    """
    lead_sets = {
        pk: parse_lead_days(value)
        for pk, value in LeaseRuleSet.objects.values_list("pk", "reminder_lead_days")
    }
    # Only what the sweep reads: a catch-up day covers thousands of contracts.
    columns = (
        "number",
        "state",
        "rule_set",
        "reminder_next_on",
        "updated_at",
        "enterprise__name",
        "enterprise__contact_email",
        "parcel__name",
        "parcel__district",
        *set(REMINDED_DEADLINE.values()),
    )
    oldest = today - datetime.timedelta(days=OVERDUE_LOOKBACK_DAYS)
    result, looks = [], []
    # The due contracts' ids in the index's order (the contracts table alone), then each
    # batch's contracts by primary key (landsupply.paging.keyset_batches).
    due_ids = Contract.objects.filter(reminder_next_on__lte=today).only("id", "reminder_next_on")
    for batch in keyset_batches(due_ids, keys=("reminder_next_on", "id"), size=REMINDER_READ_CHUNK):
        contracts = (
            Contract.objects.filter(pk__in=[c.pk for c in batch])
            .select_related("parcel", "enterprise")
            .only(*columns)
            .order_by("reminder_next_on", "id")
        )
        for contract in contracts:
            leads = lead_sets.get(contract.rule_set_id, ())
            due = contract.reminded_deadline()
            next_on = None
            if due is not None:
                next_on = rules.reminder_next_look(due=due, today=today, leads=leads)
                lead = rules.reminder_lead_for(due=due, today=today, leads=leads)
                if lead is not None and due >= oldest:
                    kinds = _SWEEP_KINDS[contract.state]
                    result.extend(DueReminder(contract, kind, due, lead) for kind in kinds)
            looks.append(
                ContractLook(contract.pk, contract.reminder_next_on, contract.updated_at, next_on)
            )
    return result, looks


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
                "kind": indicator.kind,
                "kind_label": str(indicator.get_kind_display()),
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
    public disclosure page: every district, no login, by district and code.
    R24, 北京市工业用地先租后让指导意见（试行）."""
    return (
        Parcel.objects.filter(
            supply_method=SupplyMethod.LEASE_THEN_TRANSFER, status=Parcel.Status.PLANNED
        )
        .select_related("district", "category")
        .order_by(*PUBLIC_OFFERED_ORDER)
    )


# The table-C deadlines of which district staff are told (the renewal application is the
# enterprise's alone).
_DISTRICT_TOLD = frozenset(DeadlineKind) - {DeadlineKind.RENEWAL_APPLICATION}


def todo_for_user(*, user: User, today: datetime.date) -> list[TodoItem]:
    """Return the contract work waiting for `user` on `today` (landsupply.todo composes it).

    District staff (the contracts of their district): assessments to decide by the lease end
    (R18); applications to decide — transfer contract to sign (R19), renewal (R21), voluntary
    exit (R23); a failed assessment's exit by the lease end (R20); and any other active table-C
    deadline they are told of (table C) that falls in the current calendar month (day 1 to its
    last day).
    Enterprise (its contracts): indicator reports missing for the last completed year while
    leasing (R17, reported before the assessment application), the assessment/renewal
    application once its reminder window opened (R18, R21: the rule set's largest lead time
    before the due day, and until it), and the transfer application window after a passed
    assessment (R19: from the notice to its due day). Two queries whatever the number of
    contracts (district staff: the contracts; enterprise: also its indicators and reports).
    """
    S = Contract.State
    if user.role == User.Role.DISTRICT and user.district_id:
        states = [
            S.LEASING,
            S.RENEWAL_APPLIED,
            S.ASSESSMENT_APPLIED,
            S.PASSED,
            S.FAILED,
            S.TRANSFER_APPLIED,
            S.TRANSFER_SIGNED,
            S.TRANSFERRED,
            S.EXIT_APPLIED,
        ]
        contracts = Contract.objects.filter(parcel__district_id=user.district_id, state__in=states)
    elif user.role == User.Role.ENTERPRISE and user.enterprise_id:
        states = [S.LEASING, S.PASSED]
        contracts = Contract.objects.filter(enterprise_id=user.enterprise_id, state__in=states)
    else:
        return []
    contracts = list(contracts.select_related("rule_set", "parcel", "assessment").order_by("pk"))
    month_start = today.replace(day=1)
    month_end = (month_start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )
    items: list[TodoItem] = []

    def add(contract, kind, title, since, deadline, rule):
        items.append(
            TodoItem(
                kind=kind,
                title=_("合同 %(number)s：%(what)s") % {"number": contract.number, "what": title},
                since=since,
                deadline=deadline,
                url=reverse("assessments:contract_detail", args=[contract.pk]),
                rule=rule,
            )
        )

    if user.role == User.Role.DISTRICT:
        for c in contracts:
            acting = True
            if c.state == S.ASSESSMENT_APPLIED:
                applied = getattr(c, "assessment", None)
                since = applied.applied_on if applied else today
                add(c, "assessment_decide", _("作出考核结论"), since, c.lease_end, "R18")
            elif c.state == S.TRANSFER_APPLIED:
                add(
                    c, "transfer_sign", _("签订出让合同"), c.transfer_applied_on, c.lease_end, "R19"
                )
            elif c.state == S.RENEWAL_APPLIED:
                add(
                    c,
                    "renewal_decide",
                    _("审批续租申请"),
                    timezone.localdate(c.updated_at),
                    c.lease_end,
                    "R21",
                )
            elif c.state == S.EXIT_APPLIED:
                add(
                    c,
                    "exit_settle",
                    _("办理退出与土地收回"),
                    timezone.localdate(c.updated_at),
                    None,
                    "R23",
                )
            elif c.state == S.FAILED:
                since = c.notice_date or today
                add(
                    c, "exit_failed", _("考核未通过：收回土地、办理退出"), since, c.lease_end, "R20"
                )
            else:
                acting = False
            if acting:
                continue
            for d in contract_deadlines(c):
                if d.kind in _DISTRICT_TOLD and d.active and month_start <= d.due <= month_end:
                    add(c, f"deadline_{d.kind}", d.label, month_start, d.due, d.rule)
        return items

    reported = set(
        IndicatorReport.objects.filter(
            indicator__contract__in=[c for c in contracts if c.state == S.LEASING],
            year=today.year - 1,
        ).values_list("indicator__contract_id", "indicator_id")
    )
    indicators = {}
    for pk, contract_id in Indicator.objects.filter(
        contract__in=[c for c in contracts if c.state == S.LEASING]
    ).values_list("pk", "contract_id"):
        indicators.setdefault(contract_id, []).append(pk)
    for c in contracts:
        if c.state == S.LEASING:
            last_year = today.year - 1
            missing = [pk for pk in indicators.get(c.pk, []) if (c.pk, pk) not in reported]
            if c.lease_start.year <= last_year and missing:
                add(
                    c,
                    "indicator_reports",
                    _("填报 %(year)s 年度履约指标（%(n)s 项未填报）")
                    % {"year": last_year, "n": len(missing)},
                    datetime.date(today.year, 1, 1),
                    c.assessment_application_due,
                    "R17",
                )
            leads = parse_lead_days(c.rule_set.reminder_lead_days)
            window = max(leads, default=0)
            due = c.assessment_application_due
            if due - datetime.timedelta(days=window) <= today <= due:
                add(
                    c,
                    "assessment_apply",
                    _("申请考核（如需续租，同一期限内申请续租）"),
                    due - datetime.timedelta(days=window),
                    due,
                    "R18",
                )
        elif (
            c.state == S.PASSED
            and c.transfer_application_due
            and today <= c.transfer_application_due
        ):
            add(
                c,
                "transfer_apply",
                _("申请签订出让合同并缴纳地价款"),
                c.notice_received_on or c.notice_date or today,
                c.transfer_application_due,
                "R19",
            )
    return items


def assessment_proposed_pass(proposal: list[dict]) -> bool:
    """Return the system's proposal from assessment_proposal rows: pass only when every
    indicator is reported and met. Rule R17, 北京市工业用地先租后让指导意见（试行） §三(二)."""
    return rules.proposed_outcome([row["met"] for row in proposal])


def decision_consequence(
    contract: Contract, *, action: str, data: dict, today: datetime.date
) -> tuple[str, str] | None:
    """Return (key, text) naming what a decision entails, to be confirmed before it is made, or
    None when the action needs no confirmation. The key changes with the decision, so a
    confirmation given for one outcome never stands for the other.

    assessment_decide pass: the holder applies for the transfer contract within the rule set's
    N days of the notice (R19); fail: exit before the lease end, the land is recovered (R20).
    violation with serious: the contract ends and the land is recovered (R22).
    Rules R19, R20, R22, 北京市工业用地先租后让指导意见（试行） §三(五)、§三(六).
    """
    if action == "assessment_decide":
        if data.get("passed") is True:
            due = rules.transfer_application_due(
                notice_date=today,
                params=contract.rule_set.parameters(
                    statutory_max_years=statutory_max_years(category=contract.parcel.category)
                ),
                period_end=workdays.deadline,
            )
            return "pass", _(
                "考核通过：书面通知今日出具，%(enterprise)s 须在收到通知后 %(d)s 日内（%(due)s 前）"
                "申请签订出让合同并缴纳地价款（R19）。"
            ) % {
                "enterprise": contract.enterprise,
                "d": contract.rule_set.transfer_application_days,
                "due": due.isoformat(),
            }
        if data.get("passed") is False:
            return "fail", _(
                "考核未通过：%(enterprise)s 须在租赁合同到期（%(end)s）前退出，"
                "区政府收回土地使用权并注销登记（R20）。"
            ) % {"enterprise": contract.enterprise, "end": contract.lease_end.isoformat()}
    if action == "violation" and data.get("serious"):
        return "terminate", _(
            "情节严重：合同 %(number)s 将解除，土地使用权由区政府收回，不能撤销（R22）。"
        ) % {"number": contract.number}
    return None


def enterprise_overdue_notice(contract: Contract, *, today: datetime.date) -> str | None:
    """Return, for the holder of a contract whose application period has passed, the one
    message saying what happens next (no form can help then), or None.

    Leasing after the assessment/renewal application day (R18, R21): the lease runs to its end,
    then the district recovers the land (R20). Passed after the transfer application day (R19):
    the district decides. Rules R18–R21, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    state = contract.state
    if state == Contract.State.LEASING and contract.assessment_application_due:
        last = max(
            d for d in (contract.assessment_application_due, contract.renewal_application_due) if d
        )
        if today > last:
            return _(
                "考核申请和续租申请的期限已于 %(due)s 截止（R18、R21），本合同不能再申请考核或续租。"
                "租赁期于 %(end)s 届满后，区政府将收回土地使用权并注销登记（R20）。"
                "如有疑问或需提前退还土地，请联系%(district)s规划自然资源主管部门。"
            ) % {
                "due": last.isoformat(),
                "end": contract.lease_end.isoformat(),
                "district": contract.parcel.district,
            }
    if (
        state == Contract.State.PASSED
        and contract.transfer_application_due
        and today > contract.transfer_application_due
    ):
        return _(
            "申请签订出让合同的期限已于 %(due)s 截止（R19），已不能在系统中申请。"
            "请联系%(district)s规划自然资源主管部门，由其决定后续处理。"
        ) % {
            "due": contract.transfer_application_due.isoformat(),
            "district": contract.parcel.district,
        }
    return None


def rule_parameters(
    *, jurisdiction: Jurisdiction, on: datetime.date
) -> dict[str, list[tuple[str, str]]]:
    """Return {rule id: [(label, value as text)]} of R11–R25 in the lease rule set in force for
    `jurisdiction` on `on`, for the 规则说明 page; {} when none is in force (R25)."""
    try:
        rule_set = rule_set_effective(jurisdiction=jurisdiction, on=on)
    except rules.RuleViolation:
        return {}

    def field(name: str) -> tuple[str, str]:
        value = getattr(rule_set, name)
        if isinstance(value, bool):
            shown = _("是") if value else _("否")
        elif name == "exit_part_year":
            shown = str(rule_set.get_exit_part_year_display())
        else:
            shown = str(value) if value not in (None, "") else "—"
        return str(LeaseRuleSet._meta.get_field(name).verbose_name), shown

    statutory = [
        (str(limit.purpose), _("%(n)s 年") % {"n": limit.max_years})
        for limit in StatutoryTermLimit.objects.order_by("-max_years")
    ]
    return {
        "R11": [
            field("max_lease_years"),
            field("max_total_years"),
            field("extension_allowed"),
            *statutory,
        ],
        "R17": [field("required_indicator_kinds")],
        "R18": [field("application_lead_months")],
        "R19": [field("transfer_application_days"), field("registration_period_days")],
        "R21": [
            field("application_lead_months"),
            field("max_renewal_years"),
            field("max_total_renewal_years"),
            field("renewals_may_follow"),
        ],
        "R23": [field("exit_part_year")],
        "R25": [
            (_("规则"), rule_set.name),
            field("effective_from"),
            (
                str(LeaseRuleSet._meta.get_field("effective_until").verbose_name),
                rule_set.effective_until.isoformat() if rule_set.effective_until else _("长期有效"),
            ),
            (_("依据"), rule_set.citation),
        ],
    }
