"""Browser: the parcel map over the demo data — shows the demo parcels, filters them, opens a
parcel (issue 12), at desktop width and at 390 px; settles after quick moves and failed
requests instead of staying "loading"."""

import json

import pytest
from django.core.management import call_command

from landsupply.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site():
    call_command("seed_plans", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)


def _settled(page):
    """Wait until the map's newest viewport request has settled: drawn, or failed and shown."""
    page.wait_for_function(
        "(m => m && m.dataset.ready === '1' && !m.dataset.loading)"
        "(document.getElementById('parcel-map'))"
    )


def _wait_for_parcels(page):
    _settled(page)
    assert page.locator("#parcel-map").get_attribute("data-error") is None


def _move(page, *views):
    """Set the map's view to each (lat, lon, zoom) in turn within one task, without animation,
    so every move but the last is superseded while its request is under way."""
    calls = "".join(
        f"m.setView([{lat}, {lon}], {zoom}, {{animate: false}});" for lat, lon, zoom in views
    )
    page.evaluate(f"(() => {{ const m = document.getElementById('parcel-map')._map; {calls} }})()")


def _still(page, locator):
    """Return `locator` once the map has settled and the element has not moved for 200 ms: a
    popup opened near the map's edge pans the map (0.25 s), and the pan reloads the viewport."""
    box = None
    for _ in range(25):
        _settled(page)
        page.wait_for_timeout(200)
        now = locator.bounding_box()
        if now == box and not page.locator("#parcel-map").get_attribute("data-loading"):
            return locator
        box = now
    raise AssertionError("the map kept moving")


def _zoom_to(page, lat, lon, zoom):
    _move(page, (lat, lon, zoom))
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
    with page.expect_navigation():
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
    # At 390 px the open filter form stacks above the map: scroll to it, as a user would.
    map_el.scroll_into_view_if_needed()
    box = map_el.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _still(page, page.locator(".leaflet-popup a.open-parcel")).click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith(f"/parcels/{target.parcel_id}")
    assert target.parcel.code in page.locator("h1").inner_text()
    section = page.locator("#parcel-boundary")
    assert f"{target.area_ha} 公顷" in section.inner_text()
    page.wait_for_function("document.getElementById('parcel-boundary-map').dataset.ready === '1'")
    screenshot(f"parcel_boundary_{width}")


class ParcelData:
    """Routes the map's viewport requests: `fail` of them (or all, with fail=None) get a server
    error page, the rest go to the server; answers holds (url, total) of each one answered."""

    def __init__(self, page):
        self.fail = 0
        self.answers = []
        self.failed = 0
        page.route("**/map/parcels.json*", self.handle)

    def handle(self, route):
        if self.fail is None or self.failed < self.fail:
            self.failed += 1
            route.fulfill(status=500, content_type="text/html", body="<h1>500</h1>")
            return
        try:
            response = route.fetch()
            route.fulfill(response=response)
        except Exception:  # noqa: BLE001 - the page aborted it (a newer move): nothing to answer
            return
        self.answers.append((route.request.url, json.loads(response.text())["total"]))


def test_map_settles_after_quick_moves_and_failed_requests(demo_site, page, login, screenshot):
    """The map used to wait forever ("loading", never ready) when its first viewport request
    failed, e.g. a 500 while another request held the session row; it now retries, drops
    superseded answers and, when the server keeps failing, says so with a retry button."""
    from boundaries.models import ParcelBoundary

    data = ParcelData(page)
    data.fail = 1  # the first viewport request fails; the retry succeeds
    login("haidian", DEMO_PASSWORD)
    page.goto(page.base_url + "/map/")
    _wait_for_parcels(page)
    map_el = page.locator("#parcel-map")
    haidian = ParcelBoundary.objects.filter(parcel__district__code="haidian")
    assert data.failed == 1 and len(data.answers) == 1
    assert int(map_el.get_attribute("data-count")) == haidian.count()
    assert page.locator(".map-problem").count() == 0

    # Two quick moves: the first request is superseded, only the last viewport is drawn.
    aborted = []
    page.on("requestfailed", lambda r: aborted.append(r.url) if "parcels.json" in r.url else None)
    centre = haidian.filter(parcel__status="supplied").first().shape.centroid
    _move(page, (centre.y + 0.05, centre.x, 13), (centre.y, centre.x, 16))
    _wait_for_parcels(page)
    # The superseded request may still be answered by the server after the last one (the
    # route handler fetches it anyway): what counts is what the page drew and what it aborted.
    drawn = [total for url, total in data.answers if "zoom=16" in url]
    assert drawn, data.answers
    assert len(aborted) == 1 and "zoom=13" in aborted[0]
    assert int(map_el.get_attribute("data-count")) == drawn[-1] > 0
    assert map_el.get_attribute("data-mode") == "parcels"

    # The server keeps failing: the map settles, says so and offers to retry.
    data.fail = None
    _move(page, (centre.y, centre.x, 15))
    _settled(page)
    assert map_el.get_attribute("data-error") == "parcels:server"
    problem = page.locator(".map-problem")
    assert problem.inner_text().startswith("地块加载失败：服务器出错（HTTP 500）")
    assert data.failed == 4  # the request and its two retries, then no more
    assert page.locator("#parcel-map-status").inner_text() == ""  # no stale count
    screenshot("map_request_failed_1400")
    page.set_viewport_size({"width": 390, "height": 900})  # Leaflet asks again on resize
    _settled(page)
    assert problem.is_visible()
    screenshot("map_request_failed_390")

    data.fail = 0
    problem.get_by_role("button", name="重试").click()
    _wait_for_parcels(page)
    assert page.locator(".map-problem").count() == 0
    assert "zoom=15" in data.answers[-1][0]
    assert int(map_el.get_attribute("data-count")) == data.answers[-1][1]

    # An open popup survives the redraw a move brings (the popup's own auto-pan is one).
    _zoom_to(page, centre.y, centre.x, 16)
    box = map_el.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    code = _still(page, page.locator(".leaflet-popup strong")).inner_text()
    _zoom_to(page, centre.y, centre.x, 15)
    assert page.locator(".leaflet-popup strong").inner_text() == code


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
