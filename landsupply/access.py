"""Role checks shared by every app's views. Scoping of rows lives in each app's selectors."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(*roles):
    """View decorator: the logged-in user must have one of `roles`, else 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles and not request.user.is_superuser:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def city_staff_required(view):
    """View decorator: only city staff (市级) pass; others get 403."""
    return role_required("city")(view)


def staff_required(view):
    """View decorator: city or district staff pass; enterprises get 403."""
    return role_required("city", "district")(view)
