"""Pure formulas of the annual supply plan (R1–R8). No ORM, no I/O: Decimal and date in and out.

Percentages are Decimal with two places (ROUND_HALF_UP); areas are hectares.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

HUNDRED = Decimal("100")
PCT_PLACES = Decimal("0.01")
AREA_PLACES = Decimal("0.0001")

MET = "met"
MISSED = "missed"
UPCOMING = "upcoming"


def ha_text(value: Decimal) -> str:
    """Return hectares for a message without trailing zeros (3240.0000 → 3240, 50.5 → 50.5)."""
    return f"{Decimal(value).normalize():f}"


def pct(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """Return part ÷ whole as a percentage with two places, or None when whole is 0/None."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(PCT_PLACES, ROUND_HALF_UP)


def area(value) -> Decimal:
    """Return `value` as hectares with four places (None → 0)."""
    return Decimal(value or 0).quantize(AREA_PLACES, ROUND_HALF_UP)


def completion_pct(*, supplied_ha: Decimal, target_ha: Decimal | None) -> Decimal | None:
    """Return completion = supplied area ÷ target area in % (two places), None without target.

    For a range target the caller passes its lower bound: the minimum the plan commits to.
    Rule R6, 郑州市市本级2024年度国有建设用地供应计划 §六(二) (完成率).
    """
    return pct(supplied_ha, target_ha)


def compare(value: Decimal | None, comparison: str, threshold: Decimal) -> bool | None:
    """Return whether `value` ≥ (comparison "gte") or > ("gt") `threshold`; None if no value.

    Rule R4, 北京市2024年度建设用地供应计划 §二(三).
    """
    if value is None:
        return None
    if comparison == "gt":
        return value > threshold
    return value >= threshold


def share_on_target(share: Decimal | None, target: Decimal, tolerance: Decimal) -> bool | None:
    """Return whether a ring's share is within target ± tolerance percentage points (R3 "约占").

    None when there is nothing to share yet. Rule R3, 北京市2024年度建设用地供应计划 §一(三).
    """
    if share is None:
        return None
    return abs(share - target) <= tolerance


def year_end(year: int) -> datetime.date:
    """Return 31 December of plan `year`: the plan runs 1 January – 31 December.
    Rule R6/R8, 郑州市市本级2024年度国有建设用地供应计划 §三 "本计划期限为2024年1月1日至2024年12月31日"."""
    return datetime.date(year, 12, 31)


def figures_as_of(*, year: int, as_of: datetime.date | None, today: datetime.date) -> datetime.date:
    """Return the day the figures of plan `year` are counted up to: `as_of` (default today),
    never past 31 December of the plan year — a supply made after the year ended does not count
    towards that year's completion (R6) or ranking (R8), so a past year's figures default to
    its 31 December and do not move.
    Rules R6, R8, 郑州市市本级2024年度国有建设用地供应计划 §三、§六(二)(五).
    """
    return min(as_of or today, year_end(year))


def milestone_status(
    *,
    due_on: datetime.date,
    required_pct: Decimal,
    reached_pct: Decimal | None,
    as_of: datetime.date,
) -> str:
    """Return "upcoming" before `due_on`, then "met" or "missed" for good.

    `reached_pct` must be the completion counted from parcels supplied on or before `due_on`,
    so a missed milestone stays missed whatever is supplied later.
    Rule R6, 郑州市市本级2024年度国有建设用地供应计划 §六(二).
    """
    if as_of < due_on:
        return UPCOMING
    if reached_pct is not None and reached_pct >= required_pct:
        return MET
    return MISSED


@dataclass(frozen=True)
class Range:
    """A target of hectares: a single value has low == high; no target has both None."""

    low: Decimal | None
    high: Decimal | None

    @property
    def is_set(self) -> bool:
        return self.low is not None


def sum_of(parts: list[Range]) -> Range:
    """Return the range of the sum of `parts` (lower bounds added, upper bounds added); parts
    without a target are left out. R1, R2, R5."""
    low = sum((p.low for p in parts if p.is_set), Decimal("0"))
    high = sum((p.high for p in parts if p.is_set), Decimal("0"))
    return Range(low, high)


def ranges_meet(a: Range, b: Range) -> bool:
    """Return whether ranges `a` and `b` have a value in common (both bounds inclusive); True
    when either has no target. Two ranges reconcile when one total can satisfy both."""
    if not a.is_set or not b.is_set:
        return True
    return a.low <= b.high and b.low <= a.high


def total_reconcile_errors(*, total: Range, parts: list[tuple[str, Range]], what: str) -> list[str]:
    """Return why the parts (name, range) cannot add up to `total`; [] when they can.

    The parts' sum is itself a range (lower bounds added, upper bounds added); it reconciles
    with the total when the two ranges have a value in common. E.g. a total of 3000–3100 ha
    with top-level categories adding to 3190–3630 ha cannot be met.
    Rules R1 (totals are ranges), R2 (categories), R5 (city + district shares),
    北京市2024年度建设用地供应计划 §一(一)(二)、§三(二).
    """
    given = [r for _name, r in parts if r.is_set]
    if not total.is_set or not given:
        return []
    added = sum_of(given)
    if ranges_meet(total, added):
        return []
    return [
        _("%(what)s合计 %(low)s–%(high)s 公顷，与总量 %(tlow)s–%(thigh)s 公顷不相符")
        % {
            "what": what,
            "low": ha_text(added.low),
            "high": ha_text(added.high),
            "tlow": ha_text(total.low),
            "thigh": ha_text(total.high),
        }
    ]


def children_fit_errors(
    *, parent: Range, children: list[tuple[str, Range]], partition: bool = False
) -> list[str]:
    """Return the reasons why `children` (name, range) do not fit inside `parent`; [] if they do.

    A child fits when its upper bound is not above the parent's upper bound; together the
    children's lower bounds must not exceed the parent's upper bound. When the children
    partition the parent (`partition`, e.g. 产业用地 = 研发 + 工业 + 仓储 + 商服 + 乡村产业) and all
    have a target, their sum must also reach the parent: a parent 600–700 whose children are
    fixed at 520 is refused. "Of which" children (其中, e.g. affordable housing inside
    residential) may leave part of the parent unassigned.
    Rule R2, 北京市2024年度建设用地供应计划 §一(二).
    """
    errors: list[str] = []
    if not parent.is_set:
        return errors
    total_low = Decimal("0")
    for name, child in children:
        if not child.is_set:
            continue
        total_low += child.low
        if child.high > parent.high:
            errors.append(
                _("%(name)s 上限 %(high)s 超过上级上限 %(parent)s")
                % {"name": name, "high": ha_text(child.high), "parent": ha_text(parent.high)}
            )
    if total_low > parent.high:
        errors.append(
            _("下级下限合计 %(low)s 超过上级上限 %(parent)s")
            % {"low": ha_text(total_low), "parent": ha_text(parent.high)}
        )
    elif partition and children and all(child.is_set for _name, child in children):
        added = sum_of([child for _name, child in children])
        if added.high < parent.low:
            errors.append(
                _("下级合计 %(low)s–%(high)s 达不到上级下限 %(parent)s（下级之和应构成上级）")
                % {
                    "low": ha_text(added.low),
                    "high": ha_text(added.high),
                    "parent": ha_text(parent.low),
                }
            )
    return errors


def allocations_add_up(*, total: Range, allocations: list[Range]) -> bool:
    """Return whether district allocations add up to the district total (R5): the sum of their
    lower bounds lies within the total's range, and so does the sum of their upper bounds.

    Rule R5, 北京市2024年度建设用地供应计划 §三(二).
    """
    if not total.is_set or not allocations:
        return True
    low = sum((a.low for a in allocations), Decimal("0"))
    high = sum((a.high for a in allocations), Decimal("0"))
    return total.low <= low <= total.high and total.low <= high <= total.high


def milestone_errors(milestones: list[tuple[datetime.date, Decimal]]) -> list[str]:
    """Return why the (date, cumulative %) list is invalid: dates and percentages must rise and
    the last must be 100 %. [] when valid. Rule R6."""
    errors = []
    ordered = sorted(milestones)
    for (d1, p1), (d2, p2) in zip(ordered, ordered[1:], strict=False):
        if p2 <= p1:
            errors.append(
                _("%(date)s 的累计比例 %(pct)s%% 未高于 %(previous_date)s 的 %(previous_pct)s%%")
                % {
                    "date": f"{d2:%Y-%m-%d}",
                    "pct": p2,
                    "previous_date": f"{d1:%Y-%m-%d}",
                    "previous_pct": p1,
                }
            )
    if ordered and ordered[-1][1] != HUNDRED:
        errors.append(
            _("最后一个节点（%(date)s）须为 100%%") % {"date": f"{ordered[-1][0]:%Y-%m-%d}"}
        )
    return errors


def adjustment_deadline(
    *,
    year: int,
    month: int | None,
    day: int | None,
    period_end: Callable[[datetime.date], datetime.date] = lambda d: d,
) -> datetime.date | None:
    """Return the date by which adjustment requests of plan `year` are due, None if no deadline.

    "于6月1日前报送": a request filed on or before this date is in time (the day itself counts, as
    administrative deadlines are read); the day after is late. A deadline on a rest day moves to
    the next working day (period_end, 民法典 第二百零三条): 1 June 2024 was a Saturday, so the
    2024 deadline is Monday 3 June.
    Rule R7, 郑州市市本级2024年度国有建设用地供应计划 §六(四).
    """
    if month is None or day is None:
        return None
    return period_end(datetime.date(year, month, day))


def adjustment_filing_allowed(
    *, filed_on: datetime.date, deadline: datetime.date | None, supplement_window_open: bool
) -> bool:
    """Return whether an adjustment request may be filed on `filed_on` (R7): by the deadline,
    or any time while city staff keep a mid-year supplement window open (北京 年中增补)."""
    if supplement_window_open:
        return True
    return deadline is None or filed_on <= deadline


REWARD = "reward"
PENALTY = "penalty"
NO_OUTCOME = "none"


def ranking_outcome(
    *,
    completion_pct: Decimal | None,
    milestones_met: int,
    milestones_due: int,
    reward_min_pct: Decimal | None,
    reward_requires_all_milestones: bool,
    penalty_below_pct: Decimal | None,
) -> str | None:
    """Return the recommended R8 outcome of a district's year: "reward", "penalty" or "none".

    "penalty" when completion is below `penalty_below_pct` (no completion counts as 0 %);
    "reward" when completion ≥ `reward_min_pct` and, if required, every due milestone was met;
    otherwise "none". None when the jurisdiction sets neither threshold (nothing to recommend).
    The thresholds are rule parameters of the jurisdiction (PlanRuleSet), never constants.
    Rule R8, 郑州市市本级2024年度国有建设用地供应计划 §六(五): 执行不力的核减下年新增建设用地指标并暂停
    批次报批半年；执行较好的给予指标奖励.
    """
    if reward_min_pct is None and penalty_below_pct is None:
        return None
    value = completion_pct if completion_pct is not None else Decimal("0")
    if penalty_below_pct is not None and value < penalty_below_pct:
        return PENALTY
    if (
        reward_min_pct is not None
        and value >= reward_min_pct
        and (not reward_requires_all_milestones or milestones_met == milestones_due)
    ):
        return REWARD
    return NO_OUTCOME
