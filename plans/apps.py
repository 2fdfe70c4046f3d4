from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("年度供地计划")

    def ready(self):
        from parcels import inclusion
        from plans.selectors import plan_years_closed_to_additions

        inclusion.register(plan_years_closed_to_additions)
