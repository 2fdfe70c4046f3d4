"""Accounts (issue 8): login throttling with django-axes, Django's four password validators,
changing one's own password, sessions that end after a working day idle or at browser close."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CityUserFactory, PlatformAdminFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _fail(client, username, times, **extra):
    for _ in range(times):
        response = _login(client, username, "wrong-password", **extra)
        assert response.status_code in (200, 429)
    return response


def test_nine_wrong_passwords_then_the_right_one_logs_in(client):
    user = CityUserFactory()
    assert _fail(client, user.username, 9).status_code == 200  # the form again, with its error
    response = _login(client, user.username, "pw-12345")
    assert response.status_code == 302 and response.url == reverse("home")


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_password(client, caplog):
    user = CityUserFactory()
    with caplog.at_level("WARNING", logger="axes"):
        locked = _fail(client, user.username, 10)
    assert locked.status_code == 429
    response = _login(client, user.username, "pw-12345")
    assert response.status_code == 429
    html = response.content.decode()
    assert "账号已暂时锁定" in html and "30 分钟" in html and "系统管理员" in html
    assert client.get(reverse("home")).status_code == 302  # not logged in
    assert any(
        "Locking out" in r.getMessage() or "lock" in r.getMessage().lower() for r in caplog.records
    )


def test_the_lock_is_for_the_account_from_any_address(client):
    user = CityUserFactory()
    _fail(client, user.username, 10, REMOTE_ADDR="203.0.113.1")
    assert _login(client, user.username, "pw-12345", REMOTE_ADDR="198.51.100.9").status_code == 429


def test_an_address_guessing_across_accounts_is_locked_too(client):
    """Password spraying: one wrong password on each of ten accounts from one address."""
    user = CityUserFactory()
    for n in range(9):
        _login(client, f"clerk{n}", "spring2025", REMOTE_ADDR="203.0.113.5")
    assert _login(client, user.username, "pw-12345", REMOTE_ADDR="203.0.113.5").status_code == 302
    client.logout()
    for n in range(10):
        _login(client, f"clerk{n}", "spring2025", REMOTE_ADDR="203.0.113.6")
    assert _login(client, user.username, "pw-12345", REMOTE_ADDR="203.0.113.6").status_code == 429
    assert _login(client, user.username, "pw-12345", REMOTE_ADDR="198.51.100.9").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client):
    user = CityUserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        _fail(client, user.username, 10)
        traveller.shift(dt.timedelta(minutes=29))
        assert _login(client, user.username, "pw-12345").status_code == 429
        # a failure during the lock started the cool-off again: 30 minutes from that attempt
        traveller.shift(dt.timedelta(minutes=30, seconds=1))
        assert _login(client, user.username, "pw-12345").status_code == 302


def test_lock_out_is_visible_to_administrators_in_the_admin(client):
    user = CityUserFactory()
    _fail(client, user.username, 10)
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert AccessFailureLog.objects.filter(username=user.username, locked_out=True).exists()
    client.force_login(PlatformAdminFactory())
    html = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert user.username in html
    log = client.get(reverse("admin:axes_accessfailurelog_changelist")).content.decode()
    assert user.username in log


def test_client_address_is_remote_addr_unless_proxies_are_trusted(client):
    user = CityUserFactory()
    _login(client, user.username, "x", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AccessFailureLog.objects.get().ip_address == "10.0.0.2"  # a forged header is ignored


def test_behind_a_proxy_the_address_the_proxy_saw_is_logged(client, settings):
    """LANDSUPPLY_TRUSTED_PROXIES=1 (what settings.py turns it into): the right-most entry of
    X-Forwarded-For, which the proxy appended; the client's own forged entries are ignored."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False
    user = CityUserFactory()
    _login(
        client,
        user.username,
        "x",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    assert AccessFailureLog.objects.get().ip_address == "203.0.113.7"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("qwerty123", "太常见"),
        ("73915824601", "全都是数字"),
        ("Ab3$kq", "太短"),
        ("haidian-clerk", "相似"),
    ],
)
def test_password_validators_reject_weak_passwords(client, password, message):
    user = CityUserFactory(username="haidian-clerk")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-12345", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-12345")


def test_user_changes_own_password_and_stays_logged_in(client):
    user = CityUserFactory()
    client.force_login(user)
    page = client.get(reverse("plans:overview"))
    assert reverse("password_change") in page.content.decode()  # linked from the navigation
    form = client.get(reverse("password_change"))
    assert form.status_code == 200 and "修改密码" in form.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-12345",
            "new_password1": "Tudi-Gongying-2025",
            "new_password2": "Tudi-Gongying-2025",
        },
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert "密码已修改" in client.get(response.url).content.decode()
    user.refresh_from_db()
    assert user.check_password("Tudi-Gongying-2025")
    client.logout()
    assert _login(client, user.username, "pw-12345").status_code == 200
    assert _login(client, user.username, "Tudi-Gongying-2025").status_code == 302


def test_password_change_needs_the_old_password(client):
    user = CityUserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "guess",
            "new_password1": "Tudi-Gongying-2025",
            "new_password2": "Tudi-Gongying-2025",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("pw-12345")


def test_session_cookie_ends_at_browser_close(client):
    user = CityUserFactory()
    response = _login(client, user.username, "pw-12345")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_session_ends_after_a_working_day_idle_and_activity_keeps_it(client):
    user = CityUserFactory()
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    overview = reverse("notifications")
    with time_machine.travel(START, tick=False) as traveller:
        _login(client, user.username, "pw-12345")
        traveller.shift(dt.timedelta(hours=7, minutes=59))
        assert client.get(overview).status_code == 200  # and pushes the end to 8 h from now
        traveller.shift(dt.timedelta(hours=7, minutes=59))
        assert client.get(overview).status_code == 200
        traveller.shift(dt.timedelta(hours=8, seconds=1))
        response = client.get(overview)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        q["sql"] for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    ]  # fmt: skip


def test_a_session_is_moved_on_at_most_every_five_minutes_not_on_every_request(client):
    """Activity keeps a session alive without a write per request: the first request after
    SESSION_REFRESH_SECONDS (300 s) saves the session with a new end, those before it write
    nothing (4 min 59 s: no write; 5 min: a write)."""
    user = CityUserFactory()
    assert settings.SESSION_REFRESH_SECONDS == 300
    page = reverse("notifications")
    with time_machine.travel(START, tick=False) as traveller:
        _login(client, user.username, "pw-12345")
        assert _session_writes(client, page) == []  # the login itself saved a fresh end
        traveller.shift(dt.timedelta(minutes=4, seconds=59))
        assert _session_writes(client, page) == []
        traveller.shift(dt.timedelta(seconds=1))
        assert len(_session_writes(client, page)) == 1
        assert _session_writes(client, page) == []  # the same second again: nothing
        # 8 h after that write the session has ended, even with the requests in between that
        # wrote nothing.
        traveller.shift(dt.timedelta(hours=8, seconds=1))
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
