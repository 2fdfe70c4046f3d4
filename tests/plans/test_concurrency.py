"""Two people change one adjustment or one submission at the same moment (PostgreSQL, two
threads with their own connections). Every service locks in one order (landsupply.locking):
nobody deadlocks, exactly the changes of one serial order happen, and the loser gets a
ValidationError saying the record changed meanwhile — shown as a page message, never a 500."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from plans import services
from plans.models import AdjustmentRequest, AnnualPlan, CategoryTarget, DistrictSubmission
from tests.concurrency import ROUNDS, kinds, needs_postgres, race, refusals
from tests.factories import (
    AnnualPlanFactory,
    CategoryTargetFactory,
    CityUserFactory,
    DistrictFactory,
    DistrictUserFactory,
    ParcelFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = AdjustmentRequest.Status
LOSER = "刚被其他人处理"


@pytest.fixture
def plan_setup():
    needs_postgres()
    plan = AnnualPlanFactory()
    CategoryTargetFactory(plan=plan, code="residential", target_min_ha=Decimal("50"))
    CategoryTargetFactory(plan=plan, code="commercial", target_min_ha=Decimal("50"))
    district = DistrictFactory(jurisdiction=plan.jurisdiction)
    return {
        "plan": plan,
        "district": district,
        "district_user": DistrictUserFactory(district=district),
        "city": CityUserFactory(jurisdiction=plan.jurisdiction),
        "other_city": CityUserFactory(jurisdiction=plan.jurisdiction),
    }


def filed_adjustment(setup, area="5"):
    """A filed request moving `area` ha from residential to commercial, parcel-free."""
    targets = {t.code: t for t in setup["plan"].category_targets.all()}
    adjustment = services.adjustment_create(
        user=setup["district_user"],
        plan=setup["plan"],
        reason="调剂",
        items=[
            {
                "kind": "move_area",
                "from_target": targets["residential"],
                "to_target": targets["commercial"],
                "area_ha": Decimal(area),
            }
        ],
    )
    AdjustmentRequest.objects.filter(pk=adjustment.pk).update(status=S.FILED)
    return AdjustmentRequest.objects.get(pk=adjustment.pk)


def residential_min(plan):
    return CategoryTarget.objects.get(plan=plan, code="residential").target_min_ha


def test_approve_and_reject_at_once_decide_it_once(plan_setup):
    """The reported deadlock: approve locked the plan then the request, reject the request then
    (through its foreign-key check) the plan."""
    plan = plan_setup["plan"]
    for _round in range(ROUNDS):
        adjustment = filed_adjustment(plan_setup)
        version, before = AnnualPlan.objects.get(pk=plan.pk).version, residential_min(plan)
        outcomes = race(
            lambda a=adjustment: services.adjustment_approve(
                user=plan_setup["city"], adjustment=a, comment="同意"
            ),
            lambda a=adjustment: services.adjustment_reject(
                user=plan_setup["other_city"], adjustment=a, comment="不同意"
            ),
        )
        assert kinds(outcomes) == ["ok", "refused"]
        assert LOSER in refusals(outcomes)[0]
        adjustment.refresh_from_db()
        approved = outcomes[0][0] == "ok"
        assert adjustment.status == (S.APPROVED if approved else S.REJECTED)
        assert AnnualPlan.objects.get(pk=plan.pk).version == version + approved
        assert residential_min(plan) == before - (Decimal("5") if approved else 0)
        assert adjustment.history.count() == 2  # created, decided: the loser left no row


def test_two_approvals_at_once_apply_it_once(plan_setup):
    plan = plan_setup["plan"]
    for _round in range(ROUNDS):
        adjustment = filed_adjustment(plan_setup)
        version, before = AnnualPlan.objects.get(pk=plan.pk).version, residential_min(plan)
        outcomes = race(
            *[
                lambda a=adjustment, u=user: services.adjustment_approve(user=u, adjustment=a)
                for user in (plan_setup["city"], plan_setup["other_city"])
            ]
        )
        assert kinds(outcomes) == ["ok", "refused"]
        assert "“已批准”" in refusals(outcomes)[0]
        assert AnnualPlan.objects.get(pk=plan.pk).version == version + 1
        assert residential_min(plan) == before - Decimal("5")


def test_approve_and_reject_through_the_pages_tell_the_loser(plan_setup):
    """The view path: both clicks answer with a redirect (no 500); the loser's page says the
    request was decided by someone else."""
    adjustment = filed_adjustment(plan_setup)
    clients = []
    for user in (plan_setup["city"], plan_setup["other_city"]):
        client = Client()
        client.force_login(user)
        clients.append(client)

    def click(client, action):
        url = reverse(f"plans:adjustment_{action}", args=[adjustment.pk])
        # "confirmed": a rejection is made once its consequence was confirmed
        response = client.post(url, {"comment": "意见", "confirmed": "1"}, follow=True)
        return response.status_code, response.content.decode()

    outcomes = race(
        lambda: click(clients[0], "approve"),
        lambda: click(clients[1], "reject"),
    )
    pages = [page for _kind, (status, page) in outcomes]
    assert [status for _kind, (status, _page) in outcomes] == [200, 200]
    assert sum(LOSER in page for page in pages) == 1
    assert sum(("已批准，调整已计入计划" in p) or ("已驳回。" in p) for p in pages) == 1


# --- district submissions (R9) ------------------------------------------------------------


@pytest.fixture
def submission_setup(plan_setup):
    for code in ("S-1", "S-2"):
        ParcelFactory(district=plan_setup["district"], code=code, plan_year=plan_setup["plan"].year)
    plan_setup["submission"] = services.submission_start(
        user=plan_setup["district_user"], plan=plan_setup["plan"]
    )
    return plan_setup


def _set_status(submission, status):
    DistrictSubmission.objects.filter(pk=submission.pk).update(status=status)


def test_accept_and_return_at_once_decide_it_once(submission_setup):
    submission, city = submission_setup["submission"], submission_setup["city"]
    for _round in range(ROUNDS):
        _set_status(submission, DistrictSubmission.Status.SUBMITTED)
        events = submission.events.count()
        outcomes = race(
            lambda: services.submission_accept(user=city, submission=submission),
            lambda: services.submission_return(
                user=submission_setup["other_city"], submission=submission, comment="补充"
            ),
        )
        assert kinds(outcomes) == ["ok", "refused"]
        assert LOSER in refusals(outcomes)[0]
        accepted = outcomes[0][0] == "ok"
        submission.refresh_from_db()
        assert submission.status == ("accepted" if accepted else "returned")
        assert submission.events.count() == events + 1


def test_submit_and_return_at_once_follow_one_order(submission_setup):
    """A district resubmits from a stale page while city staff return the list. Either the
    return comes first and the resubmission is accepted after it, or the submission is refused
    (already submitted) and the return goes through; never both refused, never an error."""
    submission = submission_setup["submission"]
    for _round in range(ROUNDS):
        _set_status(submission, DistrictSubmission.Status.SUBMITTED)
        events = submission.events.count()
        outcomes = race(
            lambda: services.submission_submit(
                user=submission_setup["district_user"], submission=submission
            ),
            lambda: services.submission_return(
                user=submission_setup["city"], submission=submission, comment="补充"
            ),
        )
        submitted, returned = (kind == "ok" for kind, _value in outcomes)
        assert returned
        submission.refresh_from_db()
        if submitted:
            assert submission.status == "submitted"
            assert submission.events.count() == events + 2
        else:
            assert LOSER in refusals(outcomes)[0]
            assert submission.status == "returned"
            assert submission.events.count() == events + 1


def test_submit_while_a_colleague_changes_the_list(submission_setup):
    """Unticking a parcel and submitting at once: the submission records the list as it was
    when it was submitted, and a change after it is refused."""
    submission = submission_setup["submission"]
    parcels = list(submission.district.parcels.order_by("code"))
    for parcel in parcels:
        _set_status(submission, DistrictSubmission.Status.DRAFT)
        outcomes = race(
            lambda p=parcel: services.submission_set_listed(
                user=submission_setup["district_user"],
                submission=submission,
                parcel=p,
                listed=False,
            ),
            lambda: services.submission_submit(
                user=submission_setup["district_user"], submission=submission
            ),
        )
        changed, submitted = outcomes
        assert submitted[0] == "ok"
        submission.refresh_from_db()
        event = submission.events.latest("at")
        excluded = submission.excluded_parcels.count()
        if changed[0] == "ok":
            assert event.parcel_count == len(parcels) - excluded
        else:
            assert "已报送" in changed[1]
        submission.excluded_parcels.clear()


def test_two_city_staff_create_the_same_years_plan_at_once(plan_setup):
    """No row to lock yet: the unique constraint refuses the second insert, and the loser gets
    the form message, not a 500."""
    jurisdiction = plan_setup["plan"].jurisdiction
    outcomes = race(
        *[
            lambda u=user: services.plan_create(user=u, year=2031, name="2031年度计划")
            for user in (plan_setup["city"], plan_setup["other_city"])
        ]
    )
    assert kinds(outcomes) == ["ok", "refused"]
    # the service's check, the uniqueness check or, when both passed them at once, the
    # database's constraint: each says the year's plan exists
    message = refusals(outcomes)[0]
    assert "年度" in message and ("已有计划" in message or "已经存在" in message)
    assert AnnualPlan.objects.filter(jurisdiction=jurisdiction, year=2031).count() == 1
