"""The demo parcel ledger: invented parcels, every one labelled 演示 (is_demo=True).

The plan figures are real (plans/seed.py); the ledger behind them is not. It is sized so that
each category's planned area is close to the real 2024 target, a share of it is supplied
through the year (so completion, milestones, ring shares and ratios all show something), and a
few industrial parcels are supplied by lease-then-transfer (先租后让) to the demo enterprises.
Deterministic: the same rows every time (seeded random), and idempotent.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from landsupply.models import District
from parcels.models import LandSource, LandUseCategory, Parcel, SupplyMethod

DEMO_YEAR = 2024

# Approximate planned hectares per land-use category (close to each jurisdiction's 2024 plan).
DEMO_CATEGORY_AREAS = {
    "beijing": {
        "rnd": 80,
        "industrial": 200,
        "warehouse": 100,
        "commercial": 80,
        "rural_industry": 60,
        "residential": 600,
        "affordable_housing": 420,
        "rental_housing": 40,
        "public_service": 650,
        "urban_transport": 550,
        "special": 90,
        "transport": 380,
        "water": 130,
    },
    "zhengzhou": {
        "residential": 871.73,
        "commercial": 186.52,
        "industrial": 700,
        "warehouse": 224.05,
        "public_service": 900,
        "urban_transport": 700,
        "water": 345.64,
    },
}

# Share of each quarter's planned area that gets supplied (2024 is over: most of it is).
SUPPLY_SHARE_BY_QUARTER = {1: 0.95, 2: 0.85, 3: 0.7, 4: 0.45}

INDUSTRY_CODES = {"rnd", "industrial", "warehouse", "commercial", "rural_industry", "mining"}
METHODS_BY_CATEGORY = {
    "public_service": SupplyMethod.ALLOCATION,
    "urban_transport": SupplyMethod.ALLOCATION,
    "special": SupplyMethod.ALLOCATION,
    "transport": SupplyMethod.ALLOCATION,
    "water": SupplyMethod.ALLOCATION,
    "affordable_housing": SupplyMethod.ALLOCATION,
}

# (district code, parcel code, name, area ha, demo enterprise credit code, supplied on)
LEASE_THEN_TRANSFER_PARCELS = [
    (
        "haidian",
        "DEMO-LTT-01",
        "【演示】中关村智能制造先租后让地块",
        "3.2000",
        "91110000DEMO00001A",
        datetime.date(2024, 3, 15),
    ),
    (
        "haidian",
        "DEMO-LTT-02",
        "【演示】海淀北部研发先租后让地块",
        "2.1500",
        "91110000DEMO00001A",
        datetime.date(2024, 6, 20),
    ),
    (
        "daxing",
        "DEMO-LTT-03",
        "【演示】大兴生物医药基地先租后让地块",
        "5.6000",
        "91110000DEMO00002B",
        datetime.date(2024, 4, 10),
    ),
    (
        "daxing",
        "DEMO-LTT-04",
        "【演示】大兴新材料先租后让地块",
        "4.0000",
        "91110000DEMO00002B",
        datetime.date(2024, 9, 5),
    ),
    (
        "daxing",
        "DEMO-LTT-05",
        "【演示】大兴机器人产业先租后让地块",
        "3.7500",
        "91110000DEMO00001A",
        datetime.date(2024, 11, 18),
    ),
]

QUARTER_END_MONTH = {1: 3, 2: 6, 3: 9, 4: 12}


# Relative weight of a district's share of the demo area, by its default ring, so that the
# demo's ring shares come out near the Beijing targets (R3: ≈25 / 60 / 15 %).
RING_WEIGHTS = {"core": 3.0, "central": 4.5, "plain": 10.0, "eco": 3.0, None: 1.0}


def _split(total: float, districts: list[District], rng: random.Random) -> list[Decimal]:
    weights = [
        RING_WEIGHTS[d.default_ring.code if d.default_ring else None] * rng.uniform(0.7, 1.3)
        for d in districts
    ]
    scale = total / sum(weights)
    areas = [Decimal(str(w * scale)).quantize(Decimal("0.0001"), ROUND_HALF_UP) for w in weights]
    areas[-1] += Decimal(str(total)).quantize(Decimal("0.0001")) - sum(areas)
    return areas


def _demo_rows(
    jurisdiction_code: str, districts: list[District], categories: dict, rng: random.Random
):
    serial = 0
    for category_code, total in DEMO_CATEGORY_AREAS[jurisdiction_code].items():
        category = categories[category_code]
        n = max(3, min(len(districts), int(total // 25)))
        chosen = rng.sample(districts, k=min(n, len(districts)))
        for district, area in zip(chosen, _split(total, chosen, rng), strict=True):
            serial += 1
            quarter = rng.choices([1, 2, 3, 4], weights=[2, 3, 3, 2])[0]
            supplied = rng.random() < SUPPLY_SHARE_BY_QUARTER[quarter]
            is_industry = category_code in INDUSTRY_CODES
            in_kfa = rng.random() < (0.85 if is_industry else 0.35)
            near_rail = rng.random() < (0.7 if category_code == "affordable_housing" else 0.3)
            method = METHODS_BY_CATEGORY.get(category_code) or rng.choice(
                [SupplyMethod.LISTING, SupplyMethod.AUCTION, SupplyMethod.TENDER]
            )
            row = {
                "district": district,
                "code": f"DEMO-{jurisdiction_code[:2].upper()}-{DEMO_YEAR}-{serial:03d}",
                "name": f"【演示】{district.name}{category.name}地块{serial:03d}",
                "location": f"{district.name}演示路{serial}号",
                "category": category,
                "area_ha": area,
                "land_source": LandSource.STOCK if rng.random() < 0.62 else LandSource.NEW,
                "supply_method": method,
                "in_key_function_area": in_kfa,
                "key_function_area_name": "演示重点功能区" if in_kfa else "",
                "near_rail": near_rail,
                "plan_year": DEMO_YEAR,
                "planned_quarter": quarter,
                "ring": district.default_ring,
                "is_demo": True,
            }
            if supplied:
                month = QUARTER_END_MONTH[quarter] - rng.randint(0, 2)
                row.update(
                    status=Parcel.Status.SUPPLIED,
                    supplied_on=datetime.date(DEMO_YEAR, month, rng.randint(1, 28)),
                    contract_number=f"演示合同-{DEMO_YEAR}-{serial:04d}",
                    transaction_price=None
                    if method == SupplyMethod.ALLOCATION
                    else (area * Decimal(rng.randint(800, 6000)) * Decimal("10000")).quantize(
                        Decimal("0.01")
                    ),
                    awardee="【演示】受让单位"
                    if method != SupplyMethod.ALLOCATION
                    else "【演示】划拨用地单位",
                )
            yield row


@transaction.atomic
def seed_demo_parcels() -> int:
    """Create the demo ledger for Beijing and Zhengzhou 2024 if it is not there yet.

    Returns the number of parcels created (0 on a second run). Needs seed_jurisdictions() and
    seed_land_use_categories() first.
    """
    if Parcel.objects.filter(is_demo=True, code__startswith="DEMO-").exists():
        return 0
    categories = {c.code: c for c in LandUseCategory.objects.all()}
    rng = random.Random(DEMO_YEAR)
    parcels = []
    for jurisdiction_code in DEMO_CATEGORY_AREAS:
        districts = list(
            District.objects.filter(jurisdiction__code=jurisdiction_code).select_related(
                "default_ring"
            )
        )
        parcels += [
            Parcel(**row) for row in _demo_rows(jurisdiction_code, districts, categories, rng)
        ]
    from landsupply.models import Enterprise

    enterprises = {e.credit_code: e for e in Enterprise.objects.filter(is_demo=True)}
    industrial = categories["industrial"]
    for district_code, code, name, area, credit_code, supplied_on in LEASE_THEN_TRANSFER_PARCELS:
        district = District.objects.select_related("default_ring").get(code=district_code)
        enterprise = enterprises.get(credit_code)
        parcels.append(
            Parcel(
                district=district,
                code=code,
                name=name,
                location=f"{district.name}演示产业园",
                category=industrial,
                area_ha=Decimal(area),
                land_source=LandSource.NEW,
                supply_method=SupplyMethod.LEASE_THEN_TRANSFER,
                in_key_function_area=True,
                key_function_area_name="演示重点功能区",
                near_rail=False,
                plan_year=DEMO_YEAR,
                planned_quarter=(supplied_on.month - 1) // 3 + 1,
                ring=district.default_ring,
                status=Parcel.Status.SUPPLIED,
                supplied_on=supplied_on,
                contract_number=f"演示先租后让-{code[-2:]}",
                awardee=enterprise.name if enterprise else "【演示】企业",
                is_demo=True,
            )
        )
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(parcels, Parcel)
    return len(parcels)
