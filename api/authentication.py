"""Token authentication: django-rest-knox's, without writes on use."""

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`. An expired token is refused like an unknown one but not
    deleted here (GET never changes data); the user's token page lists it as expired."""

    def _cleanup_token(self, auth_token) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()
