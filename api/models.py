"""API tokens: django-rest-knox's token (only a SHA-512 digest and the first characters are
stored; the token itself is shown once), with a name the user gives it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """One user's API token. `token_key` is the token's first 15 characters (to find it and to
    show which one it is); `digest` its hash. Revoking deletes the row."""

    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"
