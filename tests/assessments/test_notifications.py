"""Workflow notifications of contracts (issue 10): each application tells the parcel's district
staff, each decision the holder; nobody else. Lease reminders render in the reader's language
and honour the e-mail preference."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from assessments import services
from landsupply.models import Notification, User
from tests.assessments.conftest import make_passed, report_all
from tests.factories import (
    CityUserFactory,
    ContractFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
)

D = datetime.date


@pytest.fixture
def cast(worked_example):
    """The worked example plus people who must NOT be told: another district's staff, another
    enterprise, the jurisdiction's city staff."""
    contract = worked_example["contract"]
    return {
        **worked_example,
        "other_district": DistrictUserFactory(
            district__jurisdiction=contract.parcel.district.jurisdiction
        ),
        "other_enterprise": EnterpriseUserFactory(),
        "city": CityUserFactory(jurisdiction=contract.parcel.district.jurisdiction),
    }


def told(message):
    return set(Notification.objects.filter(message_id=message).values_list("recipient", flat=True))


def test_assessment_apply_tells_the_district_and_the_decision_the_holder(
    cast, django_capture_on_commit_callbacks
):
    contract, holder, staff = cast["contract"], cast["holder"], cast["district_user"]
    report_all(contract, holder, year=2028)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_apply(actor=holder, contract=contract, today=D(2029, 1, 10))
    assert told("assessment_applied") == {staff.pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_decide(
            actor=staff, contract=contract, passed=True, notice_number="N-1", today=D(2029, 5, 20)
        )
    assert told("assessment_decided") == {holder.pk}
    note = Notification.objects.get(message_id="assessment_decided")
    with translation.override("en"):
        assert note.display_title.endswith("assessment: Pass")
    with translation.override("zh-hans"):
        assert note.display_title.endswith("考核结论：通过")


def test_transfer_application_and_signing(cast, django_capture_on_commit_callbacks):
    contract, holder, staff = cast["contract"], cast["holder"], cast["district_user"]
    make_passed(contract, holder, staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_apply(actor=holder, contract=contract, today=D(2029, 5, 25))
    assert told("transfer_applied") == {staff.pk}
    contract.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_contract_sign(
            actor=staff,
            contract=contract,
            contract_number="CR-1",
            signed_on=D(2029, 6, 1),
            today=D(2029, 6, 1),
        )
    assert told("transfer_signed") == {holder.pk}


def test_renewal_application_and_decision(cast, django_capture_on_commit_callbacks):
    contract, holder, staff = cast["contract"], cast["holder"], cast["district_user"]
    with django_capture_on_commit_callbacks(execute=True):
        services.renewal_apply(
            actor=holder, contract=contract, years=2, reason="产线调试", today=D(2028, 12, 1)
        )
    assert told("renewal_applied") == {staff.pk}
    contract.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.renewal_decide(
            actor=staff, contract=contract, approved=False, reason="不符合条件", today=D(2029, 1, 5)
        )
    assert told("renewal_decided") == {holder.pk}


def test_exit_application_and_settlement(cast, django_capture_on_commit_callbacks):
    contract, holder, staff = cast["contract"], cast["holder"], cast["district_user"]
    with django_capture_on_commit_callbacks(execute=True):
        services.exit_apply(
            actor=holder,
            contract=contract,
            exit_date=D(2027, 1, 1),
            reason="经营调整",
            today=D(2026, 10, 1),
        )
    assert told("exit_applied") == {staff.pk}
    contract.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.exit_complete(actor=staff, contract=contract, today=D(2027, 1, 1))
    assert told("exit_completed") == {holder.pk}
    assert (
        Notification.objects.filter(
            recipient__in=[cast["other_district"], cast["other_enterprise"], cast["city"]]
        ).count()
        == 0
    )


def test_immediate_email_only_for_each_preference(
    cast, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from landsupply.celery import app

    app.conf.task_always_eager = True
    try:
        contract, holder, staff = cast["contract"], cast["holder"], cast["district_user"]
        second = DistrictUserFactory(district=staff.district, email_preference="digest")
        third = DistrictUserFactory(district=staff.district, email_preference="none")
        report_all(contract, holder, year=2028)
        with django_capture_on_commit_callbacks(execute=True):
            services.assessment_apply(actor=holder, contract=contract, today=D(2029, 1, 10))
    finally:
        app.conf.task_always_eager = False
    assert told("assessment_applied") == {staff.pk, second.pk, third.pk}  # in-app: everyone
    assert [m.to for m in mail.outbox] == [[staff.email]]  # e-mail: only "each"
    assert Notification.objects.get(recipient=staff).emailed_at is not None
    assert Notification.objects.get(recipient=second).emailed_at is None  # waits for the digest


def test_lease_reminder_is_stored_as_a_message_and_read_in_english(worked_example):
    holder = worked_example["holder"]
    User.objects.filter(pk=holder.pk).update(email_preference="none")
    services.reminder_sweep(today=D(2028, 11, 30))  # 90 days before 2029-02-28
    note = Notification.objects.get(
        recipient=holder, message_id="lease_reminder", params__rule="R18"
    )
    with translation.override("zh-hans"):
        assert "考核申请截止：2029-02-28（提前 90 天提醒）" in note.display_title
    with translation.override("en"):
        title = note.display_title
        assert "2029-02-28" in title and "90 days ahead" in title and "考核" not in title
    # "none": the holder's address got nothing; the enterprise's contact e-mail still did.
    assert all(holder.email not in m.to for m in mail.outbox)
    assert any(worked_example["contract"].enterprise.contact_email in m.to for m in mail.outbox)


def test_other_enterprise_contract_is_not_told(db, django_capture_on_commit_callbacks):
    """Two contracts in the same district with different holders: applying on one tells the
    district, never the other holder."""
    first = ContractFactory()
    second = ContractFactory(parcel__district=first.parcel.district)
    a = EnterpriseUserFactory(enterprise=first.enterprise)
    b = EnterpriseUserFactory(enterprise=second.enterprise)
    staff = DistrictUserFactory(district=first.parcel.district)
    from tests.assessments.conftest import make_leasing

    make_leasing(first)
    first.refresh_from_db()
    report_all(first, a, year=2028)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_apply(actor=a, contract=first, today=D(2029, 1, 10))
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_decide(
            actor=staff,
            contract=first,
            passed=False,
            notice_number="N-2",
            remarks="未达标",
            today=D(2029, 5, 20),
        )
    assert told("assessment_decided") == {a.pk}
    assert not Notification.objects.filter(recipient=b).exists()
