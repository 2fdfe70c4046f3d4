"""plan_progress: planned, supplied, completion, milestones, rings and ratios (R2–R6)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from landsupply.models import District, Ring
from parcels.models import LandSource, Parcel
from plans.selectors import plan_progress
from tests.factories import ParcelFactory, SuppliedParcelFactory

D = Decimal


def parcel(code, category, area, *, supplied_on=None, status=None, year=2024, **kw):
    district = District.objects.get(code=code)
    from parcels.models import LandUseCategory

    fields = {
        "district": district,
        "category": LandUseCategory.objects.get(code=category),
        "area_ha": D(area),
        "plan_year": year,
        **kw,
    }
    if supplied_on:
        return SuppliedParcelFactory(supplied_on=supplied_on, **fields)
    return ParcelFactory(status=status or Parcel.Status.PLANNED, **fields)


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_zhengzhou_completion_and_milestones(plans_2024):
    plan = plans_2024["zhengzhou"]
    # 3927.94 ha target: 2000 ha supplied by 30 June (50.92 %), 1000 more in August.
    parcel("jinshui", "residential", "1500", supplied_on=datetime.date(2024, 5, 10))
    parcel("erqi", "industrial", "500", supplied_on=datetime.date(2024, 6, 30))
    parcel("erqi", "warehouse", "1000", supplied_on=datetime.date(2024, 8, 1))
    parcel("erqi", "public_service", "900")
    parcel("erqi", "commercial", "300", status=Parcel.Status.WITHDRAWN)
    parcel("erqi", "commercial", "77", year=2025)  # another plan year
    parcel("haidian", "residential", "55")  # another jurisdiction

    progress = plan_progress(plan=plan, as_of=datetime.date(2024, 10, 8))

    total = progress["total"]
    assert total["planned_ha"] == D("3900.0000")
    assert total["supplied_ha"] == D("3000.0000")
    assert total["completion_pct"] == D("76.38")  # 3000 / 3927.94
    cats = by_code(progress["categories"])
    assert cats["residential"]["supplied_ha"] == D("1500.0000")
    assert cats["residential"]["completion_pct"] == D("172.07")
    assert cats["industrial_warehouse"]["planned_ha"] == D("1500.0000")
    assert cats["other"]["planned_ha"] == D("900.0000")
    assert cats["other"]["supplied_ha"] == D("0.0000")
    assert cats["commercial"]["planned_ha"] == D("0.0000")
    ms = progress["milestones"]
    assert [m["reached_pct"] for m in ms] == [D("50.92"), D("76.38"), D("76.38")]
    assert [m["status"] for m in ms] == ["met", "met", "upcoming"]
    months = {m["month"]: m for m in progress["monthly"]}
    assert months[5]["cumulative_ha"] == D("1500.0000")
    assert months[6]["cumulative_ha"] == D("2000.0000")
    assert months[12]["cumulative_pct"] == D("76.38")


def test_missed_milestone_stays_flagged_after_later_supply(plans_2024):
    plan = plans_2024["zhengzhou"]
    parcel("jinshui", "residential", "1000", supplied_on=datetime.date(2024, 6, 1))
    parcel("jinshui", "residential", "3000", supplied_on=datetime.date(2024, 7, 15))

    on_the_day = plan_progress(plan=plan, as_of=datetime.date(2024, 6, 30))
    assert on_the_day["milestones"][0]["status"] == "missed"  # flagged at its date
    later = plan_progress(plan=plan, as_of=datetime.date(2024, 12, 31))
    assert later["total"]["completion_pct"] == D("101.83")
    assert [m["status"] for m in later["milestones"]] == ["missed", "met", "met"]
    before = plan_progress(plan=plan, as_of=datetime.date(2024, 6, 29))
    assert before["milestones"][0]["status"] == "upcoming"
    # supply recorded after as_of does not count yet
    assert before["total"]["supplied_ha"] == D("1000.0000")


def test_district_scope_counts_only_that_district(plans_2024):
    plan = plans_2024["zhengzhou"]
    parcel("jinshui", "residential", "10", supplied_on=datetime.date(2024, 3, 1))
    parcel("jinshui", "residential", "30")
    parcel("erqi", "residential", "500", supplied_on=datetime.date(2024, 3, 1))

    progress = plan_progress(
        plan=plan, district=District.objects.get(code="jinshui"), as_of=datetime.date(2024, 12, 1)
    )
    assert progress["total"]["planned_ha"] == D("40.0000")
    assert progress["total"]["supplied_ha"] == D("10.0000")
    # no allocation for the district: completion against its listed parcels
    assert progress["total"]["completion_pct"] == D("25.00")
    assert progress["total"]["completion_basis"] == "planned"
    assert progress["districts"] == []
    whole = plan_progress(plan=plan, as_of=datetime.date(2024, 12, 1))
    assert by_code(whole["districts"])["erqi"]["supplied_ha"] == D("500.0000")


def test_beijing_parcels_count_in_their_category_and_its_ancestors(plans_2024):
    plan = plans_2024["beijing"]
    parcel("daxing", "affordable_housing", "100", supplied_on=datetime.date(2024, 4, 1))
    parcel("daxing", "rental_housing", "20")
    parcel("daxing", "rnd", "30")
    parcel("daxing", "water", "5")

    cats = by_code(plan_progress(plan=plan, as_of=datetime.date(2024, 12, 31))["categories"])
    assert cats["affordable_housing"]["supplied_ha"] == D("100.0000")
    assert cats["residential"]["planned_ha"] == D("120.0000")
    assert cats["rental_housing"]["planned_ha"] == D("20.0000")
    assert cats["rental_housing"]["completion_basis"] == "planned"
    assert cats["industry"]["planned_ha"] == D("30.0000")
    assert cats["urban_rural"]["planned_ha"] == D("150.0000")
    assert cats["special_transport_water"]["planned_ha"] == D("5.0000")
    assert cats["affordable_housing"]["completion_pct"] == D("21.74")  # 100 / 460


def test_ring_shares_include_child_rings(plans_2024):
    plan = plans_2024["beijing"]
    when = datetime.date(2024, 5, 1)
    parcel("dongcheng", "residential", "10", supplied_on=when)  # core ⊂ central
    parcel("haidian", "residential", "15", supplied_on=when)
    parcel("daxing", "residential", "60", supplied_on=when)
    parcel("yanqing", "residential", "15", supplied_on=when)
    parcel("daxing", "residential", "100")  # planned only
    parcel("fangshan", "residential", "1", supplied_on=when, ring=Ring.objects.get(code="eco"))

    rings = by_code(plan_progress(plan=plan, as_of=datetime.date(2024, 6, 1))["rings"])
    assert rings["central"]["supplied_ha"] == D("25.0000")
    assert rings["central"]["supplied_share_pct"] == D("24.75")  # 25 / 101
    assert rings["central"]["supplied_on_target"] is True
    assert rings["eco"]["supplied_ha"] == D("16.0000")
    assert rings["plain"]["planned_share_pct"] == D("79.60")  # 160 / 201
    assert rings["plain"]["planned_on_target"] is False


def test_policy_ratios_from_planned_and_supplied(plans_2024):
    plan = plans_2024["beijing"]
    when = datetime.date(2024, 5, 1)
    parcel(
        "daxing",
        "industrial",
        "80",
        supplied_on=when,
        in_key_function_area=True,
        land_source=LandSource.STOCK,
    )
    parcel("daxing", "rnd", "20", supplied_on=when, land_source=LandSource.STOCK)
    parcel("daxing", "warehouse", "100")  # planned, not in a key function area
    parcel("daxing", "affordable_housing", "65", supplied_on=when, near_rail=True)
    parcel("daxing", "affordable_housing", "35", supplied_on=when)

    ratios = by_code(plan_progress(plan=plan, as_of=datetime.date(2024, 6, 1))["ratios"])
    kfa = ratios["industry_kfa"]
    assert (kfa["supplied_pct"], kfa["supplied_met"]) == (D("80.00"), True)  # ≥ 80 holds at 80
    assert (kfa["planned_pct"], kfa["planned_met"]) == (D("40.00"), False)
    assert ratios["industry_kfa_2025"]["supplied_met"] is True  # 80 > 70
    assert ratios["affordable_rail_kfa"]["supplied_pct"] == D("65.00")
    assert ratios["affordable_rail_kfa"]["supplied_met"] is True
    stock = ratios["stock_share"]
    assert stock["supplied_pct"] == D("50.00")  # 100 of 200 supplied
    assert stock["supplied_met"] is False


def test_no_parcels_gives_no_ratio_instead_of_zero(plans_2024):
    ratios = plan_progress(plan=plans_2024["beijing"])["ratios"]
    assert all(r["supplied_pct"] is None and r["supplied_met"] is None for r in ratios)


@pytest.mark.parametrize("district_code", [None, "daxing"])
def test_query_count_does_not_grow_with_parcels(plans_2024, district_code):
    plan = plans_2024["beijing"]
    district = District.objects.get(code=district_code) if district_code else None
    parcel("daxing", "industrial", "1", supplied_on=datetime.date(2024, 2, 1))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            plan_progress(plan=plan, district=district, as_of=datetime.date(2024, 12, 31))
        return len(ctx.captured_queries)

    few = count()
    categories = ["industrial", "rnd", "affordable_housing", "water", "commercial"]
    for i in range(40):
        parcel(
            ["daxing", "haidian", "yanqing", "dongcheng"][i % 4],
            categories[i % 5],
            "2.5",
            supplied_on=datetime.date(2024, 1 + i % 12, 1 + i % 28) if i % 3 else None,
            in_key_function_area=bool(i % 2),
            near_rail=bool(i % 7 == 0),
            land_source=LandSource.STOCK if i % 4 else LandSource.NEW,
        )
    assert count() == few
    assert few <= 15
