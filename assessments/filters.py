"""django-filter FilterSets of the contract list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Contract
from landsupply.models import District
from parcels.models import LandSource, Parcel


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=Contract.State.choices)
    district = django_filters.ModelChoiceFilter(
        label=_("区"), field_name="parcel__district", queryset=District.objects.none()
    )
    land_source = django_filters.ChoiceFilter(label=_("存量/新增"), choices=LandSource.choices)
    due_before = django_filters.DateFilter(
        label=_("考核申请截止不晚于"), field_name="assessment_application_due", lookup_expr="lte"
    )

    class Meta:
        model = Contract
        fields = ["q", "state", "district", "land_source", "due_before"]

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is not None:
            self.filters["district"].queryset = districts

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(parcel__code__icontains=value)
            | Q(parcel__name__icontains=value)
            | Q(enterprise__name__icontains=value)
        )


class PublicOfferedFilter(django_filters.FilterSet):
    """The public disclosure page's filters (R24): a district of any jurisdiction; for the
    contracts also their execution status. Both lists read the same ?district=."""

    district = django_filters.ModelChoiceFilter(
        label=_("区"), queryset=District.objects.order_by("jurisdiction_id", "sort_order")
    )

    class Meta:
        model = Parcel
        fields = ["district"]


class PublicContractFilter(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(
        label=_("区"),
        field_name="parcel__district",
        queryset=District.objects.order_by("jurisdiction_id", "sort_order"),
    )
    state = django_filters.ChoiceFilter(label=_("执行情况"), choices=Contract.State.choices)

    class Meta:
        model = Contract
        fields = ["district", "state"]
