from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from landsupply.models import (
    District,
    Enterprise,
    Jurisdiction,
    Notification,
    Ring,
    StoredFile,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "jurisdiction", "district", "enterprise"]
    list_filter = ["role", "jurisdiction", "district"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("角色与归属"), {"fields": ["role", "jurisdiction", "district", "enterprise"]}),
    )


class RingInline(admin.TabularInline):
    model = Ring
    extra = 0


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    inlines = [RingInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "jurisdiction", "default_ring", "sort_order"]
    list_filter = ["jurisdiction"]


@admin.register(Ring)
class RingAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "jurisdiction", "parent"]
    list_filter = ["jurisdiction"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "contact_email", "is_demo"]
    search_fields = ["name", "credit_code"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "title", "created_at", "read_at"]
    list_filter = ["read_at"]


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    """Uploads kept in the database (LANDSUPPLY_STORAGE=database): names and sizes, read-only.
    The bytes are served only by the views that check access to their object."""

    list_display = ["name", "size", "created_at"]
    search_fields = ["name"]
    fields = ["name", "size", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
