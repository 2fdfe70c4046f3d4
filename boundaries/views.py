"""Pages of the boundaries app: the map (staff and public), its data, the boundary import."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from boundaries import maps, services
from boundaries.models import BoundaryImport
from boundaries.readers import BoundaryFileError
from landsupply.access import role_required, staff_required
from parcels import selectors as parcel_selectors
from parcels.filters import ParcelFilter


def _filter(request) -> ParcelFilter:
    districts = parcel_selectors.district_list_for_user(user=request.user)
    return ParcelFilter(
        request.GET, queryset=parcel_selectors.parcel_list(user=request.user), districts=districts
    )


def _config(*, data_url, layers_url, extent, detail_urls=True) -> dict:
    return {
        "dataUrl": data_url,
        "layersUrl": layers_url,
        "extent": extent,
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "legends": maps.legends(),
        "detailUrls": detail_urls,
    }


@staff_required
def map_page(request):
    """The map of the parcels the user may see (city: the jurisdiction; district: its
    district), with the parcel list's filters."""
    parcel_filter = _filter(request)
    districts = parcel_selectors.district_list_for_user(user=request.user)
    query = request.GET.urlencode()
    extent = maps.map_extent(
        district_ids=list(districts.values_list("pk", flat=True)),
        parcels=parcel_selectors.parcel_list(user=request.user),
    )
    return render(
        request,
        "boundaries/map.html",
        {
            "filter": parcel_filter,
            "query": query,
            "map_config": _config(
                data_url=_url("boundaries:parcels_json"),
                layers_url=_url("boundaries:layers_json"),
                extent=extent,
            ),
        },
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def _viewport(request):
    box = maps.parse_box(request.GET.get("bbox"))
    try:
        zoom = max(0, min(22, int(request.GET.get("zoom", "0"))))
    except ValueError:
        zoom = 0
    return box, zoom


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@staff_required
def parcels_json(request):
    """The parcels in the viewport ?bbox=west,south,east,north&zoom=z, with the list's filters:
    features, or grid clusters when there are many."""
    box, zoom = _viewport(request)
    if box is None:
        return _bad_request(_("bbox 须为 西,南,东,北 经纬度。"))
    parcel_filter = _filter(request)
    if not parcel_filter.is_valid():
        return _bad_request(_("筛选条件无效：%(e)s") % {"e": parcel_filter.errors.as_text()})
    return JsonResponse(maps.map_parcels(parcels=parcel_filter.qs, box=box, zoom=zoom))


@staff_required
def layers_json(request):
    """District outlines (base layer, ring layer), key function areas and rail stations of the
    user's jurisdiction."""
    districts = parcel_selectors.district_list_for_user(user=request.user)
    jurisdiction_ids = set(districts.values_list("jurisdiction_id", flat=True))
    return JsonResponse(
        maps.map_layers(
            jurisdiction_ids=jurisdiction_ids, highlight_district_id=request.user.district_id
        )
    )


def public_map(request):
    """The public map (no login): the R24 disclosure parcels only."""
    extent = maps.map_extent(district_ids=[], parcels=maps.public_parcels())
    return render(
        request,
        "boundaries/public_map.html",
        {
            "map_config": _config(
                data_url=_url("boundaries:public_parcels_json"),
                layers_url=_url("boundaries:public_layers_json"),
                extent=extent,
                detail_urls=False,
            )
        },
    )


def public_parcels_json(request):
    box, zoom = _viewport(request)
    if box is None:
        return _bad_request(_("bbox 须为 西,南,东,北 经纬度。"))
    return JsonResponse(
        maps.map_parcels(parcels=maps.public_parcels(), box=box, zoom=zoom, detail_urls=False)
    )


def public_layers_json(request):
    jurisdiction_ids = set(
        maps.public_parcels().values_list("district__jurisdiction_id", flat=True)
    )
    return JsonResponse(maps.map_layers(jurisdiction_ids=jurisdiction_ids))


# --- Boundary import (district staff, own district) -----------------------------------------


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("界址文件（部标准坐标文件 .txt、GeoJSON、Shapefile .zip、KML）")
    )


def _get_upload(request, pk) -> BoundaryImport:
    upload = BoundaryImport.objects.filter(pk=pk, user=request.user).first()
    if upload is None:
        raise Http404(_("没有这个导入记录，或您无权查看。"))
    return upload


@role_required("district")
def import_start(request):
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.boundary_upload_create(
                user=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except BoundaryFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("boundaries:import_detail", pk=upload.pk)
    return render(
        request,
        "boundaries/import_start.html",
        {"form": form, "recent": BoundaryImport.objects.filter(user=request.user)[:10]},
    )


@role_required("district")
def import_detail(request, pk):
    upload = _get_upload(request, pk)
    features = [
        {
            "type": "Feature",
            "geometry": row["geometry"],
            "properties": {"code": row["code"], "overlaps": row["overlaps"]},
        }
        for row in upload.report.get("parcels", [])
        if row.get("geometry")
    ]
    return render(
        request,
        "boundaries/import_detail.html",
        {
            "upload": upload,
            "report": upload.report,
            "map_config": {
                "features": {"type": "FeatureCollection", "features": features},
                "tileUrl": settings.MAP_TILE_URL,
                "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
            },
        },
    )


@require_POST
@role_required("district")
def import_confirm(request, pk):
    upload = _get_upload(request, pk)
    try:
        services.boundary_upload_confirm(user=request.user, upload=upload)
    except ValueError as exc:
        from django.contrib import messages

        messages.error(request, str(exc))
    except PermissionDenied:
        raise
    return redirect("boundaries:import_detail", pk=upload.pk)
