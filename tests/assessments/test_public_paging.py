"""The public disclosure page (R24) is filtered and paged by keyset: each list pages on its
own, both sides of a page boundary, first/previous/next/last, and a filter by district."""

import re

import pytest
from django.urls import reverse

from assessments import views
from tests.factories import ContractFactory, ParcelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(reference_data):
    from landsupply.models import District

    haidian = District.objects.get(code="haidian")
    daxing = District.objects.get(code="daxing")
    industrial = reference_data["categories"]["industrial"]

    def make(n, district=haidian):
        return [
            ParcelFactory(
                district=district, code=f"{district.code[:2].upper()}-{i:02d}", category=industrial,
                supply_method="lease_then_transfer", status="planned",
            ).code
            for i in range(1, n + 1)
        ]  # fmt: skip

    return make, haidian, daxing


def offered_codes(html):
    table = html.split('id="offered"')[1].split("</table>")[0]
    return re.findall(r"<td>([A-Z]{2}-\d\d)</td>", table)


def pager_link(html, pager, name):
    block = html.split(f'id="{pager}"')[1].split("</div>")[0]
    match = re.search(rf'class="{name}" href="\?([^"#]*)', block)
    return match and match.group(1).replace("&amp;", "&")


def get(client, query=""):
    return client.get(
        reverse("assessments:public_list") + ("?" + query if query else "")
    ).content.decode()


@pytest.mark.parametrize("n, paged", [(3, False), (4, True)])
def test_page_boundary(client, offered, monkeypatch, n, paged):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 3)
    make, _haidian, _daxing = offered
    codes = make(n)

    html = get(client)

    assert offered_codes(html) == codes[:3]
    assert ('id="offered-pager"' in html) is paged
    if paged:
        second = get(client, pager_link(html, "offered-pager", "next"))
        assert offered_codes(second) == codes[3:]
        assert pager_link(second, "offered-pager", "next") is None  # no page after the last
        back = get(client, pager_link(second, "offered-pager", "previous"))
        assert offered_codes(back) == codes[:3]
        last = get(client, pager_link(html, "offered-pager", "last"))
        assert offered_codes(last) == codes[-3:]


def test_walking_next_visits_every_row_once(client, offered, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 2)
    make, _haidian, daxing = offered
    codes = make(5) + make(2, district=daxing)
    seen, query = [], ""
    for _ in range(10):
        html = get(client, query)
        seen += offered_codes(html)
        query = pager_link(html, "offered-pager", "next") if 'id="offered-pager"' in html else None
        if not query:
            break
    assert sorted(seen) == sorted(codes) and len(seen) == len(codes)


def test_district_filter_and_the_other_lists_cursor_are_kept(client, offered, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 2)
    make, haidian, daxing = offered
    make(3)
    daxing_codes = make(3, district=daxing)
    for i in range(3):
        ContractFactory(number=f"XZ-PUB-{i}")

    html = get(client, f"district={daxing.pk}")
    assert offered_codes(html) == daxing_codes[:2]
    following = pager_link(html, "offered-pager", "next")
    assert f"district={daxing.pk}" in following
    assert "XZ-PUB" not in html  # the contracts' parcels are in other districts
    second = get(client, following)
    assert offered_codes(second) == daxing_codes[2:]


def test_contracts_page_on_their_own_cursor(client, reference_data, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 2)
    parcels = [ContractFactory(number=f"XZ-PUB-{i}").parcel.code for i in range(3)]

    def shown(html):
        table = html.split('id="supplied"')[1].split("</table>")[0]
        return [code for code in parcels if f"<td>{code} " in table]

    html = get(client)
    second = get(client, pager_link(html, "supplied-pager", "next"))

    assert shown(html) == parcels[:2] and shown(second) == parcels[2:]


def test_a_malformed_cursor_is_the_first_page(client, offered, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 3)
    make, _haidian, _daxing = offered
    codes = make(4)
    for bad in ("o_after=%5B1", "o_after=%7B%7D", "o_before=%5Btrue%2C1%5D", "o_after=%5B1%5D",
                # a text for the district's number, a number beyond any integer column
                'o_after=["abc", "HD-01"]', "o_after=[1" + "0" * 30 + ', "HD-01"]',
                f'o_before=["{"x" * 5000}", "HD-01"]'):  # fmt: skip
        assert offered_codes(get(client, bad)) == codes[:3], bad
    # A number for the contract's text key is that number as text: a page, not an error.
    assert client.get(reverse("assessments:public_list"), {"c_after": "[5]"}).status_code == 200
