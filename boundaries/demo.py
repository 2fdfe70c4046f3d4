"""Demo boundaries (labelled 演示): a square of its ledger area for every demo parcel, placed
inside its district, plus the demo reference layers (data/demo_layers.geojson, invented).

Each parcel is placed where the layers agree with its hand-entered flags (in a key function
area, near a rail station), except a deterministic few per hundred placed against them so that
the map and the parcel page show what a disagreement looks like. Parcels never overlap.
Deterministic (seeded) and idempotent.
"""

import json
import math
import random
from pathlib import Path

from django.db import transaction
from shapely.geometry import Point, Polygon, box, shape

from boundaries import rules, selectors, services
from boundaries.models import DistrictOutline, ParcelBoundary
from landsupply.models import Jurisdiction
from parcels.models import Parcel

DEMO_LAYERS_FILE = Path(__file__).resolve().parent / "data" / "demo_layers.geojson"
DEMO_SOURCE = "【演示】虚构的轨道站点与重点功能区"

# Functional zones without an administrative outline in the source data: approximate centres
# (longitude, latitude) used only to place demo parcels and demo layers, never drawn as outlines.
FUNCTIONAL_ZONE_CENTRES = {
    "yizhuang": (116.51, 39.79),
    "gaoxin": (113.55, 34.82),
    "jingkai": (113.73, 34.71),
    "zhengdong": (113.74, 34.77),
    "hangkonggang": (113.84, 34.53),
}
FUNCTIONAL_ZONE_RADIUS_KM = 4.0
DISAGREE_SHARE = 0.06
ATTEMPTS = 300


def circle(lon: float, lat: float, radius_km: float, sides: int = 24) -> Polygon:
    """Return a polygon approximating a circle of `radius_km` around (lon, lat)."""
    k_lat = 1 / 111.0
    k_lon = k_lat / math.cos(math.radians(lat))
    return Polygon(
        [
            (
                lon + radius_km * k_lon * math.cos(2 * math.pi * i / sides),
                lat + radius_km * k_lat * math.sin(2 * math.pi * i / sides),
            )
            for i in range(sides)
        ]
    )


def demo_layer_features() -> dict[str, dict[str, list]]:
    """Return {district code: {"rail_station": [(name, point)], "key_function_area": [...]}}
    from the shipped demo layers file."""
    collection = json.loads(DEMO_LAYERS_FILE.read_text(encoding="utf-8"))
    found: dict[str, dict[str, list]] = {}
    for feature in collection["features"]:
        props = feature["properties"]
        kinds = found.setdefault(props["district"], {"rail_station": [], "key_function_area": []})
        kinds[props["kind"]].append((props["name"], shape(feature["geometry"])))
    return found


@transaction.atomic
def seed_demo_boundaries() -> int:
    """Load the demo layers and give every demo parcel a boundary if none has one yet.

    Returns the number of boundaries created (0 on a second run). Needs the demo parcels
    (parcels.demo) and the district outlines (boundaries.seed) first.
    """
    parcels = list(
        Parcel.objects.filter(is_demo=True, code__startswith="DEMO-")
        .select_related("district")
        .order_by("district__jurisdiction_id", "code")
    )
    if not parcels or ParcelBoundary.objects.filter(parcel__in=parcels).exists():
        return 0
    features = demo_layer_features()
    for jurisdiction in Jurisdiction.objects.filter(districts__parcels__in=parcels).distinct():
        codes = set(jurisdiction.districts.values_list("code", flat=True))
        for kind in ("rail_station", "key_function_area"):
            services.map_layer_load(
                jurisdiction=jurisdiction,
                kind=kind,
                features=[f for code in codes for f in features.get(code, {}).get(kind, [])],
                source=DEMO_SOURCE,
                is_demo=True,
            )
    outlines = {o.district_id: o.shape for o in DistrictOutline.objects.all()}
    layers = {}
    rng = random.Random(2024)
    placed: list = []
    rows = []
    for parcel in parcels:
        district = parcel.district
        if district.jurisdiction_id not in layers:
            layers[district.jurisdiction_id] = selectors.spatial_layers(
                jurisdiction_id=district.jurisdiction_id
            )
        area = outlines.get(district.pk)
        if area is None:
            lon, lat = FUNCTIONAL_ZONE_CENTRES.get(district.code, (116.4, 39.9))
            area = circle(lon, lat, FUNCTIONAL_ZONE_RADIUS_KM)
        district_layers = features.get(district.code, {})
        want = {
            "computed_near_rail": parcel.near_rail,
            "computed_in_key_function_area": parcel.in_key_function_area,
        }
        if rng.random() < DISAGREE_SHARE:
            flipped = rng.choice(list(want))
            want[flipped] = not want[flipped]
        lonlat, zone, answers = _place(
            parcel, area, district_layers, layers[district.jurisdiction_id], want, placed, rng
        )
        placed.append(lonlat)
        plane = rules.to_plane(lonlat, zone)
        row = ParcelBoundary(
            parcel=parcel,
            zone_epsg=zone.epsg_plane,
            area_ha=rules.area_ha(plane),
            source_format="demo",
            source_name="【演示】",
            **answers,
        )
        row.geometry = rules.to_wkb(lonlat)
        row.min_x, row.min_y, row.max_x, row.max_y = rules.bounds(lonlat)
        rows.append(row)
    ParcelBoundary.objects.bulk_create(rows)
    return len(rows)


def _place(parcel, area, district_layers, layers, want, placed, rng):
    """Return (lonlat square, zone, answers) for one parcel: inside `area`, overlapping none of
    `placed`, matching `want` if it can within ATTEMPTS tries (else the last square that fits)."""
    side = math.sqrt(float(parcel.area_ha) * 10_000)
    stations = [p for _n, p in district_layers.get("rail_station", [])]
    kfas = [a for _n, a in district_layers.get("key_function_area", [])]
    minx, miny, maxx, maxy = area.bounds
    fallback = None
    for attempt in range(ATTEMPTS):
        if want["computed_near_rail"] and stations and attempt % 2 == 0:
            station = rng.choice(stations)
            angle = rng.uniform(0, 2 * math.pi)
            reach = (side / 2 + rng.uniform(40, 300)) / 111_000
            centre = Point(
                station.x + reach * math.cos(angle) / math.cos(math.radians(station.y)),
                station.y + reach * math.sin(angle),
            )
        elif want["computed_in_key_function_area"] and kfas and attempt % 3 != 2:
            kfa = rng.choice(kfas)
            kx0, ky0, kx1, ky1 = kfa.bounds
            centre = Point(rng.uniform(kx0, kx1), rng.uniform(ky0, ky1))
        else:
            centre = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        zone = rules.zone_for_longitude(centre.x)
        cx, cy = rules.to_plane(centre, zone).coords[0]
        square = box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        lonlat = rules.transform(square, zone.epsg_plane, rules.CGCS2000)
        if not area.contains(lonlat) or any(lonlat.intersects(other) for other in placed):
            continue
        answers = services.spatial_answers(lonlat=lonlat, zone=zone, layers=layers)
        fallback = (lonlat, zone, answers)
        if all(answers[name] == value for name, value in want.items()):
            return fallback
    if fallback is None:
        raise RuntimeError(f"no room for demo parcel {parcel.code} in {parcel.district}")
    return fallback
