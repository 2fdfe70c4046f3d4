"""manage.py lease_quote: the terms of a lease-then-transfer contract (R11–R16, R18, R19, R21)."""

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments import rules, selectors
from assessments.models import Contract
from landsupply.models import Jurisdiction
from landsupply.validators import DATE_MAX, DATE_MIN, date_in_range, decimal_max

LABELS = [
    ("base_price", "底价（元）"),
    ("lease_rent", "租赁期租金（元，R14/R16）"),
    ("deposit", "竞买保证金（元，R13）"),
    ("annual_rent", "年租金（元）"),
    ("transfer_price", "转出让地价款（元，R15/R16）"),
    ("renewal_rent_max", "最长续租租金（元，R21）"),
    ("lease_start", "租赁起始日"),
    ("lease_end", "租赁期届满日（R11）"),
    ("assessment_application_due", "考核申请截止日（R18）"),
    ("renewal_application_due", "续租申请截止日（R21）"),
    ("assessment_decision_due", "考核完成截止日（R18）"),
    ("transfer_term_start", "出让期起始日（R19）"),
    ("transfer_term_end", "出让期届满日（R19）"),
]


class Command(BaseCommand):
    help = (
        "Print the rent, deposit, transfer price and deadlines of a lease-then-transfer contract."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", required=True, help="jurisdiction code, e.g. beijing")
        parser.add_argument(
            "--base-price", required=True, help="winning price or supplementary land revenue, yuan"
        )
        parser.add_argument("--lease-years", type=int, required=True)
        parser.add_argument("--transfer-years", type=int, required=True)
        parser.add_argument("--land-source", choices=["new", "stock"], default="new")
        parser.add_argument("--lease-start", help="YYYY-MM-DD; adds the table-C dates")
        parser.add_argument(
            "--extension-approval", default="", help="city-government approval reference (R11)"
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        try:
            jurisdiction = Jurisdiction.objects.get(code=options["jurisdiction"])
        except Jurisdiction.DoesNotExist as exc:
            raise CommandError(f"未知辖区：{options['jurisdiction']}", returncode=2) from exc
        try:
            base_price = Decimal(options["base_price"])
        except InvalidOperation as exc:
            raise CommandError(
                f"--base-price 不是金额：{options['base_price']}", returncode=2
            ) from exc
        limit = decimal_max(Contract, "base_price")
        if not base_price.is_finite() or base_price > limit:
            raise CommandError(
                f"--base-price 须为不超过 {limit:,} 元的金额（合同基准价的上限）："
                f"{options['base_price']}",
                returncode=2,
            )
        lease_start = None
        if options["lease_start"]:
            try:
                lease_start = datetime.date.fromisoformat(options["lease_start"])
            except ValueError as exc:
                raise CommandError(
                    f"--lease-start 须为 YYYY-MM-DD：{options['lease_start']}", returncode=2
                ) from exc
            if not date_in_range(lease_start):
                raise CommandError(
                    f"--lease-start 须在 {DATE_MIN} 至 {DATE_MAX} 之间：{options['lease_start']}",
                    returncode=2,
                )
        try:
            rule_set = selectors.rule_set_effective(
                jurisdiction=jurisdiction, on=lease_start or timezone.localdate()
            )
            quote = rules.lease_quote(
                base_price=base_price,
                lease_years=options["lease_years"],
                transfer_years=options["transfer_years"],
                params=rule_set.parameters(),
                land_source=options["land_source"],
                lease_start=lease_start,
                extension_approval=options["extension_approval"],
            )
        except rules.RuleViolation as exc:
            raise CommandError(
                f"{exc.message} [rule {exc.rule}, limit {exc.limit}]", returncode=2
            ) from exc
        data = quote.as_dict()
        data["jurisdiction"] = jurisdiction.code
        data["rule_set"] = str(rule_set)
        data["citation"] = rule_set.citation
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{jurisdiction.name} · {rule_set.name}")
        for key, label in LABELS:
            if key in data:
                self.stdout.write(f"  {label}: {data[key]}")
        self.stdout.write(f"  规则: {', '.join(data['rules'])}")
