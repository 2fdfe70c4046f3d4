"""Consistency checks of the annual plans (R1, R2, R5, R9), for landsupply.consistency.

The figures are checked with the same rules as the plan validation (plans.rules), so a plan
entered before a check existed, or loaded from a source that itself does not add up, is shown.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from landsupply.consistency import Finding
from plans import rules
from plans.models import AnnualPlan, ConsistencyExplanation, Responsibility
from plans.selectors import plan_progress


def _range(low, high) -> rules.Range:
    return rules.Range(low, high)


def _fmt(r: rules.Range) -> str:
    return (
        f"{rules.ha_text(r.low)}–{rules.ha_text(r.high)}"
        if r.low != r.high
        else rules.ha_text(r.low)
    )


def plan_findings(*, jurisdiction=None, year: int | None = None) -> list[Finding]:
    """Return the findings of the published plans of `jurisdiction` (None: all) and `year`:

    - R1-categories-total: the top-level categories cannot add up to the plan total (R1, R2);
    - R2-children-parent: children do not fit in their parent, or cannot fill a parent they
      partition (R2);
    - R5-split-total: city share + district share cannot add up to the total (R5);
    - R5-split-categories: the categories each level carries do not add up to its share (R5);
    - R5-allocations: the district allocations do not add up to the district share (R5);
    - R9-listed-total / R9-listed-district: the listed parcels of the plan year fall short of,
      or exceed, the plan total or a district's allocation (R9 计划指标对应用地清单).
    Each finding carries the explanation city staff entered for its plan and check, if any.
    """
    plans = AnnualPlan.objects.filter(status=AnnualPlan.Status.PUBLISHED).select_related(
        "jurisdiction"
    )
    if jurisdiction is not None:
        plans = plans.filter(jurisdiction=jurisdiction)
    if year is not None:
        plans = plans.filter(year=year)
    result = []
    for plan in plans.order_by("jurisdiction_id", "year"):
        result += _one_plan(plan)
    return result


def _one_plan(plan: AnnualPlan) -> list[Finding]:
    explanations = dict(
        ConsistencyExplanation.objects.filter(plan=plan).values_list("check_code", "explanation")
    )
    url = plan.get_absolute_url()
    found: list[tuple[str, str, str]] = []  # (check, rule, message)
    total = _range(plan.total_min_ha, plan.total_max_ha)
    targets = list(plan.category_targets.all())
    by_parent: dict[int | None, list] = {}
    for t in targets:
        by_parent.setdefault(t.parent_id, []).append(t)

    for message in rules.total_reconcile_errors(
        total=total,
        parts=[(t.name, _range(t.target_min_ha, t.target_max_ha)) for t in by_parent.get(None, [])],
        what=_("顶层类别指标"),
    ):
        found.append(("R1-categories-total", "R1, R2", message))
    for t in targets:
        kids = by_parent.get(t.pk, [])
        if not kids:
            continue
        for message in rules.children_fit_errors(
            parent=_range(t.target_min_ha, t.target_max_ha),
            children=[(k.name, _range(k.target_min_ha, k.target_max_ha)) for k in kids],
            partition=t.children_partition,
        ):
            found.append(("R2-children-parent", "R2", f"{t.name}：{message}"))

    city = _range(plan.city_target_min_ha, plan.city_target_max_ha)
    district = _range(plan.district_target_min_ha, plan.district_target_max_ha)
    if city.is_set and district.is_set:
        for message in rules.total_reconcile_errors(
            total=total,
            parts=[(_("市级"), city), (_("区级"), district)],
            what=_("市级与区级责任指标"),
        ):
            found.append(("R5-split-total", "R5", message))
    sides = []
    for level, share, label in (
        (Responsibility.CITY, city, _("市级")),
        (Responsibility.DISTRICT, district, _("区级")),
    ):
        carried = [
            _range(t.target_min_ha, t.target_max_ha) for t in targets if t.responsibility == level
        ]
        if not share.is_set or not carried:
            continue
        added = rules.sum_of(carried)
        if not rules.ranges_meet(share, added):
            sides.append(
                _("%(level)s责任指标 %(share)s 公顷，%(level)s负责的类别指标合计 %(sum)s 公顷")
                % {"level": label, "share": _fmt(share), "sum": _fmt(added)}
            )
    if sides:
        found.append(("R5-split-categories", "R5", "；".join(sides)))

    allocations = list(plan.allocations.filter(category_target__isnull=True))
    totals = [_range(a.target_min_ha, a.target_max_ha) for a in allocations]
    if (
        totals
        and district.is_set
        and not rules.allocations_add_up(total=district, allocations=totals)
    ):
        found.append(
            (
                "R5-allocations",
                "R5",
                _("各区分区指标合计 %(sum)s 公顷，与区级责任指标 %(share)s 公顷不符")
                % {"sum": _fmt(rules.sum_of(totals)), "share": _fmt(district)},
            )
        )

    progress = plan_progress(plan=plan)
    listed = progress["total"]["planned_ha"]
    gap = _listed_gap(listed, total)
    if gap:
        found.append(
            (
                "R9-listed-total",
                "R9",
                _("计划年度清单地块 %(listed)s 公顷，供应总量 %(total)s 公顷：%(gap)s")
                % {"listed": rules.ha_text(listed), "total": _fmt(total), "gap": gap},
            )
        )
    for d in progress["districts"]:
        target = _range(d["target_min_ha"], d["target_max_ha"])
        if not target.is_set:
            continue
        gap = _listed_gap(d["planned_ha"], target)
        if gap:
            found.append(
                (
                    "R9-listed-district",
                    "R9",
                    _("%(district)s 清单地块 %(listed)s 公顷，分区指标 %(target)s 公顷：%(gap)s")
                    % {
                        "district": d["name"],
                        "listed": rules.ha_text(d["planned_ha"]),
                        "target": _fmt(target),
                        "gap": gap,
                    },
                )
            )
    return [
        Finding(
            check=check,
            rule=rule,
            jurisdiction=plan.jurisdiction.code,
            subject=str(plan),
            message=message,
            url=url,
            year=plan.year,
            explanation=explanations.get(check, ""),
        )
        for check, rule, message in found
    ]


def _listed_gap(listed, target: rules.Range) -> str:
    if listed < target.low:
        return _("还差 %(ha)s 公顷") % {"ha": rules.ha_text(target.low - listed)}
    if listed > target.high:
        return _("超出 %(ha)s 公顷") % {"ha": rules.ha_text(listed - target.high)}
    return ""
