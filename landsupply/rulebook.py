"""The rules R1–R25 as the 规则说明 page shows them: wording and source, in Chinese and English.

The text is the project's own copy (nothing reads files outside the project at run time); the
parameters in force for a jurisdiction come from its data, through the apps' rule_parameters
selectors (plans R1–R10, assessments R11–R25), composed here as landsupply/consistency.py
composes the consistency checks.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import get_language

BJ_PLAN = ("北京市2024年度建设用地供应计划", "Beijing 2024 construction-land supply plan")
ZZ_PLAN = (
    "郑州市市本级2024年度国有建设用地供应计划",
    "Zhengzhou (city level) 2024 state-owned construction-land supply plan",
)
BJ_14 = (
    "北京市“十四五”时期土地资源保护利用规划",
    "Beijing land resources protection and use plan for the 14th Five-Year period (2021–2025)",
)
BJ_SPATIAL = (
    "北京市国土空间近期规划（2021年—2025年）",
    "Beijing near-term territorial spatial plan (2021–2025)",
)
LTT = (
    "北京市工业用地先租后让指导意见（试行），2024年2月18日",
    "Beijing guidance on lease-then-transfer of industrial land (trial), 18 February 2024",
)


@dataclass(frozen=True)
class Rule:
    id: str
    group: str  # "plans" | "assessments"
    title: tuple[str, str]  # (zh, en)
    wording: tuple[str, str]
    sources: tuple[tuple[str, str], ...]


RULES = [
    Rule(
        "R1",
        "plans",
        ("总量为区间", "Totals are ranges"),
        (
            "年度计划有供应总量，分为城乡建设用地和特交水用地；任何指标可以是一个数或“下限–上限”区间。",
            "A plan has a total split into urban-rural construction land and special/transport/water land; any target may be a single number or a min–max range.",
        ),
        (BJ_PLAN,),
    ),
    Rule(
        "R2",
        "plans",
        ("分类指标", "Category targets"),
        (
            "计划按用地类型分解指标；类型可以嵌套（保障性住宅属于住宅，研发属于产业用地），下级指标之和须在上级指标之内。",
            "The plan splits its total by land-use category; categories nest (affordable housing within residential, R&D within industry land) and child targets must fit inside the parent's.",
        ),
        (BJ_PLAN, ZZ_PLAN),
    ),
    Rule(
        "R3",
        "plans",
        ("圈层占比", "Ring shares"),
        (
            "各圈层（核心区、中心城区、平原新城、生态涵养区）占已供应总量的比例约为目标值，“约”按容差判定是否达标。",
            'Each ring\'s share of the supplied total is about its target; "about" is judged with a tolerance, shown as on or off target.',
        ),
        (BJ_PLAN,),
    ),
    Rule(
        "R4",
        "plans",
        ("政策比例", "Policy ratios"),
        (
            "如产业用地位于重点功能区的比例、保障性住宅位于轨道站点周边或重点功能区的比例、存量用地占供应总量的比例；按计划和按已供应分别计算。",
            "E.g. the share of industry land in key function areas, of affordable-housing land near rail stations or key function areas, and of stock land in all supply; each computed from planned and from supplied parcels.",
        ),
        (BJ_PLAN, BJ_14),
    ),
    Rule(
        "R5",
        "plans",
        ("市区两级责任", "Responsibility split"),
        (
            "计划分为市级承担和各区承担两部分，另有净减量；各区有各自的分区指标，分区指标之和等于各区合计。",
            "The plan is split between city departments and districts, plus a net reduction; each district has its own allocation, and the allocations add up to the districts' total.",
        ),
        (BJ_PLAN,),
    ),
    Rule(
        "R6",
        "plans",
        ("季度节点", "Quarterly milestones"),
        (
            "按季度设累计完成率节点（如 6月30日 ≥ 50%、9月30日 ≥ 75%、12月31日 100%）；完成率 = 已供应面积 ÷ 计划面积，按计划、按区、按类型计算，节点日未达到即标记。",
            "Cumulative completion milestones by quarter (e.g. ≥ 50 % by 30 June, ≥ 75 % by 30 September, 100 % by 31 December); completion = supplied ÷ planned area, per plan, district and category; a missed milestone is flagged on its date.",
        ),
        (ZZ_PLAN,),
    ),
    Rule(
        "R7",
        "plans",
        ("计划调整", "Adjustments"),
        (
            "需要调整清单的区在截止日前提出书面申请（增补、调出、替换地块或类别间调剂面积），由市级审批；批准的调整计入计划并保留历史；原则上不改变计划总量。计划发布后区级新增的地块为“待纳入”，经批准的调整（或开放的年中增补窗口）纳入前不计入计划数字。北京允许年中增补。",
            "Districts that need to change their list file a written request before the deadline (add, remove or replace parcels; move area between categories); city staff approve or reject; approved changes apply to the plan and are kept in its history; the total stays the same in principle. A parcel a district adds after publication is pending inclusion and counts in no plan figure until an approved adjustment (or an open mid-year supplement window) takes it in. Beijing allows a mid-year supplement.",
        ),
        (ZZ_PLAN, BJ_PLAN),
    ),
    Rule(
        "R8",
        "plans",
        ("奖惩", "Reward and penalty"),
        (
            "执行不力的区扣减下一年度新增建设用地指标并暂停批次用地审批六个月，执行好的给予指标奖励；系统给出年终执行排名作为依据。",
            "Districts with poor execution lose part of next year's new-construction-land quota and have batch approvals suspended for six months; good execution earns a bonus; the system produces the year-end ranking this is based on.",
        ),
        (ZZ_PLAN,),
    ),
    Rule(
        "R9",
        "plans",
        ("计划指标对应用地清单", "Every planned hectare is a listed parcel"),
        (
            "计划数字由各区按地块逐块列出的用地清单（含计划供应季度）支撑。",
            "Plan figures are backed by each district's list of parcels with their planned quarter.",
        ),
        (ZZ_PLAN,),
    ),
    Rule(
        "R10",
        "plans",
        ("单列", "Separate lines"),
        (
            "租赁住房用地和保障性住房用地在计划中单独列出。",
            "Rental housing and affordable housing land are listed separately in the plan.",
        ),
        (BJ_SPATIAL,),
    ),
    Rule(
        "R11",
        "assessments",
        ("年期", "Terms"),
        (
            "租赁年期不超过上限，租赁加出让年期不超过上限；重大项目经市政府批准可以超过，但不得超过工业用地法定最高年限。",
            "The lease term and the lease-plus-transfer term have upper limits; a major project may exceed them with city-government approval, never beyond the statutory maximum for industrial land.",
        ),
        (LTT,),
    ),
    Rule(
        "R12",
        "assessments",
        ("供应方式", "Award method"),
        (
            "新增用地以招标、拍卖、挂牌方式供应并签发成交确认书；盘活的存量用地经区政府批准可以协议方式供应。",
            "New land is awarded by tender, auction or listing, with a confirmation of the transaction; revitalised stock land may be awarded by agreement after district-government approval.",
        ),
        (LTT,),
    ),
    Rule(
        "R13",
        "assessments",
        ("竞买保证金", "Deposit"),
        (
            "竞买保证金等于租赁期租金总额，成交后转为租金。",
            "The bid deposit equals the total rent of the lease period; after award it becomes that rent.",
        ),
        (LTT,),
    ),
    Rule(
        "R14",
        "assessments",
        ("租金（新增用地）", "Rent, new land"),
        (
            "租赁期租金 = 竞得价 ÷（租赁年期 + 出让年期）× 租赁年期。",
            "Lease-period rent = winning price ÷ (lease years + transfer years) × lease years.",
        ),
        (LTT,),
    ),
    Rule(
        "R15",
        "assessments",
        ("转出让地价款（新增用地）", "Transfer price, new land"),
        (
            "转为出让时的地价款 = 竞得价 − 已缴租赁期租金。",
            "Land price on conversion = winning price − rent already paid for the lease period.",
        ),
        (LTT,),
    ),
    Rule(
        "R16",
        "assessments",
        ("存量用地", "Stock land"),
        (
            "存量用地以补缴政府土地收益代替竞得价，按同样两个公式计算。",
            "Stock land uses the same two formulas with the supplementary government land revenue in place of the winning price.",
        ),
        (LTT,),
    ),
    Rule(
        "R17",
        "assessments",
        ("履约监管协议", "Performance agreement"),
        (
            "受让人与区政府签订履约监管协议，约定用地条件和考核标准，指标至少包括产业类型、投资强度、产出效率、税收、创新能力、节能环保、区域贡献、本地就业；各区自定标准。",
            "The awardee signs a performance agreement with the district government setting land-use conditions and assessment criteria, at least: industry type, investment intensity, output efficiency, tax, innovation, energy and environment, regional contribution, local employment; each district sets its own criteria.",
        ),
        (LTT,),
    ),
    Rule(
        "R18",
        "assessments",
        ("考核申请", "Assessment application"),
        (
            "至少在租赁期（含续租）届满前规定月数提出考核申请；区政府依协议考核，在租赁期届满前完成并书面通知。",
            "The assessment application is filed at least the set number of months before the lease (including renewals) ends; the district assesses against the agreement, finishes before the lease ends and notifies in writing.",
        ),
        (LTT,),
    ),
    Rule(
        "R19",
        "assessments",
        ("考核通过", "Pass"),
        (
            "收到书面通知后规定日数内申请签订出让合同并缴纳地价款；出让年期自租赁合同届满次日起算；届满后凭出让合同、缴款和完税凭证办理不动产登记。",
            "Within the set number of days of the written notice the holder applies for the transfer contract and pays the land price; the transfer term starts the day after the lease ends; the holder then registers the title.",
        ),
        (LTT,),
    ),
    Rule(
        "R20",
        "assessments",
        ("考核未通过", "Fail"),
        (
            "须在租赁合同届满前退出；区政府收回土地使用权并注销登记。",
            "The holder must exit before the lease contract ends; the district recovers the land-use right and the title is deregistered.",
        ),
        (LTT,),
    ),
    Rule(
        "R21",
        "assessments",
        ("续租", "Renewal"),
        (
            "特殊情况可在租赁期届满前规定月数申请续租，续租原则上不超过规定年数，续租租金按前一租期年均租金计。",
            "In special cases the holder may apply for renewal the set number of months before the lease ends; renewal is limited to the set years in principle; renewal rent = the preceding lease's average annual rent.",
        ),
        (LTT,),
    ),
    Rule(
        "R22",
        "assessments",
        ("限制", "Restrictions"),
        (
            "租赁期内、竣工前不得转让、转租、抵押；擅自改变用途或产业、变相房地产开发、欠缴租金或违规转让的按协议处置，情节严重的解除合同、收回土地。",
            "During the lease, before completion, the right may not be transferred, sub-leased or mortgaged; unauthorised change of use, disguised real-estate development, unpaid rent or such a transfer lead to disposal under the agreement; serious cases end the contract and the land is recovered.",
        ),
        (LTT,),
    ),
    Rule(
        "R23",
        "assessments",
        ("主动退出", "Voluntary exit"),
        (
            "租赁期内可申请退还土地：退还剩余年期租金并扣除违约金；可利用的建筑物按重置价格结合成新补偿；不可利用的由使用权人拆除或承担拆除费用；生态环境损害由使用权人承担。",
            "During the lease the holder may return the land: the rent of the remaining years minus the penalty is refunded; usable buildings are compensated at replacement cost × newness; unusable ones are demolished at the holder's cost; ecological damage is charged to the holder.",
        ),
        (LTT,),
    ),
    Rule(
        "R24",
        "assessments",
        ("信息公开", "Disclosure"),
        (
            "各区公开以先租后让方式供应的土地及已供应地块的履约情况。",
            "Districts publish the land offered by lease-then-transfer and the execution status of supplied parcels.",
        ),
        (LTT,),
    ),
    Rule(
        "R25",
        "assessments",
        ("有效期与参数", "Validity and parameters"),
        (
            "指导意见自印发之日起施行，有效期 5 年；其他城市使用各自的参数。R11–R23 的每个数字都是辖区的规则参数。",
            "The guidance is valid for 5 years from issue; other cities use their own parameters. Every number in R11–R23 is a rule parameter of the jurisdiction.",
        ),
        (LTT,),
    ),
]

RULE_IDS = [r.id for r in RULES]


def _pick(pair: tuple[str, str]) -> str:
    return pair[1] if (get_language() or "zh-hans").startswith("en") else pair[0]


def rule_entries(*, jurisdiction, on: datetime.date) -> list[dict]:
    """Return [{"id", "group", "title", "wording", "sources": [str], "parameters": [(label,
    value)]}] for R1–R25 in the reader's language, with the parameters in force for
    `jurisdiction` on `on` (empty list when the jurisdiction has no data for the rule)."""
    from assessments.selectors import rule_parameters as lease_parameters
    from plans.selectors import rule_parameters as plan_parameters

    parameters = {}
    if jurisdiction is not None:
        parameters.update(plan_parameters(jurisdiction=jurisdiction, on=on))
        parameters.update(lease_parameters(jurisdiction=jurisdiction, on=on))
    return [
        {
            "id": r.id,
            "group": r.group,
            "title": _pick(r.title),
            "wording": _pick(r.wording),
            "sources": [_pick(s) for s in r.sources],
            "parameters": parameters.get(r.id, []),
        }
        for r in RULES
    ]
