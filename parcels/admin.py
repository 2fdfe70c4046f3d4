from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from landsupply.admin_scope import ScopedAdmin, is_platform_admin
from parcels import inclusion
from parcels.models import (
    DistrictSupplyDay,
    LandUseCategory,
    Parcel,
    ParcelImport,
    PlanFigure,
    PlanFigureDay,
)


@admin.register(LandUseCategory)
class LandUseCategoryAdmin(ScopedAdmin):
    """GB/T 21010 categories, shared by every jurisdiction."""

    list_display = ["code", "name", "gb_code", "parent", "sort_order"]
    shared = True


@admin.register(Parcel)
class ParcelAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = {"district": "district_id", "jurisdiction": "district__jurisdiction_id"}
    list_display = [
        "code",
        "name",
        "district",
        "ring",
        "category",
        "area_ha",
        "status",
        "plan_year",
    ]
    list_filter = [
        "district__jurisdiction",
        "district",
        "status",
        "category",
        "land_source",
        "plan_year",
    ]
    search_fields = ["code", "name"]
    list_select_related = ["district", "ring", "category"]
    readonly_fields = ["inclusion_pending"]

    def save_model(self, request, obj, form, change):
        """A parcel added here, or moved to another year, waits for inclusion on the terms of
        parcels.services (待纳入, R7): the admin is no way round the plan's approval."""
        if not change or "plan_year" in form.changed_data:
            obj.inclusion_pending = inclusion.becomes_pending(
                user=request.user, district=obj.district, plan_year=obj.plan_year, was_in_year=False
            )
        super().save_model(request, obj, form, change)


@admin.register(ParcelImport)
class ParcelImportAdmin(ScopedAdmin):
    """Imports are read-only here (they change only through the import pages and workers). The
    file lives in private storage, which has no URL: it is shown by name, never linked."""

    scope = {"district": "district_id", "jurisdiction": "district__jurisdiction_id"}
    list_display = ["original_name", "user", "district", "status", "total_rows", "created_at"]
    list_filter = ["status", "district"]
    list_select_related = ["user", "district"]
    exclude = ["file"]
    readonly_fields = ["stored_file"]

    @admin.display(description=_("文件"))
    def stored_file(self, obj):
        return obj.file.name if obj.file else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class KeptFigureAdmin(admin.ModelAdmin):
    """The kept plan figures (parcels.figures), for the platform administrator to look at: they
    are written only by the database triggers (check_consistency --rebuild-figures rebuilds
    them), so nobody adds, changes or deletes them here."""

    list_filter = ["plan_year"]

    def has_view_permission(self, request, obj=None):
        return is_platform_admin(request.user)

    def has_module_permission(self, request):
        return is_platform_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanFigure)
class PlanFigureAdmin(KeptFigureAdmin):
    list_display = ["plan_year", "district_id", "category_id", "ring_id", "land_source",
                    "in_key_function_area", "near_rail", "planned_m2", "supplied_m2", "parcels"]  # fmt: skip


@admin.register(PlanFigureDay)
class PlanFigureDayAdmin(KeptFigureAdmin):
    list_display = ["plan_year", "district_id", "category_id", "supplied_on", "supplied_m2",
                    "parcels"]  # fmt: skip


@admin.register(DistrictSupplyDay)
class DistrictSupplyDayAdmin(KeptFigureAdmin):
    list_display = ["plan_year", "district_id", "supplied_on", "supplied_m2", "parcels"]
