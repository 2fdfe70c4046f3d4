from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from landsupply import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notifications, name="notifications"),
    path("consistency/", views.consistency, name="consistency"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("parcels/", include("parcels.urls")),
    path("plans/", include("plans.urls")),
    path("contracts/", include("assessments.urls")),
    path("admin/", admin.site.urls),
]
