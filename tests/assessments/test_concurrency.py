"""Two transitions of one contract at the same moment (PostgreSQL, two threads with their own
connections). Every transition locks the contract row first (landsupply.locking): one wins, the
other waits, sees the new state and is refused with a message saying the contract was just
handled — never a deadlock, a 500 or two transitions from one state."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Contract, ExitRecord, Renewal
from tests.assessments.conftest import make_leasing
from tests.concurrency import ROUNDS, kinds, needs_postgres, race, refusals
from tests.factories import (
    ContractFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
    LeaseThenTransferParcelFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = Contract.State
DAY = datetime.date
LOSER = "可能刚被其他人办理"


def leasing_contract():
    contract = make_leasing(ContractFactory())
    return {
        "contract": contract,
        "holder": EnterpriseUserFactory(enterprise=contract.enterprise),
        "district": DistrictUserFactory(district=contract.parcel.district),
        "colleague": DistrictUserFactory(district=contract.parcel.district),
    }


def transitions(contract) -> int:
    return contract.events.exclude(action="award").exclude(action="lease").count()


def test_two_district_staff_decide_one_assessment_at_once():
    needs_postgres()
    for _round in range(ROUNDS):
        case = leasing_contract()
        services.assessment_apply(
            actor=case["holder"], contract=case["contract"], today=DAY(2029, 1, 10)
        )
        _decide_twice(case)


def _decide_twice(case):
    contract = case["contract"]

    def decide(actor, passed):
        return services.assessment_decide(
            actor=actor,
            contract=contract,
            passed=passed,
            notice_number=f"通知-{actor.pk}",
            remarks="现场核查",
            today=DAY(2029, 1, 20),
        )

    outcomes = race(
        lambda: decide(case["district"], True), lambda: decide(case["colleague"], False)
    )
    assert kinds(outcomes) == ["ok", "refused"]
    assert LOSER in refusals(outcomes)[0]
    passed = outcomes[0][0] == "ok"
    contract.refresh_from_db()
    assert contract.state == (S.PASSED if passed else S.FAILED)
    assert Assessment.objects.get(contract=contract).passed is passed
    assert contract.events.filter(action="assessment_decide").count() == 1


def test_exit_and_renewal_applied_for_at_once():
    """Two users of the holder: one applies to exit, the other for a renewal, from the same
    leasing state. One of them is the contract's next state, the other leaves no record."""
    needs_postgres()
    for _round in range(ROUNDS):
        _exit_and_renewal(leasing_contract())


def _exit_and_renewal(case):
    contract = case["contract"]
    colleague = EnterpriseUserFactory(enterprise=contract.enterprise)
    outcomes = race(
        lambda: services.exit_apply(
            actor=case["holder"],
            contract=contract,
            exit_date=DAY(2026, 6, 30),
            reason="经营调整",
            today=DAY(2025, 1, 1),
        ),
        lambda: services.renewal_apply(
            actor=colleague, contract=contract, years=1, reason="设备调试", today=DAY(2025, 1, 1)
        ),
    )
    assert kinds(outcomes) == ["ok", "refused"]
    assert LOSER in refusals(outcomes)[0]
    exited = outcomes[0][0] == "ok"
    contract.refresh_from_db()
    assert contract.state == (S.EXIT_APPLIED if exited else S.RENEWAL_APPLIED)
    assert ExitRecord.objects.filter(contract=contract).exists() is exited
    assert Renewal.objects.filter(contract=contract).exists() is not exited
    assert transitions(contract) == 1


def test_serious_violation_while_the_holder_applies_for_assessment():
    """The district ends the lease for a serious violation while the holder applies for
    assessment: if the termination is first, the application is refused; if the application
    is first, the termination follows it (an applied lease can still be terminated)."""
    needs_postgres()
    for _round in range(ROUNDS):
        _violation_and_application(leasing_contract())


def _violation_and_application(case):
    contract = case["contract"]
    terminated, applied = race(
        lambda: services.violation_record(
            actor=case["district"],
            contract=contract,
            kind="unpaid_rent",
            found_on=DAY(2029, 1, 10),
            description="欠缴租金",
            disposal="解除合同",
            serious=True,
        ),
        lambda: services.assessment_apply(
            actor=case["holder"], contract=contract, today=DAY(2029, 1, 10)
        ),
    )
    assert terminated[0] == "ok"
    contract.refresh_from_db()
    assert contract.state == S.TERMINATED
    actions = contract.events.filter(action__in=["assessment_apply", "violation"])
    if applied[0] == "ok":
        assert list(actions.order_by("pk").values_list("action", flat=True)) == [
            "assessment_apply",
            "violation",
        ]
    else:
        assert LOSER in applied[1]
        assert not Assessment.objects.filter(contract=contract).exists()


def test_the_loser_of_a_race_through_the_page_sees_a_form_error():
    """The view path: two district users click 'decide' at once; both get a page (no 500),
    the loser's with the form error saying the contract was just handled."""
    needs_postgres()
    case = leasing_contract()
    contract = case["contract"]
    services.assessment_apply(actor=case["holder"], contract=contract, today=DAY(2029, 1, 10))
    clients = []
    for user in (case["district"], case["colleague"]):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = reverse("assessments:action", args=[contract.pk, "assessment_decide"])

    def click(client, passed):
        response = client.post(
            url,
            {
                "assessment_decide-passed": passed,
                "assessment_decide-notice_number": "通知-1",
                "assessment_decide-remarks": "现场核查",
                "assessment_decide-confirmed": "pass" if passed == "1" else "fail",
            },
        )
        return response.status_code, response.content.decode()

    outcomes = race(lambda: click(clients[0], "1"), lambda: click(clients[1], "0"))
    statuses = sorted(status for _kind, (status, _page) in outcomes)
    assert statuses == [302, 400]  # the winner is redirected; the loser's form comes back
    loser_page = next(page for _kind, (status, page) in outcomes if status == 400)
    # the decision form is gone (the contract moved on): the message says why nothing was done
    assert "未办理：" in loser_page and LOSER in loser_page
    assert Contract.objects.get(pk=contract.pk).state in (S.PASSED, S.FAILED)
    assert contract.events.filter(action="assessment_decide").count() == 1


def test_a_transition_in_progress_blocks_nothing_but_its_contract():
    """A transition locks its contract's row only, not the rule set, parcel, district or
    enterprise it reads along: while one holds its lock, an award in the same district (a new
    contract under the same rule set and enterprise) goes through at once."""
    needs_postgres()
    case = leasing_contract()
    contract = case["contract"]
    parcel = LeaseThenTransferParcelFactory(district=contract.parcel.district)
    locked, release = threading.Event(), threading.Event()

    def hold_the_contract():
        with transaction.atomic():
            services._lock(contract)  # what every transition takes first
            locked.set()
            release.wait(30)

    def award():
        locked.wait(30)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
            return services.contract_award(
                actor=case["district"],
                parcel=parcel,
                enterprise=contract.enterprise,
                base_price=Decimal("30000000"),
                lease_years=5,
                transfer_years=15,
                lease_start=DAY(2024, 9, 1),
                award_method="listing",
                award_reference="成交确认书-并发",
                number="XZ-RACE-1",
            )
        finally:
            release.set()

    held, awarded = race(hold_the_contract, award)
    assert awarded[0] == "ok"
    assert Contract.objects.filter(number="XZ-RACE-1").exists()
