from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandsupplyConfig(AppConfig):
    name = "landsupply"
    verbose_name = _("用户与辖区")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from landsupply.middleware import session_touched_at_login

        user_logged_in.connect(session_touched_at_login, dispatch_uid="landsupply-session-touched")
