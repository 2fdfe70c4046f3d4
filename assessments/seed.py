"""Lease rule sets (R11–R23 parameters, R25) of the jurisdictions, from the source documents.

Beijing: 北京市工业用地先租后让指导意见（试行）, 北京市规划和自然资源委员会, 2024-02-18
(bulletin 002 in the shared seeds, last article): §三(三) lease ≤ 5 years, lease + transfer ≤ 20
years, major projects longer with city-government approval up to the statutory maximum
(industrial land 50 years, 《城镇国有土地使用权出让和转让暂行条例》第十二条); §三(五) assessment
or renewal application ≥ 6 months before the lease ends, transfer application within 15 days of
the notice, renewal ≤ 2 years; valid 5 years from issue. Zhengzhou's documents have no
lease-then-transfer guidance: no rule set, so its contracts are refused until one is entered.
"""

import datetime

from django.db import transaction

from assessments.models import IndicatorKind, LeaseRuleSet, StatutoryTermLimit
from landsupply.models import Jurisdiction
from parcels.models import LandUseCategory

BEIJING_CITATION = (
    "北京市规划和自然资源委员会《北京市工业用地先租后让指导意见（试行）》（2024年2月18日印发，"
    "自印发之日起生效，有效期5年）§三(三) 租赁年期一般不超过5年，出让年期与租赁年期之和一般不超过20年，"
    "重大项目经市政府批准后可适当延长，最长不得超过法定最高年限；§三(五) 租赁期（含续租期）届满前至少6个月"
    "提出考核申请，收到书面通知15日内申请签订出让合同，续租期限原则上不超过2年；"
    "工业用地出让最高年限50年（《城镇国有土地使用权出让和转让暂行条例》第十二条）。"
    "§二 适用范围：工业用地采用先租后让方式供应时适用；§三(二) 考核指标包括但不限于产业类型、"
    "投资强度、产出效率（含地均产出）、税收、创新能力、节能环保、地区贡献率、本地就业人口；"
    "§三(五) 租赁期届满后申请办理不动产登记，区政府督促按期办理（登记期限30日为本系统设定）；"
    "§三(七) 退还剩余年期土地租金（不足一年部分按日折算为本系统设定）。"
)

STATUTE = "《城镇国有土地使用权出让和转让暂行条例》（国务院令第55号）第十二条"

# R11: statutory maximum grant terms by use (STATUTE): (purpose, years, land-use category codes,
# is the "composite or other" limit). Categories not linked take the default (50).
STATUTORY_LIMITS = [
    ("居住用地", 70, ["residential"], False),
    ("工业用地", 50, ["industrial", "mining", "warehouse"], False),
    ("教育、科技、文化、卫生、体育用地", 50, ["rnd", "public_service"], False),
    ("商业、旅游、娱乐用地", 40, ["commercial"], False),
    ("综合或者其他用地", 50, [], True),
]

# R17: the kinds every Beijing performance agreement covers at least (§三(二)).
BEIJING_INDICATOR_KINDS = ",".join(
    kind for kind in IndicatorKind.values if kind != IndicatorKind.OTHER
)

RULE_SETS = [
    {
        "jurisdiction": "beijing",
        "name": "北京市工业用地先租后让指导意见（试行）",
        "effective_from": datetime.date(2024, 2, 18),
        "effective_until": datetime.date(2029, 2, 17),
        "citation": BEIJING_CITATION,
        "max_lease_years": 5,
        "max_total_years": 20,
        "extension_allowed": True,
        "application_lead_months": 6,
        "transfer_application_days": 15,
        "max_renewal_years": 2,
        # "续租期限原则上不超过2年": all renewals of a lease together; a 1-year renewal may be
        # followed by another within the 2 years (this project's reading, editable).
        "max_total_renewal_years": 2,
        "renewals_may_follow": True,
        "exit_part_year": "days",
        "registration_period_days": 30,
        "required_indicator_kinds": BEIJING_INDICATOR_KINDS,
        "reminder_lead_days": "90,30,7",
        "land_use": ["industrial"],  # §二 适用范围: 工业用地
    },
]


@transaction.atomic
def seed_rule_sets() -> list[LeaseRuleSet]:
    """Create or update the statutory term limits and the jurisdictions' lease rule sets
    (Beijing only) with the land uses they cover. Idempotent: a second run changes nothing.
    Jurisdictions not yet seeded are skipped. Returns the rule sets.
    Rules R11, R25, 北京市工业用地先租后让指导意见（试行）.
    """
    seed_statutory_limits()
    categories = {c.code: c for c in LandUseCategory.objects.all()}
    result = []
    for spec in RULE_SETS:
        spec = dict(spec)
        land_use = spec.pop("land_use")
        jurisdiction = Jurisdiction.objects.filter(code=spec.pop("jurisdiction")).first()
        if jurisdiction is None:
            continue
        effective_from = spec.pop("effective_from")
        rule_set = LeaseRuleSet.objects.filter(
            jurisdiction=jurisdiction, effective_from=effective_from
        ).first()
        if rule_set is None:
            rule_set = LeaseRuleSet(jurisdiction=jurisdiction, effective_from=effective_from)
        changed = rule_set.pk is None or any(getattr(rule_set, k) != v for k, v in spec.items())
        if changed:
            for key, value in spec.items():
                setattr(rule_set, key, value)
            rule_set.full_clean()
            rule_set.save()
        wanted = {categories[c].pk for c in land_use if c in categories}
        if set(rule_set.land_use_categories.values_list("pk", flat=True)) != wanted:
            rule_set.land_use_categories.set(wanted)
        result.append(rule_set)
    return result


@transaction.atomic
def seed_statutory_limits() -> list[StatutoryTermLimit]:
    """Create or update the statutory maximum grant terms by use and link the land-use
    categories that exist. Idempotent. Rule R11, 城镇国有土地使用权出让和转让暂行条例 第十二条."""
    categories = {c.code: c for c in LandUseCategory.objects.all()}
    result = []
    for purpose, years, codes, is_default in STATUTORY_LIMITS:
        limit, _created = StatutoryTermLimit.objects.update_or_create(
            purpose=purpose,
            defaults={"max_years": years, "is_default": is_default, "citation": STATUTE},
        )
        wanted = {categories[c].pk for c in codes if c in categories}
        if set(limit.land_use_categories.values_list("pk", flat=True)) != wanted:
            limit.land_use_categories.set(wanted)
        result.append(limit)
    return result


# R17: the indicators every performance agreement covers at least (§三(二)), one of each kind;
# each district sets its own criteria and targets. (name, unit, direction, kind)
STANDARD_INDICATORS = [
    ("产业类型符合准入要求", "", "yes_no", "industry_type"),
    ("投资强度", "万元/公顷", "at_least", "investment_intensity"),
    ("地均产出", "万元/公顷", "at_least", "output_efficiency"),
    ("地均税收", "万元/公顷", "at_least", "tax"),
    ("研发投入占营业收入比例", "%", "at_least", "innovation"),
    ("单位产值能耗", "吨标准煤/万元", "at_most", "energy_environment"),
    ("地区贡献率", "%", "at_least", "regional_contribution"),
    ("本地就业人数", "人", "at_least", "local_employment"),
]
