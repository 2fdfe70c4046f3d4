"""Adjustment pages through the URLs: who may file, see, approve and reject (R7)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from plans import services
from plans.models import AdjustmentRequest, CategoryTarget
from tests.factories import EnterpriseUserFactory

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def filed(plans_2024, district_user):
    zz = plans_2024["zhengzhou"]
    jinshui = district_user("jinshui")
    targets = {t.code: t for t in zz.category_targets.all()}
    adj = services.adjustment_create(
        user=jinshui,
        plan=zz,
        reason="调剂",
        items=[
            {
                "kind": "move_area",
                "from_target": targets["residential"],
                "to_target": targets["commercial"],
                "area_ha": Decimal("5"),
            }
        ],
    )
    with time_machine.travel(datetime.datetime(2024, 5, 31, 9, tzinfo=CST), tick=False):
        services.adjustment_file(user=jinshui, adjustment=adj)
    return adj


def test_district_drafts_through_the_form_and_sees_the_preview(client, plans_2024, district_user):
    zz = plans_2024["zhengzhou"]
    targets = {t.code: t for t in zz.category_targets.all()}
    client.force_login(district_user("jinshui"))
    data = {
        "reason": "商服需求增加",
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-0-kind": "move_area",
        "form-0-from_target": targets["other"].pk,
        "form-0-to_target": targets["commercial"].pk,
        "form-0-area_ha": "13.5",
    }
    response = client.post(reverse("plans:adjustment_create") + f"?plan={zz.pk}", data)
    adj = AdjustmentRequest.objects.get()
    assert response.status_code == 302 and response.url == adj.get_absolute_url()
    page = client.get(adj.get_absolute_url()).content.decode()
    assert "186.52" in page and "200.02" in page  # commercial before → after
    assert "1,932.14" in page  # other after (thousands separated)


def test_late_filing_through_the_url_shows_the_rule(client, plans_2024, district_user):
    zz = plans_2024["zhengzhou"]
    user = district_user("jinshui")
    targets = {t.code: t for t in zz.category_targets.all()}
    adj = services.adjustment_create(
        user=user,
        plan=zz,
        reason="x",
        items=[
            {
                "kind": "move_area",
                "from_target": targets["other"],
                "to_target": targets["commercial"],
                "area_ha": Decimal("1"),
            }
        ],
    )
    client.force_login(user)
    with time_machine.travel(datetime.datetime(2024, 6, 4, 9, tzinfo=CST), tick=False):
        page = client.post(reverse("plans:adjustment_file", args=[adj.pk]), follow=True)
    assert "2024-06-03" in page.content.decode()
    assert AdjustmentRequest.objects.get(pk=adj.pk).status == AdjustmentRequest.Status.DRAFT


def test_other_district_cannot_see_or_file(client, filed, district_user):
    client.force_login(district_user("erqi"))
    assert client.get(filed.get_absolute_url()).status_code == 404
    assert client.post(reverse("plans:adjustment_file", args=[filed.pk])).status_code == 404
    # The other district's request is not listed (its link; "调剂" is also in the empty-list hint).
    listing = client.get(reverse("plans:adjustment_list")).content.decode()
    assert filed.get_absolute_url() not in listing


def test_district_staff_cannot_approve_or_reject(client, filed, district_user):
    client.force_login(district_user("jinshui"))
    for name in ["plans:adjustment_approve", "plans:adjustment_reject"]:
        assert client.post(reverse(name, args=[filed.pk])).status_code == 403
    assert (
        client.post(
            reverse("plans:supplement_window", args=[filed.plan_id]), {"open": "1"}
        ).status_code
        == 403
    )
    assert AdjustmentRequest.objects.get(pk=filed.pk).status == AdjustmentRequest.Status.FILED


def test_other_citys_staff_get_404(client, filed, bj_city):
    client.force_login(bj_city)
    assert client.get(filed.get_absolute_url()).status_code == 404
    assert client.post(reverse("plans:adjustment_approve", args=[filed.pk])).status_code == 404
    assert (
        client.post(
            reverse("plans:supplement_window", args=[filed.plan_id]), {"open": "1"}
        ).status_code
        == 404
    )


def test_city_staff_cannot_file_and_enterprise_is_refused(client, filed, zz_city):
    client.force_login(zz_city)
    assert client.get(reverse("plans:adjustment_create")).status_code == 403
    client.force_login(EnterpriseUserFactory())
    assert client.get(reverse("plans:adjustment_list")).status_code == 403


def test_city_staff_approve_and_reject_through_the_url(client, filed, zz_city):
    client.force_login(zz_city)
    response = client.post(
        reverse("plans:adjustment_approve", args=[filed.pk]), {"comment": "同意"}
    )
    assert response.status_code == 302
    assert CategoryTarget.objects.get(plan=filed.plan, code="commercial").target_min_ha == Decimal(
        "191.52"
    )
    page = client.get(filed.get_absolute_url()).content.decode()
    assert "已批准" in page and "同意" in page and "第 2 版" in page
    # a second approval changes nothing and says why
    page = client.post(
        reverse("plans:adjustment_approve", args=[filed.pk]), follow=True
    ).content.decode()
    assert "当前为“已批准”" in page and "刚被其他人处理" in page
    assert CategoryTarget.objects.get(plan=filed.plan, code="commercial").target_min_ha == Decimal(
        "191.52"
    )


def test_rejecting_needs_a_reason_and_a_confirmation_naming_the_consequence(client, filed, zz_city):
    client.force_login(zz_city)
    url = reverse("plans:adjustment_reject", args=[filed.pk])
    no_reason = client.post(url, {"comment": " "})
    assert no_reason.status_code == 400
    assert "审批意见：驳回时须填写理由" in no_reason.content.decode()
    asked = client.post(url, {"comment": "不符合供地方向"}).content.decode()
    assert 'id="confirm-reject"' in asked and "驳回后计划不作任何改变" in asked
    assert "不符合供地方向" in asked  # the reason typed is kept
    assert AdjustmentRequest.objects.get(pk=filed.pk).status == AdjustmentRequest.Status.FILED
    client.post(url, {"comment": "不符合供地方向", "confirmed": "1"})
    assert AdjustmentRequest.objects.get(pk=filed.pk).status == AdjustmentRequest.Status.REJECTED
