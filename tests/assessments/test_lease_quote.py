"""manage.py lease_quote (issue 2), rule sets seeded from 北京市工业用地先租后让指导意见（试行）."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import LeaseRuleSet
from assessments.seed import seed_rule_sets


@pytest.fixture
def rule_sets(reference_data):
    return seed_rule_sets()


def quote(*args):
    """Run lease_quote; without a lease start or award date the award date is pinned, so the
    rule set chosen (R25) never depends on today's date (the guidance expires 2029-02-17)."""
    if "--lease-start" not in args and "--award-date" not in args:
        args = (*args, "--award-date", "2025-01-01")
    out = StringIO()
    call_command("lease_quote", *args, stdout=out)
    return out.getvalue()


WORKED = (
    "--jurisdiction",
    "beijing",
    "--base-price",
    "30000000",
    "--lease-years",
    "5",
    "--transfer-years",
    "15",
)


def test_seed_is_idempotent(rule_sets):
    assert [r.jurisdiction.code for r in rule_sets] == ["beijing"]
    before = LeaseRuleSet.history.count()
    seed_rule_sets()
    assert LeaseRuleSet.objects.count() == 1
    assert LeaseRuleSet.history.count() == before


def test_worked_example_json(rule_sets):
    data = json.loads(
        quote(
            "--jurisdiction",
            "beijing",
            "--base-price",
            "30000000",
            "--lease-years",
            "5",
            "--transfer-years",
            "15",
            "--lease-start",
            "2024-09-01",
            "--format",
            "json",
        )
    )
    assert data["lease_rent"] == "7500000.00"
    assert data["deposit"] == "7500000.00"
    assert data["annual_rent"] == "1500000.00"
    assert data["transfer_price"] == "22500000.00"
    assert data["lease_end"] == "2029-08-31"
    assert data["assessment_application_due"] == "2029-02-28"
    assert data["renewal_application_due"] == "2029-02-28"
    assert data["transfer_term_start"] == "2029-09-01"
    assert data["transfer_term_end"] == "2044-08-31"
    assert {"R11", "R13", "R14", "R15", "R18", "R19"} <= set(data["rules"])


def test_stock_land_uses_r16_and_no_dates_without_start(rule_sets):
    data = json.loads(
        quote(
            "--jurisdiction",
            "beijing",
            "--base-price",
            "30000000",
            "--lease-years",
            "5",
            "--transfer-years",
            "15",
            "--land-source",
            "stock",
            "--format",
            "json",
        )
    )
    assert "R16" in data["rules"] and "R14" not in data["rules"]
    assert "lease_end" not in data


def test_text_format_labels_rules(rule_sets):
    text = quote(
        "--jurisdiction",
        "beijing",
        "--base-price",
        "30000000",
        "--lease-years",
        "5",
        "--transfer-years",
        "15",
    )
    assert "7500000.00" in text and "R13" in text


@pytest.mark.parametrize(
    ("lease", "transfer", "words"), [("6", "14", "租赁年期上限"), ("5", "16", "租让总年期上限")]
)
def test_beyond_limits_exit_2(rule_sets, lease, transfer, words):
    with pytest.raises(CommandError) as exc:
        quote(
            "--jurisdiction",
            "beijing",
            "--base-price",
            "30000000",
            "--lease-years",
            lease,
            "--transfer-years",
            transfer,
        )
    assert exc.value.returncode == 2
    assert words in str(exc.value) and "R11" in str(exc.value)


def test_extension_with_approval_but_never_past_statutory(rule_sets):
    data = json.loads(
        quote(
            "--jurisdiction",
            "beijing",
            "--base-price",
            "30000000",
            "--lease-years",
            "6",
            "--transfer-years",
            "24",
            "--extension-approval",
            "京政函〔2025〕8号",
            "--format",
            "json",
        )
    )
    assert data["lease_rent"] == "6000000.00"
    with pytest.raises(CommandError, match="法定最高年限") as exc:
        quote(
            "--jurisdiction",
            "beijing",
            "--base-price",
            "30000000",
            "--lease-years",
            "6",
            "--transfer-years",
            "45",
            "--extension-approval",
            "京政函〔2025〕8号",
        )
    assert exc.value.returncode == 2


def test_zhengzhou_refused_until_rule_set_entered(rule_sets):
    with pytest.raises(CommandError, match="郑州") as exc:
        quote(
            "--jurisdiction",
            "zhengzhou",
            "--base-price",
            "30000000",
            "--lease-years",
            "5",
            "--transfer-years",
            "15",
        )
    assert exc.value.returncode == 2
    assert "R25" in str(exc.value)


def test_rule_set_by_award_date_with_its_validity(rule_sets):
    data = json.loads(quote(*WORKED, "--award-date", "2029-02-17", "--format", "json"))
    assert data["award_date"] == "2029-02-17" and data["land_use"] == "industrial"
    with pytest.raises(CommandError, match="失效") as exc:
        quote(*WORKED, "--award-date", "2029-02-18")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="2024-02-18") as exc:
        quote(*WORKED, "--award-date", "2024-02-17")
    assert "不适用于此前" in str(exc.value)


def test_what_if_exit_with_and_without_penalty(rule_sets):
    base = (*WORKED, "--lease-start", "2024-09-01", "--exit-on", "2027-08-31", "--format", "json")
    data = json.loads(quote(*base))
    assert data["exit_remaining_rent"] == "3000000.00"
    assert data["exit_refund"] == "3000000.00"
    assert data["exit_amount_owed"] == "0.00"
    data = json.loads(quote(*base, "--penalty", "500000"))
    assert data["exit_refund"] == "2500000.00"
    data = json.loads(quote(*base, "--penalty", "3500000"))
    assert (data["exit_refund"], data["exit_amount_owed"]) == ("0.00", "500000.00")
    text = quote(*WORKED, "--lease-start", "2024-09-01", "--exit-on", "2027-08-31")
    assert "剩余年期租金" in text and "3000000.00" in text


def test_what_if_exit_outside_the_lease_or_bad_penalty_exits_2(rule_sets):
    with pytest.raises(CommandError, match="R23") as exc:
        quote(*WORKED, "--lease-start", "2024-09-01", "--exit-on", "2029-09-01")
    assert exc.value.returncode == 2
    for bad in ("-1", "NaN", "abc"):
        with pytest.raises(CommandError, match="--penalty") as exc:
            quote(
                *WORKED, "--lease-start", "2024-09-01", "--exit-on", "2027-08-31", "--penalty", bad
            )
        assert exc.value.returncode == 2


def test_what_if_renewal_moves_the_dates_or_names_the_limit(rule_sets):
    data = json.loads(
        quote(*WORKED, "--lease-start", "2024-09-01", "--renewal-years", "2", "--format", "json")
    )
    assert data["renewal_rent"] == "3000000.00"
    assert data["lease_end"] == "2031-08-31"
    assert data["assessment_application_due"] == "2031-02-28"
    assert data["transfer_term_start"] == "2031-09-01"
    with pytest.raises(CommandError, match="max_renewal_years") as exc:
        quote(*WORKED, "--lease-start", "2024-09-01", "--renewal-years", "3")
    assert exc.value.returncode == 2 and "R21" in str(exc.value)


def test_commercial_land_use_is_refused(rule_sets):
    with pytest.raises(CommandError, match="商服用地") as exc:
        quote(*WORKED, "--land-use", "commercial")
    assert exc.value.returncode == 2
