from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from landsupply import todo as todos
from landsupply.access import city_staff_required
from landsupply.consistency import consistency_findings
from landsupply.forms import EmailPreferenceForm
from landsupply.models import Jurisdiction, User
from landsupply.rulebook import rule_entries
from landsupply.services import (
    notification_mark_all_read,
    notification_mark_read,
    user_set_email_preference,
)


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
def notification_settings(request):
    """The user's e-mail preference for notifications (each / daily digest / none)."""
    form = EmailPreferenceForm(
        request.POST or None, initial={"email_preference": request.user.email_preference}
    )
    if request.method == "POST" and form.is_valid():
        user_set_email_preference(
            user=request.user, preference=form.cleaned_data["email_preference"]
        )
        messages.success(request, _("邮件通知设置已保存。"))
        return redirect("notifications")
    return render(request, "landsupply/notification_settings.html", {"form": form})


@login_required
def todo(request):
    """The user's to-do list (待办): what waits for their action, oldest first, each with its
    deadline and a link to the place to act. Reads only."""
    day = todos.today()
    items = todos.todo_for_user(request.user, on=day)
    rows = []
    for item in items:
        days = item.days_left(day)
        rows.append((item, days, None if days is None else abs(days)))
    return render(request, "landsupply/todo.html", {"rows": rows, "today": day})


@login_required
@require_POST
def notifications_read(request, pk=None):
    """Mark one notification (`pk`) or all of the user's notifications read."""
    if pk is None:
        notification_mark_all_read(user=request.user)
    else:
        notification_mark_read(user=request.user, pk=pk)
    return redirect("notifications")


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


def _reader_jurisdiction(request) -> Jurisdiction | None:
    """The jurisdiction asked for (?jurisdiction=code), else the reader's own, else the first."""
    jurisdictions = Jurisdiction.objects.order_by("pk")
    code = request.GET.get("jurisdiction")
    if code:
        return jurisdictions.filter(code=code).first()
    user = request.user
    if user.is_authenticated:
        if user.jurisdiction_id:
            return user.jurisdiction
        if user.district_id:
            return user.district.jurisdiction
    return jurisdictions.first()


def rules_page(request):
    """规则说明: R1–R25 with their wording, the parameters in force for a jurisdiction (from its
    rule sets and latest published plan) and their sources. Public, like the rules themselves
    (R24); every rule badge of the site links to its entry here."""
    jurisdiction = _reader_jurisdiction(request)
    today = timezone.localdate()
    entries = rule_entries(jurisdiction=jurisdiction, on=today)
    return render(
        request,
        "landsupply/rules.html",
        {
            "jurisdiction": jurisdiction,
            "jurisdictions": Jurisdiction.objects.order_by("pk"),
            "plan_rules": [e for e in entries if e["group"] == "plans"],
            "lease_rules": [e for e in entries if e["group"] == "assessments"],
            "today": today,
        },
    )
