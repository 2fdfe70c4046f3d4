"""Contract pages: who sees what (tested through URLs), figures labelled with rules, actions."""

import contextlib
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from assessments.demo import seed_demo_contracts
from assessments.models import Contract
from assessments.seed import seed_rule_sets
from landsupply.seed import seed_demo_users
from tests.factories import (
    CityUserFactory,
    DistrictFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
)

CST = ZoneInfo("Asia/Shanghai")
FROZEN = datetime.datetime(2029, 1, 10, 9, 0, tzinfo=datetime.UTC)


def test_enterprise_home_lists_figures_with_rules(client, worked_example):
    client.force_login(worked_example["holder"])
    response = client.get(reverse("assessments:contract_list"))
    html = response.content.decode()
    for text in [
        "30,000,000.00",
        "7,500,000.00",
        "1,500,000.00",
        "22,500,000.00",
        "2029-08-31",
        "2029-02-28",
        "R13",
        "R14/R16",
        "R15/R16",
        "R18",
    ]:
        assert text in html, text


@pytest.mark.parametrize("who", ["enterprise", "district", "city_other"])
def test_others_get_404(client, worked_example, who):
    contract = worked_example["contract"]
    if who == "enterprise":
        user = EnterpriseUserFactory()
    elif who == "district":
        user = DistrictUserFactory(
            district=DistrictFactory(jurisdiction=contract.parcel.district.jurisdiction)
        )
    else:
        user = CityUserFactory()
    client.force_login(user)
    assert client.get(reverse("assessments:contract_detail", args=[contract.pk])).status_code == 404
    assert (
        client.post(
            reverse("assessments:action", args=[contract.pk, "assessment_apply"])
        ).status_code
        == 404
    )
    assert contract.number not in client.get(reverse("assessments:contract_list")).content.decode()


def test_holder_district_and_city_see_it(client, worked_example):
    contract = worked_example["contract"]
    city = CityUserFactory(jurisdiction=contract.parcel.district.jurisdiction)
    for user in [worked_example["holder"], worked_example["district_user"], city]:
        client.force_login(user)
        response = client.get(reverse("assessments:contract_detail", args=[contract.pk]))
        assert response.status_code == 200
        assert "2044-08-31" in response.content.decode()


def test_enterprise_cannot_take_district_actions(client, worked_example):
    contract = worked_example["contract"]
    client.force_login(worked_example["holder"])
    url = reverse("assessments:action", args=[contract.pk, "violation"])
    response = client.post(
        url,
        {
            "violation-kind": "sublease",
            "violation-found_on": "2026-01-01",
            "violation-description": "x",
            "violation-disposal": "y",
            "violation-serious": "on",
        },
    )
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.state == Contract.State.LEASING


def test_late_assessment_application_shows_closing_date(client, worked_example):
    """Past the application day the holder sees no form and one message saying what follows."""
    contract = worked_example["contract"]
    with time_machine.travel(datetime.datetime(2029, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        client.force_login(worked_example["holder"])
        response = client.post(
            reverse("assessments:action", args=[contract.pk, "assessment_apply"]), follow=True
        )
    page = response.content.decode()
    assert "2029-02-28" in page and "区政府将收回土地使用权" in page
    assert page.count("2029-02-28 截止") == 1  # said once, not once per form
    assert 'id="actions"' not in page and '<form method="post" enctype' not in page
    contract.refresh_from_db()
    assert contract.state == Contract.State.LEASING


def test_apply_from_page_and_print_notice(client, worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    with time_machine.travel(FROZEN, tick=False):
        client.force_login(holder)
        page = client.get(
            reverse("assessments:contract_detail", args=[contract.pk])
        ).content.decode()
        assert "还剩 49 天" in page  # countdown to 2029-02-28
        response = client.post(
            reverse("assessments:action", args=[contract.pk, "assessment_apply"])
        )
        assert response.status_code == 302
        client.force_login(staff)
        response = client.post(
            reverse("assessments:action", args=[contract.pk, "assessment_decide"]),
            {
                "assessment_decide-passed": "0",
                "assessment_decide-notice_number": "N-9",
                "assessment_decide-remarks": "",
            },
        )
        # the consequence is named first; nothing is decided until it is confirmed
        assert response.status_code == 200
        assert "前退出" in response.content.decode()
        assert Contract.objects.get(pk=contract.pk).state == Contract.State.ASSESSMENT_APPLIED
        response = client.post(
            reverse("assessments:action", args=[contract.pk, "assessment_decide"]),
            {
                "assessment_decide-passed": "0",
                "assessment_decide-notice_number": "N-9",
                "assessment_decide-remarks": "",
                "assessment_decide-confirmed": "fail",
            },
        )
        assert response.status_code == 302
        notice = client.get(reverse("assessments:notice", args=[contract.pk])).content.decode()
    assert "N-9" in notice and "未通过" in notice and "R20" in notice


def test_public_page_needs_no_login_and_hides_private_data(client, worked_example):
    contract = worked_example["contract"]
    response = client.get(reverse("assessments:public_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert contract.parcel.code in html and "租赁中" in html
    assert contract.enterprise.contact_email not in html
    assert "7,500,000" not in html and "投资强度" not in html


def test_district_awards_from_form(client, worked_example):
    staff = worked_example["district_user"]
    from tests.factories import LeaseThenTransferParcelFactory

    parcel = LeaseThenTransferParcelFactory(district=staff.district)
    client.force_login(staff)
    data = {
        "number": "HD-9",
        "parcel": parcel.pk,
        "enterprise": worked_example["contract"].enterprise_id,
        "award_method": "listing",
        "award_reference": "成交确认书9",
        "base_price": "30000000",
        "lease_years": "6",
        "transfer_years": "14",
        "lease_start": "2025-01-01",
        "award_date": "2024-12-10",
        "extension_approval": "",
    }
    response = client.post(reverse("assessments:contract_create"), data)
    assert "租赁年期上限" in response.content.decode()
    data["lease_years"] = "5"
    data["transfer_years"] = "15"
    response = client.post(reverse("assessments:contract_create"), data)
    contract = Contract.objects.get(number="HD-9")
    assert response.url == contract.get_absolute_url()
    assert contract.lease_rent == Decimal("7500000.00")


def test_demo_contracts_idempotent_and_near_deadlines(reference_data):
    from parcels.demo import seed_demo_parcels

    seed_rule_sets()
    seed_demo_users()
    seed_demo_parcels()
    first = seed_demo_contracts()
    second = seed_demo_contracts()
    assert len(first) == len(second) == 5
    assert Contract.objects.filter(is_demo=True).count() == 5
    from django.utils import timezone

    today = timezone.localdate()
    days = sorted(
        (c.assessment_application_due - today).days for c in first if c.state == "leasing"
    )
    assert any(d < 0 for d in days) and any(0 < d <= 90 for d in days)
    assert any(c.state == "passed" for c in first)


def test_public_page_is_linked_from_login_and_contract_list(client, worked_example):
    """R24: anonymous visitors find the disclosure page from the login page; users from the list."""
    public = reverse("assessments:public_list")
    assert f'href="{public}"' in client.get(reverse("login")).content.decode()
    client.force_login(worked_example["holder"])
    assert f'href="{public}"' in client.get(reverse("assessments:contract_list")).content.decode()


def test_notice_pdf_for_those_who_see_the_contract(client, worked_example):
    """R18: the written notice also downloads as a PDF; another enterprise gets 404."""
    from assessments import exports, services

    if not exports.pdf_available():
        pytest.skip("WeasyPrint needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")

    contract, staff = worked_example["contract"], worked_example["district_user"]
    services.assessment_apply(
        actor=worked_example["holder"], contract=contract, today=datetime.date(2029, 1, 10)
    )
    services.assessment_decide(
        actor=staff,
        contract=contract,
        passed=False,
        notice_number="N-9",
        remarks="未达标",
        today=datetime.date(2029, 2, 1),
    )
    client.force_login(worked_example["holder"])
    url = reverse("assessments:notice_pdf", args=[contract.pk])
    assert url in client.get(reverse("assessments:notice", args=[contract.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and b"NotoSansSC" in _inflated(pdf)  # the packaged font
    client.force_login(EnterpriseUserFactory())
    assert client.get(url).status_code == 404


def _inflated(pdf: bytes) -> bytes:
    """Return the PDF's compressed streams inflated (fonts are named inside object streams)."""
    import re
    import zlib

    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(stream))
    return b"".join(out)


def test_notice_pdf_without_pango_points_to_the_printable_page(client, worked_example, monkeypatch):
    """On a machine without Pango the PDF link explains itself instead of failing (R18)."""
    from assessments import exports, services

    contract, staff = worked_example["contract"], worked_example["district_user"]
    services.assessment_apply(
        actor=worked_example["holder"], contract=contract, today=datetime.date(2029, 1, 10)
    )
    services.assessment_decide(
        actor=staff,
        contract=contract,
        passed=True,
        notice_number="N-10",
        remarks="达标",
        today=datetime.date(2029, 2, 1),
    )
    monkeypatch.setattr(exports, "pdf_available", lambda: False)
    client.force_login(worked_example["holder"])

    response = client.get(reverse("assessments:notice_pdf", args=[contract.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("assessments:notice", args=[contract.pk])
    assert "Pango" in response.content.decode()


def test_public_list_shows_only_planned_lease_then_transfer_parcels(client, worked_example):
    """R24: land offered by lease-then-transfer is disclosed; supplied, withdrawn or other
    parcels are not in the offered list."""
    from tests.factories import ParcelFactory

    district = worked_example["contract"].parcel.district
    offered = ParcelFactory(district=district, supply_method="lease_then_transfer", code="OFF-1")
    ParcelFactory(district=district, supply_method="listing", code="OTHER-1")
    ParcelFactory(
        district=district, supply_method="lease_then_transfer", status="withdrawn", code="WD-1"
    )
    html = client.get(reverse("assessments:public_list")).content.decode()
    table = html[html.index('id="offered"') : html.index('id="supplied"')]
    assert offered.code in table
    assert "OTHER-1" not in table and "WD-1" not in table
    assert worked_example["contract"].parcel.code not in table


def test_transfer_steps_through_the_contract_page(client, worked_example):
    from tests.assessments.conftest import make_passed

    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    make_passed(contract, holder, staff)
    url = lambda action: reverse("assessments:action", args=[contract.pk, action])  # noqa: E731
    with time_machine.travel(datetime.datetime(2029, 5, 25, 9, tzinfo=CST), tick=False):
        client.force_login(holder)
        page = client.get(contract.get_absolute_url()).content.decode()
        assert 'id="form-notice_receipt"' in page and 'id="form-transfer_apply"' in page
        response = client.post(url("notice_receipt"), {"notice_receipt-received_on": "2029-05-24"})
        assert response.status_code == 302
        assert client.post(url("transfer_apply"), {}).status_code == 302
        assert client.post(url("transfer_contract"), {}).status_code == 403
        client.force_login(staff)
        response = client.post(
            url("transfer_contract"),
            {
                "transfer_contract-contract_number": "出让-1",
                "transfer_contract-signed_on": "2029-05-25",
            },
        )
        assert response.status_code == 302
        response = client.post(
            url("land_price"),
            {
                "land_price-amount": "1",
                "land_price-paid_on": "2029-05-25",
                "land_price-receipt": "X",
            },
        )
        assert response.status_code == 400 and "22,500,000.00" in response.content.decode()
        page = client.get(contract.get_absolute_url()).content.decode()
    assert 'id="transfer"' in page and "出让-1" in page and "2029-05-24" in page
    violation_form = page[page.index('id="form-violation"') :]
    assert "变相房地产开发" in violation_form and "完成开发建设前转租" not in violation_form
    contract.refresh_from_db()
    assert contract.state == "transfer_signed"
    assert contract.transfer_application_due == datetime.date(2029, 6, 8)
