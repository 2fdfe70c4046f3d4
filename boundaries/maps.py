"""Reads for the map page: parcels in a viewport (features when few, grid clusters when many),
district outlines, reference layers, legends. The querysets arrive already scoped (parcels'
selectors for staff, the R24 selectors for the public) and filtered (parcels' FilterSet)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils.translation import gettext as _

from boundaries import rules
from boundaries.models import DistrictOutline, MapLayerFeature, ParcelBoundary
from boundaries.selectors import Box, box_q
from parcels.models import LandUseCategory, Parcel

# Above this many parcels in the viewport, or below this zoom, the map gets grid clusters.
MAX_FEATURES = 1500
CANDIDATE_LIMIT = 6000  # boundaries in view read by id before going to the grid aggregation
CLUSTER_BELOW_ZOOM = 11
GRID_COLUMNS, GRID_ROWS = 12, 8

STATUS_COLOURS = {
    Parcel.Status.PLANNED: "#2f6fdb",
    Parcel.Status.SUPPLIED: "#2e9a4f",
    Parcel.Status.WITHDRAWN: "#8a8f99",
}
CATEGORY_PALETTE = [
    "#d9480f",
    "#1971c2",
    "#2f9e44",
    "#ae3ec9",
    "#f08c00",
    "#0c8599",
    "#c2255c",
    "#5c940d",
    "#364fc7",
    "#e8590c",
]
RING_PALETTE = ["#fde2e1", "#fff3bf", "#d3f9d8", "#d0ebff", "#f3d9fa"]


def parse_box(text: str | None) -> Box | None:
    """Return (west, south, east, north) from "w,s,e,n" degrees, None if missing or invalid
    (outside ±180/±90, not finite, or west > east)."""
    try:
        west, south, east, north = (float(part) for part in (text or "").split(","))
    except ValueError:
        return None
    if not all(v == v and abs(v) != float("inf") for v in (west, south, east, north)):
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


def category_roots() -> dict[int, LandUseCategory]:
    """Return {category id: its top-level category}: the map colours by top-level category."""
    categories = {c.pk: c for c in LandUseCategory.objects.all()}
    roots = {}
    for pk, category in categories.items():
        node = category
        while node.parent_id and node.parent_id in categories:
            node = categories[node.parent_id]
        roots[pk] = node
    return roots


def legends() -> dict:
    """Return the colour legends: {"status": [{key, label, colour}], "category": [...]}."""
    roots = sorted({r.pk: r for r in category_roots().values()}.values(), key=lambda c: c.pk)
    return {
        "status": [
            {"key": key, "label": str(label), "colour": STATUS_COLOURS[key]}
            for key, label in Parcel.Status.choices
        ],
        "category": [
            {"key": root.code, "label": root.name, "colour": _category_colour(i)}
            for i, root in enumerate(roots)
        ],
    }


def _category_colour(index: int) -> str:
    return CATEGORY_PALETTE[index % len(CATEGORY_PALETTE)]


def map_parcels(
    *, parcels: QuerySet[Parcel], box: Box, zoom: int, detail_urls: bool = True
) -> dict:
    """Return what the map draws for the parcels (with a boundary) in `box`:
    {"mode": "clusters", "total", "clusters": [{lon, lat, count, area_ha}]} below zoom
    CLUSTER_BELOW_ZOOM or when more than MAX_FEATURES parcels are in view, else
    {"mode": "parcels", "total", "features": GeoJSON features}.

    The box index drives the query: the ids of the boundaries in view come first (one index
    range scan, at most CANDIDATE_LIMIT of them), then the scoped, filtered parcels among them
    by primary key; a wider view goes to the grid aggregation. At most three queries.
    """
    if zoom < CLUSTER_BELOW_ZOOM:
        return _cluster_response(parcels.filter(box_q(box, prefix="boundary__")), box)
    ids = list(
        ParcelBoundary.objects.filter(box_q(box)).values_list("parcel_id", flat=True)[
            : CANDIDATE_LIMIT + 1
        ]
    )
    if len(ids) > CANDIDATE_LIMIT:
        return _cluster_response(parcels.filter(box_q(box, prefix="boundary__")), box)
    in_box = parcels.filter(pk__in=ids)
    rows = list(
        in_box.values(
            "pk",
            "code",
            "name",
            "status",
            "category_id",
            "category__name",
            "district__name",
            "area_ha",
            "near_rail",
            "in_key_function_area",
            "boundary__geometry",
            "boundary__computed_near_rail",
            "boundary__computed_in_key_function_area",
        )[: MAX_FEATURES + 1]
    )
    if len(rows) > MAX_FEATURES:
        return _cluster_response(in_box, box)
    return {"mode": "parcels", "total": len(rows), "features": _features(rows, detail_urls)}


def _cluster_response(in_box: QuerySet[Parcel], box: Box) -> dict:
    clusters = _clusters(in_box, box)
    return {"mode": "clusters", "total": sum(c["count"] for c in clusters), "clusters": clusters}


def _features(rows: list[dict], detail_urls: bool) -> list[dict]:
    roots = category_roots()
    root_index = {pk: i for i, pk in enumerate(sorted({r.pk for r in roots.values()}))}
    labels = dict(Parcel.Status.choices)
    features = []
    for row in rows:
        root = roots.get(row["category_id"])
        disagree = _disagreements(row)
        features.append(
            {
                "type": "Feature",
                "geometry": rules.to_geojson(rules.from_wkb(row["boundary__geometry"])),
                "properties": {
                    "id": row["pk"],
                    "code": row["code"],
                    "name": row["name"],
                    "district": row["district__name"],
                    "category": row["category__name"],
                    "area_ha": str(row["area_ha"]),
                    "status": row["status"],
                    "status_label": str(labels.get(row["status"], row["status"])),
                    "status_colour": STATUS_COLOURS.get(row["status"], "#555"),
                    "category_colour": _category_colour(root_index.get(root.pk, 0))
                    if root
                    else "#555",
                    "disagree": disagree,
                    "url": reverse("parcels:detail", args=[row["pk"]]) if detail_urls else "",
                },
            }
        )
    return features


def _disagreements(row: dict) -> list[str]:
    found = []
    computed = row["boundary__computed_near_rail"]
    if computed is not None and computed != row["near_rail"]:
        found.append(_("轨道站点周边"))
    computed = row["boundary__computed_in_key_function_area"]
    if computed is not None and computed != row["in_key_function_area"]:
        found.append(_("重点功能区"))
    return found


def _clusters(in_box: QuerySet[Parcel], box: Box) -> list[dict]:
    west, south, east, north = box
    cell_x = max((east - west) / GRID_COLUMNS, 1e-6)
    cell_y = max((north - south) / GRID_ROWS, 1e-6)
    centre_x = (F("boundary__min_x") + F("boundary__max_x")) / 2
    centre_y = (F("boundary__min_y") + F("boundary__max_y")) / 2
    rows = (
        in_box.order_by()
        .annotate(cx=Floor((centre_x - west) / cell_x), cy=Floor((centre_y - south) / cell_y))
        .values("cx", "cy")
        .annotate(count=Count("pk"), area=Sum("area_ha"), lon=Avg(centre_x), lat=Avg(centre_y))
    )
    return [
        {
            "lon": round(row["lon"], 6),
            "lat": round(row["lat"], 6),
            "count": row["count"],
            "area_ha": str(Decimal(str(row["area"] or 0)).quantize(rules.HECTARE_PLACES)),
        }
        for row in rows
    ]


def map_extent(*, district_ids, parcels: QuerySet[Parcel]) -> Box | None:
    """Return the box the map opens on: the districts' outlines, else their parcels'
    boundaries, else None."""
    extent = DistrictOutline.objects.filter(district_id__in=district_ids).aggregate(
        w=Min("min_x"), s=Min("min_y"), e=Max("max_x"), n=Max("max_y")
    )
    if extent["w"] is None:
        extent = parcels.filter(boundary__isnull=False).aggregate(
            w=Min("boundary__min_x"),
            s=Min("boundary__min_y"),
            e=Max("boundary__max_x"),
            n=Max("boundary__max_y"),
        )
    if extent["w"] is None:
        return None
    return extent["w"], extent["s"], extent["e"], extent["n"]


def map_layers(*, jurisdiction_ids, highlight_district_id=None) -> dict:
    """Return the base and reference layers of the jurisdictions as GeoJSON collections:
    district outlines (with each district's ring for the ring layer), key function areas and
    rail stations, and the sources to cite."""
    outlines = DistrictOutline.objects.filter(
        district__jurisdiction_id__in=list(jurisdiction_ids)
    ).select_related("district__default_ring")
    ring_ids = sorted({o.district.default_ring_id for o in outlines if o.district.default_ring_id})
    ring_colour = {pk: RING_PALETTE[i % len(RING_PALETTE)] for i, pk in enumerate(ring_ids)}
    features = {"district": [], "key_function_area": [], "rail_station": []}
    sources = set()
    for outline in outlines:
        ring = outline.district.default_ring
        sources.add(outline.source)
        features["district"].append(
            _feature(
                outline.shape,
                name=outline.district.name,
                ring=ring.name if ring else "",
                ring_colour=ring_colour.get(ring.pk) if ring else "",
                own=outline.district_id == highlight_district_id,
            )
        )
    for feature in MapLayerFeature.objects.filter(jurisdiction_id__in=list(jurisdiction_ids)).only(
        "kind", "name", "geometry", "source"
    ):
        sources.add(feature.source)
        features[feature.kind].append(_feature(feature.shape, name=feature.name))
    return {
        kind: {"type": "FeatureCollection", "features": rows} for kind, rows in features.items()
    } | {"sources": sorted(sources)}


def _feature(shape, **properties) -> dict:
    return {
        "type": "Feature",
        "geometry": rules.to_geojson(shape, precision=5),
        "properties": properties,
    }


def public_parcels() -> QuerySet[Parcel]:
    """Return the parcels the public map shows: those of the R24 disclosure only (land offered
    by lease-then-transfer and the parcels of lease-then-transfer contracts)."""
    from assessments.selectors import contract_list_public, parcel_list_offered_public

    return Parcel.objects.filter(
        Q(pk__in=parcel_list_offered_public().values("pk"))
        | Q(pk__in=contract_list_public().values("parcel_id"))
    ).select_related("district", "category")
