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

from assessments.models import LeaseRuleSet
from landsupply.models import Jurisdiction

BEIJING_CITATION = (
    "北京市规划和自然资源委员会《北京市工业用地先租后让指导意见（试行）》（2024年2月18日印发，"
    "自印发之日起生效，有效期5年）§三(三) 租赁年期一般不超过5年，出让年期与租赁年期之和一般不超过20年，"
    "重大项目经市政府批准后可适当延长，最长不得超过法定最高年限；§三(五) 租赁期（含续租期）届满前至少6个月"
    "提出考核申请，收到书面通知15日内申请签订出让合同，续租期限原则上不超过2年；"
    "工业用地出让最高年限50年（《城镇国有土地使用权出让和转让暂行条例》第十二条）。"
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
        "statutory_max_years": 50,
        "extension_allowed": True,
        "application_lead_months": 6,
        "transfer_application_days": 15,
        "max_renewal_years": 2,
        "reminder_lead_days": "90,30,7",
    },
]


@transaction.atomic
def seed_rule_sets() -> list[LeaseRuleSet]:
    """Create or update the jurisdictions' lease rule sets (Beijing only). Idempotent: a second
    run changes nothing. Jurisdictions not yet seeded are skipped. Returns the rule sets.
    Rule R25, 北京市工业用地先租后让指导意见（试行）.
    """
    result = []
    for spec in RULE_SETS:
        spec = dict(spec)
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
        result.append(rule_set)
    return result


# R17: the indicators every performance agreement covers at least (§三(二)); each district sets
# the targets. (name, unit, direction)
STANDARD_INDICATORS = [
    ("产业类型符合准入要求", "", "yes_no"),
    ("投资强度", "万元/公顷", "at_least"),
    ("地均产出", "万元/公顷", "at_least"),
    ("地均税收", "万元/公顷", "at_least"),
    ("研发投入占营业收入比例", "%", "at_least"),
    ("单位产值能耗", "吨标准煤/万元", "at_most"),
    ("地区贡献率", "%", "at_least"),
    ("本地就业人数", "人", "at_least"),
]
