"""manage.py lease_quote: the terms of a lease-then-transfer contract (R11–R16, R18, R19, R21)
and what-ifs: a voluntary exit on a day (R23), a renewal (R21)."""

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments import rules, selectors
from assessments.models import Contract
from landsupply import workdays
from landsupply.models import Jurisdiction
from landsupply.validators import DATE_MAX, DATE_MIN, date_in_range, decimal_max
from parcels.models import LandUseCategory

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
    ("registration_due", "不动产登记截止日（R19）"),
    ("renewal_years", "续租年期（年，R21）"),
    ("renewal_rent", "续租租金（元，R21）"),
    ("exit_on", "退出日期（R23）"),
    ("exit_remaining_years", "剩余年期（年，R23）"),
    ("exit_remaining_rent", "剩余年期租金（元，R23）"),
    ("exit_penalty", "违约金（元，R23）"),
    ("exit_refund", "退还租金（元，R23）"),
    ("exit_amount_owed", "违约金超出部分，土地使用权人应付（元，R23）"),
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
            "--award-date",
            help="YYYY-MM-DD of the confirmation of the transaction; chooses the rule set (R25). "
            "Default: the lease start, else today",
        )
        parser.add_argument(
            "--land-use",
            help="land-use category code (statutory maximum, R11); default: the first the rule "
            "set covers",
        )
        parser.add_argument(
            "--extension-approval", default="", help="city-government approval reference (R11)"
        )
        parser.add_argument(
            "--renewal-years", type=int, default=0, help="what if the lease is renewed (R21)"
        )
        parser.add_argument(
            "--exit-on", help="YYYY-MM-DD: what if the holder exits on this day (R23)"
        )
        parser.add_argument("--penalty", default="0", help="contractual exit penalty, yuan (R23)")
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
        try:
            penalty = Decimal(options["penalty"])
        except InvalidOperation as exc:
            raise CommandError(f"--penalty 不是金额：{options['penalty']}", returncode=2) from exc
        if not penalty.is_finite() or penalty < 0 or penalty > limit:
            raise CommandError(
                f"--penalty 须为不超过 {limit:,} 元的非负金额：{options['penalty']}", returncode=2
            )
        lease_start = _date(options, "lease_start")
        exit_on = _date(options, "exit_on")
        award_date = _date(options, "award_date") or lease_start or timezone.localdate()
        try:
            rule_set = selectors.rule_set_effective(jurisdiction=jurisdiction, on=award_date)
            category = _land_use(options["land_use"], rule_set)
            rules.check_land_use(
                covered=selectors.rule_set_covers(rule_set=rule_set, category=category),
                land_use=category.name,
                rule_set=rule_set.name,
                covered_names="、".join(c.name for c in rule_set.land_use_categories.all()),
            )
            params = rule_set.parameters(
                statutory_max_years=selectors.statutory_max_years(category=category)
            )
            quote = rules.lease_quote(
                base_price=base_price,
                lease_years=options["lease_years"],
                transfer_years=options["transfer_years"],
                params=params,
                land_source=options["land_source"],
                lease_start=lease_start,
                extension_approval=options["extension_approval"],
                renewal_years=options["renewal_years"],
                period_end=workdays.deadline,
                exit_on=exit_on,
                penalty=penalty,
            )
        except rules.RuleViolation as exc:
            raise CommandError(
                f"{exc.message} [rule {exc.rule}, limit {exc.limit}]", returncode=2
            ) from exc
        data = quote.as_dict()
        data["jurisdiction"] = jurisdiction.code
        data["award_date"] = award_date.isoformat()
        data["land_use"] = category.code
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


def _date(options, name) -> datetime.date | None:
    value = options[name]
    if not value:
        return None
    flag = "--" + name.replace("_", "-")
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{flag} 须为 YYYY-MM-DD：{value}", returncode=2) from exc
    if not date_in_range(day):
        raise CommandError(f"{flag} 须在 {DATE_MIN} 至 {DATE_MAX} 之间：{value}", returncode=2)
    return day


def _land_use(code: str | None, rule_set) -> LandUseCategory:
    if code:
        category = LandUseCategory.objects.filter(code=code).first()
        if category is None:
            raise CommandError(f"未知用地类型：{code}", returncode=2)
        return category
    category = rule_set.land_use_categories.order_by("sort_order", "pk").first()
    if category is None:
        raise CommandError(f"《{rule_set.name}》没有设定适用用地类型（R25）。", returncode=2)
    return category
