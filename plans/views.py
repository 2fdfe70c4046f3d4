"""Plan pages. Thin: check the role, load through scoped selectors, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from landsupply.access import city_staff_required, role_required, staff_required
from landsupply.exports import Sheet, xlsx_response
from landsupply.forms import add_service_error
from landsupply.history import history_rows
from parcels.models import LandUseCategory
from parcels.selectors import district_list_for_user
from plans import rules, selectors, services, spreadsheet
from plans.filters import AdjustmentFilter, AnnualPlanFilter
from plans.forms import (
    PLAN_SECTIONS,
    AdjustmentForm,
    AdjustmentItemFormSet,
    DecisionForm,
    PlanCreateForm,
    PlanFieldsForm,
    PlanImportForm,
    SubmissionDecisionForm,
)
from plans.history import plan_history_rows
from plans.models import AdjustmentRequest, AnnualPlan, DistrictSubmission


def _chart_data(progress):
    """The figures the overview's charts draw, as plain numbers for json_script."""

    def num(value):
        return None if value is None else float(value)

    leaf_like = [c for c in progress["categories"] if c["depth"] <= 1 or c["target_min_ha"]]

    def month(number):
        return _("%(month)s月") % {"month": number}

    return {
        # Legend and axis texts, translated here so the script holds no UI strings.
        "text": {
            "target_min": _("目标下限"),
            "planned": _("计划"),
            "supplied": _("已供应"),
            "hectares": _("公顷"),
            "target_share": _("目标占比"),
            "planned_share": _("计划占比"),
            "supplied_share": _("已供应占比"),
            "cumulative": _("累计完成率"),
            "milestone": _("节点目标"),
        },
        "categories": {
            "labels": [c["name"] for c in leaf_like],
            "target": [num(c["target_min_ha"]) for c in leaf_like],
            "planned": [num(c["planned_ha"]) for c in leaf_like],
            "supplied": [num(c["supplied_ha"]) for c in leaf_like],
        },
        "cumulative": {
            "labels": [month(m["month"]) for m in progress["monthly"]],
            "actual": [num(m["cumulative_pct"]) for m in progress["monthly"]],
            "milestones": [
                {"x": month(m["due_on"].month), "y": num(m["required_pct"])}
                for m in progress["milestones"]
            ],
        },
        "rings": {
            "labels": [g["name"] for g in progress["rings"]],
            "target": [num(g["target_pct"]) for g in progress["rings"]],
            "planned": [num(g["planned_share_pct"]) for g in progress["rings"]],
            "supplied": [num(g["supplied_share_pct"]) for g in progress["rings"]],
        },
        "districts": {
            "labels": [d["name"] for d in progress["districts"]],
            "planned": [num(d["planned_ha"]) for d in progress["districts"]],
            "supplied": [num(d["supplied_ha"]) for d in progress["districts"]],
        },
    }


@staff_required
def overview(request):
    """Home page of city and district staff: a plan's progress (R1–R6) with charts.

    District staff always see their own district; city staff may narrow to one of theirs.
    """
    plans = selectors.plan_list_for_user(user=request.user)
    params = request.GET.copy()
    if not params.get("jurisdiction") and request.user.jurisdiction_id:
        params["jurisdiction"] = request.user.jurisdiction.code
    chooser = AnnualPlanFilter(params, plans=plans)
    if params.get("plan"):
        try:
            plan = selectors.plan_get_for_user(user=request.user, pk=int(params["plan"]))
        except (ValueError, AnnualPlan.DoesNotExist) as exc:
            raise Http404(_("没有这个计划，或您无权查看。")) from exc
    else:
        plan = chooser.qs.order_by("-year").first() if chooser.is_valid() else None

    districts = district_list_for_user(user=request.user)
    district = None
    if request.user.is_district_staff:
        district = request.user.district
    elif request.GET.get("district"):
        district = districts.filter(code=request.GET["district"]).first()
        if district is None or (plan and district.jurisdiction_id != plan.jurisdiction_id):
            raise Http404(_("没有这个区，或您无权查看。"))

    context = {
        "chooser": chooser,
        "plan": plan,
        "district": district,
        "districts": districts.filter(jurisdiction_id=plan.jurisdiction_id) if plan else [],
        "years": plans.values_list("year", flat=True).distinct().order_by("-year"),
    }
    if plan is not None:
        progress = selectors.plan_progress(plan=plan, district=district)
        context.update(
            progress=progress,
            chart_data=_chart_data(progress),
            rule_set=selectors.plan_rule_set_in_effect(
                jurisdiction=plan.jurisdiction, on=timezone.localdate()
            ),
            history=plan_history_rows(plan),
            pending=selectors.pending_parcels(plan=plan, district=district),
        )
        if district is not None:
            context["share"] = selectors.district_share(
                plan=plan, district=district, progress=progress
            )
    return render(request, "plans/overview.html", context)


def _adjustment(request, pk):
    try:
        return selectors.adjustment_get_for_user(user=request.user, pk=pk)
    except AdjustmentRequest.DoesNotExist as exc:
        raise Http404(_("没有这个调整申请，或您无权查看。")) from exc


@staff_required
def adjustment_list(request):
    """Adjustment requests (R7) the user may see, filtered with django-filter."""
    districts = district_list_for_user(user=request.user)
    adjustment_filter = AdjustmentFilter(
        request.GET,
        queryset=selectors.adjustment_list_for_user(user=request.user),
        districts=districts,
    )
    return render(
        request,
        "plans/adjustment_list.html",
        {"filter": adjustment_filter, "plan": selectors.plan_default_for_user(user=request.user)},
    )


@role_required("district")
def adjustment_create(request):
    """District staff draft an adjustment request (R7) for a published plan."""
    plans = selectors.plan_list_for_user(user=request.user)
    plan = plans.filter(pk=request.GET.get("plan") or 0).first() or plans.order_by("-year").first()
    if plan is None:
        raise Http404(_("尚无已发布的计划。"))
    form = AdjustmentForm(request.POST or None)
    formset = AdjustmentItemFormSet(request.POST or None, plan=plan, district=request.user.district)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [f.item_fields() for f in formset.forms if f.item_fields()]
        try:
            adjustment = services.adjustment_create(
                user=request.user, plan=plan, reason=form.cleaned_data["reason"], items=items
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("调整申请已保存为草稿，请核对调整前后对比后报送。"))
            return redirect(adjustment)
    return render(
        request, "plans/adjustment_form.html", {"form": form, "formset": formset, "plan": plan}
    )


@staff_required
def adjustment_detail(request, pk):
    """One adjustment request: its items, the before/after figures, decision and history."""
    return _adjustment_page(request, _adjustment(request, pk))


def _adjustment_page(request, adjustment, decision_form=None, confirm=None, status=200):
    if adjustment.status == AdjustmentRequest.Status.APPROVED:
        comparison = {**adjustment.effect, "error": None}
    else:
        comparison = services.adjustment_preview(adjustment=adjustment)
    rows = []
    if comparison.get("after"):
        after = {c["code"]: c for c in comparison["after"]["categories"]}
        for c in comparison["before"]["categories"]:
            rows.append({"before": c, "after": after.get(c["code"], {})})
    history = adjustment.history.select_related("history_user").order_by("history_date")
    changes = history_rows(adjustment.history.select_related("history_user"))
    return render(
        request,
        "plans/adjustment_detail.html",
        {
            "adjustment": adjustment,
            "items": adjustment.items.select_related("from_target", "to_target", "parcel"),
            "comparison": comparison,
            "category_rows": rows,
            "history": history,
            "changes": changes,
            "decision_form": decision_form or DecisionForm(),
            "confirm": confirm,
        },
        status=status,
    )


def _post_action(request, pk, action):
    adjustment = _adjustment(request, pk)
    try:
        action(adjustment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(adjustment)


@require_POST
@role_required("district")
def adjustment_file(request, pk):
    def act(adjustment):
        services.adjustment_file(user=request.user, adjustment=adjustment)
        messages.success(request, _("调整申请已报送市级审批。"))

    return _post_action(request, pk, act)


@require_POST
@city_staff_required
def adjustment_approve(request, pk):
    form = DecisionForm(request.POST)
    form.is_valid()

    def act(adjustment):
        services.adjustment_approve(
            user=request.user,
            adjustment=adjustment,
            comment=form.cleaned_data.get("comment", ""),
            total_override=form.cleaned_data.get("total_override", False),
        )
        messages.success(request, _("已批准，调整已计入计划。"))

    return _post_action(request, pk, act)


def _confirmed_decision(request, *, comment_required: str, consequence: str):
    """Return (form, confirm) for a decision that needs a reason and a confirmation naming its
    consequence: confirm is None once the reason is there and the user confirmed it; otherwise
    the page is shown again with the errors (the field named) or the consequence to confirm."""
    form = DecisionForm(request.POST)
    form.is_valid()
    if not form.cleaned_data.get("comment", "").strip():
        form.add_error("comment", comment_required)
        return form, {"text": None}
    if request.POST.get("confirmed") != "1":
        return form, {"text": consequence}
    return form, None


@require_POST
@city_staff_required
def adjustment_reject(request, pk):
    """Reject a filed adjustment: a reason is required, and the consequence is named and
    confirmed first (the plan stays as it is; the district may file again). R7."""
    adjustment = _adjustment(request, pk)
    form, confirm = _confirmed_decision(
        request,
        comment_required=_("审批意见：驳回时须填写理由，说明不予批准的原因。"),
        consequence=_(
            "驳回后计划不作任何改变，%(district)s 的申请结束；该区可修改后重新申请（R7）。"
        )
        % {"district": adjustment.district},
    )
    if confirm is not None:
        return _adjustment_page(
            request,
            adjustment,
            decision_form=form,
            confirm=confirm,
            status=400 if confirm["text"] is None else 200,
        )

    def act(adjustment):
        services.adjustment_reject(
            user=request.user, adjustment=adjustment, comment=form.cleaned_data["comment"]
        )
        messages.success(request, _("已驳回。"))

    return _post_action(request, pk, act)


@require_POST
@city_staff_required
def supplement_window(request, pk):
    """City staff open or close the mid-year supplement window of a plan (R7)."""
    try:
        plan = selectors.plan_get_for_user(user=request.user, pk=pk)
    except AnnualPlan.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.plan_supplement_window_set(
            user=request.user, plan=plan, is_open=request.POST.get("open") == "1"
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(plan)


# --- district submissions (R9) ----------------------------------------------------------------


def _submission(request, pk):
    try:
        return selectors.submission_get_for_user(user=request.user, pk=pk)
    except DistrictSubmission.DoesNotExist as exc:
        raise Http404(_("没有这个用地清单，或您无权查看。")) from exc


def _submission_plan(request):
    plans = selectors.plan_list_for_user(user=request.user)
    plan = plans.filter(pk=request.GET.get("plan") or 0).first() or plans.order_by("-year").first()
    if plan is None:
        raise Http404(_("尚无已发布的计划。"))
    return plan


@staff_required
def submission_list(request):
    """City staff: every district's list for a plan and its status. District staff: their own
    list of the plan (the latest published one by default), or, before it exists, a button that
    starts it (GET never changes data)."""
    plan = _submission_plan(request)
    submissions = {
        s.district_id: s
        for s in selectors.submission_list_for_user(user=request.user).filter(plan=plan)
    }
    if request.user.is_district_staff:
        own = submissions.get(request.user.district_id)
        if own is not None:
            return redirect(own)
        return render(request, "plans/submission_start.html", {"plan": plan})
    rows = [
        {"district": d, "submission": submissions.get(d.pk)}
        for d in district_list_for_user(user=request.user).filter(
            jurisdiction_id=plan.jurisdiction_id
        )
    ]
    return render(request, "plans/submission_list.html", {"plan": plan, "rows": rows})


@require_POST
@role_required("district")
def submission_start(request):
    """District staff start their district's list for the plan (R9), or open it if a colleague
    already did."""
    plan = _submission_plan(request)
    try:
        submission = services.submission_start(user=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(plan)
    return redirect(submission)


def _submission_context(submission):
    return {
        "submission": submission,
        "comparison": selectors.submission_comparison(submission=submission),
    }


@staff_required
def submission_detail(request, pk):
    """One district's parcel list (R9): the parcels, the live comparison with its allocation and
    the policy ratios, what is missing, the actions of the user's role and the timeline."""
    return _submission_page(request, _submission(request, pk))


def _submission_page(request, submission, decision_form=None, confirm=None, status=200):
    context = _submission_context(submission)
    context.update(
        parcels=selectors.submission_parcels(submission=submission),
        events=submission.events.select_related("actor"),
        history=history_rows(submission.history.select_related("history_user")),
        can_edit=request.user.is_district_staff and submission.is_editable,
        decision_form=decision_form or SubmissionDecisionForm(),
        confirm=confirm,
    )
    return render(request, "plans/submission_detail.html", context, status=status)


@staff_required
def submission_comparison(request, pk):
    """The comparison block alone, re-rendered after each change of the list (fetch)."""
    return render(
        request, "plans/_submission_comparison.html", _submission_context(_submission(request, pk))
    )


@require_POST
@role_required("district")
def submission_set_listed(request, pk):
    """District staff put a parcel on their list or take it off (R9); answers the fetch with the
    re-computed comparison, or redirects for a plain form post."""
    submission = _submission(request, pk)
    parcel = (
        selectors.submission_parcels(submission=submission)
        .filter(pk=request.POST.get("parcel") or 0)
        .first()
    )
    error = None
    if parcel is None:
        error = _("没有这个地块，或它不是本区本年度的计划地块。")
    else:
        try:
            submission = services.submission_set_listed(
                user=request.user,
                submission=submission,
                parcel=parcel,
                listed=request.POST.get("listed") == "1",
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
    if request.headers.get("X-Requested-With") == "fetch":
        if error:
            return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
        return render(request, "plans/_submission_comparison.html", _submission_context(submission))
    if error:
        messages.error(request, error)
    return redirect(submission)


def _submission_action(request, pk, action, done):
    submission = _submission(request, pk)
    form = SubmissionDecisionForm(request.POST)
    form.is_valid()
    try:
        action(
            user=request.user, submission=submission, comment=form.cleaned_data.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(submission)


@require_POST
@role_required("district")
def submission_submit(request, pk):
    return _submission_action(
        request, pk, services.submission_submit, _("用地清单已报送市级审核。")
    )


@require_POST
@city_staff_required
def submission_return(request, pk):
    """Return a submitted list: a reason is required and the consequence is named and
    confirmed first (the district must change the list and submit it again). R9."""
    submission = _submission(request, pk)
    form = SubmissionDecisionForm(request.POST)
    form.is_valid()
    confirm = None
    if not form.cleaned_data.get("comment", "").strip():
        form.add_error("comment", _("意见：退回时请填写意见，说明需要修改的内容。"))
        confirm = {"text": None}
    elif request.POST.get("confirmed") != "1":
        confirm = {
            "text": _(
                "退回后 %(district)s 的用地清单回到可编辑状态，须修改后重新报送，"
                "报送前不计为已接收（R9）。"
            )
            % {"district": submission.district}
        }
    if confirm is not None:
        return _submission_page(
            request,
            submission,
            decision_form=form,
            confirm=confirm,
            status=400 if confirm["text"] is None else 200,
        )
    return _submission_action(request, pk, services.submission_return, _("已退回区级修改。"))


@require_POST
@city_staff_required
def submission_accept(request, pk):
    return _submission_action(request, pk, services.submission_accept, _("已接收该区用地清单。"))


# --- milestones and ranking (R6, R8) ----------------------------------------------------------


def _plan(request, pk):
    try:
        return selectors.plan_get_for_user(user=request.user, pk=pk)
    except AnnualPlan.DoesNotExist as exc:
        raise Http404(_("没有这个计划，或您无权查看。")) from exc


@staff_required
def milestones(request, pk):
    """Completion of the plan and of each district against each milestone (R6), with the flags
    stored when a milestone was first seen missed. District staff see their own district."""
    plan = _plan(request, pk)
    matrix = selectors.milestone_matrix(plan=plan)
    if request.user.is_district_staff:
        matrix["districts"] = [
            d for d in matrix["districts"] if d["id"] == request.user.district_id
        ]
    progress = selectors.plan_progress(plan=plan)
    plan_rows = [
        {**m, "flag": matrix["plan_flags"].get(m_id["id"])}
        for m, m_id in zip(progress["milestones"], matrix["milestones"], strict=True)
    ]
    return render(
        request,
        "plans/milestones.html",
        {
            "plan": plan,
            "matrix": matrix,
            "plan_rows": plan_rows,
            "as_of": rules.figures_as_of(year=plan.year, as_of=None, today=timezone.localdate()),
        },
    )


@city_staff_required
def ranking(request, pk):
    """Year-end execution ranking of the districts with the R8 recommendation (city staff)."""
    plan = _plan(request, pk)
    result = selectors.plan_ranking(plan=plan)
    chart = {
        "labels": [r["name"] for r in result["rows"]],
        "completion": [
            None if r["completion_pct"] is None else float(r["completion_pct"])
            for r in result["rows"]
        ],
        "outcome": [r["outcome"] for r in result["rows"]],
        "label": _("完成率（%）"),
    }
    closed = result["closed"]
    return render(
        request,
        "plans/ranking.html",
        {
            "plan": plan,
            "ranking": result,
            "chart": chart,
            # no suggestions banner or column when the rules make none
            "has_suggestions": any(r["outcome"] for r in result["rows"]),
            "as_of": closed.as_of if closed else result["as_of"],
            "can_close": closed is None and timezone.localdate() > rules.year_end(plan.year),
        },
    )


@require_POST
@city_staff_required
def year_close(request, pk):
    """Close the plan year: the ranking as of 31 December is stored and no longer changes (R8)."""
    plan = _plan(request, pk)
    try:
        services.plan_year_close(user=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("年度已结转，排名已锁定。"))
    return redirect("plans:ranking", plan.pk)


# --- plan set-up by city staff (R1–R6) --------------------------------------------------------


@city_staff_required
def plan_create(request):
    """City staff start a year's plan: blank, or copied from an earlier plan of their city."""
    plans = selectors.plan_list_for_user(user=request.user).order_by("-year")
    latest = plans.first()
    form = PlanCreateForm(
        request.POST or None,
        plans=plans,
        initial={
            "year": latest.year + 1 if latest else timezone.localdate().year,
            "copy_from": latest,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已创建计划草稿，请核对各项指标后发布。"))
            return redirect("plans:plan_edit", plan.pk)
    return render(request, "plans/plan_create.html", {"form": form})


def _section_choices(plan):
    land_use = [(c.code, c.name) for c in LandUseCategory.objects.all()]
    return {
        "categories": {"land_use": land_use},
        "rings": {"ring": [("", "—")] + [(r.code, r.name) for r in plan.jurisdiction.rings.all()]},
        "ratios": {"base_category": [("", _("全部供应用地"))] + land_use},
        "milestones": {},
        "allocations": {
            "district": [("", "—")] + [(d.code, d.name) for d in plan.jurisdiction.districts.all()]
        },
    }


@city_staff_required
def plan_edit(request, pk):
    """City staff edit a draft plan: totals, category tree, rings, ratios, milestones, district
    allocations. The service checks everything at once (R1–R6); a published plan is refused."""
    plan = _plan(request, pk)
    if plan.is_published:
        messages.error(
            request, _("计划已发布，不能直接修改；已发布的计划只能通过计划调整变更（R7）。")
        )
        return redirect(plan)
    spec = selectors.plan_spec(plan=plan)
    choices = _section_choices(plan)
    data = request.POST if request.method == "POST" else None
    plan_form = PlanFieldsForm(data, instance=plan, prefix="plan")
    formsets = {
        key: formset_class(
            data, prefix=key, choices=choices[key], initial=None if data else spec[key]
        )
        for key, (_label, formset_class) in PLAN_SECTIONS.items()
    }
    errors = []
    if data is not None:
        if plan_form.is_valid() and all(f.is_valid() for f in formsets.values()):
            new_spec = {
                "plan": plan_form.cleaned_data,
                **{k: f.rows() for k, f in formsets.items()},
            }
            try:
                services.plan_set_targets(user=request.user, plan=plan, spec=new_spec)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("计划已保存（草稿）。"))
                return redirect("plans:plan_edit", plan.pk)
        else:
            errors = [_("请按各行提示更正后再保存。")]
    sections = [
        {"key": key, "label": label, "formset": formsets[key]}
        for key, (label, _formset_class) in PLAN_SECTIONS.items()
    ]
    return render(
        request,
        "plans/plan_edit.html",
        {
            "plan": plan,
            "plan_form": plan_form,
            "formsets": formsets,
            "sections": sections,
            "errors": errors,
            "history": plan_history_rows(plan),
        },
    )


@require_POST
@city_staff_required
def plan_publish(request, pk):
    """City staff publish a draft plan (draft → published)."""
    plan = _plan(request, pk)
    try:
        services.plan_publish(user=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("plans:plan_edit", plan.pk)
    messages.success(request, _("计划已发布；此后只能通过计划调整变更（R7）。"))
    return redirect(plan)


@city_staff_required
def plan_import(request):
    """City staff load a plan from a spreadsheet in the template; all or nothing, errors by row
    and column (R1–R6)."""
    form = PlanImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_import(
                user=request.user,
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("计划已导入为草稿，请核对后发布。"))
            return redirect("plans:plan_edit", plan.pk)
    return render(
        request,
        "plans/plan_import.html",
        {
            "form": form,
            "errors": errors,
            "columns": spreadsheet.COLUMNS,
            "sections": spreadsheet.SECTIONS,
        },
    )


@city_staff_required
def plan_import_template(request):
    """The plan template as .xlsx, filled with the user's latest plan as an example."""
    plan = selectors.plan_default_for_user(user=request.user)
    rows = (
        spreadsheet.spec_to_rows(selectors.plan_spec(plan=plan))
        if plan
        else [[label for _key, label in spreadsheet.COLUMNS]]
    )
    notes = [[line] for line in (spreadsheet.__doc__ or "").splitlines()]
    return xlsx_response(
        [Sheet("计划", rows[0], rows[1:]), Sheet("说明", [], notes)], "plan-template.xlsx"
    )
