"""Annual supply plans (年度建设用地供应计划) and the rule parameters that govern them.

A plan (one per jurisdiction and year) has a total (R1), a tree of category targets (R2, R10),
ring share targets (R3), policy ratio targets (R4), a city/district responsibility split with
per-district allocations and a net reduction target (R5), and quarterly milestones (R6).
Plan-level rule parameters (milestone defaults, adjustment deadline, mid-year supplement,
R6/R7) are data of the jurisdiction: `PlanRuleSet`, with an effective date and citation.

Area is hectares (Decimal, four places); percentages are Decimal with two places.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from landsupply.leads import validate_lead_days
from landsupply.models import District, Jurisdiction, Ring
from parcels.models import LandUseCategory

AREA = {"max_digits": 12, "decimal_places": 4}
PCT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class Comparison(models.TextChoices):
    GTE = "gte", "≥"
    GT = "gt", ">"


def _check_range(obj, low_field="target_min_ha", high_field="target_max_ha"):
    low, high = getattr(obj, low_field), getattr(obj, high_field)
    if (low is None) != (high is None):
        raise ValidationError({high_field: _("目标下限与上限须同时填写（单一数值时两者相同）。")})
    if low is not None and low > high:
        raise ValidationError({high_field: _("目标上限不能小于下限。")})


class PlanRuleSet(models.Model):
    """Plan rule parameters of a jurisdiction from `effective_from` on (R6, R7)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="plan_rule_sets",
        verbose_name=_("辖区"),
    )
    effective_from = models.DateField(_("生效日期"))
    citation = models.CharField(_("依据（文件及条款）"), max_length=300)
    adjustment_deadline_month = models.PositiveSmallIntegerField(
        _("计划调整截止月"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("调整申请须在该日期之前报送；留空表示不设截止日期"),
    )
    adjustment_deadline_day = models.PositiveSmallIntegerField(
        _("计划调整截止日"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    reminder_lead_days = models.CharField(
        _("提醒提前天数"),
        max_length=64,
        default="30,7",
        validators=[validate_lead_days],
        help_text=_("计划调整截止日（R7）和季度节点（R6）提前提醒的天数，逗号分隔，例如 30,7"),
    )
    mid_year_supplement_allowed = models.BooleanField(
        _("允许年中增补"), default=False, help_text=_("市级可开放年中增补窗口（北京：年中增补）")
    )
    total_change_needs_override = models.BooleanField(
        _("调整计划总量须明确批准"),
        default=True,
        help_text=_("原则上保持原供地计划规模不变（R7）"),
    )
    reward_min_completion_pct = models.DecimalField(
        _("奖励：年度完成率不低于（%）"),
        null=True,
        blank=True,
        help_text=_("执行较好、给予新增建设用地指标奖励的完成率下限（R8）；留空表示不评定"),
        **PCT,
    )
    reward_requires_all_milestones = models.BooleanField(
        _("奖励须全部节点达标"), default=True, help_text=_("R6 季度节点全部达标方可建议奖励")
    )
    penalty_below_completion_pct = models.DecimalField(
        _("惩戒：年度完成率低于（%）"),
        null=True,
        blank=True,
        help_text=_("执行不力、核减下年新增建设用地指标的完成率界限（R8）；留空表示不评定"),
        **PCT,
    )
    penalty_suspension_months = models.PositiveSmallIntegerField(
        _("暂停批次报批（月）"),
        null=True,
        blank=True,
        help_text=_("执行不力时暂停建设用地批次报批的月数（R8）"),
    )
    ranking_citation = models.CharField(_("奖惩依据"), max_length=300, blank=True)

    history = HistoricalRecords(verbose_name=_("计划规则历史"))

    class Meta:
        verbose_name = _("计划规则")
        verbose_name_plural = _("计划规则")
        ordering = ["jurisdiction", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "effective_from"], name="plan_rule_set_unique_date"
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction} {self.effective_from:%Y-%m-%d}"

    def clean(self):
        if (self.adjustment_deadline_month is None) != (self.adjustment_deadline_day is None):
            raise ValidationError(
                {"adjustment_deadline_day": _("调整截止的月与日须同时填写或同时留空。")}
            )


class PlanRuleMilestone(models.Model):
    """A default quarterly milestone of a rule set: by month/day, cumulative % (R6)."""

    rule_set = models.ForeignKey(
        PlanRuleSet, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("计划规则")
    )
    month = models.PositiveSmallIntegerField(
        _("月"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("日"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    cumulative_pct = models.DecimalField(_("累计完成率（%）"), **PCT)

    class Meta:
        verbose_name = _("默认季度节点")
        verbose_name_plural = _("默认季度节点")
        ordering = ["rule_set", "month", "day"]

    def __str__(self):
        return f"{self.month}-{self.day} ≥{self.cumulative_pct}%"


class AnnualPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="annual_plans", verbose_name=_("辖区")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("计划名称"), max_length=200)
    source = models.CharField(_("来源文件"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    total_min_ha = models.DecimalField(_("供应总量下限（公顷）"), **AREA)
    total_max_ha = models.DecimalField(_("供应总量上限（公顷）"), **AREA)
    city_target_min_ha = models.DecimalField(
        _("市级责任指标下限（公顷）"), null=True, blank=True, **AREA
    )
    city_target_max_ha = models.DecimalField(
        _("市级责任指标上限（公顷）"), null=True, blank=True, **AREA
    )
    district_target_min_ha = models.DecimalField(
        _("区级责任指标下限（公顷）"), null=True, blank=True, **AREA
    )
    district_target_max_ha = models.DecimalField(
        _("区级责任指标上限（公顷）"), null=True, blank=True, **AREA
    )
    net_reduction_ha = models.DecimalField(
        _("城乡建设用地净减量（公顷）"), null=True, blank=True, **AREA
    )
    net_reduction_green_belt_ha = models.DecimalField(
        _("其中二绿地区减量（公顷）"), null=True, blank=True, **AREA
    )
    supplement_window_open = models.BooleanField(
        _("年中增补窗口已开放"), default=False, help_text=_("由市级工作人员开放（R7）")
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("计划历史"))

    class Meta:
        verbose_name = _("年度供地计划")
        verbose_name_plural = _("年度供地计划")
        ordering = ["jurisdiction", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="plan_unique_year"),
            models.CheckConstraint(
                condition=models.Q(total_min_ha__lte=models.F("total_max_ha")),
                name="plan_total_range",
            ),
        ]

    def __str__(self):
        return self.name or f"{self.jurisdiction}{self.year}年度供地计划"

    def get_absolute_url(self):
        return reverse("plans:overview") + f"?plan={self.pk}"

    def clean(self):
        _check_range(self, "total_min_ha", "total_max_ha")
        _check_range(self, "city_target_min_ha", "city_target_max_ha")
        _check_range(self, "district_target_min_ha", "district_target_max_ha")
        if (
            self.net_reduction_green_belt_ha is not None
            and self.net_reduction_ha is not None
            and self.net_reduction_green_belt_ha > self.net_reduction_ha
        ):
            raise ValidationError(
                {"net_reduction_green_belt_ha": _("二绿地区减量不能大于净减量总数（R5）。")}
            )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Responsibility(models.TextChoices):
    """Who carries a category of the plan (R5, 强化市区两级主体责任)."""

    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")


class CategoryTarget(models.Model):
    """One line of the plan's category tree (R2, R10). A single value has min == max; a line
    without a target (both empty) is listed for reporting only (e.g. rental housing, R10).

    Parcels count towards the line when their land-use category, or one of its ancestors, is
    linked in `land_use_categories`.
    """

    plan = models.ForeignKey(
        AnnualPlan,
        on_delete=models.CASCADE,
        related_name="category_targets",
        verbose_name=_("计划"),
    )
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级指标"),
    )
    target_min_ha = models.DecimalField(_("目标下限（公顷）"), null=True, blank=True, **AREA)
    target_max_ha = models.DecimalField(_("目标上限（公顷）"), null=True, blank=True, **AREA)
    land_use_categories = models.ManyToManyField(
        LandUseCategory,
        blank=True,
        related_name="plan_targets",
        verbose_name=_("计入的用地类型"),
        help_text=_("地块的用地类型或其上级类型在此列出时计入本指标"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    children_partition = models.BooleanField(
        _("下级指标之和构成本项"),
        default=True,
        help_text=_("不勾选表示下级为“其中”项（如保障性住宅用地属于住宅用地），可不填满本项（R2）"),
    )
    responsibility = models.CharField(
        _("责任主体"),
        max_length=8,
        choices=Responsibility.choices,
        blank=True,
        help_text=_("R5：由市级或区级落实的类别；用于核对市区两级责任指标与类别指标"),
    )

    history = HistoricalRecords(verbose_name=_("类别指标历史"))

    class Meta:
        verbose_name = _("用地类别指标")
        verbose_name_plural = _("用地类别指标")
        ordering = ["plan", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="category_target_code_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        _check_range(self)
        if self.parent_id and self.parent.plan_id != self.plan_id:
            raise ValidationError({"parent": _("上级指标必须属于同一计划。")})


class RingShareTarget(models.Model):
    """Target share of a ring (incl. its child rings) in the total supply (R3)."""

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="ring_targets", verbose_name=_("计划")
    )
    ring = models.ForeignKey(Ring, on_delete=models.PROTECT, verbose_name=_("圈层"))
    share_pct = models.DecimalField(_("目标占比（%）"), **PCT)
    tolerance_pct = models.DecimalField(
        _("允许偏差（百分点）"), default=Decimal("5.00"), help_text=_("“约占”目标的允许偏差"), **PCT
    )

    history = HistoricalRecords(verbose_name=_("圈层目标历史"))

    class Meta:
        verbose_name = _("圈层占比目标")
        verbose_name_plural = _("圈层占比目标")
        ordering = ["plan", "ring__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ring"], name="ring_target_unique"),
        ]

    def __str__(self):
        return f"{self.ring} ≈{self.share_pct}%"

    def clean(self):
        if self.ring_id and self.plan_id and self.ring.jurisdiction_id != self.plan.jurisdiction_id:
            raise ValidationError({"ring": _("圈层必须属于计划所在辖区。")})


class PolicyRatioTarget(models.Model):
    """A policy ratio (R4): area of parcels meeting `condition` ÷ area of parcels in
    `base_category` (all parcels when empty), compared with `threshold_pct`."""

    class Condition(models.TextChoices):
        KEY_FUNCTION_AREA = "kfa", _("位于重点功能区")
        RAIL_OR_KFA = "rail_or_kfa", _("位于轨道站点周边或重点功能区")
        STOCK = "stock", _("存量建设用地")

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="ratio_targets", verbose_name=_("计划")
    )
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)
    condition = models.CharField(_("条件"), max_length=16, choices=Condition.choices)
    base_category = models.ForeignKey(
        LandUseCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("基数用地类型"),
        help_text=_("留空表示全部供应用地"),
    )
    comparison = models.CharField(
        _("比较"), max_length=4, choices=Comparison.choices, default=Comparison.GTE
    )
    threshold_pct = models.DecimalField(_("目标比例（%）"), **PCT)
    citation = models.CharField(_("依据"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords(verbose_name=_("政策比例历史"))

    class Meta:
        verbose_name = _("政策比例目标")
        verbose_name_plural = _("政策比例目标")
        ordering = ["plan", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="ratio_target_code_unique"),
        ]

    def __str__(self):
        return f"{self.name} {self.get_comparison_display()}{self.threshold_pct}%"


class Milestone(models.Model):
    """Cumulative completion the plan must reach by `due_on` (R6)."""

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("计划")
    )
    due_on = models.DateField(_("节点日期"))
    cumulative_pct = models.DecimalField(_("累计完成率（%）"), **PCT)

    history = HistoricalRecords(verbose_name=_("节点历史"))

    class Meta:
        verbose_name = _("季度节点")
        verbose_name_plural = _("季度节点")
        ordering = ["plan", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_on"], name="milestone_unique_date"),
        ]

    def __str__(self):
        return f"{self.due_on:%Y-%m-%d} ≥{self.cumulative_pct}%"


class DistrictAllocation(models.Model):
    """A district's share of the plan (R5): its total (no category) or one category line."""

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("计划")
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("区"))
    category_target = models.ForeignKey(
        CategoryTarget,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("类别指标"),
        help_text=_("留空表示该区的总指标"),
    )
    target_min_ha = models.DecimalField(_("指标下限（公顷）"), **AREA)
    target_max_ha = models.DecimalField(_("指标上限（公顷）"), **AREA)
    net_reduction_ha = models.DecimalField(_("净减量任务（公顷）"), null=True, blank=True, **AREA)

    history = HistoricalRecords(verbose_name=_("分区指标历史"))

    class Meta:
        verbose_name = _("分区指标")
        verbose_name_plural = _("分区指标")
        ordering = ["plan", "district__sort_order", "category_target__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "district"],
                condition=models.Q(category_target__isnull=True),
                name="allocation_unique_district_total",
            ),
            models.UniqueConstraint(
                fields=["plan", "district", "category_target"],
                condition=models.Q(category_target__isnull=False),
                name="allocation_unique_district_category",
            ),
        ]

    def __str__(self):
        what = self.category_target or _("合计")
        return f"{self.district} {what} {self.target_min_ha}–{self.target_max_ha}"

    def clean(self):
        _check_range(self)
        if (
            self.district_id
            and self.plan_id
            and self.district.jurisdiction_id != self.plan.jurisdiction_id
        ):
            raise ValidationError({"district": _("区必须属于计划所在辖区。")})


class AdjustmentRequest(models.Model):
    """A district's request to change its part of a published plan (R7, 计划调整 / 年中增补).

    Drafted, then filed before the jurisdiction's deadline (or in an open mid-year supplement
    window), then approved or rejected by city staff. Approval applies the items to the plan once.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FILED = "filed", _("已报送")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("计划")
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("区"))
    reason = models.TextField(_("调整理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)
    total_override = models.BooleanField(_("批准调整计划总量"), default=False)
    applied_version = models.PositiveIntegerField(_("生效后计划版本"), null=True, blank=True)
    effect = models.JSONField(_("调整前后对比"), default=dict, blank=True)

    history = HistoricalRecords(verbose_name=_("计划调整历史"))

    class Meta:
        verbose_name = _("计划调整申请")
        verbose_name_plural = _("计划调整申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "status"])]

    def __str__(self):
        return f"{self.district} {self.plan.year} 调整 #{self.pk}"

    def get_absolute_url(self):
        return reverse("plans:adjustment_detail", args=[self.pk])

    def clean(self):
        if (
            self.district_id
            and self.plan_id
            and self.district.jurisdiction_id != self.plan.jurisdiction_id
        ):
            raise ValidationError({"district": _("区必须属于计划所在辖区。")})


class AdjustmentItem(models.Model):
    """One change of an adjustment request (R7): move area between category lines (or in/out of
    the plan total), add a listed parcel to the plan year, or withdraw one."""

    class Kind(models.TextChoices):
        MOVE_AREA = "move_area", _("类别间调剂面积")
        ADD_PARCEL = "add_parcel", _("增补地块")
        REMOVE_PARCEL = "remove_parcel", _("调出地块")

    request = models.ForeignKey(
        AdjustmentRequest, on_delete=models.CASCADE, related_name="items", verbose_name=_("申请")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    from_target = models.ForeignKey(
        CategoryTarget,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调出类别"),
        help_text=_("留空表示增加计划总量"),
    )
    to_target = models.ForeignKey(
        CategoryTarget,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调入类别"),
        help_text=_("留空表示减少计划总量"),
    )
    area_ha = models.DecimalField(
        _("面积（公顷）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"))],
        **AREA,
    )
    parcel = models.ForeignKey(
        "parcels.Parcel", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("地块")
    )

    class Meta:
        verbose_name = _("调整事项")
        verbose_name_plural = _("调整事项")
        ordering = ["request", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.parcel or ''}{self.area_ha or ''}"

    def clean(self):
        if self.kind == self.Kind.MOVE_AREA:
            if not self.area_ha:
                raise ValidationError({"area_ha": _("调剂面积须填写（公顷）。")})
            if self.from_target_id is None and self.to_target_id is None:
                raise ValidationError({"to_target": _("调出类别与调入类别至少填写一个。")})
            if self.from_target_id and self.from_target_id == self.to_target_id:
                raise ValidationError({"to_target": _("调出与调入类别不能相同。")})
        elif self.parcel_id is None:
            raise ValidationError({"parcel": _("增补或调出地块时须选择地块。")})

    @property
    def changes_total(self) -> bool:
        return self.kind == self.Kind.MOVE_AREA and (
            self.from_target_id is None or self.to_target_id is None
        )


class DistrictSubmission(models.Model):
    """A district's parcel list for a published plan's year (R9, 计划指标对应用地清单).

    The list is every parcel of the district with the plan year that is not withdrawn, minus the
    parcels the district excluded. Drafted (or returned), submitted, then returned with comments
    or accepted by city staff; each transition is a `SubmissionEvent`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已接收")

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("计划")
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("区"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    excluded_parcels = models.ManyToManyField(
        "parcels.Parcel",
        blank=True,
        related_name="+",
        verbose_name=_("不纳入清单的地块"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("用地清单申报历史"))

    class Meta:
        verbose_name = _("用地清单申报")
        verbose_name_plural = _("用地清单申报")
        ordering = ["plan", "district__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "district"], name="submission_unique_district"),
        ]

    def __str__(self):
        return f"{self.district} {self.plan.year} 用地清单"

    def get_absolute_url(self):
        return reverse("plans:submission_detail", args=[self.pk])

    def clean(self):
        if (
            self.district_id
            and self.plan_id
            and self.district.jurisdiction_id != self.plan.jurisdiction_id
        ):
            raise ValidationError({"district": _("区必须属于计划所在辖区。")})

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class SubmissionEvent(models.Model):
    """One transition of a district submission: who, when, with what comment and list (R9)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("报送")
        RETURN = "return", _("退回")
        ACCEPT = "accept", _("接收")

    submission = models.ForeignKey(
        DistrictSubmission, on_delete=models.CASCADE, related_name="events", verbose_name=_("申报")
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    comment = models.TextField(_("意见"), blank=True)
    parcel_count = models.PositiveIntegerField(_("清单地块数"), default=0)
    listed_ha = models.DecimalField(_("清单面积（公顷）"), default=Decimal("0"), **AREA)

    class Meta:
        verbose_name = _("申报办理记录")
        verbose_name_plural = _("申报办理记录")
        ordering = ["submission", "at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class MilestoneFlag(models.Model):
    """A milestone found missed at its date, for the whole plan (no district) or one district.

    Stored when first seen, so the flag stays even if supplies are later back-dated (R6).
    """

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="flags", verbose_name=_("节点")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("区"),
        help_text=_("留空表示全计划"),
    )
    required_pct = models.DecimalField(_("要求累计完成率（%）"), **PCT)
    reached_pct = models.DecimalField(
        _("节点日实际完成率（%）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    flagged_at = models.DateTimeField(_("标记时间"))

    class Meta:
        verbose_name = _("节点未达标记录")
        verbose_name_plural = _("节点未达标记录")
        ordering = ["milestone", "district__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"],
                condition=models.Q(district__isnull=True),
                name="milestone_flag_unique_plan",
            ),
            models.UniqueConstraint(
                fields=["milestone", "district"],
                condition=models.Q(district__isnull=False),
                name="milestone_flag_unique_district",
            ),
        ]

    def __str__(self):
        return f"{self.milestone} {self.district or _('全计划')} {self.reached_pct}%"


class PlanYearClose(models.Model):
    """The close of a plan year (年度结转): the year-end ranking and figures as of 31 December,
    stored when city staff close the year, so the ranking that the R8 reward and penalty rest
    on cannot change afterwards (supplies back-dated or entered late do not move it).
    """

    plan = models.OneToOneField(
        AnnualPlan, on_delete=models.CASCADE, related_name="year_close", verbose_name=_("计划")
    )
    as_of = models.DateField(_("统计截至"))
    closed_on = models.DateField(_("结转日期"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("结转人"),
    )
    ranking = models.JSONField(_("年度执行排名"), default=list)
    totals = models.JSONField(_("年度完成情况"), default=dict)

    class Meta:
        verbose_name = _("年度结转")
        verbose_name_plural = _("年度结转")

    def __str__(self):
        return f"{self.plan} {self.as_of:%Y-%m-%d}"


class ConsistencyExplanation(models.Model):
    """City staff's explanation of a consistency finding on a plan that is not an error to fix,
    e.g. a figure that differs in the source document itself (shown with the finding)."""

    plan = models.ForeignKey(
        AnnualPlan,
        on_delete=models.CASCADE,
        related_name="consistency_explanations",
        verbose_name=_("计划"),
    )
    check_code = models.CharField(
        _("检查项"), max_length=64, help_text=_("例如 R5-split-categories")
    )
    explanation = models.TextField(_("说明"))
    citation = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("一致性检查说明")
        verbose_name_plural = _("一致性检查说明")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "check_code"], name="consistency_explanation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.check_code}"
