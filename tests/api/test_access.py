"""Every endpoint × every role (issue 13): the API is scoped exactly like the pages — a
district sees its district, an enterprise its own contracts, city staff their jurisdiction,
the platform administrator nothing operational, anonymous callers nothing (401)."""

import pytest

from assessments.models import Contract
from parcels.models import Parcel
from plans.models import AnnualPlan

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "city", "zz_city", "haidian", "daxing", "enterprise", "enterprise2", "admin"]


@pytest.fixture
def objects(demo):
    enterprise = demo["enterprise"]
    contract = Contract.objects.filter(enterprise=enterprise.enterprise).order_by("pk").first()
    return {
        "parcel": Parcel.objects.filter(district=demo["haidian"].district).first(),
        "plan": AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024),
        "contract": contract,
    }


def expected(role: str, endpoint: str, objects) -> int:
    """The status each role gets, from the pages' rules (landsupply.access)."""
    if role == "anonymous":
        return 401
    staff = role in ("city", "zz_city", "haidian", "daxing")
    if endpoint in ("notifications", "todo"):
        return 200
    if endpoint in ("parcels", "plans", "plan_report", "parcel", "plan"):
        if not staff:
            return 403
        if endpoint == "parcel":
            return 200 if role in ("city", "haidian") else 404
        if endpoint in ("plan", "plan_report"):
            return 404 if role == "zz_city" else 200
        return 200
    # contracts
    if role == "admin":
        return 403
    if endpoint == "contracts":
        return 200
    contract = objects["contract"]
    sees = {
        "city": True,
        "zz_city": False,
        "haidian": contract.parcel.district.code == "haidian",
        "daxing": contract.parcel.district.code == "daxing",
        "enterprise": True,
        "enterprise2": False,
    }[role]
    return 200 if sees else 404


def urls(objects) -> dict[str, str]:
    return {
        "parcels": "/api/parcels/",
        "parcel": f"/api/parcels/{objects['parcel'].pk}/",
        "plans": "/api/plans/",
        "plan": f"/api/plans/{objects['plan'].pk}/",
        "plan_report": f"/api/plans/{objects['plan'].pk}/report/",
        "contracts": "/api/contracts/",
        "contract": f"/api/contracts/{objects['contract'].pk}/",
        "notifications": "/api/notifications/",
        "todo": "/api/todo/",
    }


def test_every_endpoint_for_every_role(as_user, objects):
    assert objects["contract"].parcel.district.code == "haidian"  # the matrix below relies on it
    wrong = []
    for role in ROLES:
        client = as_user(None if role == "anonymous" else role)
        for endpoint, url in urls(objects).items():
            for prefix in ("/api/", "/api/v1/"):
                response = client.get(url.replace("/api/", prefix, 1))
                want = expected(role, endpoint, objects)
                if response.status_code != want:
                    wrong.append((role, prefix, endpoint, response.status_code, want))
                if want in (401, 403, 404):
                    body = response.json()
                    assert body["errors"][0]["message"] == body["detail"]
    assert not wrong, wrong


def test_a_district_token_lists_only_its_district_parcels(as_user, demo):
    for name in ("haidian", "daxing"):
        district = demo[name].district
        body = as_user(name).get("/api/parcels/", {"page_size": 200}).json()
        assert body["count"] == Parcel.objects.filter(district=district).count() > 0
        assert {row["district_code"] for row in body["results"]} == {district.code}


def test_city_staff_list_their_jurisdiction_only(as_user, demo):
    body = as_user("city").get("/api/parcels/", {"page_size": 200}).json()
    beijing = Parcel.objects.filter(district__jurisdiction__code="beijing")
    assert body["count"] == beijing.count()
    assert Parcel.objects.exclude(district__jurisdiction__code="beijing").exists()


def test_an_enterprise_lists_only_its_own_contracts(as_user, demo):
    for name in ("enterprise", "enterprise2"):
        own = Contract.objects.filter(enterprise=demo[name].enterprise)
        body = as_user(name).get("/api/contracts/").json()
        assert body["count"] == own.count() > 0
        assert {row["id"] for row in body["results"]} == set(own.values_list("pk", flat=True))
    assert (
        Contract.objects.count()
        > Contract.objects.filter(enterprise=demo["enterprise"].enterprise).count()
    )


def test_notifications_are_the_callers_own(as_user, demo):
    demo["haidian"].notifications.create(title="海淀的通知")
    demo["daxing"].notifications.create(title="大兴的通知")
    titles = [n["title"] for n in as_user("haidian").get("/api/notifications/").json()["results"]]
    assert titles == ["海淀的通知"]
    other = demo["daxing"].notifications.get()
    assert as_user("haidian").post(f"/api/notifications/{other.pk}/read/").json() == {"marked": 0}
    other.refresh_from_db()
    assert other.read_at is None
    assert as_user("daxing").post(f"/api/notifications/{other.pk}/read/").json() == {"marked": 1}


def test_filters_of_the_parcel_list_work_and_another_districts_id_is_refused(as_user, demo):
    haidian = demo["haidian"].district
    client = as_user("city")
    body = client.get("/api/parcels/", {"district": haidian.pk, "page_size": 200}).json()
    assert body["count"] == Parcel.objects.filter(district=haidian).count()
    supplied = client.get("/api/parcels/", {"status": "supplied", "page_size": 200}).json()
    assert {row["status"] for row in supplied["results"]} == {"supplied"}
    # daxing staff filtering by haidian: not one of their districts → 400 naming the field
    response = as_user("daxing").get("/api/parcels/", {"district": haidian.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "district"


def test_notifications_with_a_message_id_are_rendered_in_the_callers_language(as_user, demo):
    """Rows written by landsupply.notify store a message id and parameters, not text: the API
    renders them as the notifications page does, in the caller's language."""
    demo["haidian"].notifications.create(
        message_id="lease_reminder",
        params={
            "rule": "R18",
            "number": "ZL-1",
            "label": "考核申请截止日",
            "due": "2027-03-01",
            "when": ["提前 %(d)s 天提醒", {"d": 30}],
            "parcel": "地块一",
            "enterprise": "甲公司",
        },
    )
    zh = as_user("haidian").get("/api/notifications/").json()["results"][0]
    assert zh["message_id"] == "lease_reminder"
    assert zh["title"] == "【R18】ZL-1 考核申请截止日：2027-03-01（提前 30 天提醒）"
    assert "地块一" in zh["body"] and "甲公司" in zh["body"]
    en = as_user("haidian", language="en").get("/api/notifications/").json()["results"][0]
    assert "ZL-1" in en["title"] and "30" in en["title"] and "提前" not in en["title"]


@pytest.mark.parametrize("role", ["city", "haidian", "enterprise", "admin"])
def test_the_todo_endpoint_is_the_callers_own_list(as_user, demo, role):
    """/api/todo/ returns exactly the caller's to-do list (the 待办 page's), in its order."""
    from landsupply import todo

    user = demo[role]
    expected_items = todo.todo_for_user(user, on=todo.today())
    body = as_user(role).get("/api/todo/").json()
    assert [(i["kind"], i["url"]) for i in body] == [(i.kind, i.url) for i in expected_items]
    if role == "admin":
        assert body == []
    if role == "enterprise":  # the demo contracts are placed around the day they are seeded
        assert body, "the demo enterprise has applications due"
        assert all(set(i) >= {"title", "since", "deadline", "days_left", "rule"} for i in body)
