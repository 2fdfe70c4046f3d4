"""The plan rule sets and the real 2024 annual supply plans of Beijing and Zhengzhou.

Figures are copied from the source documents (not read at run time):
- BJ2024: 北京市2024年度建设用地供应计划 (shared seed 000_…): §一(一) totals, §一(二) structure,
  §一(三) ring shares, §二(一) net reduction, §二(三) policy ratios, §三(二) city/district split,
  §三(三) mid-year supplement, "本计划自2024年1月1日起执行".
- BJ1425: 北京市"十四五"时期土地资源保护利用规划 (seed 001_…): indicator table items 14 (new
  industry land in key function areas > 70 %) and 20 (stock land ≥ 60 %, text: "提高至60%以上").
- BJ2125: 北京市国土空间近期规划(2021年—2025年) (seed 004_…) art. 62: rental and affordable
  housing are separate lines of the supply plan (R10).
- ZZ2024: 郑州市市本级2024年度国有建设用地供应计划 (seed 003_…): §四 totals and structure,
  §六(二) milestones 50 % / 75 % / 100 %, §六(四) adjustments before 1 June, §六(五) reward and
  penalty (R8).

The documents give no per-district allocations and no Beijing milestones, so none are invented.
Every function is idempotent: running it twice changes nothing (rows are only saved when a value
differs, so no history rows are added either).
"""

import datetime
from decimal import Decimal as D

from django.db import transaction
from django.utils import timezone

from landsupply.models import Jurisdiction, Ring
from parcels.models import LandUseCategory
from plans.models import (
    AnnualPlan,
    CategoryTarget,
    Comparison,
    ConsistencyExplanation,
    Milestone,
    PlanRuleMilestone,
    PlanRuleSet,
    PolicyRatioTarget,
    RingShareTarget,
)

BJ2024 = "北京市2024年度建设用地供应计划"
BJ1425 = '北京市"十四五"时期土地资源保护利用规划'
BJ2125 = "北京市国土空间近期规划(2021年—2025年) 第62条"
ZZ2024 = "郑州市市本级2024年度国有建设用地供应计划"

RULE_SETS = [
    {
        "jurisdiction": "zhengzhou",
        "effective_from": datetime.date(2024, 1, 1),
        "citation": f"{ZZ2024} §六(二) 节点管控、§六(四) 计划调整于6月1日前报送、原则上保持规模不变",
        "adjustment_deadline": (6, 1),
        "mid_year_supplement_allowed": False,
        # (month, day, cumulative %): "6月底达到50%以上，9月底达到75%以上，12月底全面完成"
        "milestones": [(6, 30, D("50")), (9, 30, D("75")), (12, 31, D("100"))],
        # R8, §六(五): "执行不力…核减下年新增建设用地指标，并暂停建设用地批次报批半年；执行较好…给予
        # 新增建设用地指标奖励". The document gives no numbers for 不力/较好: this project reads
        # them as below the September milestone (75 %) and full completion (100 %) with every
        # milestone met; the city edits them in the admin. Six months is the document's.
        "ranking": {
            "reward_min_completion_pct": D("100"),
            "reward_requires_all_milestones": True,
            "penalty_below_completion_pct": D("75"),
            "penalty_suspension_months": 6,
            "ranking_citation": f"{ZZ2024} §六(五) 建立奖惩机制，严格考核兑现（完成率界限为本市设定）",
        },
    },
    {
        "jurisdiction": "beijing",
        "effective_from": datetime.date(2024, 1, 1),
        "citation": f"{BJ2024} §三(三) 年中可对清单内用地进行适当增补；本计划自2024年1月1日起执行",
        "adjustment_deadline": None,
        "mid_year_supplement_allowed": True,
        "milestones": [],
    },
]

# Category tree, BJ2024 §一(一)(二); rental housing line per BJ2125 (R10).
# (code, name, parent code, min ha, max ha, linked land-use category codes, note)
BEIJING_CATEGORIES = [
    (
        "urban_rural",
        "城乡建设用地",
        None,
        D("2770"),
        D("2790"),
        ["industry", "residential", "public_service", "urban_transport"],
        "",
    ),
    ("industry", "产业用地", "urban_rural", D("510"), D("530"), ["industry"], ""),
    ("rnd", "研发用地", "industry", D("80"), D("80"), ["rnd"], ""),
    ("industrial", "工业用地", "industry", D("200"), D("200"), ["industrial"], ""),
    ("warehouse", "仓储用地", "industry", D("100"), D("100"), ["warehouse"], ""),
    ("commercial", "商服用地", "industry", D("80"), D("80"), ["commercial"], ""),
    ("rural_industry", "乡村产业用地", "industry", D("50"), D("70"), ["rural_industry"], ""),
    ("residential", "住宅用地", "urban_rural", D("1060"), D("1060"), ["residential"], ""),
    (
        "affordable_housing",
        "保障性住宅用地",
        "residential",
        D("460"),
        D("460"),
        ["affordable_housing"],
        "R10 单列",
    ),
    (
        "rental_housing",
        "租赁住房用地",
        "residential",
        None,
        None,
        ["rental_housing"],
        "R10 单列；2024年计划未给出指标",
    ),
    (
        "public_service",
        "公共管理与公共服务设施用地",
        "urban_rural",
        D("650"),
        D("650"),
        ["public_service"],
        "",
    ),
    (
        "urban_transport",
        "城市道路及交通设施用地",
        "urban_rural",
        D("550"),
        D("550"),
        ["urban_transport"],
        "",
    ),
    (
        "special_transport_water",
        "特交水用地",
        None,
        D("470"),
        D("870"),
        ["special", "transport", "water"],
        "",
    ),
]

# R2: lines whose children are "of which" lines (其中) and need not fill them: BJ2024 §一(二)
# "住宅用地1060公顷，其中…保障性住宅用地460公顷" (rental housing has no 2024 target).
BEIJING_OF_WHICH = {"residential"}

# R5, BJ2024 §三(二): 市级 "中央、军队和公共管理与公共服务、城市道路及交通运输用地、特交水用地
# 等1750-2150公顷"; 区级 "住宅用地、研发用地、商服用地、工矿仓储用地、乡村产业用地1490-1510公顷".
# Only leaf lines are marked, so nothing is counted twice.
BEIJING_RESPONSIBILITY = {
    "public_service": "city",
    "urban_transport": "city",
    "special_transport_water": "city",
    "residential": "district",
    "rnd": "district",
    "commercial": "district",
    "industrial": "district",
    "warehouse": "district",
    "rural_industry": "district",
}

# A known difference in the source itself, shown with the consistency finding, not hidden.
BEIJING_SPLIT_EXPLANATION = (
    "来源文件本身的差异：§三(二) 区级落实住宅、研发、商服、工矿仓储、乡村产业用地 1490–1510 公顷，"
    "而 §一(二) 这些类别的指标合计 1060 + 80 + 80 + 200 + 100 + 50–70 = 1570–1590 公顷，多 80 公顷；"
    "市级 1750–2150 公顷，而公共管理与公共服务 650、城市道路及交通设施 550、特交水 470–870 合计 "
    "1670–2070 公顷，少 80 公顷（市级另含中央、军队用地，计划未单列）。两级合计均为 3240–3660 公顷，"
    "与供应总量一致。本系统照录来源文件，不作调整。"
)

ZHENGZHOU_CATEGORIES = [
    ("residential", "住宅用地", None, D("871.73"), D("871.73"), ["residential"], "占22.19%"),
    ("commercial", "商服用地", None, D("186.52"), D("186.52"), ["commercial"], "占4.75%"),
    (
        "industrial_warehouse",
        "工矿仓储用地",
        None,
        D("924.05"),
        D("924.05"),
        ["industrial", "mining", "warehouse"],
        "占23.53%",
    ),
    (
        "other",
        "其他用地",
        None,
        D("1945.64"),
        D("1945.64"),
        ["public_service", "urban_transport", "special", "transport", "water"],
        "占49.53%；含公共服务、特殊、交通运输、水利用地",
    ),
]

PLANS = [
    {
        "jurisdiction": "beijing",
        "year": 2024,
        "name": "北京市2024年度建设用地供应计划",
        "source": BJ2024,
        "total": (D("3240"), D("3660")),
        # R5, §三(二): city 1750–2150 ha, districts 1490–1510 ha + net reduction 660 (350 二绿)
        "city_target": (D("1750"), D("2150")),
        "district_target": (D("1490"), D("1510")),
        "net_reduction_ha": D("660"),
        "net_reduction_green_belt_ha": D("350"),
        "categories": BEIJING_CATEGORIES,
        "of_which": BEIJING_OF_WHICH,
        "responsibility": BEIJING_RESPONSIBILITY,
        "explanations": [
            ("R5-split-categories", BEIJING_SPLIT_EXPLANATION, f"{BJ2024} §一(二)、§三(二)"),
        ],
        # R3, §一(三): "约占" 25 / 60 / 15 %; the tolerance (±5 points) is this project's reading
        # of "约", editable in the admin.
        "rings": [("central", D("25")), ("plain", D("60")), ("eco", D("15"))],
        # (code, name, condition, base category, comparison, threshold %, citation)
        "ratios": [
            (
                "industry_kfa",
                "产业用地位于重点功能区比例",
                "kfa",
                "industry",
                Comparison.GTE,
                D("80"),
                f"{BJ2024} §二(三) 不低于80％",
            ),
            (
                "industry_kfa_2025",
                "产业用地位于重点功能区比例（十四五目标）",
                "kfa",
                "industry",
                Comparison.GT,
                D("70"),
                f"{BJ1425} 指标14 >70%",
            ),
            (
                "affordable_rail_kfa",
                "保障性住房用地位于轨道站点或重点功能区周边比例",
                "rail_or_kfa",
                "affordable_housing",
                Comparison.GTE,
                D("65"),
                f"{BJ2024} §二(三) 不低于65%",
            ),
            (
                "stock_share",
                "存量建设用地供应占比",
                "stock",
                None,
                Comparison.GTE,
                D("60"),
                f"{BJ1425} 指标20、§二 提高至60%以上（2020年为57%）",
            ),
        ],
        "milestones": [],
    },
    {
        "jurisdiction": "zhengzhou",
        "year": 2024,
        "name": "郑州市市本级2024年度国有建设用地供应计划",
        "source": ZZ2024,
        "total": (D("3927.94"), D("3927.94")),
        "city_target": (None, None),
        "district_target": (None, None),
        "net_reduction_ha": None,
        "net_reduction_green_belt_ha": None,
        "categories": ZHENGZHOU_CATEGORIES,
        "rings": [],
        "ratios": [],
        "milestones": [
            (datetime.date(2024, 6, 30), D("50")),
            (datetime.date(2024, 9, 30), D("75")),
            (datetime.date(2024, 12, 31), D("100")),
        ],
    },
]


def _upsert(model, lookup: dict, values: dict):
    """Get or create the row matching `lookup`; save only when a value differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
    return obj


@transaction.atomic
def seed_plan_rule_sets() -> list[PlanRuleSet]:
    """Create or update the plan rule sets (R6, R7) of Beijing and Zhengzhou. Idempotent.

    Returns the rule sets. Needs `landsupply.seed.seed_jurisdictions()` first.
    """
    result = []
    for spec in RULE_SETS:
        jurisdiction = Jurisdiction.objects.get(code=spec["jurisdiction"])
        month, day = spec["adjustment_deadline"] or (None, None)
        rule_set = _upsert(
            PlanRuleSet,
            {"jurisdiction": jurisdiction, "effective_from": spec["effective_from"]},
            {
                "citation": spec["citation"],
                "adjustment_deadline_month": month,
                "adjustment_deadline_day": day,
                "mid_year_supplement_allowed": spec["mid_year_supplement_allowed"],
                **spec.get("ranking", {}),
            },
        )
        wanted = set()
        for m, d, percent in spec["milestones"]:
            row = _upsert(
                PlanRuleMilestone,
                {"rule_set": rule_set, "month": m, "day": d},
                {"cumulative_pct": percent},
            )
            wanted.add(row.pk)
        rule_set.milestones.exclude(pk__in=wanted).delete()
        result.append(rule_set)
    return result


def _seed_plan(spec) -> AnnualPlan:
    jurisdiction = Jurisdiction.objects.get(code=spec["jurisdiction"])
    published_at = datetime.datetime(spec["year"], 1, 1, tzinfo=timezone.get_default_timezone())
    plan = AnnualPlan.objects.filter(jurisdiction=jurisdiction, year=spec["year"]).first()
    values = {
        "name": spec["name"],
        "source": spec["source"],
        "total_min_ha": spec["total"][0],
        "total_max_ha": spec["total"][1],
        "city_target_min_ha": spec["city_target"][0],
        "city_target_max_ha": spec["city_target"][1],
        "district_target_min_ha": spec["district_target"][0],
        "district_target_max_ha": spec["district_target"][1],
        "net_reduction_ha": spec["net_reduction_ha"],
        "net_reduction_green_belt_ha": spec["net_reduction_green_belt_ha"],
    }
    if plan is not None and plan.version > 1:
        # Adjusted through the workflow since it was loaded: the figures are the city's now.
        return plan
    plan = _upsert(
        AnnualPlan,
        {"jurisdiction": jurisdiction, "year": spec["year"]},
        {**values, "status": AnnualPlan.Status.PUBLISHED, "published_at": published_at},
    )
    land_use = {c.code: c for c in LandUseCategory.objects.all()}
    targets: dict[str, CategoryTarget] = {}
    for order, (code, name, parent, low, high, links, note) in enumerate(spec["categories"]):
        target = _upsert(
            CategoryTarget,
            {"plan": plan, "code": code},
            {
                "name": name,
                "parent": targets.get(parent),
                "target_min_ha": low,
                "target_max_ha": high,
                "sort_order": order,
                "note": note,
                "children_partition": code not in spec.get("of_which", ()),
                "responsibility": spec.get("responsibility", {}).get(code, ""),
            },
        )
        wanted = {land_use[c].pk for c in links}
        if set(target.land_use_categories.values_list("pk", flat=True)) != wanted:
            target.land_use_categories.set(wanted)
        targets[code] = target
    rings = {r.code: r for r in Ring.objects.filter(jurisdiction=jurisdiction)}
    for code, share in spec["rings"]:
        _upsert(RingShareTarget, {"plan": plan, "ring": rings[code]}, {"share_pct": share})
    for order, (code, name, condition, base, comparison, threshold, citation) in enumerate(
        spec["ratios"]
    ):
        _upsert(
            PolicyRatioTarget,
            {"plan": plan, "code": code},
            {
                "name": name,
                "condition": condition,
                "base_category": land_use[base] if base else None,
                "comparison": comparison,
                "threshold_pct": threshold,
                "citation": citation,
                "sort_order": order,
            },
        )
    for due_on, percent in spec["milestones"]:
        _upsert(Milestone, {"plan": plan, "due_on": due_on}, {"cumulative_pct": percent})
    for check_code, text, citation in spec.get("explanations", []):
        _upsert(
            ConsistencyExplanation,
            {"plan": plan, "check_code": check_code},
            {"explanation": text, "citation": citation},
        )
    return plan


@transaction.atomic
def seed_plans() -> list[AnnualPlan]:
    """Load the plan rule sets and the real 2024 plans of Beijing and Zhengzhou. Idempotent.

    Returns the plans. Needs the jurisdictions and land-use categories seeded first
    (landsupply.seed.seed_jurisdictions, parcels.seed.seed_land_use_categories).
    A plan already changed by an approved adjustment (version > 1) is left as it is.
    Rules R1–R6, R10; sources in this module's docstring.
    """
    seed_plan_rule_sets()
    return [_seed_plan(spec) for spec in PLANS]
