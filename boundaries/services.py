"""Writes of boundaries: the all-or-nothing boundary import, reference layers, district
outlines, and the answers the layers give about each boundary (R4).

The import reads a file (boundaries.readers), matches each boundary to a parcel of the district
by its code, checks it (boundaries.rules: ring validity, zone, area against the stated and the
ledger area, overlaps with every other stored boundary and with the rest of the file) and
stores all of them, or none when anything is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from boundaries import readers, rules, selectors
from boundaries.models import BoundaryImport, DistrictOutline, MapLayerFeature, ParcelBoundary
from boundaries.readers import RawBoundary, ReadResult
from boundaries.rules import GeometryError, Zone
from boundaries.selectors import SpatialLayers
from boundaries.upload_checks import check_boundary_upload
from landsupply.models import District, Jurisdiction, User
from parcels.models import Parcel


@dataclass
class CheckedBoundary:
    raw: RawBoundary
    parcel: Parcel
    zone: Zone
    lonlat: BaseGeometry
    plane: BaseGeometry
    area_ha: Decimal
    overlaps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)


@dataclass
class BoundaryImportReport:
    """What an import found: one row per boundary that could be read, and every error."""

    file_format: str
    checked: list[CheckedBoundary] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self, *, geometry: bool = False) -> dict:
        """Return {"parcels": [{code, area_ha, declared_area_ha, ledger_area_ha, overlaps, …}],
        "errors": [{code, where, message}]}; areas are strings with 4 places (hectares);
        `geometry` adds each boundary as GeoJSON (longitude/latitude) for a preview map."""
        parcels = []
        for item in self.checked:
            row = {
                "code": item.parcel.code,
                "name": item.parcel.name,
                "area_ha": str(item.area_ha),
                "declared_area_ha": _text(item.raw.declared_area_ha),
                "ledger_area_ha": str(item.parcel.area_ha),
                "overlaps": item.overlaps,
                "warnings": item.warnings,
                "zone": item.zone.number,
                "near_rail": item.answers.get("computed_near_rail"),
                "in_key_function_area": item.answers.get("computed_in_key_function_area"),
            }
            if geometry:
                row["geometry"] = rules.to_geojson(item.lonlat)
            parcels.append(row)
        return {
            "format": self.file_format,
            "written": self.written,
            "parcels": parcels,
            "errors": self.errors,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(rules.HECTARE_PLACES))


def boundary_import(
    *,
    district: District,
    data: bytes,
    source_name: str,
    user: User | None = None,
    dry_run: bool = False,
    file_format: str | None = None,
) -> BoundaryImportReport:
    """Return the report of importing one boundary file into `district`; write nothing unless
    every boundary passes (all or nothing), nothing at all when `dry_run`.

    Refused (each error names the parcel and the place): a code that is not a parcel of the
    district, a code twice in the file, a ring that crosses itself or is not closed, a wrong or
    inconsistent zone (a boundary outside its district's outline by more than
    settings.BOUNDARIES_DISTRICT_MARGIN_M), a stated area off the computed one by more than
    settings.BOUNDARIES_AREA_TOLERANCE, and an overlap with another parcel's boundary (stored,
    or elsewhere in the file) beyond settings.BOUNDARIES_OVERLAP_TOLERANCE_M2, naming both
    parcels and the overlap in hectares. A ledger area off the computed one is a warning.
    Raises readers.BoundaryFileError when the file as a whole cannot be read.

    Writes lock the district's jurisdiction row first, so two imports that could overlap each
    other are checked one after the other.
    """
    result = readers.read_boundaries(data, file_format=file_format)
    report = BoundaryImportReport(file_format=result.format, errors=list(result.errors))
    with transaction.atomic():
        if not dry_run:
            Jurisdiction.objects.select_for_update().get(pk=district.jurisdiction_id)
        _check(result, district=district, report=report)
        if report.ok and report.checked and not dry_run:
            _store(report, source_name=source_name, user=user)
            report.written = True
    return report


def _check(result: ReadResult, *, district: District, report: BoundaryImportReport) -> None:
    codes = [raw.code for raw in result.boundaries]
    parcels = {p.code: p for p in Parcel.objects.filter(district=district, code__in=codes)}
    outline = DistrictOutline.objects.filter(district=district).first()
    layers = selectors.spatial_layers(jurisdiction_id=district.jurisdiction_id)
    tolerance = Decimal(str(settings.BOUNDARIES_AREA_TOLERANCE))
    seen: set[str] = set()
    for raw in result.boundaries:
        if raw.code in seen:
            report.errors.append(_error(raw, _("地块编号在文件中重复出现。")))
            continue
        seen.add(raw.code)
        parcel = parcels.get(raw.code)
        if parcel is None:
            report.errors.append(
                _error(raw, _("%(district)s没有编号为 %(code)s 的地块。") % _names(district, raw))
            )
            continue
        try:
            item = _measure(raw, parcel)
        except GeometryError as exc:
            report.errors.append(_error(raw, exc.message))
            continue
        if outline is not None:
            message = _outside_district(item, outline, district)
            if message:
                report.errors.append(_error(raw, message))
                continue
        if raw.declared_area_ha is not None and not rules.area_matches(
            item.area_ha, raw.declared_area_ha, tolerance=tolerance
        ):
            report.errors.append(
                _error(
                    raw,
                    _(
                        "文件所载面积 %(stated)s 公顷与图形面积 %(computed)s 公顷不符（容差 %(tol)s）。"
                    )
                    % {
                        "stated": raw.declared_area_ha,
                        "computed": item.area_ha,
                        "tol": f"{tolerance:%}",
                    },
                )
            )
        if not rules.area_matches(item.area_ha, parcel.area_ha, tolerance=tolerance):
            item.warnings.append(
                _("台账面积 %(ledger)s 公顷与图形面积 %(computed)s 公顷不符。")
                % {"ledger": parcel.area_ha, "computed": item.area_ha}
            )
        item.answers = spatial_answers(lonlat=item.lonlat, zone=item.zone, layers=layers)
        report.checked.append(item)
    _check_overlaps(report)


def _names(district: District, raw: RawBoundary) -> dict:
    return {"district": district.name, "code": raw.code}


def _error(raw: RawBoundary, message: str) -> dict:
    return {"code": raw.code, "where": raw.where, "message": message}


def _measure(raw: RawBoundary, parcel: Parcel) -> CheckedBoundary:
    problems = rules.polygon_problems(raw.geometry)
    if problems:
        raise GeometryError(" ".join(problems))
    lonlat = rules.transform(raw.geometry, raw.source_epsg, rules.CGCS2000)
    zone = raw.zone or rules.parcel_zone(lonlat)
    west, south, east, north = rules.bounds(lonlat)
    span = settings.BOUNDARIES_MAX_SPAN_DEG
    if east - west > span or north - south > span:
        raise GeometryError(
            _("边界范围超过 %(span)s 度，不像一块宗地：请检查坐标和带号。") % {"span": span}
        )
    if abs(lonlat.centroid.x - zone.central_meridian) > zone.width / 2 + 0.5:
        raise GeometryError(
            _("地块位于东经 %(lon).2f°，不在%(zone)s内：带号错误？")
            % {"lon": lonlat.centroid.x, "zone": zone}
        )
    plane = rules.transform(raw.geometry, raw.source_epsg, zone.epsg_plane)
    return CheckedBoundary(
        raw=raw,
        parcel=parcel,
        zone=zone,
        lonlat=lonlat,
        plane=plane,
        area_ha=rules.area_ha(plane),
    )


def _outside_district(
    item: CheckedBoundary, outline: DistrictOutline, district: District
) -> str | None:
    outline_plane = rules.to_plane(outline.shape, item.zone)
    distance = outline_plane.distance(item.plane.centroid)
    if distance <= settings.BOUNDARIES_DISTRICT_MARGIN_M:
        return None
    return _(
        "地块位于%(district)s区界以外约 %(km).1f 公里（东经 %(lon).4f°，北纬 %(lat).4f°）：带号或坐标错误？"
    ) % {
        "district": district.name,
        "km": distance / 1000,
        "lon": item.lonlat.centroid.x,
        "lat": item.lonlat.centroid.y,
    }


def _check_overlaps(report: BoundaryImportReport) -> None:
    tolerance = settings.BOUNDARIES_OVERLAP_TOLERANCE_M2
    in_file = {item.parcel.pk for item in report.checked}
    # Overlaps inside the file: an STR tree over the file's own boundaries.
    tree = STRtree([item.lonlat for item in report.checked])
    for index, item in enumerate(report.checked):
        others = [
            (report.checked[j], rules.to_plane(report.checked[j].lonlat, item.zone))
            for j in tree.query(item.lonlat)
            if j > index
        ]
        for overlap in rules.find_overlaps(item.plane, others, tolerance_m2=tolerance):
            other = overlap.key
            _refuse_overlap(report, item, other.parcel.code, other.parcel.district.name, overlap)
            other.overlaps.append(item.parcel.code)
    # Overlaps with stored boundaries of parcels not in this file.
    for item in report.checked:
        for overlap in stored_overlaps(
            lonlat=item.lonlat, plane=item.plane, zone=item.zone, exclude_parcel_ids=in_file
        ):
            _refuse_overlap(report, item, overlap.key.code, overlap.key.district, overlap)


def stored_overlaps(
    *, lonlat: BaseGeometry, plane: BaseGeometry, zone: Zone, exclude_parcel_ids=()
) -> list[rules.Overlap]:
    """Return the overlaps (beyond settings.BOUNDARIES_OVERLAP_TOLERANCE_M2) of one boundary
    with the stored boundaries of every other parcel; each Overlap's key is a
    selectors.Candidate (parcel code, district). Reads only the rows whose bounding box meets
    the boundary's (the box index), measures on the boundary's zone plane."""
    candidates = selectors.boundary_candidates(
        box=rules.bounds(lonlat), exclude_parcel_ids=exclude_parcel_ids
    )
    others = [
        (candidate, rules.to_plane(rules.from_wkb(candidate.geometry), zone))
        for candidate in candidates
    ]
    return rules.find_overlaps(plane, others, tolerance_m2=settings.BOUNDARIES_OVERLAP_TOLERANCE_M2)


def _refuse_overlap(report, item: CheckedBoundary, other_code: str, other_district: str, overlap):
    item.overlaps.append(other_code)
    report.errors.append(
        {
            "code": item.parcel.code,
            "where": item.raw.where,
            "message": _(
                "地块 %(code)s 与%(district)s地块 %(other)s 的界址重叠 %(ha)s 公顷（%(m2).1f 平方米）。"
            )
            % {
                "code": item.parcel.code,
                "district": other_district,
                "other": other_code,
                "ha": overlap.area_ha,
                "m2": overlap.area_m2,
            },
        }
    )


def _store(report: BoundaryImportReport, *, source_name: str, user: User | None) -> None:
    existing = {
        b.parcel_id: b
        for b in ParcelBoundary.objects.filter(parcel__in=[i.parcel for i in report.checked])
    }
    to_create, to_update = [], []
    for item in report.checked:
        boundary = existing.get(item.parcel.pk) or ParcelBoundary(parcel=item.parcel)
        _fill(boundary, item.lonlat)
        boundary.zone_epsg = item.zone.epsg_plane
        boundary.area_ha = item.area_ha
        boundary.declared_area_ha = item.raw.declared_area_ha
        boundary.source_format = report.file_format
        boundary.source_name = source_name[:255]
        boundary.imported_by = user
        boundary.imported_at = timezone.now()
        for name, value in item.answers.items():
            setattr(boundary, name, value)
        boundary.full_clean(exclude=["parcel"])
        (to_update if boundary.pk else to_create).append(boundary)
    ParcelBoundary.objects.bulk_create(to_create)
    if to_update:
        ParcelBoundary.objects.bulk_update(
            to_update,
            [
                "geometry",
                "min_x",
                "min_y",
                "max_x",
                "max_y",
                "zone_epsg",
                "area_ha",
                "declared_area_ha",
                "source_format",
                "source_name",
                "imported_by",
                "imported_at",
                *ANSWER_FIELDS,
            ],
        )


def _fill(row, lonlat: BaseGeometry) -> None:
    row.geometry = rules.to_wkb(lonlat)
    row.min_x, row.min_y, row.max_x, row.max_y = rules.bounds(lonlat)


# --- Answers of the reference layers (R4) ---------------------------------------------------

ANSWER_FIELDS = [
    "station_distance_m",
    "computed_near_rail",
    "computed_in_key_function_area",
    "computed_key_function_area_name",
]


def spatial_answers(*, lonlat: BaseGeometry, zone: Zone, layers: SpatialLayers) -> dict:
    """Return the geometric answers about one boundary, keyed by ParcelBoundary field:
    distance to the nearest rail station (metres) and whether it is within the jurisdiction's
    distance; whether at least the jurisdiction's share of its area lies in a key function
    area, and which. None where the jurisdiction has no such layer. Rule R4 (北京市2024年度
    建设用地供应计划: 轨道站点周边, 重点功能区)."""
    plane = rules.to_plane(lonlat, zone)
    answers = {
        "station_distance_m": None,
        "computed_near_rail": None,
        "computed_in_key_function_area": None,
        "computed_key_function_area_name": "",
    }
    if layers.stations:
        distance = rules.nearest_distance_m(
            plane, (rules.to_plane(point, zone) for point in _near(layers.stations, lonlat))
        )
        if distance is None:  # no station within a degree: far
            answers["computed_near_rail"] = False
        else:
            answers["station_distance_m"] = round(distance, 1)
            answers["computed_near_rail"] = distance <= layers.rail_distance_m
    if layers.areas:
        best_name, best_share = "", 0.0
        for name, area in layers.areas:
            if not area.intersects(lonlat):
                continue
            share = rules.share_inside(plane, rules.to_plane(area, zone))
            if share > best_share:
                best_name, best_share = name, share
        inside = best_share >= layers.area_min_share
        answers["computed_in_key_function_area"] = inside
        answers["computed_key_function_area_name"] = best_name if inside else ""
    return answers


def _near(points, lonlat: BaseGeometry, pad: float = 1.0):
    west, south, east, north = rules.bounds(lonlat)
    return [
        p for p in points if west - pad <= p.x <= east + pad and south - pad <= p.y <= north + pad
    ]


@transaction.atomic
def boundary_answers_refresh(*, jurisdiction: Jurisdiction) -> int:
    """Recompute the layer answers of every boundary in `jurisdiction` (after its layers or
    parameters change). Returns the number of boundaries updated."""
    layers = selectors.spatial_layers(jurisdiction_id=jurisdiction.pk)
    rows = list(
        ParcelBoundary.objects.filter(parcel__district__jurisdiction=jurisdiction).only(
            "id", "geometry", "zone_epsg", *ANSWER_FIELDS
        )
    )
    for row in rows:
        shape = row.shape
        zone = rules.zone_of_epsg(row.zone_epsg) or rules.parcel_zone(shape)
        for name, value in spatial_answers(lonlat=shape, zone=zone, layers=layers).items():
            setattr(row, name, value)
    ParcelBoundary.objects.bulk_update(rows, ANSWER_FIELDS, batch_size=1000)
    return len(rows)


@transaction.atomic
def map_layer_load(
    *,
    jurisdiction: Jurisdiction,
    kind: str,
    features: list[tuple[str, BaseGeometry]],
    source: str,
    is_demo: bool = False,
) -> int:
    """Replace the `kind` layer (rail stations or key function areas) of `jurisdiction` with
    `features` [(name, geometry in longitude/latitude)], citing `source`, and refresh the
    answers of the jurisdiction's boundaries. Returns the number of features.

    Raises GeometryError when a station is not a point or an area not a valid polygon.
    """
    rows = []
    for name, shape in features:
        if kind == MapLayerFeature.Kind.RAIL_STATION and shape.geom_type != "Point":
            raise GeometryError(_("轨道站点“%(name)s”须为点。") % {"name": name})
        if kind == MapLayerFeature.Kind.KEY_FUNCTION_AREA:
            problems = rules.polygon_problems(shape)
            if problems:
                raise GeometryError(f"{name}: {' '.join(problems)}")
        row = MapLayerFeature(
            jurisdiction=jurisdiction, kind=kind, name=name[:100], source=source, is_demo=is_demo
        )
        _fill(row, shape)
        rows.append(row)
    MapLayerFeature.objects.filter(jurisdiction=jurisdiction, kind=kind).delete()
    MapLayerFeature.objects.bulk_create(rows)
    boundary_answers_refresh(jurisdiction=jurisdiction)
    return len(rows)


@transaction.atomic
def district_outlines_load(*, outlines: dict[str, BaseGeometry], source: str) -> int:
    """Store the outlines {district code: geometry in longitude/latitude} of the districts
    that exist, replacing earlier ones. Returns the number stored."""
    districts = {d.code: d for d in District.objects.filter(code__in=list(outlines))}
    count = 0
    for code, shape in outlines.items():
        district = districts.get(code)
        if district is None:
            continue
        row = DistrictOutline.objects.filter(district=district).first() or DistrictOutline(
            district=district
        )
        _fill(row, shape)
        row.source = source
        row.save()
        count += 1
    return count


# --- The upload page: preview, then confirm -------------------------------------------------


def _district_of(user: User) -> District:
    if user.role != User.Role.DISTRICT or not user.district_id:
        raise PermissionDenied(_("只有区级工作人员可以导入本区的地块界址。"))
    return user.district


def boundary_upload_create(*, user: User, uploaded_file) -> BoundaryImport:
    """Return a new BoundaryImport of `user`'s district holding the checked preview (a dry run)
    of `uploaded_file`: status READY when everything passes, INVALID otherwise.

    Raises PermissionDenied for anyone but district staff, BoundaryFileError when the upload
    checks or the reader refuse the file as a whole (nothing is stored then).
    """
    district = _district_of(user)
    checked = check_boundary_upload(uploaded_file, name=uploaded_file.name)
    report = boundary_import(
        district=district,
        data=checked.data,
        source_name=uploaded_file.name,
        dry_run=True,
        file_format=checked.format,
    )
    upload = BoundaryImport(
        user=user,
        district=district,
        original_name=uploaded_file.name[:255],
        status=BoundaryImport.Status.READY if report.ok else BoundaryImport.Status.INVALID,
        report=report.as_dict(geometry=True),
    )
    upload.file.save(uploaded_file.name, ContentFile(checked.data), save=False)
    upload.save()
    return upload


def boundary_upload_confirm(*, user: User, upload: BoundaryImport) -> BoundaryImport:
    """Import a previewed upload for real (all or nothing) and return it: DONE, or INVALID with
    the new report when something changed since the preview (e.g. a neighbour's boundary).

    Raises PermissionDenied when `user` is not its uploader or no longer district staff of its
    district, ValueError (for the page) when it is not awaiting confirmation, BoundaryFileError
    (a ValueError) when the stored file no longer passes the upload checks.
    """
    with transaction.atomic():
        upload = BoundaryImport.objects.select_for_update().get(pk=upload.pk)
        if upload.user_id != user.pk or _district_of(user).pk != upload.district_id:
            raise PermissionDenied
        if upload.status != BoundaryImport.Status.READY:
            raise ValueError(_("该导入不在待确认状态。"))
        with upload.file.open("rb") as stored:  # checked again: storage is not trusted either
            checked = check_boundary_upload(stored, name=upload.original_name)
        report = boundary_import(
            district=upload.district,
            data=checked.data,
            source_name=upload.original_name,
            user=user,
            file_format=checked.format,
        )
        upload.report = report.as_dict(geometry=True)
        upload.status = (
            BoundaryImport.Status.DONE if report.written else BoundaryImport.Status.INVALID
        )
        upload.finished_at = timezone.now()
        upload.save(update_fields=["report", "status", "finished_at"])
    return upload
