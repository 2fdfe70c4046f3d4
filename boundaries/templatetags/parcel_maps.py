"""{% parcel_boundary parcel %}: a parcel's boundary, its area, the layer answers next to the
hand-entered flags, and its neighbours — for the parcel page, which only loads this library."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.urls import reverse

from boundaries import rules, selectors

register = template.Library()


@register.inclusion_tag("boundaries/_parcel_boundary.html", takes_context=True)
def parcel_boundary(context, parcel):
    user = context["request"].user
    boundary = selectors.boundary_for_parcel(parcel=parcel)
    if boundary is None:
        return {"parcel": parcel, "boundary": None, "user": user}
    neighbours = selectors.boundary_neighbours(user=user, boundary=boundary)
    features = [
        {
            "type": "Feature",
            "geometry": rules.to_geojson(boundary.shape),
            "properties": {"code": parcel.code, "role": "parcel"},
        }
    ]
    if neighbours:
        shapes = {
            b.parcel_id: b.shape
            for b in type(boundary)
            .objects.filter(parcel_id__in=[n["parcel"].pk for n in neighbours])
            .only("parcel_id", "geometry")
        }
        features += [
            {
                "type": "Feature",
                "geometry": rules.to_geojson(shapes[n["parcel"].pk]),
                "properties": {
                    "code": n["parcel"].code,
                    "role": "neighbour",
                    "url": reverse("parcels:detail", args=[n["parcel"].pk]),
                },
            }
            for n in neighbours
            if n["parcel"].pk in shapes
        ]
    return {
        "parcel": parcel,
        "boundary": boundary,
        "user": user,
        "neighbours": neighbours,
        "area_differs": not rules.area_matches(
            boundary.area_ha,
            parcel.area_ha,
            tolerance=Decimal(str(settings.BOUNDARIES_AREA_TOLERANCE)),
        ),
        "rail_disagrees": boundary.computed_near_rail is not None
        and boundary.computed_near_rail != parcel.near_rail,
        "area_disagrees": boundary.computed_in_key_function_area is not None
        and boundary.computed_in_key_function_area != parcel.in_key_function_area,
        "map_config": {
            "features": {"type": "FeatureCollection", "features": features},
            "tileUrl": settings.MAP_TILE_URL,
            "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        },
    }
