"""Reference geometry every installation gets: district outlines (the map's base layer) and the
spatial rule parameters of the seeded jurisdictions. Idempotent."""

import json
from pathlib import Path

from django.db import transaction
from shapely.geometry import shape

from boundaries import services
from boundaries.models import SpatialRuleSet
from landsupply.models import Jurisdiction

DATA_DIR = Path(__file__).resolve().parent / "data"
OUTLINES_FILE = DATA_DIR / "district_outlines.geojson"

# R4 names "轨道站点周边" and "重点功能区" (北京市2024年度建设用地供应计划; 北京市国土空间近期规划
# 2021—2025 "引导项目向重点功能区、轨道站点周边集中布局") without a distance or a share: 500 m and
# one half are defaults, parameters of the jurisdiction that a city sets in the admin.
CITATION = "R4 轨道站点周边 / 重点功能区（北京市2024年度建设用地供应计划）；距离与占比为默认值，按本市规定修改"
SPATIAL_RULES = {
    "beijing": (500, "0.50", CITATION),
    "zhengzhou": (500, "0.50", CITATION),
}


def read_outlines(path: Path = OUTLINES_FILE) -> tuple[dict, str]:
    """Return ({district code: outline}, source) from a shipped outlines GeoJSON file."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    outlines = {f["properties"]["district"]: shape(f["geometry"]) for f in collection["features"]}
    return outlines, collection.get("source", path.name)


@transaction.atomic
def seed_district_outlines() -> int:
    """Store the shipped outlines of the seeded districts. Returns how many were stored."""
    outlines, source = read_outlines()
    return services.district_outlines_load(outlines=outlines, source=source)


@transaction.atomic
def seed_spatial_rules() -> int:
    """Create the spatial rule parameters of the seeded jurisdictions if missing."""
    created = 0
    for code, (distance, share, citation) in SPATIAL_RULES.items():
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            continue
        _row, made = SpatialRuleSet.objects.get_or_create(
            jurisdiction=jurisdiction,
            defaults={
                "rail_station_distance_m": distance,
                "key_function_area_min_share": share,
                "citation": citation,
            },
        )
        created += made
    return created
