"""factory_boy factories shared by every app's tests."""

import datetime
from decimal import Decimal

import factory

from landsupply.models import District, Enterprise, Jurisdiction, Ring, User
from parcels.models import LandUseCategory, Parcel


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"city{n}")
    name = factory.Sequence(lambda n: f"测试市{n}")


class RingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ring

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    code = factory.Sequence(lambda n: f"ring{n}")
    name = factory.Sequence(lambda n: f"圈层{n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    code = factory.Sequence(lambda n: f"district{n}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    default_ring = None


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.Sequence(lambda n: f"91110000TEST{n:06d}")
    contact_email = factory.Sequence(lambda n: f"enterprise{n}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = User.Role.CITY
    password = factory.PostGenerationMethodCall("set_password", "pw-12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CityUserFactory(UserFactory):
    role = User.Role.CITY
    jurisdiction = factory.SubFactory(JurisdictionFactory)


class DistrictUserFactory(UserFactory):
    role = User.Role.DISTRICT
    district = factory.SubFactory(DistrictFactory)
    jurisdiction = factory.SelfAttribute("district.jurisdiction")


class EnterpriseUserFactory(UserFactory):
    role = User.Role.ENTERPRISE
    enterprise = factory.SubFactory(EnterpriseFactory)


class PlatformAdminFactory(UserFactory):
    """The platform administrator: the admin site's superuser, no operational role."""

    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True


class LandUseCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LandUseCategory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"用地类型{n}")


class ParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcel

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"测试地块{n}")
    category = factory.SubFactory(LandUseCategoryFactory)
    area_ha = Decimal("10.0000")
    plan_year = 2024
    planned_quarter = 2
    status = Parcel.Status.PLANNED


class SuppliedParcelFactory(ParcelFactory):
    status = Parcel.Status.SUPPLIED
    supplied_on = datetime.date(2024, 5, 20)
    contract_number = factory.Sequence(lambda n: f"C-2024-{n:04d}")
    transaction_price = Decimal("10000000.00")
    awardee = "测试受让人"


# --- plans (annual supply plans) ---------------------------------------------------------------

from plans.models import (  # noqa: E402
    AnnualPlan,
    CategoryTarget,
    DistrictAllocation,
    Milestone,
    PlanRuleSet,
)


class PlanRuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanRuleSet

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    effective_from = datetime.date(2024, 1, 1)
    citation = "测试依据"
    adjustment_deadline_month = 6
    adjustment_deadline_day = 1


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    year = 2024
    name = factory.Sequence(lambda n: f"测试计划{n}")
    status = AnnualPlan.Status.PUBLISHED
    total_min_ha = Decimal("100.0000")
    total_max_ha = Decimal("100.0000")


class CategoryTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryTarget

    plan = factory.SubFactory(AnnualPlanFactory)
    code = factory.Sequence(lambda n: f"target{n}")
    name = factory.Sequence(lambda n: f"类别指标{n}")
    target_min_ha = Decimal("50.0000")
    target_max_ha = Decimal("50.0000")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    plan = factory.SubFactory(AnnualPlanFactory)
    due_on = datetime.date(2024, 6, 30)
    cumulative_pct = Decimal("50.00")


class DistrictAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistrictAllocation

    plan = factory.SubFactory(AnnualPlanFactory)
    district = factory.SubFactory(
        DistrictFactory, jurisdiction=factory.SelfAttribute("..plan.jurisdiction")
    )
    target_min_ha = Decimal("40.0000")
    target_max_ha = Decimal("40.0000")


# --- assessments (lease-then-transfer) ---------------------------------------------------------


class LeaseRuleSetFactory(factory.django.DjangoModelFactory):
    """Beijing's parameters (北京市工业用地先租后让指导意见（试行）) on a test jurisdiction."""

    class Meta:
        model = "assessments.LeaseRuleSet"
        skip_postgeneration_save = True

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    name = "测试先租后让规则"
    citation = "北京市工业用地先租后让指导意见（试行）（2024-02-18）"
    effective_from = datetime.date(2024, 2, 18)
    effective_until = datetime.date(2029, 2, 17)
    max_lease_years = 5
    max_total_years = 20
    extension_allowed = True
    application_lead_months = 6
    transfer_application_days = 15
    max_renewal_years = 2
    max_total_renewal_years = 2
    renewals_may_follow = True
    exit_part_year = "days"
    registration_period_days = 30
    required_indicator_kinds = (
        "industry_type,investment_intensity,output_efficiency,tax,innovation,"
        "energy_environment,regional_contribution,local_employment"
    )
    reminder_lead_days = "90,30,7"

    @factory.post_generation
    def land_use_categories(obj, create, extracted, **kwargs):
        """Covers industrial land (§二 适用范围) unless categories are given."""
        if create:
            obj.land_use_categories.set(extracted or [IndustrialCategoryFactory()])


class IndustrialCategoryFactory(LandUseCategoryFactory):
    code = "industrial"
    name = "工业用地"


class LeaseThenTransferParcelFactory(SuppliedParcelFactory):
    supply_method = "lease_then_transfer"
    land_source = "new"
    category = factory.SubFactory(IndustrialCategoryFactory)


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract awarded through services.contract_award (figures and dates computed):
    the DOMAIN.md worked example by default (30,000,000 yuan, 5 + 15 years from 2024-09-01)."""

    class Meta:
        model = "assessments.Contract"

    parcel = factory.SubFactory(LeaseThenTransferParcelFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    number = factory.Sequence(lambda n: f"XZ-{n:05d}")
    base_price = Decimal("30000000")
    lease_years = 5
    transfer_years = 15
    lease_start = datetime.date(2024, 9, 1)
    award_method = "listing"
    award_reference = factory.Sequence(lambda n: f"成交确认书{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from assessments import services
        from assessments.models import StatutoryTermLimit
        from assessments.seed import seed_statutory_limits

        parcel = kwargs["parcel"]
        jurisdiction = parcel.district.jurisdiction
        if not jurisdiction.lease_rule_sets.exists():
            LeaseRuleSetFactory(jurisdiction=jurisdiction)
        if not StatutoryTermLimit.objects.exists():
            seed_statutory_limits()
        return services.contract_award(actor=None, **kwargs)
