"""Demo lease-then-transfer contracts (labelled 演示, is_demo=True) on the demo ledger's
lease-then-transfer parcels (parcels.demo), placed relative to today so that the pages and the
reminders show something real: deadlines within 30–90 days, one overdue, one already assessed,
and the DOMAIN.md worked example (3,000 万元, 5 + 15 years).

Idempotent: a contract that exists (by number) is left as it is.
"""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from assessments import rules, services
from assessments.models import AssessmentTemplate, AssessmentTemplateItem, AwardMethod, Contract
from assessments.seed import STANDARD_INDICATORS
from landsupply.models import District, Enterprise
from parcels.models import Parcel

# Targets of the demo agreements, by indicator name (R17).
DEMO_TARGETS = {
    "产业类型符合准入要求": None,
    "投资强度": Decimal("8000"),
    "地均产出": Decimal("15000"),
    "地均税收": Decimal("800"),
    "研发投入占营业收入比例": Decimal("3"),
    "单位产值能耗": Decimal("0.1"),
    "地区贡献率": Decimal("60"),
    "本地就业人数": Decimal("200"),
}
GOOD_VALUES = {
    "产业类型符合准入要求": Decimal("1"),
    "投资强度": Decimal("9200"),
    "地均产出": Decimal("16800"),
    "地均税收": Decimal("910"),
    "研发投入占营业收入比例": Decimal("4.2"),
    "单位产值能耗": Decimal("0.08"),
    "地区贡献率": Decimal("72"),
    "本地就业人数": Decimal("260"),
}

# (parcel code, enterprise, base price yuan, lease years, transfer years, assessment due
#  offset in days from today or None for a fixed start, fixed lease start, scenario)
DEMO_CONTRACTS = [
    ("DEMO-LTT-01", "91110000DEMO00001A", Decimal("18000000"), 3, 17, 45, None, "leasing"),
    ("DEMO-LTT-02", "91110000DEMO00001A", Decimal("12000000"), 3, 17, 80, None, "leasing"),
    ("DEMO-LTT-03", "91110000DEMO00002B", Decimal("24000000"), 3, 17, -10, None, "leasing"),
    ("DEMO-LTT-04", "91110000DEMO00002B", Decimal("20000000"), 3, 17, -30, None, "passed"),
    (
        "DEMO-LTT-05",
        "91110000DEMO00001A",
        Decimal("30000000"),
        5,
        15,
        None,
        datetime.date(2024, 11, 18),
        "leasing",
    ),
]


def seed_demo_templates() -> list[AssessmentTemplate]:
    """Create a demo assessment template (R17: each district sets its own criteria) for every
    district that has a demo lease-then-transfer parcel. Idempotent. Returns the templates."""
    result = []
    codes = set(
        Parcel.objects.filter(is_demo=True, code__startswith="DEMO-LTT").values_list(
            "district__code", flat=True
        )
    )
    for district in District.objects.filter(code__in=codes):
        template, created = AssessmentTemplate.objects.get_or_create(
            district=district,
            name=f"【演示】{district.name}工业用地租赁转出让考核标准",
            defaults={
                "citation": "演示数据（依据北京市工业用地先租后让指导意见（试行）§三(二)）",
                "effective_from": datetime.date(2024, 2, 18),
            },
        )
        if created:
            for order, (name, unit, direction, kind) in enumerate(STANDARD_INDICATORS):
                item = AssessmentTemplateItem(
                    template=template,
                    kind=kind,
                    name=name,
                    unit=unit,
                    direction=direction,
                    target=DEMO_TARGETS.get(name),
                    sort_order=order,
                )
                item.full_clean()
                item.save()
        result.append(template)
    return result


def _lease_start_for_due(due: datetime.date, lease_years: int, lead_months: int) -> datetime.date:
    lease_end = due + relativedelta(months=lead_months)
    return lease_end + datetime.timedelta(days=1) - relativedelta(years=lease_years)


@transaction.atomic
def seed_demo_contracts() -> list[Contract]:
    """Create the demo contracts on the demo parcels that exist (skips missing parcels).

    Returns the demo contracts. Needs seed_rule_sets, seed_demo_users and seed_demo_parcels.
    The district's demo assessment template sets each agreement's indicators (R17).
    """
    seed_demo_templates()
    today = timezone.localdate()
    result = []
    for (
        code,
        credit_code,
        base,
        lease_years,
        transfer_years,
        due_offset,
        fixed_start,
        scenario,
    ) in DEMO_CONTRACTS:
        parcel = (
            Parcel.objects.filter(code=code, is_demo=True)
            .select_related("district__jurisdiction")
            .first()
        )
        enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
        if parcel is None or enterprise is None:
            continue
        number = f"演示先租后让-{code[-2:]}"
        existing = Contract.objects.filter(number=number).first()
        if existing:
            result.append(existing)
            continue
        if fixed_start:
            lease_start = fixed_start
        else:
            lease_start = _lease_start_for_due(
                today + datetime.timedelta(days=due_offset), lease_years, 6
            )
        # The confirmation of the transaction comes a few weeks before the lease starts; the
        # rule set is chosen by it (R25), so it is never before the guidance took effect.
        award_date = max(lease_start - datetime.timedelta(days=20), datetime.date(2024, 2, 18))
        lease_start = max(lease_start, award_date)
        contract = services.contract_award(
            actor=None,
            parcel=parcel,
            enterprise=enterprise,
            base_price=base,
            lease_years=lease_years,
            transfer_years=transfer_years,
            lease_start=lease_start,
            award_method=AwardMethod.LISTING,
            award_reference=f"演示成交确认书〔{award_date.year}〕{code[-2:]}号",
            award_date=award_date,
            number=number,
            is_demo=True,
        )
        services.contract_start_lease(
            actor=None,
            contract=contract,
            agreement_reference=f"演示履约监管协议-{code[-2:]}",
            on=lease_start,
        )
        for indicator in contract.indicators.all():
            for year in range(lease_start.year + 1, min(today.year, contract.lease_end.year) + 1):
                value = GOOD_VALUES[indicator.name]
                if year < today.year and indicator.direction != "yes_no":
                    value = rules.money(value * Decimal("0.9"))
                services.indicator_report_submit(
                    actor=None, indicator=indicator, year=year, actual=value, note="演示数据"
                )
        if scenario == "passed":
            applied = contract.assessment_application_due - datetime.timedelta(days=30)
            services.assessment_apply(actor=None, contract=contract, today=applied)
            services.assessment_decide(
                actor=None,
                contract=contract,
                passed=True,
                notice_number=f"演示考核通知〔{today.year}〕{code[-2:]}号",
                today=today - datetime.timedelta(days=5),
            )
        contract.refresh_from_db()
        result.append(contract)
    return result
