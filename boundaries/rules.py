"""Geometry rules of parcel boundaries: zones, transforms, area, validity, overlap, distance.

Pure functions — no ORM, no I/O: shapely geometries in, Decimal hectares and float metres out.
The file formats live at the edge (boundaries/readers.py); models store what these return.

Conventions. Every geometry here is held "x first": x = easting or longitude, y = northing or
latitude, whatever axis order the CRS declares (pyproj is always used with always_xy=True). The
national coordinate file writes X(北) before Y(东); its reader swaps them before anything here
sees them. Stored geometries are CGCS2000 geographic (EPSG:4490, longitude/latitude degrees);
areas, overlaps and distances are computed on the Gauss-Krüger plane of the parcel's 3° zone
(EPSG:4534–4554, central-meridian form), as survey results state them.

Sources: GB/T 18314 and the 国土资源部 land-submission coordinate file format (部标准坐标文件,
格式版本号 1.01): 3° zones 25–45 and 6° zones 13–23 over China; Y carries the zone number in
front of a 500 km false easting (39 500 000.00 = zone 39, central meridian 117° E).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import shapely
import shapely.geometry
from django.utils.translation import gettext as _
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

CGCS2000 = 4490  # geographic, degrees
WGS84 = 4326  # GeoJSON (RFC 7946) and KML; equal to CGCS2000 within centimetres
GEOGRAPHIC = {CGCS2000, WGS84}
HECTARE_PLACES = Decimal("0.0001")
M2_PER_HA = Decimal(10000)
FALSE_EASTING_M = 500_000
ZONE_RANGES = {3: (25, 45), 6: (13, 23)}  # China's zones (central meridians 75° E – 135° E)
EPSG_BASES = {
    # width: (first EPSG with zone prefix in Y, first EPSG in central-meridian form)
    3: (4513, 4534),
    6: (4491, 4502),
}


class GeometryError(ValueError):
    """A boundary or coordinate that cannot be used; `message` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Zone:
    """A CGCS2000 Gauss-Krüger zone: `width` 3 or 6 degrees, `number` as written in Y."""

    width: int
    number: int

    @property
    def central_meridian(self) -> int:
        """Return the zone's central meridian in degrees east."""
        return self.number * 3 if self.width == 3 else self.number * 6 - 3

    @property
    def epsg_prefixed(self) -> int:
        """Return the EPSG code whose Y carries the zone number (e.g. 4527 for 3° zone 39)."""
        return EPSG_BASES[self.width][0] + self.number - ZONE_RANGES[self.width][0]

    @property
    def epsg_plane(self) -> int:
        """Return the EPSG code of the zone's plane without the prefix (e.g. 4548, CM 117° E)."""
        return EPSG_BASES[self.width][1] + self.number - ZONE_RANGES[self.width][0]

    def __str__(self):
        return _("%(width)d°带 %(number)d 号（中央经线 %(cm)d°E）") % {
            "width": self.width,
            "number": self.number,
            "cm": self.central_meridian,
        }


def zone(number: int, width: int = 3) -> Zone:
    """Return the CGCS2000 zone `number` of `width` (3 or 6) degrees.

    Raises GeometryError when the width is not 3 or 6 or the number is outside China's zones
    (3°: 25–45, 6°: 13–23).
    """
    if width not in ZONE_RANGES:
        raise GeometryError(_("分带宽度须为 3 或 6 度，而不是 %(width)s。") % {"width": width})
    low, high = ZONE_RANGES[width]
    if not low <= number <= high:
        raise GeometryError(
            _("带号 %(number)s 不是 CGCS2000 %(width)d°分带的带号（%(low)d–%(high)d）。")
            % {"number": number, "width": width, "low": low, "high": high}
        )
    return Zone(width=width, number=number)


def zone_for_longitude(longitude: float, width: int = 3) -> Zone:
    """Return the zone of `width` degrees whose strip holds `longitude` (degrees east).

    Raises GeometryError outside China's zones.
    """
    number = round(longitude / 3) if width == 3 else math.floor(longitude / 6) + 1
    return zone(number, width)


def zone_of_epsg(code: int) -> Zone | None:
    """Return the zone of a CGCS2000 Gauss-Krüger EPSG code (4491–4554), None for others."""
    for width, bases in EPSG_BASES.items():
        low, high = ZONE_RANGES[width]
        for base in bases:
            if base <= code <= base + high - low:
                return Zone(width=width, number=low + code - base)
    return None


def split_zone_prefix(y: float, width: int) -> tuple[Zone, float]:
    """Return (zone, easting in metres) of a Y coordinate written with its zone number in front.

    39 500 000.00 → (3° zone 39, 500 000.00). Raises GeometryError when the prefix is not a zone
    of that width or the easting is not within a zone (100–900 km with the 500 km false
    easting), the usual sign that the zone number is missing.
    """
    number = int(y // 1_000_000)
    easting = y - number * 1_000_000
    found = zone(number, width)
    if not 100_000 < easting < 900_000:
        raise GeometryError(
            _("Y 坐标 %(y).2f 不含有效带号（应为带号 + 6 位东坐标，如 39500000.00）。") % {"y": y}
        )
    return found, easting


@lru_cache(maxsize=128)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transform(geometry: BaseGeometry, source: int, target: int) -> BaseGeometry:
    """Return `geometry` moved from EPSG `source` to EPSG `target` (x first on both sides)."""
    if source == target or (source in GEOGRAPHIC and target in GEOGRAPHIC):
        return geometry
    transformer = _transformer(source, target)
    return shapely.transform(
        geometry, lambda xy: _stack(*transformer.transform(xy[:, 0], xy[:, 1]))
    )


def _stack(x, y):
    import numpy

    return numpy.column_stack([x, y])


def to_plane(geometry_lonlat: BaseGeometry, plane: Zone) -> BaseGeometry:
    """Return a CGCS2000 longitude/latitude geometry on `plane`'s Gauss-Krüger plane, metres
    (central-meridian form, 500 km false easting, no zone prefix)."""
    return transform(geometry_lonlat, CGCS2000, plane.epsg_plane)


def parcel_zone(geometry_lonlat: BaseGeometry) -> Zone:
    """Return the 3° zone a parcel is measured in: the zone of its centre's longitude."""
    return zone_for_longitude(geometry_lonlat.centroid.x, 3)


def polygon_problems(geometry: BaseGeometry) -> list[str]:
    """Return what makes `geometry` unusable as a parcel boundary, [] when it is usable.

    A boundary is a Polygon or MultiPolygon (holes and several parts allowed) with a positive
    area and no self-intersecting ring; GEOS's reason names the place (in the geometry's own
    coordinates) where a ring crosses itself.
    """
    if geometry is None or geometry.is_empty:
        return [_("边界为空。")]
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        return [_("边界须为面（多边形），而不是 %(type)s。") % {"type": geometry.geom_type}]
    if not geometry.is_valid:
        reason = explain_validity(geometry)
        if reason.startswith("Self-intersection") or reason.startswith("Ring Self-intersection"):
            return [_("界址线自相交：%(where)s。") % {"where": _where(reason)}]
        return [_("边界无效：%(reason)s。") % {"reason": reason}]
    if geometry.area <= 0:
        return [_("边界面积为零。")]
    return []


def _where(reason: str) -> str:
    start, end = reason.find("["), reason.find("]")
    if start < 0 or end < start:
        return reason
    x, _sep, y = reason[start + 1 : end].partition(" ")
    return _("约在 (%(x)s, %(y)s)") % {"x": x, "y": y}


def area_ha(geometry_plane: BaseGeometry) -> Decimal:
    """Return the area of a geometry on a Gauss-Krüger plane, in hectares, 4 places
    (ROUND_HALF_UP), as survey results state it."""
    square_metres = Decimal(repr(float(geometry_plane.area)))
    return (square_metres / M2_PER_HA).quantize(HECTARE_PLACES, rounding=ROUND_HALF_UP)


def area_matches(computed_ha: Decimal, stated_ha: Decimal, *, tolerance: Decimal) -> bool:
    """Return whether `stated_ha` agrees with `computed_ha` within the relative `tolerance`
    (0.005 = 0.5 %), never stricter than one unit of the fourth place (0.0001 ha)."""
    allowed = max(abs(computed_ha) * tolerance, HECTARE_PLACES)
    return abs(computed_ha - stated_ha) <= allowed


def bounds(geometry: BaseGeometry) -> tuple[float, float, float, float]:
    """Return (min x, min y, max x, max y) of `geometry`."""
    return tuple(float(v) for v in geometry.bounds)


@dataclass(frozen=True)
class Overlap:
    key: object
    area_m2: float

    @property
    def area_ha(self) -> Decimal:
        return (Decimal(repr(self.area_m2)) / M2_PER_HA).quantize(
            HECTARE_PLACES, rounding=ROUND_HALF_UP
        )


def find_overlaps(
    new_plane: BaseGeometry,
    others_plane: Iterable[tuple[object, BaseGeometry]],
    *,
    tolerance_m2: float,
) -> list[Overlap]:
    """Return the overlaps of `new_plane` with each (key, geometry) of `others_plane` whose
    shared area exceeds `tolerance_m2` square metres (slivers from shared edges surveyed twice
    are tolerated), largest first. All geometries on the same plane, metres."""
    shapely.prepare(new_plane)
    found = []
    for key, other in others_plane:
        if not new_plane.intersects(other):
            continue
        shared = new_plane.intersection(other).area
        if shared > tolerance_m2:
            found.append(Overlap(key=key, area_m2=shared))
    return sorted(found, key=lambda o: -o.area_m2)


def nearest_distance_m(
    geometry_plane: BaseGeometry, points_plane: Iterable[BaseGeometry]
) -> float | None:
    """Return the distance in metres from a boundary to the nearest of `points_plane` (0 when
    a point lies inside), None when there are no points."""
    distances = [geometry_plane.distance(point) for point in points_plane]
    return min(distances) if distances else None


def share_inside(geometry_plane: BaseGeometry, area_plane: BaseGeometry) -> float:
    """Return the share (0–1) of a boundary's area that lies inside `area_plane`."""
    total = geometry_plane.area
    if total <= 0:
        return 0.0
    return geometry_plane.intersection(area_plane).area / total


def to_wkb(geometry: BaseGeometry) -> bytes:
    """Return `geometry` as little-endian WKB (what the models store)."""
    return shapely.to_wkb(geometry, byte_order=1)


def from_wkb(data: bytes | memoryview) -> BaseGeometry:
    """Return the geometry stored as WKB."""
    return shapely.from_wkb(bytes(data))


def to_geojson(geometry: BaseGeometry, *, precision: int = 6) -> dict:
    """Return `geometry` as a GeoJSON geometry dict, coordinates rounded to `precision`
    decimals (6 decimals of a degree ≈ 0.1 m)."""
    rounded = shapely.set_precision(geometry, 10**-precision, mode="pointwise")
    return shapely.geometry.mapping(rounded)
