"""Rebuild demo_layers.geojson beside this file (run by hand, not by the project):

    .venv/bin/python boundaries/data/build_demo_layers.py

The demo's reference layers are invented and labelled 【演示】: for each district, one key
function area (a 12-sided polygon of 2.5 km radius) and six rail stations, placed inside the
district's outline (district_outlines.geojson) or, for the functional zones that have no outline
in the source, around the approximate centre in FUNCTIONAL_ZONE_CENTRES (boundaries/demo.py).
Deterministic (seeded). A city loads its real layers with `manage.py load_map_layer`.
"""

import json
import os
import random
import sys
from pathlib import Path

import django
from shapely.geometry import Point, mapping, shape

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landsupply.settings")
django.setup()

from boundaries.demo import FUNCTIONAL_ZONE_CENTRES, circle  # noqa: E402
from landsupply.seed import JURISDICTIONS  # noqa: E402

HERE = Path(__file__).parent
NAMES = {code: name for j in JURISDICTIONS for code, name, _ring in j["districts"]}


def main():
    rng = random.Random(2024)
    outlines = {
        f["properties"]["district"]: shape(f["geometry"])
        for f in json.loads((HERE / "district_outlines.geojson").read_text("utf-8"))["features"]
    }
    areas = {code: outline for code, outline in outlines.items()}
    for code, (lon, lat) in FUNCTIONAL_ZONE_CENTRES.items():
        areas[code] = circle(lon, lat, 4.0, sides=24)
    features = []
    for code, area in areas.items():
        inner = area.buffer(-0.03) if area.buffer(-0.03).area > 0.001 else area
        minx, miny, maxx, maxy = inner.bounds
        centre = inner.representative_point()
        kfa = circle(centre.x, centre.y, 2.5, sides=12).intersection(area)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "key_function_area",
                    "district": code,
                    "name": f"【演示】{NAMES[code]}重点功能区",
                },
                "geometry": mapping(kfa),
            }
        )
        placed = 0
        while placed < 6:
            point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if placed < 2:  # two stations in the key function area
                point = Point(
                    centre.x + rng.uniform(-0.015, 0.015), centre.y + rng.uniform(-0.012, 0.012)
                )
            if not inner.contains(point):
                continue
            placed += 1
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "kind": "rail_station",
                        "district": code,
                        "name": f"【演示】{NAMES[code]}{placed}号站",
                    },
                    "geometry": mapping(Point(round(point.x, 5), round(point.y, 5))),
                }
            )
    out = HERE / "demo_layers.geojson"
    out.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "source": "【演示】虚构的轨道站点与重点功能区（boundaries/data/build_demo_layers.py）",
                "features": features,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"{out}: {len(features)} features, {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
