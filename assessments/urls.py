from django.urls import path

from assessments import exports, views

app_name = "assessments"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("register.xlsx", exports.contract_register_export, name="register_export"),
    path("new/", views.contract_create, name="contract_create"),
    path("public/", views.public_list, name="public_list"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/notice/", views.assessment_notice, name="notice"),
    path("<int:pk>/notice.pdf", views.assessment_notice_pdf, name="notice_pdf"),
    path("<int:pk>/<slug:action>/", views.contract_action, name="action"),
]
