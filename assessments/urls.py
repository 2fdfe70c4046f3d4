from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
]
