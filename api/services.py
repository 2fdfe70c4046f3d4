"""Writes of API tokens (django-rest-knox: only the digest is stored)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from api.models import ApiToken
from landsupply.locking import lock
from landsupply.models import User

OPERATIONAL_ROLES = (User.Role.CITY, User.Role.DISTRICT, User.Role.ENTERPRISE)


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Return (the new token's row, the token itself). The token is shown once: only its
    SHA-512 digest and first characters are stored. It expires after REST_KNOX["TOKEN_TTL"].

    Raises PermissionDenied for the platform administrator (no operational access, so no API
    token), ValidationError for an empty name or when the user already has
    API_TOKENS_PER_USER tokens."""
    if user.role not in OPERATIONAL_ROLES:
        raise PermissionDenied(_("平台管理员没有业务接口权限。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称，例如对接的系统。")})
    lock(User, user.pk)  # two tabs at once cannot pass the limit together
    limit = settings.API_TOKENS_PER_USER
    if ApiToken.objects.filter(user=user).count() >= limit:
        raise ValidationError(_("每人最多 %(n)s 个接口令牌，请先撤销不用的令牌。") % {"n": limit})
    return ApiToken.objects.create(user=user, name=name[:100])


@transaction.atomic
def token_revoke(*, user: User, digest: str) -> int:
    """Delete `user`'s token `digest`; return 1, or 0 when it is not theirs (or gone)."""
    deleted, _rows = ApiToken.objects.filter(user=user, digest=digest).delete()
    return deleted
