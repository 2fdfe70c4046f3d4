"""The parcel list as a download, in the ledger template's columns (an exported file can be
edited and imported back), with the list page's filters. Registered with
landsupply.export_jobs as "parcels": small lists are sent at once, large ones written by a
worker. Rows are rendered one parcel at a time from a server-side cursor, never all held."""

from django.db.models import BooleanField, CharField, DateField, DateTimeField, TextField
from django.http import QueryDict
from django.utils import timezone
from import_export import widgets

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


class _Rendered(dict):
    """One column's rendered values by raw value, each rendered by `render` the first time it
    is seen (for columns of few distinct values: the rows are rendered in one language)."""

    def __init__(self, render, rendered=()):
        super().__init__(rendered)
        self.render = render

    def __missing__(self, value):
        self[value] = rendered = self.render(value)
        return rendered


def _as_is(widget, model_field) -> bool:
    """Return whether `widget` renders every value of `model_field` as that value: it is
    django-import-export's own render (not a subclass's) of CharWidget (text stays text, only
    None would become "", so the field must be NOT NULL unless not coerced to text) or of
    NumberWidget not coerced to text (numbers and None as they are)."""
    render = type(widget).render
    if render is widgets.CharWidget.render:
        return not widget.coerce_to_string or (
            isinstance(model_field, CharField | TextField) and not model_field.null
        )
    if render is widgets.NumberWidget.render:
        return not widget.coerce_to_string
    return False


def _few_values(model_field) -> bool:
    """Return whether a column has few distinct values: choices, booleans, calendar dates."""
    if isinstance(model_field, DateTimeField):
        return False
    return bool(model_field.choices) or isinstance(model_field, BooleanField | DateField)


def _related_table(model_field, render):
    """Return a function building the rendered values of a foreign key by its column value:
    the related table (a small lookup table: districts, land-use categories) read in one query,
    each row rendered from its model instance as the resource renders it."""
    related = model_field.related_model._base_manager.all()
    key = model_field.target_field.attname

    def missing(value):  # a row added after the table was read
        return render(None if value is None else related.filter(**{key: value}).first())

    return lambda: _Rendered(missing, {getattr(obj, key): render(obj) for obj in related})


def _columns(resource) -> list[tuple]:
    """Return (values_list path or None, how) for each export field of `resource`, in its
    export order: how the resource's own widgets (and dehydrate methods) render plain column
    values, chosen once per column, so that no model instance is built and as few calls as
    possible are made per row (a model per row is what costs most in ParcelResource.export()).

    `how` is None for a value written as it is (_as_is), else a function called once when the
    rows start (in the language then active) returning: for a path, a dict of rendered values
    by raw value (_Rendered: foreign keys, choices, booleans, dates) or the widget's render;
    without a path, the column's constant value (a dehydrate method: it gets no parcel)."""
    columns = []
    for field in resource.get_export_fields():
        name = field.get_dehydrate_method(resource.get_field_name(field))
        dehydrate = getattr(resource, name, None) if isinstance(name, str) else name
        if dehydrate is not None:
            columns.append((None, lambda dehydrate=dehydrate: dehydrate(None)))
            continue
        if field.attribute is None:  # the resource renders the value None
            columns.append((None, lambda render=field.widget.render: render(None)))
            continue
        model_field = Parcel._meta.get_field(field.attribute)
        render = field.widget.render
        if model_field.is_relation:
            columns.append((model_field.attname, _related_table(model_field, render)))
        elif _as_is(field.widget, model_field):
            columns.append((field.attribute, None))
        elif _few_values(model_field):
            columns.append((field.attribute, lambda render=render: _Rendered(render)))
        else:
            columns.append((field.attribute, lambda render=render: render))
    return columns


def parcel_export(*, user: User, query: QueryDict) -> Export:
    """Return the Export of the parcels `user` may see, filtered by `query` (ParcelFilter),
    one row per parcel in the ledger's columns (areas in hectares)."""
    queryset, districts = _filtered(user=user, query=query)
    resource = ParcelResource(districts=districts)
    columns = _columns(resource)
    paths = [path for path, _how in columns if path]

    def rows():
        lookups, calls, constants = [], [], []
        index = 0  # of the column in the values_list row
        for position, (path, how) in enumerate(columns):
            if not path:
                constants.append((position, how()))
                continue
            if how is not None:
                made = how()
                (lookups if isinstance(made, dict) else calls).append((index, made))
            index += 1
        for values in queryset.values_list(*paths).iterator(chunk_size=CHUNK):
            row = list(values)
            for index, rendered in lookups:
                row[index] = rendered[row[index]]
            for index, render in calls:
                row[index] = render(row[index])
            for position, value in constants:  # in ascending positions
                row.insert(position, value)
            yield row

    return Export(
        name=f"地块清单-{timezone.localdate().isoformat()}",
        title="地块台账",
        headers=resource.get_export_headers(),
        rows=rows(),
        total=queryset.count(),
    )
