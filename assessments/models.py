"""Lease-then-transfer (先租后让) contracts: rule sets, contracts, performance agreements,
indicator reports, assessments, renewals, exits, violations and reminder deliveries.

Money in yuan (Decimal, 2 places), dates as date. The computed figures and table-C dates are
stored on the contract (kept current by services.contract_recompute) so that pages and the daily
reminder sweep can read and index them. Source: 北京市工业用地先租后让指导意见（试行）(2024-02-18).
"""

import datetime
import os
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments import rules
from landsupply.leads import parse_lead_days, validate_lead_days
from landsupply.models import District, Enterprise, Jurisdiction
from landsupply.storage import get_private_storage
from parcels.models import LandSource, LandUseCategory, Parcel

MONEY = {"max_digits": 16, "decimal_places": 2}


# Kept under this name: migrations refer to it.
_validate_lead_days = validate_lead_days


class IndicatorKind(models.TextChoices):
    """The kinds of assessment indicator the guidance names (R17 包括但不限于…)."""

    INDUSTRY_TYPE = "industry_type", _("产业类型")
    INVESTMENT_INTENSITY = "investment_intensity", _("投资强度")
    OUTPUT_EFFICIENCY = "output_efficiency", _("产出效率（含地均产出）")
    TAX = "tax", _("税收")
    INNOVATION = "innovation", _("创新能力")
    ENERGY_ENVIRONMENT = "energy_environment", _("节能环保")
    REGIONAL_CONTRIBUTION = "regional_contribution", _("地区贡献率")
    LOCAL_EMPLOYMENT = "local_employment", _("本地就业人口")
    OTHER = "other", _("其他")


def _validate_indicator_kinds(value: str) -> None:
    codes = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [code for code in codes if code not in IndicatorKind.values]
    if unknown:
        raise ValidationError(
            _("未知的指标类别：%(codes)s。可用：%(known)s。")
            % {"codes": "、".join(unknown), "known": ", ".join(IndicatorKind.values)}
        )


class ExitPartYear(models.TextChoices):
    """How the part year is counted when the holder exits (R23 退还剩余年期土地租金)."""

    BY_DAY = rules.PART_YEAR_BY_DAY, _("不足一年部分按日折算")
    DROPPED = rules.PART_YEAR_DROPPED, _("只退整年，不足一年部分不退")
    AS_WHOLE = rules.PART_YEAR_AS_WHOLE, _("不足一年部分按一年计")


class StatutoryTermLimit(models.Model):
    """The statutory maximum term of a grant by land use (城镇国有土地使用权出让和转让暂行条例
    第十二条): residential 70, industrial 50, education/science/culture/health/sports 50,
    commercial/tourism/entertainment 40, composite or other 50 years.

    A land-use category takes the limit linked to it or to its nearest ancestor; a category
    linked to none takes the limit marked "composite or other". R11 caps lease + transfer years
    (with any extension or renewal) at it.
    """

    purpose = models.CharField(_("用途"), max_length=64, unique=True)
    max_years = models.PositiveSmallIntegerField(_("最高年限（年）"))
    land_use_categories = models.ManyToManyField(
        LandUseCategory, blank=True, related_name="statutory_limits", verbose_name=_("用地类型")
    )
    is_default = models.BooleanField(
        _("综合或者其他用地"), default=False, help_text=_("未关联任何限额的用地类型适用此项")
    )
    citation = models.CharField(_("法律依据"), max_length=300)

    class Meta:
        verbose_name = _("法定最高出让年限")
        verbose_name_plural = _("法定最高出让年限")
        ordering = ["-max_years", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="statutory_limit_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.purpose} {self.max_years} 年"


class LeaseRuleSet(models.Model):
    """The parameters of R11–R23 for one jurisdiction from an effective date (R25)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="lease_rule_sets",
        verbose_name=_("辖区"),
    )
    name = models.CharField(_("名称"), max_length=200)
    citation = models.TextField(_("法律依据"), help_text=_("文件名称、发文机关、日期与条款"))
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(
        _("失效日期"), null=True, blank=True, help_text=_("含当日；空表示长期有效")
    )
    land_use_categories = models.ManyToManyField(
        LandUseCategory,
        blank=True,
        related_name="lease_rule_sets",
        verbose_name=_("适用用地类型"),
        help_text=_("适用范围：地块用地类型（或其上级类型）在此列出时才可先租后让"),
    )
    max_lease_years = models.PositiveSmallIntegerField(_("租赁年期上限（年）"), help_text="R11")
    max_total_years = models.PositiveSmallIntegerField(_("租让总年期上限（年）"), help_text="R11")
    extension_allowed = models.BooleanField(
        _("重大项目经批准可延长"), default=True, help_text="R11"
    )
    application_lead_months = models.PositiveSmallIntegerField(
        _("考核/续租申请提前月数"), help_text=_("R18/R21：租赁期届满前至少 N 个月")
    )
    transfer_application_days = models.PositiveSmallIntegerField(
        _("转出让申请期限（天）"), help_text=_("R19：收到书面通知后 N 日内")
    )
    max_renewal_years = models.PositiveSmallIntegerField(
        _("每次续租年期上限（年）"), help_text="R21"
    )
    max_total_renewal_years = models.PositiveSmallIntegerField(
        _("续租年期合计上限（年）"), default=2, help_text=_("R21：一份合同所有续租合计")
    )
    renewals_may_follow = models.BooleanField(
        _("允许再次续租"),
        default=True,
        help_text=_("R21：已续租的合同可否再申请续租（合计仍受上限约束）"),
    )
    exit_part_year = models.CharField(
        _("退出时不足一年部分"),
        max_length=16,
        choices=ExitPartYear.choices,
        default=ExitPartYear.BY_DAY,
        help_text=_("R23：退还剩余年期土地租金时，不足一年的部分如何计算"),
    )
    registration_period_days = models.PositiveSmallIntegerField(
        _("不动产登记期限（天）"),
        default=30,
        help_text=_("R19：租赁期届满后 N 日内申请办理不动产登记（指导意见要求“按期办理”）"),
    )
    required_indicator_kinds = models.CharField(
        _("必须约定的考核指标类别"),
        max_length=300,
        blank=True,
        validators=[_validate_indicator_kinds],
        help_text=_("R17：逗号分隔的类别代码；进入租赁期前每一类至少约定一项指标"),
    )
    reminder_lead_days = models.CharField(
        _("提醒提前天数"),
        max_length=64,
        default="90,30,7",
        validators=[_validate_lead_days],
        help_text=_("逗号分隔，例如 90,30,7；逾期另提醒一次"),
    )

    history = HistoricalRecords(verbose_name=_("规则历史"))

    class Meta:
        verbose_name = _("先租后让规则")
        verbose_name_plural = _("先租后让规则")
        ordering = ["jurisdiction", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "effective_from"], name="lease_rule_set_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction} · {self.name}（{self.effective_from:%Y-%m-%d} 起）"

    def save(self, *args, **kwargs):
        """Save; when the reminder lead times change, restart the reminder schedule of the
        contracts under this rule set (services.reminder_schedule_reset)."""
        changed = (
            self.pk is not None
            and LeaseRuleSet.objects.filter(pk=self.pk)
            .exclude(reminder_lead_days=self.reminder_lead_days)
            .exists()
        )
        super().save(*args, **kwargs)
        if changed:
            from assessments.services import reminder_schedule_reset

            reminder_schedule_reset(contracts=self.contracts.all())

    def clean(self):
        if self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": _("失效日期不能早于生效日期。")})
        if (
            self.max_lease_years
            and self.max_total_years
            and self.max_lease_years > self.max_total_years
        ):
            raise ValidationError({"max_lease_years": _("租赁年期上限不能超过租让总年期上限。")})
        if (
            self.max_renewal_years is not None
            and self.max_total_renewal_years is not None
            and self.max_renewal_years > self.max_total_renewal_years
        ):
            raise ValidationError(
                {"max_renewal_years": _("每次续租年期上限不能超过续租年期合计上限。")}
            )

    @property
    def lead_days(self) -> tuple[int, ...]:
        """The reminder lead times, largest first (landsupply.leads.parse_lead_days)."""
        return parse_lead_days(self.reminder_lead_days)

    @property
    def indicator_kinds(self) -> tuple[str, ...]:
        return tuple(
            part.strip() for part in self.required_indicator_kinds.split(",") if part.strip()
        )

    def parameters(self, *, statutory_max_years: int) -> rules.LeaseParameters:
        """Return the rule parameters as the plain object rules.py takes, with the statutory
        maximum of the land use in question (selectors.statutory_max_years)."""
        return rules.LeaseParameters(
            max_lease_years=self.max_lease_years,
            max_total_years=self.max_total_years,
            statutory_max_years=statutory_max_years,
            extension_allowed=self.extension_allowed,
            application_lead_months=self.application_lead_months,
            transfer_application_days=self.transfer_application_days,
            max_renewal_years=self.max_renewal_years,
            max_total_renewal_years=self.max_total_renewal_years,
            renewals_may_follow=self.renewals_may_follow,
            exit_part_year=self.exit_part_year,
            registration_period_days=self.registration_period_days,
            required_indicator_kinds=self.indicator_kinds,
            reminder_lead_days=self.lead_days,
        )


class AwardMethod(models.TextChoices):
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    LISTING = "listing", _("挂牌")
    AGREEMENT = "agreement", _("协议（存量，经区政府批准）")


class Contract(models.Model):
    """A lease-then-transfer contract (租赁合同 + 履约监管协议) on one parcel."""

    class State(models.TextChoices):
        AWARDED = "awarded", _("已成交")
        LEASING = "leasing", _("租赁中")
        RENEWAL_APPLIED = "renewal_applied", _("已申请续租")
        ASSESSMENT_APPLIED = "assessment_applied", _("已申请考核")
        PASSED = "passed", _("考核通过")
        FAILED = "failed", _("考核未通过")
        TRANSFER_APPLIED = "transfer_applied", _("已申请签订出让合同")
        TRANSFER_SIGNED = "transfer_signed", _("已签订出让合同")
        TRANSFERRED = "transferred", _("已缴纳地价款，待登记")
        REGISTERED = "registered", _("已办理不动产登记")
        EXIT_APPLIED = "exit_applied", _("已申请退出")
        EXITED = "exited", _("已退出收回")
        TERMINATED = "terminated", _("已解除收回")

    number = models.CharField(_("合同编号"), max_length=64, unique=True)
    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="lease_contracts", verbose_name=_("地块")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="lease_contracts",
        verbose_name=_("土地使用权人"),
    )
    rule_set = models.ForeignKey(
        LeaseRuleSet, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("适用规则")
    )
    land_source = models.CharField(_("存量/新增"), max_length=8, choices=LandSource.choices)
    award_method = models.CharField(_("确定方式"), max_length=16, choices=AwardMethod.choices)
    award_reference = models.CharField(
        _("成交确认书/批准文件编号"),
        max_length=100,
        help_text=_("R12：新增用地为成交确认书，存量用地为区政府批准文件"),
    )
    award_date = models.DateField(
        _("成交确认书/批准日期"), help_text=_("R25：按此日期确定适用的先租后让规则")
    )
    base_price = models.DecimalField(
        _("底价（元）"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("新增用地为竞得价，存量用地为补缴政府土地收益（R14/R16）"),
    )
    lease_years = models.PositiveSmallIntegerField(_("租赁年期（年）"))
    transfer_years = models.PositiveSmallIntegerField(_("出让年期（年）"))
    renewal_years = models.PositiveSmallIntegerField(_("已批准续租年期（年）"), default=0)
    extension_approval = models.CharField(_("延长年期批准文号"), max_length=100, blank=True)
    lease_start = models.DateField(_("租赁起始日"))
    state = models.CharField(_("状态"), max_length=24, choices=State.choices, default=State.AWARDED)

    # Computed by services.contract_recompute from rules.py (R13–R16, R18, R19, R21).
    lease_rent = models.DecimalField(_("租赁期租金（元）"), **MONEY)
    deposit = models.DecimalField(_("竞买保证金（元）"), **MONEY)
    annual_rent = models.DecimalField(_("年租金（元）"), **MONEY)
    renewal_rent = models.DecimalField(_("续租租金（元）"), **MONEY, default=Decimal("0"))
    transfer_price = models.DecimalField(_("转出让地价款（元）"), **MONEY)
    lease_end = models.DateField(_("租赁期届满日"))
    assessment_application_due = models.DateField(_("考核申请截止日"))
    renewal_application_due = models.DateField(_("续租申请截止日"))
    notice_date = models.DateField(_("考核结果书面通知日"), null=True, blank=True)
    transfer_application_due = models.DateField(_("转出让申请截止日"), null=True, blank=True)
    transfer_term_start = models.DateField(_("出让期起始日"))
    transfer_term_end = models.DateField(_("出让期届满日"))
    exit_date = models.DateField(_("退出日期"), null=True, blank=True)

    # The transfer to its end (R19): each step is also an event on the timeline.
    notice_received_on = models.DateField(
        _("收到书面通知日期"), null=True, blank=True, help_text=_("R19：15 日自此日起算")
    )
    transfer_applied_on = models.DateField(_("转出让申请日期"), null=True, blank=True)
    transfer_contract_number = models.CharField(_("出让合同编号"), max_length=100, blank=True)
    transfer_contract_signed_on = models.DateField(_("出让合同签订日期"), null=True, blank=True)
    land_price_paid = models.DecimalField(_("已缴地价款（元）"), **MONEY, null=True, blank=True)
    land_price_paid_on = models.DateField(_("地价款缴纳日期"), null=True, blank=True)
    land_price_receipt = models.CharField(_("地价款缴纳凭证号"), max_length=100, blank=True)
    registration_due = models.DateField(_("不动产登记截止日"), null=True, blank=True)
    title_registered_on = models.DateField(_("不动产登记日期"), null=True, blank=True)
    title_certificate_number = models.CharField(_("不动产权证书号"), max_length=100, blank=True)

    is_demo = models.BooleanField(_("演示数据"), default=False)
    reminder_next_on = models.DateField(
        _("下次检查提醒日期"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("提醒任务从这一天起读取本合同；为空表示没有待提醒的期限"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("合同历史"), excluded_fields=["reminder_next_on"])

    class Meta:
        verbose_name = _("先租后让合同")
        verbose_name_plural = _("先租后让合同")
        ordering = ["lease_end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(base_price__gt=0), name="contract_base_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(lease_years__gte=1), name="contract_lease_years_min_1"
            ),
        ]
        indexes = [
            # The reminder sweep: one range scan per (state, deadline) pair.
            models.Index(
                fields=["state", "assessment_application_due"], name="contract_state_app_due"
            ),
            models.Index(fields=["state", "lease_end"], name="contract_state_lease_end"),
            models.Index(
                fields=["state", "transfer_application_due"], name="contract_state_transfer_due"
            ),
            models.Index(fields=["enterprise", "state"], name="contract_enterprise_state"),
            models.Index(fields=["state", "registration_due"], name="contract_state_reg_due"),
            # The reminder sweep: the contracts whose next reminder day has come, read in the
            # index's order (landsupply.paging.keyset_batches).
            models.Index(fields=["reminder_next_on", "id"], name="contract_reminder_next_on_id"),
        ]

    def __str__(self):
        return f"{self.number} {self.parcel.name}"

    def save(self, *args, **kwargs):
        """Save, and (re)start the reminder schedule from the deadline the new state has: the
        sweep reads the contract again from reminder_first_look on (table C)."""
        self.reminder_next_on = self.reminder_first_look()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "reminder_next_on"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("assessments:contract_detail", args=[self.pk])

    def reminded_deadline(self) -> datetime.date | None:
        """The date of the table-C deadline the contract's state is reminded of, or None."""
        field = REMINDED_DEADLINE.get(self.state)
        return getattr(self, field) if field else None

    def reminder_first_look(self, leads: tuple[int, ...] | None = None) -> datetime.date | None:
        """The first day the reminder sweep must read this contract (rules.reminder_first_look),
        from its state's deadline and its rule set's lead times (`leads`, read when None)."""
        due = self.reminded_deadline()
        if due is None:
            return None
        if leads is None:
            leads = self.rule_set.lead_days if self.rule_set_id else ()
        return rules.reminder_first_look(due=due, leads=leads)

    @property
    def rent_paid(self) -> Decimal:
        """Rent of the lease period (the deposit turned into rent, R13)."""
        return self.lease_rent

    @property
    def is_closed(self) -> bool:
        """Nothing is left to do: registered as a grant, exited, or terminated."""
        return self.state in {self.State.REGISTERED, self.State.EXITED, self.State.TERMINATED}

    @property
    def is_converted(self) -> bool:
        """The lease is being or has been converted to a grant (R19, R22 after conversion)."""
        return self.state in {
            self.State.TRANSFER_APPLIED,
            self.State.TRANSFER_SIGNED,
            self.State.TRANSFERRED,
            self.State.REGISTERED,
        }


# The table-C deadline each contract state is reminded of (the reminder sweep's selector adds
# the deadline kinds): state → stored date field.
REMINDED_DEADLINE = {
    Contract.State.LEASING: "assessment_application_due",
    Contract.State.ASSESSMENT_APPLIED: "lease_end",
    Contract.State.PASSED: "transfer_application_due",
    Contract.State.TRANSFER_APPLIED: "lease_end",
    Contract.State.TRANSFER_SIGNED: "lease_end",
    Contract.State.TRANSFERRED: "registration_due",
    Contract.State.FAILED: "lease_end",
}


class ContractEvent(models.Model):
    """One recorded step in a contract's life: who, when, why (the timeline)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="events", verbose_name=_("合同")
    )
    action = models.CharField(_("事项"), max_length=32)
    title = models.CharField(_("标题"), max_length=200)
    state_from = models.CharField(_("原状态"), max_length=24, blank=True)
    state_to = models.CharField(_("新状态"), max_length=24, blank=True)
    rule = models.CharField(_("规则"), max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("操作人"),
    )
    reason = models.TextField(_("说明"), blank=True)
    occurred_on = models.DateField(_("业务日期"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合同事件")
        verbose_name_plural = _("合同事件")
        ordering = ["occurred_on", "id"]

    def __str__(self):
        return self.title

    @property
    def state_from_label(self) -> str:
        return Contract.State(self.state_from).label if self.state_from else "—"

    @property
    def state_to_label(self) -> str:
        return Contract.State(self.state_to).label if self.state_to else ""


def _check_target(direction: str, target) -> None:
    """An "at least / at most" indicator needs a target; a yes/no one does not (R17)."""
    if direction != rules.YES_NO and target is None:
        raise ValidationError({"target": _("“不低于/不高于”类指标必须填写目标值（R17）。")})


class Indicator(models.Model):
    """A performance-agreement indicator (履约监管协议考核指标, R17)."""

    class Direction(models.TextChoices):
        AT_LEAST = rules.AT_LEAST, _("不低于")
        AT_MOST = rules.AT_MOST, _("不高于")
        YES_NO = rules.YES_NO, _("是/否")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("合同")
    )
    kind = models.CharField(
        _("指标类别"), max_length=24, choices=IndicatorKind.choices, default=IndicatorKind.OTHER
    )
    name = models.CharField(_("指标"), max_length=100)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    direction = models.CharField(
        _("要求"), max_length=16, choices=Direction.choices, default=Direction.AT_LEAST
    )
    target = models.DecimalField(
        _("目标值"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["contract", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "name"], name="indicator_name_unique_in_contract"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        _check_target(self.direction, self.target)


def _evidence_path(instance, filename):
    return f"evidence/{instance.indicator.contract_id}/{instance.year}/{filename}"


class IndicatorReport(models.Model):
    """The enterprise's reported value of one indicator for one year, with evidence (R17)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="reports", verbose_name=_("指标")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    actual = models.DecimalField(_("实际值"), max_digits=16, decimal_places=4)
    evidence = models.FileField(
        _("证明材料"), upload_to=_evidence_path, storage=get_private_storage, blank=True
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("填报人"),
    )
    reported_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        verbose_name = _("指标填报")
        verbose_name_plural = _("指标填报")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], name="indicator_report_one_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}"

    @property
    def evidence_name(self) -> str:
        return os.path.basename(self.evidence.name)


class Assessment(models.Model):
    """The district's assessment (考核) of a contract: application, proposal, decision, notice."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="assessment", verbose_name=_("合同")
    )
    applied_on = models.DateField(_("申请日期"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    proposed_pass = models.BooleanField(_("系统建议通过"), null=True, blank=True)
    passed = models.BooleanField(_("考核通过"), null=True, blank=True)
    results = models.JSONField(_("逐项结果"), default=list, blank=True)
    decided_on = models.DateField(_("考核日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("考核人"),
    )
    notice_number = models.CharField(_("书面通知编号"), max_length=100, blank=True)
    remarks = models.TextField(_("考核意见"), blank=True)

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")

    def __str__(self):
        return f"{self.contract.number} 考核"


class Renewal(models.Model):
    """A renewal (续租) application and its decision (R21)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="renewals", verbose_name=_("合同")
    )
    years = models.PositiveSmallIntegerField(_("续租年期（年）"))
    rent = models.DecimalField(_("续租租金（元）"), **MONEY)
    reason = models.TextField(_("申请理由"))
    applied_on = models.DateField(_("申请日期"))
    approved = models.BooleanField(_("批准"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    approval_reference = models.CharField(_("批准文号"), max_length=100, blank=True)
    previous_lease_end = models.DateField(_("原租赁期届满日"))

    class Meta:
        verbose_name = _("续租")
        verbose_name_plural = _("续租")
        ordering = ["contract", "applied_on", "id"]

    def __str__(self):
        return f"{self.contract.number} 续租 {self.years} 年"


class ExitRecord(models.Model):
    """An exit (退出): voluntary return during the lease (R23) or after a failed assessment (R20)."""

    class Kind(models.TextChoices):
        VOLUNTARY = "voluntary", _("主动退出（R23）")
        FAILED = "failed", _("考核未通过退出（R20）")

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="exit_record", verbose_name=_("合同")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("原因"), blank=True)
    applied_on = models.DateField(_("申请日期"))
    exit_date = models.DateField(_("退出日期"))
    remaining_rent = models.DecimalField(_("剩余年期租金（元）"), **MONEY, default=Decimal("0"))
    penalty = models.DecimalField(_("违约金（元）"), **MONEY, default=Decimal("0"))
    remaining_years = models.DecimalField(
        _("剩余年期（年）"), max_digits=8, decimal_places=4, default=Decimal("0")
    )
    rent_refund = models.DecimalField(_("退还租金（元）"), **MONEY, default=Decimal("0"))
    amount_owed = models.DecimalField(
        _("违约金超出剩余租金、土地使用权人应付（元）"), **MONEY, default=Decimal("0")
    )
    replacement_cost = models.DecimalField(_("重置价格（元）"), **MONEY, default=Decimal("0"))
    newness = models.DecimalField(_("成新率"), max_digits=5, decimal_places=4, default=Decimal("0"))
    building_compensation = models.DecimalField(
        _("建筑物补偿（元）"), **MONEY, default=Decimal("0")
    )
    demolition_charge = models.DecimalField(_("拆除成本（元）"), **MONEY, default=Decimal("0"))
    ecological_damage = models.DecimalField(
        _("生态环境损害赔偿（元）"), **MONEY, default=Decimal("0")
    )
    net_payable_to_holder = models.DecimalField(
        _("应付土地使用权人净额（元）"), **MONEY, default=Decimal("0")
    )
    completed_on = models.DateField(_("收回日期"), null=True, blank=True)
    title_deregistered = models.BooleanField(_("已办理注销登记"), default=False)

    class Meta:
        verbose_name = _("退出")
        verbose_name_plural = _("退出")

    def __str__(self):
        return f"{self.contract.number} {self.get_kind_display()}"


class Violation(models.Model):
    """A breach of the lease restrictions and its disposal (R22)."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("完成开发建设前转让")
        SUBLEASE = "sublease", _("完成开发建设前转租")
        MORTGAGE = "mortgage", _("完成开发建设前抵押")
        CHANGE_OF_USE = "change_of_use", _("擅自改变用途或产业类型")
        REAL_ESTATE = "real_estate", _("变相房地产开发")
        UNPAID_RENT = "unpaid_rent", _("未按约定缴纳租金")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="violations", verbose_name=_("合同")
    )
    kind = models.CharField(_("违约类型"), max_length=16, choices=Kind.choices)
    found_on = models.DateField(_("发现日期"))
    description = models.TextField(_("情况"))
    disposal = models.TextField(_("处置决定"))
    serious = models.BooleanField(_("情节严重（解除合同、收回土地）"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("记录人"),
    )

    class Meta:
        verbose_name = _("违约处置")
        verbose_name_plural = _("违约处置")
        ordering = ["contract", "found_on", "id"]

    def __str__(self):
        return f"{self.contract.number} {self.get_kind_display()}"


class AssessmentTemplate(models.Model):
    """A district's own assessment criteria for lease-then-transfer land (各区应拟定工业用地由租赁
    转为出让的考核条件, R17): the indicators, with units and targets, that its performance
    agreements set. Applied to a contract's agreement by services.indicators_apply_template.
    """

    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        related_name="assessment_templates",
        verbose_name=_("区"),
    )
    name = models.CharField(_("名称"), max_length=200)
    citation = models.CharField(
        _("依据"), max_length=300, blank=True, help_text=_("区政府发布考核标准的文件")
    )
    effective_from = models.DateField(_("生效日期"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("区考核标准模板")
        verbose_name_plural = _("区考核标准模板")
        ordering = ["district", "-effective_from", "id"]

    def __str__(self):
        return f"{self.district} · {self.name}"


class AssessmentTemplateItem(models.Model):
    """One indicator of a district's assessment template (R17)."""

    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("模板")
    )
    kind = models.CharField(_("指标类别"), max_length=24, choices=IndicatorKind.choices)
    name = models.CharField(_("指标"), max_length=100)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    direction = models.CharField(
        _("要求"),
        max_length=16,
        choices=Indicator.Direction.choices,
        default=Indicator.Direction.AT_LEAST,
    )
    target = models.DecimalField(
        _("目标值"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核标准指标")
        verbose_name_plural = _("考核标准指标")
        ordering = ["template", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "name"], name="template_item_name_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        _check_target(self.direction, self.target)


class DeadlineKind(models.TextChoices):
    """Table C deadlines of a contract."""

    ASSESSMENT_APPLICATION = "assessment_application", _("考核申请截止")
    RENEWAL_APPLICATION = "renewal_application", _("续租申请截止")
    ASSESSMENT_DECISION = "assessment_decision", _("考核完成截止")
    TRANSFER_APPLICATION = "transfer_application", _("转出让申请截止")
    TRANSFER_CONTRACT = "transfer_contract", _("签订出让合同截止")
    LAND_PRICE = "land_price", _("缴纳地价款截止")
    TITLE_REGISTRATION = "title_registration", _("不动产登记截止")
    EXIT = "exit", _("退出截止")


class ReminderDelivery(models.Model):
    """One reminder (contract × deadline × due date × lead time), claimed before it is sent.

    The unique constraint makes the claim: two sweeps or two workers insert the same key, only
    one row exists, and only the worker whose conditional UPDATE sets claim_token sends it.
    lead_days 0 is the overdue reminder.
    """

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("合同")
    )
    kind = models.CharField(_("期限"), max_length=24, choices=DeadlineKind.choices)
    due_date = models.DateField(_("截止日"))
    lead_days = models.PositiveSmallIntegerField(_("提前天数"), help_text=_("0 表示逾期提醒"))
    # No index of its own: every statement that reads it finds the row by its key first (an
    # index here made PostgreSQL find a sweep's row among all the rows it claimed, per reminder).
    claim_token = models.UUIDField(_("认领标记"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    resumed = models.BooleanField(
        _("中断后重发"),
        default=False,
        help_text=_(
            "认领它的扫描在发送途中中断（进程被终止），由后来的扫描接手发送；"
            "中断时正在发送的那一条，收件人可能收到两次"
        ),
    )
    last_error = models.TextField(_("最近错误"), blank=True)
    recipients = models.TextField(_("收件人"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到期提醒")
        verbose_name_plural = _("到期提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "due_date", "lead_days"], name="reminder_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="reminder_pending")]

    def __str__(self):
        return f"{self.contract_id} {self.kind} {self.due_date} −{self.lead_days}"
