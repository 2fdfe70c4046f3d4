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
