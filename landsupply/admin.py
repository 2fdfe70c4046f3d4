from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from landsupply.models import (
    CalendarDay,
    District,
    Enterprise,
    Jurisdiction,
    Notification,
    Ring,
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


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Staff add a year's holidays and make-up working days when the State Council publishes
    them; deadlines that end on a rest day move to the next working day (民法典 第二百零三条)."""

    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind", "name"]
    date_hierarchy = "day"
    search_fields = ["name"]
