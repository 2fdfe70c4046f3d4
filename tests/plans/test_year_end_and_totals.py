"""Issue 9 for plans: totals reconcile (R1, R2, R5), year-end figures as of 31 December and
the plan-year close (R6, R8), and the rule edges (ring tolerance, reward/penalty)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from landsupply.models import District
from parcels.models import LandUseCategory, Parcel
from plans import rules, selectors, services
from plans.models import PlanYearClose
from tests.factories import ParcelFactory, SuppliedParcelFactory

D = Decimal
CST = ZoneInfo("Asia/Shanghai")
R = rules.Range


# --- R1, R2, R5 totals reconcile (pure) ----------------------------------------------------


def test_top_level_categories_must_be_able_to_add_up_to_the_total():
    parts = [("a", R(D("2770"), D("2790"))), ("b", R(D("420"), D("840")))]  # 3190–3630
    errors = rules.total_reconcile_errors(total=R(D("3000"), D("3100")), parts=parts, what="类别")
    assert errors and "3190" in errors[0] and "3000" in errors[0]
    # Touching at one end reconciles; one hectare apart does not.
    assert rules.total_reconcile_errors(total=R(D("3190"), D("3300")), parts=parts, what="x") == []
    assert rules.total_reconcile_errors(total=R(D("2000"), D("3190")), parts=parts, what="x") == []
    assert rules.total_reconcile_errors(total=R(D("3631"), D("3700")), parts=parts, what="x")
    assert rules.total_reconcile_errors(total=R(D("2000"), D("3189")), parts=parts, what="x")


def test_children_that_partition_a_parent_must_fill_it():
    parent = R(D("600"), D("700"))
    kids = [("a", R(D("300"), D("300"))), ("b", R(D("220"), D("220")))]  # 520
    assert rules.children_fit_errors(parent=parent, children=kids, partition=True)
    assert rules.children_fit_errors(parent=parent, children=kids, partition=False) == []
    exact = [("a", R(D("300"), D("300"))), ("b", R(D("300"), D("300")))]  # 600
    assert rules.children_fit_errors(parent=parent, children=exact, partition=True) == []
    one_short = [("a", R(D("300"), D("300"))), ("b", R(D("299"), D("299")))]
    assert rules.children_fit_errors(parent=parent, children=one_short, partition=True)
    # A child without a target leaves the parent open ("of which" lines, rental housing).
    open_kids = [*kids, ("c", R(None, None))]
    assert rules.children_fit_errors(parent=parent, children=open_kids, partition=True) == []


def test_figures_as_of_stop_at_the_plan_years_31_december():
    today = datetime.date(2025, 3, 1)
    assert rules.figures_as_of(year=2024, as_of=None, today=today) == datetime.date(2024, 12, 31)
    assert rules.figures_as_of(year=2025, as_of=None, today=today) == today
    assert rules.figures_as_of(
        year=2024, as_of=datetime.date(2024, 12, 30), today=today
    ) == datetime.date(2024, 12, 30)


def test_ring_tolerance_is_inclusive_at_both_edges():
    assert rules.share_on_target(D("30.00"), D("25"), D("5")) is True
    assert rules.share_on_target(D("20.00"), D("25"), D("5")) is True
    assert rules.share_on_target(D("30.01"), D("25"), D("5")) is False
    assert rules.share_on_target(D("19.99"), D("25"), D("5")) is False
    assert rules.share_on_target(None, D("25"), D("5")) is None


def test_reward_and_penalty_edges():
    def outcome(pct, met=3, due=3):
        return rules.ranking_outcome(
            completion_pct=pct,
            milestones_met=met,
            milestones_due=due,
            reward_min_pct=D("100"),
            reward_requires_all_milestones=True,
            penalty_below_pct=D("75"),
        )

    assert outcome(D("74.99")) == rules.PENALTY
    assert outcome(D("75.00")) == rules.NO_OUTCOME
    assert outcome(D("99.99")) == rules.NO_OUTCOME
    assert outcome(D("100.00")) == rules.REWARD
    assert outcome(D("100.00"), met=2) == rules.NO_OUTCOME
    assert outcome(None) == rules.PENALTY
    assert (
        rules.ranking_outcome(
            completion_pct=D("100"),
            milestones_met=0,
            milestones_due=3,
            reward_min_pct=D("100"),
            reward_requires_all_milestones=False,
            penalty_below_pct=None,
        )
        == rules.REWARD
    )
    assert (
        rules.ranking_outcome(
            completion_pct=D("10"),
            milestones_met=0,
            milestones_due=0,
            reward_min_pct=None,
            reward_requires_all_milestones=True,
            penalty_below_pct=None,
        )
        is None
    )


# --- plan validation (plans/services.plan_set_targets) ----------------------------------


@pytest.fixture
def bj2025(plans_2024, bj_city):
    return services.plan_create(
        user=bj_city, year=2025, name="北京2025", copy_from=plans_2024["beijing"]
    )


def test_the_beijing_plan_copies_and_validates_as_it_is(bj2025, bj_city):
    spec = selectors.plan_spec(plan=bj2025)
    assert (
        next(c for c in spec["categories"] if c["code"] == "residential")["children_partition"]
        is False
    )
    services.plan_set_targets(user=bj_city, plan=bj2025, spec=spec)


def test_total_below_its_categories_is_refused_naming_both(bj2025, bj_city):
    spec = selectors.plan_spec(plan=bj2025)
    spec["plan"]["total_min_ha"], spec["plan"]["total_max_ha"] = D("3000"), D("3100")
    spec["plan"]["city_target_min_ha"] = spec["plan"]["city_target_max_ha"] = None
    spec["plan"]["district_target_min_ha"] = spec["plan"]["district_target_max_ha"] = None
    with pytest.raises(ValidationError) as exc:
        services.plan_set_targets(user=bj_city, plan=bj2025, spec=spec)
    text = " ".join(exc.value.messages)
    assert "3240" in text and "3660" in text and "3000" in text and "R1" in text
    bj2025.refresh_from_db()
    assert bj2025.total_min_ha == D("3240")


def test_parent_600_700_with_children_fixed_at_520_is_refused(bj2025, bj_city):
    spec = selectors.plan_spec(plan=bj2025)
    industry = next(c for c in spec["categories"] if c["code"] == "industry")
    industry["target_min_ha"], industry["target_max_ha"] = D("600"), D("700")
    rural = next(c for c in spec["categories"] if c["code"] == "rural_industry")
    rural["target_min_ha"] = rural["target_max_ha"] = D("60")  # children: 80+200+100+80+60 = 520
    with pytest.raises(ValidationError, match="达不到上级下限 600"):
        services.plan_set_targets(user=bj_city, plan=bj2025, spec=spec)


def test_city_plus_district_share_must_reconcile_with_the_total(bj2025, bj_city):
    spec = selectors.plan_spec(plan=bj2025)
    spec["plan"]["city_target_min_ha"], spec["plan"]["city_target_max_ha"] = D("2500"), D("2600")
    with pytest.raises(ValidationError, match="R5") as exc:
        services.plan_set_targets(user=bj_city, plan=bj2025, spec=spec)
    assert "3990" in " ".join(exc.value.messages)


# --- year end (R6, R8) ------------------------------------------------------------------------


def _supply(district, area, on, planned=False):
    factory = ParcelFactory if planned else SuppliedParcelFactory
    extra = {} if planned else {"supplied_on": on}
    return factory(
        district=District.objects.get(code=district),
        category=LandUseCategory.objects.get(code="residential"),
        area_ha=D(area),
        **extra,
    )


@pytest.fixture
def zz_year(plans_2024):
    """guancheng: 10 ha planned, 6 supplied in December 2024 (60 % → penalty), 4 still planned."""
    _supply("guancheng", "6", datetime.date(2024, 12, 20))
    late = _supply("guancheng", "4", None, planned=True)
    return {"plan": plans_2024["zhengzhou"], "late": late}


def _guancheng(result):
    return next(r for r in result["rows"] if r["code"] == "guancheng")


def test_zhengzhou_2024_figures_do_not_change_when_a_2024_parcel_is_supplied_in_2025(zz_year):
    plan, late = zz_year["plan"], zz_year["late"]
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, tzinfo=CST), tick=False):
        before_progress = selectors.plan_progress(plan=plan)
        before_ranking = selectors.plan_ranking(plan=plan)
        late.status = Parcel.Status.SUPPLIED
        late.supplied_on = datetime.date(2025, 1, 15)
        late.save()
        after_progress = selectors.plan_progress(plan=plan)
        after_ranking = selectors.plan_ranking(plan=plan)
    assert before_progress["scope"]["as_of"] == datetime.date(2024, 12, 31)
    assert after_progress["total"] == before_progress["total"]
    assert after_progress["districts"] == before_progress["districts"]
    assert _guancheng(after_ranking) == _guancheng(before_ranking)
    assert _guancheng(after_ranking)["outcome"] == "penalty"
    assert _guancheng(after_ranking)["completion_pct"] == D("60.00")


def test_supply_on_31_december_counts_the_next_day_does_not(zz_year):
    plan, late = zz_year["plan"], zz_year["late"]
    late.status = Parcel.Status.SUPPLIED
    late.supplied_on = datetime.date(2025, 1, 1)
    late.save()
    as_of = datetime.date(2025, 6, 1)
    assert _guancheng(selectors.plan_ranking(plan=plan, as_of=as_of))["completion_pct"] == D(
        "60.00"
    )
    late.supplied_on = datetime.date(2024, 12, 31)
    late.save()
    assert _guancheng(selectors.plan_ranking(plan=plan, as_of=as_of))["completion_pct"] == D(
        "100.00"
    )


def test_a_closed_year_keeps_its_ranking(zz_year, zz_city):
    plan, late = zz_year["plan"], zz_year["late"]
    with pytest.raises(ValidationError, match="2024-12-31"):
        services.plan_year_close(user=zz_city, plan=plan, today=datetime.date(2024, 12, 31))
    close = services.plan_year_close(user=zz_city, plan=plan, today=datetime.date(2025, 1, 2))
    assert close.as_of == datetime.date(2024, 12, 31)
    # A supply back-dated into 2024 after the close does not move the closed ranking.
    late.status = Parcel.Status.SUPPLIED
    late.supplied_on = datetime.date(2024, 12, 30)
    late.save()
    result = selectors.plan_ranking(plan=plan, as_of=datetime.date(2025, 2, 1))
    assert result["closed"] == close
    assert _guancheng(result)["completion_pct"] == D("60.00")
    assert _guancheng(result)["outcome"] == "penalty"
    with pytest.raises(ValidationError, match="已结转"):
        services.plan_year_close(user=zz_city, plan=plan, today=datetime.date(2025, 1, 3))
    assert PlanYearClose.objects.count() == 1


def test_only_the_jurisdictions_city_staff_close_a_year(zz_year, bj_city, district_user):
    for user in (bj_city, district_user("guancheng")):
        with pytest.raises(PermissionDenied):
            services.plan_year_close(
                user=user, plan=zz_year["plan"], today=datetime.date(2025, 1, 2)
            )


def test_close_year_through_the_ranking_page(client, zz_year, zz_city):
    plan = zz_year["plan"]
    client.force_login(zz_city)
    with time_machine.travel(datetime.datetime(2025, 1, 2, 9, tzinfo=CST), tick=False):
        page = client.get(reverse("plans:ranking", args=[plan.pk])).content.decode()
        assert 'id="year-close-form"' in page and "2024-12-31" in page
        client.post(reverse("plans:year_close", args=[plan.pk]))
        page = client.get(reverse("plans:ranking", args=[plan.pk])).content.decode()
    assert 'id="year-closed"' in page and 'id="year-close-form"' not in page
    assert client.get(reverse("plans:year_close", args=[plan.pk])).status_code == 405


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_closing_the_year_at_once_close_it_once(reference_data, zz_city):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from plans.seed import seed_plans

    seed_plans()
    plan = selectors.AnnualPlan.objects.get(jurisdiction__code="zhengzhou")
    barrier = threading.Barrier(2)
    outcomes = []

    def close():
        try:
            barrier.wait()
            services.plan_year_close(user=zz_city, plan=plan, today=datetime.date(2025, 1, 2))
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert any("已结转" in o for o in outcomes if o != "ok")
    assert PlanYearClose.objects.filter(plan=plan).count() == 1


def test_district_allocations_add_up_at_both_edges():
    total = R(D("100"), D("120"))
    assert rules.allocations_add_up(
        total=total, allocations=[R(D("60"), D("70")), R(D("40"), D("50"))]
    )
    # Lower bounds adding to exactly the total's bounds are fine; one hectare outside is not.
    assert rules.allocations_add_up(total=total, allocations=[R(D("100"), D("120"))])
    assert rules.allocations_add_up(total=total, allocations=[R(D("120"), D("120"))])
    assert rules.allocations_add_up(total=total, allocations=[R(D("100"), D("100"))])
    assert not rules.allocations_add_up(total=total, allocations=[R(D("99"), D("110"))])
    assert not rules.allocations_add_up(total=total, allocations=[R(D("101"), D("121"))])
    assert not rules.allocations_add_up(total=total, allocations=[R(D("121"), D("121"))])
    assert not rules.allocations_add_up(total=total, allocations=[R(D("99"), D("99"))])
    assert rules.allocations_add_up(total=R(None, None), allocations=[R(D("1"), D("1"))])
    assert rules.allocations_add_up(total=total, allocations=[])


def test_adjustment_deadline_needs_month_and_day():
    assert rules.adjustment_deadline(year=2024, month=6, day=None) is None
    assert rules.adjustment_deadline(year=2024, month=None, day=1) is None
    assert rules.adjustment_deadline(year=2024, month=6, day=1) == datetime.date(2024, 6, 1)


def test_without_a_plan_rule_set_adjustments_may_be_filed_any_day(reference_data):
    from landsupply.models import User
    from plans.models import AnnualPlan, CategoryTarget
    from tests.factories import UserFactory

    jurisdiction = reference_data["jurisdictions"]["zhengzhou"]
    plan = AnnualPlan.objects.create(
        jurisdiction=jurisdiction,
        year=2024,
        name="无规则计划",
        status=AnnualPlan.Status.PUBLISHED,
        total_min_ha=D("100"),
        total_max_ha=D("100"),
    )
    a = CategoryTarget.objects.create(
        plan=plan, code="a", name="甲", target_min_ha=D("60"), target_max_ha=D("60")
    )
    b = CategoryTarget.objects.create(
        plan=plan, code="b", name="乙", target_min_ha=D("40"), target_max_ha=D("40")
    )
    district = jurisdiction.districts.get(code="jinshui")
    user = UserFactory(role=User.Role.DISTRICT, district=district, jurisdiction=jurisdiction)
    adjustment = services.adjustment_create(
        user=user,
        plan=plan,
        reason="x",
        items=[{"kind": "move_area", "from_target": a, "to_target": b, "area_ha": D("1")}],
    )
    with time_machine.travel(datetime.datetime(2024, 11, 30, 9, tzinfo=CST), tick=False):
        services.adjustment_file(user=user, adjustment=adjustment)
    adjustment.refresh_from_db()
    assert adjustment.status == "filed"


def test_percentages_and_areas_round_half_up():
    assert rules.pct(D("1"), D("32")) == D("3.13")  # 3.125
    assert rules.pct(D("1"), D("0")) is None
    assert rules.area("0.00005") == D("0.0001")
    assert rules.area(None) == D("0.0000")
    assert rules.ha_text(D("3240.0000")) == "3240" and rules.ha_text(D("50.50")) == "50.5"
    assert rules.ha_text(D("1E+3")) == "1000"


def test_policy_ratio_comparisons_at_the_threshold():
    assert rules.compare(D("70"), "gt", D("70")) is False
    assert rules.compare(D("70.01"), "gt", D("70")) is True
    assert rules.compare(D("80"), "gte", D("80")) is True
    assert rules.compare(D("79.99"), "gte", D("80")) is False
    assert rules.compare(None, "gte", D("80")) is None


def test_sums_and_open_ranges():
    added = rules.sum_of([R(D("1"), D("2")), R(None, None), R(D("3"), D("4"))])
    assert added == R(D("4"), D("6"))
    assert isinstance(rules.sum_of([]).low, D) and isinstance(rules.sum_of([]).high, D)
    assert rules.ranges_meet(R(None, None), R(D("1"), D("2")))
    assert rules.ranges_meet(R(D("1"), D("2")), R(None, None))
    assert not rules.ranges_meet(R(D("1"), D("2")), R(D("3"), D("4")))
    assert (
        rules.total_reconcile_errors(
            total=R(None, None), parts=[("a", R(D("1"), D("1")))], what="x"
        )
        == []
    )
    assert (
        rules.total_reconcile_errors(
            total=R(D("5"), D("5")), parts=[("a", R(None, None))], what="x"
        )
        == []
    )


def test_children_fit_at_their_edges():
    parent = R(D("100"), D("120"))
    # A child may reach the parent's upper bound; the children's lower bounds may add up to it.
    assert rules.children_fit_errors(parent=parent, children=[("a", R(D("50"), D("120")))]) == []
    assert (
        rules.children_fit_errors(
            parent=parent, children=[("a", R(D("60"), D("60"))), ("b", R(D("60"), D("60")))]
        )
        == []
    )
    over = rules.children_fit_errors(
        parent=parent,
        children=[("x", R(None, None)), ("a", R(D("70"), D("70"))), ("b", R(D("60"), D("60")))],
    )
    assert over == ["下级下限合计 130 超过上级上限 120"]
    assert rules.children_fit_errors(parent=parent, children=[("a", R(D("1"), D("121")))]) == [
        "a 上限 121 超过上级上限 120"
    ]
    # Without partition (the default) children may leave the parent unfilled.
    assert rules.children_fit_errors(parent=parent, children=[("a", R(D("1"), D("1")))]) == []


def test_milestones_must_rise_strictly_and_end_at_100():
    day = datetime.date
    assert (
        rules.milestone_errors([(day(2024, 6, 30), D("50")), (day(2024, 12, 31), D("100"))]) == []
    )
    assert rules.milestone_errors(
        [(day(2024, 6, 30), D("50")), (day(2024, 9, 30), D("50")), (day(2024, 12, 31), D("100"))]
    )
    assert rules.milestone_errors([(day(2024, 12, 31), D("99.99"))])
