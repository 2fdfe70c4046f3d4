"""Reads of annual plans, scoped to the user, and the plan progress figures (R1–R6).

Progress is read from the sums kept by database triggers as parcels change (parcels.figures)
and rolled up in Python over the small tables (categories, rings, targets), so neither the
number of queries nor their cost depends on the number of parcels.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from landsupply.access import scope_to_user
from landsupply.models import District, Ring, User
from landsupply.todo import TodoItem
from parcels import figures
from parcels.models import (
    DistrictSupplyDay,
    LandSource,
    LandUseCategory,
    Parcel,
    PlanFigure,
    PlanFigureDay,
)
from plans import rules
from plans.models import (
    AdjustmentRequest,
    AnnualPlan,
    CategoryTarget,
    DistrictAllocation,
    DistrictSubmission,
    Milestone,
    MilestoneFlag,
    PlanRuleSet,
    PlanYearClose,
)

ZERO = Decimal("0")
NO_BASE = "no_base"


def plan_list_for_user(*, user: User) -> QuerySet[AnnualPlan]:
    """Return the plans `user` may see: city staff their jurisdiction's (drafts included);
    district staff their jurisdiction's published plans; enterprises and the platform
    administrator none (roles are roles, landsupply.access)."""
    qs = AnnualPlan.objects.select_related("jurisdiction")
    if user.role == User.Role.CITY:
        return qs.filter(jurisdiction_id=user.jurisdiction_id)
    if user.role == User.Role.DISTRICT:
        return qs.filter(
            jurisdiction_id=user.district.jurisdiction_id, status=AnnualPlan.Status.PUBLISHED
        )
    return qs.none()


def plan_get_for_user(*, user: User, pk: int) -> AnnualPlan:
    """Return one plan the user may see. Raises AnnualPlan.DoesNotExist otherwise (→ 404)."""
    return plan_list_for_user(user=user).get(pk=pk)


def plan_default_for_user(*, user: User) -> AnnualPlan | None:
    """Return the latest plan of the user's jurisdiction the user may see, or None."""
    return plan_list_for_user(user=user).order_by("-year").first()


def plan_rule_set_in_effect(*, jurisdiction, on: datetime.date) -> PlanRuleSet | None:
    """Return the jurisdiction's plan rule set in effect on `on` (latest effective_from ≤ on),
    or None when none is entered (then no adjustment deadline applies). R6, R7."""
    return (
        PlanRuleSet.objects.filter(jurisdiction=jurisdiction, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def adjustment_list_for_user(*, user: User) -> QuerySet[AdjustmentRequest]:
    """Return the adjustment requests `user` may see: district staff their district's, city
    staff their jurisdiction's; enterprises none."""
    qs = AdjustmentRequest.objects.select_related("plan", "plan__jurisdiction", "district")
    return scope_to_user(
        qs, user=user, district="district_id", jurisdiction="plan__jurisdiction_id"
    )


def adjustment_get_for_user(*, user: User, pk: int) -> AdjustmentRequest:
    """Return one adjustment request the user may see; raises DoesNotExist otherwise (→ 404)."""
    return adjustment_list_for_user(user=user).get(pk=pk)


def _category_ancestors() -> dict[int, list[int]]:
    """Return {land-use category id: [itself, parent, grandparent, …]} (one query)."""
    parents = dict(LandUseCategory.objects.values_list("pk", "parent_id"))
    chains = {}
    for pk in parents:
        chain, node = [], pk
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        chains[pk] = chain
    return chains


def _ring_ancestors(jurisdiction_id: int) -> tuple[dict[int, list[int]], dict[int, Ring]]:
    rings = {r.pk: r for r in Ring.objects.filter(jurisdiction_id=jurisdiction_id)}
    chains = {}
    for pk in rings:
        chain, node = [], pk
        while node is not None and node not in chain:
            chain.append(node)
            node = rings[node].parent_id if node in rings else None
        chains[pk] = chain
    return chains, rings


def plan_years_closed_to_additions(jurisdiction_ids) -> set[tuple[int, int]]:
    """Return {(jurisdiction id, year)} of published plans with no open mid-year supplement
    window: a district's parcel added to such a year waits for inclusion (待纳入) until an
    approved adjustment takes it in. Registered with parcels.inclusion (plans.apps). One query.
    Rule R7, 郑州市市本级2024年度国有建设用地供应计划 §六(四); 北京市2024年度建设用地供应计划 §三(三).
    """
    return set(
        AnnualPlan.objects.filter(
            jurisdiction_id__in=jurisdiction_ids,
            status=AnnualPlan.Status.PUBLISHED,
            supplement_window_open=False,
        ).values_list("jurisdiction_id", "year")
    )


def pending_parcels(*, plan: AnnualPlan, district: District | None = None) -> QuerySet[Parcel]:
    """Return the parcels of `plan`'s year (one `district`, or the whole jurisdiction) that are
    pending inclusion (待纳入): listed by a district after publication, counted in no plan
    figure until an approved adjustment takes them in (R7). Ordered by district and code."""
    qs = Parcel.objects.pending_inclusion().filter(
        plan_year=plan.year, district__jurisdiction_id=plan.jurisdiction_id
    )
    if district is not None:
        qs = qs.filter(district_id=district.pk)
    return qs.select_related("district", "category").order_by("district__code", "code")


def adjustment_parcel_choices(*, plan: AnnualPlan, district: District) -> QuerySet[Parcel]:
    """Return exactly the parcels an adjustment of `district` to `plan` accepts: those pending
    inclusion (增补地块) and those counted in the plan and still to be supplied (调出地块).
    The service checks each item's kind against the same predicates (R7)."""
    in_year = Parcel.objects.filter(district_id=district.pk, plan_year=plan.year)
    return (
        in_year.filter(
            Q(pk__in=in_year.pending_inclusion().values("pk"))
            | Q(pk__in=in_year.counted_in_plan().filter(status=Parcel.Status.PLANNED).values("pk"))
        )
        .select_related("category")
        .order_by("-inclusion_pending", "code")
    )


def _district_ids(plan: AnnualPlan, district: District | None):
    """The district ids in scope: [district] or the plan's jurisdiction's (a subquery)."""
    if district is not None:
        return [district.pk]
    return District.objects.filter(jurisdiction_id=plan.jurisdiction_id).values("pk")


def _ha(m2) -> Decimal:
    """Square metres (kept figures, integers) → hectares, exact (4 places)."""
    return Decimal(int(m2 or 0)).scaleb(-4)


_DIMS = ("category_id", "ring_id", "land_source", "in_key_function_area", "near_rail")


def _figure_rows(
    *, plan: AnnualPlan, district_ids, as_of: datetime.date, excluded_parcel_ids=None
) -> tuple[list[dict], dict[datetime.date, Decimal]]:
    """Return (rows, supplied by day) of the plan's parcels in `district_ids` that count
    (parcels.figures.member_sql), read from the kept figures, never from the parcels:

    rows: [{"district_id", "category_id", "ring_id" (None: no ring), "land_source",
            "in_key_function_area", "near_rail", "planned" (ha), "supplied" (ha, supplied on or
            before `as_of`)}, …] — one per key with parcels;
    supplied by day: {date ≤ as_of: ha}.
    Three queries (four with exclusions), whatever the number of parcels: the kept sums, the
    supplies after `as_of` to subtract (none when `as_of` is today or the year's end), the sums
    by day; `excluded_parcel_ids` (R9, a district's unlisted parcels) are read and subtracted.
    """
    key = ("district_id", *_DIMS)
    rows = {}
    for r in PlanFigure.objects.filter(
        plan_year=plan.year, district_id__in=district_ids, parcels__gt=0
    ).values(*key, "planned_m2", "supplied_m2"):
        rows[tuple(r[k] for k in key)] = [r["planned_m2"], r["supplied_m2"]]
    for r in (
        PlanFigureDay.objects.filter(
            plan_year=plan.year, district_id__in=district_ids, supplied_on__gt=as_of
        )
        .values(*key)
        .annotate(m2=Sum("supplied_m2"))
        .order_by()
    ):
        rows.setdefault(tuple(r[k] for k in key), [0, 0])[1] -= r["m2"]
    by_day = defaultdict(int)
    for r in (
        DistrictSupplyDay.objects.filter(
            plan_year=plan.year, district_id__in=district_ids, supplied_on__lte=as_of
        )
        .values("supplied_on")
        .annotate(m2=Sum("supplied_m2"))
        .order_by()
    ):
        by_day[r["supplied_on"]] += r["m2"]
    if excluded_parcel_ids is not None:
        excluded = (
            Parcel.objects.filter(
                pk__in=excluded_parcel_ids, plan_year=plan.year, district_id__in=district_ids
            )
            .extra(where=[figures.member_sql(Parcel._meta.db_table)])  # noqa: S610 - constant SQL
            .values_list(*key, "status", "supplied_on", "area_ha")
        )
        for *k, status, supplied_on, area_ha in excluded:
            k[2] = k[2] or 0  # ring: 0 when none, as kept
            m2 = int((Decimal(str(area_ha)) * 10000).to_integral_value())
            row = rows.setdefault(tuple(k), [0, 0])
            row[0] -= m2
            if status == Parcel.Status.SUPPLIED and supplied_on <= as_of:
                row[1] -= m2
                by_day[supplied_on] -= m2
    result = []
    for k, (planned, supplied) in rows.items():
        if not planned and not supplied:
            continue
        r = dict(zip(key, k, strict=True))
        r["ring_id"] = r["ring_id"] or None
        r["planned"], r["supplied"] = _ha(planned), _ha(supplied)
        result.append(r)
    return result, {day: _ha(m2) for day, m2 in by_day.items() if m2}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1) + relativedelta(months=1, days=-1)


def _range(low, high):
    return {"target_min_ha": low, "target_max_ha": high}


def plan_progress(
    *, plan: AnnualPlan, district: District | None = None, as_of=None, excluded_parcel_ids=None
) -> dict:
    """Return the progress of `plan` (whole jurisdiction, or one `district`) as of a date.

    Areas are Decimal hectares (4 places), percentages Decimal (2 places) or None when the
    base is zero. "planned" = parcels of the plan year in scope that are not withdrawn;
    "supplied" = parcels supplied on or before `as_of` (default: today, Asia/Shanghai).
    Completion = supplied ÷ the target's lower bound (R6); a line without a target (or a
    district without allocation) uses its planned area, and says so in "completion_basis".
    `excluded_parcel_ids` (ids or a values_list queryset, used as a subquery) leaves parcels out,
    e.g. those a district took off its submitted list (R9).
    Runs a constant number of queries whatever the number of parcels, on the kept sums
    (parcels.figures, _figure_rows), never on the parcels (but the excluded ones).

    Shape (plain dicts and lists, ready for JSON/spreadsheet export)::

        {
          "plan": {"id", "name", "jurisdiction", "jurisdiction_code", "year", "status",
                   "version", "source", "total_min_ha", "total_max_ha",
                   "city_target_min_ha", "city_target_max_ha", "district_target_min_ha",
                   "district_target_max_ha", "net_reduction_ha", "net_reduction_green_belt_ha"},
          "scope": {"district": code | None, "district_name": str | None, "as_of": date},
          "total": {"target_min_ha", "target_max_ha", "planned_ha", "supplied_ha",
                    "completion_pct", "completion_basis": "target" | "planned"},
          "categories": [  # tree in pre-order; depth 0 = top level
              {"code", "name", "parent", "depth", "note", "target_min_ha", "target_max_ha",
               "planned_ha", "supplied_ha", "completion_pct", "completion_basis"}, …],
          "rings": [{"code", "name", "target_pct", "tolerance_pct", "planned_ha",
                     "supplied_ha", "planned_share_pct", "supplied_share_pct",
                     "planned_on_target", "supplied_on_target"}, …],   # R3, incl. child rings
          "ratios": [{"code", "name", "comparison" ("gte"|"gt"), "comparison_symbol",
                      "threshold_pct", "citation", "planned_pct", "supplied_pct",
                      "planned_met", "supplied_met"}, …],               # R4; *_met None = no base
          "milestones": [{"due_on", "required_pct", "supplied_ha", "reached_pct",
                          "status" ("met"|"missed"|"upcoming")}, …],   # R6
          "monthly": [{"month" (1–12), "supplied_ha", "cumulative_ha", "cumulative_pct"}, …],
          "districts": [{"code", "name", "target_min_ha", "target_max_ha", "planned_ha",
                         "supplied_ha", "completion_pct", "completion_basis"}, …],  # [] if scoped
        }

    Rules R1–R6 (北京市2024年度建设用地供应计划; 郑州市市本级2024年度国有建设用地供应计划 §六(二)).
    """
    as_of = rules.figures_as_of(year=plan.year, as_of=as_of, today=timezone.localdate())
    milestones = list(plan.milestones.all())

    # 1. The kept figures (parcels.figures), whatever the number of parcels: sums by district
    # and every dimension the figures need (categories, rings, ratios and districts all derive
    # from them), and the supplied area by day (≤ 366 rows) for the milestones and the curve.
    dims = _DIMS
    grouped, by_day = _figure_rows(
        plan=plan,
        district_ids=_district_ids(plan, district),
        as_of=as_of,
        excluded_parcel_ids=excluded_parcel_ids,
    )
    collapsed: dict[tuple, dict] = {}
    district_sums: dict[int, dict] = {}
    for g in grouped:
        key = tuple(g[d] for d in dims)
        row = collapsed.setdefault(
            key, {**dict(zip(dims, key, strict=True)), "planned": ZERO, "supplied": ZERO}
        )
        row["planned"] += g["planned"]
        row["supplied"] += g["supplied"]
        d = district_sums.setdefault(g["district_id"], {"planned": ZERO, "supplied": ZERO})
        d["planned"] += g["planned"]
        d["supplied"] += g["supplied"]
    rows = list(collapsed.values())

    def supplied_by(day: datetime.date) -> Decimal:
        """Supplied area (ha) on or before `day`."""
        return sum((area for d, area in by_day.items() if d <= day), ZERO)

    category_chains = _category_ancestors()
    ring_chains, rings = _ring_ancestors(plan.jurisdiction_id)

    total_planned = rules.area(sum((r["planned"] for r in rows), ZERO))
    total_supplied = rules.area(sum((r["supplied"] for r in rows), ZERO))

    # Plan-level targets, or the district's allocations when scoped to a district.
    allocations = {}
    if district is not None:
        for a in plan.allocations.filter(district=district):
            allocations[a.category_target_id] = a

    def completion(target_min, planned, supplied):
        if target_min:
            return rules.completion_pct(supplied_ha=supplied, target_ha=target_min), "target"
        return rules.completion_pct(supplied_ha=supplied, target_ha=planned), "planned"

    if district is None:
        total_target = (plan.total_min_ha, plan.total_max_ha)
    elif None in allocations:
        total_target = (allocations[None].target_min_ha, allocations[None].target_max_ha)
    else:
        total_target = (None, None)
    total_pct, total_basis = completion(total_target[0], total_planned, total_supplied)

    # 2. Category tree (targets and their linked land-use categories: two queries).
    targets = list(plan.category_targets.all())
    links = defaultdict(set)
    for target_id, luc_id in CategoryTarget.land_use_categories.through.objects.filter(
        categorytarget__plan=plan
    ).values_list("categorytarget_id", "landusecategory_id"):
        links[target_id].add(luc_id)
    by_category = defaultdict(lambda: [ZERO, ZERO])
    for r in rows:
        by_category[r["category_id"]][0] += r["planned"]
        by_category[r["category_id"]][1] += r["supplied"]
    children = defaultdict(list)
    for t in targets:
        children[t.parent_id].append(t)

    categories = []

    def walk(parent_id, depth):
        for t in children.get(parent_id, []):
            planned = supplied = ZERO
            for luc_id, (p, s) in by_category.items():
                if links[t.pk].intersection(category_chains.get(luc_id, [luc_id])):
                    planned += p
                    supplied += s
            if district is None:
                low, high = t.target_min_ha, t.target_max_ha
            else:
                a = allocations.get(t.pk)
                low, high = (a.target_min_ha, a.target_max_ha) if a else (None, None)
            planned, supplied = rules.area(planned), rules.area(supplied)
            pct, basis = completion(low, planned, supplied)
            categories.append(
                {
                    "code": t.code,
                    "name": t.name,
                    "parent": parent_id and next(x.code for x in targets if x.pk == parent_id),
                    "depth": depth,
                    "note": t.note,
                    **_range(low, high),
                    "planned_ha": planned,
                    "supplied_ha": supplied,
                    "completion_pct": pct,
                    "completion_basis": basis,
                }
            )
            walk(t.pk, depth + 1)

    walk(None, 0)

    # 3. Ring shares (R3): a ring's share includes its child rings (core ⊂ central city).
    by_ring = defaultdict(lambda: [ZERO, ZERO])
    for r in rows:
        for ring_id in ring_chains.get(r["ring_id"], []):
            by_ring[ring_id][0] += r["planned"]
            by_ring[ring_id][1] += r["supplied"]
    ring_rows = []
    for rt in plan.ring_targets.select_related("ring"):
        planned, supplied = (rules.area(v) for v in by_ring[rt.ring_id])
        planned_share = rules.pct(planned, total_planned)
        supplied_share = rules.pct(supplied, total_supplied)
        ring_rows.append(
            {
                "code": rt.ring.code,
                "name": rt.ring.name,
                "target_pct": rt.share_pct,
                "tolerance_pct": rt.tolerance_pct,
                "planned_ha": planned,
                "supplied_ha": supplied,
                "planned_share_pct": planned_share,
                "supplied_share_pct": supplied_share,
                "planned_on_target": rules.share_on_target(
                    planned_share, rt.share_pct, rt.tolerance_pct
                ),
                "supplied_on_target": rules.share_on_target(
                    supplied_share, rt.share_pct, rt.tolerance_pct
                ),
            }
        )

    # 4. Policy ratios (R4) from planned and from supplied parcels.
    ratio_rows = []
    for rt in plan.ratio_targets.all():
        base = [ZERO, ZERO]
        meets = [ZERO, ZERO]
        for r in rows:
            if rt.base_category_id and rt.base_category_id not in category_chains.get(
                r["category_id"], []
            ):
                continue
            if rt.condition == "kfa":
                ok = r["in_key_function_area"]
            elif rt.condition == "rail_or_kfa":
                ok = r["in_key_function_area"] or r["near_rail"]
            else:
                ok = r["land_source"] == LandSource.STOCK
            base[0] += r["planned"]
            base[1] += r["supplied"]
            if ok:
                meets[0] += r["planned"]
                meets[1] += r["supplied"]
        planned_pct = rules.pct(meets[0], base[0])
        supplied_pct = rules.pct(meets[1], base[1])
        ratio_rows.append(
            {
                "code": rt.code,
                "name": rt.name,
                "comparison": rt.comparison,
                "comparison_symbol": rt.get_comparison_display(),
                "threshold_pct": rt.threshold_pct,
                "citation": rt.citation,
                "planned_pct": planned_pct,
                "supplied_pct": supplied_pct,
                "planned_met": rules.compare(planned_pct, rt.comparison, rt.threshold_pct),
                "supplied_met": rules.compare(supplied_pct, rt.comparison, rt.threshold_pct),
            }
        )

    # 5. Milestones and the cumulative curve, from the cutoff sums of step 1.
    milestone_rows = []
    for m in milestones:
        supplied_ha = rules.area(supplied_by(m.due_on))
        reached, _basis = completion(total_target[0], total_planned, supplied_ha)
        milestone_rows.append(
            {
                "due_on": m.due_on,
                "required_pct": m.cumulative_pct,
                "supplied_ha": supplied_ha,
                "reached_pct": reached,
                "status": rules.milestone_status(
                    due_on=m.due_on, required_pct=m.cumulative_pct, reached_pct=reached, as_of=as_of
                ),
            }
        )
    monthly = []
    previous = supplied_by(datetime.date(plan.year - 1, 12, 31))
    for month in range(1, 13):
        cumulative = supplied_by(_month_end(plan.year, month))
        monthly.append(
            {
                "month": month,
                "supplied_ha": rules.area(cumulative - previous),
                "cumulative_ha": rules.area(cumulative),
                "cumulative_pct": completion(total_target[0], total_planned, cumulative)[0],
            }
        )
        previous = cumulative

    # 6. Per district (whole plan only), from step 1.
    district_rows = []
    if district is None:
        sums = district_sums
        totals = {a.district_id: a for a in plan.allocations.filter(category_target__isnull=True)}
        for d in District.objects.filter(jurisdiction_id=plan.jurisdiction_id):
            s = sums.get(d.pk, {"planned": ZERO, "supplied": ZERO})
            a = totals.get(d.pk)
            low, high = (a.target_min_ha, a.target_max_ha) if a else (None, None)
            planned, supplied = rules.area(s["planned"]), rules.area(s["supplied"])
            pct, basis = completion(low, planned, supplied)
            district_rows.append(
                {
                    "code": d.code,
                    "name": d.name,
                    **_range(low, high),
                    "planned_ha": planned,
                    "supplied_ha": supplied,
                    "completion_pct": pct,
                    "completion_basis": basis,
                }
            )

    return {
        "plan": {
            "id": plan.pk,
            "name": plan.name,
            "jurisdiction": plan.jurisdiction.name,
            "jurisdiction_code": plan.jurisdiction.code,
            "year": plan.year,
            "status": plan.status,
            "version": plan.version,
            "source": plan.source,
            "total_min_ha": plan.total_min_ha,
            "total_max_ha": plan.total_max_ha,
            "city_target_min_ha": plan.city_target_min_ha,
            "city_target_max_ha": plan.city_target_max_ha,
            "district_target_min_ha": plan.district_target_min_ha,
            "district_target_max_ha": plan.district_target_max_ha,
            "net_reduction_ha": plan.net_reduction_ha,
            "net_reduction_green_belt_ha": plan.net_reduction_green_belt_ha,
        },
        "scope": {
            "district": district.code if district else None,
            "district_name": district.name if district else None,
            "as_of": as_of,
        },
        "total": {
            **_range(*total_target),
            "planned_ha": total_planned,
            "supplied_ha": total_supplied,
            "completion_pct": total_pct,
            "completion_basis": total_basis,
        },
        "categories": categories,
        "rings": ring_rows,
        "ratios": ratio_rows,
        "milestones": milestone_rows,
        "monthly": monthly,
        "districts": district_rows,
    }


# --- district submissions (R9) ----------------------------------------------------------------


def submission_list_for_user(*, user: User) -> QuerySet[DistrictSubmission]:
    """Return the submissions `user` may see: district staff their district's, city staff their
    jurisdiction's (any status); enterprises none."""
    qs = DistrictSubmission.objects.select_related("plan", "plan__jurisdiction", "district")
    if user.role == User.Role.DISTRICT:
        qs = qs.filter(plan__status=AnnualPlan.Status.PUBLISHED)
    return scope_to_user(
        qs, user=user, district="district_id", jurisdiction="plan__jurisdiction_id"
    )


def submission_get_for_user(*, user: User, pk: int) -> DistrictSubmission:
    """Return one submission the user may see; raises DoesNotExist otherwise (→ 404)."""
    return submission_list_for_user(user=user).get(pk=pk)


def submission_parcels(*, submission: DistrictSubmission) -> QuerySet[Parcel]:
    """Return the district's parcels of the plan year that are not withdrawn (the candidates of
    its list, R9), each annotated with `is_listed` (False when the district excluded it).
    One query."""
    excluded = DistrictSubmission.excluded_parcels.through.objects.filter(
        districtsubmission_id=submission.pk, parcel_id=OuterRef("pk")
    )
    return (
        Parcel.objects.counted_in_plan()
        .filter(district_id=submission.district_id, plan_year=submission.plan.year)
        .exclude(status=Parcel.Status.WITHDRAWN)
        .select_related("category", "ring")
        .annotate(is_listed=~Exists(excluded))
        .order_by("category__sort_order", "code")
    )


def _gap(listed: Decimal, low, high) -> dict:
    if low is None:
        return {"state": "none", "short_ha": None, "over_ha": None}
    if listed < low:
        return {"state": "short", "short_ha": rules.area(low - listed), "over_ha": None}
    if listed > high:
        return {"state": "over", "short_ha": None, "over_ha": rules.area(listed - high)}
    return {"state": "ok", "short_ha": None, "over_ha": None}


def submission_comparison(*, submission: DistrictSubmission) -> dict:
    """Return how the district's listed parcels compare with its allocation and the policy
    ratios, and what is missing (R4, R5, R9).

    {"has_allocation": bool — False when the plan gives this district no allocation at all (then
     nothing is compared, no target is invented),
     "total": {"target_min_ha", "target_max_ha", "listed_ha", "state", "short_ha", "over_ha"},
     "categories": [{"code", "name", "depth", "target_min_ha", "target_max_ha", "listed_ha",
                     "state" ("ok"|"short"|"over"|"none"), "short_ha", "over_ha"}, …],
     "ratios": [{"code", "name", "comparison_symbol", "threshold_pct", "listed_pct", "met"}, …],
     "missing": [str, …]  # human-readable gaps, empty when the list covers everything
     "parcel_count": int}
    Areas in hectares (4 places), ratios in % (2 places). Constant number of queries.
    Rule R9 (计划指标对应用地清单), R5 (分区指标), R4 (政策比例), 北京市2024年度建设用地供应计划.
    """
    excluded = DistrictSubmission.excluded_parcels.through.objects.filter(
        districtsubmission_id=submission.pk
    ).values("parcel_id")
    progress = plan_progress(
        plan=submission.plan, district=submission.district, excluded_parcel_ids=excluded
    )
    has_allocation = DistrictAllocation.objects.filter(
        plan_id=submission.plan_id, district_id=submission.district_id
    ).exists()
    total = progress["total"]
    result_total = {
        "target_min_ha": total["target_min_ha"],
        "target_max_ha": total["target_max_ha"],
        "listed_ha": total["planned_ha"],
        **_gap(total["planned_ha"], total["target_min_ha"], total["target_max_ha"]),
    }
    categories = [
        {
            "code": c["code"],
            "name": c["name"],
            "depth": c["depth"],
            "target_min_ha": c["target_min_ha"],
            "target_max_ha": c["target_max_ha"],
            "listed_ha": c["planned_ha"],
            **_gap(c["planned_ha"], c["target_min_ha"], c["target_max_ha"]),
        }
        for c in progress["categories"]
    ]
    ratios = [
        {
            "code": q["code"],
            "name": q["name"],
            "comparison_symbol": q["comparison_symbol"],
            "threshold_pct": q["threshold_pct"],
            "listed_pct": q["planned_pct"],
            "met": q["planned_met"],
        }
        for q in progress["ratios"]
    ]
    missing = []
    if total["planned_ha"] == ZERO:
        missing.append(_("清单中还没有地块（R9：每一公顷计划指标都须对应清单地块）。"))
    if result_total["state"] == "short":
        missing.append(
            _("本区合计还差 %(short)s 公顷才达到分区指标下限。")
            % {"short": result_total["short_ha"]}
        )
    elif result_total["state"] == "over":
        missing.append(
            _("本区合计超出分区指标上限 %(over)s 公顷。") % {"over": result_total["over_ha"]}
        )
    for c in categories:
        if c["state"] == "short":
            missing.append(
                _("%(name)s：还差 %(short)s 公顷。") % {"name": c["name"], "short": c["short_ha"]}
            )
        elif c["state"] == "over":
            missing.append(
                _("%(name)s：超出指标上限 %(over)s 公顷。")
                % {"name": c["name"], "over": c["over_ha"]}
            )
    for q in ratios:
        if q["met"] is False:
            missing.append(
                _("%(name)s：清单为 %(listed)s%%，要求 %(symbol)s%(threshold)s%%。")
                % {
                    "name": q["name"],
                    "listed": q["listed_pct"],
                    "symbol": q["comparison_symbol"],
                    "threshold": q["threshold_pct"],
                }
            )
    return {
        "has_allocation": has_allocation,
        "total": result_total,
        "categories": categories,
        "ratios": ratios,
        "missing": missing,
    }


# --- milestones per district and the year-end ranking (R6, R8) --------------------------------


def milestone_matrix(*, plan: AnnualPlan, as_of=None) -> dict:
    """Return each district's completion against each milestone of `plan` (R6).

    {"milestones": [{"id", "due_on", "required_pct"}, …],
     "districts": [{"id", "code", "name", "basis_ha", "basis" ("target"|"planned"),
                    "planned_ha", "supplied_ha", "completion_pct",
                    "cells": [{"reached_pct", "status" ("met"|"missed"|"upcoming"|"no_base"),
                               "flagged" (bool: a stored MilestoneFlag)}, …]}, …],
     "plan_flags": {milestone id: MilestoneFlag}}
    Completion = area supplied by the milestone date ÷ the district's allocated total (lower
    bound), or its planned area when the plan gives no allocation. Areas in hectares, % with two
    places. Counted up to `as_of` (default today), never past the plan year's 31 December
    (rules.figures_as_of). Eight queries whatever the number of districts and parcels: the
    figures are read from the kept sums (parcels.figures), never from the parcels.
    Rule R6, 郑州市市本级2024年度国有建设用地供应计划 §六(二).
    """
    as_of = rules.figures_as_of(year=plan.year, as_of=as_of, today=timezone.localdate())
    milestones = list(plan.milestones.all())
    district_ids = _district_ids(plan, None)
    sums = defaultdict(lambda: [0, 0])
    for r in (
        PlanFigure.objects.filter(plan_year=plan.year, district_id__in=district_ids)
        .values("district_id")
        .annotate(planned=Sum("planned_m2"), supplied=Sum("supplied_m2"))
        .order_by()
    ):
        sums[r["district_id"]] = [r["planned"], r["supplied"]]
    for r in (
        PlanFigureDay.objects.filter(
            plan_year=plan.year, district_id__in=district_ids, supplied_on__gt=as_of
        )
        .values("district_id")
        .annotate(m2=Sum("supplied_m2"))
        .order_by()
    ):
        sums[r["district_id"]][1] -= r["m2"]
    planned = {pk: {"planned": _ha(p), "supplied": _ha(s)} for pk, (p, s) in sums.items()}
    # The area each district supplied by each milestone's day (not after as_of): one query.
    reached = {}
    if milestones:
        bounds = {f"m{i}": min(m.due_on, as_of) for i, m in enumerate(milestones)}
        for r in (
            DistrictSupplyDay.objects.filter(plan_year=plan.year, district_id__in=district_ids)
            .values("district_id")
            .annotate(
                **{
                    name: Sum("supplied_m2", filter=Q(supplied_on__lte=bound), default=0)
                    for name, bound in bounds.items()
                }
            )
            .order_by()
        ):
            reached[r["district_id"]] = [_ha(r[name]) for name in bounds]
    totals = {a.district_id: a for a in plan.allocations.filter(category_target__isnull=True)}
    flags = defaultdict(dict)
    for f in MilestoneFlag.objects.filter(milestone__plan=plan):
        flags[f.district_id][f.milestone_id] = f
    rows = []
    for d in District.objects.filter(jurisdiction_id=plan.jurisdiction_id):
        p = planned.get(d.pk, {"planned": ZERO, "supplied": ZERO})
        a = totals.get(d.pk)
        basis, basis_kind = (
            (a.target_min_ha, "target") if a else (rules.area(p["planned"]), "planned")
        )
        cells = []
        for i, m in enumerate(milestones):
            supplied = reached.get(d.pk, [ZERO] * len(milestones))[i]
            reached_pct = rules.completion_pct(supplied_ha=supplied, target_ha=basis)
            flagged = m.pk in flags[d.pk]
            if basis:
                status = rules.milestone_status(
                    due_on=m.due_on,
                    required_pct=m.cumulative_pct,
                    reached_pct=reached_pct,
                    as_of=as_of,
                )
            else:
                status = NO_BASE  # nothing planned or allocated: the milestone does not apply
            # A flag stored when the milestone was first seen missed stays (R6).
            cells.append(
                {
                    "reached_pct": reached_pct,
                    "status": rules.MISSED if flagged else status,
                    "flagged": flagged,
                }
            )
        rows.append(
            {
                "id": d.pk,
                "code": d.code,
                "name": d.name,
                "basis_ha": basis,
                "basis": basis_kind,
                "planned_ha": rules.area(p["planned"]),
                "supplied_ha": rules.area(p["supplied"]),
                "completion_pct": rules.completion_pct(supplied_ha=p["supplied"], target_ha=basis),
                "cells": cells,
            }
        )
    return {
        "milestones": [
            {"id": m.pk, "due_on": m.due_on, "required_pct": m.cumulative_pct} for m in milestones
        ],
        "districts": rows,
        "plan_flags": flags[None],
    }


def milestones_passed(*, as_of: datetime.date) -> QuerySet[Milestone]:
    """Return the milestones of published plans whose day is over by `as_of` (due_on < as_of):
    the ones the daily check looks at (R6). One indexed query."""
    return Milestone.objects.filter(
        due_on__lt=as_of, plan__status=AnnualPlan.Status.PUBLISHED
    ).select_related("plan", "plan__jurisdiction")


def plan_ranking(*, plan: AnnualPlan, as_of=None) -> dict:
    """Return the year-end execution ranking of the plan's districts with the R8 recommendation.

    {"rule_set": PlanRuleSet | None, "rows": [{"rank", "code", "name", "basis", "basis_ha",
      "planned_ha", "supplied_ha", "completion_pct", "milestones_met", "milestones_due",
      "adjustments_filed", "adjustments_approved", "outcome" ("reward"|"penalty"|"none"|None)},
      …]}  — sorted best first: completion, then milestones met, then fewer adjustments.
    The outcome is a recommendation for city staff, from the thresholds of the rule set in
    effect at the plan's year end (None when the rule set sets none, or the district had nothing
    planned or allocated). Constant query count.
    Counted up to `as_of` (default today), never past the plan year's 31 December: a supply
    made after the year ended does not count (rules.figures_as_of). Once the year is closed
    (services.plan_year_close) the ranking stored then is returned, whatever `as_of`, with
    "closed" set: a closed year's ranking cannot change.
    Rule R8, 郑州市市本级2024年度国有建设用地供应计划 §六(五) 建立奖惩机制.
    """
    rule_set = plan_rule_set_in_effect(jurisdiction=plan.jurisdiction, on=rules.year_end(plan.year))
    closed = PlanYearClose.objects.filter(plan=plan).first()
    if closed is not None:
        return {"rule_set": rule_set, "rows": ranking_rows_load(closed.ranking), "closed": closed}
    as_of = rules.figures_as_of(year=plan.year, as_of=as_of, today=timezone.localdate())
    matrix = milestone_matrix(plan=plan, as_of=as_of)
    counts = {
        r["district_id"]: r
        for r in AdjustmentRequest.objects.filter(plan=plan)
        .values("district_id")
        .annotate(
            filed=Count("pk", filter=~Q(status=AdjustmentRequest.Status.DRAFT)),
            approved=Count("pk", filter=Q(status=AdjustmentRequest.Status.APPROVED)),
        )
        .order_by()
    }
    rows = []
    for d in matrix["districts"]:
        due = [c for c in d["cells"] if c["status"] in (rules.MET, rules.MISSED)]
        met = sum(1 for c in due if c["status"] == rules.MET)
        c = counts.get(d["id"], {"filed": 0, "approved": 0})
        outcome = None
        if rule_set is not None and d["basis_ha"]:  # a district with nothing to supply: no outcome
            outcome = rules.ranking_outcome(
                completion_pct=d["completion_pct"],
                milestones_met=met,
                milestones_due=len(due),
                reward_min_pct=rule_set.reward_min_completion_pct,
                reward_requires_all_milestones=rule_set.reward_requires_all_milestones,
                penalty_below_pct=rule_set.penalty_below_completion_pct,
            )
        rows.append(
            {
                **{
                    k: d[k]
                    for k in (
                        "code",
                        "name",
                        "basis",
                        "basis_ha",
                        "planned_ha",
                        "supplied_ha",
                        "completion_pct",
                    )
                },
                "milestones_met": met,
                "milestones_due": len(due),
                "adjustments_filed": c["filed"],
                "adjustments_approved": c["approved"],
                "outcome": outcome,
            }
        )
    rows.sort(
        key=lambda r: (
            -(r["completion_pct"] if r["completion_pct"] is not None else Decimal("-1")),
            -r["milestones_met"],
            r["adjustments_filed"],
            r["code"],
        )
    )
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return {"rule_set": rule_set, "rows": rows, "closed": None, "as_of": as_of}


_RANKING_DECIMALS = ("basis_ha", "planned_ha", "supplied_ha", "completion_pct")


def ranking_rows_dump(rows: list[dict]) -> list[dict]:
    """Return ranking rows as JSON-ready dicts (Decimals as strings) for PlanYearClose."""
    return [
        {k: (str(v) if k in _RANKING_DECIMALS and v is not None else v) for k, v in r.items()}
        for r in rows
    ]


def ranking_rows_load(rows: list[dict]) -> list[dict]:
    """Return stored ranking rows with their Decimals restored (inverse of ranking_rows_dump)."""
    return [
        {k: (Decimal(v) if k in _RANKING_DECIMALS and v is not None else v) for k, v in r.items()}
        for r in rows
    ]


# --- plan set-up (R1–R6) ----------------------------------------------------------------------


def plan_spec(*, plan: AnnualPlan) -> dict:
    """Return the plan's figures as a plain spec (the input of services.plan_set_targets and of
    the spreadsheet template): {"plan": {fields}, "categories": [...], "rings": [...],
    "ratios": [...], "milestones": [...], "allocations": [...]}, codes instead of ids, areas in
    hectares and shares in %. Seven queries."""
    targets = list(
        plan.category_targets.select_related("parent").prefetch_related("land_use_categories")
    )
    return {
        "plan": {
            f: getattr(plan, f)
            for f in (
                "name",
                "source",
                "total_min_ha",
                "total_max_ha",
                "city_target_min_ha",
                "city_target_max_ha",
                "district_target_min_ha",
                "district_target_max_ha",
                "net_reduction_ha",
                "net_reduction_green_belt_ha",
            )
        },
        "categories": [
            {
                "code": t.code,
                "name": t.name,
                "parent": t.parent.code if t.parent else None,
                "target_min_ha": t.target_min_ha,
                "target_max_ha": t.target_max_ha,
                "land_use": sorted(c.code for c in t.land_use_categories.all()),
                "note": t.note,
                "children_partition": t.children_partition,
                "responsibility": t.responsibility,
            }
            for t in targets
        ],
        "rings": [
            {"ring": r.ring.code, "share_pct": r.share_pct, "tolerance_pct": r.tolerance_pct}
            for r in plan.ring_targets.select_related("ring")
        ],
        "ratios": [
            {
                "code": q.code,
                "name": q.name,
                "condition": q.condition,
                "base_category": q.base_category.code if q.base_category else None,
                "comparison": q.comparison,
                "threshold_pct": q.threshold_pct,
                "citation": q.citation,
            }
            for q in plan.ratio_targets.select_related("base_category")
        ],
        "milestones": [
            {"due_on": m.due_on, "cumulative_pct": m.cumulative_pct} for m in plan.milestones.all()
        ],
        "allocations": [
            {
                "district": a.district.code,
                "category": a.category_target.code if a.category_target else None,
                "target_min_ha": a.target_min_ha,
                "target_max_ha": a.target_max_ha,
                "net_reduction_ha": a.net_reduction_ha,
            }
            for a in plan.allocations.select_related("district", "category_target")
        ],
    }


def todo_for_user(*, user: User, today: datetime.date) -> list[TodoItem]:
    """Return the plan work waiting for `user` on `today` (landsupply.todo composes it).

    City staff of a jurisdiction: filed adjustment requests to decide (R7), submitted district
    lists to review (R9), missed milestones of plans whose year is not closed (R6). District
    staff: their district's returned lists to revise and resubmit (R9). Lists and flags of a
    closed plan year wait for nobody. Three queries for city
    staff, one for district staff, whatever the number of rows.
    """
    items: list[TodoItem] = []
    if user.role == User.Role.CITY and user.jurisdiction_id:
        for a in (
            AdjustmentRequest.objects.filter(
                plan__jurisdiction_id=user.jurisdiction_id,
                status=AdjustmentRequest.Status.FILED,
            )
            .select_related("district", "plan")
            .order_by("filed_on", "pk")
        ):
            items.append(
                TodoItem(
                    kind="adjustment_filed",
                    title=_("审批 %(district)s 的计划调整申请 #%(n)s（%(year)s 年度）")
                    % {"district": a.district.name, "n": a.pk, "year": a.plan.year},
                    since=a.filed_on or timezone.localdate(a.created_at),
                    deadline=None,
                    url=reverse("plans:adjustment_detail", args=[a.pk]),
                    rule="R7",
                )
            )
        submissions = DistrictSubmission.objects.filter(
            plan__jurisdiction_id=user.jurisdiction_id,
            plan__year_close__isnull=True,
            status=DistrictSubmission.Status.SUBMITTED,
        ).select_related("district", "plan")
        for s in submissions:
            items.append(
                TodoItem(
                    kind="submission_submitted",
                    title=_("审核 %(district)s 报送的 %(year)s 年度用地清单")
                    % {"district": s.district.name, "year": s.plan.year},
                    since=timezone.localdate(s.updated_at),
                    deadline=None,
                    url=reverse("plans:submission_detail", args=[s.pk]),
                    rule="R9",
                )
            )
        flags = MilestoneFlag.objects.filter(
            milestone__plan__jurisdiction_id=user.jurisdiction_id,
            milestone__plan__status=AnnualPlan.Status.PUBLISHED,
            milestone__plan__year_close__isnull=True,
        ).select_related("milestone__plan", "district")
        for f in flags:
            items.append(
                TodoItem(
                    kind="milestone_missed",
                    title=_(
                        "节点目标 %(due)s 未达成：%(scope)s 完成 %(reached)s%%，要求 %(required)s%%"
                    )
                    % {
                        "due": f.milestone.due_on.isoformat(),
                        "scope": f.district.name if f.district_id else _("全市计划"),
                        "reached": f.reached_pct,
                        "required": f.required_pct,
                    },
                    since=f.milestone.due_on,
                    deadline=None,
                    url=reverse("plans:milestones", args=[f.milestone.plan_id]),
                    rule="R6",
                )
            )
    elif user.role == User.Role.DISTRICT and user.district_id:
        for s in DistrictSubmission.objects.filter(
            district_id=user.district_id,
            status=DistrictSubmission.Status.RETURNED,
            plan__status=AnnualPlan.Status.PUBLISHED,
            plan__year_close__isnull=True,
        ).select_related("plan"):
            items.append(
                TodoItem(
                    kind="submission_returned",
                    title=_("修改并重新报送被退回的 %(year)s 年度用地清单") % {"year": s.plan.year},
                    since=timezone.localdate(s.updated_at),
                    deadline=None,
                    url=reverse("plans:submission_detail", args=[s.pk]),
                    rule="R9",
                )
            )
    return items


def _show(value) -> str:
    """A parameter as the rules page shows it: 是/否, numbers without trailing zeros, — for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    return str(value)


def _field(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _show_range(low, high, unit: str) -> str:
    if low is None:
        return "—"
    if high is None or low == high:
        return f"{_show(low)} {unit}"
    return f"{_show(low)}–{_show(high)} {unit}"


def rule_parameters(*, jurisdiction, on: datetime.date) -> dict[str, list[tuple[str, str]]]:
    """Return {rule id: [(label, value as text)]} of R1–R8 in force for `jurisdiction` on `on`:
    the latest published plan's targets (R1–R6) and the plan rule set in effect (R7, R8).
    For the 规则说明 page; a rule without data for the jurisdiction is absent."""
    result: dict[str, list[tuple[str, str]]] = {}
    plan = (
        AnnualPlan.objects.filter(jurisdiction=jurisdiction, status=AnnualPlan.Status.PUBLISHED)
        .order_by("-year")
        .first()
    )
    ha = _("公顷")
    if plan is not None:
        label = _("%(year)s 年计划") % {"year": plan.year}
        result["R1"] = [
            (f"{label}：{_('供应总量')}", _show_range(plan.total_min_ha, plan.total_max_ha, ha))
        ]
        result["R2"] = [
            (t.name, _show_range(t.target_min_ha, t.target_max_ha, ha))
            for t in plan.category_targets.filter(parent__isnull=True).order_by("sort_order", "pk")
            if t.target_min_ha is not None
        ]
        result["R3"] = [
            (t.ring.name, f"≈ {_show(t.share_pct)}% ± {_show(t.tolerance_pct)}")
            for t in plan.ring_targets.select_related("ring")
        ]
        result["R4"] = [
            (q.name, f"{q.get_comparison_display()} {_show(q.threshold_pct)}%")
            for q in plan.ratio_targets.all()
        ]
        if plan.city_target_min_ha is not None:
            result["R5"] = [
                (_("市级"), _show_range(plan.city_target_min_ha, plan.city_target_max_ha, ha)),
                (
                    _("各区"),
                    _show_range(plan.district_target_min_ha, plan.district_target_max_ha, ha),
                ),
            ]
        result["R6"] = [
            (m.due_on.strftime("%m-%d"), f"≥ {_show(m.cumulative_pct)}%")
            for m in plan.milestones.all()
        ]
    rule_set = plan_rule_set_in_effect(jurisdiction=jurisdiction, on=on)
    if rule_set is not None:
        deadline = (
            _("%(m)s月%(d)s日前")
            % {"m": rule_set.adjustment_deadline_month, "d": rule_set.adjustment_deadline_day}
            if rule_set.adjustment_deadline_month
            else _("不设截止日期")
        )
        result["R7"] = [
            (_("调整申请截止"), deadline),
            (
                _field(PlanRuleSet, "mid_year_supplement_allowed"),
                _show(rule_set.mid_year_supplement_allowed),
            ),
            (
                _field(PlanRuleSet, "total_change_needs_override"),
                _show(rule_set.total_change_needs_override),
            ),
            (_("依据"), rule_set.citation),
        ]
        result["R8"] = [
            (_field(PlanRuleSet, name), _show(getattr(rule_set, name)))
            for name in (
                "reward_min_completion_pct",
                "reward_requires_all_milestones",
                "penalty_below_completion_pct",
                "penalty_suspension_months",
            )
        ]
    return {k: v for k, v in result.items() if v}


def district_share(*, plan: AnnualPlan, district: District, progress: dict) -> dict:
    """Return what a district's home page compares its list with: its allocation when the plan
    gives one, else its share of the city plan.

    {"has_allocation": bool, "city_planned_ha", "city_supplied_ha" (ha, the whole jurisdiction,
    counted in the plan, as of progress's date), "planned_share_pct", "supplied_share_pct"
    (% of the city's, None without a base)}. Read from the kept figures (two or three
    queries, whatever the number of parcels). Rules R5, R6.
    """
    as_of = progress["scope"]["as_of"]
    rows, _by_day = _figure_rows(plan=plan, district_ids=_district_ids(plan, None), as_of=as_of)
    city_planned = rules.area(sum((r["planned"] for r in rows), ZERO))
    city_supplied = rules.area(sum((r["supplied"] for r in rows), ZERO))
    total = progress["total"]

    def share(part, whole):
        return rules.pct(part, whole) if whole else None

    return {
        "has_allocation": total["target_min_ha"] is not None,
        "city_planned_ha": city_planned,
        "city_supplied_ha": city_supplied,
        "planned_share_pct": share(total["planned_ha"], city_planned),
        "supplied_share_pct": share(total["supplied_ha"], city_supplied),
    }
