"""Browser: the parcel map over the demo data — shows the demo parcels, filters them, opens a
parcel (issue 12), at desktop width and at 390 px."""

import pytest
from django.core.management import call_command

from landsupply.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site():
    call_command("seed_plans", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)


def _wait_for_parcels(page):
    page.wait_for_function(
        "document.getElementById('parcel-map').dataset.ready === '1'"
        " && !document.getElementById('parcel-map').dataset.loading"
    )


def _zoom_to(page, lat, lon, zoom):
    page.evaluate(f"document.getElementById('parcel-map')._map.setView([{lat}, {lon}], {zoom})")
    page.wait_for_timeout(100)
    _wait_for_parcels(page)


@pytest.mark.parametrize("width", [1400, 390])
def test_map_shows_filters_and_opens_the_demo_parcels(demo_site, page, login, screenshot, width):
    from boundaries.models import ParcelBoundary

    page.set_viewport_size({"width": width, "height": 900})
    login("haidian", DEMO_PASSWORD)
    page.goto(page.base_url + "/map/")
    _wait_for_parcels(page)
    map_el = page.locator("#parcel-map")
    # The district's demo parcels, all of them, as features or clusters.
    haidian = ParcelBoundary.objects.filter(parcel__district__code="haidian")
    assert int(map_el.get_attribute("data-count")) == haidian.count() > 0
    screenshot(f"map_district_{width}")

    # Filter: only supplied parcels (the parcel list's filter form).
    page.locator("details.filters-box > summary").click()
    page.select_option("#id_status", "supplied")
    page.click("#map-filters button[type=submit]")
    _wait_for_parcels(page)
    supplied = haidian.filter(parcel__status="supplied").count()
    assert 0 < supplied < haidian.count()
    assert int(map_el.get_attribute("data-count")) == supplied

    # Zoom to one parcel and open it from its popup.
    target = haidian.filter(parcel__status="supplied").select_related("parcel").first()
    centre = target.shape.centroid
    _zoom_to(page, centre.y, centre.x, 16)
    assert map_el.get_attribute("data-mode") == "parcels"
    screenshot(f"map_district_zoomed_{width}")
    box = map_el.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".leaflet-popup a.open-parcel").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith(f"/parcels/{target.parcel_id}")
    assert target.parcel.code in page.locator("h1").inner_text()
    section = page.locator("#parcel-boundary")
    assert f"{target.area_ha} 公顷" in section.inner_text()
    page.wait_for_function("document.getElementById('parcel-boundary-map').dataset.ready === '1'")
    screenshot(f"parcel_boundary_{width}")


def test_city_map_clusters_the_jurisdiction_and_public_map_shows_r24_only(
    demo_site, page, login, screenshot
):
    from boundaries.maps import public_parcels

    login("city", DEMO_PASSWORD)
    page.goto(page.base_url + "/map/")
    _wait_for_parcels(page)
    map_el = page.locator("#parcel-map")
    assert map_el.get_attribute("data-mode") == "clusters"
    page.select_option("#parcel-map-colour", "category")
    screenshot("map_city")

    page.goto(page.base_url + "/map/public/")
    page.wait_for_function("document.getElementById('public-map').dataset.ready === '1'")
    expected = public_parcels().filter(boundary__isnull=False).count()
    assert int(page.locator("#public-map").get_attribute("data-count")) == expected > 0
    screenshot("map_public")
