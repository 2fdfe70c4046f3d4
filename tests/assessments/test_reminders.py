"""Table-C reminders: daily sweep, exactly once, bounded queries (issue 4)."""

import datetime
import json
import threading
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from assessments import services
from assessments.models import ReminderDelivery
from assessments.tasks import reminder_sweep_task
from landsupply.models import Notification
from tests.assessments.conftest import make_leasing
from tests.factories import ContractFactory, DistrictUserFactory, EnterpriseUserFactory

D = datetime.date


def test_daily_sweep_sends_90_30_7_once_each(worked_example):
    """Lease ends 2029-08-31 → application due 2029-02-28: 90/30/7-day reminders, once each."""
    contract = worked_example["contract"]
    start = datetime.datetime(2028, 10, 1, 7, 0, tzinfo=datetime.UTC)
    sent_on = {}
    with time_machine.travel(start, tick=False) as traveller:
        day = D(2028, 10, 1)
        while day <= D(2029, 3, 5):
            before = ReminderDelivery.objects.filter(sent_at__isnull=False).count()
            reminder_sweep_task()
            for row in ReminderDelivery.objects.filter(sent_at__isnull=False).order_by("id")[
                before:
            ]:
                sent_on[(row.kind, row.lead_days)] = day
            traveller.shift(datetime.timedelta(days=1))
            day += datetime.timedelta(days=1)
    assert sent_on == {
        ("assessment_application", 90): D(2028, 11, 30),
        ("renewal_application", 90): D(2028, 11, 30),
        ("assessment_application", 30): D(2029, 1, 29),
        ("renewal_application", 30): D(2029, 1, 29),
        ("assessment_application", 7): D(2029, 2, 21),
        ("renewal_application", 7): D(2029, 2, 21),
        ("assessment_application", 0): D(2029, 3, 1),
        ("renewal_application", 0): D(2029, 3, 1),
    }
    assert ReminderDelivery.objects.filter(contract=contract).count() == 8
    # Table C: assessment application → enterprise, district copied; renewal → enterprise only.
    holder, staff = worked_example["holder"], worked_example["district_user"]
    assert Notification.objects.filter(recipient=holder).count() == 8
    assert Notification.objects.filter(recipient=staff).count() == 4
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 8 and len(set(subjects)) == 8
    assert any("2029-02-28" in s and "R18" in s for s in subjects)


def test_command_prints_sent_then_nothing(worked_example):
    out = StringIO()
    call_command("send_reminders", "--today", "2029-01-29", "--format", "json", stdout=out)
    sent = json.loads(out.getvalue())["sent"]
    assert {(s["kind"], s["lead_days"], s["due_date"]) for s in sent} == {
        ("assessment_application", 30, "2029-02-28"),
        ("renewal_application", 30, "2029-02-28"),
    }
    assert worked_example["holder"].email in sent[0]["recipients"]
    out = StringIO()
    call_command("send_reminders", "--today", "2029-01-29", stdout=out)
    assert "nothing sent" in out.getvalue()


def test_failed_send_is_retried_without_sending_twice(worked_example):
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("SMTP down"),
    ):
        assert services.reminder_sweep(today=D(2029, 1, 29)) == []
    assert not Notification.objects.exists()
    assert (
        ReminderDelivery.objects.filter(sent_at__isnull=True, claim_token__isnull=True).count() == 2
    )
    assert "SMTP down" in ReminderDelivery.objects.first().last_error
    assert len(services.reminder_sweep(today=D(2029, 1, 30))) == 2
    assert services.reminder_sweep(today=D(2029, 1, 30)) == []
    assert len(mail.outbox) == 2


def test_state_and_renewal_change_what_is_reminded(worked_example):
    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    services.renewal_apply(
        actor=holder, contract=contract, years=2, reason="设备延期", today=D(2028, 11, 1)
    )
    assert (
        services.reminder_sweep(today=D(2028, 11, 30)) == []
    )  # renewal pending: nothing to apply for
    services.renewal_decide(
        actor=staff,
        contract=contract,
        approved=True,
        approval_reference="批1",
        today=D(2028, 12, 1),
    )
    assert services.reminder_sweep(today=D(2029, 2, 21)) == []  # old deadline moved
    sent = services.reminder_sweep(today=D(2031, 2, 21))
    assert {s["due_date"] for s in sent} == {"2031-02-28"}
    services.assessment_apply(actor=holder, contract=contract, today=D(2031, 2, 22))
    sent = services.reminder_sweep(today=D(2031, 8, 1))
    assert [(s["kind"], s["lead_days"]) for s in sent] == [("assessment_decision", 30)]
    assert sent[0]["recipients"] == [staff.email]


def _contracts(n):
    for i in range(n):
        contract = ContractFactory(lease_start=D(2024, 9, 1) + datetime.timedelta(days=i))
        make_leasing(contract)
        EnterpriseUserFactory(enterprise=contract.enterprise)
        DistrictUserFactory(district=contract.parcel.district)


def _statements(captured) -> list[str]:
    """The statements a sweep sends, without the savepoints that stand for its per-reminder
    transactions inside the test's own transaction."""
    return [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]


def test_sweep_queries_are_a_fixed_number_plus_a_few_per_reminder(
    db, django_assert_max_num_queries
):
    """Finding, claiming and reading the audience take a fixed number of queries whatever the
    number of contracts; each reminder sent adds its sent mark and its notifications (and, on
    PostgreSQL, the statement that lets its commit skip the disk flush)."""
    per_reminder = 3 if connection.vendor == "postgresql" else 2
    _contracts(3)
    with django_assert_max_num_queries(40) as small:
        assert len(services.reminder_sweep(today=D(2029, 2, 1))) == 6
    ReminderDelivery.objects.all().delete()
    _contracts(20)
    with django_assert_max_num_queries(300) as large:
        assert len(services.reminder_sweep(today=D(2029, 2, 1))) == 46
    fixed_small = len(_statements(small.captured_queries)) - per_reminder * 6
    fixed_large = len(_statements(large.captured_queries)) - per_reminder * 46
    assert fixed_small == fixed_large <= 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent row locks across two connections")
    _contracts(15)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(services.reminder_sweep(today=D(2029, 2, 1)))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    keys = [(s["contract_id"], s["kind"], s["lead_days"]) for batch in results for s in batch]
    assert len(keys) == len(set(keys)) == 30
    assert len(mail.outbox) == 30
    assert ReminderDelivery.objects.filter(sent_at__isnull=False).count() == 30


def test_json_output_is_json_alone_with_the_console_backend(worked_example, settings, capsys):
    """The development default prints e-mails on stdout; the command sends them to stderr so
    that `send_reminders --format json | jq` works."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("send_reminders", "--today", "2029-01-29", "--format", "json")
    out, err = capsys.readouterr()
    sent = json.loads(out)["sent"]
    assert len(sent) == 2
    assert "Subject:" in err and sent[0]["contract"] in err  # the e-mails, on stderr


# --- a sweep that dies half-way (the duplicate window) -----------------------------------------

T0 = datetime.datetime(2029, 2, 1, 7, 0, tzinfo=datetime.UTC)


class Killed(BaseException):
    """Stands for the worker being killed: not an Exception, so nothing in the sweep catches it."""


def _sweep_dying_after(k, today):
    """Run a sweep whose e-mail transport dies (Killed) when asked to send the (k+1)-th e-mail."""
    real = mail.get_connection().__class__.send_messages
    count = {"n": 0}

    def send(backend, messages):
        if count["n"] == k:
            raise Killed
        count["n"] += 1
        return real(backend, messages)

    with (
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", send),
        pytest.raises(Killed),
    ):
        services.reminder_sweep(today=today)


@pytest.mark.parametrize("k", [0, 3, 6])
def test_a_sweep_killed_after_k_sends_is_finished_later_without_resending_them(db, k):
    _contracts(4)
    today = D(2029, 2, 1)
    with time_machine.travel(T0, tick=False):
        _sweep_dying_after(k, today)
        assert len(mail.outbox) == k
        # the sent ones are marked at once, with their in-app notifications
        assert ReminderDelivery.objects.filter(sent_at__isnull=False).count() == k
        assert Notification.objects.values("title").distinct().count() == k
        # the claims of the dead sweep hold until they are stale: no second sweep sends now
        assert services.reminder_sweep(today=today) == []
    total = ReminderDelivery.objects.count()
    assert total == 8 and k < total
    with time_machine.travel(T0 + services.STALE_CLAIM + datetime.timedelta(minutes=1), tick=False):
        resent = services.reminder_sweep(today=today)
    assert len(resent) == total - k and all(r["resumed"] for r in resent)
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == total == len(set(subjects))  # each reminder e-mailed exactly once
    assert ReminderDelivery.objects.filter(sent_at__isnull=True).count() == 0
    assert ReminderDelivery.objects.filter(resumed=True).count() == total - k
    notices = list(Notification.objects.values_list("recipient_id", "title"))
    assert len(notices) == len(set(notices))  # in-app: exactly once each
    assert {title for _r, title in notices} == set(subjects)
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(set(ids)) == total


def test_the_one_email_in_flight_when_the_sweep_dies_is_the_only_one_sent_twice(db):
    """The window left: the e-mail went out but the sweep died before marking it. It is sent
    again — flagged resumed, with the same Message-ID — and nothing else is."""
    _contracts(4)
    today = D(2029, 2, 1)
    real_mark = services._reminder_mark_sent
    calls = {"n": 0}

    def mark(pk, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed  # after the third e-mail left, before it is marked
        return real_mark(pk, **kwargs)

    with (
        time_machine.travel(T0, tick=False),
        mock.patch.object(services, "_reminder_mark_sent", mark),
        pytest.raises(Killed),
    ):
        services.reminder_sweep(today=today)
    in_flight = mail.outbox[2]
    with time_machine.travel(T0 + services.STALE_CLAIM + datetime.timedelta(minutes=1), tick=False):
        resent = services.reminder_sweep(today=today)
    assert len(resent) == 8 - 2
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 9 and len(set(subjects)) == 8
    again = [m for m in mail.outbox[3:] if m.subject == in_flight.subject]
    assert len(again) == 1
    assert again[0].extra_headers["Message-ID"] == in_flight.extra_headers["Message-ID"]
    assert [r["resumed"] for r in resent] == [True] * len(resent)
    notices = list(Notification.objects.values_list("recipient_id", "title"))
    assert len(notices) == len(set(notices))  # in-app notifications: still exactly once each


def test_title_registration_is_reminded_after_the_land_price_is_paid(worked_example):
    """Table C gains the registration row: after conversion the holder (district copied) is
    reminded to register the title by lease end + the rule set's registration period."""
    from tests.assessments.conftest import make_passed

    contract, holder, staff = (
        worked_example["contract"],
        worked_example["holder"],
        worked_example["district_user"],
    )
    make_passed(contract, holder, staff)
    services.transfer_apply(actor=holder, contract=contract, today=D(2029, 5, 25))
    services.transfer_contract_sign(
        actor=staff,
        contract=contract,
        contract_number="C",
        signed_on=D(2029, 6, 1),
        today=D(2029, 6, 1),
    )
    contract.refresh_from_db()
    sent = services.reminder_sweep(today=D(2029, 6, 2))
    assert [(r["kind"], r["due_date"]) for r in sent] == [("land_price", "2029-08-31")]
    services.land_price_pay(
        actor=staff,
        contract=contract,
        amount=contract.transfer_price,
        paid_on=D(2029, 6, 10),
        receipt="R",
        today=D(2029, 6, 10),
    )
    sent = services.reminder_sweep(today=D(2029, 9, 24))
    assert [(r["kind"], r["due_date"], r["lead_days"]) for r in sent] == [
        ("title_registration", "2029-10-01", 7)
    ]
    assert services.reminder_sweep(today=D(2029, 9, 24)) == []
    assert Notification.objects.filter(recipient=staff, title__contains="不动产登记").exists()
    assert Notification.objects.filter(recipient=holder, title__contains="不动产登记").exists()
