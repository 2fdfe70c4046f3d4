"""Consistency checks in one place (issue 9): the check_consistency command and the city
staff's page list every inconsistency with the rule it breaks; the real 2024 plans and the demo
data come out clean or explained (the Beijing source's own 80 ha difference is shown)."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from assessments.demo import seed_demo_contracts
from assessments.models import Contract
from assessments.seed import seed_rule_sets
from landsupply.consistency import consistency_findings
from landsupply.models import Jurisdiction, User
from landsupply.seed import seed_demo_users
from parcels.demo import seed_demo_parcels
from parcels.models import Parcel
from plans.models import AnnualPlan, CategoryTarget, DistrictAllocation
from plans.seed import seed_plans
from tests.factories import ContractFactory, UserFactory


def run(*args):
    out = StringIO()
    call_command("check_consistency", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(reference_data):
    seed_plans()
    seed_rule_sets()
    seed_demo_users()
    seed_demo_parcels()
    seed_demo_contracts()
    return reference_data


def test_seeded_plans_and_demo_data_are_clean_or_explained(seeded):
    data = json.loads(run("--format", "json"))
    assert data["unexplained"] == 0
    checks = [(f["jurisdiction"], f["check"]) for f in data["findings"]]
    assert checks == [("beijing", "R5-split-categories")]
    finding = data["findings"][0]
    assert "1490–1510" in finding["message"] and "1570–1590" in finding["message"]
    assert "80 公顷" in finding["explanation"] and finding["explained"] is True
    text = run("--jurisdiction", "beijing", "--year", "2024")
    assert "已说明" in text and "R5" in text
    assert run("--jurisdiction", "zhengzhou", "--format", "json").count('"check"') == 0


def test_unknown_jurisdiction_exits_2(seeded):
    with pytest.raises(CommandError) as exc:
        run("--jurisdiction", "shanghai")
    assert exc.value.returncode == 2


def test_each_plan_check_names_its_rule_and_the_command_exits_1(seeded):
    zz = AnnualPlan.objects.get(jurisdiction__code="zhengzhou")
    residential = zz.category_targets.get(code="residential")
    CategoryTarget.objects.filter(pk=residential.pk).update(target_max_ha=Decimal("1000"))
    CategoryTarget.objects.create(
        plan=zz,
        code="rental",
        name="租赁住房",
        parent=residential,
        target_min_ha=Decimal("1200"),
        target_max_ha=Decimal("1200"),
    )
    AnnualPlan.objects.filter(pk=zz.pk).update(
        total_min_ha=Decimal("5000"),
        total_max_ha=Decimal("5100"),
        district_target_min_ha=Decimal("100"),
        district_target_max_ha=Decimal("100"),
        city_target_min_ha=Decimal("10"),
        city_target_max_ha=Decimal("10"),
    )
    jinshui = zz.jurisdiction.districts.get(code="jinshui")
    DistrictAllocation.objects.create(
        plan=zz, district=jinshui, target_min_ha=Decimal("50"), target_max_ha=Decimal("50")
    )
    findings = consistency_findings(jurisdiction=zz.jurisdiction, year=2024)
    by_check = {f.check: f for f in findings}
    assert set(by_check) >= {
        "R1-categories-total",
        "R2-children-parent",
        "R5-split-total",
        "R5-allocations",
        "R9-listed-total",
        "R9-listed-district",
    }
    assert by_check["R1-categories-total"].rule == "R1, R2"
    assert "5000" in by_check["R1-categories-total"].message
    r2 = [f.message for f in findings if f.check == "R2-children-parent"]
    assert any("租赁住房 上限 1200" in m for m in r2) and any("下级下限合计 1200" in m for m in r2)
    assert not any(f.explained for f in findings)
    with pytest.raises(CommandError) as exc:
        run("--jurisdiction", "zhengzhou")
    assert exc.value.returncode == 1


def test_contract_checks_not_lease_then_transfer_land_use_and_stored_money(db):
    contract = ContractFactory()
    assert consistency_findings(jurisdiction=contract.parcel.district.jurisdiction) == []
    Parcel.objects.filter(pk=contract.parcel_id).update(supply_method="listing")
    Contract.objects.filter(pk=contract.pk).update(lease_rent=Decimal("7000000.00"))
    findings = {f.check: f for f in consistency_findings()}
    assert findings["R12-not-lease-then-transfer"].subject == f"合同 {contract.number}"
    stored = findings["R14-stored-figures"]
    assert "7000000.00" in stored.message and "7500000.00" in stored.message
    commercial = contract.parcel.category.__class__.objects.create(
        code="commercial", name="商服用地"
    )
    Parcel.objects.filter(pk=contract.parcel_id).update(category=commercial)
    findings = {f.check: f for f in consistency_findings()}
    assert "商服用地" in findings["R25-land-use"].message


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the database refuses such a row (CHECK constraint)"
)
def test_supplied_parcel_without_a_date(db):
    from tests.factories import ParcelFactory

    parcel = ParcelFactory(status="planned")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        cursor.execute(
            f"UPDATE {Parcel._meta.db_table} SET status = 'supplied', supplied_on = NULL "
            "WHERE id = %s",
            [parcel.pk],
        )
        cursor.execute("PRAGMA ignore_check_constraints = OFF")
    findings = consistency_findings()
    assert [(f.check, f.rule) for f in findings] == [("R6-supplied-without-date", "R6")]


def test_page_is_for_city_staff_of_the_jurisdiction(client, seeded):
    beijing = Jurisdiction.objects.get(code="beijing")
    city = UserFactory(role=User.Role.CITY, jurisdiction=beijing)
    client.force_login(city)
    page = client.get(reverse("consistency")).content.decode()
    assert "R5-split-categories" in page and "80 公顷" in page and "已说明" in page
    assert "共 1 项，其中待处理 0 项" in page
    assert (
        "R5-split-categories"
        not in client.get(reverse("consistency") + "?year=2025").content.decode()
    )
    zz_city = UserFactory(
        role=User.Role.CITY, jurisdiction=Jurisdiction.objects.get(code="zhengzhou")
    )
    client.force_login(zz_city)
    assert "R5-split-categories" not in client.get(reverse("consistency")).content.decode()
    for user in (User.objects.get(username="haidian"), User.objects.get(username="enterprise")):
        client.force_login(user)
        assert client.get(reverse("consistency")).status_code == 403
    client.logout()
    assert client.get(reverse("consistency")).status_code == 302
