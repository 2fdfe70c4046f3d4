"""The user's API token page: create (the token is shown once) and revoke."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from api import selectors, services
from landsupply.access import role_required
from landsupply.forms import add_service_error

OPERATIONAL = ("city", "district", "enterprise")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("令牌名称"),
        max_length=100,
        help_text=gettext_lazy("用于哪个系统，例如“企业 ERP 对接”"),
    )


NEW_TOKEN_KEY = "api_new_token"


@role_required(*OPERATIONAL)
def token_list(request):
    """The user's tokens. A POST creates one and redirects (a reload creates nothing); the
    page after it shows the new token once: it waits in the session only until then, and the
    database keeps only its digest."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row, token = services.token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            request.session[NEW_TOKEN_KEY] = token
            messages.success(request, _("令牌“%(name)s”已创建。") % {"name": row.name})
            return redirect("api_tokens")
    new_token = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    return render(
        request,
        "api/tokens.html",
        {"tokens": selectors.token_list(user=request.user), "form": form, "new_token": new_token},
        status=400 if form.errors else 200,
    )


@role_required(*OPERATIONAL)
@require_POST
def token_revoke(request):
    if services.token_revoke(user=request.user, digest=request.POST.get("digest", "")):
        messages.success(request, _("令牌已撤销，使用它的系统将无法再访问。"))
    return redirect("api_tokens")
