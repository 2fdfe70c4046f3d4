"""Reads of boundaries and map layers. Every read of parcels goes through the parcels app's
scoped selectors (landsupply.access.scope_to_user) or, for the public, the R24 selectors."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from boundaries import rules
from boundaries.models import MapLayerFeature, ParcelBoundary, SpatialRuleSet
from landsupply.models import Jurisdiction, User
from parcels.models import Parcel

Box = tuple[float, float, float, float]  # west, south, east, north (degrees)


def box_q(box: Box, prefix: str = "") -> Q:
    """Return the condition "the stored bounding box meets `box`", written so that the
    (min_x, min_y) index bounds the scan: a stored box can only meet `box` if its min_x lies
    within [west − max span, east] (settings.BOUNDARIES_MAX_SPAN_DEG), likewise min_y."""
    west, south, east, north = box
    span = settings.BOUNDARIES_MAX_SPAN_DEG
    return Q(
        **{
            f"{prefix}min_x__gte": west - span,
            f"{prefix}min_x__lte": east,
            f"{prefix}min_y__gte": south - span,
            f"{prefix}min_y__lte": north,
            f"{prefix}max_x__gte": west,
            f"{prefix}max_y__gte": south,
        }
    )


@dataclass(frozen=True)
class Candidate:
    parcel_id: int
    code: str
    district: str
    geometry: bytes


def boundary_candidates(*, box: Box, exclude_parcel_ids=()) -> list[Candidate]:
    """Return the stored boundaries (any district) whose bounding box meets `box` — the only
    rows an overlap check has to look at — without the parcels in `exclude_parcel_ids`."""
    rows = (
        ParcelBoundary.objects.filter(box_q(box))
        .exclude(parcel_id__in=list(exclude_parcel_ids))
        .values_list("parcel_id", "parcel__code", "parcel__district__name", "geometry")
    )
    return [Candidate(pid, code, district, bytes(wkb)) for pid, code, district, wkb in rows]


@dataclass
class SpatialLayers:
    """A jurisdiction's reference layers and parameters, loaded once per batch of answers."""

    stations: list  # shapely Points, longitude/latitude
    areas: list  # (name, shapely polygon) longitude/latitude
    rail_distance_m: float
    area_min_share: float


def spatial_layers(*, jurisdiction_id: int) -> SpatialLayers:
    """Return the rail stations, key function areas and spatial rule parameters (R4) of a
    jurisdiction; the parameters default to 500 m and one half when none are entered."""
    stations, areas = [], []
    for kind, name, wkb in MapLayerFeature.objects.filter(
        jurisdiction_id=jurisdiction_id
    ).values_list("kind", "name", "geometry"):
        shape = rules.from_wkb(wkb)
        if kind == MapLayerFeature.Kind.RAIL_STATION:
            stations.append(shape)
        else:
            areas.append((name, shape))
    params = SpatialRuleSet.objects.filter(jurisdiction_id=jurisdiction_id).first()
    return SpatialLayers(
        stations=stations,
        areas=areas,
        rail_distance_m=float(params.rail_station_distance_m) if params else 500.0,
        area_min_share=float(params.key_function_area_min_share) if params else 0.5,
    )


def spatial_rule_set_get(*, jurisdiction: Jurisdiction) -> SpatialRuleSet | None:
    return SpatialRuleSet.objects.filter(jurisdiction=jurisdiction).first()


def boundary_for_parcel(*, parcel: Parcel) -> ParcelBoundary | None:
    """Return the parcel's stored boundary, None when it has none (the caller has already
    loaded `parcel` through a scoped selector)."""
    return ParcelBoundary.objects.filter(parcel=parcel).first()


def boundary_neighbours(
    *, user: User, boundary: ParcelBoundary, within_m: float = 100.0
) -> list[dict]:
    """Return the parcels `user` may see whose boundary lies within `within_m` metres of
    `boundary` (touching ones at 0 m), nearest first: [{"parcel", "distance_m"}]."""
    from parcels.selectors import parcel_list

    shape = boundary.shape
    west, south, east, north = rules.bounds(shape)
    pad = within_m / 80_000  # degrees; generous at any latitude of China
    visible = parcel_list(user=user).exclude(pk=boundary.parcel_id)
    rows = (
        ParcelBoundary.objects.filter(box_q((west - pad, south - pad, east + pad, north + pad)))
        .filter(parcel__in=visible)
        .select_related("parcel", "parcel__district")
    )
    zone = rules.zone_of_epsg(boundary.zone_epsg) or rules.parcel_zone(shape)
    plane = rules.to_plane(shape, zone)
    found = []
    for row in rows:
        distance = plane.distance(rules.to_plane(row.shape, zone))
        if distance <= within_m:
            found.append({"parcel": row.parcel, "distance_m": round(distance, 1)})
    return sorted(found, key=lambda item: item["distance_m"])


def map_layer_features(*, jurisdiction_ids) -> QuerySet[MapLayerFeature]:
    """Return the reference layers (stations, key function areas) of the jurisdictions."""
    return MapLayerFeature.objects.filter(jurisdiction_id__in=list(jurisdiction_ids))
