"""Milestones per district and their persisted flags (R6); year-end ranking with R8 outcome."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from landsupply.models import District
from parcels.models import LandUseCategory
from plans import selectors, services
from plans.models import AdjustmentRequest, MilestoneFlag
from plans.tasks import milestone_check_task
from tests.factories import ParcelFactory, SuppliedParcelFactory

CST = ZoneInfo("Asia/Shanghai")


def _supply(district, area, on, planned=False):
    factory = ParcelFactory if planned else SuppliedParcelFactory
    extra = {} if planned else {"supplied_on": on}
    return factory(
        district=District.objects.get(code=district),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=Decimal(area),
        **extra,
    )


@pytest.fixture
def zz_supply(plans_2024):
    """jinshui: 100 ha planned, 40 supplied by 30 June, 40 more in August.
    erqi: 10 ha planned, all supplied in May."""
    _supply("jinshui", "40", datetime.date(2024, 6, 20))
    _supply("jinshui", "40", datetime.date(2024, 8, 10))
    _supply("jinshui", "20", None, planned=True)
    _supply("erqi", "10", datetime.date(2024, 5, 5))
    return plans_2024["zhengzhou"]


def _cells(matrix, code):
    return next(d for d in matrix["districts"] if d["code"] == code)["cells"]


def test_per_district_completion_against_each_milestone(zz_supply):
    matrix = selectors.milestone_matrix(plan=zz_supply, as_of=datetime.date(2024, 10, 1))
    jinshui = _cells(matrix, "jinshui")
    assert [(c["reached_pct"], c["status"]) for c in jinshui] == [
        (Decimal("40.00"), "missed"),
        (Decimal("80.00"), "met"),
        (Decimal("80.00"), "upcoming"),
    ]
    erqi = _cells(matrix, "erqi")
    assert [c["status"] for c in erqi] == ["met", "met", "upcoming"]


def test_missed_milestone_is_flagged_the_day_after_and_stays_flagged(zz_supply):
    with time_machine.travel(datetime.datetime(2024, 6, 30, 23, tzinfo=CST), tick=False):
        assert milestone_check_task() == 0  # the day is not over yet
    with time_machine.travel(datetime.datetime(2024, 7, 1, 0, 30, tzinfo=CST), tick=False):
        assert milestone_check_task() == 2  # the whole plan and jinshui
        assert milestone_check_task() == 0  # running again flags nothing twice
    flags = {(f.district.code if f.district else None): f for f in MilestoneFlag.objects.all()}
    assert set(flags) == {None, "jinshui"}
    assert flags["jinshui"].reached_pct == Decimal("40.00")
    assert flags["jinshui"].milestone.due_on == datetime.date(2024, 6, 30)

    # A supply recorded later and back-dated to 29 June (80 of 140 ha by then: 57.14 %, which
    # would meet the 50 % milestone) does not clear the flag.
    _supply("jinshui", "40", datetime.date(2024, 6, 29))
    matrix = selectors.milestone_matrix(plan=zz_supply, as_of=datetime.date(2024, 7, 2))
    cell = _cells(matrix, "jinshui")[0]
    assert (
        cell["reached_pct"] == Decimal("57.14") and cell["status"] == "missed" and cell["flagged"]
    )


def test_milestone_page_shows_flags_and_district_sees_only_itself(
    client, zz_supply, district_user, zz_city
):
    services.milestone_flags_record(as_of=datetime.date(2024, 7, 1))
    url = reverse("plans:milestones", args=[zz_supply.pk])
    client.force_login(district_user("jinshui"))
    page = client.get(url).content.decode()
    assert 'data-district="jinshui"' in page and 'data-district="erqi"' not in page and "⚑" in page
    client.force_login(zz_city)
    page = client.get(url).content.decode()
    assert 'data-district="erqi"' in page


def test_ranking_recommends_reward_and_penalty_from_the_rule_set(zz_supply, district_user):
    # guancheng: 10 planned, 6 supplied in December → 60 % < 75 → penalty
    _supply("guancheng", "6", datetime.date(2024, 12, 20))
    _supply("guancheng", "4", None, planned=True)
    AdjustmentRequest.objects.create(
        plan=zz_supply,
        district=District.objects.get(code="erqi"),
        reason="x",
        status="approved",
        created_by=district_user("erqi"),
    )
    result = selectors.plan_ranking(plan=zz_supply, as_of=datetime.date(2025, 1, 5))
    rows = {r["code"]: r for r in result["rows"]}
    assert rows["erqi"]["rank"] == 1 and rows["erqi"]["outcome"] == "reward"
    assert rows["erqi"]["milestones_met"] == 3 and rows["erqi"]["adjustments_approved"] == 1
    assert (
        rows["jinshui"]["completion_pct"] == Decimal("80.00")
        and rows["jinshui"]["outcome"] == "none"
    )
    assert rows["guancheng"]["outcome"] == "penalty"
    assert rows["zhongyuan"]["outcome"] is None  # nothing planned or allocated: nothing to judge
    assert rows["jinshui"]["rank"] < rows["guancheng"]["rank"]


def test_ranking_query_count_does_not_grow_with_parcels(zz_supply):
    as_of = datetime.date(2025, 1, 5)
    with CaptureQueriesContext(connection) as few:
        selectors.plan_ranking(plan=zz_supply, as_of=as_of)
    for i in range(12):
        _supply(["zhongyuan", "huiji", "gaoxin"][i % 3], "1", datetime.date(2024, 3 + i % 9, 1))
    with CaptureQueriesContext(connection) as many:
        selectors.plan_ranking(plan=zz_supply, as_of=as_of)
    assert len(few) == len(many) <= 10


def test_ranking_page_is_city_staff_only(client, zz_supply, district_user, zz_city, bj_city):
    _supply("guancheng", "6", datetime.date(2024, 12, 20))
    _supply("guancheng", "4", None, planned=True)
    url = reverse("plans:ranking", args=[zz_supply.pk])
    client.force_login(district_user("jinshui"))
    assert client.get(url).status_code == 403
    client.force_login(bj_city)
    assert client.get(url).status_code == 404
    client.force_login(zz_city)
    with time_machine.travel(datetime.datetime(2025, 1, 5, 9, tzinfo=CST), tick=False):
        page = client.get(url).content.decode()
    assert "建议奖励新增建设用地指标" in page and "建议核减指标并暂停批次报批" in page
    assert "暂停批次报批 6 个月" in page and "§六(五)" in page
