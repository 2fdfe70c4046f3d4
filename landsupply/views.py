from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from landsupply import export_jobs
from landsupply import todo as todos
from landsupply.access import city_staff_required
from landsupply.consistency import consistency_findings
from landsupply.exports import export_response
from landsupply.forms import EmailPreferenceForm
from landsupply.models import ExportJob, Jurisdiction, User
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


def export_download(request, *, kind: str, file_format: str):
    """The download of a registered export (landsupply.export_jobs) with the page's filters.

    GET: a file of at most EXPORT_INLINE_MAX_ROWS rows is sent at once; a larger one gets a
    page offering to prepare it in the background (GET never changes data). POST: start that
    export job and go to its progress page. The calling view checks the role.
    """
    if request.method == "POST":
        job = export_jobs.export_job_create(
            user=request.user, kind=kind, file_format=file_format, query=request.GET.urlencode()
        )
        return redirect(job)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    count = export_jobs.export_count(kind=kind, user=request.user, query=request.GET)
    if count <= export_jobs.inline_limit():
        export = export_jobs.export_build(kind=kind, user=request.user, query=request.GET)
        return export_response(export, file_format)
    return render(
        request,
        "landsupply/export_start.html",
        {
            "limit": export_jobs.inline_limit(),
            "file_format": file_format,
            "recent": export_jobs.export_job_list(user=request.user)[:10],
        },
    )


def _get_export_job(request, pk) -> ExportJob:
    try:
        return export_jobs.export_job_get(user=request.user, pk=pk)
    except ExportJob.DoesNotExist as exc:
        raise Http404(_("没有这个导出任务，或您无权查看。")) from exc


def _export_job_page(request, job: ExportJob, status: int = 200):
    context = {"job": job, "keep_days": settings.EXPORT_KEEP_DAYS}
    return render(request, "landsupply/export_job.html", context, status=status)


@login_required
def export_job(request, pk):
    """The progress of one of the user's export jobs, then its download link (or that the file
    expired)."""
    return _export_job_page(request, _get_export_job(request, pk))


@login_required
def export_job_status(request, pk):
    job = _get_export_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "processed": job.processed_rows,
            "total": job.total_rows,
            "percent": job.percent,
            "finished": job.finished,
        }
    )


@login_required
def export_job_download(request, pk):
    """The finished file of one of the user's export jobs, from private storage; once the file
    expired (EXPORT_KEEP_DAYS), 410 with the job's page saying so."""
    job = _get_export_job(request, pk)
    if job.status == ExportJob.Status.EXPIRED:
        return _export_job_page(request, job, status=410)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("文件尚未生成。"))
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("文件尚未生成。")) from exc
    return FileResponse(handle, as_attachment=True, filename=job.filename)
