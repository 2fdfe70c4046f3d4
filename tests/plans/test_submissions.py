"""District submissions of the parcel list (R9): assemble, compare, submit, return, accept.

Everything goes through the URLs, as a user would; forbidden actions get 403/404.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from landsupply.models import District
from parcels.models import LandSource, LandUseCategory, Parcel
from plans import services
from plans.models import DistrictAllocation, DistrictSubmission, SubmissionEvent
from tests.factories import EnterpriseUserFactory, ParcelFactory


def _parcel(district_code, category_code, area, **kwargs):
    return ParcelFactory(
        district=District.objects.get(code=district_code),
        category=LandUseCategory.objects.get(code=category_code),
        area_ha=Decimal(area),
        **kwargs,
    )


@pytest.fixture
def jinshui_list(plans_2024, district_user):
    """jinshui's two 2024 parcels (residential 12 ha, commercial 3.5 ha) and its draft list."""
    _parcel("jinshui", "residential", "12", code="JS-01")
    _parcel("jinshui", "commercial", "3.5", code="JS-02")
    _parcel("jinshui", "commercial", "9", code="JS-OLD", status=Parcel.Status.WITHDRAWN)
    _parcel("erqi", "residential", "50", code="EQ-01")
    submission = services.submission_start(
        user=district_user("jinshui"), plan=plans_2024["zhengzhou"]
    )
    return submission


def test_jinshui_submits_is_returned_resubmits_and_is_accepted(
    client, plans_2024, district_user, zz_city
):
    zz = plans_2024["zhengzhou"]
    _parcel("jinshui", "residential", "12", code="JS-01")
    jinshui = district_user("jinshui")
    client.force_login(jinshui)

    # Opening the page creates nothing (GET never changes data); the button starts the list.
    page = client.get(reverse("plans:submission_list") + f"?plan={zz.pk}").content.decode()
    assert "开始填报" in page and not DistrictSubmission.objects.exists()
    response = client.post(reverse("plans:submission_start") + f"?plan={zz.pk}")
    submission = DistrictSubmission.objects.get(district__code="jinshui", plan=zz)
    assert response.status_code == 302 and response.url == submission.get_absolute_url()
    # from then on the page opens the list
    response = client.get(reverse("plans:submission_list") + f"?plan={zz.pk}")
    assert response.status_code == 302 and response.url == submission.get_absolute_url()
    # starting twice (a colleague, a second tab) opens the same list
    client.post(reverse("plans:submission_start") + f"?plan={zz.pk}")
    assert DistrictSubmission.objects.count() == 1
    page = client.get(submission.get_absolute_url()).content.decode()
    # Zhengzhou's plan gives no per-district allocation: say so, compare with nothing.
    assert "本计划未向本区分配分区指标" in page and "JS-01" in page

    client.post(reverse("plans:submission_submit", args=[submission.pk]), {"comment": "首次报送"})
    submission.refresh_from_db()
    assert submission.status == DistrictSubmission.Status.SUBMITTED

    client.force_login(zz_city)
    page = client.post(
        reverse("plans:submission_return", args=[submission.pk]),
        {"comment": "请补充金水区商服地块"},
    ).content.decode()
    assert 'id="confirm-return"' in page and "须修改后重新报送" in page
    assert DistrictSubmission.objects.get(pk=submission.pk).status == "submitted"
    client.post(
        reverse("plans:submission_return", args=[submission.pk]),
        {"comment": "请补充金水区商服地块", "confirmed": "1"},
    )
    submission.refresh_from_db()
    assert submission.status == DistrictSubmission.Status.RETURNED

    client.force_login(jinshui)
    _parcel("jinshui", "commercial", "4", code="JS-03")  # added via the parcels page
    client.post(reverse("plans:submission_submit", args=[submission.pk]), {"comment": "已补充"})
    client.force_login(zz_city)
    client.post(reverse("plans:submission_accept", args=[submission.pk]), {"comment": "同意"})
    submission.refresh_from_db()
    assert submission.status == DistrictSubmission.Status.ACCEPTED

    events = list(
        submission.events.values_list(
            "action", "actor__username", "comment", "parcel_count", "listed_ha"
        )
    )
    assert events == [
        ("submit", "staff_jinshui", "首次报送", 1, Decimal("12.0000")),
        ("return", "zz_city", "请补充金水区商服地块", 1, Decimal("12.0000")),
        ("submit", "staff_jinshui", "已补充", 2, Decimal("16.0000")),
        ("accept", "zz_city", "同意", 2, Decimal("16.0000")),
    ]
    timeline = client.get(submission.get_absolute_url()).content.decode()
    assert timeline.index("请补充金水区商服地块") < timeline.index("已补充")
    assert "已接收" in timeline


def test_toggling_a_parcel_recomputes_the_comparison(client, jinshui_list, district_user):
    client.force_login(district_user("jinshui"))
    url = reverse("plans:submission_set_listed", args=[jinshui_list.pk])
    js02 = Parcel.objects.get(code="JS-02")
    page = client.get(jinshui_list.get_absolute_url()).content.decode()
    assert 'id="listed-total">15.50<' in page and "JS-OLD" not in page  # withdrawn: not a candidate

    response = client.post(url, {"parcel": js02.pk, "listed": "0"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    assert 'id="listed-total">12.00<' in response.content.decode()
    assert list(jinshui_list.excluded_parcels.all()) == [js02]

    client.post(url, {"parcel": js02.pk, "listed": "1"}, HTTP_X_REQUESTED_WITH="fetch")
    assert not jinshui_list.excluded_parcels.exists()


def test_a_submitted_list_cannot_be_changed(client, jinshui_list, district_user):
    user = district_user("jinshui")
    services.submission_submit(user=user, submission=jinshui_list)
    client.force_login(user)
    response = client.post(
        reverse("plans:submission_set_listed", args=[jinshui_list.pk]),
        {"parcel": Parcel.objects.get(code="JS-02").pk, "listed": "0"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400 and "已报送" in response.content.decode()
    assert not jinshui_list.excluded_parcels.exists()
    # another district's parcel can never be put on the list
    response = client.post(
        reverse("plans:submission_set_listed", args=[jinshui_list.pk]),
        {"parcel": Parcel.objects.get(code="EQ-01").pk, "listed": "1"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400


def test_empty_list_and_return_without_comment_are_refused(
    client, plans_2024, district_user, zz_city
):
    user = district_user("jinshui")
    submission = services.submission_start(user=user, plan=plans_2024["zhengzhou"])
    client.force_login(user)
    response = client.post(reverse("plans:submission_submit", args=[submission.pk]), follow=True)
    assert "用地清单中没有地块，不能报送" in response.content.decode()
    _parcel("jinshui", "residential", "1")
    services.submission_submit(user=user, submission=submission)
    client.force_login(zz_city)
    response = client.post(
        reverse("plans:submission_return", args=[submission.pk]), {"comment": " "}, follow=True
    )
    assert "意见：退回时请填写意见" in response.content.decode()
    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.status == DistrictSubmission.Status.SUBMITTED
    assert list(submission.events.values_list("action", flat=True)) == ["submit"]


def test_second_accept_changes_nothing(jinshui_list, district_user, zz_city):
    services.submission_submit(user=district_user("jinshui"), submission=jinshui_list)
    services.submission_accept(user=zz_city, submission=jinshui_list)
    with pytest.raises(ValidationError, match="当前为“已接收”.*刚被其他人处理"):
        services.submission_accept(user=zz_city, submission=jinshui_list)
    assert SubmissionEvent.objects.filter(action="accept").count() == 1


def test_forbidden_actions_through_the_urls(client, jinshui_list, district_user, bj_city, zz_city):
    pk = jinshui_list.pk
    services.submission_submit(user=district_user("jinshui"), submission=jinshui_list)
    detail = reverse("plans:submission_detail", args=[pk])
    accept = reverse("plans:submission_accept", args=[pk])
    toggle = reverse("plans:submission_set_listed", args=[pk])
    submit = reverse("plans:submission_submit", args=[pk])

    client.force_login(district_user("erqi"))  # same city, other district
    assert client.get(detail).status_code == 404
    assert client.post(submit).status_code == 404
    assert client.post(accept).status_code == 403  # districts never accept
    client.force_login(district_user("jinshui"))
    assert client.post(accept).status_code == 403
    assert (
        client.post(reverse("plans:submission_return", args=[pk]), {"comment": "x"}).status_code
        == 403
    )
    client.force_login(district_user("haidian"))  # other city
    assert client.get(detail).status_code == 404
    client.force_login(bj_city)
    assert client.get(detail).status_code == 404
    assert client.post(accept).status_code == 404
    client.force_login(zz_city)
    assert client.post(toggle, {"parcel": 1, "listed": "0"}).status_code == 403
    client.force_login(EnterpriseUserFactory())
    assert client.get(detail).status_code == 403
    jinshui_list.refresh_from_db()
    assert jinshui_list.status == DistrictSubmission.Status.SUBMITTED


def test_comparison_with_allocation_and_ratios_names_what_is_missing(
    client, plans_2024, district_user
):
    """Beijing: haidian has a total and an industry-land allocation; the KFA ratio (R4) is 80 %."""
    bj = plans_2024["beijing"]
    haidian = District.objects.get(code="haidian")
    industry = bj.category_targets.get(code="industry")
    DistrictAllocation.objects.create(
        plan=bj, district=haidian, target_min_ha=Decimal("30"), target_max_ha=Decimal("40")
    )
    DistrictAllocation.objects.create(
        plan=bj,
        district=haidian,
        category_target=industry,
        target_min_ha=Decimal("25"),
        target_max_ha=Decimal("25"),
    )
    _parcel("haidian", "rnd", "10", in_key_function_area=True)
    _parcel("haidian", "industrial", "10", land_source=LandSource.STOCK)
    user = district_user("haidian")
    submission = services.submission_start(user=user, plan=bj)
    client.force_login(user)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "本区合计还差 10.0000 公顷才达到分区指标下限" in page
    assert "产业用地：还差 5.0000 公顷" in page
    assert "产业用地位于重点功能区比例：清单为 50.00%，要求 ≥80.00%" in page
    assert "本计划未向本区分配分区指标" not in page


def test_city_staff_see_every_district_of_their_city(client, jinshui_list, zz_city):
    client.force_login(zz_city)
    page = client.get(
        reverse("plans:submission_list") + f"?plan={jinshui_list.plan_id}"
    ).content.decode()
    assert "金水区" in page and "编制中" in page and "二七区" in page and "尚未编制" in page
