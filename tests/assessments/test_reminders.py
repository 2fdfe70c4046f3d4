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

from assessments import selectors, services
from assessments.models import Contract, ReminderDelivery
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


def test_sweep_statements_do_not_grow_with_contracts_or_reminders(
    db, django_assert_max_num_queries
):
    """Finding, reading the audience, claiming and marking a batch and moving the schedules on
    take the same statements for 6 reminders as for 46 (one batch): marks are written per batch,
    not per reminder."""
    _contracts(3)
    with django_assert_max_num_queries(40) as small:
        assert len(services.reminder_sweep(today=D(2029, 2, 1))) == 6
    ReminderDelivery.objects.all().delete()
    services.reminder_schedule_reset()  # as if never reminded
    _contracts(20)
    with django_assert_max_num_queries(40) as large:
        assert len(services.reminder_sweep(today=D(2029, 2, 1))) == 46
    assert len(_statements(small.captured_queries)) == len(_statements(large.captured_queries))
    assert len(_statements(large.captured_queries)) <= 12


def test_a_day_with_nothing_due_reads_no_contract(db):
    """After a sweep, each contract is read again only on the day its next lead time opens: the
    days between read nothing (the sweep costs what it sends, not the contracts there are)."""
    _contracts(5)  # application due 2029-02-28 … 2029-03-05 (leads 90/30/7)
    assert len(services.reminder_sweep(today=D(2029, 2, 1))) == 10  # 30-day reminders
    due, looks = selectors.reminder_day(today=D(2029, 2, 2))
    assert due == [] and looks == []
    # Day by day until every deadline is overdue: a contract is read only on a day it is sent
    # a reminder (a shorter lead's window opens, or the day after its due date).
    reads, sent = 0, []
    day = D(2029, 2, 2)
    while day <= D(2029, 3, 31):
        read = {look.contract_id for look in selectors.reminder_day(today=day)[1]}
        today = services.reminder_sweep(today=day)
        assert read == {s["contract_id"] for s in today}, day
        reads += len(read)
        sent += today
        day += datetime.timedelta(days=1)
    assert reads * 2 == len(sent)  # each read: its application and renewal reminders
    assert {s["lead_days"] for s in sent} == {0, 7, 30}
    assert not Contract.objects.exclude(reminder_next_on=None).exists()


def test_a_missed_day_is_caught_up_with_the_lead_that_applies(db):
    """A sweep that did not run for weeks sends, for each deadline, the lead time that applies
    today (not the longer ones it missed), once."""
    _contracts(2)
    sent = services.reminder_sweep(today=D(2029, 2, 25))
    assert {s["lead_days"] for s in sent} == {7} and len(sent) == 4
    assert services.reminder_sweep(today=D(2029, 2, 26)) == []
    # overdue: the day after the due date, once; not later than the 30-day look-back
    assert len(services.reminder_sweep(today=D(2029, 3, 1))) == 2
    assert len(services.reminder_sweep(today=D(2029, 3, 2))) == 2  # the second contract's
    assert services.reminder_sweep(today=D(2029, 3, 3)) == []
    assert not selectors.reminder_day(today=D(2030, 1, 1))[1]  # nothing left to read


def test_overdue_beyond_the_look_back_is_not_reminded(db):
    _contracts(1)  # application due 2029-02-28
    assert services.reminder_sweep(today=D(2029, 3, 31)) == []  # 31 days after: too late
    assert services.reminder_sweep(today=D(2029, 3, 30)) == []  # and the contract is done
    services.reminder_schedule_reset()
    assert len(services.reminder_sweep(today=D(2029, 3, 30))) == 2  # 30 days after: sent


def test_a_contract_saved_during_the_sweep_keeps_its_new_schedule(db):
    """The sweep moves a contract's schedule on only if the contract was not saved since it was
    read (compare-and-set): a state change between the read and the update is not lost."""
    _contracts(1)
    contract = Contract.objects.get()
    real = selectors.reminder_day

    def read_then_save(*, today):
        result = real(today=today)
        contract.refresh_from_db()
        contract.save()  # e.g. a clerk records something meanwhile
        return result

    with mock.patch.object(selectors, "reminder_day", read_then_save):
        assert len(services.reminder_sweep(today=D(2029, 2, 1))) == 2
    contract.refresh_from_db()
    assert contract.reminder_next_on == D(2028, 11, 30)  # restarted by the save, not moved on
    assert services.reminder_sweep(today=D(2029, 2, 2)) == []  # read again, nothing resent
    contract.refresh_from_db()
    assert contract.reminder_next_on == D(2029, 2, 21)


def test_lead_times_changed_restart_the_schedule(db):
    _contracts(1)  # application due 2029-02-28
    assert len(services.reminder_sweep(today=D(2029, 2, 1))) == 2
    contract = Contract.objects.get()
    contract.refresh_from_db()
    assert contract.reminder_next_on == D(2029, 2, 21)
    rule_set = contract.rule_set
    rule_set.reminder_lead_days = "30,14,7"
    rule_set.save()
    contract.refresh_from_db()
    assert contract.reminder_next_on == D(2029, 1, 29)
    assert services.reminder_sweep(today=D(2029, 2, 14)) != []  # the new 14-day reminder


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


def test_the_batch_in_flight_when_the_sweep_is_killed_is_the_only_one_sent_twice(db):
    """The window left when the worker dies outright (SIGKILL) after its e-mails left but
    before their batch was marked: that batch is sent again — flagged resumed, with the same
    Message-IDs — and nothing else is; in-app notifications stay exactly once."""
    _contracts(4)
    today = D(2029, 2, 1)

    def mark(sent, **kwargs):
        raise Killed  # the batch's e-mails left, the marks never reach the database

    with (
        time_machine.travel(T0, tick=False),
        mock.patch.object(services, "REMINDER_BATCH", 3),
        mock.patch.object(services, "_reminder_mark_sent", mark),
        pytest.raises(Killed),
    ):
        services.reminder_sweep(today=today)
    in_flight = list(mail.outbox)
    assert len(in_flight) == 3  # the first batch
    with time_machine.travel(T0 + services.STALE_CLAIM + datetime.timedelta(minutes=1), tick=False):
        resent = services.reminder_sweep(today=today)
    assert len(resent) == 8  # the 3 of the batch in flight again, and the 5 never sent
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 11 and len(set(subjects)) == 8
    for message in in_flight:
        again = [m for m in mail.outbox[3:] if m.subject == message.subject]
        assert len(again) == 1
        assert again[0].extra_headers["Message-ID"] == message.extra_headers["Message-ID"]
    assert sum(r["resumed"] for r in resent) == 3  # the later batches were never claimed
    notices = list(Notification.objects.values_list("recipient_id", "title"))
    assert len(notices) == len(set(notices))  # in-app notifications: exactly once each
    assert services.reminder_sweep(today=today) == []


def test_batches_are_bounded_and_all_marked(db):
    _contracts(4)
    with mock.patch.object(services, "REMINDER_BATCH", 3):
        sent = services.reminder_sweep(today=D(2029, 2, 1))
    assert len(sent) == 8 == ReminderDelivery.objects.filter(sent_at__isnull=False).count()
    assert len(mail.outbox) == 8


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


def test_the_overdue_reminder_does_not_ask_to_act_in_the_system(worked_example):
    """Before the day a reminder says to log in and act; after it the pages offer no form, so
    the overdue reminder says the district acts under the rule instead (issue 10), in the
    reader's language and in the e-mail alike."""
    from django.utils import translation

    holder = worked_example["holder"]
    services.reminder_sweep(today=D(2029, 2, 21))  # 7 days ahead
    ahead = Notification.objects.filter(recipient=holder).latest("pk")
    assert "请登录系统办理" in ahead.display_body and "期限已过" not in ahead.display_body
    assert "请登录系统办理" in mail.outbox[-1].body
    services.reminder_sweep(today=D(2029, 3, 1))  # the day after: overdue
    overdue = Notification.objects.filter(recipient=holder).latest("pk")
    assert "期限已过" in overdue.display_body and "请登录系统办理" not in overdue.display_body
    assert "期限已过" in mail.outbox[-1].body and "请登录" not in mail.outbox[-1].body
    with translation.override("en"):
        assert "deadline has passed" in overdue.display_body


@pytest.mark.parametrize("chunk", [2, 3, 4, 5])
def test_due_contracts_are_read_once_each_across_read_chunks(db, monkeypatch, chunk):
    """The sweep reads due contracts in chunks in the index's order (reminder_next_on, id):
    contracts sharing a day on both sides of a chunk boundary are each read exactly once,
    whether the last chunk is full or not (4 contracts: chunks of 2, 3, 4 and 5)."""
    _contracts(4)
    Contract.objects.update(reminder_next_on=D(2029, 1, 1))  # one day for all: ties only
    monkeypatch.setattr(selectors, "REMINDER_READ_CHUNK", chunk)

    due, looks = selectors.reminder_day(today=D(2029, 2, 1))

    read = [look.contract_id for look in looks]
    assert sorted(read) == sorted(Contract.objects.values_list("pk", flat=True))
    assert len(due) == 8  # each contract's application and renewal reminders, once
    assert selectors.reminder_day(today=D(2028, 12, 31)) == ([], [])  # the day before: none


def test_a_reminder_names_the_document_of_its_contracts_rule_set(worked_example):
    """The reminder cites the contract's own rule set (data of its jurisdiction, R25), not one
    city's guidance for every contract; a row stored before the source was a parameter still
    renders, with the one rule set there was then."""
    from django.utils import translation

    contract = worked_example["contract"]
    contract.rule_set.__class__.objects.filter(pk=contract.rule_set_id).update(
        name="某市工业用地先租后让实施办法"
    )
    services.reminder_sweep(today=D(2029, 2, 21))

    note = Notification.objects.filter(recipient=worked_example["holder"]).latest("pk")
    assert "（某市工业用地先租后让实施办法）" in note.display_body
    assert "北京市工业用地先租后让指导意见" not in note.display_body
    assert "（某市工业用地先租后让实施办法）" in mail.outbox[-1].body
    with translation.override("en"):
        assert "(某市工业用地先租后让实施办法)" in note.display_body
    del note.params["source"]  # as stored before
    assert "北京市工业用地先租后让指导意见（试行）" in note.display_body
