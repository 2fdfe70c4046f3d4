import pytest
from django.db import IntegrityError
from django.urls import reverse

from landsupply.models import District, Notification, User
from landsupply.seed import DEMO_PASSWORD, seed_demo_users
from tests.factories import CityUserFactory, DistrictUserFactory, EnterpriseUserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("factory", "target"),
    [
        (CityUserFactory, "plans:overview"),
        (DistrictUserFactory, "plans:overview"),
        (EnterpriseUserFactory, "assessments:contract_list"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client, factory, target):
    client.force_login(factory())
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(target)


def test_login_form_logs_in_with_password(client):
    user = CityUserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "pw-12345"})
    assert response.status_code == 302
    assert client.get(reverse("notifications")).status_code == 200


def test_district_user_must_have_a_district():
    with pytest.raises(IntegrityError):
        User.objects.create(username="nodistrict", role=User.Role.DISTRICT)


def test_demo_users_cover_every_role_and_are_idempotent(reference_data):
    users = seed_demo_users()
    seed_demo_users()
    assert User.objects.count() == len(users)
    assert {u.role for u in users} == set(User.Role.values)
    haidian = User.objects.get(username="haidian")
    assert haidian.district == District.objects.get(code="haidian")
    assert haidian.jurisdiction.code == "beijing"
    assert User.objects.get(username="zz_city").jurisdiction.code == "zhengzhou"
    assert haidian.check_password(DEMO_PASSWORD)


def test_notifications_page_shows_own_notifications_and_reading_changes_nothing(client):
    me, other = CityUserFactory(), CityUserFactory()
    Notification.objects.create(recipient=me, title="考核申请即将到期")
    Notification.objects.create(recipient=other, title="别人的通知")
    client.force_login(me)

    response = client.get(reverse("notifications"))
    client.get(reverse("notifications"))

    assert "考核申请即将到期" in response.text and "新" in response.text
    assert "别人的通知" not in response.text
    assert "全部标为已读" in response.text
    assert me.notifications.filter(read_at__isnull=True).count() == 1  # GET changes nothing


def test_marking_read_is_a_post_one_or_all_own_only(client):
    me, other = CityUserFactory(), CityUserFactory()
    first = Notification.objects.create(recipient=me, title="一")
    Notification.objects.create(recipient=me, title="二")
    theirs = Notification.objects.create(recipient=other, title="别人的通知")
    client.force_login(me)

    assert client.get(reverse("notification_read", args=[first.pk])).status_code == 405
    assert client.get(reverse("notifications_read")).status_code == 405
    client.post(reverse("notification_read", args=[first.pk]))
    assert set(me.notifications.filter(read_at__isnull=True).values_list("title", flat=True)) == {
        "二"
    }
    client.post(reverse("notification_read", args=[theirs.pk]))  # not mine: nothing happens
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = client.post(reverse("notifications_read"), follow=True)
    assert not me.notifications.filter(read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "全部标为已读" not in response.text  # nothing left to mark


def test_english_is_available(client):
    client.force_login(CityUserFactory())
    client.post(reverse("set_language"), {"language": "en", "next": "/notifications/"})
    response = client.get(reverse("notifications"))
    assert response.headers["Content-Language"] == "en"
