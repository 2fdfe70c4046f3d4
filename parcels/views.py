from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from landsupply.access import staff_required
from landsupply.forms import add_service_error
from landsupply.history import history_rows
from landsupply.paging import EstimatingPaginator
from parcels import selectors, services
from parcels.filters import ParcelFilter
from parcels.forms import ParcelForm, SupplyRecordForm
from parcels.models import Parcel

PAGE_SIZE = 50


def _get_parcel(request, pk):
    try:
        return selectors.parcel_get(user=request.user, pk=pk)
    except Parcel.DoesNotExist as exc:
        raise Http404(_("没有这个地块，或您无权查看。")) from exc


@staff_required
def parcel_list(request):
    districts = selectors.district_list_for_user(user=request.user)
    parcel_filter = ParcelFilter(
        request.GET, queryset=selectors.parcel_list(user=request.user), districts=districts
    )
    paginator = EstimatingPaginator(parcel_filter.qs, PAGE_SIZE)
    if request.GET.get("page") == "last":
        page = paginator.last_page()
    else:
        page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "parcels/parcel_list.html",
        {"filter": parcel_filter, "page": page, "query": query.urlencode()},
    )


@staff_required
def parcel_detail(request, pk):
    parcel = _get_parcel(request, pk)
    return render(
        request,
        "parcels/parcel_detail.html",
        {
            "parcel": parcel,
            "history": history_rows(parcel.history),
            "supply_form": SupplyRecordForm(),
        },
    )


@staff_required
def parcel_create(request):
    districts = selectors.district_list_for_user(user=request.user)
    form = ParcelForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        try:
            parcel = services.parcel_create(user=request.user, **form.parcel_fields())
        except ValidationError as exc:
            add_service_error(form, exc, fields={"area_ha": "area"})
        else:
            return redirect(parcel)
    return render(request, "parcels/parcel_form.html", {"form": form})


@staff_required
def parcel_update(request, pk):
    parcel = _get_parcel(request, pk)
    districts = selectors.district_list_for_user(user=request.user)
    form = ParcelForm(request.POST or None, instance=parcel, districts=districts)
    if request.method == "POST" and form.is_valid():
        try:
            parcel = services.parcel_update(
                user=request.user, parcel=_get_parcel(request, pk), **form.parcel_fields()
            )
        except ValidationError as exc:
            add_service_error(form, exc, fields={"area_ha": "area"})
        else:
            return redirect(parcel)
    return render(request, "parcels/parcel_form.html", {"form": form, "parcel": parcel})


@staff_required
def parcel_record_supply(request, pk):
    parcel = _get_parcel(request, pk)
    form = SupplyRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.parcel_record_supply(user=request.user, parcel=parcel, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc, fields={"area_ha": "area"})
        else:
            return redirect(parcel)
    return render(
        request,
        "parcels/parcel_detail.html",
        {"parcel": parcel, "history": history_rows(parcel.history), "supply_form": form},
    )
