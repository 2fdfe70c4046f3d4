"""The admin site is scoped to the user's jurisdiction for anyone but the platform administrator
(issue 8): lists, object pages (change, delete, history, revert, password), foreign-key choices,
filters and the User admin. Tried with the demo users: `city` (Beijing), `zz_city` (Zhengzhou),
both in the demo city-admin group, and `admin`, the platform administrator."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from assessments.models import LeaseRuleSet
from landsupply.models import District, User
from landsupply.seed import seed_demo_users
from parcels.models import Parcel
from tests.factories import LeaseRuleSetFactory, ParcelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(reference_data):
    users = {u.username: u for u in seed_demo_users()}
    haidian = District.objects.get(code="haidian")
    jinshui = District.objects.get(code="jinshui")
    return {
        **users,
        "bj_parcel": ParcelFactory(district=haidian, code="BJ-1", name="海淀地块"),
        "zz_parcel": ParcelFactory(district=jinshui, code="ZZ-1", name="金水地块"),
        "zz_rules": LeaseRuleSetFactory(jurisdiction=jinshui.jurisdiction),
        "haidian_district": haidian,
        "jinshui_district": jinshui,
    }


def change_url(obj, view="change"):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_city_staff_work_on_their_own_jurisdiction(client, demo):
    client.force_login(demo["city"])
    page = client.get(changelist(Parcel))
    assert "BJ-1" in page.text and "ZZ-1" not in page.text
    assert client.get(change_url(demo["bj_parcel"])).status_code == 200
    users = client.get(changelist(User)).text
    assert "haidian" in users and "zz_city" not in users and "jinshui" not in users


def test_another_jurisdictions_objects_are_404_on_every_page(client, demo):
    """The former superuser path: `city` edited Zhengzhou's data in the admin."""
    client.force_login(demo["city"])
    for obj in [demo["zz_parcel"], demo["zz_rules"], demo["jinshui_district"], demo["zz_city"]]:
        for view in ["change", "delete", "history"]:
            # 404; simple-history's history page answers 403 (it falls back to the history rows)
            assert client.get(change_url(obj, view)).status_code in (403, 404), (obj, view)
        assert client.get(change_url(obj)).status_code == 404
    response = client.post(
        change_url(demo["zz_parcel"]), {"code": "ZZ-1", "name": "北京改的", "area_ha": "1"}
    )
    assert response.status_code == 404
    assert Parcel.objects.get(pk=demo["zz_parcel"].pk).name == "金水地块"
    assert client.post(change_url(demo["zz_rules"], "delete"), {"post": "yes"}).status_code == 404
    assert LeaseRuleSet.objects.filter(pk=demo["zz_rules"].pk).exists()


def test_revert_pages_of_another_jurisdiction_are_refused(client, demo):
    """simple-history's revert page loads the historical row directly: the object-level
    permission refuses it."""
    parcel = demo["zz_parcel"]
    version = parcel.history.latest().history_id
    url = reverse("admin:parcels_parcel_simple_history", args=[parcel.pk, version])
    client.force_login(demo["city"])
    assert client.get(url).status_code == 403
    client.force_login(demo["zz_city"])
    assert client.get(url).status_code == 200


def test_city_staff_cannot_change_another_jurisdictions_password(client, demo):
    """The former superuser path: `city` changed `zz_city`'s password."""
    client.force_login(demo["city"])
    url = reverse("admin:auth_user_password_change", args=[demo["zz_city"].pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"password1": "taken-over-123", "password2": "taken-over-123"})
    assert response.status_code == 404
    assert User.objects.get(username="zz_city").check_password("demo12345")
    # their own jurisdiction's users they may help
    own = reverse("admin:auth_user_password_change", args=[demo["haidian"].pk])
    assert client.get(own).status_code == 200


def test_city_staff_cannot_grant_superuser_admin_access_or_the_admin_role(client, demo):
    client.force_login(demo["city"])
    page = client.get(change_url(demo["haidian"]))
    form = page.context["adminform"].form
    for field in ["is_superuser", "is_staff", "groups", "user_permissions"]:
        assert field not in form.fields, field
    assert User.Role.ADMIN not in [value for value, _label in form.fields["role"].choices]
    haidian = demo["haidian"]
    response = client.post(
        change_url(haidian),
        {
            "username": "haidian",
            "role": "admin",
            "jurisdiction": haidian.jurisdiction_id,
            "district": haidian.district_id,
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200  # the form again, with the role refused
    assert "role" in response.context["adminform"].form.errors
    haidian.refresh_from_db()
    assert (haidian.role, haidian.is_superuser, haidian.is_staff) == ("district", False, False)


def test_a_user_city_staff_add_belongs_to_their_jurisdiction(client, demo):
    client.force_login(demo["city"])
    response = client.post(
        reverse("admin:landsupply_user_add"),
        {
            "username": "new_clerk",
            "password1": "a-long-pass-9",
            "password2": "a-long-pass-9",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="new_clerk").jurisdiction.code == "beijing"


def test_foreign_key_choices_and_filters_offer_only_the_jurisdiction(client, demo):
    client.force_login(demo["city"])
    form = client.get(change_url(demo["bj_parcel"])).context["adminform"].form
    districts = set(form.fields["district"].queryset.values_list("code", flat=True))
    assert "haidian" in districts and "jinshui" not in districts
    initial = {k: ("" if v is None else v) for k, v in form.initial.items()}
    response = client.post(
        change_url(demo["bj_parcel"]),
        {
            **initial,
            "district": demo["jinshui_district"].pk,
            "ring": "",
            "category": demo["bj_parcel"].category_id,
        },
    )
    assert "district" in response.context["adminform"].form.errors
    assert Parcel.objects.get(pk=demo["bj_parcel"].pk).district == demo["haidian_district"]
    filters = client.get(changelist(User)).context["cl"].filter_specs
    offered = {
        str(label) for spec in filters for _value, label in getattr(spec, "lookup_choices", [])
    }
    assert "北京市" in offered and "郑州市（市本级）" not in offered


def test_groups_are_the_platform_administrators(client, demo):
    client.force_login(demo["city"])
    assert client.get(changelist(Group)).status_code == 403
    group = Group.objects.get()
    assert client.get(change_url(group)).status_code == 403


def test_the_platform_administrator_sees_and_edits_everything(client, demo):
    client.force_login(demo["admin"])
    assert client.get(change_url(demo["zz_parcel"])).status_code == 200
    assert client.get(change_url(demo["zz_city"])).status_code == 200
    assert "ZZ-1" in client.get(changelist(Parcel)).text
    form = client.get(change_url(demo["zz_city"])).context["adminform"].form
    assert "is_superuser" in form.fields
    assert client.get(changelist(Group)).status_code == 200


def test_shared_reference_data_is_read_only_for_city_staff(client, demo):
    enterprise = User.objects.get(username="enterprise").enterprise
    client.force_login(demo["city"])
    assert client.get(change_url(enterprise)).status_code == 200  # view
    response = client.post(change_url(enterprise), {"name": "改名", "credit_code": "X"})
    assert response.status_code == 403


@pytest.mark.parametrize("username", ["haidian", "enterprise"])
def test_district_staff_and_enterprises_have_no_admin(client, demo, username):
    client.force_login(demo[username])
    response = client.get(changelist(Parcel))
    assert response.status_code == 302 and "/admin/login/" in response.url
