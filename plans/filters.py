"""django-filter FilterSets for plan lists and the overview's plan chooser."""

import django_filters
from django.utils.translation import gettext_lazy as _

from landsupply.models import District, Jurisdiction
from plans.models import AdjustmentRequest, AnnualPlan


class AnnualPlanFilter(django_filters.FilterSet):
    """Choose plans by jurisdiction, year and status (the overview's chooser, plan lists)."""

    jurisdiction = django_filters.ModelChoiceFilter(
        queryset=Jurisdiction.objects.all(),
        field_name="jurisdiction",
        to_field_name="code",
        label=_("辖区"),
    )
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(choices=AnnualPlan.Status.choices, label=_("状态"))

    class Meta:
        model = AnnualPlan
        fields = []

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, queryset=plans, **kwargs)
        if plans is not None:
            self.filters["jurisdiction"].queryset = Jurisdiction.objects.filter(
                pk__in=plans.values("jurisdiction")
            )


class AdjustmentFilter(django_filters.FilterSet):
    """Filter the adjustment requests list by status, district and plan year."""

    status = django_filters.ChoiceFilter(choices=AdjustmentRequest.Status.choices, label=_("状态"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.none(), label=_("区"))
    plan__year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = AdjustmentRequest
        fields = []

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is not None:
            self.filters["district"].queryset = districts
