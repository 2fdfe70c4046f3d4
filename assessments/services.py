"""Every write to lease-then-transfer contracts: award, lease, assessment, transfer, renewal,
exit, violations, and the claim-once reminder sweep.

Each transition locks the contract row first (then its own rows: the project's one lock order,
landsupply.locking), checks its state, the actor and the rule, and records a ContractEvent (who,
when, why) for the timeline. Rule breaches raise django ValidationError whose message names the
rule; nothing is changed then. Of two transitions of one contract at the same moment, the second
waits for the first and is refused by its state check with a message saying so.
Source: 北京市工业用地先租后让指导意见（试行）(2024-02-18), DOMAIN.md R11–R25 and table C.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from assessments import rules, selectors
from assessments.models import (
    REMINDED_DEADLINE,
    Assessment,
    AssessmentTemplate,
    AwardMethod,
    Contract,
    ContractEvent,
    DeadlineKind,
    ExitRecord,
    Indicator,
    IndicatorKind,
    IndicatorReport,
    LeaseRuleSet,
    ReminderDelivery,
    Renewal,
    Violation,
)
from landsupply import notify, workdays
from landsupply.claims import rows_source
from landsupply.leads import parse_lead_days
from landsupply.locking import lock, refuse_duplicate
from landsupply.models import Enterprise, Notification, User
from parcels.models import LandSource, Parcel, SupplyMethod

logger = logging.getLogger(__name__)

S = Contract.State
# A claim older than this whose send never finished (worker killed) may be claimed again.
STALE_CLAIM = timedelta(minutes=15)


def _violation(exc: rules.RuleViolation) -> ValidationError:
    if exc.field:
        return ValidationError({exc.field: exc.message})
    return ValidationError(exc.message)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _lock(contract: Contract) -> Contract:
    """The contract row locked (landsupply.locking), its rule set, parcel, district and
    enterprise read along (not locked)."""
    return lock(
        Contract.objects.select_related("rule_set", "parcel", "parcel__district", "enterprise"),
        contract.pk,
    )


def _require_state(contract: Contract, *states: str) -> None:
    if contract.state not in states:
        allowed = "、".join(str(S(s).label) for s in states)
        raise ValidationError(
            _(
                "合同 %(number)s 当前状态为“%(state)s”（可能刚被其他人办理），此操作仅限"
                "“%(allowed)s”，未作任何更改。"
            )
            % {"number": contract.number, "state": contract.get_state_display(), "allowed": allowed}
        )


def _require_holder(actor: User | None, contract: Contract) -> None:
    """Only the holder's users act for the holder (actor None: the system, e.g. seed_demo)."""
    if actor is None:
        return
    if actor.role != User.Role.ENTERPRISE or actor.enterprise_id != contract.enterprise_id:
        raise PermissionDenied(_("只有土地使用权人可以办理此事项。"))


def _require_district(actor: User | None, contract: Contract) -> None:
    """Only staff of the parcel's district act for the district (R17–R23 name the district);
    city staff and the platform administrator do not (actor None: the system)."""
    if actor is None:
        return
    if actor.role == User.Role.DISTRICT and actor.district_id == contract.parcel.district_id:
        return
    raise PermissionDenied(_("只有地块所在区的工作人员可以办理此事项。"))


def _record(
    contract, *, action, title, actor, state_from="", reason="", rule="", on=None
) -> ContractEvent:
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


def _move(contract: Contract, *, to: str, **event) -> ContractEvent:
    """Move `contract` to state `to`, save it and record the transition (who, when, why)."""
    state_from = contract.state
    contract.state = to
    _save(contract)
    return _record(contract, state_from=state_from, **event)


def _notify_contract(contract: Contract, message: str, *, to_district: bool, **params) -> None:
    """Tell who must act next on `contract` (after the commit, landsupply.notify): the
    parcel's district staff (`to_district`) or the holder's users. `params` add to the
    contract's number, parcel, enterprise and the date that bounds the next step."""
    if to_district:
        recipients = notify.district_staff(contract.parcel.district_id)
    else:
        recipients = notify.enterprise_users(contract.enterprise_id)
    due = contract.lease_end
    notify.notify(
        recipients=recipients,
        message=message,
        params={
            "number": contract.number,
            "parcel": contract.parcel.name,
            "enterprise": contract.enterprise.name,
            "due": due.isoformat() if due else "",
            **params,
        },
        url=reverse("assessments:contract_detail", args=[contract.pk]),
    )


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _save(contract: Contract) -> None:
    contract.full_clean()
    contract.save()


def contract_parameters(contract: Contract) -> rules.LeaseParameters:
    """Return the rule parameters of `contract`: its rule set's, with the statutory maximum term
    of its parcel's land use (R11, 城镇国有土地使用权出让和转让暂行条例 第十二条).

    Raises ValidationError (R11) when no statutory maximum is entered for the land use.
    """
    try:
        years = selectors.statutory_max_years(category=contract.parcel.category)
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    return contract.rule_set.parameters(statutory_max_years=years)


def contract_quote(
    contract: Contract, *, params: rules.LeaseParameters, period_end: rules.PeriodEnd
) -> rules.Quote:
    """Return rules.lease_quote of the contract's terms (approved renewals included); reads and
    writes nothing (the land source changes only the rule ids, not a figure). Raises
    rules.RuleViolation when the terms break R11/R21."""
    return rules.lease_quote(
        base_price=contract.base_price,
        lease_years=contract.lease_years,
        transfer_years=contract.transfer_years,
        params=params,
        lease_start=contract.lease_start,
        extension_approval=contract.extension_approval,
        renewed_years=contract.renewal_years,
        period_end=period_end,
    )


def contract_recompute(contract: Contract, params: rules.LeaseParameters | None = None) -> None:
    """Set the contract's stored money (yuan) and table-C dates from rules.py and its rule set.

    Action deadlines that end on a rest day move to the next working day (landsupply.workdays,
    民法典 第二百零三条). The transfer application is due 15 days from the day the holder received
    the written notice (until that is recorded, from the notice date).
    Does not save. Raises ValidationError naming the rule when the terms break R11/R21.
    Rules R11, R13–R16, R18, R19, R21.
    """
    params = params or contract_parameters(contract)
    try:
        quote = contract_quote(contract, params=params, period_end=workdays.deadline)
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
    contract.registration_due = quote.registration_due
    notified = contract.notice_received_on or contract.notice_date
    if notified:
        contract.transfer_application_due = rules.transfer_application_due(
            notice_date=notified, params=params, period_end=workdays.deadline
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
    award_date: datetime.date | None = None,
    extension_approval: str = "",
    is_demo: bool = False,
    today: datetime.date | None = None,
) -> Contract:
    """Return a new contract in state “awarded” with its rent, deposit (= rent), annual rent,
    transfer price (yuan) and table-C dates computed, and the district's assessment template
    (if it has one) as its performance-agreement indicators.

    The rule set is the parcel's jurisdiction's in force on award_date — the date of the
    confirmation of the transaction (成交确认书) or of the district's approval (stock land), which
    defaults to lease_start (R25). Land source comes from the parcel. Raises ValidationError
    naming the rule when: no rule set governs the award date (R25); the parcel is not supplied
    by lease-then-transfer or its land use is outside the rule set's scope (§二 适用范围); the
    award date is in the future or after the lease start; new land is not awarded by tender,
    auction or listing, or stock land by agreement lacks the approval (R12); the terms break
    R11 (an extension needs extension_approval — the city government's approval reference, kept
    on the contract — and never passes the land use's statutory maximum).
    Rules R11–R16, R17, R25, 北京市工业用地先租后让指导意见（试行） §二、§三(三)(四).
    """
    today = _today(today)
    award_date = award_date or lease_start
    parcel = lock(Parcel.objects.select_related("district__jurisdiction", "category"), parcel.pk)
    if actor is not None:
        _require_district(actor, Contract(parcel=parcel))
    if parcel.supply_method != SupplyMethod.LEASE_THEN_TRANSFER:
        raise ValidationError(
            {"parcel": _("地块 %(code)s 的供应方式不是“先租后让”。") % {"code": parcel.code}}
        )
    if parcel.lease_contracts.exclude(state__in=[S.EXITED, S.TERMINATED]).exists():
        raise ValidationError(
            {"parcel": _("地块 %(code)s 已有在执行的先租后让合同。") % {"code": parcel.code}}
        )
    if parcel.land_source == LandSource.NEW and award_method == AwardMethod.AGREEMENT:
        raise ValidationError(
            {"award_method": _("新增工业用地须以招标、拍卖或挂牌方式确定竞得人（R12）。")}
        )
    if not award_reference.strip():
        raise ValidationError(
            {
                "award_reference": _(
                    "须填写成交确认书编号（新增）或区政府批准文件编号（存量协议）（R12）。"
                )
            }
        )
    if award_date > today:
        raise ValidationError({"award_date": _("成交（批准）日期不能晚于今天。")})
    if lease_start < award_date:
        raise ValidationError(
            {
                "lease_start": _("租赁起始日不能早于成交确认书（批准）日期 %(d)s（R12）。")
                % {"d": award_date.isoformat()}
            }
        )
    try:
        rule_set = selectors.rule_set_effective(
            jurisdiction=parcel.district.jurisdiction, on=award_date
        )
        rules.check_land_use(
            covered=selectors.rule_set_covers(rule_set=rule_set, category=parcel.category),
            land_use=parcel.category.name,
            rule_set=rule_set.name,
            covered_names="、".join(c.name for c in rule_set.land_use_categories.all()),
        )
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
        award_date=award_date,
        base_price=base_price,
        lease_years=lease_years,
        transfer_years=transfer_years,
        extension_approval=extension_approval.strip(),
        lease_start=lease_start,
        state=S.AWARDED,
        is_demo=is_demo,
    )
    contract_recompute(contract)
    with refuse_duplicate({"number": _("合同编号 %(n)s 已存在。") % {"n": number}}):
        _save(contract)
    rule = "R12, R13, " + ("R16" if contract.land_source == LandSource.STOCK else "R14, R15")
    title = _("成交：%(method)s，%(ref)s；保证金 %(deposit)s 元转为租赁期租金") % {
        "method": contract.get_award_method_display(),
        "ref": contract.award_reference,
        "deposit": _yuan(contract.deposit),
    }
    reason = ""
    if contract.extension_approval:
        # The approval is the contract's (extension_approval) and the event's reason; the
        # event's rule field holds rule ids only.
        rule += ", R11"
        reason = _("重大项目经市政府批准延长年期：%(ref)s") % {"ref": contract.extension_approval}
    _record(
        contract,
        action="award",
        title=title,
        actor=actor,
        rule=rule,
        reason=reason,
        on=award_date,
    )
    template = selectors.assessment_template_list(district=parcel.district).first()
    if template is not None:
        _apply_template(contract, template)
    return contract


@transaction.atomic
def indicator_set(
    *,
    actor: User | None,
    contract: Contract,
    name: str,
    unit: str,
    direction: str,
    target: Decimal | None,
    kind: str = IndicatorKind.OTHER,
) -> Indicator:
    """Return the performance-agreement indicator `name` of the contract, created or updated,
    with its kind (one of the kinds the guidance names, or other).

    Only before the assessment is applied for, by the district. Raises ValidationError (R17).
    Rule R17, 北京市工业用地先租后让指导意见（试行） §三(二)(三).
    """
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.AWARDED, S.LEASING)
    indicator = Indicator.objects.filter(contract=contract, name=name).first() or Indicator(
        contract=contract, name=name, sort_order=contract.indicators.count()
    )
    indicator.kind = kind
    indicator.unit = unit
    indicator.direction = direction
    indicator.target = target
    indicator.full_clean()
    indicator.save()
    return indicator


def _apply_template(contract: Contract, template: AssessmentTemplate) -> list[Indicator]:
    """Create or update the contract's indicators from the template's items (by name)."""
    existing = {i.name: i for i in contract.indicators.all()}
    result = []
    for order, item in enumerate(template.items.all(), start=len(existing)):
        indicator = existing.get(item.name) or Indicator(
            contract=contract, name=item.name, sort_order=order
        )
        indicator.kind = item.kind
        indicator.unit = item.unit
        indicator.direction = item.direction
        indicator.target = item.target
        indicator.full_clean()
        indicator.save()
        result.append(indicator)
    return result


@transaction.atomic
def indicators_apply_template(
    *, actor: User | None, contract: Contract, template: AssessmentTemplate
) -> list[Indicator]:
    """Return the contract's indicators after setting those of the district's assessment
    template (各区应拟定…考核条件): each item creates or updates the indicator of that name.

    Only by the district, before the assessment is applied for. Raises ValidationError when the
    template is not one of the contract's district. Rule R17, §三(二).
    """
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.AWARDED, S.LEASING)
    if template.district_id != contract.parcel.district_id:
        raise ValidationError(
            {
                "template": _("只能使用地块所在区（%(d)s）的考核标准（R17）。")
                % {"d": contract.parcel.district}
            }
        )
    indicators = _apply_template(contract, template)
    _record(
        contract,
        action="indicators",
        title=_("按区考核标准“%(name)s”设定考核指标 %(n)s 项")
        % {"name": template.name, "n": len(indicators)},
        actor=actor,
        rule="R17",
    )
    return indicators


@transaction.atomic
def contract_start_lease(
    *,
    actor: User | None,
    contract: Contract,
    agreement_reference: str,
    on: datetime.date | None = None,
) -> Contract:
    """Return the contract moved awarded → leasing once the performance agreement is signed.

    Raises ValidationError when the reference is missing or the indicators do not cover every
    kind the rule set requires (the guidance names eight: 产业类型、投资强度、产出效率（含地均
    产出）、税收、创新能力、节能环保、地区贡献率、本地就业人口), naming the missing kinds; with no
    kinds required, at least one indicator.
    Rule R17, 北京市工业用地先租后让指导意见（试行） §三(二)(三).
    """
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.AWARDED)
    if not agreement_reference.strip():
        raise ValidationError({"agreement_reference": _("须填写履约监管协议编号（R17）。")})
    kinds = list(contract.indicators.values_list("kind", flat=True))
    if not kinds:
        raise ValidationError(_("履约监管协议至少要约定一项考核指标（R17）。"))
    missing = rules.missing_indicator_kinds(
        required=contract.rule_set.indicator_kinds, present=kinds
    )
    if missing:
        raise ValidationError(
            _("履约监管协议的考核指标还缺少以下类别：%(kinds)s（R17，%(rules)s）。")
            % {
                "kinds": "、".join(str(IndicatorKind(k).label) for k in missing),
                "rules": contract.rule_set.name,
            }
        )
    _move(
        contract,
        to=S.LEASING,
        action="lease",
        title=_("签订履约监管协议（%(ref)s）和租赁合同，进入租赁期")
        % {"ref": agreement_reference.strip()},
        actor=actor,
        rule="R17",
        on=on,
    )
    return contract


@transaction.atomic
def indicator_report_submit(
    *,
    actor: User | None,
    indicator: Indicator,
    year: int,
    actual: Decimal,
    evidence=None,
    note: str = "",
) -> IndicatorReport:
    """Return the enterprise's report of `indicator` for `year` (created or replaced).

    Only the holder, during the lease and until the district decides. Raises ValidationError
    for a year outside the lease. Rule R17.
    """
    contract = _lock(indicator.contract)
    _require_holder(actor, contract)
    _require_state(contract, S.LEASING, S.RENEWAL_APPLIED, S.ASSESSMENT_APPLIED)
    if not contract.lease_start.year <= year <= contract.lease_end.year:
        raise ValidationError(
            {
                "year": _("填报年度须在租赁期内（%(a)s–%(b)s）。")
                % {"a": contract.lease_start.year, "b": contract.lease_end.year}
            }
        )
    report = IndicatorReport.objects.filter(
        indicator=indicator, year=year
    ).first() or IndicatorReport(indicator=indicator, year=year)
    report.actual = actual
    report.note = note
    if evidence:
        report.evidence = evidence
    report.reported_by = actor if actor and actor.pk else None
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def assessment_apply(
    *, actor: User | None, contract: Contract, today: datetime.date | None = None
) -> Assessment:
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
            % {
                "m": contract.rule_set.application_lead_months,
                "due": contract.assessment_application_due.isoformat(),
            }
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
    _move(
        contract,
        to=S.ASSESSMENT_APPLIED,
        action="assessment_apply",
        title=_("提出考核申请"),
        actor=actor,
        rule="R18",
        on=today,
    )
    _notify_contract(contract, "assessment_applied", to_district=True)
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
        raise ValidationError(
            _("考核须在租赁期届满（%(end)s）前完成（R18）。")
            % {"end": contract.lease_end.isoformat()}
        )
    if not notice_number.strip():
        raise ValidationError({"notice_number": _("须填写考核结果书面通知编号（R18）。")})
    assessment = contract.assessment
    proposal = selectors.assessment_proposal(contract)
    proposed = rules.proposed_outcome([row["met"] for row in proposal])
    if passed != proposed and not remarks.strip():
        raise ValidationError(
            {"remarks": _("考核结论与系统建议不一致时，须填写考核意见说明理由（R17）。")}
        )
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
            "n": assessment.notice_number,
            "due": contract.transfer_application_due.isoformat(),
        }
        rule = "R18, R19"
    else:
        title = _("考核未通过，书面通知 %(n)s；须于租赁合同到期（%(end)s）前退出") % {
            "n": assessment.notice_number,
            "end": contract.lease_end.isoformat(),
        }
        rule = "R18, R20"
    _record(
        contract,
        action="assessment_decide",
        title=title,
        actor=actor,
        state_from=state_from,
        reason=remarks,
        rule=rule,
        on=today,
    )
    _notify_contract(
        contract,
        "assessment_decided",
        to_district=False,
        result=N_("通过") if passed else N_("未通过"),
        notice=assessment.notice_number,
        next=N_("请在收到书面通知后规定期限内申请签订出让合同并缴纳地价款（R19）。")
        if passed
        else N_("须在租赁期届满前退出，土地使用权由区收回（R20）。"),
    )
    return assessment


def _require_holder_or_district(actor: User | None, contract: Contract) -> None:
    try:
        _require_holder(actor, contract)
    except PermissionDenied:
        _require_district(actor, contract)


@transaction.atomic
def notice_receipt_record(
    *,
    actor: User | None,
    contract: Contract,
    received_on: datetime.date,
    today: datetime.date | None = None,
) -> Contract:
    """Return the contract with the day the holder received the written notice of a passed
    assessment; the transfer application is then due 15 days from that day (moved off a rest
    day). Recorded by the holder or the district (送达回证).

    Raises ValidationError for a day before the notice was issued or after today.
    Rule R19 "在收到书面通知15日内", 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder_or_district(actor, contract)
    _require_state(contract, S.PASSED)
    if received_on < contract.notice_date or received_on > today:
        raise ValidationError(
            {
                "received_on": _("收到通知日期须在书面通知日（%(n)s）至今天之间（R19）。")
                % {"n": contract.notice_date.isoformat()}
            }
        )
    contract.notice_received_on = received_on
    contract_recompute(contract)
    _save(contract)
    _record(
        contract,
        action="notice_receipt",
        title=_("收到考核通过的书面通知；须于 %(due)s 前申请签订出让合同")
        % {"due": contract.transfer_application_due.isoformat()},
        actor=actor,
        rule="R19",
        on=received_on,
    )
    return contract


@transaction.atomic
def transfer_apply(
    *, actor: User | None, contract: Contract, today: datetime.date | None = None
) -> Contract:
    """Return the contract whose holder applied in writing to sign the transfer (grant)
    contract (state transfer applied): land price payable = base − rent paid (yuan), transfer
    term from the day after the lease ends.

    Raises ValidationError after the day the application is due (15 days from receipt of the
    notice, moved off a rest day).
    Rules R15/R16, R19, 北京市工业用地先租后让指导意见（试行） §三(四)(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder(actor, contract)
    _require_state(contract, S.PASSED)
    if today > contract.transfer_application_due:
        raise ValidationError(
            _(
                "须在收到书面通知后 %(d)s 日内申请签订出让合同，期限已于 %(due)s 截止（R19），请联系区规划自然资源主管部门。"
            )
            % {
                "d": contract.rule_set.transfer_application_days,
                "due": contract.transfer_application_due.isoformat(),
            }
        )
    contract.transfer_applied_on = today
    _move(
        contract,
        to=S.TRANSFER_APPLIED,
        action="transfer",
        actor=actor,
        on=today,
        rule="R15, R19" if contract.land_source == LandSource.NEW else "R16, R19",
        title=_("申请签订出让合同：地价款 %(price)s 元，出让期 %(a)s 至 %(b)s")
        % {
            "price": _yuan(contract.transfer_price),
            "a": contract.transfer_term_start.isoformat(),
            "b": contract.transfer_term_end.isoformat(),
        },
    )
    _notify_contract(contract, "transfer_applied", to_district=True)
    return contract


@transaction.atomic
def transfer_contract_sign(
    *,
    actor: User | None,
    contract: Contract,
    contract_number: str,
    signed_on: datetime.date,
    today: datetime.date | None = None,
) -> Contract:
    """Return the contract with its transfer (grant) contract recorded by the district: number
    and signing day (state transfer signed). The grant term starts the day after the lease ends.

    Raises ValidationError without a number or for a day before the application or after
    today. It is due by the lease end (reminded, table C): the grant starts the day after.
    Rule R19 "签订出让合同…土地出让期限自租赁合同终止之日起计算", §三(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.TRANSFER_APPLIED)
    if not contract_number.strip():
        raise ValidationError({"contract_number": _("须填写出让合同编号（R19）。")})
    if not contract.transfer_applied_on <= signed_on <= today:
        raise ValidationError(
            {
                "signed_on": _("签订日期须在转出让申请日（%(a)s）至今天之间（R19）。")
                % {"a": contract.transfer_applied_on.isoformat()}
            }
        )
    contract.transfer_contract_number = contract_number.strip()
    contract.transfer_contract_signed_on = signed_on
    _move(
        contract,
        to=S.TRANSFER_SIGNED,
        action="transfer_contract",
        actor=actor,
        on=signed_on,
        rule="R19",
        title=_("签订出让合同 %(n)s，出让期 %(a)s 至 %(b)s")
        % {
            "n": contract.transfer_contract_number,
            "a": contract.transfer_term_start.isoformat(),
            "b": contract.transfer_term_end.isoformat(),
        },
    )
    _notify_contract(
        contract,
        "transfer_signed",
        to_district=False,
        grant=contract.transfer_contract_number,
        signed=signed_on.isoformat(),
    )
    return contract


@transaction.atomic
def land_price_pay(
    *,
    actor: User | None,
    contract: Contract,
    amount: Decimal,
    paid_on: datetime.date,
    receipt: str,
    today: datetime.date | None = None,
) -> Contract:
    """Return the contract with the land price payment recorded by the district (amount in
    yuan, day, receipt number; state transferred, title registration due).

    Raises ValidationError when the amount is not the land price payable (base − rent paid,
    R15/R16), the receipt is missing, or the day is before signing or after today.
    Rules R15/R16, R19 "签订出让合同并缴纳地价款", §三(四)(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.TRANSFER_SIGNED)
    amount = rules.money(amount)
    if amount != contract.transfer_price:
        raise ValidationError(
            {
                "amount": _("地价款应为 %(price)s 元（底价 − 租赁期已缴租金，%(rule)s）。")
                % {
                    "price": _yuan(contract.transfer_price),
                    "rule": "R16" if contract.land_source == LandSource.STOCK else "R15",
                }
            }
        )
    if not receipt.strip():
        raise ValidationError({"receipt": _("须填写地价款缴纳凭证号（R19）。")})
    if not contract.transfer_contract_signed_on <= paid_on <= today:
        raise ValidationError(
            {
                "paid_on": _("缴纳日期须在出让合同签订日（%(a)s）至今天之间（R19）。")
                % {"a": contract.transfer_contract_signed_on.isoformat()}
            }
        )
    contract.land_price_paid = amount
    contract.land_price_paid_on = paid_on
    contract.land_price_receipt = receipt.strip()
    _move(
        contract,
        to=S.TRANSFERRED,
        action="land_price",
        actor=actor,
        on=paid_on,
        rule="R15, R19" if contract.land_source == LandSource.NEW else "R16, R19",
        title=_("缴纳地价款 %(a)s 元（凭证 %(r)s）；租赁期届满后于 %(due)s 前办理不动产登记")
        % {
            "a": _yuan(amount),
            "r": contract.land_price_receipt,
            "due": contract.registration_due.isoformat(),
        },
    )
    return contract


@transaction.atomic
def title_register(
    *,
    actor: User | None,
    contract: Contract,
    registered_on: datetime.date,
    certificate_number: str,
    today: datetime.date | None = None,
) -> Contract:
    """Return the contract with the title registration of the grant recorded (state
    registered): the holder registers after the lease ends with the transfer contract, the
    land price receipt and tax receipts.

    Raises ValidationError for a registration on or before the lease's last day or after today,
    or without the certificate number.
    Rule R19 "在租赁期届满后…申请办理不动产登记", §三(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder_or_district(actor, contract)
    _require_state(contract, S.TRANSFERRED)
    opens = rules.registration_opens(lease_end=contract.lease_end)
    if not opens <= registered_on <= today:
        raise ValidationError(
            {
                "registered_on": _(
                    "不动产登记须在租赁期届满后办理：登记日期须在 %(a)s 至今天之间（R19）。"
                )
                % {"a": opens.isoformat()}
            }
        )
    if not certificate_number.strip():
        raise ValidationError({"certificate_number": _("须填写不动产权证书号（R19）。")})
    contract.title_registered_on = registered_on
    contract.title_certificate_number = certificate_number.strip()
    _move(
        contract,
        to=S.REGISTERED,
        action="title_registration",
        actor=actor,
        on=registered_on,
        rule="R19",
        title=_("办理不动产登记（%(n)s），转为出让完成") % {"n": contract.title_certificate_number},
    )
    return contract


@transaction.atomic
def renewal_apply(
    *,
    actor: User | None,
    contract: Contract,
    years: int,
    reason: str,
    today: datetime.date | None = None,
) -> Renewal:
    """Return the pending Renewal: rent = average annual rent × years (yuan).

    Raises ValidationError after the application is due (lease end − 6 months, moved off a rest
    day), for more years than one renewal may have, for a renewal after an approved one when the
    rule set does not allow renewals to follow each other, for renewals adding up to more than
    the rule set's total (续租期限原则上不超过2年 is the lease's total), past the land use's
    statutory maximum, or without a reason. A renewal is not an R11 extension and needs no
    city-government approval. Rule R21, 北京市工业用地先租后让指导意见（试行） §三(五).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder(actor, contract)
    _require_state(contract, S.LEASING)
    if today > contract.renewal_application_due:
        raise ValidationError(
            _("续租申请须在租赁期届满前 %(m)s 个月提出，申请期已于 %(due)s 截止（R21）。")
            % {
                "m": contract.rule_set.application_lead_months,
                "due": contract.renewal_application_due.isoformat(),
            }
        )
    try:
        rules.check_renewal(
            renewal_years=years,
            renewed_years=contract.renewal_years,
            lease_years=contract.lease_years,
            transfer_years=contract.transfer_years,
            params=contract_parameters(contract),
        )
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    if not reason.strip():
        raise ValidationError({"reason": _("请说明续租的特殊情况（R21）。")})
    renewal = Renewal(
        contract=contract,
        years=years,
        reason=reason.strip(),
        applied_on=today,
        rent=rules.renewal_rent(annual_rent_amount=contract.annual_rent, renewal_years=years),
        previous_lease_end=contract.lease_end,
    )
    renewal.full_clean()
    renewal.save()
    _move(
        contract,
        to=S.RENEWAL_APPLIED,
        action="renewal_apply",
        actor=actor,
        reason=reason,
        rule="R21",
        on=today,
        title=_("申请续租 %(y)s 年，续租租金 %(rent)s 元")
        % {"y": years, "rent": _yuan(renewal.rent)},
    )
    _notify_contract(
        contract, "renewal_applied", to_district=True, years=years, reason=renewal.reason
    )
    return renewal


@transaction.atomic
def renewal_decide(
    *,
    actor: User | None,
    contract: Contract,
    approved: bool,
    approval_reference: str = "",
    reason: str = "",
    today: datetime.date | None = None,
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
            "y": renewal.years,
            "ref": renewal.approval_reference,
            "end": contract.lease_end.isoformat(),
            "due": contract.assessment_application_due.isoformat(),
        }
    else:
        title = _("不予续租")
    _save(contract)
    _record(
        contract,
        action="renewal_decide",
        actor=actor,
        state_from=state_from,
        reason=reason,
        rule="R21",
        title=title,
        on=today,
    )
    _notify_contract(
        contract,
        "renewal_decided",
        to_district=False,
        result=N_("批准") if approved else N_("不批准"),
        reason=reason,
    )
    return renewal


@transaction.atomic
def exit_apply(
    *,
    actor: User | None,
    contract: Contract,
    exit_date: datetime.date,
    reason: str,
    today: datetime.date | None = None,
) -> ExitRecord:
    """Return the ExitRecord of a voluntary exit (R23) applied for by the holder, with the rent
    of the remaining lease years previewed (no penalty yet; the district settles).

    Raises ValidationError for an exit date in the past or after the lease's last day. Rule R23.
    """
    today = _today(today)
    contract = _lock(contract)
    _require_holder(actor, contract)
    _require_state(contract, S.LEASING)
    if exit_date < today:
        raise ValidationError({"exit_date": _("退出日期不能早于今天。")})
    record = ExitRecord(
        contract=contract,
        kind=ExitRecord.Kind.VOLUNTARY,
        reason=reason.strip(),
        applied_on=today,
        exit_date=exit_date,
    )
    _apply_settlement(record, contract)
    record.full_clean()
    record.save()
    _move(
        contract,
        to=S.EXIT_APPLIED,
        action="exit_apply",
        actor=actor,
        reason=reason,
        rule="R23",
        on=today,
        title=_("申请退还租赁土地使用权，拟于 %(d)s 退出") % {"d": exit_date.isoformat()},
    )
    _notify_contract(
        contract,
        "exit_applied",
        to_district=True,
        exit_date=exit_date.isoformat(),
        reason=record.reason,
    )
    return record


def _apply_settlement(record: ExitRecord, contract: Contract) -> None:
    try:
        settlement = rules.exit_settlement(
            rent_paid=contract.lease_rent + contract.renewal_rent,
            lease_start=contract.lease_start,
            lease_years=contract.lease_years + contract.renewal_years,
            exit_date=record.exit_date,
            part_year=contract.rule_set.exit_part_year,
            penalty=record.penalty,
            replacement_cost=record.replacement_cost,
            newness=record.newness,
            demolition_charge=record.demolition_charge,
            ecological_damage=record.ecological_damage,
        )
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    record.remaining_years = settlement.remaining_years
    record.remaining_rent = settlement.remaining_rent
    record.rent_refund = settlement.rent_refund
    record.amount_owed = settlement.amount_owed
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
    (R23: refund of the rent of the remaining lease years − penalty, or what the holder owes
    when the penalty is larger; buildings at replacement cost × newness; demolition and
    ecological damage charged).

    Raises ValidationError for an exit date after the lease end or newness outside 0–1.
    Rules R20, R23, 北京市工业用地先租后让指导意见（试行） §三(五)(七).
    """
    today = _today(today)
    contract = _lock(contract)
    _require_district(actor, contract)
    _require_state(contract, S.FAILED, S.EXIT_APPLIED)
    record = ExitRecord.objects.filter(contract=contract).first()
    if record is None:
        record = ExitRecord(
            contract=contract,
            kind=ExitRecord.Kind.FAILED,
            applied_on=today,
            exit_date=exit_date or today,
        )
    if exit_date:
        record.exit_date = exit_date
    if record.exit_date > contract.lease_end:
        raise ValidationError(
            {
                "exit_date": _("须在租赁合同到期（%(end)s）前完成退出（R20）。")
                % {"end": contract.lease_end.isoformat()}
            }
        )
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
        title = _("收回土地使用权并注销登记；应付土地使用权人净额 %(net)s 元") % {
            "net": _yuan(record.net_payable_to_holder)
        }
        rule = "R23"
    else:
        title = _("考核未通过，收回土地使用权并注销不动产登记")
        rule = "R20"
    _record(
        contract,
        action="exit",
        actor=actor,
        state_from=state_from,
        reason=reason,
        rule=rule,
        title=title,
        on=today,
    )
    _notify_contract(
        contract, "exit_completed", to_district=False, exit_date=record.exit_date.isoformat()
    )
    return record


@transaction.atomic
def violation_record(
    *,
    actor: User | None,
    contract: Contract,
    kind: str,
    found_on: datetime.date,
    description: str,
    disposal: str,
    serious: bool = False,
) -> Violation:
    """Return the recorded Violation (R22) with the disposal decided; a serious case ends the
    lease — or, after conversion, the grant (解除租赁合同或出让合同) — and the land is recovered
    (state terminated).

    During the lease every kind may be recorded; after conversion to a grant only the breaches
    of the grant (change of use or industry, disguised real-estate development).
    Raises ValidationError for an exited or terminated contract, a lease-only breach after
    conversion, or missing description/disposal.
    Rule R22, 北京市工业用地先租后让指导意见（试行） §三(六).
    """
    contract = _lock(contract)
    _require_district(actor, contract)
    if contract.state in (S.EXITED, S.TERMINATED):
        raise ValidationError(_("合同已退出或解除，不能再登记违约。"))
    converted = contract.is_converted
    try:
        rules.check_violation_kind(kind=kind, converted=converted)
    except rules.RuleViolation as exc:
        raise _violation(exc) from exc
    violation = Violation(
        contract=contract,
        kind=kind,
        found_on=found_on,
        description=description.strip(),
        disposal=disposal.strip(),
        serious=serious,
        recorded_by=actor if actor and actor.pk else None,
    )
    violation.full_clean()
    violation.save()
    state_from = contract.state
    if serious:
        contract.state = S.TERMINATED
        _save(contract)
    _record(
        contract,
        action="violation",
        actor=actor,
        state_from=state_from,
        reason=disposal,
        rule="R22",
        on=found_on,
        title=_("违约：%(kind)s%(end)s")
        % {
            "kind": violation.get_kind_display(),
            "end": (
                _("，情节严重，解除出让合同、收回土地使用权")
                if serious and converted
                else _("，情节严重，解除合同、收回土地")
                if serious
                else ""
            ),
        },
    )
    return violation


# --- reminders (table C) -------------------------------------------------------------------

# Who is reminded of each deadline: (enterprise, district staff) — DOMAIN.md table C.
_AUDIENCE = {
    DeadlineKind.ASSESSMENT_APPLICATION: (True, True),
    DeadlineKind.RENEWAL_APPLICATION: (True, False),
    DeadlineKind.ASSESSMENT_DECISION: (False, True),
    DeadlineKind.TRANSFER_APPLICATION: (True, True),
    DeadlineKind.TRANSFER_CONTRACT: (True, True),
    DeadlineKind.LAND_PRICE: (True, True),
    DeadlineKind.TITLE_REGISTRATION: (True, True),
    DeadlineKind.EXIT: (True, True),
}
_RULE = {
    DeadlineKind.ASSESSMENT_APPLICATION: "R18",
    DeadlineKind.RENEWAL_APPLICATION: "R21",
    DeadlineKind.ASSESSMENT_DECISION: "R18",
    DeadlineKind.TRANSFER_APPLICATION: "R19",
    DeadlineKind.TRANSFER_CONTRACT: "R19",
    DeadlineKind.LAND_PRICE: "R19",
    DeadlineKind.TITLE_REGISTRATION: "R19",
    DeadlineKind.EXIT: "R20",
}


def reminder_sweep(*, today: datetime.date | None = None, connection=None) -> list[dict]:
    """Return what this sweep sent: one dict per reminder (contract number, kind, due date,
    lead days, recipients, resumed).

    Finds due reminders with one index lookup (selectors.reminder_day: the contracts whose
    `reminder_next_on` has come), then works in batches of REMINDER_BATCH: claims the batch's
    (contract, deadline, due date, lead time) rows with one INSERT … ON CONFLICT DO UPDATE …
    WHERE … RETURNING (the unique row is the claim: only the sweep whose statement returns the
    row sends it, so two sweeps or two workers never send the same reminder twice), sends their
    e-mails (Django mail, one connection for the sweep), then marks the sent ones sent and
    writes their in-app notifications in one transaction; a failed e-mail releases its claim
    and is retried by the next sweep. At the end, each contract read whose reminders of today
    are all sent moves on to the day its next lead time opens (compare-and-set: a contract
    saved meanwhile keeps the schedule its save wrote).

    What a killed sweep leaves (the duplicate window): batches it marked stay sent; the ones it
    had not reached stay claimed, are taken again after STALE_CLAIM and sent once (flagged
    `resumed`). The e-mails of the batch in flight — handed to the mail server but not yet
    marked — may be sent a second time: at most REMINDER_BATCH. An interruption Python sees
    (a Celery time limit, a warm or cold shutdown raising in the task) marks the e-mails sent
    so far before it propagates, so then only the one e-mail in flight can go twice; SIGKILL or
    a power cut leaves the whole batch. E-mail cannot be exactly-once; every attempt of a
    reminder carries the same Message-ID (_message_id), so mail systems that drop repeated
    Message-IDs drop those duplicates too.

    Queries: a fixed number for finding and reading the audience, plus per batch its claim, its
    marks (three statements), and the schedule update at the end, whatever the number of
    contracts. Not atomic on purpose: claims are committed before sending.
    Table C, rules R18–R21.
    """
    today = _today(today)
    due, looks = selectors.reminder_day(today=today)
    if not due:
        _reminder_advance(looks, unsent=set())
        return []
    by_key = {(d.contract.pk, d.kind, d.due, d.lead_days): d for d in due}
    keys = sorted(by_key)
    contracts = {d.contract.pk: d.contract for d in due}
    enterprise_users, district_users = _reminder_audience(contracts.values())
    texts = _ReminderTexts()
    connection = connection or get_connection()
    results, unsent = [], set()
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - transport down: claim nothing, retry tomorrow
        logger.warning("reminder sweep: mail connection failed: %s", exc)
        _reminder_advance(looks, unsent={key[0] for key in keys})
        return []
    try:
        for start in range(0, len(keys), REMINDER_BATCH):
            batch = keys[start : start + REMINDER_BATCH]
            token = uuid.uuid4()
            claimed = _reminder_claim(batch, token=token, now=timezone.now())
            if len(claimed) < len(batch):
                unsent |= _reminder_unsent(batch, claimed)
            if claimed:
                results += _reminder_send_batch(
                    claimed,
                    token=token,
                    contracts=contracts,
                    audience=(enterprise_users, district_users),
                    texts=texts,
                    connection=connection,
                    unsent=unsent,
                )
    finally:
        connection.close()
    _reminder_advance(looks, unsent=unsent)
    return results


def reminder_schedule_reset(*, contracts=None, model=None, rule_sets=None) -> int:
    """Set `reminder_next_on` of `contracts` (a Contract queryset; default all) to the first day
    a reminder of their state's deadline applies (rules.reminder_first_look), or None when their
    state has none. For what bypasses Contract.save (bulk loads, the migration that added the
    schedule) and for a rule set whose lead times changed. `model`, `rule_sets`: the historical
    models in a migration. Return the number of contracts scheduled. One statement per 5,000.
    """
    model = model or Contract
    leads = {
        pk: parse_lead_days(value)
        for pk, value in (rule_sets or LeaseRuleSet).objects.values_list("pk", "reminder_lead_days")
    }
    qs = contracts if contracts is not None else model.objects.all()
    qs.exclude(state__in=list(REMINDED_DEADLINE)).exclude(reminder_next_on=None).update(
        reminder_next_on=None
    )
    fields = sorted(set(REMINDED_DEADLINE.values()))
    table = model._meta.db_table
    rows, count = [], 0

    def flush():
        source, params = rows_source([("id", "bigint"), ("next_on", "date")], rows)
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET reminder_next_on = s.next_on FROM ({source}) AS s "
                f"WHERE {table}.id = s.id",
                params,
            )

    values = (
        qs.filter(state__in=list(REMINDED_DEADLINE))
        .order_by()
        .values_list("pk", "state", "rule_set_id", *fields)
    )
    for pk, state, rule_set_id, *dates in values.iterator(chunk_size=5000):
        due = dict(zip(fields, dates, strict=True))[REMINDED_DEADLINE[state]]
        rows.append((pk, rules.reminder_first_look(due=due, leads=leads.get(rule_set_id, ()))))
        if len(rows) == 5000:
            flush()
            count += len(rows)
            rows = []
    if rows:
        flush()
        count += len(rows)
    return count


# Reminders claimed, sent and marked together: the most a sweep killed outright (SIGKILL) can
# send twice.
REMINDER_BATCH = 200


def _reminder_send_batch(
    claimed, *, token, contracts, audience, texts, connection, unsent
) -> list[dict]:
    """Send the claimed reminders of one batch, then mark them sent in one transaction; release
    the failed ones (their contracts join `unsent`). Return the result dicts of the sent ones.
    On an interruption (any BaseException) the ones already sent are marked before it goes on.
    """
    enterprise_users, district_users = audience
    urls = {
        pk: reverse("assessments:contract_detail", args=[pk])
        for pk in {key[0] for _pk, key, _again in claimed}
    }
    resumed = [pk for pk, _key, again in claimed if again]
    if resumed:
        logger.warning(
            "reminder sweep: %d reminders of an interrupted sweep are sent now; the batch that "
            "sweep was sending when it stopped may reach its recipients twice (ids %s)",
            len(resumed),
            resumed,
        )
    failed, sent, results = [], [], []
    try:
        for pk, key, again in claimed:
            contract_id, kind, due_date, lead_days = key
            contract = contracts[contract_id]
            to_enterprise, to_district = _AUDIENCE[kind]
            people = (enterprise_users.get(contract.enterprise_id, []) if to_enterprise else []) + (
                district_users.get(contract.parcel.district_id, []) if to_district else []
            )
            # E-mail now to those who want each notification; "digest" users get it in the
            # daily digest (landsupply.notify), "none" users only in the app.
            addresses = [email for _pk, _name, email, pref in people if email and pref == EACH]
            if to_enterprise and contract.enterprise.contact_email:
                addresses.append(contract.enterprise.contact_email)
            addresses = list(dict.fromkeys(addresses))
            title, body = texts.render(contract, kind=kind, due_date=due_date, lead_days=lead_days)
            sent_at = timezone.now()
            if addresses:
                message = EmailMessage(
                    subject=title, body=body, to=addresses, headers={"Message-ID": _message_id(pk)}
                )
                try:
                    connection.send_messages([message])
                except Exception as exc:  # noqa: BLE001 - any transport error: release and retry later
                    logger.warning("reminder %s failed: %s", pk, exc)
                    failed.append((pk, str(exc)[:1000]))
                    unsent.add(contract_id)
                    continue
            shown = addresses or [name for _pk, name, _email, _pref in people]
            params = texts.params(contract, kind=kind, due_date=due_date, lead_days=lead_days)
            sent.append(
                (
                    pk,
                    ", ".join(shown),
                    [
                        Notification(
                            recipient_id=user_pk,
                            message_id="lease_reminder",
                            params=params,
                            title=title,
                            url=urls[contract_id],
                            emailed_at=sent_at if email and pref == EACH and addresses else None,
                        )
                        for user_pk, _n, email, pref in people
                    ],
                )
            )
            results.append(
                {
                    "contract": contract.number,
                    "contract_id": contract_id,
                    "kind": kind,
                    "due_date": due_date.isoformat(),
                    "lead_days": lead_days,
                    "recipients": shown,
                    "resumed": again,
                }
            )
    finally:
        # Runs on an interruption too: what went out is marked before the sweep stops.
        if sent:
            lost = _reminder_mark_sent(sent, token=token)
            unsent |= {key[0] for pk, key, _again in claimed if pk in lost}
        if failed:
            _reminder_release(token, failed)
    return results


def _reminder_unsent(batch: list[tuple], claimed: list) -> set[int]:
    """Return the contracts of `batch` with a reminder this sweep did not claim and that is not
    sent (another sweep holds it): they are read again tomorrow. One query."""
    mine = {key for _pk, key, _again in claimed}
    others = [key for key in batch if key not in mine]
    rows = ReminderDelivery.objects.filter(
        contract_id__in={key[0] for key in others}, sent_at__isnull=True
    ).values_list("contract_id", "kind", "due_date", "lead_days")
    held = set(others)
    return {row[0] for row in rows if tuple(row) in held}


@transaction.atomic
def _reminder_mark_sent(
    sent: list[tuple[int, str, list[Notification]]], *, token: uuid.UUID
) -> set:
    """Mark the reminders `sent` [(id, recipients, notifications)] sent and write their in-app
    notifications, in one transaction, for those this sweep still holds (a sweep slower than
    STALE_CLAIM may have lost some: then the taker sends them, and nothing is written here).
    Return the ids not marked. Three statements whatever the batch size.

    On PostgreSQL the commit does not wait for the disk flush (synchronous_commit off for this
    transaction only). A killed worker loses nothing by it; a crash of the database server
    itself within a fraction of a second after the commit can lose the marks, and those
    reminders are then sent again, flagged resumed.
    """
    table = ReminderDelivery._meta.db_table
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    token_value = ReminderDelivery._meta.get_field("claim_token").get_db_prep_value(
        token, db_connection
    )
    now = ReminderDelivery._meta.get_field("sent_at").get_db_prep_value(
        timezone.now(), db_connection
    )
    source, params = rows_source(
        [("id", "bigint"), ("recipients", "text")], [(pk, who) for pk, who, _n in sent]
    )
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sent_at = %s, recipients = s.recipients FROM ({source}) AS s "
            f"WHERE {table}.id = s.id AND {table}.claim_token = %s AND {table}.sent_at IS NULL "
            f"RETURNING {table}.id",
            [now, *params, token_value],
        )
        marked = {row[0] for row in cursor.fetchall()}
    Notification.objects.bulk_create(
        [n for pk, _who, notifications in sent if pk in marked for n in notifications]
    )
    return {pk for pk, _who, _n in sent} - marked


def _reminder_advance(looks, *, unsent: set[int]) -> None:
    """Move each contract read today on to its next reminder day, except those in `unsent`
    (a reminder failed or is held by another sweep: read again tomorrow). Compare-and-set on
    the schedule and updated_at, so a contract saved since it was read keeps what its save
    wrote. One statement per 5,000 contracts."""
    rows = [
        (look.contract_id, look.next_on, look.was_next_on, look.updated_at)
        for look in looks
        if look.contract_id not in unsent and look.next_on != look.was_next_on
    ]
    if not rows:
        return
    table = Contract._meta.db_table
    updated = Contract._meta.get_field("updated_at")
    for start in range(0, len(rows), 5000):
        chunk = [
            (pk, nxt, was, updated.get_db_prep_value(at, db_connection))
            for pk, nxt, was, at in rows[start : start + 5000]
        ]
        source, params = rows_source(
            [("id", "bigint"), ("next_on", "date"), ("was", "date"), ("at", "timestamptz")],
            chunk,
        )
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET reminder_next_on = s.next_on FROM ({source}) AS s "
                f"WHERE {table}.id = s.id AND {table}.reminder_next_on = s.was "
                f"AND {table}.updated_at = s.at",
                params,
            )


def _message_id(delivery_pk: int) -> str:
    """The Message-ID of every attempt of reminder `delivery_pk` (the claim row's id): the same
    on a re-send, so a mail system that drops repeated Message-IDs drops the duplicate."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "landsupply.invalid"
    return f"<reminder-{delivery_pk}@{domain}>"


def _reminder_audience(contracts) -> tuple[dict[int, list], dict[int, list]]:
    """Return the active enterprise users per enterprise and district staff per district of
    `contracts` as (pk, username, email, e-mail preference) tuples, with one query."""
    enterprise_ids = {c.enterprise_id for c in contracts}
    district_ids = {c.parcel.district_id for c in contracts}
    users = (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=User.Role.ENTERPRISE, enterprise_id__in=enterprise_ids)
            | Q(role=User.Role.DISTRICT, district_id__in=district_ids)
        )
        .order_by("pk")
        .values_list(
            "pk", "username", "email", "email_preference", "role", "enterprise_id", "district_id"
        )
    )
    enterprise_users, district_users = {}, {}
    for pk, username, email, pref, role, enterprise_id, district_id in users:
        if role == User.Role.ENTERPRISE:
            enterprise_users.setdefault(enterprise_id, []).append((pk, username, email, pref))
        else:
            district_users.setdefault(district_id, []).append((pk, username, email, pref))
    return enterprise_users, district_users


EACH = User.EmailPreference.EACH


# What the reminder asks of its reader: act in the system before the day; after it the pages
# offer no form (the district acts by the rule), so the overdue reminder says so (issue 10).
_REMINDER_ACTION = {
    False: N_("请登录系统办理。"),
    True: N_("期限已过，系统中已不能再办理；区级将依规则处理，请留意区级通知。"),
}


class _ReminderTexts:
    """The reminder subject and body, translated once per sweep and filled in per reminder
    (the e-mail); `params` are the in-app notification's parameters (landsupply.notify message
    "lease_reminder"), rendered in the reader's language."""

    def __init__(self):
        self.labels = {kind: str(kind.label) for kind in DeadlineKind}
        with translation.override(None):  # the msgids, for rendering in the reader's language
            self.msgids = {kind: str(kind.label) for kind in DeadlineKind}
        self.overdue = _("已逾期")
        self.ahead = _("提前 %(d)s 天提醒")
        self.title = _("【%(rule)s】%(number)s %(label)s：%(due)s（%(when)s）")
        self.body = _(
            "合同 %(number)s（地块 %(parcel)s，%(enterprise)s）的“%(label)s”日期为 %(due)s，依据规则 %(rule)s"
            "（%(source)s）。%(action)s"
        )
        # The document each contract's rules come from: its rule set's name (data of the
        # jurisdiction, R25), read once per sweep.
        self.sources = dict(LeaseRuleSet.objects.values_list("pk", "name"))

    def params(
        self, contract: Contract, *, kind: str, due_date: datetime.date, lead_days: int
    ) -> dict:
        return {
            "rule": _RULE[kind],
            "number": contract.number,
            "label": self.msgids[kind],
            "due": due_date.isoformat(),
            "when": N_("已逾期") if lead_days == 0 else [N_("提前 %(d)s 天提醒"), {"d": lead_days}],
            "action": _REMINDER_ACTION[lead_days == 0],
            "parcel": contract.parcel.name,
            "enterprise": contract.enterprise.name,
            "source": self.sources.get(contract.rule_set_id, ""),
        }

    def render(
        self, contract: Contract, *, kind: str, due_date: datetime.date, lead_days: int
    ) -> tuple[str, str]:
        label, rule, due = self.labels[kind], _RULE[kind], due_date.isoformat()
        when = self.overdue if lead_days == 0 else self.ahead % {"d": lead_days}
        title = self.title % {
            "rule": rule,
            "number": contract.number,
            "label": label,
            "due": due,
            "when": when,
        }
        body = self.body % {
            "action": _(_REMINDER_ACTION[lead_days == 0]),
            "number": contract.number,
            "parcel": contract.parcel.name,
            "enterprise": contract.enterprise.name,
            "label": label,
            "due": due,
            "rule": rule,
            "source": self.sources.get(contract.rule_set_id, ""),
        }
        return title, body


# Raw SQL for the claim and the release of failed sends: one statement each whatever the number
# of rows (the rows travel as landsupply.claims.rows_source builds them).


def _reminder_claim(
    keys: list[tuple], *, token: uuid.UUID, now: datetime.datetime
) -> list[tuple[int, tuple, bool]]:
    """Return [(delivery id, key, resumed)] of the keys this sweep claimed, in one statement.

    A new key is inserted already claimed; an existing one is claimed only when it is unsent
    and unclaimed (released after a failure) or its claim is stale. Taking over a stale claim
    (its sweep died while sending) sets `resumed` on the row for good. Under concurrency the
    unique index makes the second sweep wait for the first's row and then skip it.
    """
    table = ReminderDelivery._meta.db_table
    token_field = ReminderDelivery._meta.get_field("claim_token")
    time_field = ReminderDelivery._meta.get_field("claimed_at")
    source, params = rows_source(
        [
            ("contract_id", "bigint"),
            ("kind", "varchar"),
            ("due_date", "date"),
            ("lead_days", "integer"),
        ],
        keys,
    )
    claimed_at = time_field.get_db_prep_value(now, db_connection)
    stale = time_field.get_db_prep_value(now - STALE_CLAIM, db_connection)
    sql = f"""
        INSERT INTO {table} (contract_id, kind, due_date, lead_days, claim_token, claimed_at, attempts,
                             resumed, last_error, recipients, created_at)
        SELECT s.contract_id, s.kind, s.due_date, s.lead_days, %s, %s, 1, false, '', '', %s
          FROM ({source}) AS s WHERE true
        ON CONFLICT (contract_id, kind, due_date, lead_days) DO UPDATE
           SET claim_token = excluded.claim_token, claimed_at = excluded.claimed_at,
               attempts = {table}.attempts + 1,
               resumed = {table}.resumed OR {table}.claim_token IS NOT NULL
         WHERE {table}.sent_at IS NULL AND ({table}.claim_token IS NULL OR {table}.claimed_at < %s)
        RETURNING id, contract_id, kind, due_date, lead_days, resumed
    """
    token_value = token_field.get_db_prep_value(token, db_connection)
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [token_value, claimed_at, claimed_at, *params, stale])
        rows = cursor.fetchall()
    claimed = []
    for pk, contract_id, kind, due_date, lead_days, resumed in rows:
        if not isinstance(due_date, datetime.date):
            due_date = datetime.date.fromisoformat(due_date)
        claimed.append((pk, (contract_id, kind, due_date, lead_days), bool(resumed)))
    return sorted(claimed, key=lambda item: item[1])


def _reminder_release(token: uuid.UUID, failed: list[tuple[int, str]]) -> None:
    """Release the claims of `failed` [(id, error)] in one statement, keeping the error,
    touching only rows this sweep still holds; the next sweep sends them."""
    table = ReminderDelivery._meta.db_table
    token_value = ReminderDelivery._meta.get_field("claim_token").get_db_prep_value(
        token, db_connection
    )
    source, params = rows_source([("id", "bigint"), ("last_error", "text")], failed)
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claim_token = NULL, claimed_at = NULL, last_error = s.last_error "
            f"FROM ({source}) AS s WHERE {table}.id = s.id AND {table}.claim_token = %s",
            [*params, token_value],
        )
