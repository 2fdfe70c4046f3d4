"""Plan set-up by city staff (R1–R6): create, copy, edit with validation, publish; a published
plan is changed only through adjustments."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans import selectors, services
from plans.models import AnnualPlan, CategoryTarget


@pytest.fixture
def bj2025(plans_2024, bj_city):
    return services.plan_create(
        user=bj_city,
        year=2025,
        name="北京市2025年度建设用地供应计划",
        copy_from=plans_2024["beijing"],
    )


def _without_name(spec):
    spec = {**spec, "plan": {k: v for k, v in spec["plan"].items() if k not in ("name", "source")}}
    return spec


def test_copy_of_last_years_plan_is_a_draft_with_the_same_targets(plans_2024, bj2025):
    assert bj2025.status == AnnualPlan.Status.DRAFT and bj2025.year == 2025
    assert _without_name(selectors.plan_spec(plan=bj2025)) == _without_name(
        selectors.plan_spec(plan=plans_2024["beijing"])
    )


def test_copy_moves_milestones_to_the_new_year(plans_2024, zz_city):
    zz2025 = services.plan_create(
        user=zz_city, year=2025, name="郑州2025", copy_from=plans_2024["zhengzhou"]
    )
    assert list(zz2025.milestones.values_list("due_on", flat=True)) == [
        datetime.date(2025, 6, 30),
        datetime.date(2025, 9, 30),
        datetime.date(2025, 12, 31),
    ]


def test_invalid_targets_are_refused_with_every_problem_and_nothing_changes(bj2025, bj_city):
    spec = selectors.plan_spec(plan=bj2025)
    rnd = next(c for c in spec["categories"] if c["code"] == "rnd")
    rnd["target_min_ha"] = rnd["target_max_ha"] = Decimal("600")  # more than industry's 530
    spec["milestones"] = [
        {"due_on": datetime.date(2025, 6, 30), "cumulative_pct": Decimal("60")},
        {"due_on": datetime.date(2025, 9, 30), "cumulative_pct": Decimal("50")},
    ]
    spec["allocations"] = [
        {
            "district": "haidian",
            "category": None,
            "target_min_ha": Decimal("100"),
            "target_max_ha": Decimal("100"),
            "net_reduction_ha": None,
        },
        {
            "district": "daxing",
            "category": None,
            "target_min_ha": Decimal("200"),
            "target_max_ha": Decimal("100"),
            "net_reduction_ha": None,
        },
    ]
    with pytest.raises(ValidationError) as exc:
        services.plan_set_targets(user=bj_city, plan=bj2025, spec=spec)
    text = "\n".join(exc.value.messages)
    assert "研发用地 上限 600" in text and "R2" in text
    assert "2025-09-30 的累计比例 50%" in text and "须为 100%" in text
    assert "分区指标 第 2 行「指标上限（公顷）」：目标上限不能小于下限" in text
    assert CategoryTarget.objects.get(plan=bj2025, code="rnd").target_max_ha == Decimal("80")
    assert not bj2025.allocations.exists() and not bj2025.milestones.exists()


def test_allocations_must_add_up_to_the_district_share(bj2025, bj_city):
    spec = selectors.plan_spec(plan=bj2025)
    spec["allocations"] = [
        {
            "district": "haidian",
            "category": None,
            "target_min_ha": Decimal("700"),
            "target_max_ha": Decimal("700"),
            "net_reduction_ha": None,
        },
        {
            "district": "daxing",
            "category": None,
            "target_min_ha": Decimal("700"),
            "target_max_ha": Decimal("700"),
            "net_reduction_ha": None,
        },
    ]
    with pytest.raises(ValidationError, match="各区合计 1400–1400 公顷"):
        services.plan_set_targets(user=bj_city, plan=bj2025, spec=spec)
    spec["allocations"][1]["target_min_ha"] = spec["allocations"][1]["target_max_ha"] = Decimal(
        "800"
    )
    services.plan_set_targets(user=bj_city, plan=bj2025, spec=spec)
    assert bj2025.allocations.count() == 2


def test_published_plan_is_changed_only_through_adjustments(plans_2024, bj_city, district_user):
    bj = plans_2024["beijing"]
    with pytest.raises(ValidationError, match="只能通过计划调整变更"):
        services.plan_set_targets(user=bj_city, plan=bj, spec=selectors.plan_spec(plan=bj))
    with pytest.raises(PermissionDenied):
        services.plan_publish(user=district_user("haidian"), plan=bj)


def test_city_staff_edit_and_publish_through_the_urls(
    client, bj2025, bj_city, district_user, zz_city
):
    edit = reverse("plans:plan_edit", args=[bj2025.pk])
    publish = reverse("plans:plan_publish", args=[bj2025.pk])
    client.force_login(district_user("haidian"))
    assert client.get(edit).status_code == 403
    assert client.post(publish).status_code == 403
    client.force_login(zz_city)
    assert client.get(edit).status_code == 404
    assert client.post(publish).status_code == 404

    client.force_login(bj_city)
    page = client.get(edit)
    assert page.status_code == 200
    data = _form_data(page.context)
    data["categories-2-target_max_ha"] = "900"  # R&D above industry
    response = client.post(edit, data)
    assert "研发用地 上限 900" in response.content.decode()
    data["categories-2-target_max_ha"] = "80"
    data["plan-total_max_ha"] = "3700"
    response = client.post(edit, data)
    assert response.status_code == 302
    bj2025.refresh_from_db()
    assert bj2025.total_max_ha == Decimal("3700")
    client.post(publish)
    bj2025.refresh_from_db()
    assert bj2025.is_published
    assert client.post(edit, data, follow=True).status_code == 200
    bj2025.refresh_from_db()
    assert bj2025.total_max_ha == Decimal("3700")


def _form_data(context):
    """The POST data the edit page's forms would send as rendered."""
    data = {}
    for form in [context["plan_form"]]:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[f"{form.prefix}-{name}"] = value
    for formset in context["formsets"].values():
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is None:
                    continue
                data[form.add_prefix(name)] = value
    return data
