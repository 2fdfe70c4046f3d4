"""Where parcels lie: boundaries, district outlines and the map layers that answer questions
(rail stations, key function areas).

Geometries are stored as WKB in CGCS2000 longitude/latitude (EPSG:4490) next to their bounding
box in four indexed float columns, so that the same tables work on SQLite and PostgreSQL with
no spatial extension: a viewport or overlap query reads only the rows whose box meets the
query's box (rules.py computes everything else). README "Maps and boundaries" says how this
moves to PostGIS.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from landsupply.models import District, Jurisdiction
from landsupply.storage import get_private_storage
from parcels.models import Parcel


class BoxedGeometry(models.Model):
    """A stored geometry (WKB, EPSG:4490) and its bounding box in degrees."""

    geometry = models.BinaryField(_("几何（WKB，CGCS2000 经纬度）"))
    min_x = models.FloatField(_("最小经度"))
    min_y = models.FloatField(_("最小纬度"))
    max_x = models.FloatField(_("最大经度"))
    max_y = models.FloatField(_("最大纬度"))

    class Meta:
        abstract = True

    @property
    def shape(self):
        """Return the stored geometry as a shapely geometry (longitude, latitude)."""
        from boundaries.rules import from_wkb

        return from_wkb(self.geometry)


class ParcelBoundary(BoxedGeometry):
    """The surveyed boundary of one parcel, with the area computed from it and the answers
    the map layers give about it (near a rail station, in a key function area)."""

    parcel = models.OneToOneField(
        Parcel, on_delete=models.CASCADE, related_name="boundary", verbose_name=_("地块")
    )
    zone_epsg = models.PositiveIntegerField(
        _("计算面积所用投影（EPSG）"), help_text=_("地块所在 3° 带的高斯-克吕格平面")
    )
    area_ha = models.DecimalField(
        _("图形面积（公顷）"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    declared_area_ha = models.DecimalField(
        _("文件所载面积（公顷）"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    source_format = models.CharField(_("来源格式"), max_length=32)
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    station_distance_m = models.FloatField(_("距最近轨道站点（米）"), null=True, blank=True)
    computed_near_rail = models.BooleanField(_("图形判定：轨道站点周边"), null=True, blank=True)
    computed_in_key_function_area = models.BooleanField(
        _("图形判定：位于重点功能区"), null=True, blank=True
    )
    computed_key_function_area_name = models.CharField(
        _("图形判定：重点功能区名称"), max_length=100, blank=True
    )
    imported_by = models.ForeignKey(
        "landsupply.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("地块界址")
        verbose_name_plural = _("地块界址")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area_ha__gt=0), name="boundary_area_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(min_x__lte=models.F("max_x"), min_y__lte=models.F("max_y")),
                name="boundary_box_ordered",
            ),
        ]
        indexes = [
            # Candidates of a box query: min_x in [west − span, east], then min_y in the index.
            models.Index(fields=["min_x", "min_y"], name="boundary_box_idx"),
        ]

    def __str__(self):
        return str(self.parcel)


class DistrictOutline(BoxedGeometry):
    """A district's administrative outline, the map's base layer (with its source)."""

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="outline", verbose_name=_("区")
    )
    source = models.CharField(_("数据来源"), max_length=300)

    class Meta:
        verbose_name = _("区界")
        verbose_name_plural = _("区界")

    def __str__(self):
        return str(self.district)


class MapLayerFeature(BoxedGeometry):
    """One feature of a reference layer of a jurisdiction: a rail station (point) or a key
    function area (polygon), loaded from a file with its source."""

    class Kind(models.TextChoices):
        RAIL_STATION = "rail_station", _("轨道站点")
        KEY_FUNCTION_AREA = "key_function_area", _("重点功能区")

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="map_features",
        verbose_name=_("辖区"),
    )
    kind = models.CharField(_("图层"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("数据来源"), max_length=300)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("参考图层要素")
        verbose_name_plural = _("参考图层要素")
        ordering = ["jurisdiction", "kind", "name"]
        indexes = [models.Index(fields=["jurisdiction", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class SpatialRuleSet(models.Model):
    """The jurisdiction's parameters of the geometric answers (R4): how near is "near a rail
    station", how much of a parcel must lie in a key function area."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="spatial_rules",
        verbose_name=_("辖区"),
    )
    rail_station_distance_m = models.PositiveIntegerField(
        _("轨道站点周边距离（米）"), default=500, validators=[MinValueValidator(1)]
    )
    key_function_area_min_share = models.DecimalField(
        _("位于重点功能区的最小面积占比"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("地块面积落在重点功能区内的比例不低于此值即视为位于其中"),
    )
    citation = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("空间判定参数")
        verbose_name_plural = _("空间判定参数")

    def __str__(self):
        return str(self.jurisdiction)


class BoundaryImport(models.Model):
    """One uploaded boundary file of a district: its checked preview, then its import."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("有错误，未导入")
        READY = "ready", _("待确认")
        DONE = "done", _("已导入")

    user = models.ForeignKey(
        "landsupply.User",
        on_delete=models.CASCADE,
        related_name="boundary_imports",
        verbose_name=_("上传人"),
    )
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="boundary_imports", verbose_name=_("区")
    )
    file = models.FileField(
        _("文件"), upload_to="boundary_imports/%Y/%m/", storage=get_private_storage
    )
    original_name = models.CharField(_("原文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    report = models.JSONField(_("检查结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("界址导入")
        verbose_name_plural = _("界址导入")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"
