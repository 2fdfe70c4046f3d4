"""A plan loaded from the spreadsheet template (R1–R6): same checks, all or nothing, errors by
row and column; the Beijing 2024 plan entered through the template equals the seeded one."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import selectors, services
from plans.models import AnnualPlan
from plans.seed import seed_plan_rule_sets, seed_plans

BEIJING_CSV = Path(__file__).parent / "data" / "beijing_2024_plan.csv"
BJ_NAME = "北京市2024年度建设用地供应计划"


def _upload(content: str | bytes, name="plan.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content)


def _comparable(spec):
    spec["plan"].pop("source")
    return spec


def test_beijing_2024_through_the_template_equals_the_seeded_plan(reference_data, bj_city):
    seed_plan_rule_sets()
    imported = services.plan_import(
        user=bj_city, year=2024, name=BJ_NAME, upload=_upload(BEIJING_CSV.read_bytes())
    )
    from_template = _comparable(selectors.plan_spec(plan=imported))
    assert imported.status == AnnualPlan.Status.DRAFT
    assert len(from_template["categories"]) == 13 and len(from_template["ratios"]) == 4
    imported.delete()

    seeded = next(p for p in seed_plans() if p.jurisdiction.code == "beijing")
    assert from_template == _comparable(selectors.plan_spec(plan=seeded))


HEADER = "类型,代码,名称,上级代码,区代码,下限（公顷）,上限（公顷）,比例（%）,日期,计入的用地类型\n"


def test_unreadable_cells_are_listed_by_row_and_column_and_nothing_is_created(
    reference_data, bj_city
):
    content = HEADER + (
        "总量,total,,,,100,120,,,\n"
        "类别,residential,住宅用地,,,abc,,,,residential\n"
        "节点,,,,,,,50,2025-13-01,\n"
        "土地,x,,,,,,,,\n"
    )
    with pytest.raises(Exception) as exc:
        services.plan_import(user=bj_city, year=2025, name="x", upload=_upload(content))
    messages = exc.value.messages
    assert "第 3 行「下限（公顷）」：abc 不是数字。" in messages
    assert "第 4 行「日期」：2025-13-01 不是 1900–2100 年间的日期（YYYY-MM-DD）。" in messages
    assert any(m.startswith("第 5 行「类型」：土地") for m in messages)
    assert not AnnualPlan.objects.exists()


def test_rule_errors_name_the_sheet_row_and_nothing_is_created(client, reference_data, bj_city):
    content = HEADER + (
        "总量,total,,,,100,120,,,\n"
        "类别,residential,住宅用地,,,60,,,,residential\n"
        "类别,affordable_housing,保障性住宅用地,residential,,70,,,,affordable_housing\n"
        "类别,rental_housing,租赁住房,nowhere,,,,,,rental_housing\n"
        "节点,,,,,,,50,2025-06-30,\n"
        "节点,,,,,,,90,2025-12-31,\n"
    )
    client.force_login(bj_city)
    response = client.post(
        reverse("plans:plan_import"), {"year": 2025, "name": "测试", "file": _upload(content)}
    )
    page = response.content.decode()
    assert "未导入任何数据" in page
    assert "类别指标「住宅用地」：保障性住宅用地 上限 70" in page
    assert "类别指标 第 5 行「上级指标」：上级代码 nowhere 不存在" in page
    assert "最后一个节点（2025-12-31）须为 100%" in page
    assert not AnnualPlan.objects.exists()


def test_template_download_and_upload_through_the_urls(client, plans_2024, bj_city, district_user):
    client.force_login(district_user("haidian"))
    assert client.get(reverse("plans:plan_import_template")).status_code == 403
    assert client.post(reverse("plans:plan_import"), {}).status_code == 403

    client.force_login(bj_city)
    template = client.get(reverse("plans:plan_import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(
        reverse("plans:plan_import"),
        {
            "year": 2025,
            "name": "北京市2025年度建设用地供应计划",
            "file": _upload(template.getvalue(), "plan-template.xlsx"),
        },
    )
    plan = AnnualPlan.objects.get(year=2025, jurisdiction__code="beijing")
    assert response.status_code == 302 and response.url == reverse(
        "plans:plan_edit", args=[plan.pk]
    )
    spec_2025 = selectors.plan_spec(plan=plan)
    spec_2024 = selectors.plan_spec(plan=plans_2024["beijing"])
    assert spec_2025["categories"] == spec_2024["categories"]
    assert spec_2025["ratios"] == spec_2024["ratios"]

    # the published 2024 plan cannot be replaced by an import
    response = client.post(
        reverse("plans:plan_import"),
        {
            "year": 2024,
            "name": BJ_NAME,
            "file": _upload(BEIJING_CSV.read_bytes()),
        },
    )
    assert "只能通过计划调整变更" in response.content.decode()
