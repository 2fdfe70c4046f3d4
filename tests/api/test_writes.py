"""Writes through the API: the pages' forms validate, the services write, errors come back as
JSON with field, rule and a message in the caller's language (issue 13)."""

import datetime
import io
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from api.models import ApiToken
from assessments.models import Contract
from parcels.models import LandUseCategory, Parcel
from plans.models import AnnualPlan

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DECIMAL = re.compile(r"^-?\d+\.\d+$")


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=SHANGHAI)


def _new_parcel(district, **changes) -> dict:
    data = {
        "district": district.pk,
        "code": "API-001",
        "name": "接口新增地块",
        "category": LandUseCategory.objects.get(code="industrial").pk,
        "area": "15",
        "area_unit": "mu",
        "land_source": "new",
        "supply_method": "listing",
        "plan_year": 2024,
        "planned_quarter": 3,
    }
    return {**data, **changes}


def test_district_staff_create_a_parcel_with_the_forms_area_conversion(as_user, demo):
    haidian = demo["haidian"].district
    response = as_user("haidian").post("/api/parcels/", _new_parcel(haidian), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["area_ha"] == "1.0000"  # 15 亩 = 1 公顷, a decimal string
    assert body["district_code"] == haidian.code and body["boundary"] is None
    assert Parcel.objects.get(pk=body["id"]).area_ha == Decimal("1.0000")


def test_parcel_writes_are_refused_to_everyone_but_the_district(as_user, demo):
    haidian = demo["haidian"].district
    data = _new_parcel(haidian)
    for role, status in [("city", 403), ("enterprise", 403), ("admin", 403), (None, 401)]:
        assert as_user(role).post("/api/parcels/", data, format="json").status_code == status
    # another district's staff: haidian is not one of their districts → the form refuses it
    response = as_user("daxing").post("/api/parcels/", data, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "district"
    assert not Parcel.objects.filter(code="API-001").exists()
    parcel = Parcel.objects.filter(district=haidian).first()
    patch = as_user("daxing").patch(f"/api/parcels/{parcel.pk}/", {"name": "x"}, format="json")
    assert patch.status_code == 404


def test_a_patch_changes_only_what_is_sent_and_bad_input_changes_nothing(as_user, demo):
    parcel = Parcel.objects.filter(district=demo["haidian"].district).first()
    client = as_user("haidian")
    response = client.patch(f"/api/parcels/{parcel.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 200, response.content
    parcel.refresh_from_db()
    assert parcel.name == "改名"
    before = parcel.area_ha
    response = client.patch(f"/api/parcels/{parcel.pk}/", {"area": "0"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "area"
    parcel.refresh_from_db()
    assert parcel.area_ha == before


def test_a_duplicate_code_is_refused_naming_the_rule_field(as_user, demo):
    haidian = demo["haidian"].district
    existing = Parcel.objects.filter(district=haidian).first()
    response = as_user("haidian").post(
        "/api/parcels/", _new_parcel(haidian, code=existing.code), format="json"
    )
    assert response.status_code == 400
    assert Parcel.objects.filter(district=haidian, code=existing.code).count() == 1


def test_plan_report_has_the_figures_of_plan_report_json(as_user):
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    with time_machine.travel(_noon(datetime.date(2024, 9, 30)), tick=False):
        api = as_user("city").get(f"/api/plans/{plan.pk}/report/").json()
        out = io.StringIO()
        call_command("plan_report", jurisdiction="beijing", year=2024, format="json", stdout=out)
        district = as_user("haidian").get(f"/api/plans/{plan.pk}/report/").json()
        out_haidian = io.StringIO()
        call_command(
            "plan_report",
            jurisdiction="beijing",
            year=2024,
            district="haidian",
            format="json",
            stdout=out_haidian,
        )
    assert api == json.loads(out.getvalue())
    assert district == json.loads(out_haidian.getvalue())  # district staff: their district
    assert api["total"]["planned_ha"] != district["total"]["planned_ha"]
    assert DECIMAL.match(api["total"]["planned_ha"])


def test_contracts_carry_table_c_dates_and_money_as_strings(as_user, demo):
    contract = Contract.objects.filter(enterprise=demo["enterprise"].enterprise).first()
    body = as_user("enterprise").get(f"/api/contracts/{contract.pk}/").json()
    for field in ("base_price", "lease_rent", "deposit", "annual_rent", "transfer_price"):
        assert isinstance(body[field], str) and DECIMAL.match(body[field]), field
        assert Decimal(body[field]) == getattr(contract, field)
    assert body["assessment_application_due"] == contract.assessment_application_due.isoformat()
    assert {d["rule"] for d in body["deadlines"]} >= {"R18"}


def _leasing_contract(demo) -> Contract:
    return (
        Contract.objects.filter(enterprise=demo["enterprise"].enterprise, state="leasing")
        .order_by("pk")
        .first()
    )


def test_the_holder_applies_for_assessment_and_the_district_decides(as_user, demo):
    contract = _leasing_contract(demo)
    url = f"/api/contracts/{contract.pk}/"
    with time_machine.travel(_noon(contract.assessment_application_due), tick=False):
        # other parties cannot: another enterprise does not see it, the district is not the holder
        assert as_user("enterprise2").post(url + "assessment-apply/").status_code == 404
        assert as_user("haidian").post(url + "assessment-apply/").status_code == 403
        assert as_user("city").post(url + "assessment-apply/").status_code == 403
        response = as_user("enterprise").post(url + "assessment-apply/")
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "assessment_applied"
        decided = as_user("haidian").post(
            url + "assessment-decide/",
            {"passed": "1", "notice_number": "海规自〔2027〕1号", "remarks": ""},
            format="json",
        )
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "passed"


def test_a_late_application_is_refused_with_the_rule_in_the_callers_language(as_user, demo):
    contract = _leasing_contract(demo)
    url = f"/api/contracts/{contract.pk}/assessment-apply/"
    late = contract.assessment_application_due + datetime.timedelta(days=1)
    with time_machine.travel(_noon(late), tick=False):
        zh = as_user("enterprise").post(url)
        en = as_user("enterprise", language="en").post(url)
    assert zh.status_code == en.status_code == 400
    assert zh.json()["errors"][0]["rule"] == en.json()["errors"][0]["rule"] == "R18"
    assert "考核申请" in zh.json()["detail"]
    assert "application period closed" in en.json()["detail"]
    contract.refresh_from_db()
    assert contract.state == "leasing"


def test_tokens_are_stored_hashed_and_stop_working_when_revoked(as_user, demo, client):
    client.force_login(demo["haidian"])
    page = client.post("/api/tokens/", {"name": "区台账系统"}, follow=True)
    token = page.context["new_token"]
    row = ApiToken.objects.get(user=demo["haidian"], name="区台账系统")
    assert token not in (row.digest, row.token_key) and token.startswith(row.token_key)
    assert token not in client.get("/api/tokens/").content.decode()  # shown once
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/plans/", **headers).status_code == 200
    client.post("/api/tokens/revoke/", {"digest": row.digest})
    from rest_framework.test import APIClient

    assert APIClient().get("/api/plans/", **headers).status_code == 401
    # another user's token cannot be revoked by guessing its digest
    other = as_user("daxing")  # noqa: F841 — creates daxing's token
    theirs = ApiToken.objects.get(user=demo["daxing"])
    client.post("/api/tokens/revoke/", {"digest": theirs.digest})
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_the_platform_administrator_gets_no_token(demo, client):
    client.force_login(demo["admin"])
    assert client.get("/api/tokens/").status_code == 403


def test_throttling_is_per_token(as_user, demo, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "3/minute"},
    }
    from django.core.cache import cache

    cache.clear()
    first, second = as_user("haidian"), as_user("haidian")
    assert [first.get("/api/plans/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/plans/").status_code == 200  # another token, its own budget
    assert first.get("/api/plans/").json()["errors"][0]["message"]
    cache.clear()
