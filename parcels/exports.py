"""The parcel list as a download, in the ledger template's columns (an exported file can be
edited and imported back), with the list page's filters. Registered with
landsupply.export_jobs as "parcels": small lists are sent at once, large ones written by a
worker. Rows are rendered one parcel at a time from a server-side cursor, never all held."""

from types import SimpleNamespace

from django.http import QueryDict
from django.utils import timezone

from landsupply.export_jobs import bounded_count
from landsupply.exports import Export
from landsupply.models import User
from parcels import selectors
from parcels.filters import ParcelFilter
from parcels.models import Parcel
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


def _columns(resource) -> list[tuple]:
    """Return (values_list path or None, render) for each export field of `resource`, in its
    export order: the resource's own widgets (and dehydrate methods) render plain column
    values, so no model instance is built per row — what costs most in
    ParcelResource.export(). A foreign key is rendered from its `name` (the widgets' field)."""
    columns = []
    for field in resource.get_export_fields():
        if field.dehydrate_method or field.attribute is None:
            method = getattr(resource, field.dehydrate_method or f"dehydrate_{field.column_name}")
            columns.append((None, lambda _value, method=method: method(None)))
            continue
        model_field = Parcel._meta.get_field(field.attribute)
        widget = field.widget
        if model_field.is_relation:
            columns.append((
                f"{field.attribute}__{widget.field}",
                lambda value, widget=widget: widget.render(
                    None if value is None else SimpleNamespace(**{widget.field: value})
                ),
            ))  # fmt: skip
        else:
            columns.append((field.attribute, widget.render))
    return columns


def parcel_export(*, user: User, query: QueryDict) -> Export:
    """Return the Export of the parcels `user` may see, filtered by `query` (ParcelFilter),
    one row per parcel in the ledger's columns (areas in hectares)."""
    queryset, districts = _filtered(user=user, query=query)
    resource = ParcelResource(districts=districts)
    paths, renders = zip(*_columns(resource), strict=True)

    def rows():
        for values in queryset.values_list(*(p for p in paths if p)).iterator(chunk_size=CHUNK):
            cells = iter(values)
            yield [
                render(next(cells)) if path else render(None)
                for path, render in zip(paths, renders, strict=True)
            ]

    return Export(
        name=f"地块清单-{timezone.localdate().isoformat()}",
        title="地块台账",
        headers=resource.get_export_headers(),
        rows=rows(),
        total=queryset.count(),
    )
