"""The one notification service (issue 10): stored message ids rendered in the reader's
language, the e-mail preference, the daily digest exactly once, the claim-once mechanism."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from landsupply import claims, notify
from landsupply.models import Claim, Notification
from landsupply.tasks import digest_sweep_task
from tests.factories import CityUserFactory, DistrictUserFactory

D = datetime.date


def test_claim_is_granted_once_per_key(db):
    assert claims.claim(["a", "b"]) == {"a", "b"}
    assert claims.claim(["b", "c"]) == {"c"}
    assert claims.claim([]) == set()
    claims.release(["b"])
    assert claims.claim(["b"]) == {"b"}
    assert Claim.objects.count() == 3


def test_unknown_message_id_is_an_error(db):
    with pytest.raises(KeyError):
        notify.notify(recipients=[], message="no_such_message", params={})


def test_notify_writes_after_commit_only(db, django_capture_on_commit_callbacks):
    user = CityUserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        notify.notify(
            recipients=[user],
            message="submission_accepted",
            params={"district": "金水区", "year": 2024, "comment": ""},
            url="/plans/",
        )
        assert not Notification.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert Notification.objects.get().recipient == user


def test_a_stored_notification_is_rendered_in_the_readers_language(client, db):
    user = CityUserFactory()
    notify.deliver(
        [user.pk],
        message="submission_returned",
        params={"district": "金水区", "year": 2024, "comment": "请补充地块"},
    )
    client.force_login(user)
    assert "年度用地清单被退回修改" in client.get(reverse("notifications")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/notifications/"})
    page = client.get(reverse("notifications")).content.decode()
    assert "2024 parcel list returned for revision" in page
    assert "被退回" not in page


def test_legacy_rows_without_a_message_id_show_their_stored_text(db):
    user = CityUserFactory()
    note = Notification.objects.create(recipient=user, title="旧通知", body="正文")
    with translation.override("en"):
        assert (note.display_title, note.display_body) == ("旧通知", "正文")


def _note(user, n=1):
    for i in range(n):
        notify.deliver(
            [user.pk],
            message="adjustment_approved",
            params={
                "number": i + 1,
                "year": 2024,
                "comment": "",
                "district": "金水区",
                "reason": "",
            },
            url=f"/plans/adjustments/{i + 1}/",
        )


def test_digest_is_sent_once_a_day_to_digest_users_only(db):
    digest = DistrictUserFactory(email_preference="digest")
    each = DistrictUserFactory(email_preference="each")
    none = DistrictUserFactory(email_preference="none")
    for user in (digest, each, none):
        _note(user, 2)
    assert digest_sweep_task("2024-06-01") == 1
    assert digest_sweep_task("2024-06-01") == 0  # run twice: one digest
    assert [m.to for m in mail.outbox] == [[digest.email]]
    assert "2 条" in mail.outbox[0].subject
    assert "#1" in mail.outbox[0].body and "#2" in mail.outbox[0].body
    # the next day only what came since
    assert notify.digest_sweep(today=D(2024, 6, 2)) == []
    _note(digest)
    assert len(notify.digest_sweep(today=D(2024, 6, 2))) == 1
    assert "1 条" in mail.outbox[-1].subject


def test_a_failed_digest_is_sent_by_the_next_run(db):
    user = DistrictUserFactory(email_preference="digest")
    _note(user)

    class Broken:
        def send_messages(self, messages):
            raise OSError("smtp down")

    assert notify.digest_sweep(today=D(2024, 6, 1), connection=Broken()) == []
    assert len(notify.digest_sweep(today=D(2024, 6, 1))) == 1
    assert Notification.objects.get().emailed_at is not None


def test_email_preference_page(client, db):
    user = DistrictUserFactory()
    client.force_login(user)
    url = reverse("notification_settings")
    assert client.get(url).status_code == 200
    user.refresh_from_db()
    assert user.email_preference == "each"  # GET changes nothing
    client.post(url, {"email_preference": "digest"})
    user.refresh_from_db()
    assert user.email_preference == "digest"
    response = client.post(url, {"email_preference": "sometimes"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_preference == "digest"
