from django.urls import path

from boundaries import views

app_name = "boundaries"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("parcels.json", views.parcels_json, name="parcels_json"),
    path("layers.json", views.layers_json, name="layers_json"),
    path("public/", views.public_map, name="public_map"),
    path("public/parcels.json", views.public_parcels_json, name="public_parcels_json"),
    path("public/layers.json", views.public_layers_json, name="public_layers_json"),
    path("import/", views.import_start, name="import_start"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
