"""Consistency checks across the apps: one place that lists every figure or record that
breaks a rule, with the rule it breaks (R1, R2, R5, R6, R9, R11–R16, R25).

Each app checks its own data (plans.consistency, assessments.consistency,
parcels.consistency); this module composes them, like the seed commands compose the apps'
seed functions. The `check_consistency` command and the city staff's consistency page show the
result. A finding that is not an error to fix (e.g. a difference in the source document itself)
carries the explanation city staff entered for it (plans.ConsistencyExplanation).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    """One inconsistency: which check, which rule, on what, why; explained or not."""

    check: str  # e.g. "R5-split-categories"
    rule: str  # e.g. "R5"
    jurisdiction: str  # jurisdiction code
    subject: str  # what it is about: plan name, "合同 XZ-1", "地块 P00001"
    message: str
    url: str = ""
    year: int | None = None
    explanation: str = ""

    @property
    def explained(self) -> bool:
        return bool(self.explanation)

    def as_dict(self) -> dict:
        return {**asdict(self), "explained": self.explained}


def consistency_findings(
    *, jurisdiction=None, year: int | None = None, figures: bool = False
) -> list[Finding]:
    """Return every finding of `jurisdiction` (a Jurisdiction, or None for all) and plan year
    (None for all), plans first, then contracts, then parcels; with `figures`, also the kept
    plan figures that differ from a full scan of the parcels (parcels.consistency
    .figure_findings: reads every parcel, so the command asks for it, the page does not).

    A constant number of queries per plan; contracts and parcels in a few queries each.
    """
    from assessments.consistency import contract_findings
    from parcels.consistency import figure_findings, parcel_findings
    from plans.consistency import plan_findings

    return (
        plan_findings(jurisdiction=jurisdiction, year=year)
        + contract_findings(jurisdiction=jurisdiction, year=year)
        + parcel_findings(jurisdiction=jurisdiction, year=year)
        + (figure_findings(jurisdiction=jurisdiction, year=year) if figures else [])
    )
