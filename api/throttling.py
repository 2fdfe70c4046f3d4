"""Throttles: per token for token calls, per user for the browser session, per address for
anonymous callers. Rates are settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), read at each
request (DRF's throttles read them once at import)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from api.models import ApiToken


class _RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class TokenRateThrottle(_RateFromSettings, SimpleRateThrottle):
    """Rate "token": each API token has its own budget; session calls share the user's."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.digest}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    """Rate "anon": callers without credentials, per client address."""

    scope = "anon"
