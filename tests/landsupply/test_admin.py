"""Every model can be looked after in the Django admin (issue 2), and its pages open."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import PlatformAdminFactory

pytestmark = pytest.mark.django_db

APPS = ["landsupply", "parcels", "plans", "assessments"]
# Children edited inline on their parent's page.
INLINE_ONLY = {
    "SubmissionEvent",
    "AdjustmentItem",
    "ContractEvent",
    "Indicator",
    "AssessmentTemplateItem",
}


def project_models():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def test_every_model_is_in_the_admin():
    missing = [
        m.__name__
        for m in project_models()
        if m not in admin.site._registry and m.__name__ not in INLINE_ONLY
    ]
    assert missing == []


def test_admin_changelists_open(client, reference_data):
    client.force_login(PlatformAdminFactory())
    for model in admin.site._registry:
        if model._meta.app_label in APPS:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert client.get(url).status_code == 200, url
