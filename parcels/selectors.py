"""Reads of parcels, always scoped to what the user may see."""

from django.db.models import QuerySet

from landsupply.access import scope_to_user
from landsupply.models import District, User
from parcels.models import LandUseCategory, Parcel


def district_list_for_user(*, user: User) -> QuerySet[District]:
    """Return the districts `user` may act in: their own (district staff) or their
    jurisdiction's (city staff); none for enterprises."""
    qs = District.objects.select_related("jurisdiction", "default_ring")
    return scope_to_user(qs, user=user, district="pk", jurisdiction="jurisdiction_id")


def parcel_list(*, user: User) -> QuerySet[Parcel]:
    """Return the parcels `user` may see, with district, ring and category joined.

    District staff: their district only. City staff: their jurisdiction. Enterprises: none.
    """
    qs = Parcel.objects.select_related("district", "district__jurisdiction", "ring", "category")
    return scope_to_user(
        qs, user=user, district="district_id", jurisdiction="district__jurisdiction_id"
    )


def parcel_get(*, user: User, pk: int) -> Parcel:
    """Return one parcel the user may see. Raises Parcel.DoesNotExist otherwise (→ 404)."""
    return parcel_list(user=user).get(pk=pk)


def land_use_category_descendant_ids(category_ids) -> set[int]:
    """Return the ids of the given categories and every category below them."""
    parents = {}
    for pk, parent_id in LandUseCategory.objects.values_list("pk", "parent_id"):
        parents[pk] = parent_id
    wanted = set(category_ids)
    result = set()
    for pk in parents:
        node = pk
        while node is not None:
            if node in wanted:
                result.add(pk)
                break
            node = parents.get(node)
    return result


def parcel_import_list(*, user: User):
    """Return the ledger imports `user` uploaded, newest first."""
    from parcels.models import ParcelImport

    return ParcelImport.objects.filter(user=user).select_related("district")
