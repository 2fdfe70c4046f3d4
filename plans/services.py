"""Writes of plans: adjustment requests (R7), the mid-year supplement window, district
submissions (R9) and milestone flags (R6).

Every service takes keyword-only arguments, runs in one transaction, validates fully before
saving, and raises PermissionDenied (wrong role or district) or ValidationError (bad input, rule
broken) with a message naming the field, row or rule; nothing is changed then. State changes lock
in the project's one order (landsupply.locking): the plan, then its submission or adjustment,
then parcels; the loser of two concurrent changes gets a ValidationError saying so.
"""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from landsupply import claims, notify, workdays
from landsupply.leads import parse_lead_days, reminder_lead_for
from landsupply.locking import lock, refuse_duplicate
from landsupply.models import District, Ring, User
from parcels.models import LandUseCategory, Parcel
from plans import rules, spreadsheet
from plans.models import (
    AdjustmentItem,
    AdjustmentRequest,
    AnnualPlan,
    CategoryTarget,
    DistrictAllocation,
    DistrictSubmission,
    Milestone,
    MilestoneFlag,
    PlanYearClose,
    PolicyRatioTarget,
    RingShareTarget,
    SubmissionEvent,
)
from plans.selectors import (
    milestone_matrix,
    milestones_passed,
    plan_progress,
    plan_ranking,
    plan_rule_set_in_effect,
    plan_spec,
    ranking_rows_dump,
    submission_parcels,
)


class _Rollback(Exception):
    pass


def _lock_plan(pk) -> AnnualPlan:
    """The plan row locked (first in the lock order, landsupply.locking), jurisdiction read."""
    return lock(AnnualPlan.objects.select_related("jurisdiction"), pk)


def _not_filed(adjustment_pk) -> ValidationError:
    """The loser's message when an adjustment is no longer awaiting a decision."""
    status = AdjustmentRequest.objects.get(pk=adjustment_pk).get_status_display()
    return ValidationError(
        _("该申请当前为“%(status)s”，不是待审批状态（可能刚被其他人处理），未作任何更改。")
        % {"status": status}
    )


def _require_city_staff(user: User, plan: AnnualPlan) -> None:
    if not (user.is_city_staff and user.jurisdiction_id == plan.jurisdiction_id):
        raise PermissionDenied(_("只有本市的市级工作人员可以执行此操作。"))


def _require_own_district(user: User, district) -> None:
    if not (user.is_district_staff and user.district_id == district.pk):
        raise PermissionDenied(_("只能操作本区的计划调整。"))


def _check_filing_date(*, plan: AnnualPlan, filed_on) -> None:
    """Raise ValidationError if an adjustment of `plan` may not be filed on `filed_on` (R7)."""
    rule_set = plan_rule_set_in_effect(jurisdiction=plan.jurisdiction, on=filed_on)
    deadline = None
    if rule_set is not None:
        deadline = rules.adjustment_deadline(
            year=plan.year,
            month=rule_set.adjustment_deadline_month,
            day=rule_set.adjustment_deadline_day,
            period_end=workdays.deadline,
        )
    if not rules.adjustment_filing_allowed(
        filed_on=filed_on, deadline=deadline, supplement_window_open=plan.supplement_window_open
    ):
        raise ValidationError(
            _(
                "计划调整申请须在 %(deadline)s（含当日）前报送，今天是 %(today)s，已过截止日期"
                "（R7，%(citation)s）。如确需增补，请市级工作人员开放年中增补窗口。"
            )
            % {
                "deadline": deadline.isoformat(),
                "today": filed_on.isoformat(),
                "citation": rule_set.citation,
            }
        )


def _validate_items(*, plan: AnnualPlan, district, items: list[dict]) -> list[AdjustmentItem]:
    if not items:
        raise ValidationError(_("调整申请至少须包含一项调整内容。"))
    result = []
    for number, fields in enumerate(items, start=1):
        item = AdjustmentItem(**fields)
        try:
            item.clean_fields(exclude=["request"])
            item.clean()
        except ValidationError as exc:
            parts = []
            for field, messages in exc.message_dict.items():
                label = (
                    ""
                    if field == "__all__"
                    else f"{AdjustmentItem._meta.get_field(field).verbose_name}："
                )
                parts += [f"{label}{m}" for m in messages]
            raise ValidationError(
                _("第 %(n)s 项：%(error)s") % {"n": number, "error": "；".join(parts)}
            ) from exc
        for target in (item.from_target, item.to_target):
            if target is not None and target.plan_id != plan.pk:
                raise ValidationError(
                    _("第 %(n)s 项：类别「%(t)s」不属于该计划。") % {"n": number, "t": target}
                )
        parcel = item.parcel
        if parcel is not None:
            if parcel.district_id != district.pk:
                raise ValidationError(
                    _("第 %(n)s 项：地块 %(code)s 不属于%(district)s。")
                    % {"n": number, "code": parcel.code, "district": district}
                )
            if item.kind == AdjustmentItem.Kind.REMOVE_PARCEL and not (
                parcel.plan_year == plan.year
                and parcel.status == Parcel.Status.PLANNED
                and not parcel.inclusion_pending
            ):
                raise ValidationError(
                    _("第 %(n)s 项：地块 %(code)s 不是本年度计划内待供应的地块，不能调出。")
                    % {"n": number, "code": parcel.code}
                )
            if item.kind == AdjustmentItem.Kind.ADD_PARCEL and not (
                parcel.plan_year == plan.year
                and parcel.inclusion_pending
                and parcel.status != Parcel.Status.WITHDRAWN
            ):
                raise ValidationError(
                    _(
                        "第 %(n)s 项：地块 %(code)s 不是本年度待纳入的地块，只有计划发布后新增、"
                        "标为“待纳入”的地块可以增补。"
                    )
                    % {"n": number, "code": parcel.code}
                )
        result.append(item)
    return result


@transaction.atomic
def adjustment_create(
    *, user: User, plan: AnnualPlan, reason: str, items: list[dict]
) -> AdjustmentRequest:
    """Create and return a draft adjustment request of the user's district for `plan` (R7).

    `items` are AdjustmentItem fields: {"kind", "from_target", "to_target", "area_ha" (ha)} or
    {"kind", "parcel"}. Raises PermissionDenied unless the user is district staff of the plan's
    jurisdiction; ValidationError if the plan is not published, the reason is empty, or an item
    is invalid (message names the item number).
    Rule R7, 郑州市市本级2024年度国有建设用地供应计划 §六(四).
    """
    district = user.district
    if not user.is_district_staff or district.jurisdiction_id != plan.jurisdiction_id:
        raise PermissionDenied(_("只有本市的区级工作人员可以申请计划调整。"))
    if not plan.is_published:
        raise ValidationError(_("计划尚未发布，不能申请调整。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写调整理由（R7 要求书面说明）。")})
    checked = _validate_items(plan=plan, district=district, items=items)
    adjustment = AdjustmentRequest(plan=plan, district=district, reason=reason, created_by=user)
    adjustment.full_clean()
    adjustment.save()
    for item in checked:
        item.request = adjustment
        item.full_clean()
        item.save()
    return adjustment


@transaction.atomic
def adjustment_file(*, user: User, adjustment: AdjustmentRequest) -> AdjustmentRequest:
    """File a draft adjustment with the city today (Asia/Shanghai) and return it (R7).

    Raises ValidationError after the jurisdiction's deadline (Zhengzhou: 1 June) unless city
    staff opened a mid-year supplement window, or when it is not a draft any more;
    PermissionDenied for another district.
    Rule R7, 郑州市市本级2024年度国有建设用地供应计划 §六(四); 北京市2024年度建设用地供应计划 §三(三).
    """
    _require_own_district(user, adjustment.district)
    today = timezone.localdate()
    plan = _lock_plan(adjustment.plan_id)  # the supplement window cannot close meanwhile
    _check_filing_date(plan=plan, filed_on=today)
    updated = AdjustmentRequest.objects.filter(
        pk=adjustment.pk, status=AdjustmentRequest.Status.DRAFT
    ).update(status=AdjustmentRequest.Status.FILED, filed_on=today)
    if updated != 1:
        raise ValidationError(_("该申请已报送或已处理，不能重复报送。"))
    adjustment.refresh_from_db()
    adjustment.save()  # record the transition in the history, with the request's user
    _notify_adjustment(adjustment, "adjustment_filed", notify.city_staff(plan.jurisdiction_id))
    return adjustment


def _notify_adjustment(adjustment: AdjustmentRequest, message: str, recipients) -> None:
    """Tell `recipients` (after the commit) that `adjustment` moved on (R7)."""
    notify.notify(
        recipients=recipients,
        message=message,
        params={
            "number": adjustment.pk,
            "district": adjustment.district.name,
            "year": adjustment.plan.year,
            "reason": adjustment.reason,
            "comment": adjustment.decision_comment,
        },
        url=reverse("plans:adjustment_detail", args=[adjustment.pk]),
    )


def _chain(target: CategoryTarget | None, by_id: dict) -> list[CategoryTarget]:
    chain = []
    while target is not None:
        chain.append(target)
        target = by_id.get(target.parent_id)
    return chain


def _apply(*, adjustment: AdjustmentRequest, plan: AnnualPlan) -> None:
    """Apply the items of `adjustment` to `plan` and its parcels (caller holds the plan lock)."""
    targets = {t.pk: t for t in plan.category_targets.all()}
    changed: dict[int, CategoryTarget] = {}
    for item in adjustment.items.select_related("parcel"):
        if item.kind == AdjustmentItem.Kind.MOVE_AREA:
            area = item.area_ha
            source = _chain(targets.get(item.from_target_id), targets)
            sink = _chain(targets.get(item.to_target_id), targets)
            common = {t.pk for t in source} & {t.pk for t in sink}
            for target, sign in [(t, -1) for t in source] + [(t, 1) for t in sink]:
                if target.pk in common:
                    continue
                if target.target_min_ha is None:
                    raise ValidationError(
                        _("类别「%(t)s」没有指标，不能调剂面积。") % {"t": target.name}
                    )
                target.target_min_ha += sign * area
                target.target_max_ha += sign * area
                if target.target_min_ha < 0:
                    raise ValidationError(
                        _("类别「%(t)s」调出 %(a)s 公顷后指标为负。")
                        % {"t": target.name, "a": area}
                    )
                changed[target.pk] = target
            if not source:
                plan.total_min_ha += area
                plan.total_max_ha += area
            if not sink:
                plan.total_min_ha -= area
                plan.total_max_ha -= area
        else:
            parcel = item.parcel
            if item.kind == AdjustmentItem.Kind.ADD_PARCEL:
                if not (parcel.inclusion_pending and parcel.plan_year == plan.year):
                    raise ValidationError(
                        _("地块 %(code)s 已不是待纳入状态，不能增补。") % {"code": parcel.code}
                    )
                parcel.inclusion_pending = False
            else:
                parcel.status = Parcel.Status.WITHDRAWN
            parcel.full_clean()
            parcel.save()
    errors = []
    for target in targets.values():
        children = [t for t in targets.values() if t.parent_id == target.pk]
        errors += [
            f"{target.name}：{e}"
            for e in rules.children_fit_errors(
                parent=rules.Range(target.target_min_ha, target.target_max_ha),
                children=[
                    (c.name, rules.Range(c.target_min_ha, c.target_max_ha)) for c in children
                ],
                partition=target.children_partition,
            )
        ]
    if errors:
        raise ValidationError(_("调整后下级指标超出上级指标（R2）：") + "；".join(errors))
    for target in changed.values():
        target.full_clean()
        target.save()
    plan.full_clean()
    plan.save()


def _summary(progress: dict) -> dict:
    """The figures shown before/after an adjustment, as JSON-able strings."""

    def s(value):
        return None if value is None else str(value)

    return {
        "total": {
            "target_min_ha": s(progress["total"]["target_min_ha"]),
            "target_max_ha": s(progress["total"]["target_max_ha"]),
            "planned_ha": s(progress["total"]["planned_ha"]),
        },
        "categories": [
            {
                "code": c["code"],
                "name": c["name"],
                "depth": c["depth"],
                "target_min_ha": s(c["target_min_ha"]),
                "target_max_ha": s(c["target_max_ha"]),
                "planned_ha": s(c["planned_ha"]),
            }
            for c in progress["categories"]
        ],
        "rings": [
            {"code": g["code"], "name": g["name"], "planned_share_pct": s(g["planned_share_pct"])}
            for g in progress["rings"]
        ],
        "ratios": [
            {"code": q["code"], "name": q["name"], "planned_pct": s(q["planned_pct"])}
            for q in progress["ratios"]
        ],
        "milestones": [
            {"due_on": m["due_on"].isoformat(), "reached_pct": s(m["reached_pct"])}
            for m in progress["milestones"]
        ],
    }


def adjustment_preview(*, adjustment: AdjustmentRequest) -> dict:
    """Return {"before": summary, "after": summary, "error": str | None} for `adjustment`.

    The change is applied inside a savepoint and rolled back, so the preview is computed by the
    very code that approval runs and nothing is saved. Summaries hold the plan total and
    category targets (ha), planned areas, ring shares, policy ratios and milestone completion
    (strings). "error" says why the change could not be applied (then "after" is None). R7.
    """
    plan = adjustment.plan
    before = _summary(plan_progress(plan=plan))
    after, error = None, None
    try:
        with transaction.atomic():
            locked = _lock_plan(plan.pk)  # the lock order of approval, whose writes it makes
            _apply(adjustment=adjustment, plan=locked)
            after = _summary(plan_progress(plan=locked))
            raise _Rollback
    except _Rollback:
        pass
    except ValidationError as exc:
        error = "；".join(exc.messages)
    return {"before": before, "after": after, "error": error}


@transaction.atomic
def adjustment_approve(
    *, user: User, adjustment: AdjustmentRequest, comment: str = "", total_override: bool = False
) -> AdjustmentRequest:
    """Approve a filed adjustment, apply it to the plan once, and return it (R7).

    The plan row is locked first, then the request moves filed → approved with a conditional
    UPDATE (the lock order of landsupply.locking, shared with reject), so two staff approving or
    rejecting at the same moment decide it once; the second gets ValidationError.
    The plan's version goes up by one; plan and targets keep their history (simple-history);
    the before/after figures are stored on the request. A change to the plan total is refused
    unless `total_override` is True. Raises PermissionDenied for anyone but the jurisdiction's
    city staff. Rule R7, 郑州市市本级2024年度国有建设用地供应计划 §六(四) (原则上保持原供地计划规模不变).
    """
    plan = _lock_plan(adjustment.plan_id)
    _require_city_staff(user, plan)
    updated = AdjustmentRequest.objects.filter(
        pk=adjustment.pk, status=AdjustmentRequest.Status.FILED
    ).update(status=AdjustmentRequest.Status.APPROVED)
    if updated != 1:
        raise _not_filed(adjustment.pk)
    adjustment = AdjustmentRequest.objects.get(pk=adjustment.pk)
    rule_set = plan_rule_set_in_effect(jurisdiction=plan.jurisdiction, on=timezone.localdate())
    needs_override = rule_set is None or rule_set.total_change_needs_override
    if (
        needs_override
        and not total_override
        and any(i.changes_total for i in adjustment.items.all())
    ):
        raise ValidationError(
            _(
                "该调整会改变计划总量；原则上保持原供地计划规模不变（R7），如确需调整请勾选“批准调整计划总量”。"
            )
        )
    before = _summary(plan_progress(plan=plan))
    _apply(adjustment=adjustment, plan=plan)
    plan.version += 1
    plan.save()
    adjustment.decided_by = user
    adjustment.decided_at = timezone.now()
    adjustment.decision_comment = comment
    adjustment.total_override = total_override
    adjustment.applied_version = plan.version
    adjustment.effect = {"before": before, "after": _summary(plan_progress(plan=plan))}
    adjustment.full_clean()
    adjustment.save()
    _notify_adjustment(
        adjustment, "adjustment_approved", notify.district_staff(adjustment.district_id)
    )
    return adjustment


@transaction.atomic
def adjustment_reject(
    *, user: User, adjustment: AdjustmentRequest, comment: str
) -> AdjustmentRequest:
    """Reject a filed adjustment with a comment and return it; the plan is unchanged (R7).

    Locks the plan first, as approval does (landsupply.locking). Raises PermissionDenied for
    anyone but the jurisdiction's city staff; ValidationError without a comment or when the
    request is not filed (e.g. approved meanwhile).
    """
    plan = _lock_plan(adjustment.plan_id)
    _require_city_staff(user, plan)
    if not comment.strip():
        raise ValidationError({"decision_comment": _("驳回时请填写审批意见。")})
    updated = AdjustmentRequest.objects.filter(
        pk=adjustment.pk, status=AdjustmentRequest.Status.FILED
    ).update(status=AdjustmentRequest.Status.REJECTED)
    if updated != 1:
        raise _not_filed(adjustment.pk)
    adjustment = AdjustmentRequest.objects.get(pk=adjustment.pk)
    adjustment.decided_by = user
    adjustment.decided_at = timezone.now()
    adjustment.decision_comment = comment
    adjustment.full_clean()
    adjustment.save()
    _notify_adjustment(
        adjustment, "adjustment_rejected", notify.district_staff(adjustment.district_id)
    )
    return adjustment


@transaction.atomic
def plan_supplement_window_set(*, user: User, plan: AnnualPlan, is_open: bool) -> AnnualPlan:
    """Open or close the plan's mid-year supplement window (年中增补) and return the plan.

    While open, districts may file adjustments after the deadline. Raises PermissionDenied for
    anyone but the jurisdiction's city staff; ValidationError if the jurisdiction's rule set does
    not allow a mid-year supplement. Rule R7, 北京市2024年度建设用地供应计划 §三(三).
    """
    plan = _lock_plan(plan.pk)
    _require_city_staff(user, plan)
    rule_set = plan_rule_set_in_effect(jurisdiction=plan.jurisdiction, on=timezone.localdate())
    if is_open and not (rule_set and rule_set.mid_year_supplement_allowed):
        raise ValidationError(
            _("%(j)s 的计划规则不允许年中增补（R7）。") % {"j": plan.jurisdiction}
        )
    plan.supplement_window_open = is_open
    plan.full_clean()
    plan.save()
    return plan


# --- district submissions (R9) ----------------------------------------------------------------


def _listed_figures(submission: DistrictSubmission) -> tuple[int, Decimal]:
    listed = submission_parcels(submission=submission).filter(is_listed=True)
    figures = listed.aggregate(n=Count("pk"), area=Sum("area_ha"))
    return figures["n"], rules.area(figures["area"])


def _event(submission, action, user, comment=""):
    count, area = _listed_figures(submission)
    event = SubmissionEvent(
        submission=submission,
        action=action,
        actor=user,
        at=timezone.now(),
        comment=comment,
        parcel_count=count,
        listed_ha=area,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def submission_start(*, user: User, plan: AnnualPlan) -> DistrictSubmission:
    """Return the user's district submission for `plan`, creating it (as a draft) if needed (R9).

    Raises PermissionDenied unless the user is district staff of the plan's jurisdiction;
    ValidationError if the plan is not published.
    Rule R9, 北京市2024年度建设用地供应计划 (计划指标对应用地清单).
    """
    district = user.district
    if not user.is_district_staff or district.jurisdiction_id != plan.jurisdiction_id:
        raise PermissionDenied(_("只有本市的区级工作人员可以编制本区用地清单。"))
    if not plan.is_published:
        raise ValidationError(_("计划尚未发布，不能编制用地清单。"))
    submission = DistrictSubmission.objects.filter(plan=plan, district=district).first()
    if submission is None:
        submission = DistrictSubmission(plan=plan, district=district)
        submission.full_clean()
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            # Created meanwhile by a colleague of the same district: use theirs.
            submission = DistrictSubmission.objects.get(plan=plan, district=district)
    return submission


@transaction.atomic
def submission_set_listed(
    *, user: User, submission: DistrictSubmission, parcel: Parcel, listed: bool
) -> DistrictSubmission:
    """Put `parcel` on the district's list (listed=True) or take it off, and return the
    submission (R9). Only while the list is being drafted or after it was returned.

    Raises PermissionDenied for anyone but the district's staff; ValidationError when the list
    is submitted/accepted, or the parcel is not one of the district's parcels of the plan year.
    """
    _require_own_district(user, submission.district)
    submission = lock(DistrictSubmission.objects.select_related("plan"), submission.pk)
    if not submission.is_editable:
        raise ValidationError(
            _("用地清单%(status)s，不能再修改；如需修改请市级退回。")
            % {"status": submission.get_status_display()}
        )
    if not submission_parcels(submission=submission).filter(pk=parcel.pk).exists():
        raise ValidationError(
            _("地块 %(code)s 不是本区 %(year)s 年度的计划地块，不能列入清单。")
            % {"code": parcel.code, "year": submission.plan.year}
        )
    if listed:
        submission.excluded_parcels.remove(parcel)
    else:
        submission.excluded_parcels.add(parcel)
    submission.save()  # updated_at and a history row: who changed the list, when
    return submission


def _lock_submission(submission, *, from_statuses) -> DistrictSubmission:
    """Return the submission locked (landsupply.locking) after checking that its status is one
    of `from_statuses`; else ValidationError naming the status it has now (the loser of two
    concurrent transitions gets this)."""
    submission = lock(DistrictSubmission.objects.select_related("plan", "district"), submission.pk)
    if submission.status not in from_statuses:
        raise ValidationError(
            _("用地清单当前为“%(status)s”（可能刚被其他人处理），未作任何更改。")
            % {"status": submission.get_status_display()}
        )
    return submission


def _move(submission: DistrictSubmission, to_status: str) -> DistrictSubmission:
    """Set the status of a submission locked by _lock_submission and save it."""
    submission.status = to_status
    submission.save()  # updated_at and a history row with the request's user
    return submission


def _transition(*, submission, from_statuses, to_status):
    return _move(_lock_submission(submission, from_statuses=from_statuses), to_status)


@transaction.atomic
def submission_submit(
    *, user: User, submission: DistrictSubmission, comment: str = ""
) -> DistrictSubmission:
    """Submit the district's list to city staff and return the submission (R9).

    Allowed from draft or returned (a resubmission). Raises PermissionDenied for anyone but the
    district's staff; ValidationError when the list is empty or already submitted/accepted.
    """
    _require_own_district(user, submission.district)
    submission = _lock_submission(
        submission,
        from_statuses=[DistrictSubmission.Status.DRAFT, DistrictSubmission.Status.RETURNED],
    )
    count, _area = _listed_figures(submission)  # under the lock: the list cannot change now
    if count == 0:
        raise ValidationError(_("用地清单中没有地块，不能报送（R9）。"))
    submission = _move(submission, DistrictSubmission.Status.SUBMITTED)
    event = _event(submission, SubmissionEvent.Action.SUBMIT, user, comment)
    _notify_submission(
        submission,
        event,
        "submission_submitted",
        notify.city_staff(submission.plan.jurisdiction_id),
    )
    return submission


def _notify_submission(submission, event: SubmissionEvent, message: str, recipients) -> None:
    """Tell `recipients` (after the commit) that the district list moved on (R9)."""
    notify.notify(
        recipients=recipients,
        message=message,
        params={
            "district": submission.district.name,
            "year": submission.plan.year,
            "count": event.parcel_count,
            "area": str(event.listed_ha),
            "comment": event.comment,
        },
        url=reverse("plans:submission_detail", args=[submission.pk]),
    )


@transaction.atomic
def submission_return(
    *, user: User, submission: DistrictSubmission, comment: str
) -> DistrictSubmission:
    """Return a submitted list to the district with comments and return the submission (R9).

    Raises PermissionDenied for anyone but the jurisdiction's city staff; ValidationError
    without a comment or when the list is not submitted.
    """
    _require_city_staff(user, submission.plan)
    if not comment.strip():
        raise ValidationError({"comment": _("退回时请填写意见，说明需要修改的内容。")})
    submission = _transition(
        submission=submission,
        from_statuses=[DistrictSubmission.Status.SUBMITTED],
        to_status=DistrictSubmission.Status.RETURNED,
    )
    event = _event(submission, SubmissionEvent.Action.RETURN, user, comment)
    _notify_submission(
        submission, event, "submission_returned", notify.district_staff(submission.district_id)
    )
    return submission


@transaction.atomic
def submission_accept(
    *, user: User, submission: DistrictSubmission, comment: str = ""
) -> DistrictSubmission:
    """Accept a submitted list and return the submission (R9).

    Raises PermissionDenied for anyone but the jurisdiction's city staff; ValidationError when
    the list is not submitted (e.g. accepted or returned meanwhile).
    """
    _require_city_staff(user, submission.plan)
    submission = _transition(
        submission=submission,
        from_statuses=[DistrictSubmission.Status.SUBMITTED],
        to_status=DistrictSubmission.Status.ACCEPTED,
    )
    event = _event(submission, SubmissionEvent.Action.ACCEPT, user, comment)
    _notify_submission(
        submission, event, "submission_accepted", notify.district_staff(submission.district_id)
    )
    return submission


# --- milestone flags (R6) ---------------------------------------------------------------------


def milestone_flags_record(*, as_of=None) -> list[MilestoneFlag]:
    """Store a flag for every milestone of a published plan whose day is over (due_on < as_of,
    default today) and that was missed — for the
    whole plan and for each district — and return the flags created now (R6).

    Idempotent and safe to run in two workers at once: a flag is unique per milestone (and
    district) and inserted with ignore_conflicts, so it is created once and stays, whatever is
    supplied or back-dated later. Completion is counted from parcels supplied on or before the
    milestone date. Rule R6, 郑州市市本级2024年度国有建设用地供应计划 §六(二) 节点管控.
    """
    as_of = as_of or timezone.localdate()
    created = []
    due = list(milestones_passed(as_of=as_of))
    for plan in {m.plan_id: m.plan for m in due}.values():
        matrix = milestone_matrix(plan=plan, as_of=as_of)
        progress_by_milestone = {
            m["due_on"]: m for m in plan_progress(plan=plan, as_of=as_of)["milestones"]
        }
        now = timezone.now()
        candidates = []
        for index, m in enumerate(matrix["milestones"]):
            if m["due_on"] >= as_of:
                continue  # the milestone's day is not over yet
            whole = progress_by_milestone[m["due_on"]]
            if whole["status"] == rules.MISSED:
                candidates.append(
                    MilestoneFlag(
                        milestone_id=m["id"],
                        district=None,
                        required_pct=m["required_pct"],
                        reached_pct=whole["reached_pct"],
                        flagged_at=now,
                    )
                )
            for d in matrix["districts"]:
                cell = d["cells"][index]
                if cell["status"] == rules.MISSED and not cell["flagged"]:
                    candidates.append(
                        MilestoneFlag(
                            milestone_id=m["id"],
                            district_id=d["id"],
                            required_pct=m["required_pct"],
                            reached_pct=cell["reached_pct"],
                            flagged_at=now,
                        )
                    )
        existing = {
            (f.milestone_id, f.district_id)
            for f in MilestoneFlag.objects.filter(milestone__plan=plan)
        }
        new = [f for f in candidates if (f.milestone_id, f.district_id) not in existing]
        with transaction.atomic():
            MilestoneFlag.objects.bulk_create(new, ignore_conflicts=True)
        created += new
    return created


# --- reminders and notices (R6, R7) -----------------------------------------------------------

# A missed milestone is announced when the sweep first sees its flag within this many days of
# the milestone (a sweep that did not run for a while still announces it; history is not).
MISSED_NOTICE_LOOKBACK_DAYS = 31


def plan_reminder_sweep(*, today: datetime.date | None = None) -> list[dict]:
    """Send the plan reminders due on `today` (default the local date) and return one dict per
    notice sent ({"key", "recipients"}).

    - The R7 adjustment deadline (rule set's month and day, moved off a rest day), at each of the
      rule set's lead times (reminder_lead_days, e.g. 30 and 7 days ahead), to the staff of
      every district of the jurisdiction.
    - Each quarterly milestone (R6) at each lead time, to the staff of the districts behind
      schedule (completion as of today below the milestone's cumulative %), with their
      completion.
    - Each missed milestone (milestone_flags_record, run first): to the jurisdiction's city
      staff, and to the district's staff for a district's flag.

    Exactly once: each notice is claimed (landsupply.claims) in the same transaction that
    writes its notifications, so the sweep run twice or in two workers sends nothing twice,
    and a failure rolls the claim back for the next run. Lead times are data
    (PlanRuleSet.reminder_lead_days). Rules R6, R7, 郑州市市本级2024年度国有建设用地供应计划
    §六(二)(四).
    """
    today = today or timezone.localdate()
    milestone_flags_record(as_of=today)
    sent = []

    def send(key, recipients, message, params, url):
        ids = sorted({u.pk for u in recipients})
        if not ids:
            return
        with transaction.atomic():
            if not claims.claim([key]):
                return
            notify.deliver(ids, message=message, params=params, url=url)
        sent.append({"key": key, "recipients": len(ids)})

    plans = list(
        AnnualPlan.objects.filter(
            status=AnnualPlan.Status.PUBLISHED, year__in=[today.year, today.year + 1]
        ).select_related("jurisdiction")
    )
    for plan in plans:
        rule_set = plan_rule_set_in_effect(jurisdiction=plan.jurisdiction, on=today)
        if rule_set is None:
            continue
        leads = parse_lead_days(rule_set.reminder_lead_days)
        deadline = rules.adjustment_deadline(
            year=plan.year,
            month=rule_set.adjustment_deadline_month,
            day=rule_set.adjustment_deadline_day,
            period_end=workdays.deadline,
        )
        lead = deadline and reminder_lead_for(due=deadline, today=today, leads=leads)
        if lead:  # None: not yet; 0: passed — no reminder after the deadline
            districts = District.objects.filter(jurisdiction_id=plan.jurisdiction_id)
            send(
                f"plan-adjustment-deadline:{plan.pk}:{deadline.isoformat()}:{lead}",
                notify.district_staff([d.pk for d in districts]),
                "adjustment_deadline",
                {
                    "year": plan.year,
                    "due": deadline.isoformat(),
                    "days": (deadline - today).days,
                    "citation": rule_set.citation,
                },
                reverse("plans:adjustment_list"),
            )
        upcoming = [
            (m, reminder_lead_for(due=m.due_on, today=today, leads=leads))
            for m in plan.milestones.filter(due_on__gte=today)
        ]
        upcoming = [(m, lead) for m, lead in upcoming if lead]
        if upcoming:
            matrix = milestone_matrix(plan=plan, as_of=today)
            index = {m["id"]: i for i, m in enumerate(matrix["milestones"])}
            for milestone, lead in upcoming:
                for d in matrix["districts"]:
                    cell = d["cells"][index[milestone.pk]]
                    if not d["basis_ha"] or cell["reached_pct"] >= milestone.cumulative_pct:
                        continue
                    send(
                        f"milestone-due:{milestone.pk}:{lead}:district:{d['id']}",
                        notify.district_staff(d["id"]),
                        "milestone_due",
                        {
                            "year": plan.year,
                            "due": milestone.due_on.isoformat(),
                            "days": (milestone.due_on - today).days,
                            "required": str(milestone.cumulative_pct),
                            "reached": str(cell["reached_pct"]),
                            "district": d["name"],
                            "as_of": today.isoformat(),
                        },
                        reverse("plans:milestones", args=[plan.pk]),
                    )
    flags = MilestoneFlag.objects.filter(
        milestone__plan__status=AnnualPlan.Status.PUBLISHED,
        milestone__due_on__gte=today - datetime.timedelta(days=MISSED_NOTICE_LOOKBACK_DAYS),
        milestone__due_on__lt=today,
    ).select_related("milestone__plan", "district")
    for flag in flags:
        plan = flag.milestone.plan
        recipients = list(notify.city_staff(plan.jurisdiction_id))
        if flag.district_id:
            recipients += list(notify.district_staff(flag.district_id))
        send(
            f"milestone-missed:{flag.milestone_id}:{flag.district_id or 'plan'}",
            recipients,
            "milestone_missed",
            {
                "year": plan.year,
                "due": flag.milestone.due_on.isoformat(),
                "required": str(flag.required_pct),
                "reached": str(flag.reached_pct),
                "scope": flag.district.name if flag.district_id else gettext_noop("全市计划"),
            },
            reverse("plans:milestones", args=[plan.pk]),
        )
    return sent


# --- plan-year close (R6, R8) -----------------------------------------------------------------


@transaction.atomic
def plan_year_close(*, user: User, plan: AnnualPlan, today=None) -> PlanYearClose:
    """Close the plan year and return the close: the district ranking with its R8
    recommendation and the year's completion, counted up to 31 December of the plan year, are
    stored, and from then on plan_ranking returns them unchanged.

    Raises PermissionDenied for anyone but the jurisdiction's city staff; ValidationError before
    the year is over (today on or before its 31 December), for a draft plan, or when the year
    is closed already. Rules R6, R8, 郑州市市本级2024年度国有建设用地供应计划 §三、§六(五).
    """
    plan = _lock_plan(plan.pk)
    _require_city_staff(user, plan)
    today = today or timezone.localdate()
    year_end = rules.year_end(plan.year)
    if today <= year_end:
        raise ValidationError(
            _("%(year)s 年度到 %(end)s 才结束，年度结束后方可结转（R8）。")
            % {"year": plan.year, "end": year_end.isoformat()}
        )
    if not plan.is_published:
        raise ValidationError(_("计划尚未发布，不能结转。"))
    if PlanYearClose.objects.filter(plan=plan).exists():
        raise ValidationError(_("%(year)s 年度已结转，排名不再变化。") % {"year": plan.year})
    ranking = plan_ranking(plan=plan, as_of=year_end)
    total = plan_progress(plan=plan, as_of=year_end)["total"]
    close = PlanYearClose(
        plan=plan,
        as_of=year_end,
        closed_on=today,
        closed_by=user,
        ranking=ranking_rows_dump(ranking["rows"]),
        totals={
            key: None if total[key] is None else str(total[key])
            for key in (
                "target_min_ha",
                "target_max_ha",
                "planned_ha",
                "supplied_ha",
                "completion_pct",
            )
        },
    )
    close.full_clean()
    close.save()
    return close


# --- plan set-up by city staff (R1–R6, R10) ---------------------------------------------------

SECTION_LABELS = {
    "plan": gettext_noop("计划总量"),
    "categories": gettext_noop("类别指标"),
    "rings": gettext_noop("圈层占比"),
    "ratios": gettext_noop("政策比例"),
    "milestones": gettext_noop("季度节点"),
    "allocations": gettext_noop("分区指标"),
}


def _row_errors(section: str, row: int | None, exc: ValidationError, model) -> list[str]:
    where = _(SECTION_LABELS[section])
    if row:
        where = _("%(section)s 第 %(row)s 行") % {"section": where, "row": row}
    out = []
    for field, messages in exc.message_dict.items():
        try:
            name = model._meta.get_field(field).verbose_name if field != "__all__" else None
        except Exception:  # noqa: BLE001 — a non-model key: show it as it is
            name = field
        label = _("「%(field)s」") % {"field": name} if name is not None else ""
        out += [
            _("%(where)s%(label)s：%(message)s") % {"where": where, "label": label, "message": m}
            for m in messages
        ]
    return out


def _sync(model, existing: dict, wanted: dict) -> None:
    """Save rows of `wanted` {key: unsaved instance} over `existing` {key: row}: update only when
    a value differs (history stays meaningful), create the new, delete the rest."""
    for key, obj in wanted.items():
        row = existing.get(key)
        if row is None:
            obj.save()
            continue
        changed = False
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            value = getattr(obj, field.attname)
            if getattr(row, field.attname) != value:
                setattr(row, field.attname, value)
                changed = True
        if changed:
            row.save()
        obj.pk = row.pk
    for key, row in existing.items():
        if key not in wanted:
            row.delete()


def _require_draft(plan: AnnualPlan) -> None:
    if plan.is_published:
        raise ValidationError(
            _("计划已发布，不能直接修改；已发布的计划只能通过计划调整变更（R7）。")
        )


@transaction.atomic
def plan_set_targets(*, user: User, plan: AnnualPlan, spec: dict) -> AnnualPlan:
    """Replace the figures of a draft plan with `spec` (the shape of selectors.plan_spec) and
    return the plan: totals (R1), the category tree (R2, R10), ring shares (R3), policy ratios
    (R4), the city/district split and district allocations (R5), milestones (R6).

    All or nothing: every row is checked and all problems are raised together as one
    ValidationError whose messages name the section, row and field; then nothing is saved.
    Checks: each row's fields; children fit inside their parent (R2); district totals add up to
    the district share (R5); milestone percentages rise and end at 100 % (R6). Raises
    PermissionDenied for anyone but the jurisdiction's city staff, ValidationError for a
    published plan (it changes only through adjustments, R7).
    """
    plan = _lock_plan(plan.pk)
    _require_city_staff(user, plan)
    _require_draft(plan)
    errors: list[str] = []
    land_use = {c.code: c for c in LandUseCategory.objects.all()}
    rings = {r.code: r for r in Ring.objects.filter(jurisdiction=plan.jurisdiction)}
    districts = {d.code: d for d in District.objects.filter(jurisdiction=plan.jurisdiction)}

    for name, value in spec.get("plan", {}).items():
        setattr(plan, name, value)
    try:
        plan.full_clean()
    except ValidationError as exc:
        errors += _row_errors("plan", None, exc, AnnualPlan)

    # Categories (R2): codes unique, parents known and listed before their children.
    existing = {t.code: t for t in plan.category_targets.all()}
    targets: dict[str, CategoryTarget] = {}
    links: dict[str, list] = {}
    for index, c in enumerate(spec.get("categories", []), start=1):
        row = c.get("_row", index)
        code = c.get("code") or ""
        if code in targets:
            errors.append(
                _("类别指标 第 %(row)s 行「代码」：代码 %(code)s 重复。")
                % {"row": row, "code": code}
            )
            continue
        parent = None
        if c.get("parent"):
            parent = targets.get(c["parent"])
            if parent is None:
                errors.append(
                    _(
                        "类别指标 第 %(row)s 行「上级指标」：上级代码 %(parent)s "
                        "不存在或排在本行之后。"
                    )
                    % {"row": row, "parent": c["parent"]}
                )
        kept = existing.get(code)
        target = CategoryTarget(
            plan=plan,
            code=code,
            name=c.get("name") or "",
            parent=parent,
            target_min_ha=c.get("target_min_ha"),
            target_max_ha=c.get("target_max_ha"),
            sort_order=index,
            note=c.get("note") or "",
            # A spec without these (e.g. the spreadsheet) keeps what the line had.
            children_partition=c.get(
                "children_partition", kept.children_partition if kept else True
            ),
            responsibility=c.get("responsibility", kept.responsibility if kept else "") or "",
        )
        if code in existing:
            target.pk = existing[code].pk
        unknown = [x for x in c.get("land_use", []) if x not in land_use]
        if unknown:
            errors.append(
                _("类别指标 第 %(row)s 行「计入的用地类型」：未知的用地类型代码 %(codes)s。")
                % {"row": row, "codes": "、".join(unknown)}
            )
        links[code] = [land_use[x] for x in c.get("land_use", []) if x in land_use]
        try:
            target.full_clean(exclude=["plan", "parent"], validate_unique=False)
        except ValidationError as exc:
            errors += _row_errors("categories", row, exc, CategoryTarget)
        targets[code] = target
    children = defaultdict(list)
    for t in targets.values():
        if t.parent is not None:
            children[t.parent.code].append(t)
    for code, kids in children.items():
        parent = targets[code]
        for message in rules.children_fit_errors(
            parent=rules.Range(parent.target_min_ha, parent.target_max_ha),
            children=[(k.name, rules.Range(k.target_min_ha, k.target_max_ha)) for k in kids],
            partition=parent.children_partition,
        ):
            errors.append(
                _("类别指标「%(name)s」：%(error)s（R2 下级须在上级之内）。")
                % {"name": parent.name, "error": message}
            )
    errors += _totals_errors(plan, list(targets.values()))

    ring_rows = {}
    for row, r in enumerate(spec.get("rings", []), start=1):
        row = r.get("_row", row)
        ring = rings.get(r.get("ring"))
        if ring is None:
            errors.append(
                _("圈层占比 第 %(row)s 行「圈层」：%(jurisdiction)s 没有圈层 %(ring)s。")
                % {"row": row, "jurisdiction": plan.jurisdiction, "ring": r.get("ring")}
            )
            continue
        obj = RingShareTarget(
            plan=plan,
            ring=ring,
            share_pct=r.get("share_pct"),
            tolerance_pct=r.get("tolerance_pct")
            if r.get("tolerance_pct") is not None
            else Decimal("5"),
        )
        try:
            obj.full_clean(exclude=["plan"], validate_unique=False)
        except ValidationError as exc:
            errors += _row_errors("rings", row, exc, RingShareTarget)
        ring_rows[ring.code] = obj

    ratio_rows = {}
    for index, q in enumerate(spec.get("ratios", []), start=1):
        row = q.get("_row", index)
        base = None
        if q.get("base_category"):
            base = land_use.get(q["base_category"])
            if base is None:
                errors.append(
                    _("政策比例 第 %(row)s 行「基数用地类型」：未知的用地类型代码 %(code)s。")
                    % {"row": row, "code": q["base_category"]}
                )
        obj = PolicyRatioTarget(
            plan=plan,
            code=q.get("code") or "",
            name=q.get("name") or "",
            condition=q.get("condition") or "",
            base_category=base,
            comparison=q.get("comparison") or "gte",
            threshold_pct=q.get("threshold_pct"),
            citation=q.get("citation") or "",
            sort_order=index,
        )
        try:
            obj.full_clean(exclude=["plan"], validate_unique=False)
        except ValidationError as exc:
            errors += _row_errors("ratios", row, exc, PolicyRatioTarget)
        ratio_rows[obj.code] = obj

    milestone_rows = {}
    for row, m in enumerate(spec.get("milestones", []), start=1):
        row = m.get("_row", row)
        obj = Milestone(plan=plan, due_on=m.get("due_on"), cumulative_pct=m.get("cumulative_pct"))
        try:
            obj.full_clean(exclude=["plan"], validate_unique=False)
        except ValidationError as exc:
            errors += _row_errors("milestones", row, exc, Milestone)
            continue
        if obj.due_on.year != plan.year:
            errors.append(
                _("季度节点 第 %(row)s 行「节点日期」：%(date)s 不在计划年度 %(year)s 内。")
                % {"row": row, "date": obj.due_on, "year": plan.year}
            )
        milestone_rows[obj.due_on] = obj
    errors += [
        _("季度节点：%(error)s（R6）。") % {"error": e}
        for e in rules.milestone_errors(
            [(m.due_on, m.cumulative_pct) for m in milestone_rows.values()]
        )
    ]

    allocation_rows = {}
    for row, a in enumerate(spec.get("allocations", []), start=1):
        row = a.get("_row", row)
        district = districts.get(a.get("district"))
        if district is None:
            errors.append(
                _("分区指标 第 %(row)s 行「区」：%(jurisdiction)s 没有区 %(district)s。")
                % {"row": row, "jurisdiction": plan.jurisdiction, "district": a.get("district")}
            )
            continue
        target = None
        if a.get("category"):
            target = targets.get(a["category"])
            if target is None:
                errors.append(
                    _("分区指标 第 %(row)s 行「类别指标」：计划中没有类别 %(category)s。")
                    % {"row": row, "category": a["category"]}
                )
                continue
        key = (district.code, a.get("category"))
        if key in allocation_rows:
            errors.append(
                _("分区指标 第 %(row)s 行：%(district)s 的该项指标重复。")
                % {"row": row, "district": district}
            )
            continue
        obj = DistrictAllocation(
            plan=plan,
            district=district,
            category_target=target,
            target_min_ha=a.get("target_min_ha"),
            target_max_ha=a.get("target_max_ha"),
            net_reduction_ha=a.get("net_reduction_ha"),
        )
        try:
            obj.full_clean(exclude=["plan", "category_target"], validate_unique=False)
        except ValidationError as exc:
            errors += _row_errors("allocations", row, exc, DistrictAllocation)
        allocation_rows[key] = obj
    totals = [
        rules.Range(a.target_min_ha, a.target_max_ha)
        for (d, cat), a in allocation_rows.items()
        if cat is None and a.target_min_ha is not None and a.target_max_ha is not None
    ]
    district_total = rules.Range(plan.district_target_min_ha, plan.district_target_max_ha)
    if totals and not rules.allocations_add_up(total=district_total, allocations=totals):
        low = sum((r.low for r in totals), Decimal("0"))
        high = sum((r.high for r in totals), Decimal("0"))
        errors.append(
            _(
                "分区指标：各区合计 %(low)s–%(high)s 公顷，与区级责任指标 %(min)s–%(max)s 公顷不符"
                "（R5 各区指标之和须等于区级总指标）。"
            )
            % {
                "low": low,
                "high": high,
                "min": plan.district_target_min_ha,
                "max": plan.district_target_max_ha,
            }
        )
    if errors:
        raise ValidationError(errors)

    plan.save()
    _sync_categories(plan, existing, targets, links)
    _sync(
        RingShareTarget,
        {r.ring.code: r for r in plan.ring_targets.select_related("ring")},
        ring_rows,
    )
    _sync(PolicyRatioTarget, {q.code: q for q in plan.ratio_targets.all()}, ratio_rows)
    _sync(Milestone, {m.due_on: m for m in plan.milestones.all()}, milestone_rows)
    for obj in allocation_rows.values():
        obj.category_target_id = obj.category_target.pk if obj.category_target else None
    _sync(
        DistrictAllocation,
        {
            (a.district.code, a.category_target.code if a.category_target else None): a
            for a in plan.allocations.select_related("district", "category_target")
        },
        allocation_rows,
    )
    return plan


def _totals_errors(plan: AnnualPlan, targets: list[CategoryTarget]) -> list[str]:
    """Return why the plan's totals do not reconcile: the top-level categories with the total
    (R1, R2) and the city + district shares with the total (R5). Messages name the figures."""
    total = rules.Range(plan.total_min_ha, plan.total_max_ha)
    errors = [
        _("类别指标：%(error)s（R1、R2 顶层类别之和须与供应总量相符）。") % {"error": e}
        for e in rules.total_reconcile_errors(
            total=total,
            parts=[
                (t.name, rules.Range(t.target_min_ha, t.target_max_ha))
                for t in targets
                if t.parent is None
            ],
            what=_("顶层类别指标"),
        )
    ]
    city = rules.Range(plan.city_target_min_ha, plan.city_target_max_ha)
    district = rules.Range(plan.district_target_min_ha, plan.district_target_max_ha)
    if city.is_set and district.is_set:
        errors += [
            _("计划总量：%(error)s（R5 市级与区级责任指标之和须与供应总量相符）。") % {"error": e}
            for e in rules.total_reconcile_errors(
                total=total,
                parts=[(_("市级"), city), (_("区级"), district)],
                what=_("市级与区级责任指标"),
            )
        ]
    return errors


def _sync_categories(plan, existing, targets, links):
    """Save the category targets in spec order (parents come first), keeping existing rows."""
    for code, target in targets.items():
        if target.parent is not None:
            target.parent_id = target.parent.pk
        row = existing.get(code)
        if row is None:
            target.pk = None
            target.save()
        else:
            target.pk = row.pk
            fields = [
                "name",
                "parent_id",
                "target_min_ha",
                "target_max_ha",
                "sort_order",
                "note",
                "children_partition",
                "responsibility",
            ]
            if any(getattr(row, f) != getattr(target, f) for f in fields):
                for f in fields:
                    setattr(row, f, getattr(target, f))
                row.save()
            target = row
            targets[code] = row
        wanted = {c.pk for c in links.get(code, [])}
        if set(target.land_use_categories.values_list("pk", flat=True)) != wanted:
            target.land_use_categories.set(wanted)
    for code, row in existing.items():
        if code not in targets:
            row.delete()


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return datetime.date(year, day.month, min(day.day, last))


@transaction.atomic
def plan_create(
    *, user: User, year: int, name: str, copy_from: AnnualPlan | None = None
) -> AnnualPlan:
    """Create and return a draft plan of the user's jurisdiction for `year`, empty or copied from
    `copy_from` (usually last year's: every target copied, milestone dates moved to `year`).

    Raises PermissionDenied for anyone but city staff; ValidationError when the year already
    has a plan or the source plan is of another jurisdiction. Rules R1–R6.
    """
    if not user.is_city_staff or not user.jurisdiction_id:
        raise PermissionDenied(_("只有市级工作人员可以编制年度计划。"))
    if AnnualPlan.objects.filter(jurisdiction_id=user.jurisdiction_id, year=year).exists():
        raise ValidationError({"year": _("%(y)s 年度已有计划。") % {"y": year}})
    spec = None
    if copy_from is not None:
        if copy_from.jurisdiction_id != user.jurisdiction_id:
            raise ValidationError(_("只能复制本市的计划。"))
        spec = plan_spec(plan=copy_from)
        shift = year - copy_from.year
        for m in spec["milestones"]:
            m["due_on"] = _shift_year(m["due_on"], shift)
        spec["plan"]["name"] = name
        spec["plan"]["source"] = ""
    totals = spec["plan"] if spec else {"total_min_ha": Decimal("0"), "total_max_ha": Decimal("0")}
    plan = AnnualPlan(
        jurisdiction_id=user.jurisdiction_id,
        year=year,
        name=name,
        total_min_ha=totals["total_min_ha"],
        total_max_ha=totals["total_max_ha"],
    )
    plan.full_clean()
    with refuse_duplicate({"year": _("%(y)s 年度已有计划。") % {"y": year}}):
        plan.save()
    if spec is not None:
        plan = plan_set_targets(user=user, plan=plan, spec=spec)
    return plan


@transaction.atomic
def plan_publish(*, user: User, plan: AnnualPlan) -> AnnualPlan:
    """Publish a draft plan and return it; from then on it changes only through adjustments (R7).

    Re-checks the plan as plan_set_targets does (raises ValidationError naming every problem) and
    refuses a plan without a total or categories. Raises PermissionDenied for anyone but the
    jurisdiction's city staff; ValidationError if already published.
    """
    plan = _lock_plan(plan.pk)
    _require_city_staff(user, plan)
    _require_draft(plan)
    spec = plan_spec(plan=plan)
    if not plan.total_max_ha or not spec["categories"]:
        raise ValidationError(_("计划须有供应总量和至少一个类别指标才能发布（R1、R2）。"))
    plan = plan_set_targets(user=user, plan=plan, spec=spec)  # validates; saves no change
    plan.status = AnnualPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_import(*, user: User, year: int, name: str, upload) -> AnnualPlan:
    """Create a draft plan of the user's jurisdiction for `year` from a spreadsheet in the plan
    template (plans/spreadsheet.py) and return it; or, when the year has a draft already,
    replace its figures.

    All or nothing: unreadable cells and every rule problem (R1–R6, as plan_set_targets checks)
    are raised together as one ValidationError naming the sheet row and column; then nothing is
    created or changed. Raises PermissionDenied for anyone but city staff; ValidationError when
    the year's plan is published (it changes only through adjustments, R7).
    """
    if not user.is_city_staff or not user.jurisdiction_id:
        raise PermissionDenied(_("只有市级工作人员可以导入年度计划。"))
    spec = spreadsheet.rows_to_spec(spreadsheet.read_rows(upload))
    spec["plan"]["name"] = name
    plan = AnnualPlan.objects.filter(jurisdiction_id=user.jurisdiction_id, year=year).first()
    if plan is None:
        plan = plan_create(user=user, year=year, name=name)
    return plan_set_targets(user=user, plan=plan, spec=spec)
