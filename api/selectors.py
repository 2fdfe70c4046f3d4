"""Reads of API tokens."""

from django.db.models import QuerySet

from api.models import ApiToken


def token_list(*, user) -> QuerySet[ApiToken]:
    """Return `user`'s own API tokens, newest first (never anyone else's)."""
    return ApiToken.objects.filter(user=user).order_by("-created")
