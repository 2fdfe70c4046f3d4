from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from landsupply.validators import DATE_VALIDATORS
from parcels.models import Parcel
from parcels.units import AreaUnit, max_hectares, to_hectares


class ParcelForm(forms.ModelForm):
    """A parcel; the area may be typed in hectares, m² or 亩 and is stored in hectares."""

    area = forms.DecimalField(
        label=_("面积"), min_value=Decimal("0.0001"), max_digits=16, decimal_places=4
    )
    area_unit = forms.ChoiceField(
        label=_("面积单位"), choices=AreaUnit.choices, initial=AreaUnit.HECTARE
    )

    class Meta:
        model = Parcel
        fields = [
            "district",
            "code",
            "name",
            "location",
            "category",
            "ring",
            "land_source",
            "supply_method",
            "in_key_function_area",
            "key_function_area_name",
            "near_rail",
            "plan_year",
            "planned_quarter",
        ]

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["ring"].queryset = self.fields["ring"].queryset.filter(
            jurisdiction__in=districts.values("jurisdiction")
        )
        self.fields["ring"].required = False
        if districts.count() == 1:
            self.fields["district"].initial = districts.first()
        if self.instance.pk:
            self.fields["area"].initial = self.instance.area_ha

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("area") is not None and cleaned.get("area_unit"):
            cleaned["area_ha"] = to_hectares(cleaned["area"], cleaned["area_unit"])
            if cleaned["area_ha"] <= 0:
                self.add_error("area", _("面积换算为公顷后必须大于 0。"))
            elif cleaned["area_ha"] > max_hectares():
                self.add_error(
                    "area",
                    _("面积折合 %(hectares)s 公顷，超过上限 %(max)s 公顷。")
                    % {"hectares": cleaned["area_ha"], "max": max_hectares()},
                )
        return cleaned

    def parcel_fields(self) -> dict:
        """Return the cleaned values as Parcel fields (area in hectares)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["area_ha"] = self.cleaned_data["area_ha"]
        return data


class SupplyRecordForm(forms.Form):
    supplied_on = forms.DateField(
        label=_("供应日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DATE_VALIDATORS,
    )
    contract_number = forms.CharField(label=_("合同编号"), max_length=64)
    transaction_price = forms.DecimalField(
        label=_("成交价（元）"), max_digits=16, decimal_places=2, min_value=0, required=False
    )
    awardee = forms.CharField(label=_("受让人/承租人"), max_length=200)
