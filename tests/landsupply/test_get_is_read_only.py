"""GET never changes data (issue 8): every page of the site and of the admin, opened by a demo
user of every role, writes nothing to the database.

Each GET runs with the statements it sends recorded; an INSERT, UPDATE or DELETE fails the test
unless it was rolled back with its savepoint (the adjustment preview computes the after-figures
by applying the change inside a savepoint and rolling it back). Sessions are not data. The list of
pages is read from the URL configuration, so a new page is opened too (a page that needs an
object must name it in OBJECT_OF, or this test says so).
"""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Contract, IndicatorReport
from boundaries.models import BoundaryImport
from landsupply.models import User
from parcels.models import Parcel, ParcelImport
from plans import services as plan_services
from plans.models import AdjustmentRequest, AnnualPlan

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
NOT_DATA = ("django_session",)
SAVEPOINT = re.compile(r'^\s*SAVEPOINT\s+"?(\w+)"?', re.IGNORECASE)
ROLLBACK_TO = re.compile(r'^\s*ROLLBACK\s+TO\s+SAVEPOINT\s+"?(\w+)"?', re.IGNORECASE)
RELEASE = re.compile(r'^\s*RELEASE\s+SAVEPOINT\s+"?(\w+)"?', re.IGNORECASE)

# URL name → which demo object fills its <pk> (pages with other arguments list them all).
OBJECT_OF = {
    "notification_read": "notification",
    "plans:supplement_window": "plan",
    "plans:plan_edit": "plan",
    "plans:plan_publish": "plan",
    "plans:milestones": "plan",
    "plans:ranking": "plan",
    "plans:year_close": "plan",
    "plans:adjustment_detail": "adjustment",
    "plans:adjustment_file": "adjustment",
    "plans:adjustment_approve": "adjustment",
    "plans:adjustment_reject": "adjustment",
    "plans:submission_detail": "submission",
    "plans:submission_comparison": "submission",
    "plans:submission_set_listed": "submission",
    "plans:submission_submit": "submission",
    "plans:submission_return": "submission",
    "plans:submission_accept": "submission",
    "parcels:detail": "parcel",
    "parcels:update": "parcel",
    "parcels:record_supply": "parcel",
    "parcels:import_detail": "import",
    "parcels:import_confirm": "import",
    "parcels:import_status": "import",
    "parcels:import_errors": "import",
    "parcels:import_retry": "import",
    "boundaries:import_detail": "boundary_import",
    "boundaries:import_confirm": "boundary_import",
    "assessments:evidence": "report",
    "assessments:contract_detail": "contract",
    "assessments:notice": "decided_contract",
    "assessments:notice_pdf": "decided_contract",
    "assessments:action": "contract",
}
# The API (under /api/ and its alias /api/v1/): GET on a POST-only action answers 405.
for _namespace in ("api", "api_v1"):
    OBJECT_OF.update(
        {
            f"{_namespace}:parcel-detail": "parcel",
            f"{_namespace}:plan-detail": "plan",
            f"{_namespace}:plan-report": "plan",
            f"{_namespace}:contract-detail": "contract",
            f"{_namespace}:notification-read": "notification",
        }
    )
    OBJECT_OF.update(
        {
            f"{_namespace}:contract-{action.replace('_', '-')}": "contract"
            for action in (
                "indicator",
                "template",
                "start_lease",
                "report",
                "assessment_apply",
                "assessment_decide",
                "transfer_apply",
                "notice_receipt",
                "transfer_contract",
                "land_price",
                "title_register",
                "renewal_apply",
                "renewal_decide",
                "exit_apply",
                "exit_complete",
                "violation",
            )
        }
    )


def writes(statements: list[str]) -> list[str]:
    """The writes among `statements` that were not undone by a savepoint rollback."""
    kept: list[list[str]] = [[]]
    names: list[str] = []
    for sql in statements:
        if match := SAVEPOINT.match(sql):
            names.append(match.group(1))
            kept.append([])
        elif (match := ROLLBACK_TO.match(sql)) and match.group(1) in names:
            depth = names.index(match.group(1))
            del names[depth:], kept[depth + 1 :]
        elif (match := RELEASE.match(sql)) and match.group(1) in names:
            depth = names.index(match.group(1))
            released = [w for level in kept[depth + 1 :] for w in level]
            del names[depth:], kept[depth + 1 :]
            kept[-1] += released
        elif WRITE.match(sql) and not any(table in sql for table in NOT_DATA):
            kept[-1].append(sql)
    return [w for level in kept for w in level]


def test_the_write_detector_sees_kept_writes_and_ignores_rolled_back_ones():
    assert writes(['UPDATE "t" SET a=1']) == ['UPDATE "t" SET a=1']
    assert (
        writes(['SAVEPOINT "s1"', "INSERT INTO t VALUES (1)", 'ROLLBACK TO SAVEPOINT "s1"']) == []
    )
    assert writes(['SAVEPOINT "s1"', "DELETE FROM t", 'RELEASE SAVEPOINT "s1"']) == [
        "DELETE FROM t"
    ]
    assert writes(['UPDATE "django_session" SET x=1']) == []


def _url_names():
    """Every named URL of the project's pages with the names of its arguments."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, list(pattern.pattern.converters)

    return sorted(set((name, tuple(args)) for name, args in walk(get_resolver().url_patterns, "")))


def _admin_urls(objects):
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        first = model._default_manager.first()
        if first is not None:
            urls += [reverse(f"{info}_change", args=[first.pk])]
            urls += [reverse(f"{info}_history", args=[first.pk])]
    urls.append(reverse("admin:auth_user_password_change", args=[objects["user"].pk]))
    return urls


@pytest.fixture
def demo_site():
    """What `make run` loads, plus one object of each kind a page needs."""
    call_command("seed_plans", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    haidian = User.objects.get(username="haidian")
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    targets = {t.code: t for t in plan.category_targets.all()}
    draft = plan_services.adjustment_create(
        user=haidian,
        plan=plan,
        reason="演示调剂",
        items=[
            {
                "kind": "move_area",
                "from_target": targets["residential"],
                "to_target": targets["commercial"],
                "area_ha": 1,
            }
        ],
    )
    AdjustmentRequest.objects.filter(pk=draft.pk).update(status=AdjustmentRequest.Status.FILED)
    contract = Contract.objects.filter(enterprise__users__username="enterprise").first()
    decided = Contract.objects.filter(assessment__passed__isnull=False).first()
    objects = {
        "plan": plan,
        "adjustment": draft,
        # daxing's list: haidian (the district user below) has none yet, as on a first visit
        "submission": plan_services.submission_start(
            user=User.objects.get(username="daxing"), plan=plan
        ),
        "parcel": Parcel.objects.filter(district=haidian.district).first(),
        "import": ParcelImport.objects.create(
            user=haidian,
            district=haidian.district,
            file="parcel_imports/demo.csv",
            original_name="demo.csv",
            status=ParcelImport.Status.INVALID,
            errors=[{"row": 2, "column": "面积", "message": "不是数字"}],
        ),
        "boundary_import": BoundaryImport.objects.create(
            user=haidian,
            district=haidian.district,
            file="boundary_imports/demo.txt",
            original_name="demo.txt",
            status=BoundaryImport.Status.INVALID,
            report={"parcels": [], "errors": [{"code": "HD-X", "where": "", "message": "演示"}]},
        ),
        "contract": contract,
        "decided_contract": decided or contract,
        "report": IndicatorReport.objects.first() or contract,
        "notification": haidian.notifications.create(title="演示通知"),
        "user": haidian,
    }
    return objects


# One demo user of each role (the others of a role see the same pages with other rows).
ONE_OF_EACH_ROLE = ["admin", "city", "haidian", "enterprise"]


def test_no_get_writes_for_any_demo_role(demo_site):
    pages, missing = [], []
    for name, args in _url_names():
        if not args:
            pages.append(reverse(name))
        elif name in OBJECT_OF:
            kwargs = {"pk": demo_site[OBJECT_OF[name]].pk}
            if "action" in args:
                kwargs["action"] = "assessment_apply"
            pages.append(reverse(name, kwargs=kwargs))
        else:
            missing.append(name)
    assert not missing, f"name the object these pages need in OBJECT_OF: {missing}"
    pages += [f"{reverse('plans:overview')}?plan={demo_site['plan'].pk}&district=haidian"]
    admin_pages = _admin_urls(demo_site)

    found = []
    assert set(
        User.objects.filter(username__in=ONE_OF_EACH_ROLE).values_list("role", flat=True)
    ) == set(User.Role.values)
    for user in User.objects.filter(username__in=ONE_OF_EACH_ROLE):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url in pages + (admin_pages if user.is_staff else []):
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            found += [(user.username, url, sql[:120]) for sql in writes([q["sql"] for q in ctx])]
    assert not found, "\n".join(map(str, found))
