from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from landsupply.models import User
from landsupply.services import notification_mark_all_read, notification_mark_read


@login_required
def home(request):
    """Send each role to its own home page; the platform administrator to the admin site."""
    if request.user.role == User.Role.ENTERPRISE:
        return redirect("assessments:contract_list")
    if request.user.role == User.Role.ADMIN:
        return redirect("admin:index")
    return redirect("plans:overview")


@login_required
def notifications(request):
    """The user's latest 100 notifications, unread ones marked 新. Reading the page changes
    nothing (GET never changes data): marking read is a button (a POST)."""
    items = list(request.user.notifications.all()[:100])
    return render(request, "landsupply/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request, pk=None):
    """Mark one notification (`pk`) or all of the user's notifications read."""
    if pk is None:
        notification_mark_all_read(user=request.user)
    else:
        notification_mark_read(user=request.user, pk=pk)
    return redirect("notifications")
