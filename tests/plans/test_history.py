"""Every change to plans, submissions and adjustments is visible on the object's page: who,
when, what changed (simple-history diff)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from plans import selectors, services


def test_plan_page_shows_who_changed_which_target(client, plans_2024, bj_city):
    draft = services.plan_create(
        user=bj_city, year=2025, name="北京2025", copy_from=plans_2024["beijing"]
    )
    spec = selectors.plan_spec(plan=draft)
    next(c for c in spec["categories"] if c["code"] == "commercial")["target_max_ha"] = Decimal(
        "95"
    )
    services.plan_set_targets(user=bj_city, plan=draft, spec=spec)
    client.force_login(bj_city)
    page = client.get(reverse("plans:overview") + f"?plan={draft.pk}").content.decode()
    history = page[page.index('id="plan-history"') :]
    assert (
        "商服用地" in history and "目标上限（公顷）：80.0000 → <strong>95.0000</strong>" in history
    )
    edit = client.get(reverse("plans:plan_edit", args=[draft.pk])).content.decode()
    assert "80.0000 → <strong>95.0000</strong>" in edit


def test_submission_and_adjustment_pages_show_their_changes(
    client, plans_2024, district_user, zz_city
):
    zz = plans_2024["zhengzhou"]
    user = district_user("jinshui")
    submission = services.submission_start(user=user, plan=zz)
    targets = {t.code: t for t in zz.category_targets.all()}
    adjustment = services.adjustment_create(
        user=user,
        plan=zz,
        reason="调剂",
        items=[
            {
                "kind": "move_area",
                "from_target": targets["other"],
                "to_target": targets["commercial"],
                "area_ha": Decimal("1"),
            }
        ],
    )
    client.force_login(zz_city)
    from landsupply.models import District
    from parcels.models import LandUseCategory
    from tests.factories import ParcelFactory

    ParcelFactory(
        district=District.objects.get(code="jinshui"),
        category=LandUseCategory.objects.get(code="residential"),
    )
    services.submission_submit(user=user, submission=submission)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "状态：编制中 → <strong>已报送</strong>" in page and "staff_jinshui" in page
    with time_machine.travel(
        datetime.datetime(2024, 5, 31, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        services.adjustment_file(user=user, adjustment=adjustment)
    services.adjustment_reject(user=zz_city, adjustment=adjustment, comment="不同意")
    page = client.get(adjustment.get_absolute_url()).content.decode()
    assert "审批意见：— → <strong>不同意</strong>" in page
