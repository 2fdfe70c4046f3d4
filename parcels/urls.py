from django.urls import path

from parcels import views

app_name = "parcels"

urlpatterns = [
    path("", views.parcel_list, name="list"),
    path("new/", views.parcel_create, name="create"),
    path("<int:pk>/", views.parcel_detail, name="detail"),
    path("<int:pk>/edit/", views.parcel_update, name="update"),
    path("<int:pk>/supply/", views.parcel_record_supply, name="record_supply"),
]
