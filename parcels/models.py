"""Parcels (地块) and the land-use categories they are classified by.

Area is kept in hectares as Decimal with four places; money in yuan with two (DOMAIN.md).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from landsupply.models import District, Ring
from landsupply.storage import get_private_storage


class LandUseCategory(models.Model):
    """A land-use category (用地类型). Categories nest: affordable housing ⊂ residential."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    gb_code = models.CharField(
        _("GB/T 21010-2017 代码"), max_length=16, blank=True, help_text=_("国标对应的一级/二级类")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级类别"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("用地类型")
        verbose_name_plural = _("用地类型")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class LandSource(models.TextChoices):
    NEW = "new", _("新增建设用地")
    STOCK = "stock", _("存量建设用地")


class SupplyMethod(models.TextChoices):
    ALLOCATION = "allocation", _("划拨")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    LISTING = "listing", _("挂牌")
    AGREEMENT = "agreement", _("协议")
    LEASE_THEN_TRANSFER = "lease_then_transfer", _("先租后让")
    LONG_TERM_LEASE = "long_term_lease", _("长期租赁")
    FLEXIBLE_TERM = "flexible_term", _("弹性年期")


class ParcelQuerySet(models.QuerySet):
    def counted_in_plan(self):
        """The parcels that count in a plan's figures: all but those pending inclusion (待纳入).

        The one place this predicate lives; every plan figure (planned, supplied, rings,
        ratios, milestones, districts, ranking, submissions) starts from it. A parcel a district
        adds to a year whose plan is published waits here until an approved adjustment (or an
        open mid-year supplement window) takes it in. Rule R7, R9.
        """
        return self.filter(inclusion_pending=False)

    def pending_inclusion(self):
        """The parcels added to a published year's list and not yet taken into the plan (R7)."""
        return self.filter(inclusion_pending=True).exclude(status="withdrawn")


class Parcel(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("计划供应")
        SUPPLIED = "supplied", _("已供应")
        WITHDRAWN = "withdrawn", _("已调出")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="parcels", verbose_name=_("区")
    )
    code = models.CharField(_("地块编号"), max_length=64)
    name = models.CharField(_("地块名称"), max_length=200)
    location = models.CharField(_("坐落"), max_length=200, blank=True)
    ring = models.ForeignKey(
        Ring,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcels",
        verbose_name=_("圈层"),
        help_text=_("默认取所在区的圈层，可逐块修改"),
    )
    category = models.ForeignKey(
        LandUseCategory,
        on_delete=models.PROTECT,
        related_name="parcels",
        verbose_name=_("用地类型"),
    )
    area_ha = models.DecimalField(
        _("面积（公顷）"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    land_source = models.CharField(
        _("存量/新增"), max_length=8, choices=LandSource.choices, default=LandSource.NEW
    )
    supply_method = models.CharField(
        _("供应方式"), max_length=24, choices=SupplyMethod.choices, default=SupplyMethod.LISTING
    )
    in_key_function_area = models.BooleanField(_("位于重点功能区"), default=False)
    key_function_area_name = models.CharField(_("重点功能区名称"), max_length=100, blank=True)
    near_rail = models.BooleanField(_("轨道站点周边"), default=False)
    plan_year = models.PositiveSmallIntegerField(_("计划年度"))
    planned_quarter = models.PositiveSmallIntegerField(
        _("计划供应季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    supplied_on = models.DateField(_("供应日期"), null=True, blank=True)
    contract_number = models.CharField(_("合同编号"), max_length=64, blank=True)
    transaction_price = models.DecimalField(
        _("成交价（元）"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    awardee = models.CharField(_("受让人/承租人"), max_length=200, blank=True)
    inclusion_pending = models.BooleanField(
        _("待纳入"),
        default=False,
        help_text=_(
            "区级在计划已发布的年度新增的地块，经批准的计划调整（增补地块）或年中增补窗口纳入前，"
            "不计入任何计划数字"
        ),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ParcelQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("地块历史"))

    class Meta:
        verbose_name = _("地块")
        verbose_name_plural = _("地块")
        ordering = ["district_id", "code"]  # served by the (district, code) unique index
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"], name="parcel_code_unique_in_district"
            ),
            models.CheckConstraint(condition=models.Q(area_ha__gt=0), name="parcel_area_positive"),
            models.CheckConstraint(
                condition=models.Q(planned_quarter__gte=1, planned_quarter__lte=4),
                name="parcel_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="supplied") | models.Q(supplied_on__isnull=False),
                name="supplied_parcel_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "plan_year", "status"]),
            models.Index(fields=["plan_year", "status"]),
            models.Index(fields=["category", "plan_year"]),
            # The few parcels pending inclusion (待纳入, R7), listed on the plan overview and the
            # adjustment form: an index of those rows only, so the list never scans the year.
            models.Index(
                fields=["plan_year", "district"],
                condition=models.Q(inclusion_pending=True),
                name="parcel_pending_inclusion",
            ),
            # The public page's offered parcels (先租后让, planned; R24) in its keyset order: a
            # deep page seeks among those rows only, not among every parcel of the district.
            models.Index(
                fields=["district", "code"],
                condition=models.Q(supply_method="lease_then_transfer", status="planned"),
                name="parcel_offered_public",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        if self.ring_id is None and self.district_id:
            self.ring_id = self.district.default_ring_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("parcels:detail", args=[self.pk])

    def clean(self):
        if self.ring_id is None and self.district_id:
            self.ring_id = self.district.default_ring_id
        if (
            self.ring_id
            and self.district_id
            and self.ring.jurisdiction_id != self.district.jurisdiction_id
        ):
            raise ValidationError({"ring": _("圈层必须属于地块所在区的辖区。")})
        if self.status == self.Status.SUPPLIED and not self.supplied_on:
            raise ValidationError({"supplied_on": _("已供应的地块必须填写供应日期。")})

    @property
    def jurisdiction_id(self):
        return self.district.jurisdiction_id

    @property
    def area_mu(self) -> Decimal:
        from parcels.units import hectares_to_mu

        return hectares_to_mu(self.area_ha)


class _FigureKey(models.Model):
    """The dimensions plan figures are broken down by (plans.selectors.plan_progress): plan year,
    district, land-use category, ring (0: none), land source, key function area, near rail.
    Plain integers, not foreign keys: rows are written by database triggers (parcels.figures)."""

    plan_year = models.PositiveSmallIntegerField()
    district_id = models.BigIntegerField()
    category_id = models.BigIntegerField()
    ring_id = models.BigIntegerField(help_text="0 when the parcel has no ring")
    land_source = models.CharField(max_length=8)
    in_key_function_area = models.BooleanField()
    near_rail = models.BooleanField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.plan_year} {self.district_id}"


KEY_FIELDS = (
    "plan_year",
    "district_id",
    "category_id",
    "ring_id",
    "land_source",
    "in_key_function_area",
    "near_rail",
)


class PlanFigure(_FigureKey):
    """Kept sums of the parcels that count in plan figures (parcels.figures.member_sql), per
    key: planned area and supplied area (any supply date), in square metres (= 0.0001 ha, the
    parcels' precision, so the sums are exact integers on SQLite too), and the parcel count.
    Maintained by database triggers in the transaction of every parcel write."""

    planned_m2 = models.BigIntegerField(default=0)
    supplied_m2 = models.BigIntegerField(default=0)
    parcels = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("计划口径汇总")
        constraints = [models.UniqueConstraint(fields=KEY_FIELDS, name="plan_figure_key")]

    def __str__(self):
        return f"{self.plan_year} {self.district_id} {self.category_id}"


class PlanFigureDay(_FigureKey):
    """Kept supplied area (m²) per key and supply date, for figures as of a past date: the
    area supplied after that date is subtracted from PlanFigure.supplied_m2. Triggers."""

    supplied_on = models.DateField()
    supplied_m2 = models.BigIntegerField(default=0)
    parcels = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("计划口径按日供应汇总")
        constraints = [
            models.UniqueConstraint(fields=[*KEY_FIELDS, "supplied_on"], name="plan_figure_day_key")
        ]
        indexes = [models.Index(fields=["plan_year", "supplied_on"])]

    def __str__(self):
        return f"{self.plan_year} {self.district_id} {self.supplied_on}"


class DistrictSupplyDay(models.Model):
    """Kept supplied area (m²) per plan year, district and supply date (≤ 366 rows per district
    and year): milestones and the cumulative curve. Triggers (parcels.figures)."""

    plan_year = models.PositiveSmallIntegerField()
    district_id = models.BigIntegerField()
    supplied_on = models.DateField()
    supplied_m2 = models.BigIntegerField(default=0)
    parcels = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("分区按日供应汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_year", "district_id", "supplied_on"], name="district_supply_day_key"
            )
        ]

    def __str__(self):
        return f"{self.plan_year} {self.district_id} {self.supplied_on}"


class ParcelImport(models.Model):
    """One uploaded parcel ledger (台账) file: its checked preview, then its confirmed import.

    A row exists only for a file that passed the upload checks (landsupply.uploads). The file is
    kept in private storage and read through the storage API, so a Celery worker on another
    machine can read it; progress and a heartbeat are written to this row. Errors are
    [{"row": n, "column": header, "message": text}].

    pending → checking → ready | invalid; ready → queued → running → done | failed. A row in
    progress without a heartbeat for PARCEL_IMPORT_TIMEOUT_MINUTES becomes failed (its worker
    died); a failed import can be retried from the check.
    """

    class Status(models.TextChoices):
        INVALID = "invalid", _("有错误，未导入")
        PENDING = "pending", _("等待校验")
        CHECKING = "checking", _("校验中")
        READY = "ready", _("待确认")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败，未导入任何数据")

    user = models.ForeignKey(
        "landsupply.User",
        on_delete=models.CASCADE,
        related_name="parcel_imports",
        verbose_name=_("上传人"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parcel_imports",
        verbose_name=_("限定区"),
        help_text=_("为空时文件可包含本辖区任一区的地块"),
    )
    file = models.FileField(
        _("文件"), upload_to="parcel_imports/%Y/%m/", storage=get_private_storage
    )
    original_name = models.CharField(_("原文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    phase = models.CharField(_("当前步骤"), max_length=64, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    changed_count = models.PositiveIntegerField(_("变更"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(
        _("最近进展时间"),
        null=True,
        blank=True,
        help_text=_("校验或导入进程最近一次报告进度的时间"),
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    IN_PROGRESS = (Status.PENDING, Status.CHECKING, Status.QUEUED, Status.RUNNING)

    class Meta:
        verbose_name = _("地块台账导入")
        verbose_name_plural = _("地块台账导入")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("parcels:import_detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        """Whether a worker is still to check or import the file."""
        return self.status in self.IN_PROGRESS

    @property
    def percent(self) -> int:
        """Share of rows processed so far, 0–100."""
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
