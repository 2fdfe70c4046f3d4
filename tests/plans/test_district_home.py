"""The district's home page: its list against its allocation when there is one, else its share
of the city plan; its milestones; ring shares (city-wide, R3) only at city level."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from landsupply.models import District
from parcels.models import LandUseCategory
from tests.factories import DistrictAllocationFactory, ParcelFactory, SuppliedParcelFactory

URL = reverse("plans:overview")
JULY = datetime.datetime(2024, 7, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _parcel(code, area, supplied=False):
    factory = SuppliedParcelFactory if supplied else ParcelFactory
    return factory(
        district=District.objects.get(code=code),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal(area),
    )


def card(page, element_id):
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</div>", start)]


@time_machine.travel(JULY, tick=False)
def test_without_an_allocation_the_district_sees_its_share_not_100_percent(
    client, plans_2024, district_user
):
    _parcel("jinshui", "30", supplied=True)
    _parcel("erqi", "70", supplied=True)
    client.force_login(district_user("jinshui"))
    page = client.get(URL).content.decode()
    assert "本区清单占全市计划" in page
    assert "30.00%" in card(page, "total-target")  # 30 of the city's 100 ha
    # everything it listed is supplied: no "100 %" against its own list, its share instead
    assert "100.00%" not in card(page, "completion") and "30.00%" in card(page, "completion")
    assert "本区已供应占全市已供应" in page and "不计算本区完成率" in page


@pytest.mark.parametrize("allocated", [Decimal("60"), None])
@time_machine.travel(JULY, tick=False)
def test_with_an_allocation_the_district_is_measured_against_it(
    client, plans_2024, district_user, allocated
):
    plan = plans_2024["zhengzhou"]
    _parcel("jinshui", "30", supplied=True)
    if allocated is not None:
        DistrictAllocationFactory(
            plan=plan,
            district=District.objects.get(code="jinshui"),
            target_min_ha=allocated,
            target_max_ha=allocated,
        )
    client.force_login(district_user("jinshui"))
    page = client.get(URL).content.decode()
    assert ("本区分区指标" in page) is (allocated is not None)
    if allocated is not None:
        assert "60.00" in card(page, "total-target")
        assert "50.00%" in card(page, "completion")  # 30 ÷ 60


@time_machine.travel(JULY, tick=False)
def test_ring_shares_only_at_city_level(client, plans_2024, district_user, bj_city):
    _parcel("haidian", "10", supplied=True)
    client.force_login(district_user("haidian"))
    district_page = client.get(URL).content.decode()
    assert (
        'id="ring-table"' not in district_page
        and "未达标" not in district_page.split('id="ratio-table"')[0]
    )
    client.force_login(bj_city)
    assert 'id="ring-table"' in client.get(URL).content.decode()


@time_machine.travel(JULY, tick=False)
def test_the_district_sees_its_milestones(client, plans_2024, district_user):
    _parcel("jinshui", "30", supplied=True)
    client.force_login(district_user("jinshui"))
    page = client.get(URL).content.decode()
    assert 'id="milestone-table"' in page and "2024-06-30" in page


def test_no_milestone_legend_without_milestones(client, plans_2024, bj_city):
    """Beijing's 2024 plan has no milestones (the documents give none)."""
    client.force_login(bj_city)
    page = client.get(URL).content.decode()
    assert 'id="milestone-table"' not in page
    assert "累计完成率与节点目标" not in page
