"""The project's one access rule: what each role may see and do. Scoping of rows is
`scope_to_user`, used by every app's selectors and by the admin site (landsupply.admin_scope).

Roles are roles: a user acts and sees as their role only (city staff of a jurisdiction,
district staff of a district, an enterprise). Superuser status never stands in for a role; the
platform administrator (role "admin", the only role that may be a superuser) looks after the
admin site and is offered no operational page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet


def role_required(*roles):
    """View decorator: the logged-in user's role must be one of `roles`, else 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def city_staff_required(view):
    """View decorator: only city staff (市级) pass; others get 403."""
    return role_required("city")(view)


def staff_required(view):
    """View decorator: city or district staff pass; enterprises and the platform administrator
    get 403."""
    return role_required("city", "district")(view)


def scope_to_user(
    qs: QuerySet,
    *,
    user,
    district: str | None = None,
    jurisdiction: str | None = None,
    enterprise: str | None = None,
) -> QuerySet:
    """Return `qs` narrowed to the rows `user` may see — the project's one access rule.

    Each keyword names the lookup that leads from a row to its district, jurisdiction or
    enterprise id (e.g. district="parcel__district_id"). District staff see rows of their
    district, city staff rows of their jurisdiction, enterprise users rows of their enterprise;
    a role whose lookup is not given sees nothing, and so does the platform administrator
    (superuser or not: the admin site, not this rule, shows it everything).
    """
    if user.role == "district" and district:
        return qs.filter(**{district: user.district_id})
    if user.role == "city" and jurisdiction:
        return qs.filter(**{jurisdiction: user.jurisdiction_id})
    if user.role == "enterprise" and enterprise:
        return qs.filter(**{enterprise: user.enterprise_id})
    return qs.none()
