"""Browser walks of the lease-then-transfer lifecycle (issues 4, 9): the DOMAIN.md worked
example award (indicators from the district's template) → leasing → assessment applied →
passed → notice received → transfer applied → transfer contract → land price; fail → exit;
renewal."""

import pytest
from django.utils import timezone

from assessments.demo import DEMO_TARGETS, GOOD_VALUES
from assessments.models import AssessmentTemplate, AssessmentTemplateItem, Contract
from assessments.seed import STANDARD_INDICATORS, seed_rule_sets
from landsupply.models import District
from landsupply.seed import seed_jurisdictions
from parcels.seed import seed_land_use_categories
from tests.factories import (
    DistrictUserFactory,
    EnterpriseUserFactory,
    LeaseThenTransferParcelFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Eight R17 targets (the district template) and reported values that meet them.
TARGETS = DEMO_TARGETS
GOOD = {name: str(value) for name, value in GOOD_VALUES.items()}


@pytest.fixture
def beijing():
    seed_jurisdictions()
    seed_land_use_categories()
    seed_rule_sets()
    district = District.objects.get(code="haidian")
    holder = EnterpriseUserFactory(username="qiye", enterprise__name="北京示例智造有限公司")
    staff = DistrictUserFactory(
        username="haidian_staff", district=district, first_name="海淀区分局"
    )
    parcel = LeaseThenTransferParcelFactory(
        district=district, code="HD-LTT-01", name="中关村示例先租后让地块"
    )
    template = AssessmentTemplate.objects.create(
        district=district,
        name="海淀区工业用地租赁转出让考核标准（示例）",
        effective_from=timezone.localdate().replace(month=1, day=1),
    )
    for order, (name, unit, direction, kind) in enumerate(STANDARD_INDICATORS):
        AssessmentTemplateItem.objects.create(
            template=template,
            kind=kind,
            name=name,
            unit=unit,
            direction=direction,
            target=TARGETS[name],
            sort_order=order,
        )
    return {"district": district, "holder": holder, "staff": staff, "parcel": parcel}


@pytest.fixture
def login_as(page, login):
    """Log in as `username`, first dropping any session (the top bar's logout is a submit button)."""

    def do(username):
        page.context.clear_cookies()
        return login(username)

    return do


def submit(page, action):
    page.click(f"button[name=submit-{action}]")
    page.wait_for_load_state("networkidle")


def confirm(page, action, expected):
    """The decision's consequence is named before it is made; confirm it."""
    assert expected in page.inner_text(f"#confirm-{action}")
    page.click("#confirm-button")
    page.wait_for_load_state("networkidle")


def award_and_lease(page, login_as, data, *, number):
    """District staff record the award (worked example terms), set an indicator, start the lease."""
    login_as("haidian_staff")
    page.goto(page.base_url + "/contracts/new/")
    page.fill("input[name=number]", number)
    page.select_option("select[name=parcel]", str(data["parcel"].pk))
    page.select_option("select[name=enterprise]", str(data["holder"].enterprise_id))
    page.select_option("select[name=award_method]", "listing")
    page.fill("input[name=award_reference]", "京海规自成交〔2026〕1号")
    page.fill("input[name=base_price]", "30000000")
    page.fill("input[name=lease_years]", "5")
    page.fill("input[name=transfer_years]", "15")
    page.fill("input[name=lease_start]", timezone.localdate().isoformat())
    page.fill("input[name=award_date]", timezone.localdate().isoformat())
    page.click("main form.stacked button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "750.0000" in page.inner_text("#figures")  # 万元; the yuan on hover
    # The district's template set the eight R17 indicators at the award; one target is raised.
    assert "本地就业人口" in page.inner_text("#indicators")
    page.select_option("#id_indicator-kind", "investment_intensity")
    page.fill("#id_indicator-name", "投资强度")
    page.fill("#id_indicator-unit", "万元/公顷")
    page.select_option("#id_indicator-direction", "at_least")
    page.fill("#id_indicator-target", "8000")
    submit(page, "indicator")
    page.fill("#id_start_lease-agreement_reference", "海淀履约协议〔2026〕1号")
    submit(page, "start_lease")
    assert page.inner_text("#state") == "租赁中"
    return Contract.objects.get(number=number)


def report_and_apply(page, login_as, contract, value):
    """The holder reports the eight indicators (投资强度 = `value`) and applies for assessment."""
    login_as("qiye")
    page.goto(page.base_url + contract.get_absolute_url())
    for name, actual in {**GOOD, "投资强度": value}.items():
        page.select_option("#id_report-indicator", label=name)
        page.fill("#id_report-year", str(timezone.localdate().year))
        page.fill("#id_report-actual", str(actual))
        submit(page, "report")
    submit(page, "assessment_apply")
    assert page.inner_text("#state") == "已申请考核"


def test_worked_example_award_to_transfer(page, login_as, screenshot, beijing):
    contract = award_and_lease(page, login_as, beijing, number="HD-2026-001")
    screenshot("assessments_1_district_leasing")
    login_as("qiye")
    assert "2,250.0000" in page.inner_text("table")  # enterprise home lists the contract (万元)
    screenshot("assessments_2_enterprise_home")
    report_and_apply(page, login_as, contract, "9200")
    assert "达标" in page.inner_text("#indicators")
    login_as("haidian_staff")
    page.goto(page.base_url + contract.get_absolute_url())
    assert "系统依据填报值建议：通过" in page.inner_text("#form-assessment_decide")
    page.select_option("#id_assessment_decide-passed", "1")
    page.fill("#id_assessment_decide-notice_number", "海规自考〔2026〕1号")
    submit(page, "assessment_decide")
    confirm(page, "assessment_decide", "15 日内")
    assert page.inner_text("#state") == "考核通过"
    page.click("text=打印书面通知")
    page.wait_for_load_state("networkidle")
    assert "22,500,000.00" in page.inner_text("main")
    screenshot("assessments_3_notice")
    login_as("qiye")
    page.goto(page.base_url + contract.get_absolute_url())
    page.fill("#id_notice_receipt-received_on", timezone.localdate().isoformat())
    submit(page, "notice_receipt")
    assert "收到考核通过的书面通知" in page.inner_text("#timeline")
    submit(page, "transfer_apply")
    assert page.inner_text("#state") == "已申请签订出让合同"
    assert "地价款 22,500,000.00 元" in page.inner_text("#timeline")
    login_as("haidian_staff")
    page.goto(page.base_url + contract.get_absolute_url())
    page.fill("#id_transfer_contract-contract_number", "京海规自出让〔2026〕1号")
    page.fill("#id_transfer_contract-signed_on", timezone.localdate().isoformat())
    submit(page, "transfer_contract")
    page.fill("#id_land_price-amount", "22500000")
    page.fill("#id_land_price-paid_on", timezone.localdate().isoformat())
    page.fill("#id_land_price-receipt", "非税缴款书 0001")
    submit(page, "land_price")
    assert page.inner_text("#state") == "已缴纳地价款，待登记"
    assert "京海规自出让〔2026〕1号" in page.inner_text("#transfer")
    assert "不动产登记截止" in page.inner_text("#deadlines")
    screenshot("assessments_4_transferred")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot("assessments_4_transferred_390")


def test_fail_then_exit(page, login_as, screenshot, beijing):
    contract = award_and_lease(page, login_as, beijing, number="HD-2026-002")
    report_and_apply(page, login_as, contract, "5000")
    login_as("haidian_staff")
    page.goto(page.base_url + contract.get_absolute_url())
    assert "系统依据填报值建议：不通过" in page.inner_text("#form-assessment_decide")
    page.select_option("#id_assessment_decide-passed", "0")
    page.fill("#id_assessment_decide-notice_number", "海规自考〔2026〕2号")
    submit(page, "assessment_decide")
    confirm(page, "assessment_decide", "前退出")
    assert page.inner_text("#state") == "考核未通过"
    assert "退出截止" in page.inner_text("#countdown")
    submit(page, "exit_complete")
    assert page.inner_text("#state") == "已退出收回"
    assert "注销" in page.inner_text("#timeline")
    screenshot("assessments_5_exited")


def test_renewal_moves_deadlines(page, login_as, screenshot, beijing):
    contract = award_and_lease(page, login_as, beijing, number="HD-2026-003")
    old_end = contract.lease_end
    login_as("qiye")
    page.goto(page.base_url + contract.get_absolute_url())
    page.fill("#id_renewal_apply-years", "3")
    page.fill("#id_renewal_apply-reason", "进口设备交付延期")
    submit(page, "renewal_apply")
    assert "R21" in page.inner_text("#form-renewal_apply")  # refused: more than 2 years
    page.fill("#id_renewal_apply-years", "2")
    page.fill("#id_renewal_apply-reason", "进口设备交付延期")
    submit(page, "renewal_apply")
    assert page.inner_text("#state") == "已申请续租"
    login_as("haidian_staff")
    page.goto(page.base_url + contract.get_absolute_url())
    page.select_option("#id_renewal_decide-approved", "1")
    page.fill("#id_renewal_decide-approval_reference", "海政批〔2026〕9号")
    submit(page, "renewal_decide")
    contract.refresh_from_db()
    assert contract.lease_end == old_end.replace(year=old_end.year + 2)
    assert contract.lease_end.isoformat() in page.inner_text("#deadlines")
    assert "600.0000" in page.inner_text("#figures") or "300.0000" in page.inner_text("#figures")
    screenshot("assessments_6_renewed")
    page.goto(page.base_url + "/contracts/public/")
    assert "HD-LTT-01" in page.inner_text("#supplied")
    screenshot("assessments_7_public")


def test_consistency_page_for_city_staff(page, login, screenshot):
    """The city page lists every inconsistency with its rule; the Beijing source's own 80 ha
    difference is shown with its explanation."""
    from landsupply.models import Jurisdiction, User
    from plans.seed import seed_plans
    from tests.factories import UserFactory

    seed_jurisdictions()
    seed_land_use_categories()
    seed_plans()
    UserFactory(
        username="bj_city",
        role=User.Role.CITY,
        jurisdiction=Jurisdiction.objects.get(code="beijing"),
    )
    login("bj_city")
    page.goto(page.base_url + "/consistency/")
    table = page.inner_text("#findings")
    assert "R5-split-categories" in table and "1570–1590" in table and "已说明" in table
    screenshot("consistency_desktop")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot("consistency_390")
