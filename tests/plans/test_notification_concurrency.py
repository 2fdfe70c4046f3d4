"""Two sweeps at the same moment send each plan reminder and each digest once (PostgreSQL,
two threads on their own connections; landsupply.claims)."""

import datetime

import pytest
from django.core import mail

from landsupply import notify
from landsupply.models import District, Notification, User
from landsupply.seed import seed_jurisdictions
from parcels.seed import seed_land_use_categories
from plans import services
from plans.seed import seed_plans
from tests.concurrency import kinds, needs_postgres, race
from tests.factories import UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_plan_sweeps_and_digests_send_once():
    needs_postgres()
    seed_jurisdictions()
    seed_land_use_categories()
    seed_plans()
    for code in ("jinshui", "erqi", "zhongyuan"):
        UserFactory(
            username=f"staff_{code}",
            role=User.Role.DISTRICT,
            district=District.objects.get(code=code),
            email_preference=User.EmailPreference.DIGEST,
        )
    day = datetime.date(2024, 5, 4)  # 30 days before Zhengzhou's deadline (3 June 2024)
    outcomes = race(
        lambda: services.plan_reminder_sweep(today=day),
        lambda: services.plan_reminder_sweep(today=day),
    )
    assert kinds(outcomes) == ["ok", "ok"]
    assert sum(len(value) for _kind, value in outcomes) == 1  # one notice, claimed once
    assert Notification.objects.filter(message_id="adjustment_deadline").count() == 3
    outcomes = race(
        lambda: notify.digest_sweep(today=day),
        lambda: notify.digest_sweep(today=day),
    )
    assert sum(len(value) for _kind, value in outcomes) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        User.objects.filter(role=User.Role.DISTRICT).values_list("email", flat=True)
    )
