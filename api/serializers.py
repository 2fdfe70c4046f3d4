"""What the API returns and accepts. Money (yuan) and areas (hectares) are decimal strings
(COERCE_DECIMAL_TO_STRING), dates ISO 8601. Writes are validated by the pages' own forms
(`form_serializer` only describes a form's fields for the schema)."""

from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Contract
from landsupply.models import Notification
from parcels.models import Parcel
from parcels.units import AreaUnit
from plans.models import AnnualPlan


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "GeoJSON geometry (CGCS2000 longitude/latitude), null without boundary",
    }
)
class BoundaryField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, parcel):
        from boundaries import rules

        boundary = getattr(parcel, "boundary", None) if _has_boundary(parcel) else None
        if boundary is None:
            return None
        return rules.to_geojson(rules.from_wkb(boundary.geometry))


def _has_boundary(parcel) -> bool:
    try:
        parcel.boundary  # noqa: B018 — a reverse one-to-one raises when missing
    except Parcel.boundary.RelatedObjectDoesNotExist:
        return False
    return True


class ParcelSerializer(serializers.ModelSerializer):
    district_code = serializers.CharField(source="district.code", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    ring_code = serializers.CharField(source="ring.code", read_only=True, allow_null=True)
    area_mu = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)
    boundary = BoundaryField()

    class Meta:
        model = Parcel
        fields = [
            "id",
            "district",
            "district_code",
            "district_name",
            "code",
            "name",
            "location",
            "category",
            "category_code",
            "category_name",
            "ring",
            "ring_code",
            "area_ha",
            "area_mu",
            "land_source",
            "supply_method",
            "in_key_function_area",
            "key_function_area_name",
            "near_rail",
            "plan_year",
            "planned_quarter",
            "status",
            "supplied_on",
            "contract_number",
            "transaction_price",
            "awardee",
            "updated_at",
            "boundary",
        ]
        read_only_fields = fields


class ParcelWriteSerializer(serializers.Serializer):
    """The parcel form's fields (validated by parcels.forms.ParcelForm). `area` is in
    `area_unit` (ha, m2 or mu) and stored in hectares. PATCH may send only what changes."""

    district = serializers.IntegerField(help_text="district id (one of yours)")
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.IntegerField(help_text="land-use category id")
    ring = serializers.IntegerField(required=False, allow_null=True)
    area = serializers.DecimalField(max_digits=16, decimal_places=4)
    area_unit = serializers.ChoiceField(choices=AreaUnit.choices, default=AreaUnit.HECTARE)
    land_source = serializers.ChoiceField(choices=Parcel._meta.get_field("land_source").choices)
    supply_method = serializers.ChoiceField(choices=Parcel._meta.get_field("supply_method").choices)
    in_key_function_area = serializers.BooleanField(required=False)
    key_function_area_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    near_rail = serializers.BooleanField(required=False)
    plan_year = serializers.IntegerField()
    planned_quarter = serializers.IntegerField(min_value=1, max_value=4)


class PlanSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)

    class Meta:
        model = AnnualPlan
        fields = [
            "id",
            "jurisdiction_code",
            "year",
            "name",
            "status",
            "version",
            "source",
            "total_min_ha",
            "total_max_ha",
            "city_target_min_ha",
            "city_target_max_ha",
            "district_target_min_ha",
            "district_target_max_ha",
            "net_reduction_ha",
            "net_reduction_green_belt_ha",
            "supplement_window_open",
            "published_at",
        ]
        read_only_fields = fields


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateField()
    rule = serializers.CharField()
    who = serializers.CharField()
    active = serializers.BooleanField()


class ContractSerializer(serializers.ModelSerializer):
    """A lease-then-transfer contract with table C's dates and money (yuan)."""

    parcel_code = serializers.CharField(source="parcel.code", read_only=True)
    parcel_name = serializers.CharField(source="parcel.name", read_only=True)
    district_code = serializers.CharField(source="parcel.district.code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    rule_set = serializers.CharField(source="rule_set.__str__", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "state",
            "parcel",
            "parcel_code",
            "parcel_name",
            "district_code",
            "enterprise",
            "enterprise_name",
            "rule_set",
            "land_source",
            "award_method",
            "award_reference",
            "award_date",
            "base_price",
            "lease_years",
            "transfer_years",
            "renewal_years",
            "extension_approval",
            "lease_start",
            "lease_end",
            "lease_rent",
            "deposit",
            "annual_rent",
            "renewal_rent",
            "transfer_price",
            "assessment_application_due",
            "renewal_application_due",
            "notice_date",
            "notice_received_on",
            "transfer_application_due",
            "transfer_applied_on",
            "transfer_contract_number",
            "transfer_contract_signed_on",
            "land_price_paid",
            "land_price_paid_on",
            "land_price_receipt",
            "registration_due",
            "title_registered_on",
            "title_certificate_number",
            "transfer_term_start",
            "transfer_term_end",
            "exit_date",
        ]
        read_only_fields = fields


class ContractDetailSerializer(ContractSerializer):
    deadlines = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(ContractSerializer.Meta):
        fields = ContractSerializer.Meta.fields + ["deadlines", "actions"]
        read_only_fields = fields

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, contract):
        from assessments.selectors import contract_deadlines

        return DeadlineSerializer(contract_deadlines(contract), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, contract) -> list[str]:
        from api.actions import available_actions

        return available_actions(self.context["request"].user, contract)


class NotificationSerializer(serializers.ModelSerializer):
    # Stored as a message id and its parameters (landsupply.notify): rendered in the caller's
    # language, as the notifications page shows them; rows without an id show their stored text.
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)
    message_id = serializers.CharField(
        read_only=True, help_text="the kind of message (landsupply.notify.MESSAGES), or empty"
    )

    class Meta:
        model = Notification
        fields = ["id", "message_id", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class TodoItemSerializer(serializers.Serializer):
    """One to-do item (landsupply.todo.TodoItem), its title in the caller's language."""

    kind = serializers.CharField(help_text="what kind of action waits, e.g. adjustment_decide")
    title = serializers.CharField()
    since = serializers.DateField(help_text="the day it has waited since")
    deadline = serializers.DateField(allow_null=True, help_text="by when, if a rule sets it")
    days_left = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField(help_text="the rule id, e.g. R18, or empty")
    url = serializers.CharField(help_text="the page where the action is taken")


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="how many notifications were marked read")


class ErrorEntrySerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    rule = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorEntrySerializer(many=True)


_FIELD_TYPES = [
    (forms.ModelChoiceField, lambda f: serializers.IntegerField(help_text="id")),
    (forms.BooleanField, lambda f: serializers.BooleanField()),
    (forms.TypedChoiceField, lambda f: serializers.ChoiceField(choices=f.choices)),
    (forms.ChoiceField, lambda f: serializers.ChoiceField(choices=f.choices)),
    (forms.DecimalField, lambda f: serializers.DecimalField(max_digits=20, decimal_places=4)),
    (forms.IntegerField, lambda f: serializers.IntegerField()),
    (forms.DateField, lambda f: serializers.DateField()),
    (forms.FileField, lambda f: serializers.FileField()),
    (forms.CharField, lambda f: serializers.CharField(allow_blank=not f.required)),
]


def form_serializer(name: str, form_class) -> type[serializers.Serializer]:
    """Return a Serializer class describing `form_class`'s fields (for the schema only)."""
    attrs = {}
    for field_name, field in form_class.base_fields.items():
        for kind, make in _FIELD_TYPES:
            if isinstance(field, kind):
                made = make(field)
                made.required = field.required and not isinstance(field, forms.BooleanField)
                made.help_text = str(field.label or "")
                attrs[field_name] = made
                break
    camel = "".join(part.title() for part in name.split("_"))
    return type(f"Contract{camel}Request", (serializers.Serializer,), attrs)
