"""Admin for plans and plan rule sets (R1–R7): every model, with change history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from landsupply.admin_scope import ScopedAdmin, ScopedInline
from plans.models import (
    AdjustmentItem,
    AdjustmentRequest,
    AnnualPlan,
    CategoryTarget,
    ConsistencyExplanation,
    DistrictAllocation,
    DistrictSubmission,
    Milestone,
    MilestoneFlag,
    PlanRuleMilestone,
    PlanRuleSet,
    PlanYearClose,
    PolicyRatioTarget,
    RingShareTarget,
    SubmissionEvent,
)

# Rows of a plan belong to its jurisdiction; rows of a district's part of it to that district.
PLAN_SCOPE = {"jurisdiction": "plan__jurisdiction_id"}
PLAN_DISTRICT_SCOPE = {"jurisdiction": "plan__jurisdiction_id", "district": "district_id"}


class PlanRuleMilestoneInline(ScopedInline, admin.TabularInline):
    model = PlanRuleMilestone
    extra = 0


@admin.register(PlanRuleSet)
class PlanRuleSetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = {"jurisdiction": "jurisdiction_id"}
    list_display = [
        "jurisdiction",
        "effective_from",
        "adjustment_deadline_month",
        "adjustment_deadline_day",
        "mid_year_supplement_allowed",
        "citation",
    ]
    list_filter = ["jurisdiction"]
    inlines = [PlanRuleMilestoneInline]


@admin.register(PlanRuleMilestone)
class PlanRuleMilestoneAdmin(ScopedAdmin):
    scope = {"jurisdiction": "rule_set__jurisdiction_id"}
    list_display = ["rule_set", "month", "day", "cumulative_pct"]
    list_filter = ["rule_set__jurisdiction"]


class CategoryTargetInline(ScopedInline, admin.TabularInline):
    model = CategoryTarget
    extra = 0
    fields = ["code", "name", "parent", "target_min_ha", "target_max_ha", "sort_order", "note"]


class RingShareTargetInline(ScopedInline, admin.TabularInline):
    model = RingShareTarget
    extra = 0


class PolicyRatioTargetInline(ScopedInline, admin.TabularInline):
    model = PolicyRatioTarget
    extra = 0


class MilestoneInline(ScopedInline, admin.TabularInline):
    model = Milestone
    extra = 0


class DistrictAllocationInline(ScopedInline, admin.TabularInline):
    model = DistrictAllocation
    extra = 0


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = {"jurisdiction": "jurisdiction_id"}
    list_display = [
        "name",
        "jurisdiction",
        "year",
        "status",
        "total_min_ha",
        "total_max_ha",
        "version",
    ]
    list_filter = ["jurisdiction", "year", "status"]
    search_fields = ["name"]
    inlines = [
        CategoryTargetInline,
        RingShareTargetInline,
        PolicyRatioTargetInline,
        MilestoneInline,
        DistrictAllocationInline,
    ]


@admin.register(CategoryTarget)
class CategoryTargetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = PLAN_SCOPE
    list_display = ["code", "name", "plan", "parent", "target_min_ha", "target_max_ha"]
    list_filter = ["plan__jurisdiction", "plan__year"]
    search_fields = ["code", "name"]
    filter_horizontal = ["land_use_categories"]


@admin.register(RingShareTarget)
class RingShareTargetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = PLAN_SCOPE
    list_display = ["plan", "ring", "share_pct", "tolerance_pct"]
    list_filter = ["plan__jurisdiction", "plan__year"]


@admin.register(PolicyRatioTarget)
class PolicyRatioTargetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = PLAN_SCOPE
    list_display = ["plan", "name", "condition", "base_category", "comparison", "threshold_pct"]
    list_filter = ["plan__jurisdiction", "plan__year", "condition"]


@admin.register(Milestone)
class MilestoneAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = PLAN_SCOPE
    list_display = ["plan", "due_on", "cumulative_pct"]
    list_filter = ["plan__jurisdiction", "plan__year"]


@admin.register(DistrictAllocation)
class DistrictAllocationAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = PLAN_DISTRICT_SCOPE
    list_display = ["plan", "district", "category_target", "target_min_ha", "target_max_ha"]
    list_filter = ["plan__jurisdiction", "plan__year", "district"]


class AdjustmentItemInline(ScopedInline, admin.TabularInline):
    model = AdjustmentItem
    extra = 0


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = PLAN_DISTRICT_SCOPE
    list_display = ["plan", "district", "status", "filed_on", "decided_at", "total_override"]
    list_filter = ["status", "plan__jurisdiction", "plan__year"]
    list_select_related = ["plan", "district"]
    inlines = [AdjustmentItemInline]


class SubmissionEventInline(ScopedInline, admin.TabularInline):
    model = SubmissionEvent
    extra = 0


@admin.register(DistrictSubmission)
class DistrictSubmissionAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = PLAN_DISTRICT_SCOPE
    list_display = ["plan", "district", "status", "updated_at"]
    list_filter = ["status", "plan__jurisdiction", "plan__year"]
    list_select_related = ["plan", "district"]
    inlines = [SubmissionEventInline]


@admin.register(MilestoneFlag)
class MilestoneFlagAdmin(ScopedAdmin):
    scope = {"jurisdiction": "milestone__plan__jurisdiction_id", "district": "district_id"}
    list_display = ["milestone", "district", "required_pct", "reached_pct", "flagged_at"]
    list_filter = ["milestone__plan"]
    list_select_related = ["milestone", "district"]


@admin.register(PlanYearClose)
class PlanYearCloseAdmin(admin.ModelAdmin):
    """Closed plan years (R8): the stored ranking is the record; it is not edited here."""

    list_display = ["plan", "as_of", "closed_on", "closed_by"]
    readonly_fields = ["plan", "as_of", "closed_on", "closed_by", "ranking", "totals"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConsistencyExplanation)
class ConsistencyExplanationAdmin(admin.ModelAdmin):
    """City staff explain a consistency finding that is not an error (shown with it)."""

    list_display = ["plan", "check_code", "citation"]
    list_filter = ["plan"]
