"""Writes of parcels. Each checks the user's district and validates fully before saving."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landsupply.locking import lock, refuse_duplicate
from landsupply.models import User
from parcels import inclusion
from parcels.models import Parcel
from parcels.selectors import district_list_for_user


def _check_district(*, user: User, district) -> None:
    if not district_list_for_user(user=user).filter(pk=district.pk).exists():
        raise PermissionDenied(_("无权操作其他区的地块：%(district)s") % {"district": district})


@transaction.atomic
def parcel_create(*, user: User, **fields) -> Parcel:
    """Create and return a parcel in a district the user may act in.

    `fields` are Parcel fields (area_ha in hectares, Decimal). The ring defaults from the
    district. Raises PermissionDenied for another district, ValidationError for bad fields.
    A district's parcel in a year whose plan is published (and closed to mid-year supplements)
    is created pending inclusion (待纳入) and counts in no plan figure until an approved
    adjustment takes it in (parcels.inclusion).
    Rule R9 (every planned hectare is a listed parcel), R7, 郑州市市本级2024年度国有建设用地供应计划.
    """
    fields.pop("inclusion_pending", None)  # decided here, never by the caller
    parcel = Parcel(**fields)
    _check_district(user=user, district=parcel.district)
    parcel.inclusion_pending = inclusion.becomes_pending(
        user=user, district=parcel.district, plan_year=parcel.plan_year, was_in_year=False
    )
    parcel.full_clean()
    with refuse_duplicate(
        {
            "code": _("%(district)s 已有地块编号 %(code)s。")
            % {"district": parcel.district, "code": parcel.code}
        }
    ):
        parcel.save()
    return parcel


@transaction.atomic
def parcel_update(*, user: User, parcel: Parcel, **fields) -> Parcel:
    """Change `fields` of `parcel` and return it. The parcel and its (new) district must both
    be the user's. The row is locked and re-read first (landsupply.locking), so a change made
    meanwhile (an approved adjustment withdrawing it) is not overwritten with what the form saw.
    A parcel moved into another year is pending inclusion (待纳入) on the terms of
    parcel_create; moved out of it, it no longer is.
    Raises PermissionDenied or ValidationError; nothing is saved then.
    Rule R9, R7, 郑州市市本级2024年度国有建设用地供应计划; ring default per DOMAIN §D."""
    fields.pop("inclusion_pending", None)
    parcel = lock(Parcel.objects.select_related("district"), parcel.pk)
    _check_district(user=user, district=parcel.district)
    old_year = parcel.plan_year
    for name, value in fields.items():
        setattr(parcel, name, value)
    _check_district(user=user, district=parcel.district)
    if parcel.plan_year != old_year:
        parcel.inclusion_pending = inclusion.becomes_pending(
            user=user, district=parcel.district, plan_year=parcel.plan_year, was_in_year=False
        )
    parcel.full_clean()
    parcel.save()
    return parcel


@transaction.atomic
def parcel_record_supply(
    *,
    user: User,
    parcel: Parcel,
    supplied_on: date,
    contract_number: str,
    transaction_price: Decimal | None,
    awardee: str,
) -> Parcel:
    """Mark `parcel` as supplied (date, contract number, price in yuan, awardee) and return it.

    Supplied area counts towards plan completion from `supplied_on` on (R6, 郑州市市本级2024年度
    国有建设用地供应计划; completion = supplied ÷ planned).
    Raises PermissionDenied for another district's parcel, ValidationError if already supplied
    or withdrawn.
    """
    parcel = lock(Parcel, parcel.pk)
    _check_district(user=user, district=parcel.district)
    if parcel.status != Parcel.Status.PLANNED:
        raise ValidationError(
            _("地块 %(code)s 当前状态为「%(status)s」，不能登记供应。")
            % {"code": parcel.code, "status": parcel.get_status_display()}
        )
    parcel.status = Parcel.Status.SUPPLIED
    parcel.supplied_on = supplied_on
    parcel.contract_number = contract_number
    parcel.transaction_price = transaction_price
    parcel.awardee = awardee
    parcel.full_clean()
    parcel.save()
    return parcel
