"""Forms of the plan workflow. Thin: field validation only; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from landsupply.validators import DATE_VALIDATORS
from parcels.models import Parcel
from plans.models import (
    AdjustmentItem,
    AdjustmentRequest,
    AnnualPlan,
    Comparison,
    PolicyRatioTarget,
)
from plans.selectors import adjustment_parcel_choices


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = AdjustmentRequest
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3, "cols": 80})}


def _parcel_label(parcel: Parcel) -> str:
    label = f"{parcel.code} {parcel.name}（{parcel.area_ha} 公顷）"
    if parcel.inclusion_pending:
        return _("%(label)s · 待纳入，可增补") % {"label": label}
    return _("%(label)s · 计划内，可调出") % {"label": label}


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
        self.fields["parcel"].queryset = (
            adjustment_parcel_choices(plan=plan, district=district)
            if plan is not None and district is not None
            else Parcel.objects.none()
        )
        self.fields["parcel"].label_from_instance = _parcel_label
        self.fields["parcel"].help_text = _(
            "增补地块：只列出“待纳入”的地块；调出地块：只列出计划内待供应的地块。"
        )

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
    total_override = forms.BooleanField(
        label=_("批准调整计划总量（R7 须明确批准）"), required=False
    )


class SubmissionDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )


# --- plan set-up (city staff) -----------------------------------------------------------------

AREA_FIELD = {"max_digits": 12, "decimal_places": 4, "required": False}
PCT_FIELD = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("计划名称"), max_length=200)
    copy_from = forms.ModelChoiceField(
        label=_("复制自"),
        queryset=AnnualPlan.objects.none(),
        required=False,
        empty_label=_("不复制（空白计划）"),
    )

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = (
            plans if plans is not None else AnnualPlan.objects.none()
        )


class PlanFieldsForm(forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = [
            "name",
            "source",
            "total_min_ha",
            "total_max_ha",
            "city_target_min_ha",
            "city_target_max_ha",
            "district_target_min_ha",
            "district_target_max_ha",
            "net_reduction_ha",
            "net_reduction_green_belt_ha",
        ]

    def _post_clean(self):
        pass  # the service validates the whole plan, with its rows, in one go


class RowForm(forms.Form):
    key_field = "code"

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in (choices or {}).items():
            if name in self.fields:
                self.fields[name].choices = options

    def clean(self):
        data = super().clean()
        if data.get("DELETE") or data.get(self.key_field):
            return data
        if any(
            v not in (None, "", [])
            for k, v in data.items()
            if k not in ("DELETE", "tolerance_pct", "comparison")
        ):
            self.add_error(
                self.key_field,
                _("本行已填写内容，请填写「%(f)s」，或勾选删除。")
                % {"f": self.fields[self.key_field].label},
            )
        return data

    def row(self) -> dict | None:
        """The row as spec input, or None for an empty or deleted row."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get(self.key_field):
            return None
        return {k: (v if v != "" else None) for k, v in data.items() if k != "DELETE"}


class CategoryRowForm(RowForm):
    code = forms.SlugField(label=_("代码"), max_length=32, required=False)
    name = forms.CharField(label=_("名称"), max_length=64, required=False)
    parent = forms.SlugField(label=_("上级代码"), max_length=32, required=False)
    target_min_ha = forms.DecimalField(label=_("下限（公顷）"), **AREA_FIELD)
    target_max_ha = forms.DecimalField(label=_("上限（公顷）"), **AREA_FIELD)
    land_use = forms.MultipleChoiceField(
        label=_("计入的用地类型"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def row(self):
        row = super().row()
        if row is not None:
            row["land_use"] = list(self.cleaned_data.get("land_use") or [])
            row["note"] = row.get("note") or ""
        return row


class RingRowForm(RowForm):
    key_field = "ring"
    ring = forms.ChoiceField(label=_("圈层"), required=False)
    share_pct = forms.DecimalField(label=_("目标占比（%）"), required=False, **PCT_FIELD)
    tolerance_pct = forms.DecimalField(label=_("允许偏差（百分点）"), required=False, **PCT_FIELD)


class RatioRowForm(RowForm):
    code = forms.SlugField(label=_("代码"), max_length=32, required=False)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    condition = forms.ChoiceField(
        label=_("条件"),
        required=False,
        choices=[("", "—")] + list(PolicyRatioTarget.Condition.choices),
    )
    base_category = forms.ChoiceField(label=_("基数用地类型"), required=False)
    comparison = forms.ChoiceField(label=_("比较"), required=False, choices=Comparison.choices)
    threshold_pct = forms.DecimalField(label=_("目标比例（%）"), required=False, **PCT_FIELD)
    citation = forms.CharField(label=_("依据"), max_length=300, required=False)

    def row(self):
        row = super().row()
        if row is not None:
            row["citation"] = row.get("citation") or ""
        return row


class MilestoneRowForm(RowForm):
    key_field = "due_on"
    due_on = forms.DateField(
        label=_("节点日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=DATE_VALIDATORS,
    )
    cumulative_pct = forms.DecimalField(label=_("累计完成率（%）"), required=False, **PCT_FIELD)


class AllocationRowForm(RowForm):
    key_field = "district"
    district = forms.ChoiceField(label=_("区"), required=False)
    category = forms.SlugField(label=_("类别代码（空 = 该区合计）"), max_length=32, required=False)
    target_min_ha = forms.DecimalField(label=_("下限（公顷）"), **AREA_FIELD)
    target_max_ha = forms.DecimalField(label=_("上限（公顷）"), **AREA_FIELD)
    net_reduction_ha = forms.DecimalField(label=_("净减量（公顷）"), **AREA_FIELD)


class BaseRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, choices=None, **kwargs):
        self.choices = choices or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"choices": self.choices}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            choices=self.choices,
        )
        self.add_fields(form, None)
        return form

    def rows(self) -> list[dict]:
        return [r for r in (f.row() for f in self.forms) if r is not None]


def _rows(form, extra=2):
    return forms.formset_factory(
        form, formset=BaseRowFormSet, extra=extra, can_delete=True, max_num=200
    )


PLAN_SECTIONS = {
    "categories": (_("类别指标（R2、R10）"), _rows(CategoryRowForm, 3)),
    "rings": (_("圈层占比（R3）"), _rows(RingRowForm)),
    "ratios": (_("政策比例（R4）"), _rows(RatioRowForm)),
    "milestones": (_("季度节点（R6）"), _rows(MilestoneRowForm)),
    "allocations": (_("分区指标（R5）"), _rows(AllocationRowForm, 3)),
}


class PlanImportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("计划名称"), max_length=200)
    file = forms.FileField(label=_("计划表格（.xlsx 或 .csv）"))
