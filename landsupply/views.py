from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from landsupply.access import city_staff_required
from landsupply.consistency import consistency_findings
from landsupply.models import Jurisdiction, User
from landsupply.services import notification_mark_all_read


@login_required
def home(request):
    """Send each role to its own home page."""
    if request.user.role == User.Role.ENTERPRISE:
        return redirect("assessments:contract_list")
    return redirect("plans:overview")


@login_required
def notifications(request):
    items = list(request.user.notifications.all()[:100])  # as they were: new ones marked 新
    notification_mark_all_read(user=request.user)
    return render(request, "landsupply/notifications.html", {"notifications": items})


@city_staff_required
def consistency(request):
    """Every inconsistency of the user's jurisdiction with the rule it breaks (city staff);
    ?year= narrows to one plan year. Reads only."""
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and len(year) == 4 else None
    jurisdiction = None
    if request.user.jurisdiction_id:
        jurisdiction = Jurisdiction.objects.get(pk=request.user.jurisdiction_id)
    findings = consistency_findings(jurisdiction=jurisdiction, year=year)
    return render(
        request,
        "landsupply/consistency.html",
        {
            "findings": findings,
            "year": year,
            "jurisdiction": jurisdiction,
            "unexplained": sum(1 for f in findings if not f.explained),
        },
    )
