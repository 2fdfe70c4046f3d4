import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from api import services
from landsupply.models import User


@pytest.fixture(scope="package")
def demo_site(django_db_setup, django_db_blocker):
    """What `make run` loads — both jurisdictions' plans, the demo ledger, contracts and one
    user of each role (city, haidian, daxing, zz_city, jinshui, enterprise, enterprise2,
    admin) — loaded once for tests/api inside a transaction rolled back after the last test
    (each test runs in a savepoint inside it, so no test sees another's changes)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_plans", verbosity=0)
        call_command("seed_demo", "--force", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_site, db):
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def as_user(demo):
    """as_user(name) → an APIClient authenticated with a fresh API token of that demo user
    (the platform administrator, who gets no token, with a browser session instead);
    as_user(None) → anonymous."""

    def make(name, *, language=None):
        client = APIClient()
        if language:
            client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        if name is None:
            return client
        user = demo[name]
        if user.role == User.Role.ADMIN:
            client.force_login(user)
            return client
        _row, token = services.token_create(user=user, name="test")
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
        if language:
            headers["HTTP_ACCEPT_LANGUAGE"] = language
        client.credentials(**headers)
        return client

    return make
