"""Reference data: jurisdictions, rings and districts (DOMAIN.md §D), and the demo users.

Sources: 北京市2024年度建设用地供应计划 (rings, districts); 郑州市市本级2024年度国有建设用地
供应计划 (市本级 scope). Every function is idempotent: running it twice changes nothing.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from landsupply.models import District, Enterprise, Jurisdiction, Ring, User

JURISDICTIONS = [
    {
        "code": "beijing",
        "name": "北京市",
        "rings": [
            # (code, name, parent code)
            ("central", "中心城区", None),
            ("core", "核心区", "central"),
            ("plain", "平原新城（含城市副中心）", None),
            ("eco", "生态涵养区", None),
        ],
        "districts": [
            # (code, name, default ring code)
            ("dongcheng", "东城区", "core"),
            ("xicheng", "西城区", "core"),
            ("chaoyang", "朝阳区", "central"),
            ("haidian", "海淀区", "central"),
            ("fengtai", "丰台区", "central"),
            ("shijingshan", "石景山区", "central"),
            ("tongzhou", "通州区", "plain"),
            ("shunyi", "顺义区", "plain"),
            ("daxing", "大兴区", "plain"),
            ("changping", "昌平区", "plain"),
            ("fangshan", "房山区", "plain"),
            ("yizhuang", "北京经济技术开发区", "plain"),
            ("mentougou", "门头沟区", "eco"),
            ("pinggu", "平谷区", "eco"),
            ("huairou", "怀柔区", "eco"),
            ("miyun", "密云区", "eco"),
            ("yanqing", "延庆区", "eco"),
        ],
    },
    {
        "code": "zhengzhou",
        "name": "郑州市（市本级）",
        "rings": [],
        "districts": [
            ("zhongyuan", "中原区", None),
            ("erqi", "二七区", None),
            ("guancheng", "管城回族区", None),
            ("jinshui", "金水区", None),
            ("huiji", "惠济区", None),
            ("gaoxin", "高新区", None),
            ("jingkai", "经开区", None),
            ("zhengdong", "郑东新区", None),
            ("shangjie", "上街区", None),
            ("hangkonggang", "航空港区", None),
        ],
    },
]

DEMO_PASSWORD = "demo12345"


@transaction.atomic
def seed_jurisdictions() -> dict[str, Jurisdiction]:
    """Create or update Beijing and Zhengzhou with their rings and districts.

    Returns {code: Jurisdiction}.
    """
    result = {}
    for spec in JURISDICTIONS:
        jurisdiction, _ = Jurisdiction.objects.update_or_create(
            code=spec["code"], defaults={"name": spec["name"]}
        )
        rings = {}
        for order, (code, name, parent_code) in enumerate(spec["rings"]):
            rings[code], _ = Ring.objects.update_or_create(
                jurisdiction=jurisdiction,
                code=code,
                defaults={"name": name, "parent": rings.get(parent_code), "sort_order": order},
            )
        for order, (code, name, ring_code) in enumerate(spec["districts"]):
            District.objects.update_or_create(
                code=code,
                defaults={
                    "jurisdiction": jurisdiction,
                    "name": name,
                    "default_ring": rings.get(ring_code),
                    "sort_order": order,
                },
            )
        result[spec["code"]] = jurisdiction
    return result


DEMO_ENTERPRISES = [
    # (credit code, name) — fictitious, clearly labelled demo
    ("91110000DEMO00001A", "【演示】北京智造科技有限公司"),
    ("91110000DEMO00002B", "【演示】京南新材料有限公司"),
]

DEMO_USERS = [
    # (username, role, district code, enterprise credit code, first name)
    ("city", User.Role.CITY, None, None, "市规划自然资源委（演示）"),
    ("haidian", User.Role.DISTRICT, "haidian", None, "海淀区分局（演示）"),
    ("daxing", User.Role.DISTRICT, "daxing", None, "大兴区分局（演示）"),
    ("zz_city", User.Role.CITY, None, None, "郑州市自然资源和规划局（演示）"),
    ("jinshui", User.Role.DISTRICT, "jinshui", None, "金水区（演示）"),
    ("enterprise", User.Role.ENTERPRISE, None, "91110000DEMO00001A", "北京智造科技（演示）"),
    ("enterprise2", User.Role.ENTERPRISE, None, "91110000DEMO00002B", "京南新材料（演示）"),
    ("admin", User.Role.ADMIN, None, None, "平台管理员（演示）"),
]

# City staff look after their own jurisdiction in the admin site (scoped there by
# landsupply.admin_scope): they see its records, edit its rule parameters, districts, rings and
# parcels, and manage its users. The platform administrator needs no group (superuser).
CITY_ADMIN_GROUP = "市级业务管理（演示）"
CITY_ADMIN_APPS = ["landsupply", "parcels", "plans", "assessments"]
CITY_ADMIN_CHANGES = [
    "landsupply.add_user",
    "landsupply.change_user",
    "landsupply.change_district",
    "landsupply.change_ring",
    "parcels.change_parcel",
    "plans.change_planruleset",
    "plans.change_planrulemilestone",
    "assessments.change_leaseruleset",
]


def seed_city_admin_group() -> Group:
    """Return the demo group of city staff who use the admin site: view every record of the
    project's apps (scoped to their jurisdiction by the admin) and change the few listed in
    CITY_ADMIN_CHANGES. Idempotent."""
    group, _ = Group.objects.get_or_create(name=CITY_ADMIN_GROUP)
    changes = Q()
    for name in CITY_ADMIN_CHANGES:
        app_label, codename = name.split(".")
        changes |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label__in=CITY_ADMIN_APPS, codename__startswith="view_") | changes
        )
    )
    return group


@transaction.atomic
def seed_demo_users(password: str = DEMO_PASSWORD) -> list[User]:
    """Create the demo enterprises and one demo user of each role (password `password`).

    `city` is Beijing's city staff, `zz_city` Zhengzhou's; both use the admin site for their own
    jurisdiction only (CITY_ADMIN_GROUP). `admin` is the platform administrator: the superuser
    of the admin site, with no operational role. Idempotent. Returns the users.
    """
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    city_admins = seed_city_admin_group()
    enterprises = {}
    for credit_code, name in DEMO_ENTERPRISES:
        enterprises[credit_code], _ = Enterprise.objects.update_or_create(
            credit_code=credit_code,
            defaults={
                "name": name,
                "is_demo": True,
                "contact_email": f"{credit_code}@demo.invalid",
            },
        )
    users = []
    for username, role, district_code, credit_code, first_name in DEMO_USERS:
        district = District.objects.get(code=district_code) if district_code else None
        if role == User.Role.ADMIN:
            jurisdiction = None
        elif district:
            jurisdiction = district.jurisdiction
        elif username.startswith("zz_"):
            jurisdiction = jurisdictions["zhengzhou"]
        else:
            jurisdiction = jurisdictions["beijing"]
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "district": district,
                "enterprise": enterprises.get(credit_code),
                "jurisdiction": jurisdiction,
                "first_name": first_name,
                "email": f"{username}@demo.invalid",
                "is_staff": role in (User.Role.CITY, User.Role.ADMIN),
                "is_superuser": role == User.Role.ADMIN,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if role == User.Role.CITY:
            user.groups.add(city_admins)
        users.append(user)
    return users


CALENDAR_SOURCE = "chinesecalendar（国务院办公厅历年部分节假日安排的通知）"
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@transaction.atomic
def seed_calendar() -> int:
    """Load China's statutory holidays and make-up working days from the chinesecalendar
    package into CalendarDay; rows staff entered or changed in the admin are kept. Idempotent.
    Returns the number of days added. 民法典 第二百零三条; 国务院 全国年节及纪念日放假办法.
    """
    import chinese_calendar

    from landsupply.models import CalendarDay

    existing = set(CalendarDay.objects.values_list("day", flat=True))
    rows = [
        CalendarDay(
            day=day, kind=kind, name=HOLIDAY_NAMES.get(name, name or ""), source=CALENDAR_SOURCE
        )
        for kind, days in (
            (CalendarDay.Kind.HOLIDAY, chinese_calendar.holidays),
            (CalendarDay.Kind.WORKDAY, chinese_calendar.workdays),
        )
        for day, name in days.items()
        if day not in existing
    ]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
