from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("先租后让")

    def ready(self):
        from assessments.exports import contract_register, contract_register_count
        from landsupply.export_jobs import register

        register("contracts", build=contract_register, count=contract_register_count)
