"""The admin site's side of the one access rule (landsupply.access.scope_to_user).

Everyone but the platform administrator works in the admin inside their own jurisdiction (city
staff) or district (district staff), as on the pages: a scoped ModelAdmin names the lookups from
its rows to a district and a jurisdiction (`scope = {"district": ..., "jurisdiction": ...}`,
the keywords scope_to_user takes), and the mixin applies them to

- the change list, and the choices of its related-field filters (only values in scope);
- every object page: another jurisdiction's object is a 404 (change, delete, history, password),
  and the object-level permissions refuse it too (simple-history's revert pages ask those);
- the choices of every foreign-key and many-to-many field, on the page and in inlines (a field
  pointing at a scoped model offers only that model's rows in scope).

Data every jurisdiction shares (land-use categories of GB/T 21010, the enterprise register) is
`shared`: everyone with the view permission sees it, only the platform administrator changes it.
Permissions (Django's model permissions) still decide what a user may do at all; the scope
decides where.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.http import Http404
from django.utils.translation import gettext as _

from landsupply.access import scope_to_user


def is_platform_admin(user) -> bool:
    """True when `user` sees the whole admin site (the platform administrator role)."""
    return getattr(user, "role", None) == "admin"


class ScopedFieldsMixin:
    """Foreign-key and many-to-many choices limited to what the user may see (ModelAdmin and
    inlines)."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if is_platform_admin(request.user):
            return queryset
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if not isinstance(related_admin, ScopedAdmin):
            return queryset
        scoped = related_admin.get_queryset(request)
        ordering = related_admin.get_ordering(request)
        if ordering:
            scoped = scoped.order_by(*ordering)
        return scoped.using(db) if db else scoped


class ScopedAdmin(ScopedFieldsMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows, objects and choices are scoped to the user's jurisdiction or
    district (see the module docstring). Subclasses set `scope` or `shared`."""

    scope: dict[str, str] = {}
    shared = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_platform_admin(request.user) or self.shared:
            return queryset
        return scope_to_user(queryset, user=request.user, **self.scope)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not is_platform_admin(request.user):
            raise Http404(_("没有这条记录，或您无权查看。"))
        return obj

    def in_scope(self, request, obj) -> bool:
        """True when `obj` (None: the model as a whole) is one of the rows the user may see.
        Asked once per object and request."""
        if obj is None or is_platform_admin(request.user) or self.shared:
            return True
        cache = request.__dict__.setdefault("_admin_scope_checked", {})
        key = (self.model._meta.label, obj.pk)
        if key not in cache:
            cache[key] = self.get_queryset(request).filter(pk=obj.pk).exists()
        return cache[key]

    def _may_write(self, request) -> bool:
        return not self.shared or is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return (
            super().has_change_permission(request, obj)
            and self._may_write(request)
            and self.in_scope(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and self._may_write(request)
            and self.in_scope(request, obj)
        )

    def get_list_filter(self, request):
        """Related-field filters offer only the values found in the user's rows."""
        filters = super().get_list_filter(request)
        if is_platform_admin(request.user):
            return filters
        scoped = []
        for item in filters:
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped


class ScopedInline(ScopedFieldsMixin):
    """Mixin for inlines: their rows belong to the (scoped) parent; their choices are scoped."""
