"""The API's URLs, included under /api/ and its alias /api/v1/ (landsupply/urls.py)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from api import views

router = SimpleRouter(use_regex_path=False)
router.register("parcels", views.ParcelViewSet, basename="parcel")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("todo", views.TodoViewSet, basename="todo")

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(
            url_name="api:schema", permission_classes=[AllowAny], authentication_classes=[]
        ),
        name="docs",
    ),
    *router.urls,
]
