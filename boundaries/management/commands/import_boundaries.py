"""python manage.py import_boundaries FILE --district CODE [--dry-run] [--format json|text]

Imports parcel boundaries (部标准坐标文件, GeoJSON, zipped Shapefile, KML) into one district with
the same checks as the upload page, all or nothing. Exit status 2 when anything is refused or the
file cannot be used (nothing is written then).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from boundaries.readers import BoundaryFileError
from boundaries.services import boundary_import
from boundaries.upload_checks import check_boundary_upload
from landsupply.models import District, User


class Command(BaseCommand):
    help = "导入地块界址（部标准坐标文件、GeoJSON、Shapefile zip、KML），有任何问题则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="界址文件")
        parser.add_argument("--district", required=True, help="区代码，如 haidian")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--user", help="记为导入人的用户名")

    def handle(self, *args, file, district, dry_run, format, user, **options):
        district_obj = District.objects.filter(code=district).first()
        if district_obj is None:
            raise CommandError(f"未知的区代码：{district}", returncode=2)
        user_obj = None
        if user:
            user_obj = User.objects.filter(username=user).first()
            if user_obj is None:
                raise CommandError(f"未知的用户：{user}", returncode=2)
        path = Path(file)
        try:
            checked = check_boundary_upload(path, name=path.name)
            report = boundary_import(
                district=district_obj,
                data=checked.data,
                source_name=path.name,
                user=user_obj,
                dry_run=dry_run,
                file_format=checked.format,
            )
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}", returncode=2) from None
        except BoundaryFileError as exc:
            if format == "json":
                self._json(
                    {"parcels": [], "errors": [{"code": "", "where": "", "message": str(exc)}]}
                )
                raise SystemExit(2) from None
            raise CommandError(str(exc), returncode=2) from None

        if format == "json":
            self._json(report.as_dict())
        else:
            self._text(report, dry_run=dry_run)
        if not report.ok:
            if format == "json":
                raise SystemExit(2)
            raise CommandError(f"共 {len(report.errors)} 个问题，未导入任何界址。", returncode=2)

    def _json(self, payload):
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))

    def _text(self, report, *, dry_run):
        self.stdout.write(
            f"{'地块编号':<16} {'图形面积':>10} {'文件面积':>10} {'台账面积':>10}  重叠"
        )
        for row in report.as_dict()["parcels"]:
            self.stdout.write(
                f"{row['code']:<16} {row['area_ha']:>10} {row['declared_area_ha'] or '-':>10} "
                f"{row['ledger_area_ha']:>10}  {'、'.join(row['overlaps']) or '-'}"
            )
            for warning in row["warnings"]:
                self.stdout.write(f"  注意：{warning}")
        for error in report.errors:
            place = " ".join(part for part in (error["code"], error["where"]) if part)
            self.stdout.write(f"错误 {place}：{error['message']}")
        if report.ok:
            verb = "检查通过（未写入）" if dry_run else "已导入"
            self.stdout.write(self.style.SUCCESS(f"{verb}：{len(report.checked)} 块地块的界址"))
