"""Who may call which endpoint: the pages' roles (landsupply.access). Rows are scoped by the
selectors; these only say which roles an endpoint serves at all."""

from rest_framework.permissions import BasePermission


class HasRole(BasePermission):
    """The view's `roles` (by action: `roles_by_action`) must include the user's role; roles
    are roles, superuser status never counts (the platform administrator has none of them)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        roles = getattr(view, "roles_by_action", {}).get(getattr(view, "action", None))
        if roles is None:
            roles = view.roles
        return user.role in roles
