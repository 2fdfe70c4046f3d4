from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from landsupply.admin_scope import ScopedAdmin, ScopedInline, is_platform_admin
from landsupply.models import (
    CalendarDay,
    Claim,
    District,
    Enterprise,
    ExportJob,
    Jurisdiction,
    Notification,
    Ring,
    StoredFile,
    User,
)

# What only the platform administrator sets on a user: admin access and permissions.
PLATFORM_ONLY_USER_FIELDS = {"is_staff", "is_superuser", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    """Users of the user's jurisdiction, for city staff; everyone, for the platform administrator.

    City staff manage their jurisdiction's users (role, district, enterprise, password) but never
    admin access, groups, permissions or superuser status, and never the platform administrator
    role; a user they add belongs to their jurisdiction. District staff and enterprises do not
    manage users.
    """

    list_display = ["username", "first_name", "role", "jurisdiction", "district", "enterprise"]
    list_filter = ["role", "jurisdiction", "district"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("角色与归属"), {"fields": ["role", "jurisdiction", "district", "enterprise"]}),
        (_("邮件通知"), {"fields": ["email_preference"]}),
    )
    scope = {"jurisdiction": "jurisdiction_id"}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_platform_admin(request.user):
            return queryset
        return queryset.exclude(role=User.Role.ADMIN).exclude(is_superuser=True)

    def _manages_users(self, request) -> bool:
        return is_platform_admin(request.user) or request.user.is_city_staff

    def has_module_permission(self, request):
        return self._manages_users(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manages_users(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._manages_users(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._manages_users(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages_users(request) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_platform_admin(request.user):
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in PLATFORM_ONLY_USER_FIELDS],
                },
            )
            for name, options in fieldsets
        ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not is_platform_admin(request.user):
            kwargs["choices"] = [c for c in User.Role.choices if c[0] != User.Role.ADMIN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not is_platform_admin(request.user):
            obj.jurisdiction_id = request.user.jurisdiction_id
        super().save_model(request, obj, form, change)


# The admin says the site's name, not "Django 管理".
admin.site.site_header = _("国有建设用地供应管理 · 后台")
admin.site.site_title = _("国有建设用地供应管理")
admin.site.index_title = _("数据维护")

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Groups carry permissions: only the platform administrator edits them."""

    def has_module_permission(self, request):
        return is_platform_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_platform_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_platform_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_platform_admin(request.user) and super().has_delete_permission(request, obj)


class RingInline(ScopedInline, admin.TabularInline):
    model = Ring
    extra = 0


@admin.register(Jurisdiction)
class JurisdictionAdmin(ScopedAdmin):
    list_display = ["code", "name"]
    inlines = [RingInline]
    scope = {"jurisdiction": "pk", "district": "districts"}

    def has_add_permission(self, request):
        return is_platform_admin(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_platform_admin(request.user) and super().has_delete_permission(request, obj)


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ["code", "name", "jurisdiction", "default_ring", "sort_order"]
    list_filter = ["jurisdiction"]
    scope = {"jurisdiction": "jurisdiction_id", "district": "pk"}


@admin.register(Ring)
class RingAdmin(ScopedAdmin):
    list_display = ["code", "name", "jurisdiction", "parent"]
    list_filter = ["jurisdiction"]
    scope = {"jurisdiction": "jurisdiction_id"}


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    """The enterprise register is shared by every jurisdiction (an enterprise may hold land in
    several): staff see it, the platform administrator keeps it."""

    list_display = ["name", "credit_code", "contact_email", "is_demo"]
    search_fields = ["name", "credit_code"]
    shared = True


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    list_display = [
        "recipient",
        "display_title",
        "message_id",
        "created_at",
        "read_at",
        "emailed_at",
    ]
    list_filter = ["read_at"]
    scope = {"jurisdiction": "recipient__jurisdiction_id", "district": "recipient__district_id"}


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin):
    """Run-once claims of the sweeps (landsupply.claims), read-only: which reminder, notice or
    digest was done and when. An empty scope: only the platform administrator sees them."""

    list_display = ["key", "claimed_at"]
    search_fields = ["key"]
    fields = ["key", "claimed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StoredFile)
class StoredFileAdmin(ScopedAdmin):
    """Uploads kept in the database (LANDSUPPLY_STORAGE=database): names and sizes, read-only.
    The bytes are served only by the views that check access to their object. An empty scope:
    only the platform administrator sees them."""

    list_display = ["name", "size", "created_at"]
    search_fields = ["name"]
    fields = ["name", "size", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportJob)
class ExportJobAdmin(ScopedAdmin):
    """Background exports (landsupply.export_jobs), read-only: who asked, what, how far, when
    its worker last reported progress (a job without progress for EXPORT_JOB_TIMEOUT_MINUTES is
    failed by the beat sweep). The file is served only to the user who asked, by the export-job
    views, and deleted after EXPORT_KEEP_DAYS (the job then expired)."""

    list_display = [
        "pk",
        "user",
        "kind",
        "file_format",
        "status",
        "processed_rows",
        "created_at",
        "heartbeat_at",
    ]
    list_filter = ["status", "kind"]
    fields = [
        "user",
        "kind",
        "file_format",
        "query",
        "status",
        "total_rows",
        "processed_rows",
        "created_at",
        "heartbeat_at",
        "finished_at",
        "error",
    ]
    readonly_fields = fields
    scope = {"jurisdiction": "user__jurisdiction_id", "district": "user__district_id"}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdmin):
    """The platform administrator adds a year's holidays and make-up working days when the State
    Council publishes them (one national calendar, so `shared`: staff see it, only the platform
    administrator changes it); deadlines that end on a rest day move to the next working day
    (民法典 第二百零三条)."""

    shared = True

    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind", "name"]
    date_hierarchy = "day"
    search_fields = ["name"]
