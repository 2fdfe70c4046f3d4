"""Evidence files of indicator reports: private storage, served only to those who may see the
contract (holder, the district's staff, the jurisdiction's city staff); others get 404."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import IndicatorReport
from tests.factories import (
    CityUserFactory,
    DistrictFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
)

PDF = b"%PDF-1.4 evidence of investment intensity"


@pytest.fixture
def uploaded(client, worked_example, settings, tmp_path):
    """The holder uploads a report with evidence through the contract page."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    contract, holder = worked_example["contract"], worked_example["holder"]
    indicator = contract.indicators.get(name="投资强度")
    client.force_login(holder)
    response = client.post(
        reverse("assessments:action", args=[contract.pk, "report"]),
        {
            "report-indicator": indicator.pk,
            "report-year": 2025,
            "report-actual": "8200",
            "report-evidence": SimpleUploadedFile(
                "审计报告.pdf", PDF, content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    return IndicatorReport.objects.get(indicator=indicator, year=2025)


def test_evidence_is_stored_outside_media_and_linked_through_the_view(
    client, worked_example, uploaded, tmp_path
):
    assert (tmp_path / "private" / uploaded.evidence.name).read_bytes() == PDF
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.pdf"))
    page = client.get(
        reverse("assessments:contract_detail", args=[worked_example["contract"].pk])
    ).content.decode()
    assert reverse("assessments:evidence", args=[uploaded.pk]) in page
    assert settings.MEDIA_URL + uploaded.evidence.name not in page


def test_holder_district_and_city_download_it(client, worked_example, uploaded):
    contract = worked_example["contract"]
    city = CityUserFactory(jurisdiction=contract.parcel.district.jurisdiction)
    for user in [worked_example["holder"], worked_example["district_user"], city]:
        client.force_login(user)
        response = client.get(reverse("assessments:evidence", args=[uploaded.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["enterprise", "district", "city_other"])
def test_others_get_404(client, worked_example, uploaded, who):
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
    assert client.get(reverse("assessments:evidence", args=[uploaded.pk])).status_code == 404


def test_anonymous_is_sent_to_login_and_media_url_serves_nothing(client, uploaded):
    client.logout()
    response = client.get(reverse("assessments:evidence", args=[uploaded.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get("/" + settings.MEDIA_URL + uploaded.evidence.name).status_code == 404


def test_admin_change_page_links_through_the_view(admin_client, uploaded):
    response = admin_client.get(
        reverse("admin:assessments_indicatorreport_change", args=[uploaded.pk])
    )
    assert response.status_code == 200
    assert reverse("assessments:evidence", args=[uploaded.pk]) in response.content.decode()
