"""Land-use categories used by the plans (R2), with their GB/T 21010-2017 codes where one exists.

Sources: 北京市2024年度建设用地供应计划 (categories of the Beijing plan); 郑州市市本级2024年度国有
建设用地供应计划 (住宅、商服、工矿仓储、其他); 北京市国土空间近期规划 art. 62 (rental housing listed
separately, R10).
"""

from django.db import transaction

from parcels.models import LandUseCategory

# (code, name, GB/T 21010-2017 code, parent code)
LAND_USE_CATEGORIES = [
    ("industry", "产业用地", "", None),
    ("rnd", "研发用地", "", "industry"),
    ("industrial", "工业用地", "0601", "industry"),
    ("mining", "采矿用地", "0602", "industry"),
    ("warehouse", "仓储用地", "0604", "industry"),
    ("commercial", "商服用地", "05", "industry"),
    ("rural_industry", "乡村产业用地", "", "industry"),
    ("residential", "住宅用地", "07", None),
    ("affordable_housing", "保障性住宅用地", "0701", "residential"),
    ("rental_housing", "租赁住房用地", "0701", "residential"),
    ("public_service", "公共管理与公共服务用地", "08", None),
    ("urban_transport", "城市道路及交通设施用地", "1004", None),
    ("special", "特殊用地", "09", None),
    ("transport", "交通运输用地", "10", None),
    ("water", "水域及水利设施用地", "11", None),
]


@transaction.atomic
def seed_land_use_categories() -> dict[str, LandUseCategory]:
    """Create or update the land-use categories. Idempotent. Returns {code: category}."""
    result = {}
    for order, (code, name, gb_code, parent_code) in enumerate(LAND_USE_CATEGORIES):
        result[code], _ = LandUseCategory.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "gb_code": gb_code,
                "parent": result.get(parent_code),
                "sort_order": order,
            },
        )
    return result
