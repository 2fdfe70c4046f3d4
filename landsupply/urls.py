from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api import pages as api_pages
from landsupply import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("todo/", views.todo, name="todo"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/read/", views.notifications_read, name="notification_read"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
    path("consistency/", views.consistency, name="consistency"),
    path("rules/", views.rules_page, name="rules"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("parcels/", include("parcels.urls")),
    path("plans/", include("plans.urls")),
    path("contracts/", include("assessments.urls")),
    path("map/", include("boundaries.urls")),
    path("api/tokens/", api_pages.token_list, name="api_tokens"),
    path("api/tokens/revoke/", api_pages.token_revoke, name="api_token_revoke"),
    path("api/v1/", include(("api.urls", "api"), namespace="api_v1")),
    path("api/", include(("api.urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
]

handler400 = "landsupply.errors.bad_request"
handler403 = "landsupply.errors.permission_denied"
handler404 = "landsupply.errors.page_not_found"
handler500 = "landsupply.errors.server_error"
