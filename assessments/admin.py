"""Admin for the assessments app: rule sets (editable parameters, R25) and contract records."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import (
    Assessment,
    AssessmentTemplate,
    AssessmentTemplateItem,
    Contract,
    ContractEvent,
    ExitRecord,
    Indicator,
    IndicatorReport,
    LeaseRuleSet,
    ReminderDelivery,
    Renewal,
    StatutoryTermLimit,
    Violation,
)
from landsupply.admin_scope import ScopedAdmin, ScopedInline

# Rows of a contract belong to its parcel's district and jurisdiction.
CONTRACT_SCOPE = {
    "district": "contract__parcel__district_id",
    "jurisdiction": "contract__parcel__district__jurisdiction_id",
}


@admin.register(LeaseRuleSet)
class LeaseRuleSetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    scope = {"jurisdiction": "jurisdiction_id"}
    list_display = [
        "jurisdiction",
        "name",
        "effective_from",
        "effective_until",
        "max_lease_years",
        "max_total_years",
        "application_lead_months",
        "transfer_application_days",
        "max_renewal_years",
        "max_total_renewal_years",
        "exit_part_year",
        "reminder_lead_days",
    ]
    list_filter = ["jurisdiction"]
    filter_horizontal = ["land_use_categories"]


@admin.register(StatutoryTermLimit)
class StatutoryTermLimitAdmin(admin.ModelAdmin):
    """R11: statutory maximum grant terms by use (城镇国有土地使用权出让和转让暂行条例 第十二条)."""

    list_display = ["purpose", "max_years", "is_default", "citation"]
    filter_horizontal = ["land_use_categories"]


class AssessmentTemplateItemInline(admin.TabularInline):
    model = AssessmentTemplateItem
    extra = 0


@admin.register(AssessmentTemplate)
class AssessmentTemplateAdmin(admin.ModelAdmin):
    """R17: each district's own assessment criteria, used when setting a contract's indicators."""

    list_display = ["district", "name", "effective_from", "is_active"]
    list_filter = ["is_active", "district"]
    inlines = [AssessmentTemplateItemInline]


class IndicatorInline(ScopedInline, admin.TabularInline):
    model = Indicator
    extra = 0


class EventInline(ScopedInline, admin.TabularInline):
    model = ContractEvent
    extra = 0
    readonly_fields = [
        "occurred_on",
        "action",
        "title",
        "state_from",
        "state_to",
        "rule",
        "actor",
        "reason",
        "created_at",
    ]
    can_delete = False


@admin.register(Contract)
class ContractAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Records are changed through the services (portal pages); the admin shows them, and
    keeps the computed figures read-only so they cannot drift from rules.py."""

    scope = {"district": "parcel__district_id", "jurisdiction": "parcel__district__jurisdiction_id"}

    list_display = [
        "number",
        "parcel",
        "enterprise",
        "state",
        "base_price",
        "lease_end",
        "assessment_application_due",
        "is_demo",
    ]
    list_filter = ["state", "land_source", "is_demo", "parcel__district"]
    search_fields = ["number", "parcel__code", "parcel__name", "enterprise__name"]
    raw_id_fields = ["parcel", "enterprise"]
    readonly_fields = [
        "lease_rent",
        "deposit",
        "annual_rent",
        "renewal_rent",
        "transfer_price",
        "lease_end",
        "assessment_application_due",
        "renewal_application_due",
        "transfer_application_due",
        "transfer_term_start",
        "transfer_term_end",
        "notice_date",
        "notice_received_on",
        "transfer_applied_on",
        "transfer_contract_number",
        "transfer_contract_signed_on",
        "land_price_paid",
        "land_price_paid_on",
        "land_price_receipt",
        "registration_due",
        "title_registered_on",
        "title_certificate_number",
        "exit_date",
        "state",
    ]
    inlines = [IndicatorInline, EventInline]

    def has_add_permission(self, request):
        return False


@admin.register(IndicatorReport)
class IndicatorReportAdmin(ScopedAdmin):
    scope = {
        "district": "indicator__contract__parcel__district_id",
        "jurisdiction": "indicator__contract__parcel__district__jurisdiction_id",
    }
    list_display = ["indicator", "year", "actual", "reported_by", "reported_at"]
    list_filter = ["year"]
    # Evidence lives in private storage (no public URL): linked through the checked view.
    exclude = ["evidence"]
    readonly_fields = ["evidence_link"]

    @admin.display(description="证明材料")
    def evidence_link(self, obj):
        if not obj.evidence:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("assessments:evidence", args=[obj.pk]), obj.evidence_name
        )


@admin.register(Assessment)
class AssessmentAdmin(ScopedAdmin):
    scope = CONTRACT_SCOPE
    list_display = [
        "contract",
        "applied_on",
        "proposed_pass",
        "passed",
        "decided_on",
        "notice_number",
    ]


@admin.register(Renewal)
class RenewalAdmin(ScopedAdmin):
    scope = CONTRACT_SCOPE
    list_display = ["contract", "years", "rent", "applied_on", "approved", "decided_on"]


@admin.register(ExitRecord)
class ExitRecordAdmin(ScopedAdmin):
    scope = CONTRACT_SCOPE
    list_display = [
        "contract",
        "kind",
        "exit_date",
        "remaining_rent",
        "rent_refund",
        "amount_owed",
        "net_payable_to_holder",
        "completed_on",
    ]


@admin.register(Violation)
class ViolationAdmin(ScopedAdmin):
    scope = CONTRACT_SCOPE
    list_display = ["contract", "kind", "found_on", "serious"]
    list_filter = ["kind", "serious"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ScopedAdmin):
    scope = CONTRACT_SCOPE
    list_display = [
        "contract",
        "kind",
        "due_date",
        "lead_days",
        "sent_at",
        "attempts",
        "resumed",
        "recipients",
    ]
    list_filter = ["kind", "lead_days", "resumed"]
    date_hierarchy = "due_date"
