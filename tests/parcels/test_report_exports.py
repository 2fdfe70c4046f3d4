"""The plan execution report and the contracts register as .xlsx, scoped like their pages."""

from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from plans.models import AnnualPlan
from plans.seed import seed_plans
from tests.factories import ContractFactory, SuppliedParcelFactory

pytestmark = pytest.mark.django_db


def sheets(content):
    workbook = CalamineWorkbook.from_filelike(BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def test_plan_report_has_every_section_with_chinese_headers(client, beijing):
    seed_plans()
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    SuppliedParcelFactory(district=beijing["haidian"], category=beijing["categories"]["industrial"])
    client.force_login(beijing["city_user"])

    response = client.get(reverse("plans:report_export"), {"plan": plan.pk})

    book = sheets(response.getvalue())
    assert list(book) == ["用地类型", "圈层", "政策比例", "季度节点", "各区"]
    categories = book["用地类型"]
    assert categories[0][:3] == ["代码", "用地类型", "层级"]
    assert categories[1][0] == "合计"
    assert any("住宅" in str(row[1]) for row in categories[2:])
    assert len(book["各区"]) == 1 + 17  # header + Beijing's districts


def test_plan_report_of_a_district_user_is_their_district_only(client, beijing):
    seed_plans()
    client.force_login(beijing["haidian_user"])

    response = client.get(reverse("plans:report_export"), {"district": "daxing"})

    assert (
        "海淀区" in response["Content-Disposition"]
        or "%E6%B5%B7%E6%B7%80" in response["Content-Disposition"]
    )
    book = sheets(response.getvalue())
    assert book["各区"] == [book["各区"][0]]


def test_contract_register_follows_scope(client, beijing):
    mine = ContractFactory(parcel__district=beijing["haidian"], number="HD-ZL-1")
    ContractFactory(parcel__district=beijing["daxing"], number="DX-ZL-1")
    client.force_login(beijing["haidian_user"])

    response = client.get(reverse("assessments:register_export"))

    rows = sheets(response.getvalue())["先租后让合同台账"]
    assert rows[0][:3] == ["合同编号", "区", "地块编号"]
    assert [r[0] for r in rows[1:]] == ["HD-ZL-1"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["租赁期租金（元）"] == float(mine.lease_rent) == 7_500_000
    assert row["转出让地价款（元）"] == 22_500_000
