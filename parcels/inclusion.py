"""Whether a parcel a district adds to a year's list waits for the plan's approval (待纳入, R7).

`parcels` does not import `plans` (docs/architecture.md); the plans app registers here, in its
AppConfig.ready, the function that names the (jurisdiction, year) pairs whose published plan
may change only by approval. Parcel writes (parcels.services, parcels.ledger) ask this module.
"""

from collections.abc import Callable, Iterable

from landsupply.models import User

_closed_years: Callable[[Iterable[int]], set[tuple[int, int]]] | None = None


def register(func: Callable[[Iterable[int]], set[tuple[int, int]]]) -> None:
    """Register the function returning {(jurisdiction id, year)} of plans closed to direct
    additions, given jurisdiction ids (plans.selectors.plan_years_closed_to_additions)."""
    global _closed_years
    _closed_years = func


def closed_years(jurisdiction_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Return {(jurisdiction id, year)} whose plan is published and has no open mid-year
    supplement window; empty when no plans app is registered."""
    if _closed_years is None:
        return set()
    return _closed_years(set(jurisdiction_ids))


def adds_pending(*, user: User | None) -> bool:
    """Whether parcels this user adds to a closed year wait for approval: district staff's
    do; city staff (who approve the plan) and the platform's own commands add directly."""
    return user is not None and user.role == User.Role.DISTRICT


def becomes_pending(*, user: User | None, district, plan_year: int, was_in_year: bool) -> bool:
    """Whether a parcel of `district` created, or moved into `plan_year` (was_in_year False),
    by `user` must wait for inclusion. Rule R7 (the published plan changes only by an approved
    adjustment, 郑州市市本级2024年度国有建设用地供应计划 §六(四); mid-year supplement 北京市2024年度
    建设用地供应计划 §三(三))."""
    if was_in_year or not adds_pending(user=user):
        return False
    return (district.jurisdiction_id, plan_year) in closed_years([district.jurisdiction_id])
