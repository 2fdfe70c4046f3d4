"""manage.py check_consistency: every inconsistency in plans, contracts and parcels, with the
rule it breaks (landsupply.consistency), and the kept plan figures that differ from a full scan
of the parcels (`--rebuild-figures` recomputes them first). Exit status 0 when every finding is explained (or
there is none), 1 when some are not, 2 for bad arguments."""

import json

from django.core.management.base import BaseCommand, CommandError

from landsupply.consistency import consistency_findings
from landsupply.models import Jurisdiction
from parcels import figures


class Command(BaseCommand):
    help = (
        "List every inconsistency (plan totals vs categories, children vs parents, city + "
        "district vs total, allocations, listed parcels vs targets, contracts, parcels) with "
        "the rule it breaks. Exit 1 when a finding is not explained."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", help="jurisdiction code, e.g. beijing; default all")
        parser.add_argument("--year", type=int, help="plan year; default all")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--rebuild-figures",
            action="store_true",
            help="recompute the kept plan figures from the parcels first (parcels.figures)",
        )

    def handle(self, *args, **options):
        jurisdiction = None
        if options["jurisdiction"]:
            jurisdiction = Jurisdiction.objects.filter(code=options["jurisdiction"]).first()
            if jurisdiction is None:
                raise CommandError(f"未知辖区：{options['jurisdiction']}", returncode=2)
        if options["rebuild_figures"]:
            figures.install()
            figures.rebuild()
        findings = consistency_findings(
            jurisdiction=jurisdiction, year=options["year"], figures=True
        )
        open_count = sum(1 for f in findings if not f.explained)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "findings": [f.as_dict() for f in findings],
                        "count": len(findings),
                        "unexplained": open_count,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            for f in findings:
                state = "已说明" if f.explained else "待处理"
                self.stdout.write(f"[{f.rule}] {f.check} · {f.subject}：{f.message}（{state}）")
                if f.explained:
                    self.stdout.write(f"    说明：{f.explanation}")
            self.stdout.write(f"共 {len(findings)} 项，其中待处理 {open_count} 项。")
        if open_count:
            raise CommandError(f"{open_count} 项不一致未说明。", returncode=1)
