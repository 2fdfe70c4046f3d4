"""The boundary file formats bureaus exchange, read into plain boundaries (the edge of the
geometry domain; boundaries/rules.py does the rest).

- the national coordinate text file for land submissions (部标准坐标文件, 格式版本号 1.01),
  GBK or UTF-8: an [属性描述] header (坐标系, 几度分带, 带号 …) and a [地块坐标] section with
  one block per parcel — "界址点数,地块面积(公顷),地块编号,地块名称,图形属性,图幅号,地块用途,
  地类编码,@" followed by "点号,圈号,X(北),Y(东，含带号)" lines, rings closed, 圈号 numbering
  the rings (holes or further parts);
- GeoJSON, zipped Shapefile and KML, read with pyogrio (which ships its own GDAL), in CGCS2000
  geographic (EPSG:4490), WGS 84 (GeoJSON, KML) or a CGCS2000 Gauss-Krüger zone (4491–4554).

Every reader returns ReadResult: the boundaries in their source coordinates (x first) with the
source EPSG code and the parcel's zone, and the errors, each naming the parcel, line or feature.
Reading is bounded: callers pass bytes that boundaries.upload_checks has already capped, and the
readers stop at settings.BOUNDARIES_MAX_PARCELS_PER_FILE parcels and BOUNDARIES_MAX_POINTS
points.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from boundaries import rules
from boundaries.rules import GeometryError, Zone

COORDINATE_FILE = "coordinate_file"
GEOJSON = "geojson"
SHAPEFILE = "shapefile"
KML = "kml"
FORMAT_LABELS = {
    COORDINATE_FILE: "部标准坐标文件",
    GEOJSON: "GeoJSON",
    SHAPEFILE: "Shapefile (zip)",
    KML: "KML",
}

# Attribute names that carry a parcel's code, name and stated area, in the order tried.
CODE_FIELDS = ("地块编号", "code", "CODE", "DKBH", "dkbh", "parcel_code", "Name", "name")
NAME_FIELDS = ("地块名称", "DKMC", "dkmc", "parcel_name", "title")
AREA_FIELDS = ("地块面积", "area_ha", "AREA_HA", "DKMJ", "dkmj", "面积")

SUPPORTED_DATUMS = {"2000国家大地坐标系", "CGCS2000", "2000国家坐标系", "国家2000坐标系"}


@dataclass
class RawBoundary:
    """One parcel's boundary as read: `geometry` in EPSG `source_epsg`, x first."""

    code: str
    name: str
    declared_area_ha: Decimal | None
    geometry: BaseGeometry
    source_epsg: int
    zone: Zone | None  # None: take the zone of the parcel's longitude
    where: str  # "第 12 行", "要素 3" — for messages


@dataclass
class ReadResult:
    format: str
    boundaries: list[RawBoundary] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def error(self, message: str, *, code: str = "", where: str = ""):
        self.errors.append({"code": code, "where": where, "message": message})


class BoundaryFileError(ValueError):
    """The file as a whole cannot be read (wrong type, too large, unreadable header)."""


def detect_format(data: bytes) -> str:
    """Return the format of a boundary file judged by its content, not its name.

    Raises BoundaryFileError for anything else.
    """
    if data[:4] == b"PK\x03\x04":
        return SHAPEFILE
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<kml" in head.lower():
        return KML
    if head.startswith(b"{"):
        return GEOJSON
    text = _decode(data[:4096], strict=False)
    if "[地块坐标]" in text or "[属性描述]" in text:
        return COORDINATE_FILE
    raise BoundaryFileError(
        _("无法识别的边界文件：请上传部标准坐标文件（.txt）、GeoJSON、Shapefile（.zip）或 KML。")
    )


def read_boundaries(data: bytes, *, file_format: str | None = None) -> ReadResult:
    """Return the boundaries and errors of one boundary file's bytes (already size-checked).

    Raises BoundaryFileError when the file as a whole cannot be read.
    """
    file_format = file_format or detect_format(data)
    if file_format == COORDINATE_FILE:
        return read_coordinate_file(data)
    return read_with_gdal(data, file_format)


# --- 部标准坐标文件 ---------------------------------------------------------------------------


def _decode(data: bytes, *, strict: bool = True) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            if not strict:
                return data.decode("gb18030", errors="replace")
            raise BoundaryFileError(_("文件既不是 UTF-8 也不是 GBK 编码。")) from exc


def read_coordinate_file(data: bytes) -> ReadResult:
    """Return the parcels of a national coordinate file (部标准坐标文件), GBK or UTF-8.

    The zone comes from each Y's prefix and, when Y has none, from the header's 带号; a prefix
    that contradicts the header is a wrong zone. Rings with the same 圈号 are consecutive
    points, each closed (last point = first); a ring inside an earlier ring is its hole,
    otherwise a further part. Errors name the parcel and the line.
    """
    result = ReadResult(format=COORDINATE_FILE)
    text = _decode(data)
    header: dict[str, str] = {}
    section = ""
    blocks: list[dict] = []
    max_points = settings.BOUNDARIES_MAX_POINTS
    points_seen = 0
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == "属性描述":
            key, sep, value = line.partition("=")
            if sep:
                header[key.strip()] = value.strip()
            continue
        if section != "地块坐标":
            continue
        if line.endswith("@"):
            if len(blocks) >= settings.BOUNDARIES_MAX_PARCELS_PER_FILE:
                raise BoundaryFileError(
                    _("文件中的地块超过 %(n)d 块，请分批导入。")
                    % {"n": settings.BOUNDARIES_MAX_PARCELS_PER_FILE}
                )
            blocks.append({"line": number, "head": line[:-1].rstrip(","), "points": []})
            continue
        if not blocks:
            result.error(_("界址点出现在第一个地块属性行之前。"), where=_line(number))
            continue
        points_seen += 1
        if points_seen > max_points:
            raise BoundaryFileError(
                _("文件中的界址点超过 %(n)d 个，请分批导入。") % {"n": max_points}
            )
        blocks[-1]["points"].append((number, line))

    try:
        width, header_zone = _header_zone(header)
    except GeometryError as exc:
        raise BoundaryFileError(exc.message) from exc
    if not blocks:
        result.error(_("文件中没有 [地块坐标] 地块。"))
    for block in blocks:
        _read_block(block, width=width, header_zone=header_zone, result=result)
    return result


def _line(number: int) -> str:
    return _("第 %(n)d 行") % {"n": number}


def _header_zone(header: dict[str, str]) -> tuple[int, Zone | None]:
    datum = header.get("坐标系", "")
    if datum and datum not in SUPPORTED_DATUMS:
        raise GeometryError(
            _("坐标系“%(datum)s”不受支持：请先转换为 2000 国家大地坐标系（CGCS2000）。")
            % {"datum": datum}
        )
    projection = header.get("投影类型", "高斯克吕格")
    if projection and projection not in {"高斯克吕格", "高斯-克吕格", "高斯投影"}:
        raise GeometryError(_("投影类型“%(p)s”不受支持，应为高斯克吕格。") % {"p": projection})
    unit = header.get("计量单位", "米")
    if unit and unit != "米":
        raise GeometryError(_("计量单位“%(u)s”不受支持，应为米。") % {"u": unit})
    width_text = header.get("几度分带", "3").rstrip("度° ")
    try:
        width = int(width_text)
    except ValueError as exc:
        raise GeometryError(_("几度分带“%(w)s”应为 3 或 6。") % {"w": width_text}) from exc
    zone_text = header.get("带号", "").strip()
    if not zone_text:
        return width, None
    try:
        return width, rules.zone(int(zone_text), width)
    except ValueError as exc:
        if isinstance(exc, GeometryError):
            raise
        raise GeometryError(_("带号“%(z)s”不是数字。") % {"z": zone_text}) from exc


def _read_block(block: dict, *, width: int, header_zone: Zone | None, result: ReadResult):
    head = [part.strip() for part in block["head"].split(",")]
    where = _line(block["line"])
    if len(head) < 3 or not head[2]:
        result.error(_("地块属性行缺少地块编号。"), where=where)
        return
    code, name = head[2], head[3] if len(head) > 3 else ""
    try:
        point_count = int(head[0])
    except ValueError:
        result.error(_("界址点数“%(v)s”不是整数。") % {"v": head[0]}, code=code, where=where)
        return
    declared = None
    if len(head) > 1 and head[1]:
        try:
            declared = Decimal(head[1])
        except InvalidOperation:
            result.error(_("地块面积“%(v)s”不是数字。") % {"v": head[1]}, code=code, where=where)
            return
        if not declared.is_finite():
            result.error(_("地块面积“%(v)s”不是数字。") % {"v": head[1]}, code=code, where=where)
            return
    if point_count != len(block["points"]):
        result.error(
            _("界址点数为 %(stated)d，实际有 %(actual)d 个点。")
            % {"stated": point_count, "actual": len(block["points"])},
            code=code,
            where=where,
        )
        return

    rings: dict[str, list[tuple[float, float]]] = {}
    order: list[str] = []
    block_zone = header_zone
    for number, line in block["points"]:
        parts = [part.strip() for part in line.split(",")]
        if len(parts) < 4:
            result.error(_("界址点行应为“点号,圈号,X,Y”。"), code=code, where=_line(number))
            return
        ring_no = parts[1]
        try:
            x_north, y_east = float(parts[2]), float(parts[3])
        except ValueError:
            result.error(_("X 或 Y 不是数字。"), code=code, where=_line(number))
            return
        if not (1_000_000 < x_north < 6_500_000):
            hint = _("X 与 Y 是否填反？") if x_north >= 10_000_000 else ""
            result.error(
                _("X（北）坐标 %(x).2f 不在我国范围内。%(hint)s") % {"x": x_north, "hint": hint},
                code=code,
                where=_line(number),
            )
            return
        try:
            if y_east >= 1_000_000:
                point_zone, easting = rules.split_zone_prefix(y_east, width)
            elif header_zone is not None:
                point_zone, easting = header_zone, y_east
            else:
                raise GeometryError(_("Y 坐标不含带号，文件头也没有“带号”。"))
        except GeometryError as exc:
            result.error(exc.message, code=code, where=_line(number))
            return
        if block_zone is not None and point_zone != block_zone:
            result.error(
                _("带号不一致：Y 坐标含 %(found)s，而%(source)s为 %(expected)s。")
                % {
                    "found": point_zone.number,
                    "expected": block_zone.number,
                    "source": _("文件头") if block_zone == header_zone else _("本地块其他点"),
                },
                code=code,
                where=_line(number),
            )
            return
        block_zone = point_zone
        if ring_no not in rings:
            rings[ring_no] = []
            order.append(ring_no)
        rings[ring_no].append((easting, x_north))  # x first: easting, northing

    for ring_no in order:
        points = rings[ring_no]
        if len(points) < 4 or points[0] != points[-1]:
            result.error(
                _("圈号 %(ring)s 未闭合（首末点须相同，至少 3 个不同的点）。") % {"ring": ring_no},
                code=code,
                where=where,
            )
            return
    geometry = _assemble([rings[r] for r in order])
    result.boundaries.append(
        RawBoundary(
            code=code,
            name=name,
            declared_area_ha=declared,
            geometry=geometry,
            source_epsg=block_zone.epsg_plane,
            zone=block_zone,
            where=where,
        )
    )


def _assemble(rings: list[list[tuple[float, float]]]) -> BaseGeometry:
    """Return a Polygon or MultiPolygon from closed rings: a ring inside an earlier part's
    outer ring is that part's hole, any other ring starts a new part."""
    parts: list[tuple[Polygon, list]] = []
    for ring in rings:
        shell = Polygon(ring)
        for index, (outer, holes) in enumerate(parts):
            if outer.is_valid and shell.is_valid and outer.contains(shell):
                holes.append(ring)
                parts[index] = (outer, holes)
                break
        else:
            parts.append((shell, []))
    polygons = [Polygon(outer.exterior.coords, holes) for outer, holes in parts]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


# --- GeoJSON, Shapefile, KML through GDAL ---------------------------------------------------


def read_with_gdal(data: bytes, file_format: str) -> ReadResult:
    """Return the polygons of a GeoJSON, zipped Shapefile or KML file, with their CRS.

    The CRS must be CGCS2000 geographic, WGS 84 or a CGCS2000 Gauss-Krüger zone; a GeoJSON or
    KML file without one is WGS 84 by its standard, a Shapefile without .prj is refused.
    """
    from pyogrio import list_layers
    from pyogrio.errors import DataLayerError, DataSourceError
    from pyogrio.raw import read

    result = ReadResult(format=file_format)
    limit = settings.BOUNDARIES_MAX_PARCELS_PER_FILE
    try:
        # In-memory files get a new temporary layer name at each opening: go by index.
        layers = list(range(len(list_layers(io.BytesIO(data)))))
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise BoundaryFileError(
            _("无法读取 %(fmt)s 文件：%(reason)s")
            % {"fmt": FORMAT_LABELS[file_format], "reason": exc}
        ) from exc
    if len(layers) > settings.BOUNDARIES_MAX_LAYERS:
        raise BoundaryFileError(
            _("文件包含 %(n)d 个图层，超过上限 %(max)d。")
            % {"n": len(layers), "max": settings.BOUNDARIES_MAX_LAYERS}
        )
    feature_no = 0
    for layer in layers:
        try:
            meta, _fids, geometries, values = read(
                io.BytesIO(data),
                layer=layer,
                force_2d=True,
                max_features=limit + 1 - len(result.boundaries),
            )
        except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
            raise BoundaryFileError(
                _("无法读取第 %(layer)d 个图层：%(reason)s") % {"layer": layer + 1, "reason": exc}
            ) from exc
        source_epsg = _source_epsg(meta.get("crs"), file_format)
        names = list(meta["fields"])
        for index, wkb in enumerate(geometries):
            feature_no += 1
            if len(result.boundaries) >= limit:
                raise BoundaryFileError(_("文件中的地块超过 %(n)d 块，请分批导入。") % {"n": limit})
            attributes = {name: column[index] for name, column in zip(names, values, strict=True)}
            _read_feature(
                wkb, attributes, source_epsg=source_epsg, feature_no=feature_no, result=result
            )
    if not result.boundaries and not result.errors:
        result.error(_("文件中没有地块边界。"))
    return result


def _source_epsg(crs_text: str | None, file_format: str) -> int:
    if not crs_text:
        if file_format in {GEOJSON, KML}:
            return rules.WGS84
        raise BoundaryFileError(_("Shapefile 缺少 .prj 坐标系文件。"))
    crs = CRS.from_user_input(crs_text)
    code = crs.to_epsg(min_confidence=70)
    if code in rules.GEOGRAPHIC or (code and rules.zone_of_epsg(code)):
        return code
    raise BoundaryFileError(
        _(
            "坐标系“%(name)s”不受支持：请使用 CGCS2000 经纬度（EPSG:4490）或其 3°/6° 高斯-克吕格"
            "投影带（EPSG:4491–4554）。"
        )
        % {"name": crs.name}
    )


def _first(attributes: dict, candidates) -> object:
    for name in candidates:
        value = attributes.get(name)
        if value is not None and str(value).strip() not in {"", "nan", "None"}:
            return value
    return None


def _read_feature(wkb, attributes: dict, *, source_epsg: int, feature_no: int, result):
    where = _("要素 %(n)d") % {"n": feature_no}
    code = _first(attributes, CODE_FIELDS)
    code = str(code).strip() if code is not None else ""
    if not code:
        result.error(
            _("要素缺少地块编号（字段 %(fields)s 之一）。")
            % {"fields": "、".join(CODE_FIELDS[:4])},
            where=where,
        )
        return
    declared = None
    raw_area = _first(attributes, AREA_FIELDS)
    if raw_area is not None:
        try:
            declared = Decimal(str(raw_area))
        except InvalidOperation:
            result.error(_("面积“%(v)s”不是数字。") % {"v": raw_area}, code=code, where=where)
            return
        if not declared.is_finite():
            result.error(_("面积“%(v)s”不是数字。") % {"v": raw_area}, code=code, where=where)
            return
    if wkb is None:
        result.error(_("要素没有几何。"), code=code, where=where)
        return
    geometry = shapely.from_wkb(wkb)
    if geometry.geom_type == "GeometryCollection":
        polygons = [g for g in geometry.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
        geometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    name = _first(attributes, NAME_FIELDS)
    result.boundaries.append(
        RawBoundary(
            code=code,
            name=str(name) if name is not None else "",
            declared_area_ha=declared,
            geometry=geometry,
            source_epsg=source_epsg,
            zone=rules.zone_of_epsg(source_epsg),
            where=where,
        )
    )


LAYER_NAME_FIELDS = ("name", "名称", "NAME", "Name", "站点名称", "功能区名称")


def read_layer_features(data: bytes) -> list[tuple[str, BaseGeometry]]:
    """Return [(name, geometry in CGCS2000 longitude/latitude)] of a reference layer file
    (GeoJSON, zipped Shapefile or KML): points are rail stations, polygons key function areas.

    Raises BoundaryFileError when the file cannot be read or a feature has no name.
    """
    from pyogrio import list_layers
    from pyogrio.raw import read

    file_format = detect_format(data)
    if file_format == COORDINATE_FILE:
        raise BoundaryFileError(_("参考图层请使用 GeoJSON、Shapefile（.zip）或 KML。"))
    found = []
    try:
        count = len(list_layers(io.BytesIO(data)))
        for layer in range(min(count, settings.BOUNDARIES_MAX_LAYERS)):
            meta, _fids, geometries, values = read(
                io.BytesIO(data), layer=layer, force_2d=True, max_features=100_000
            )
            source_epsg = _source_epsg(meta.get("crs"), file_format)
            names = list(meta["fields"])
            for index, wkb in enumerate(geometries):
                attributes = {n: column[index] for n, column in zip(names, values, strict=True)}
                name = _first(attributes, LAYER_NAME_FIELDS)
                if name is None or wkb is None:
                    raise BoundaryFileError(
                        _("第 %(n)d 个要素缺少名称或几何。") % {"n": len(found) + 1}
                    )
                geometry = rules.transform(shapely.from_wkb(wkb), source_epsg, rules.CGCS2000)
                found.append((str(name), geometry))
    except BoundaryFileError:
        raise
    except Exception as exc:  # pyogrio/GDAL errors of every kind: the file is unusable
        raise BoundaryFileError(_("无法读取图层文件：%(reason)s") % {"reason": exc}) from exc
    return found
