"""Browser: city staff see the plan overview with its charts (R1–R6)."""

import datetime
from decimal import Decimal

import pytest

from landsupply.models import District, User
from landsupply.seed import seed_jurisdictions
from parcels.models import LandSource, LandUseCategory
from parcels.seed import seed_land_use_categories
from plans.seed import seed_plans
from tests.factories import ParcelFactory, SuppliedParcelFactory, UserFactory


def _demo_ledger():
    cats = {c.code: c for c in LandUseCategory.objects.all()}
    rows = [
        ("daxing", "industrial", "120", datetime.date(2024, 3, 10), True),
        ("haidian", "rnd", "60", datetime.date(2024, 5, 20), True),
        ("tongzhou", "affordable_housing", "300", datetime.date(2024, 6, 15), False),
        ("chaoyang", "residential", "250", None, False),
        ("yanqing", "rural_industry", "40", datetime.date(2024, 8, 1), False),
        ("dongcheng", "public_service", "90", datetime.date(2024, 9, 9), False),
        ("shunyi", "urban_transport", "400", None, False),
    ]
    for i, (district, category, area, supplied_on, kfa) in enumerate(rows):
        fields = {
            "district": District.objects.get(code=district),
            "category": cats[category],
            "area_ha": Decimal(area),
            "in_key_function_area": kfa,
            "near_rail": i % 2 == 0,
            "land_source": LandSource.STOCK if i % 3 else LandSource.NEW,
        }
        if supplied_on:
            SuppliedParcelFactory(supplied_on=supplied_on, **fields)
        else:
            ParcelFactory(**fields)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_city_staff_see_overview_with_charts(page, login, screenshot):
    jurisdictions = seed_jurisdictions()
    seed_land_use_categories()
    seed_plans()
    _demo_ledger()
    UserFactory(username="bj_city", role=User.Role.CITY, jurisdiction=jurisdictions["beijing"])

    login("bj_city")
    page.goto(page.base_url + "/plans/")
    page.wait_for_function("document.querySelectorAll('canvas').length >= 3")
    assert page.locator("h1").inner_text().startswith("北京市2024年度建设用地供应计划")
    row = page.locator("#category-table tr[data-code=industry]")
    assert "510.00–530.00" in row.inner_text()
    assert "220" in row.inner_text()  # 120 industrial + 60 R&D + 40 rural industry
    assert page.locator("#ring-table").is_visible()
    # Chart.js drew on the canvases (non-blank pixels)
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('canvas')].map(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
            return false; })"""
    )
    assert drawn and all(drawn)
    screenshot("plans_overview_city")
