from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParcelsConfig(AppConfig):
    name = "parcels"
    verbose_name = _("地块")

    def ready(self):
        from landsupply.export_jobs import register
        from parcels.exports import parcel_export, parcel_export_count

        register("parcels", build=parcel_export, count=parcel_export_count)
