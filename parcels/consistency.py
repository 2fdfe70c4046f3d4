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
