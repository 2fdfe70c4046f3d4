"""Adjustment requests (R7): deadline, supplement window, approval applied once, total override."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from landsupply.models import District
from parcels.models import LandUseCategory, Parcel
from plans import services
from plans.models import AdjustmentRequest, AnnualPlan, CategoryTarget, PlanRuleSet
from tests.factories import ParcelFactory

D = Decimal
CST = ZoneInfo("Asia/Shanghai")


def move(plan, src, dst, area):
    targets = {t.code: t for t in plan.category_targets.all()}
    return {
        "kind": "move_area",
        "from_target": targets.get(src),
        "to_target": targets.get(dst),
        "area_ha": D(area),
    }


@pytest.fixture
def zz(plans_2024):
    return plans_2024["zhengzhou"]


@pytest.fixture
def jinshui(district_user):
    return district_user("jinshui")


def draft(plan, user, *items, reason="住宅用地需求减少，调剂至商服用地"):
    return services.adjustment_create(user=user, plan=plan, reason=reason, items=list(items))


def test_filed_on_31_may_is_accepted(zz, jinshui):
    adj = draft(zz, jinshui, move(zz, "residential", "commercial", "10"))
    with time_machine.travel(datetime.datetime(2024, 5, 31, 16, 0, tzinfo=CST), tick=False):
        services.adjustment_file(user=jinshui, adjustment=adj)
    adj.refresh_from_db()
    assert adj.status == AdjustmentRequest.Status.FILED
    assert adj.filed_on == datetime.date(2024, 5, 31)


def test_deadline_on_a_saturday_moves_to_monday_and_the_day_after_is_refused(zz, jinshui):
    """1 June 2024 was a Saturday: the period ends on Monday 3 June (民法典 第二百零三条)."""
    on_time = draft(zz, jinshui, move(zz, "residential", "commercial", "10"))
    with time_machine.travel(datetime.datetime(2024, 6, 3, 17, 0, tzinfo=CST), tick=False):
        services.adjustment_file(user=jinshui, adjustment=on_time)
    on_time.refresh_from_db()
    assert on_time.status == AdjustmentRequest.Status.FILED

    late = draft(zz, jinshui, move(zz, "residential", "commercial", "5"))
    with (
        time_machine.travel(datetime.datetime(2024, 6, 4, 9, 0, tzinfo=CST), tick=False),
        pytest.raises(ValidationError) as exc,
    ):
        services.adjustment_file(user=jinshui, adjustment=late)
    message = " ".join(exc.value.messages)
    assert "2024-06-03" in message and "R7" in message and "2024-06-04" in message
    late.refresh_from_db()
    assert late.status == AdjustmentRequest.Status.DRAFT


def test_1_june_on_a_working_day_is_the_last_day(zz, jinshui):
    """With 1 June a Monday (2026) the deadline does not move: 1 June in, 2 June out."""
    plan_2026 = AnnualPlan.objects.create(
        jurisdiction=zz.jurisdiction,
        year=2026,
        name="郑州2026",
        status=AnnualPlan.Status.PUBLISHED,
        total_min_ha=D("100"),
        total_max_ha=D("100"),
    )
    target = CategoryTarget.objects.create(
        plan=plan_2026,
        code="residential",
        name="住宅用地",
        target_min_ha=D("60"),
        target_max_ha=D("60"),
    )
    other = CategoryTarget.objects.create(
        plan=plan_2026,
        code="commercial",
        name="商服用地",
        target_min_ha=D("40"),
        target_max_ha=D("40"),
    )
    item = {"kind": "move_area", "from_target": target, "to_target": other, "area_ha": D("1")}
    first = draft(plan_2026, jinshui, item)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 17, 0, tzinfo=CST), tick=False):
        services.adjustment_file(user=jinshui, adjustment=first)
    second = draft(plan_2026, jinshui, item)
    with (
        time_machine.travel(datetime.datetime(2026, 6, 2, 9, 0, tzinfo=CST), tick=False),
        pytest.raises(ValidationError, match="2026-06-01"),
    ):
        services.adjustment_file(user=jinshui, adjustment=second)


def test_supplement_window_lets_a_late_request_through(zz, jinshui, zz_city):
    with pytest.raises(ValidationError, match="年中增补"):
        services.plan_supplement_window_set(user=zz_city, plan=zz, is_open=True)
    PlanRuleSet.objects.filter(jurisdiction__code="zhengzhou").update(
        mid_year_supplement_allowed=True
    )
    with pytest.raises(PermissionDenied):
        services.plan_supplement_window_set(user=jinshui, plan=zz, is_open=True)
    services.plan_supplement_window_set(user=zz_city, plan=zz, is_open=True)
    adj = draft(zz, jinshui, move(zz, "residential", "commercial", "10"))
    with time_machine.travel(datetime.datetime(2024, 7, 20, 9, 0, tzinfo=CST), tick=False):
        services.adjustment_file(user=jinshui, adjustment=adj)
    assert AdjustmentRequest.objects.get(pk=adj.pk).status == AdjustmentRequest.Status.FILED


def filed(plan, user, *items):
    adj = draft(plan, user, *items)
    with time_machine.travel(datetime.datetime(2024, 5, 20, 9, 0, tzinfo=CST), tick=False):
        return services.adjustment_file(user=user, adjustment=adj)


def test_approval_applies_the_change_and_matches_the_preview(zz, jinshui, zz_city):
    parcel = ParcelFactory(
        district=District.objects.get(code="jinshui"),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=D("25"),
    )
    adj = filed(
        zz,
        jinshui,
        move(zz, "residential", "commercial", "100"),
        {"kind": "remove_parcel", "parcel": parcel},
    )
    preview = services.adjustment_preview(adjustment=adj)
    assert preview["error"] is None
    # the preview changed nothing
    assert CategoryTarget.objects.get(plan=zz, code="residential").target_min_ha == D("871.73")
    assert Parcel.objects.get(pk=parcel.pk).status == Parcel.Status.PLANNED

    services.adjustment_approve(user=zz_city, adjustment=adj, comment="同意")

    targets = {t.code: t for t in CategoryTarget.objects.filter(plan=zz)}
    assert targets["residential"].target_min_ha == D("771.73")
    assert targets["commercial"].target_max_ha == D("286.52")
    plan = AnnualPlan.objects.get(pk=zz.pk)
    assert plan.total_min_ha == D("3927.94")  # total unchanged
    assert plan.version == 2
    assert plan.history.count() >= 2
    assert targets["residential"].history.count() == 2
    assert Parcel.objects.get(pk=parcel.pk).status == Parcel.Status.WITHDRAWN
    adj.refresh_from_db()
    assert adj.status == AdjustmentRequest.Status.APPROVED and adj.applied_version == 2
    assert adj.effect["after"] == preview["after"]
    assert adj.effect["before"] == preview["before"]
    cats = {c["code"]: c for c in adj.effect["after"]["categories"]}
    assert cats["residential"]["planned_ha"] == "0.0000"


def test_change_to_the_total_needs_an_explicit_override(zz, jinshui, zz_city):
    adj = filed(zz, jinshui, move(zz, None, "residential", "50"))
    with pytest.raises(ValidationError, match="计划总量"):
        services.adjustment_approve(user=zz_city, adjustment=adj)
    assert AdjustmentRequest.objects.get(pk=adj.pk).status == AdjustmentRequest.Status.FILED
    assert AnnualPlan.objects.get(pk=zz.pk).total_min_ha == D("3927.94")
    services.adjustment_approve(user=zz_city, adjustment=adj, total_override=True)
    assert AnnualPlan.objects.get(pk=zz.pk).total_min_ha == D("3977.94")


def test_only_the_jurisdictions_city_staff_decide(zz, jinshui, bj_city, district_user):
    adj = filed(zz, jinshui, move(zz, "residential", "commercial", "1"))
    for user in (jinshui, bj_city):
        with pytest.raises(PermissionDenied):
            services.adjustment_approve(user=user, adjustment=adj)
        with pytest.raises(PermissionDenied):
            services.adjustment_reject(user=user, adjustment=adj, comment="不同意")
    with pytest.raises(PermissionDenied):
        services.adjustment_file(user=district_user("erqi"), adjustment=adj)
    assert AdjustmentRequest.objects.get(pk=adj.pk).status == AdjustmentRequest.Status.FILED


def test_second_approval_changes_nothing(zz, jinshui, zz_city):
    adj = filed(zz, jinshui, move(zz, "residential", "commercial", "10"))
    services.adjustment_approve(user=zz_city, adjustment=adj)
    with pytest.raises(ValidationError, match="当前为“已批准”.*刚被其他人处理"):
        services.adjustment_approve(user=zz_city, adjustment=adj)
    with pytest.raises(ValidationError):
        services.adjustment_reject(user=zz_city, adjustment=adj, comment="晚了")
    assert CategoryTarget.objects.get(plan=zz, code="residential").target_min_ha == D("861.73")
    assert AnnualPlan.objects.get(pk=zz.pk).version == 2


def test_bad_items_are_refused_naming_the_item(zz, jinshui):
    other = ParcelFactory(district=District.objects.get(code="erqi"))
    with pytest.raises(ValidationError, match="第 2 项"):
        draft(
            zz,
            jinshui,
            move(zz, "residential", "commercial", "1"),
            {"kind": "remove_parcel", "parcel": other},
        )
    with pytest.raises(ValidationError, match="第 1 项：面积（公顷）"):
        draft(zz, jinshui, move(zz, "residential", "commercial", "0"))
    assert not AdjustmentRequest.objects.exists()


def test_moving_more_than_a_line_holds_is_refused(zz, jinshui, zz_city):
    adj = filed(zz, jinshui, move(zz, "commercial", "residential", "500"))
    assert "商服用地" in services.adjustment_preview(adjustment=adj)["error"]
    with pytest.raises(ValidationError, match="为负"):
        services.adjustment_approve(user=zz_city, adjustment=adj)
    assert AdjustmentRequest.objects.get(pk=adj.pk).status == AdjustmentRequest.Status.FILED
