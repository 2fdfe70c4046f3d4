"""Roles are roles (issue 8): superuser status never stands in for an enterprise, a district or
city staff; the platform administrator (the only superuser) has no operational page; only city
staff of the jurisdiction approve. Contracts: tests/assessments/test_roles.py; the admin site:
test_admin_scope.py."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from landsupply.models import User
from plans import services as plan_services
from plans.models import AdjustmentRequest
from tests.factories import (
    AnnualPlanFactory,
    CategoryTargetFactory,
    CityUserFactory,
    DistrictFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
    PlatformAdminFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_only_the_platform_administrator_may_be_a_superuser():
    with pytest.raises(IntegrityError):
        UserFactory(role=User.Role.CITY, is_superuser=True)


def test_createsuperuser_makes_a_platform_administrator(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "r@x.invalid")
    root = User.objects.get(username="root")
    assert root.is_superuser and root.role == User.Role.ADMIN and root.is_platform_admin


def test_platform_administrator_is_sent_to_the_admin_and_offered_no_operational_page(client):
    client.force_login(PlatformAdminFactory())
    assert client.get(reverse("home")).url == reverse("admin:index")
    for name in [
        "plans:overview",
        "plans:adjustment_list",
        "plans:submission_list",
        "parcels:list",
        "parcels:create",
        "assessments:contract_list",
        "assessments:contract_create",
    ]:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("admin:index")).status_code == 200


# --- plans: only city staff of the jurisdiction approve ---------------------------------------


@pytest.fixture
def filed_adjustment():
    plan = AnnualPlanFactory()
    a = CategoryTargetFactory(plan=plan, code="a", target_min_ha=Decimal("50"))
    b = CategoryTargetFactory(plan=plan, code="b", target_min_ha=Decimal("50"))
    district = DistrictFactory(jurisdiction=plan.jurisdiction)
    adjustment = AdjustmentRequest.objects.create(
        plan=plan,
        district=district,
        reason="调剂",
        status=AdjustmentRequest.Status.FILED,
        created_by=DistrictUserFactory(district=district),
    )
    adjustment.items.create(kind="move_area", from_target=a, to_target=b, area_ha=Decimal("5"))
    return adjustment


def test_only_city_staff_of_the_jurisdiction_approve(client, filed_adjustment):
    plan = filed_adjustment.plan
    others = {
        "platform administrator": (PlatformAdminFactory(), 403),
        "another city": (CityUserFactory(), 404),
        "district staff": (DistrictUserFactory(district=filed_adjustment.district), 403),
        "an enterprise": (EnterpriseUserFactory(), 403),
    }
    for who, (user, status) in others.items():
        client.force_login(user)
        for action in ["adjustment_approve", "adjustment_reject"]:
            response = client.post(
                reverse(f"plans:{action}", args=[filed_adjustment.pk]), {"comment": "x"}
            )
            assert response.status_code == status, (who, action)
        with pytest.raises(PermissionDenied):
            plan_services.adjustment_approve(user=user, adjustment=filed_adjustment)
        with pytest.raises(PermissionDenied):
            plan_services.adjustment_reject(user=user, adjustment=filed_adjustment, comment="x")
    filed_adjustment.refresh_from_db()
    assert filed_adjustment.status == AdjustmentRequest.Status.FILED
    assert filed_adjustment.plan.version == plan.version
