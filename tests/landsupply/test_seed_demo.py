"""seed_demo refuses to run on a production server (DEBUG off) unless forced (issue 8)."""

import pytest
from django.core.management import CommandError, call_command

from landsupply.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded_plans(db):
    call_command("seed_plans", verbosity=0)


def test_seed_demo_refuses_with_debug_off_and_changes_nothing(seeded_plans, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()


def test_seed_demo_runs_with_debug_off_when_forced(seeded_plans, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", verbosity=0)
    assert User.objects.filter(username="city").exists()


def test_seed_demo_runs_in_development(seeded_plans, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert User.objects.filter(username="city").exists()
