"""The change history of a plan and its parts, for the plan pages (issue 3)."""

from landsupply.history import history_rows


def plan_history_rows(plan, *, limit: int = 50) -> list[dict]:
    """Return the changes of a plan and of its category targets, ring and ratio targets,
    milestones and district allocations, newest first (see history_rows). Six queries."""
    from plans.models import (
        CategoryTarget,
        DistrictAllocation,
        Milestone,
        PolicyRatioTarget,
        RingShareTarget,
    )

    rows = history_rows(plan.history.select_related("history_user"), limit=limit)
    for model in (
        CategoryTarget,
        RingShareTarget,
        PolicyRatioTarget,
        Milestone,
        DistrictAllocation,
    ):
        rows += history_rows(
            model.history.filter(plan_id=plan.pk).select_related("history_user"), limit=limit
        )
    rows.sort(key=lambda r: r["date"], reverse=True)
    return rows[:limit]
