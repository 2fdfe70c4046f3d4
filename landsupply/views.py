from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from landsupply.models import User
from landsupply.services import notification_mark_all_read


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
    items = list(request.user.notifications.all()[:100])  # as they were: new ones marked 新
    notification_mark_all_read(user=request.user)
    return render(request, "landsupply/notifications.html", {"notifications": items})
