from django.urls import path

from parcels import import_views, views

app_name = "parcels"

urlpatterns = [
    path("", views.parcel_list, name="list"),
    path("new/", views.parcel_create, name="create"),
    path("<int:pk>/", views.parcel_detail, name="detail"),
    path("<int:pk>/edit/", views.parcel_update, name="update"),
    path("<int:pk>/supply/", views.parcel_record_supply, name="record_supply"),
    path("export.xlsx", import_views.parcel_export, name="export"),
    path("export.csv", import_views.parcel_export, {"file_format": "csv"}, name="export_csv"),
    path("import/", import_views.import_start, name="import_start"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/retry/", import_views.import_retry, name="import_retry"),
    path("import/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("import/<int:pk>/errors.xlsx", import_views.import_errors, name="import_errors"),
]
