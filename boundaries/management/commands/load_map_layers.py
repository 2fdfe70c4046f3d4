"""python manage.py load_map_layers FILE --jurisdiction CODE --source TEXT

Loads a jurisdiction's reference layers from a GeoJSON, zipped Shapefile or KML file: points are
rail stations, polygons key function areas (a "name" attribute each). Each kind present in the
file replaces that layer; the geometric answers of every boundary of the jurisdiction are
recomputed. Exit status 2 when the file cannot be used (nothing changes then).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from boundaries.models import MapLayerFeature
from boundaries.readers import BoundaryFileError, read_layer_features
from boundaries.rules import GeometryError
from boundaries.services import map_layer_load
from boundaries.upload_checks import check_boundary_upload
from landsupply.models import Jurisdiction


class Command(BaseCommand):
    help = "导入辖区的轨道站点（点）和重点功能区（面）参考图层，并重新判定各地块。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--jurisdiction", required=True, help="辖区代码，如 beijing")
        parser.add_argument("--source", required=True, help="数据来源（显示在地图上）")

    def handle(self, *args, file, jurisdiction, source, **options):
        target = Jurisdiction.objects.filter(code=jurisdiction).first()
        if target is None:
            raise CommandError(f"未知辖区：{jurisdiction}", returncode=2)
        path = Path(file)
        try:
            features = read_layer_features(check_boundary_upload(path, name=path.name).data)
            kinds = {
                MapLayerFeature.Kind.RAIL_STATION: [
                    f for f in features if f[1].geom_type == "Point"
                ],
                MapLayerFeature.Kind.KEY_FUNCTION_AREA: [
                    f for f in features if f[1].geom_type in {"Polygon", "MultiPolygon"}
                ],
            }
            for kind, rows in kinds.items():
                if rows:
                    count = map_layer_load(
                        jurisdiction=target, kind=kind, features=rows, source=source
                    )
                    self.stdout.write(f"{MapLayerFeature.Kind(kind).label}：{count}")
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}", returncode=2) from None
        except (BoundaryFileError, GeometryError) as exc:
            raise CommandError(str(exc), returncode=2) from None
