"""Roles are roles (issue 8) on contracts: only the holder acts for the holder, only the
parcel's district staff act for the district. City staff, the platform administrator (the only
superuser), other districts and other enterprises are refused: 403 for the wrong role, 404 for
another party's contract. The former superuser paths of the demo `city` user are tried one by
one."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments import services
from assessments.models import Contract, IndicatorReport
from tests.factories import (
    CityUserFactory,
    DistrictFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
    PlatformAdminFactory,
)

pytestmark = pytest.mark.django_db

S = Contract.State


ENTERPRISE_ACTIONS = {
    "report": lambda c: {
        "report-indicator": c.indicators.first().pk,
        "report-year": 2025,
        "report-actual": "9000",
    },
    "assessment_apply": lambda c: {},
    "transfer_apply": lambda c: {},
    "renewal_apply": lambda c: {"renewal_apply-years": 1, "renewal_apply-reason": "设备调试"},
    "exit_apply": lambda c: {"exit_apply-exit_date": "2026-06-30", "exit_apply-reason": "经营调整"},
}
DISTRICT_ACTIONS = {
    "indicator": lambda c: {
        "indicator-name": "税收",
        "indicator-unit": "万元",
        "indicator-direction": "at_least",
        "indicator-target": "100",
    },
    "violation": lambda c: {
        "violation-kind": "unpaid_rent",
        "violation-found_on": "2025-03-01",
        "violation-description": "欠缴租金",
        "violation-disposal": "限期缴纳",
        "violation-serious": "on",
    },
}


def _unchanged(contract):
    fresh = Contract.objects.get(pk=contract.pk)
    return (
        fresh.state == contract.state
        and fresh.events.count() == contract.events.count()
        and not IndicatorReport.objects.filter(indicator__contract=contract).exists()
        and not fresh.violations.exists()
    )


@pytest.mark.parametrize("action", [*ENTERPRISE_ACTIONS, *DISTRICT_ACTIONS])
def test_city_staff_take_no_contract_action(client, worked_example, action):
    """The former superuser paths: the `city` user filed reports and applied for transfer,
    renewal and exit on enterprises' contracts. City staff of the contract's own jurisdiction
    now get 403 for every action of either side, and nothing changes."""
    contract = worked_example["contract"]
    client.force_login(CityUserFactory(jurisdiction=contract.parcel.district.jurisdiction))
    data = {**ENTERPRISE_ACTIONS, **DISTRICT_ACTIONS}[action](contract)
    response = client.post(reverse("assessments:action", args=[contract.pk, action]), data)
    assert response.status_code == 403
    assert _unchanged(contract)


def test_city_staff_do_not_see_action_forms_and_cannot_record_an_award(client, worked_example):
    contract = worked_example["contract"]
    client.force_login(CityUserFactory(jurisdiction=contract.parcel.district.jurisdiction))
    page = client.get(reverse("assessments:contract_detail", args=[contract.pk]))
    assert page.status_code == 200
    assert not page.context["forms"]
    assert client.get(reverse("assessments:contract_create")).status_code == 403


@pytest.mark.parametrize(
    ("who", "action"),
    [("district_user", a) for a in ENTERPRISE_ACTIONS] + [("holder", a) for a in DISTRICT_ACTIONS],
)
def test_one_side_cannot_act_for_the_other(client, worked_example, who, action):
    """The district's staff cannot act for the holder, nor the holder for the district."""
    contract = worked_example["contract"]
    client.force_login(worked_example[who])
    data = {**ENTERPRISE_ACTIONS, **DISTRICT_ACTIONS}[action](contract)
    response = client.post(reverse("assessments:action", args=[contract.pk, action]), data)
    assert response.status_code == 403
    assert _unchanged(contract)


@pytest.mark.parametrize("action", [*ENTERPRISE_ACTIONS, *DISTRICT_ACTIONS])
def test_platform_administrator_cannot_reach_a_contract(client, worked_example, action):
    contract = worked_example["contract"]
    client.force_login(PlatformAdminFactory())
    data = {**ENTERPRISE_ACTIONS, **DISTRICT_ACTIONS}[action](contract)
    response = client.post(reverse("assessments:action", args=[contract.pk, action]), data)
    assert response.status_code in (403, 404)
    assert client.get(reverse("assessments:contract_detail", args=[contract.pk])).status_code == 404
    assert _unchanged(contract)


def _wrong_actors(contract):
    """Everyone who must not act on `contract`, by name."""
    jurisdiction = contract.parcel.district.jurisdiction
    return {
        "city staff of the jurisdiction": CityUserFactory(jurisdiction=jurisdiction),
        "platform administrator": PlatformAdminFactory(),
        "another district": DistrictUserFactory(
            district=DistrictFactory(jurisdiction=jurisdiction)
        ),
        "another enterprise": EnterpriseUserFactory(),
    }


def test_services_refuse_anyone_but_the_holder_for_the_holder(worked_example):
    contract = worked_example["contract"]
    actors = {**_wrong_actors(contract), "district staff": worked_example["district_user"]}
    indicator = contract.indicators.first()
    calls = {
        "report": lambda a: services.indicator_report_submit(
            actor=a, indicator=indicator, year=2025, actual=Decimal("1")
        ),
        "assessment_apply": lambda a: services.assessment_apply(
            actor=a, contract=contract, today=datetime.date(2025, 1, 1)
        ),
        "renewal_apply": lambda a: services.renewal_apply(
            actor=a, contract=contract, years=1, reason="r", today=datetime.date(2025, 1, 1)
        ),
        "exit_apply": lambda a: services.exit_apply(
            actor=a,
            contract=contract,
            exit_date=datetime.date(2026, 6, 30),
            reason="r",
            today=datetime.date(2025, 1, 1),
        ),
    }
    for who, actor in actors.items():
        for name, call in calls.items():
            with pytest.raises(PermissionDenied):
                call(actor)
                pytest.fail(f"{who} could {name}")
    assert _unchanged(contract)
    # the holder itself may (the same call passes the check)
    services.exit_apply(
        actor=worked_example["holder"],
        contract=contract,
        exit_date=datetime.date(2026, 6, 30),
        reason="经营调整",
        today=datetime.date(2025, 1, 1),
    )
    assert Contract.objects.get(pk=contract.pk).state == S.EXIT_APPLIED


def test_services_refuse_anyone_but_the_district_staff_for_the_district(worked_example):
    contract = worked_example["contract"]
    actors = {**_wrong_actors(contract), "the holder": worked_example["holder"]}
    for who, actor in actors.items():
        with pytest.raises(PermissionDenied):
            services.violation_record(
                actor=actor,
                contract=contract,
                kind="unpaid_rent",
                found_on=datetime.date(2025, 3, 1),
                description="欠缴租金",
                disposal="限期缴纳",
                serious=True,
            )
            pytest.fail(f"{who} could record a violation")
    assert _unchanged(contract)
    services.violation_record(
        actor=worked_example["district_user"],
        contract=contract,
        kind="unpaid_rent",
        found_on=datetime.date(2025, 3, 1),
        description="欠缴租金",
        disposal="限期缴纳",
    )
    assert contract.violations.count() == 1
