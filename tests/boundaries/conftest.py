"""Boundary files written by the tests themselves (coordinate files, GeoJSON, zipped
Shapefiles, KML) and the districts they are imported into."""

import io
import json
import zipfile
from decimal import Decimal

import pytest

from tests.factories import DistrictFactory, JurisdictionFactory, ParcelFactory

HEADER = """[属性描述]
格式版本号=1.01版本
数据产生单位=测试
坐标系=2000国家大地坐标系
几度分带={width}
投影类型=高斯克吕格
计量单位=米
{zone_line}精度=0.01
[地块坐标]
"""


def square(x0: float, y0: float, side: float = 100.0) -> list[tuple[float, float]]:
    """Return a closed square ring of (X north, Y east) points, corner (x0, y0), clockwise."""
    return [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side), (x0, y0)]


def coordinate_text(
    parcels: list[dict], *, zone: int | None = 39, width: int = 3, header_zone: bool = True
) -> str:
    """Return a national coordinate file. Each parcel: {"code", "rings": [[(X, Y), …], …],
    optional "area" (stated hectares, default the true area), "name"}. Y values are written as
    given (pass them with or without the zone prefix)."""
    zone_line = f"带号={zone}\n" if header_zone and zone is not None else ""
    lines = [HEADER.format(width=width, zone_line=zone_line).rstrip("\n")]
    for parcel in parcels:
        points = [
            (f"J{i + 1}", ring_no + 1, x, y)
            for ring_no, ring in enumerate(parcel["rings"])
            for i, (x, y) in enumerate(ring)
        ]
        area = parcel.get("area", "1.0000")
        lines.append(
            f"{len(points)},{area},{parcel['code']},{parcel.get('name', '测试地块')},面,,工业用地,0601,@"
        )
        lines += [f"{name},{ring},{x:.2f},{y:.2f}" for name, ring, x, y in points]
    return "\n".join(lines) + "\n"


@pytest.fixture
def write_file(tmp_path):
    """Write bytes or text (UTF-8 unless `encoding`) to a file in tmp_path; return its path."""

    def write(name: str, content, encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write


@pytest.fixture
def boundary_limits(settings):
    """boundary_limits(**values) overrides the "boundary" entry of UPLOAD_LIMITS."""

    def override(**values):
        limits = dict(settings.UPLOAD_LIMITS)
        limits["boundary"] = {**limits["boundary"], **values}
        settings.UPLOAD_LIMITS = limits

    return override


@pytest.fixture
def district(db):
    """A district without an outline, with parcels A1–A3 (1 ha each in the ledger)."""
    district = DistrictFactory(
        code="testdist", name="测试区", jurisdiction=JurisdictionFactory(code="testcity")
    )
    for code in ("A1", "A2", "A3"):
        ParcelFactory(district=district, code=code, area_ha=Decimal("1.0000"))
    return district


def geojson_bytes(features: list[dict], crs: str | None = "EPSG:4490") -> bytes:
    collection = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(collection, ensure_ascii=False).encode()


def polygon_feature(code: str, ring: list, **props) -> dict:
    return {
        "type": "Feature",
        "properties": {"地块编号": code, **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def zipped_shapefile(rings: dict[str, list], *, crs: str | None = "EPSG:4527") -> bytes:
    """Return a zip holding one Shapefile with a DKBH field; rings {code: [(x, y), …]}."""
    import tempfile
    import warnings
    from pathlib import Path

    import numpy
    import shapely
    from pyogrio.raw import write
    from shapely.geometry import Polygon

    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided", on purpose
        path = Path(folder) / "parcels.shp"
        write(
            str(path),
            geometry=numpy.array(
                [shapely.to_wkb(Polygon(ring)) for ring in rings.values()], dtype=object
            ),
            field_data=[numpy.array(list(rings), dtype=object)],
            fields=["DKBH"],
            geometry_type="Polygon",
            crs=crs,
            encoding="UTF-8",
        )
        if crs is None:
            (Path(folder) / "parcels.prj").unlink(missing_ok=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(folder).iterdir()):
                archive.write(part, part.name)
        return buffer.getvalue()


def kml_bytes(placemarks: dict[str, list]) -> bytes:
    body = "".join(
        f"<Placemark><name>{code}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        + " ".join(f"{lon},{lat}" for lon, lat in ring)
        + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        for code, ring in placemarks.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document>{body}</Document></kml>"
    ).encode()
