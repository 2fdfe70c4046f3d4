"""python manage.py import_parcels FILE [--district CODE] [--dry-run] [--user USERNAME]

Imports a parcel ledger (.xlsx/.xls/.csv, Chinese headers as in the downloadable template) with
the same checks as the upload page. Prints the error table and exits with status 1 if any row
is wrong (nothing is written then), 2 if the file or the options cannot be used.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from landsupply.models import District, User
from parcels.ledger import LedgerFileError, Throttle, ledger_import


class Command(BaseCommand):
    help = "导入地块台账（.xlsx/.csv），校验规则与网页上传相同；有任何错误则不导入并列出错误。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件：.xlsx、.xls 或 .csv（UTF-8 / GBK）")
        parser.add_argument("--district", help="区代码（如 haidian）：文件只能包含该区的地块")
        parser.add_argument("--dry-run", action="store_true", help="只校验并预览，不写入")
        parser.add_argument("--user", help="以该用户身份导入（权限范围与历史记录的操作人）")

    def handle(self, *args, file, district, dry_run, user, **options):
        district_obj = None
        if district:
            district_obj = District.objects.filter(code=district).first()
            if district_obj is None:
                raise CommandError(f"未知的区代码：{district}", returncode=2)
        user_obj = None
        if user:
            user_obj = User.objects.filter(username=user).first()
            if user_obj is None:
                raise CommandError(f"未知的用户：{user}", returncode=2)

        def report(phase, done, total):
            if options["verbosity"] >= 1:
                self.stderr.write(f"{phase} {done}/{total}")

        progress = Throttle(report, seconds=1.0)

        try:
            check = ledger_import(
                path=file,
                user=user_obj,
                district=district_obj,
                change_reason=f"台账导入（命令行）：{file}"[:100],
                dry_run=dry_run,
                progress=progress,
            )
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}", returncode=2) from None
        except (LedgerFileError, PermissionDenied) as exc:
            raise CommandError(str(exc), returncode=2) from None

        if not check.ok:
            self.stdout.write(f"{'行':>6}  {'列':<12}  错误")
            for error in check.errors:
                row = error["row"] if error["row"] is not None else "-"
                self.stdout.write(f"{row:>6}  {error['column']:<12}  {error['message']}")
            if check.error_overflow:
                self.stdout.write(f"另有 {check.error_overflow} 个错误未列出")
            raise CommandError(
                f"共 {len(check.errors) + check.error_overflow} 个错误，未导入任何数据",
                returncode=1,
            )
        verb = "预览（未写入）" if dry_run else "已导入"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}：共 {check.total_rows} 行，新增 {len(check.new)}，"
                f"变更 {len(check.changed)}，未变 {len(check.unchanged)}"
            )
        )
