from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from landsupply.models import User


@login_required
def home(request):
    """Send each role to its own home page."""
    if request.user.role == User.Role.ENTERPRISE:
        return redirect("assessments:contract_list")
    return redirect("plans:overview")


@login_required
def notifications(request):
    items = request.user.notifications.all()[:100]
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "landsupply/notifications.html", {"notifications": items})
