"""The published plan changes only by approval (待纳入, R7).

A parcel a district adds to a year whose plan is published counts in no planned figure until
an approved adjustment's "增补地块" (or an open mid-year supplement window) takes it in.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from landsupply.models import District
from parcels import services as parcel_services
from parcels.models import LandUseCategory, Parcel
from plans import selectors, services
from plans.forms import AdjustmentItemForm
from plans.models import AnnualPlan
from tests.factories import ParcelFactory

D = Decimal
CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def zz(plans_2024):
    return plans_2024["zhengzhou"]


@pytest.fixture
def jinshui(district_user):
    return district_user("jinshui")


def new_parcel(user, *, year=2024, code="JS-NEW-1", area="28.23", category="residential"):
    return parcel_services.parcel_create(
        user=user,
        district=District.objects.get(code="jinshui"),
        code=code,
        name="新增住宅地块",
        category=LandUseCategory.objects.get(code=category),
        area_ha=D(area),
        plan_year=year,
        planned_quarter=3,
    )


def figures(plan, district=None):
    progress = selectors.plan_progress(plan=plan, district=district)
    return (
        progress["total"]["planned_ha"],
        {c["code"]: c["planned_ha"] for c in progress["categories"]},
        [d["planned_ha"] for d in progress["districts"]],
    )


def approve_adding(plan, district_user, city_user, parcel):
    adj = services.adjustment_create(
        user=district_user,
        plan=plan,
        reason="新增住宅项目",
        items=[{"kind": "add_parcel", "parcel": parcel}],
    )
    with time_machine.travel(datetime.datetime(2024, 5, 20, 9, 0, tzinfo=CST), tick=False):
        services.adjustment_file(user=district_user, adjustment=adj)
    return services.adjustment_approve(user=city_user, adjustment=adj)


def test_a_district_parcel_in_a_published_year_changes_no_figure_until_approved(
    zz, jinshui, zz_city
):
    before = figures(zz)
    before_district = figures(zz, District.objects.get(code="jinshui"))
    parcel = new_parcel(jinshui)
    assert parcel.inclusion_pending
    assert figures(zz) == before
    assert figures(zz, District.objects.get(code="jinshui")) == before_district
    assert list(selectors.pending_parcels(plan=zz)) == [parcel]

    approve_adding(zz, jinshui, zz_city, parcel)

    parcel.refresh_from_db()
    assert not parcel.inclusion_pending
    total, categories, _districts = figures(zz)
    assert total == before[0] + D("28.23")
    assert categories["residential"] == before[1]["residential"] + D("28.23")
    assert not selectors.pending_parcels(plan=zz).exists()


def test_a_rejected_adjustment_leaves_the_parcel_pending(zz, jinshui, zz_city):
    before = figures(zz)
    parcel = new_parcel(jinshui)
    adj = services.adjustment_create(
        user=jinshui, plan=zz, reason="新增", items=[{"kind": "add_parcel", "parcel": parcel}]
    )
    with time_machine.travel(datetime.datetime(2024, 5, 20, 9, 0, tzinfo=CST), tick=False):
        services.adjustment_file(user=jinshui, adjustment=adj)
    services.adjustment_reject(user=zz_city, adjustment=adj, comment="不符合供地方向")
    assert Parcel.objects.get(pk=parcel.pk).inclusion_pending
    assert figures(zz) == before


def test_a_parcel_in_an_unpublished_year_counts_at_once(zz, jinshui):
    AnnualPlan.objects.filter(pk=zz.pk).update(status=AnnualPlan.Status.DRAFT)
    parcel = new_parcel(jinshui)
    assert not parcel.inclusion_pending
    assert not new_parcel(jinshui, year=2025, code="JS-2025").inclusion_pending


def test_city_staff_add_directly(zz, zz_city):
    assert not new_parcel(zz_city).inclusion_pending


def test_an_open_supplement_window_takes_new_parcels_in(plans_2024, district_user, bj_city):
    bj = plans_2024["beijing"]
    haidian = district_user("haidian")
    district = District.objects.get(code="haidian")
    fields = {
        "district": district,
        "name": "海淀增补",
        "category": LandUseCategory.objects.get(code="rnd"),
        "area_ha": D("5"),
        "plan_year": 2024,
        "planned_quarter": 3,
    }
    closed = parcel_services.parcel_create(user=haidian, code="HD-1", **fields)
    assert closed.inclusion_pending
    services.plan_supplement_window_set(user=bj_city, plan=bj, is_open=True)
    opened = parcel_services.parcel_create(user=haidian, code="HD-2", **fields)
    assert not opened.inclusion_pending


def test_moving_a_parcel_into_the_published_year_makes_it_pending(zz, jinshui):
    parcel = new_parcel(jinshui, year=2025, code="JS-2025")
    before = figures(zz)
    parcel = parcel_services.parcel_update(user=jinshui, parcel=parcel, plan_year=2024)
    assert parcel.inclusion_pending
    assert figures(zz) == before
    parcel = parcel_services.parcel_update(user=jinshui, parcel=parcel, plan_year=2025)
    assert not parcel.inclusion_pending


def test_the_caller_cannot_set_pending_off(zz, jinshui):
    parcel = parcel_services.parcel_create(
        user=jinshui,
        district=District.objects.get(code="jinshui"),
        code="JS-X",
        name="x",
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=D("1"),
        plan_year=2024,
        planned_quarter=3,
        inclusion_pending=False,
    )
    assert parcel.inclusion_pending


def test_add_parcel_takes_exactly_pending_parcels(zz, jinshui):
    counted = ParcelFactory(district=District.objects.get(code="jinshui"), plan_year=2024)
    other_year = ParcelFactory(district=District.objects.get(code="jinshui"), plan_year=2023)
    pending = new_parcel(jinshui)
    for parcel in (counted, other_year):
        with pytest.raises(ValidationError, match="不是本年度待纳入的地块"):
            services.adjustment_create(
                user=jinshui,
                plan=zz,
                reason="增补",
                items=[{"kind": "add_parcel", "parcel": parcel}],
            )
    with pytest.raises(ValidationError, match="不是本年度计划内待供应的地块"):
        services.adjustment_create(
            user=jinshui,
            plan=zz,
            reason="调出",
            items=[{"kind": "remove_parcel", "parcel": pending}],
        )
    services.adjustment_create(
        user=jinshui, plan=zz, reason="增补", items=[{"kind": "add_parcel", "parcel": pending}]
    )


def test_the_form_offers_exactly_the_parcels_it_accepts(zz, jinshui):
    district = District.objects.get(code="jinshui")
    counted = ParcelFactory(district=district, plan_year=2024)
    ParcelFactory(district=district, plan_year=2023)
    ParcelFactory(district=district, plan_year=2024, status=Parcel.Status.WITHDRAWN)
    ParcelFactory(district=District.objects.get(code="erqi"), plan_year=2024)
    pending = new_parcel(jinshui)
    offered = set(AdjustmentItemForm(plan=zz, district=district).fields["parcel"].queryset)
    planned_before = set(Parcel.objects.filter(district=district, plan_year=2024, status="planned"))
    assert offered == planned_before  # counted planned ones + the pending one
    assert {counted, pending} <= offered


def test_the_overview_shows_pending_parcels_apart(client, zz, jinshui):
    parcel = new_parcel(jinshui)
    client.force_login(jinshui)
    page = client.get(reverse("plans:overview")).content.decode()
    assert 'id="pending-parcels"' in page and parcel.code in page


def test_no_pending_section_without_pending_parcels(client, zz, jinshui):
    client.force_login(jinshui)
    page = client.get(reverse("plans:overview")).content.decode()
    assert 'id="pending-parcels"' not in page


def test_the_admin_is_no_way_round_the_approval(zz, jinshui, zz_city, rf):
    from django.contrib.admin.sites import site

    from parcels.admin import ParcelAdmin

    class Form:
        changed_data = ["plan_year"]

    model_admin = ParcelAdmin(Parcel, site)
    for user, pending in [(jinshui, True), (zz_city, False)]:
        request = rf.post("/admin/parcels/parcel/add/")
        request.user = user
        parcel = ParcelFactory.build(
            district=District.objects.get(code="jinshui"),
            category=LandUseCategory.objects.get(code="residential"),
            plan_year=2024,
        )
        model_admin.save_model(request, parcel, Form(), change=False)
        assert Parcel.objects.get(pk=parcel.pk).inclusion_pending is pending
