"""The parcel list as a download, in the ledger template's columns (an exported file can be
edited and imported back), with the list page's filters. Registered with
landsupply.export_jobs as "parcels": small lists are sent at once, large ones written by a
worker. Rows are rendered one parcel at a time from a server-side cursor, never all held."""

from django.http import QueryDict
from django.utils import timezone

from landsupply.export_jobs import bounded_count
from landsupply.exports import Export
from landsupply.models import User
from parcels import selectors
from parcels.filters import ParcelFilter
from parcels.resources import ParcelResource

CHUNK = 2000


def _filtered(*, user: User, query: QueryDict):
    districts = selectors.district_list_for_user(user=user)
    parcel_filter = ParcelFilter(
        query, queryset=selectors.parcel_list(user=user), districts=districts
    )
    return parcel_filter.qs, districts


def parcel_export_count(*, user: User, query: QueryDict, limit: int) -> int:
    """Return how many parcels the export would hold, counting at most `limit` + 1."""
    queryset, _districts = _filtered(user=user, query=query)
    return bounded_count(queryset, limit)


def parcel_export(*, user: User, query: QueryDict) -> Export:
    """Return the Export of the parcels `user` may see, filtered by `query` (ParcelFilter),
    one row per parcel in the ledger's columns (areas in hectares)."""
    queryset, districts = _filtered(user=user, query=query)
    resource = ParcelResource(districts=districts)
    fields = resource.get_export_fields()

    def rows():
        for parcel in queryset.iterator(chunk_size=CHUNK):
            yield [resource.export_field(field, parcel) for field in fields]

    return Export(
        name=f"地块清单-{timezone.localdate().isoformat()}",
        title="地块台账",
        headers=resource.get_export_headers(),
        rows=rows(),
        total=queryset.count(),
    )
