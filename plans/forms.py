"""Forms of the plan workflow. Thin: field validation only; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from parcels.models import Parcel
from plans.models import AdjustmentItem, AdjustmentRequest


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = AdjustmentRequest
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3, "cols": 80})}


class AdjustmentItemForm(forms.ModelForm):
    kind = forms.ChoiceField(
        choices=[("", "—")] + list(AdjustmentItem.Kind.choices), required=False, label=_("类型")
    )

    class Meta:
        model = AdjustmentItem
        fields = ["kind", "from_target", "to_target", "area_ha", "parcel"]

    def __init__(self, *args, plan=None, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = plan.category_targets.all() if plan else AdjustmentItem.objects.none()
        self.fields["from_target"].queryset = targets
        self.fields["to_target"].queryset = targets
        self.fields["parcel"].queryset = Parcel.objects.filter(district=district).order_by("code")

    def item_fields(self) -> dict | None:
        """The item as service input, or None for an empty row."""
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return {k: data.get(k) for k in ["kind", "from_target", "to_target", "area_ha", "parcel"]}


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, plan=None, district=None, **kwargs):
        self.plan, self.district = plan, district
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"plan": self.plan, "district": self.district}


AdjustmentItemFormSet = forms.formset_factory(
    AdjustmentItemForm, formset=BaseItemFormSet, extra=3, max_num=20
)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
    total_override = forms.BooleanField(label=_("批准调整计划总量（R7 须明确批准）"), required=False)


class SubmissionDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
