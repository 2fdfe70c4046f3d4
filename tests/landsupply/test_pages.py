"""Pages that read like the bureau's own: one set of number filters, 是/否, the rules page
(R1–R25 with the parameters in force), rule badges linked, the admin's name."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from landsupply.exports import Sheet, csv_value, xlsx_bytes
from landsupply.rulebook import RULE_IDS
from tests.factories import PlatformAdminFactory


def render(source, **context):
    return Template("{% load numbers %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("3398.7"), None, "3,398.7000"),
        (Decimal("80"), None, "80.0000"),
        (Decimal("16.2466"), None, "16.2466"),
        (Decimal("1234567.89"), 2, "1,234,567.89"),
        (None, None, "—"),
    ],
)
def test_areas_have_separators_and_the_tables_decimals(value, places, shown):
    source = "{{ v|ha }}" if places is None else "{{ v|ha:" + str(places) + " }}"
    assert render(source, v=value) == shown


def test_money_in_wan_with_the_exact_yuan_on_hover():
    html = render("{{ v|wan }}", v=Decimal("30000000.00"))
    assert html == '<span class="money" title="30,000,000.00 元">3,000.0000</span>'
    assert render("{{ v|wan }}", v=Decimal("12345.67")).endswith(">1.2346</span>")
    assert render("{{ v|wan }}", v=None) == "—"
    assert render("{{ v|yuan }}", v=Decimal("7500000")) == "7,500,000.00"


def test_ratios_carry_a_percent_sign():
    assert render("{{ v|pct }}", v=Decimal("62.5")) == "62.50%"
    assert render("{{ v|pct }}", v=None) == "—"


def test_yes_no_in_the_readers_language():
    assert render("{{ a|yesno_zh }}/{{ b|yesno_zh }}", a=True, b=False) == "是/否"
    with translation.override("en"):
        assert render("{{ a|yesno_zh }}/{{ b|yesno_zh }}", a=True, b=False) == "Yes/No"


def test_rule_badges_link_r1_to_r25_and_nothing_else():
    html = render('{% rule "R14/R16, R25" %} {{ t|rule_links }}', t="R26 R0 <b>")
    assert '<a class="rule-link" href="/rules/#R14">R14</a>' in html
    assert 'href="/rules/#R16"' in html and 'href="/rules/#R25"' in html
    assert "#R26" not in html and "#R0" not in html and "&lt;b&gt;" in html


def test_exports_write_booleans_as_yes_no():
    workbook = load_workbook(
        __import__("io").BytesIO(xlsx_bytes([Sheet("测试", ["a", "b"], [[True, False]])]))
    )
    assert [c.value for c in workbook["测试"][2]] == ["是", "否"]
    assert csv_value(True) == "是"
    with translation.override("en"):
        assert csv_value(False) == "No"


@pytest.mark.django_db
def test_the_rules_page_lists_every_rule_with_parameters_in_force(client, reference_data):
    from assessments.seed import seed_rule_sets
    from plans.seed import seed_plans

    seed_plans()
    seed_rule_sets()
    page = client.get(reverse("rules") + "?jurisdiction=beijing").content.decode()
    for rid in RULE_IDS:
        assert f'<dt id="{rid}">{rid} ' in page
    assert len(RULE_IDS) == 25
    assert "北京市工业用地先租后让指导意见（试行）" in page
    assert "租赁年期上限（年）" in page  # R11 parameter from the rule set
    assert "允许年中增补" in page  # R7 from the plan rule set
    assert "DOMAIN" not in page
    assert 'href="/rules/"' in page  # the footer points here, not to a file users never see


@pytest.mark.django_db
def test_no_page_mentions_domain_in_its_footer(client, reference_data):
    page = client.get(reverse("login")).content.decode()
    assert "DOMAIN" not in page and reverse("rules") in page


@pytest.mark.django_db
def test_the_admin_says_the_sites_name(client):
    client.force_login(PlatformAdminFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert "国有建设用地供应管理" in page and "Django 管理" not in page
