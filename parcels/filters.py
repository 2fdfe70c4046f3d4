"""django-filter FilterSet for parcel lists (used by the list page and exports)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from landsupply.models import District, Ring
from parcels.models import LandSource, LandUseCategory, Parcel, SupplyMethod


class YesNoAllWidget(django_filters.widgets.BooleanWidget):
    """全部 / 是 / 否 instead of django-filter's 未知 / 是 / 否 for an optional yes-no filter."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("全部")), ("true", _("是")), ("false", _("否")))


class ParcelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("编号/名称"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.none(), label=_("区"))
    ring = django_filters.ModelChoiceFilter(queryset=Ring.objects.none(), label=_("圈层"))
    category = django_filters.ModelChoiceFilter(
        queryset=LandUseCategory.objects.all(), label=_("用地类型"), method="filter_category"
    )
    supply_method = django_filters.ChoiceFilter(choices=SupplyMethod.choices, label=_("供应方式"))
    land_source = django_filters.ChoiceFilter(choices=LandSource.choices, label=_("存量/新增"))
    status = django_filters.ChoiceFilter(choices=Parcel.Status.choices, label=_("状态"))
    plan_year = django_filters.NumberFilter(label=_("计划年度"))
    planned_quarter = django_filters.ChoiceFilter(
        choices=[(q, f"Q{q}") for q in range(1, 5)], label=_("计划季度")
    )
    in_key_function_area = django_filters.BooleanFilter(
        label=_("重点功能区"), widget=YesNoAllWidget
    )
    near_rail = django_filters.BooleanFilter(label=_("轨道站点周边"), widget=YesNoAllWidget)

    class Meta:
        model = Parcel
        fields = []

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is not None:
            self.filters["district"].queryset = districts
            self.filters["ring"].queryset = Ring.objects.filter(
                jurisdiction__in=districts.values("jurisdiction")
            )

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def filter_category(self, queryset, name, value):
        from parcels.selectors import land_use_category_descendant_ids

        return queryset.filter(category_id__in=land_use_category_descendant_ids([value.pk]))
