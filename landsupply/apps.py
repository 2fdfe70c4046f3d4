from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandsupplyConfig(AppConfig):
    name = "landsupply"
    verbose_name = _("用户与辖区")
