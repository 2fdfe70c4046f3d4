"""Decisions with safeguards: the assessment decision starts empty, shows the proposal and each
indicator's result, needs a reason when it departs from the proposal, and is made only after
its consequence is named and confirmed (R17–R20); the same for terminating a contract (R22).
An overdue holder sees no form and one message saying what happens next (R18–R21)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from assessments import services
from assessments.models import Contract

S = Contract.State
DAY = datetime.date
ON = datetime.datetime(2029, 1, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def applied(worked_example):
    contract = worked_example["contract"]
    services.assessment_apply(
        actor=worked_example["holder"], contract=contract, today=DAY(2029, 1, 10)
    )
    return worked_example


def decide(client, contract, **fields):
    data = {f"assessment_decide-{k}": v for k, v in fields.items()}
    return client.post(reverse("assessments:action", args=[contract.pk, "assessment_decide"]), data)


def test_the_decision_starts_empty_and_shows_each_indicators_result(client, applied):
    contract = applied["contract"]
    with time_machine.travel(ON, tick=False):
        client.force_login(applied["district_user"])
        page = client.get(contract.get_absolute_url()).content.decode()
    form = page[page.index('id="form-assessment_decide"') :]
    assert '<option value="" selected>— 请选择 —</option>' in form
    assert 'id="proposal"' in form
    for indicator in contract.indicators.all():
        assert indicator.name in form[: form.index("</form>")]


def test_no_choice_is_refused_naming_the_field(client, applied):
    contract = applied["contract"]
    with time_machine.travel(ON, tick=False):
        client.force_login(applied["district_user"])
        response = decide(client, contract, passed="", notice_number="N-1")
    assert response.status_code == 400
    assert "请选择考核结论" in response.content.decode()
    assert Contract.objects.get(pk=contract.pk).state == S.ASSESSMENT_APPLIED


@pytest.mark.parametrize(
    ("passed", "remarks", "needs_reason"),
    [("1", "", True), ("1", "现场核查，已整改", False), ("0", "", False)],
)
def test_a_decision_departing_from_the_proposal_needs_a_reason(
    client, applied, passed, remarks, needs_reason
):
    """Nothing reported: the proposal is 不通过. Passing needs a reason; failing does not."""
    contract = applied["contract"]
    with time_machine.travel(ON, tick=False):
        client.force_login(applied["district_user"])
        response = decide(client, contract, passed=passed, notice_number="N-1", remarks=remarks)
    page = response.content.decode()
    assert ("考核意见：结论（通过）与系统建议（不通过）不一致，须填写理由" in page) is needs_reason
    assert response.status_code == (400 if needs_reason else 200)
    assert ('id="confirm-assessment_decide"' in page) is not needs_reason
    assert Contract.objects.get(pk=contract.pk).state == S.ASSESSMENT_APPLIED


def test_pass_names_the_transfer_window_and_fail_the_exit(client, applied):
    contract = applied["contract"]
    with time_machine.travel(ON, tick=False):
        client.force_login(applied["district_user"])
        passing = decide(client, contract, passed="1", notice_number="N-1", remarks="核查通过")
        failing = decide(client, contract, passed="0", notice_number="N-1")
    assert "15 日内（2029-01-25 前）申请签订出让合同" in passing.content.decode()
    lease_end = contract.lease_end.isoformat()
    assert f"须在租赁合同到期（{lease_end}）前退出" in failing.content.decode()


def test_a_confirmation_for_one_outcome_does_not_decide_the_other(client, applied):
    contract = applied["contract"]
    with time_machine.travel(ON, tick=False):
        client.force_login(applied["district_user"])
        response = decide(
            client, contract, passed="1", notice_number="N-1", remarks="核查", confirmed="fail"
        )
        assert response.status_code == 200
        assert Contract.objects.get(pk=contract.pk).state == S.ASSESSMENT_APPLIED
        response = decide(
            client, contract, passed="1", notice_number="N-1", remarks="核查", confirmed="pass"
        )
    assert response.status_code == 302
    assert Contract.objects.get(pk=contract.pk).state == S.PASSED


def violation(client, contract, **extra):
    data = {
        "violation-kind": "unpaid_rent",
        "violation-found_on": "2025-03-01",
        "violation-description": "欠缴租金",
        "violation-disposal": "解除合同",
        **extra,
    }
    return client.post(reverse("assessments:action", args=[contract.pk, "violation"]), data)


def test_terminating_a_contract_is_confirmed_first_and_a_minor_case_is_not(client, worked_example):
    contract = worked_example["contract"]
    with time_machine.travel(datetime.datetime(2025, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        client.force_login(worked_example["district_user"])
        asked = violation(client, contract, **{"violation-serious": "on"})
        assert asked.status_code == 200 and "将解除" in asked.content.decode()
        assert not contract.violations.exists()
        minor = violation(client, contract)
        assert minor.status_code == 302 and contract.violations.count() == 1
        done = violation(
            client,
            contract,
            **{"violation-serious": "on", "violation-confirmed": "terminate"},
        )
    assert done.status_code == 302
    assert Contract.objects.get(pk=contract.pk).state == S.TERMINATED


@pytest.mark.parametrize(("day", "overdue"), [(DAY(2029, 2, 28), False), (DAY(2029, 3, 1), True)])
def test_an_overdue_holder_sees_one_message_and_no_form(client, worked_example, day, overdue):
    contract = worked_example["contract"]
    assert contract.assessment_application_due == DAY(2029, 2, 28)
    at = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
    with time_machine.travel(at, tick=False):
        client.force_login(worked_example["holder"])
        page = client.get(contract.get_absolute_url()).content.decode()
    assert ('id="overdue-notice"' in page) is overdue
    assert ('id="form-assessment_apply"' in page) is not overdue
    if overdue:
        assert page.count("区政府将收回土地使用权") == 1
