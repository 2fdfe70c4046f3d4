"""seed_plans loads the real 2024 plans (R1–R6, R10) and is idempotent."""

import json
from decimal import Decimal

from django.core.management import call_command

from plans.models import AnnualPlan, CategoryTarget, PlanRuleSet
from plans.seed import seed_plans


def _report(capsys, *args):
    call_command("plan_report", *args, "--format", "json")
    return json.loads(capsys.readouterr().out)


def test_seed_twice_changes_nothing(plans_2024):
    before = {
        "plans": list(AnnualPlan.objects.values()),
        "targets": list(CategoryTarget.objects.values()),
        "history": AnnualPlan.history.count() + CategoryTarget.history.count(),
        "rules": list(PlanRuleSet.objects.values()),
    }
    seed_plans()
    after = {
        "plans": list(AnnualPlan.objects.values()),
        "targets": list(CategoryTarget.objects.values()),
        "history": AnnualPlan.history.count() + CategoryTarget.history.count(),
        "rules": list(PlanRuleSet.objects.values()),
    }
    assert after == before


def test_beijing_report_shows_every_figure_of_r1_to_r5(plans_2024, capsys):
    report = _report(capsys, "--jurisdiction", "beijing", "--year", "2024")
    plan = report["plan"]
    assert (plan["total_min_ha"], plan["total_max_ha"]) == ("3240.0000", "3660.0000")  # R1
    tree = {c["code"]: c for c in report["categories"]}
    expected = {  # R1, R2: code → (min, max, parent)
        "urban_rural": ("2770", "2790", None),
        "industry": ("510", "530", "urban_rural"),
        "rnd": ("80", "80", "industry"),
        "industrial": ("200", "200", "industry"),
        "warehouse": ("100", "100", "industry"),
        "commercial": ("80", "80", "industry"),
        "rural_industry": ("50", "70", "industry"),
        "residential": ("1060", "1060", "urban_rural"),
        "affordable_housing": ("460", "460", "residential"),
        "public_service": ("650", "650", "urban_rural"),
        "urban_transport": ("550", "550", "urban_rural"),
        "special_transport_water": ("470", "870", None),
    }
    for code, (low, high, parent) in expected.items():
        row = tree[code]
        assert Decimal(row["target_min_ha"]) == Decimal(low), code
        assert Decimal(row["target_max_ha"]) == Decimal(high), code
        assert row["parent"] == parent, code
    # R10: rental housing is its own line under residential, without a 2024 figure.
    assert tree["rental_housing"]["parent"] == "residential"
    assert tree["rental_housing"]["target_min_ha"] is None
    rings = {r["code"]: Decimal(r["target_pct"]) for r in report["rings"]}  # R3
    assert rings == {"central": 25, "plain": 60, "eco": 15}
    ratios = {r["code"]: (r["comparison"], Decimal(r["threshold_pct"])) for r in report["ratios"]}
    assert ratios["industry_kfa"] == ("gte", 80)  # R4
    assert ratios["affordable_rail_kfa"] == ("gte", 65)
    assert ratios["stock_share"] == ("gte", 60)
    assert ratios["industry_kfa_2025"] == ("gt", 70)
    assert Decimal(plan["city_target_min_ha"]) == 1750  # R5
    assert Decimal(plan["city_target_max_ha"]) == 2150
    assert Decimal(plan["district_target_min_ha"]) == 1490
    assert Decimal(plan["district_target_max_ha"]) == 1510
    assert Decimal(plan["net_reduction_ha"]) == 660
    assert Decimal(plan["net_reduction_green_belt_ha"]) == 350


def test_beijing_text_report_lists_the_figures(plans_2024, capsys):
    call_command("plan_report", "--jurisdiction", "beijing", "--year", "2024")
    out = capsys.readouterr().out
    for text in [
        "3240–3660",
        "1750–2150",
        "1490–1510",
        "净减量 660",
        "二绿地区 350",
        "约25.00%",
        "约60.00%",
        "约15.00%",
        "≥80.00%",
        "≥65.00%",
        "≥60.00%",
        "保障性住宅用地",
        "乡村产业用地",
    ]:
        assert text in out, text


def test_zhengzhou_four_categories_add_up_to_the_total(plans_2024, capsys):
    report = _report(
        capsys, "--jurisdiction", "zhengzhou", "--year", "2024", "--as-of", "2024-07-01"
    )
    rows = {c["code"]: Decimal(c["target_min_ha"]) for c in report["categories"]}
    assert rows == {
        "residential": Decimal("871.73"),
        "commercial": Decimal("186.52"),
        "industrial_warehouse": Decimal("924.05"),
        "other": Decimal("1945.64"),
    }
    assert sum(rows.values()) == Decimal("3927.94") == Decimal(report["plan"]["total_min_ha"])
    # R6: 50 % by 30 June, 75 % by 30 Sept, 100 % by 31 Dec.
    assert [(m["due_on"], Decimal(m["required_pct"])) for m in report["milestones"]] == [
        ("2024-06-30", 50),
        ("2024-09-30", 75),
        ("2024-12-31", 100),
    ]
    assert [m["status"] for m in report["milestones"]] == ["missed", "upcoming", "upcoming"]


def test_zhengzhou_rule_set_has_the_1_june_deadline(plans_2024):
    rule_set = PlanRuleSet.objects.get(jurisdiction__code="zhengzhou")
    assert (rule_set.adjustment_deadline_month, rule_set.adjustment_deadline_day) == (6, 1)
    assert [(m.month, m.day, m.cumulative_pct) for m in rule_set.milestones.all()] == [
        (6, 30, 50),
        (9, 30, 75),
        (12, 31, 100),
    ]
    assert PlanRuleSet.objects.get(jurisdiction__code="beijing").mid_year_supplement_allowed


def test_plan_report_unknown_plan_is_a_clear_error(plans_2024):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="2031"):
        call_command("plan_report", "--jurisdiction", "beijing", "--year", "2031")
    with pytest.raises(CommandError, match="jinshui"):
        call_command(
            "plan_report", "--jurisdiction", "beijing", "--year", "2024", "--district", "jinshui"
        )
