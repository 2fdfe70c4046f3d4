"""The site's own error pages (400, 403, 404, 500 and a failed CSRF check), in the site's
layout with its navigation, each saying what the user can do next. Django shows them whenever
DEBUG is off; with DEBUG on it shows its debug pages instead, so tests and the production
server check them with DEBUG off.
"""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone

logger = logging.getLogger(__name__)


def _error_page(request, status: int, **context) -> HttpResponse:
    return render(request, f"{status}.html", {"status": status, **context}, status=status)


def bad_request(request, exception=None):
    """400: a request Django refused (a damaged form, an unknown host, too many fields)."""
    return _error_page(request, 400)


def permission_denied(request, exception=None):
    """403: the user's role or jurisdiction does not allow this page or action."""
    return _error_page(request, 403)


def page_not_found(request, exception=None):
    """404: no such page, or an object outside the user's scope (selectors make those 404)."""
    return _error_page(request, 404)


def csrf_failure(request, reason=""):
    """403 for a form whose CSRF check failed: most often a page left open past the session."""
    return _error_page(request, 403, csrf_failed=True)


def server_error(request):
    """500: an error in the site. Rendered with the navigation when the page itself can be
    rendered; when even that fails (the database is down: the navigation reads it), a plain
    version of the same page without the per-user parts."""
    now = timezone.localtime()
    try:
        return _error_page(request, 500, error_time=now)
    except Exception:
        logger.exception("the 500 page could not be rendered with the navigation")
        html = loader.get_template("500_plain.html").render({"error_time": now})
        return HttpResponse(html, status=500)


def locked_out(request, original_response=None, credentials=None):
    """429 from django-axes (settings.AXES_LOCKOUT_CALLABLE): too many failed logins for the
    account or the client address; says how long the lock lasts and whom to ask."""
    cooloff = settings.AXES_COOLOFF_TIME
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
        },
        status=429,
    )
