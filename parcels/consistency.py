"""Consistency checks of the parcels (R6), for landsupply.consistency."""

from __future__ import annotations

from django.utils.translation import gettext as _

from landsupply.consistency import Finding
from parcels.models import Parcel


def parcel_findings(*, jurisdiction=None, year: int | None = None) -> list[Finding]:
    """Return the findings of the parcels of `jurisdiction` (None: all) and plan `year`:

    - R6-supplied-without-date: a supplied parcel without a supply date counts to no
      completion figure (R6 完成率 counts supplies by their date). One query.
    """
    parcels = Parcel.objects.filter(
        status=Parcel.Status.SUPPLIED, supplied_on__isnull=True
    ).select_related("district__jurisdiction")
    if jurisdiction is not None:
        parcels = parcels.filter(district__jurisdiction=jurisdiction)
    if year is not None:
        parcels = parcels.filter(plan_year=year)
    return [
        Finding(
            check="R6-supplied-without-date",
            rule="R6",
            jurisdiction=p.district.jurisdiction.code,
            subject=_("地块 %(code)s") % {"code": p.code},
            message=_("%(district)s 地块 %(code)s 状态为已供应，但没有供应日期，不计入任何完成率")
            % {"district": p.district.name, "code": p.code},
            url=p.get_absolute_url(),
            year=p.plan_year,
        )
        for p in parcels.order_by("district_id", "code")
    ]


def figure_findings(*, jurisdiction=None, year: int | None = None) -> list[Finding]:
    """Return one finding per kept plan figure (parcels.figures) that differs from a full scan
    of the parcels of `jurisdiction` and plan `year` (None: all): the triggers that keep them
    were bypassed (e.g. disabled during a restore). `check_consistency --rebuild-figures`
    recomputes them. Reads every parcel once: for the command, not for pages."""
    from landsupply.models import District
    from parcels import figures

    districts = {d.pk: d for d in District.objects.select_related("jurisdiction")}
    found = []
    for diff in figures.differences():
        plan_year, district_id = diff["key"][0], diff["key"][1]
        district = districts.get(district_id)
        if jurisdiction is not None and (
            district is None or district.jurisdiction_id != jurisdiction.pk
        ):
            continue
        if year is not None and plan_year != year:
            continue
        found.append(
            Finding(
                check="R6-figures-differ",
                rule="R6",
                jurisdiction=district.jurisdiction.code if district else "",
                subject=_("计划口径汇总 %(table)s") % {"table": diff["table"]},
                message=_(
                    "%(year)s 年 %(district)s 的计划口径汇总与逐块统计不一致（汇总 %(kept)s，"
                    "逐块 %(scan)s）；运行 check_consistency --rebuild-figures 重建"
                )
                % {
                    "year": plan_year,
                    "district": district.name if district else district_id,
                    "kept": diff["kept"],
                    "scan": diff["scan"],
                },
                year=plan_year,
            )
        )
    return found
