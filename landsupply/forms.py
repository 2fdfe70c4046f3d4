"""Form helpers shared by the apps' views."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from landsupply.models import User


def add_service_error(form, exc: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on `form`: an error of a model field goes to the form
    field of that name (or the one `fields` maps it to, e.g. {"area_ha": "area"}), any other
    error to the top of the form. Never raises for a field the form lacks (Django's add_error
    does, which turned full_clean errors into HTTP 500)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    fields = fields or {}
    for name, errors in exc.error_dict.items():
        target = fields.get(name, name)
        form.add_error(target if target in form.fields else None, errors)


class EmailPreferenceForm(forms.Form):
    """How the user gets notification e-mail (User.EmailPreference)."""

    email_preference = forms.ChoiceField(
        label=_("邮件通知"),
        choices=User.EmailPreference.choices,
        widget=forms.RadioSelect,
        help_text=_("站内通知总会保留；每日汇总在每天早上 8 点发送前一天以来的通知。"),
    )
