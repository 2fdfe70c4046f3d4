from django.urls import path

from plans import exports, views

app_name = "plans"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("report.xlsx", exports.plan_report_export, name="report_export"),
    path("<int:pk>/supplement-window/", views.supplement_window, name="supplement_window"),
    path("new/", views.plan_create, name="plan_create"),
    path("import/", views.plan_import, name="plan_import"),
    path("import/template.xlsx", views.plan_import_template, name="plan_import_template"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("<int:pk>/milestones/", views.milestones, name="milestones"),
    path("<int:pk>/ranking/", views.ranking, name="ranking"),
    path("<int:pk>/close-year/", views.year_close, name="year_close"),
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/new/", views.adjustment_create, name="adjustment_create"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/file/", views.adjustment_file, name="adjustment_file"),
    path("adjustments/<int:pk>/approve/", views.adjustment_approve, name="adjustment_approve"),
    path("adjustments/<int:pk>/reject/", views.adjustment_reject, name="adjustment_reject"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/start/", views.submission_start, name="submission_start"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:pk>/comparison/",
        views.submission_comparison,
        name="submission_comparison",
    ),
    path(
        "submissions/<int:pk>/parcels/", views.submission_set_listed, name="submission_set_listed"
    ),
    path("submissions/<int:pk>/submit/", views.submission_submit, name="submission_submit"),
    path("submissions/<int:pk>/return/", views.submission_return, name="submission_return"),
    path("submissions/<int:pk>/accept/", views.submission_accept, name="submission_accept"),
]
