import pytest

from landsupply.models import District, User
from plans.models import AnnualPlan
from plans.seed import seed_plans
from tests.factories import UserFactory


@pytest.fixture
def plans_2024(reference_data):
    """The real 2024 plans of Beijing and Zhengzhou, as seed_plans loads them."""
    seed_plans()
    return {p.jurisdiction.code: p for p in AnnualPlan.objects.select_related("jurisdiction")}


@pytest.fixture
def bj_city(reference_data):
    return UserFactory(
        username="bj_city",
        role=User.Role.CITY,
        jurisdiction=reference_data["jurisdictions"]["beijing"],
    )


@pytest.fixture
def zz_city(reference_data):
    return UserFactory(
        username="zz_city",
        role=User.Role.CITY,
        jurisdiction=reference_data["jurisdictions"]["zhengzhou"],
    )


@pytest.fixture
def district_user(reference_data):
    """district_user("jinshui") → a district staff user of that district."""

    def make(code):
        district = District.objects.get(code=code)
        existing = User.objects.filter(username=f"staff_{code}").first()
        if existing:
            return existing
        return UserFactory(
            username=f"staff_{code}",
            role=User.Role.DISTRICT,
            district=district,
            jurisdiction=district.jurisdiction,
        )

    return make
