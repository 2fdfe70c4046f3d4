"""The overview page (plans:overview): figures, chooser, and who may see what."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from landsupply.models import District
from parcels.models import LandUseCategory
from plans.models import AnnualPlan
from tests.factories import EnterpriseUserFactory, ParcelFactory, SuppliedParcelFactory

URL = reverse("plans:overview")


def _supplied(code, area, category="residential"):
    return SuppliedParcelFactory(
        district=District.objects.get(code=code),
        category=LandUseCategory.objects.get(code=category),
        area_ha=Decimal(area),
        supplied_on=datetime.date(2024, 5, 5),
    )


@time_machine.travel(
    datetime.datetime(2024, 7, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
def test_city_staff_see_their_plan_with_targets_and_charts(client, plans_2024, zz_city):
    _supplied("jinshui", "1234.5")
    client.force_login(zz_city)
    page = client.get(URL).content.decode()
    assert "郑州市市本级2024年度国有建设用地供应计划" in page
    # areas with thousands separators and two decimals in plan tables
    for figure in ["3,927.94", "871.73", "186.52", "924.05", "1,945.64", "1,234.50", "31.43%"]:
        assert figure in page, figure
    assert "未达成" in page  # 30 June: 31.43 % < 50 %
    assert "chart-cumulative" in page and "vendor/chart.umd.min.js" in page
    assert 'id="chart-data"' in page


def test_beijing_overview_shows_nested_ranges_rings_and_ratios(client, plans_2024, bj_city):
    client.force_login(bj_city)
    page = client.get(URL).content.decode()
    for text in [
        "3,240.00–3,660.00",
        "2,770.00–2,790.00",
        "510.00–530.00",
        "50.00–70.00",
        "470.00–870.00",
        "1,060.00",
        "保障性住宅用地",
        "租赁住房用地",
        "≈ 25.00%",
        "≥ 80.00%",
        "1,750.00–2,150.00",
        "1,490.00–1,510.00",
        "660.00",
    ]:
        assert text in page, text


def test_city_staff_cannot_open_another_jurisdictions_plan(client, plans_2024, bj_city):
    client.force_login(bj_city)
    other = plans_2024["zhengzhou"]
    assert client.get(URL, {"plan": other.pk}).status_code == 404
    assert client.get(URL, {"district": "jinshui"}).status_code == 404
    page = client.get(URL, {"jurisdiction": "zhengzhou"}).content.decode()
    assert "3,927.94" not in page


def test_district_staff_see_only_their_district(client, plans_2024, district_user):
    _supplied("jinshui", "12.5")
    _supplied("erqi", "777")
    client.force_login(district_user("jinshui"))
    page = client.get(URL).content.decode()
    assert "12.5" in page
    assert "777" not in page
    # asking for another district through the URL still shows their own figures only
    page = client.get(URL, {"district": "erqi"}).content.decode()
    assert "777" not in page and "12.5" in page
    assert "各区执行情况" not in page


def test_district_staff_do_not_see_draft_plans_or_other_cities(client, plans_2024, district_user):
    AnnualPlan.objects.filter(pk=plans_2024["zhengzhou"].pk).update(status=AnnualPlan.Status.DRAFT)
    client.force_login(district_user("jinshui"))
    assert client.get(URL, {"plan": plans_2024["zhengzhou"].pk}).status_code == 404
    assert client.get(URL, {"plan": plans_2024["beijing"].pk}).status_code == 404
    page = client.get(URL, {"jurisdiction": "beijing"}).content.decode()
    assert "3240" not in page
    assert "尚无可查看的年度供地计划" in page


def test_city_staff_narrow_to_one_district(client, plans_2024, bj_city):
    ParcelFactory(
        district=District.objects.get(code="daxing"),
        category=LandUseCategory.objects.get(code="rnd"),
        area_ha=Decimal("42.4242"),
    )
    client.force_login(bj_city)
    page = client.get(URL, {"district": "daxing"}).content.decode()
    assert "42.4242" in page and "大兴区" in page


def test_enterprise_and_anonymous_cannot_open_the_overview(client, plans_2024):
    assert client.get(URL).status_code == 302
    client.force_login(EnterpriseUserFactory())
    assert client.get(URL).status_code == 403
