"""Every write to lease-then-transfer contracts: award, lease, assessment, transfer, renewal,
exit, violations, and the exactly-once reminder sweep.

Each transition locks the contract row (select_for_update), checks its state, the actor and the
rule, and records a ContractEvent (who, when, why) for the timeline. Rule breaches raise
django ValidationError whose message names the rule; nothing is changed then.
Source: 北京市工业用地先租后让指导意见（试行）(2024-02-18), DOMAIN.md R11–R25 and table C.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import rules, selectors
from assessments.models import (
    Assessment,
    AwardMethod,
    Contract,
    ContractEvent,
    DeadlineKind,
    ExitRecord,
    Indicator,
    IndicatorReport,
    ReminderDelivery,
    Renewal,
    Violation,
)
from landsupply.models import Enterprise, Notification, User
from parcels.models import LandSource, Parcel, SupplyMethod

logger = logging.getLogger(__name__)

S = Contract.State
# A claim older than this whose send never finished (worker killed) may be claimed again.
STALE_CLAIM = timedelta(minutes=15)
CLAIM_CHUNK = 5000


def _violation(exc: rules.RuleViolation) -> ValidationError:
    if exc.field:
        return ValidationError({exc.field: exc.message})
    return ValidationError(exc.message)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _lock(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update()
        .select_related("rule_set", "parcel", "parcel__district", "enterprise")
        .get(pk=contract.pk)
    )


def _require_state(contract: Contract, *states: str) -> None:
    if contract.state not in states:
        allowed = "、".join(str(S(s).label) for s in states)
        raise ValidationError(
            _("合同 %(number)s 当前状态为“%(state)s”，此操作仅限“%(allowed)s”。")
            % {"number": contract.number, "state": contract.get_state_display(), "allowed": allowed}
        )


def _require_holder(actor: User | None, contract: Contract) -> None:
    if actor is None or actor.is_superuser:
        return
    if actor.role != User.Role.ENTERPRISE or actor.enterprise_id != contract.enterprise_id:
        raise PermissionDenied(_("只有土地使用权人可以办理此事项。"))


def _require_district(actor: User | None, contract: Contract) -> None:
    if actor is None or actor.is_superuser:
        return
    district = contract.parcel.district
    if actor.role == User.Role.DISTRICT and actor.district_id == district.pk:
        return
    if actor.role == User.Role.CITY and actor.jurisdiction_id == district.jurisdiction_id:
        return
    raise PermissionDenied(_("只有地块所在区（或本市）的工作人员可以办理此事项。"))


def _record(contract, *, action, title, actor, state_from="", reason="", rule="", on=None) -> ContractEvent:
    event = ContractEvent(
        contract=contract,
        action=action,
        title=title,
        state_from=state_from,
        state_to=contract.state,
        rule=rule,
        actor=actor if actor and actor.pk else None,
        reason=reason,
        occurred_on=_today(on),
    )
    event.full_clean()
    event.save()
    return event


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _save(contract: Contract) -> None:
    contract.full_clean()
    contract.save()


def contract_recompute(contract: Contract) -> None:
    """Set the contract's stored money (yuan) and table-C dates from rules.py and its rule set.

    Does not save. Raises ValidationError naming the rule when the terms break R11.
    Rules R11, R13–R16, R18, R19, R21.
    """
    params = contract.rule_set.parameters()
    try:
        quote = rules.lease_quote(
            base_price=contract.base_price,
            lease_years=contract.lease_years,
            transfer_years=contract.transfer_years,
            params=params,
            land_source=contract.land_source,
            lease_start=contract.lease_start,
            extension_approval=contract.extension_approval,
            renewal_years=contract.renewal_years,
        )
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    contract.base_price = quote.base_price
    contract.lease_rent = quote.lease_rent
    contract.deposit = quote.deposit
    contract.annual_rent = quote.annual_rent
    contract.transfer_price = quote.transfer_price
    contract.lease_end = quote.lease_end
    contract.assessment_application_due = quote.assessment_application_due
    contract.renewal_application_due = quote.renewal_application_due
    contract.transfer_term_start = quote.transfer_term_start
    contract.transfer_term_end = quote.transfer_term_end
    if contract.notice_date:
        contract.transfer_application_due = rules.transfer_application_due(
            notice_date=contract.notice_date, params=params
        )


@transaction.atomic
def contract_award(
    *,
    actor: User | None,
    parcel: Parcel,
    enterprise: Enterprise,
    base_price: Decimal,
    lease_years: int,
    transfer_years: int,
    lease_start: datetime.date,
    award_method: str,
    award_reference: str,
    number: str,
    extension_approval: str = "",
    is_demo: bool = False,
) -> Contract:
    """Return a new contract in state “awarded” with its rent, deposit (= rent), annual rent,
    transfer price (yuan) and table-C dates computed.

    The rule set is the parcel's jurisdiction's in force on lease_start (R25); land source comes
    from the parcel. Raises ValidationError naming the rule when: the jurisdiction has no rule
    set (R25); the parcel is not supplied by lease-then-transfer; new land is not awarded by
    tender, auction or listing, or stock land by agreement lacks the approval (R12); the terms
    break R11 (an extension needs extension_approval, never past the statutory maximum).
    Rules R11–R16, R25, 北京市工业用地先租后让指导意见（试行） §三(三)(四).
    """
    parcel = Parcel.objects.select_for_update().select_related("district__jurisdiction").get(pk=parcel.pk)
    if actor is not None:
        _require_district(actor, Contract(parcel=parcel))
    if parcel.supply_method != SupplyMethod.LEASE_THEN_TRANSFER:
        raise ValidationError({"parcel": _("地块 %(code)s 的供应方式不是“先租后让”。") % {"code": parcel.code}})
    if parcel.lease_contracts.exclude(state__in=[S.EXITED, S.TERMINATED]).exists():
        raise ValidationError({"parcel": _("地块 %(code)s 已有在执行的先租后让合同。") % {"code": parcel.code}})
    if parcel.land_source == LandSource.NEW and award_method == AwardMethod.AGREEMENT:
        raise ValidationError({"award_method": _("新增工业用地须以招标、拍卖或挂牌方式确定竞得人（R12）。")})
    if not award_reference.strip():
        raise ValidationError({"award_reference": _("须填写成交确认书编号（新增）或区政府批准文件编号（存量协议）（R12）。")})
    try:
        rule_set = selectors.rule_set_effective(jurisdiction=parcel.district.jurisdiction, on=lease_start)
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    contract = Contract(
        number=number,
        parcel=parcel,
        enterprise=enterprise,
        rule_set=rule_set,
        land_source=parcel.land_source,
        award_method=award_method,
        award_reference=award_reference.strip(),
        base_price=base_price,
        lease_years=lease_years,
        transfer_years=transfer_years,
        extension_approval=extension_approval.strip(),
        lease_start=lease_start,
        state=S.AWARDED,
        is_demo=is_demo,
    )
    contract_recompute(contract)
    _save(contract)
    rule = "R12, R13, " + ("R16" if contract.land_source == LandSource.STOCK else "R14, R15")
    _record(
        contract,
        action="award",
        title=_("成交：%(method)s，%(ref)s；保证金 %(deposit)s 元转为租赁期租金")
        % {"method": contract.get_award_method_display(), "ref": contract.award_reference, "deposit": _yuan(contract.deposit)},
        actor=actor,
        rule=rule + (f", R11 延长（{contract.extension_approval}）" if contract.extension_approval else ""),
        # An award is recorded on or before the lease starts (contracts entered afterwards).
        on=min(timezone.localdate(), lease_start),
    )
    return contract


@transaction.atomic
def indicator_set(
    *, actor: User | None, contract: Contract, name: str, unit: str, direction: str, target: Decimal | None
) -> Indicator:
    """Return the performance-agreement indicator `name` of the contract, created or updated.

    Only before the assessment is applied for, by the district. Raises ValidationError (R17).
    Rule R17, 北京市工业用地先租后让指导意见（试行） §三(二)(三).
    """
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.AWARDED, S.LEASING)
    indicator = Indicator.objects.filter(contract=contract, name=name).first() or Indicator(
        contract=contract, name=name, sort_order=contract.indicators.count()
    )
    indicator.unit = unit
    indicator.direction = direction
    indicator.target = target
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def contract_start_lease(
    *, actor: User | None, contract: Contract, agreement_reference: str, on: datetime.date | None = None
) -> Contract:
    """Return the contract moved awarded → leasing once the performance agreement is signed.

    Raises ValidationError when no indicator is set (R17) or the reference is missing.
    Rule R17, 北京市工业用地先租后让指导意见（试行） §三(三).
    """
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.AWARDED)
    if not agreement_reference.strip():
        raise ValidationError({"agreement_reference": _("须填写履约监管协议编号（R17）。")})
    if not contract.indicators.exists():
        raise ValidationError(_("履约监管协议至少要约定一项考核指标（R17）。"))
    state_from = contract.state
    contract.state = S.LEASING
    _save(contract)
    _record(contract, action="lease", title=_("签订履约监管协议（%(ref)s）和租赁合同，进入租赁期")
            % {"ref": agreement_reference.strip()}, actor=actor, state_from=state_from, rule="R17", on=on)
    return contract


@transaction.atomic
def indicator_report_submit(
    *, actor: User | None, indicator: Indicator, year: int, actual: Decimal, evidence=None, note: str = ""
) -> IndicatorReport:
    """Return the enterprise's report of `indicator` for `year` (created or replaced).

    Only the holder, during the lease and until the district decides. Raises ValidationError
    for a year outside the lease. Rule R17.
    """
    contract = _lock(indicator.contract)
    _require_holder(actor, contract)
    _require_state(contract, S.LEASING, S.RENEWAL_APPLIED, S.ASSESSMENT_APPLIED)
    if not contract.lease_start.year <= year <= contract.lease_end.year:
        raise ValidationError({"year": _("填报年度须在租赁期内（%(a)s–%(b)s）。") % {"a": contract.lease_start.year, "b": contract.lease_end.year}})
    report = IndicatorReport.objects.filter(indicator=indicator, year=year).first() or IndicatorReport(
        indicator=indicator, year=year
    )
    report.actual = actual
    report.note = note
    if evidence:
        report.evidence = evidence
    report.reported_by = actor if actor and actor.pk else None
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def assessment_apply(*, actor: User | None, contract: Contract, today: datetime.date | None = None) -> Assessment:
    """Return the Assessment created when the holder applies for assessment (leasing →
    assessment applied), with the system's proposed outcome from the reported values.

    Raises ValidationError with the date the window closed when today is after
    assessment_application_due (lease end − 6 months, R18).
    Rule R18, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder(actor, contract)
    _require_state(contract, S.LEASING)
    if today > contract.assessment_application_due:
        raise ValidationError(
            _("考核申请须在租赁期届满前至少 %(m)s 个月提出，申请期已于 %(due)s 截止（R18）。")
            % {"m": contract.rule_set.application_lead_months, "due": contract.assessment_application_due.isoformat()}
        )
    proposal = selectors.assessment_proposal(contract)
    assessment = Assessment(
        contract=contract,
        applied_on=today,
        applied_by=actor if actor and actor.pk else None,
        proposed_pass=rules.proposed_outcome([row["met"] for row in proposal]),
        results=proposal,
    )
    assessment.full_clean()
    assessment.save()
    state_from = contract.state
    contract.state = S.ASSESSMENT_APPLIED
    _save(contract)
    _record(contract, action="assessment_apply", title=_("提出考核申请"), actor=actor,
            state_from=state_from, rule="R18", on=today)
    return assessment


@transaction.atomic
def assessment_decide(
    *,
    actor: User | None,
    contract: Contract,
    passed: bool,
    notice_number: str,
    remarks: str = "",
    today: datetime.date | None = None,
) -> Assessment:
    """Return the decided Assessment: the district confirms (or overrides, with remarks) the
    proposed outcome; the written notice is dated today. Pass → state passed and the transfer
    application is due notice + 15 days (R19); fail → state failed, exit due by lease end (R20).

    Raises ValidationError when the decision comes after the lease end (R18), an override has
    no remarks, or the notice number is missing.
    Rules R18–R20, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.ASSESSMENT_APPLIED)
    if today > contract.lease_end:
        raise ValidationError(_("考核须在租赁期届满（%(end)s）前完成（R18）。") % {"end": contract.lease_end.isoformat()})
    if not notice_number.strip():
        raise ValidationError({"notice_number": _("须填写考核结果书面通知编号（R18）。")})
    assessment = contract.assessment
    proposal = selectors.assessment_proposal(contract)
    proposed = rules.proposed_outcome([row["met"] for row in proposal])
    if passed != proposed and not remarks.strip():
        raise ValidationError({"remarks": _("考核结论与系统建议不一致时，须填写考核意见说明理由（R17）。")})
    assessment.results = proposal
    assessment.proposed_pass = proposed
    assessment.passed = passed
    assessment.decided_on = today
    assessment.decided_by = actor if actor and actor.pk else None
    assessment.notice_number = notice_number.strip()
    assessment.remarks = remarks
    assessment.full_clean()
    assessment.save()
    state_from = contract.state
    contract.notice_date = today
    contract.state = S.PASSED if passed else S.FAILED
    contract_recompute(contract)
    _save(contract)
    if passed:
        title = _("考核通过，书面通知 %(n)s；须于 %(due)s 前申请签订出让合同") % {
            "n": assessment.notice_number, "due": contract.transfer_application_due.isoformat()}
        rule = "R18, R19"
    else:
        title = _("考核未通过，书面通知 %(n)s；须于租赁合同到期（%(end)s）前退出") % {
            "n": assessment.notice_number, "end": contract.lease_end.isoformat()}
        rule = "R18, R20"
    _record(contract, action="assessment_decide", title=title, actor=actor, state_from=state_from,
            reason=remarks, rule=rule, on=today)
    return assessment


@transaction.atomic
def transfer_apply(*, actor: User | None, contract: Contract, today: datetime.date | None = None) -> Contract:
    """Return the contract converted to a grant (state transferred): land price payable =
    base − rent paid (yuan), transfer term from the day after the lease ends.

    Raises ValidationError after notice + 15 days (R19).
    Rules R15/R16, R19, 北京市工业用地先租后让指导意见（试行） §三(四)(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder(actor, contract)
    _require_state(contract, S.PASSED)
    if today > contract.transfer_application_due:
        raise ValidationError(
            _("须在收到书面通知后 %(d)s 日内申请签订出让合同，期限已于 %(due)s 截止（R19），请联系区规划自然资源主管部门。")
            % {"d": contract.rule_set.transfer_application_days, "due": contract.transfer_application_due.isoformat()}
        )
    state_from = contract.state
    contract.state = S.TRANSFERRED
    _save(contract)
    _record(
        contract, action="transfer", actor=actor, state_from=state_from, on=today,
        rule="R15, R19" if contract.land_source == LandSource.NEW else "R16, R19",
        title=_("申请签订出让合同：地价款 %(price)s 元，出让期 %(a)s 至 %(b)s")
        % {"price": _yuan(contract.transfer_price), "a": contract.transfer_term_start.isoformat(), "b": contract.transfer_term_end.isoformat()},
    )
    return contract


@transaction.atomic
def renewal_apply(
    *, actor: User | None, contract: Contract, years: int, reason: str, today: datetime.date | None = None
) -> Renewal:
    """Return the pending Renewal: rent = average annual rent × years (yuan).

    Raises ValidationError after lease end − 6 months, for more years than the rule set allows
    (2), or without a reason. Rule R21, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder(actor, contract)
    _require_state(contract, S.LEASING)
    if today > contract.renewal_application_due:
        raise ValidationError(
            _("续租申请须在租赁期届满前 %(m)s 个月提出，申请期已于 %(due)s 截止（R21）。")
            % {"m": contract.rule_set.application_lead_months, "due": contract.renewal_application_due.isoformat()}
        )
    try:
        rules.check_renewal(renewal_years=years, params=contract.rule_set.parameters())
        rules.check_terms(
            lease_years=contract.lease_years + contract.renewal_years + years,
            transfer_years=contract.transfer_years,
            params=contract.rule_set.parameters(),
            extension_approval=contract.extension_approval or "R21",
        )
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    if not reason.strip():
        raise ValidationError({"reason": _("请说明续租的特殊情况（R21）。")})
    renewal = Renewal(
        contract=contract, years=years, reason=reason.strip(), applied_on=today,
        rent=rules.renewal_rent(annual_rent_amount=contract.annual_rent, renewal_years=years),
        previous_lease_end=contract.lease_end,
    )
    renewal.full_clean()
    renewal.save()
    state_from = contract.state
    contract.state = S.RENEWAL_APPLIED
    _save(contract)
    _record(contract, action="renewal_apply", actor=actor, state_from=state_from, reason=reason, rule="R21", on=today,
            title=_("申请续租 %(y)s 年，续租租金 %(rent)s 元") % {"y": years, "rent": _yuan(renewal.rent)})
    return renewal


@transaction.atomic
def renewal_decide(
    *, actor: User | None, contract: Contract, approved: bool, approval_reference: str = "",
    reason: str = "", today: datetime.date | None = None,
) -> Renewal:
    """Return the decided Renewal. Approved: the lease end and every deadline move by the
    renewal years (recomputed from rules.py) and the renewal rent is added; back to leasing.

    Raises ValidationError when approved without a reference. Rule R21.
    """
    today = _today(today)
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.RENEWAL_APPLIED)
    renewal = contract.renewals.filter(approved__isnull=True).latest("id")
    if approved and not approval_reference.strip():
        raise ValidationError({"approval_reference": _("批准续租须填写区政府批准文号（R21）。")})
    renewal.approved = approved
    renewal.decided_on = today
    renewal.approval_reference = approval_reference.strip()
    renewal.full_clean()
    renewal.save()
    state_from = contract.state
    contract.state = S.LEASING
    if approved:
        contract.renewal_years += renewal.years
        contract.renewal_rent += renewal.rent
        contract_recompute(contract)
        title = _("批准续租 %(y)s 年（%(ref)s）：租赁期延至 %(end)s，考核申请截止 %(due)s") % {
            "y": renewal.years, "ref": renewal.approval_reference, "end": contract.lease_end.isoformat(),
            "due": contract.assessment_application_due.isoformat()}
    else:
        title = _("不予续租")
    _save(contract)
    _record(contract, action="renewal_decide", actor=actor, state_from=state_from, reason=reason, rule="R21",
            title=title, on=today)
    return renewal


@transaction.atomic
def exit_apply(
    *, actor: User | None, contract: Contract, exit_date: datetime.date, reason: str,
    today: datetime.date | None = None,
) -> ExitRecord:
    """Return the ExitRecord of a voluntary exit (R23) applied for by the holder, with the rent
    refund for the remaining lease days previewed (no penalty yet; the district settles).

    Raises ValidationError for an exit date outside the lease or in the past. Rule R23.
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder(actor, contract)
    _require_state(contract, S.LEASING)
    if exit_date < today:
        raise ValidationError({"exit_date": _("退出日期不能早于今天。")})
    record = ExitRecord(contract=contract, kind=ExitRecord.Kind.VOLUNTARY, reason=reason.strip(),
                        applied_on=today, exit_date=exit_date)
    _apply_settlement(record, contract)
    record.full_clean()
    record.save()
    state_from = contract.state
    contract.state = S.EXIT_APPLIED
    _save(contract)
    _record(contract, action="exit_apply", actor=actor, state_from=state_from, reason=reason, rule="R23", on=today,
            title=_("申请退还租赁土地使用权，拟于 %(d)s 退出") % {"d": exit_date.isoformat()})
    return record


def _apply_settlement(record: ExitRecord, contract: Contract) -> None:
    try:
        settlement = rules.exit_settlement(
            rent_paid=contract.lease_rent + contract.renewal_rent,
            lease_start=contract.lease_start,
            lease_end=contract.lease_end,
            exit_date=record.exit_date,
            penalty=record.penalty,
            replacement_cost=record.replacement_cost,
            newness=record.newness,
            demolition_charge=record.demolition_charge,
            ecological_damage=record.ecological_damage,
        )
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    record.remaining_rent = settlement.remaining_rent
    record.rent_refund = settlement.rent_refund
    record.building_compensation = settlement.building_compensation
    record.net_payable_to_holder = settlement.net_payable_to_holder


@transaction.atomic
def exit_complete(
    *,
    actor: User | None,
    contract: Contract,
    exit_date: datetime.date | None = None,
    penalty: Decimal = Decimal("0"),
    replacement_cost: Decimal = Decimal("0"),
    newness: Decimal = Decimal("0"),
    demolition_charge: Decimal = Decimal("0"),
    ecological_damage: Decimal = Decimal("0"),
    reason: str = "",
    today: datetime.date | None = None,
) -> ExitRecord:
    """Return the settled ExitRecord when the district recovers the land (state exited) and the
    title is deregistered: after a failed assessment (R20, by lease end) or a voluntary exit
    (R23: refund of the remaining rent − penalty, buildings at replacement cost × newness,
    demolition and ecological damage charged).

    Raises ValidationError for an exit date after the lease end or newness outside 0–1.
    Rules R20, R23, 北京市工业用地先租后让指导意见（试行） §三(五)(七).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.FAILED, S.EXIT_APPLIED)
    record = ExitRecord.objects.filter(contract=contract).first()
    if record is None:
        record = ExitRecord(contract=contract, kind=ExitRecord.Kind.FAILED, applied_on=today,
                            exit_date=exit_date or today)
    if exit_date:
        record.exit_date = exit_date
    if record.exit_date > contract.lease_end:
        raise ValidationError({"exit_date": _("须在租赁合同到期（%(end)s）前完成退出（R20）。") % {"end": contract.lease_end.isoformat()}})
    record.penalty = rules.money(penalty)
    record.replacement_cost = rules.money(replacement_cost)
    record.newness = Decimal(newness)
    record.demolition_charge = rules.money(demolition_charge)
    record.ecological_damage = rules.money(ecological_damage)
    if record.kind == ExitRecord.Kind.VOLUNTARY:
        _apply_settlement(record, contract)
    record.completed_on = today
    record.title_deregistered = True
    record.full_clean()
    record.save()
    state_from = contract.state
    contract.state = S.EXITED
    contract.exit_date = record.exit_date
    _save(contract)
    if record.kind == ExitRecord.Kind.VOLUNTARY:
        title = _("收回土地使用权并注销登记；应付土地使用权人净额 %(net)s 元") % {"net": _yuan(record.net_payable_to_holder)}
        rule = "R23"
    else:
        title = _("考核未通过，收回土地使用权并注销不动产登记")
        rule = "R20"
    _record(contract, action="exit", actor=actor, state_from=state_from, reason=reason, rule=rule, title=title, on=today)
    return record


@transaction.atomic
def violation_record(
    *, actor: User | None, contract: Contract, kind: str, found_on: datetime.date, description: str,
    disposal: str, serious: bool = False,
) -> Violation:
    """Return the recorded Violation (R22) with the disposal decided; a serious case ends the
    lease (state terminated, land recovered).

    Raises ValidationError for a closed contract or missing description/disposal.
    Rule R22, 北京市工业用地先租后让指导意见（试行） §三(六).
    """
    contract = _lock(contract)
    _require_district(actor, contract)
    if contract.is_closed:
        raise ValidationError(_("合同已结束，不能再登记违约。"))
    violation = Violation(contract=contract, kind=kind, found_on=found_on, description=description.strip(),
                          disposal=disposal.strip(), serious=serious, recorded_by=actor if actor and actor.pk else None)
    violation.full_clean()
    violation.save()
    state_from = contract.state
    if serious:
        contract.state = S.TERMINATED
        _save(contract)
    _record(contract, action="violation", actor=actor, state_from=state_from, reason=disposal, rule="R22", on=found_on,
            title=_("违约：%(kind)s%(end)s") % {"kind": violation.get_kind_display(), "end": _("，情节严重，解除合同、收回土地") if serious else ""})
    return violation


# --- reminders (table C) -------------------------------------------------------------------

# Who is reminded of each deadline: (enterprise, district staff) — DOMAIN.md table C.
_AUDIENCE = {
    DeadlineKind.ASSESSMENT_APPLICATION: (True, True),
    DeadlineKind.RENEWAL_APPLICATION: (True, False),
    DeadlineKind.ASSESSMENT_DECISION: (False, True),
    DeadlineKind.TRANSFER_APPLICATION: (True, True),
    DeadlineKind.EXIT: (True, True),
}
_RULE = {
    DeadlineKind.ASSESSMENT_APPLICATION: "R18",
    DeadlineKind.RENEWAL_APPLICATION: "R21",
    DeadlineKind.ASSESSMENT_DECISION: "R18",
    DeadlineKind.TRANSFER_APPLICATION: "R19",
    DeadlineKind.EXIT: "R20",
}


def reminder_sweep(*, today: datetime.date | None = None, connection=None) -> list[dict]:
    """Return what this sweep sent: one dict per reminder (contract number, kind, due date,
    lead days, recipients).

    Finds due reminders with one query (selectors.reminder_due_list), claims each
    (contract, deadline, due date, lead time) with a unique row and a conditional UPDATE before
    sending, so two sweeps or two workers never send the same reminder twice; a failed e-mail
    releases its claim and is retried by the next sweep. Sends e-mail (Django mail) and an
    in-app Notification to the people table C names. Bounded number of queries.
    Not atomic on purpose: claims must be committed before sending.
    Table C, rules R18–R21.
    """
    today = _today(today)
    due = selectors.reminder_due_list(today=today)
    if not due:
        return []
    by_key = {(d.contract.pk, d.kind, d.due, d.lead_days): d for d in due}
    ReminderDelivery.objects.bulk_create(
        [ReminderDelivery(contract_id=c, kind=k, due_date=dd, lead_days=lead) for (c, k, dd, lead) in by_key],
        ignore_conflicts=True,
        batch_size=1000,
    )
    token = uuid.uuid4()
    now = timezone.now()
    contract_ids = sorted({key[0] for key in by_key})
    low, high = min(k[2] for k in by_key), max(k[2] for k in by_key)
    for start in range(0, len(contract_ids), CLAIM_CHUNK):
        # The conditional UPDATE is the claim: a concurrent sweep's UPDATE waits for the row
        # lock, then re-checks the WHERE clause and skips what the other one took.
        ReminderDelivery.objects.filter(
            contract_id__in=contract_ids[start : start + CLAIM_CHUNK],
            sent_at__isnull=True,
            due_date__range=(low, high),
        ).filter(Q(claim_token__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)).update(
            claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    claimed, not_due = [], []
    for row in ReminderDelivery.objects.filter(claim_token=token, sent_at__isnull=True):
        key = (row.contract_id, row.kind, row.due_date, row.lead_days)
        if key in by_key:
            claimed.append(row)
        else:
            not_due.append(row.pk)
    if not_due:
        # Rows of keys not due today (an earlier failure of a lead time now passed): release.
        ReminderDelivery.objects.filter(pk__in=not_due, claim_token=token).update(
            claim_token=None, claimed_at=None, attempts=F("attempts") - 1
        )
    if not claimed:
        return []

    contracts = {d.contract.pk: d.contract for d in due}
    enterprise_ids = {c.enterprise_id for c in contracts.values()}
    district_ids = {c.parcel.district_id for c in contracts.values()}
    users = User.objects.filter(is_active=True).filter(
        Q(role=User.Role.ENTERPRISE, enterprise_id__in=enterprise_ids)
        | Q(role=User.Role.DISTRICT, district_id__in=district_ids)
    )
    enterprise_users, district_users = {}, {}
    for user in users:
        if user.role == User.Role.ENTERPRISE:
            enterprise_users.setdefault(user.enterprise_id, []).append(user)
        else:
            district_users.setdefault(user.district_id, []).append(user)

    connection = connection or get_connection()
    sent, notifications, results = [], [], []
    for row in claimed:
        contract = contracts[row.contract_id]
        to_enterprise, to_district = _AUDIENCE[row.kind]
        people = (enterprise_users.get(contract.enterprise_id, []) if to_enterprise else []) + (
            district_users.get(contract.parcel.district_id, []) if to_district else []
        )
        addresses = [u.email for u in people if u.email]
        if to_enterprise and contract.enterprise.contact_email:
            addresses.append(contract.enterprise.contact_email)
        addresses = list(dict.fromkeys(addresses))
        title, body = _reminder_text(contract, row)
        try:
            if addresses:
                EmailMessage(subject=title, body=body, to=addresses, connection=connection).send()
        except Exception as exc:  # noqa: BLE001 - any transport error: release and retry later
            logger.warning("reminder %s failed: %s", row.pk, exc)
            ReminderDelivery.objects.filter(pk=row.pk, claim_token=token).update(
                claim_token=None, claimed_at=None, last_error=str(exc)[:1000]
            )
            continue
        url = reverse("assessments:contract_detail", args=[contract.pk])
        notifications += [Notification(recipient=u, title=title, body=body, url=url) for u in people]
        row.recipients = ", ".join(addresses or [u.username for u in people])
        sent.append(row)
        results.append({
            "contract": contract.number,
            "contract_id": contract.pk,
            "kind": row.kind,
            "due_date": row.due_date.isoformat(),
            "lead_days": row.lead_days,
            "recipients": addresses or [u.username for u in people],
        })
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, batch_size=1000)
        sent_at = timezone.now()
        for row in sent:
            row.sent_at = sent_at
        ReminderDelivery.objects.bulk_update(sent, ["sent_at", "recipients"], batch_size=1000)
    return results


def _reminder_text(contract: Contract, row: ReminderDelivery) -> tuple[str, str]:
    label = DeadlineKind(row.kind).label
    when = _("已逾期") if row.lead_days == 0 else _("提前 %(d)s 天提醒") % {"d": row.lead_days}
    title = _("【%(rule)s】%(number)s %(label)s：%(due)s（%(when)s）") % {
        "rule": _RULE[row.kind], "number": contract.number, "label": label,
        "due": row.due_date.isoformat(), "when": when}
    body = _("合同 %(number)s（地块 %(parcel)s，%(enterprise)s）的“%(label)s”日期为 %(due)s，依据规则 %(rule)s"
             "（北京市工业用地先租后让指导意见（试行））。请登录系统办理。") % {
        "number": contract.number, "parcel": contract.parcel.name, "enterprise": contract.enterprise.name,
        "label": label, "due": row.due_date.isoformat(), "rule": _RULE[row.kind]}
    return title, body
