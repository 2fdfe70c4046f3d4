"""Forms of the contract pages: validate input, then views call a service."""

import os

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments import rules, selectors
from assessments.models import AssessmentTemplate, AwardMethod, Indicator, IndicatorKind, Violation
from landsupply.models import Enterprise
from landsupply.uploads import check_evidence
from landsupply.validators import DATE_VALIDATORS
from parcels.models import Parcel, SupplyMethod

DATE = forms.DateInput(attrs={"type": "date"})


class AwardForm(forms.Form):
    number = forms.CharField(label=_("合同编号"), max_length=64)
    parcel = forms.ModelChoiceField(label=_("地块（先租后让）"), queryset=Parcel.objects.none())
    enterprise = forms.ModelChoiceField(
        label=_("竞得人/土地使用权人"), queryset=Enterprise.objects.all()
    )
    award_method = forms.ChoiceField(label=_("确定方式（R12）"), choices=AwardMethod.choices)
    award_reference = forms.CharField(label=_("成交确认书/批准文件编号"), max_length=100)
    award_date = forms.DateField(
        label=_("成交确认书/批准日期（R25）"), widget=DATE, validators=DATE_VALIDATORS
    )
    base_price = forms.DecimalField(
        label=_("竞得价或补缴政府土地收益（元）"), max_digits=16, decimal_places=2, min_value=0
    )
    lease_years = forms.IntegerField(label=_("租赁年期（年）"), min_value=1)
    transfer_years = forms.IntegerField(label=_("出让年期（年）"), min_value=0)
    lease_start = forms.DateField(label=_("租赁起始日"), widget=DATE, validators=DATE_VALIDATORS)
    extension_approval = forms.CharField(
        label=_("延长年期市政府批准文号（R11）"), max_length=100, required=False
    )

    def __init__(self, *args, parcels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcel"].queryset = parcels.filter(
            supply_method=SupplyMethod.LEASE_THEN_TRANSFER
        )


class IndicatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("指标类别（R17）"), choices=IndicatorKind.choices)
    name = forms.CharField(label=_("指标"), max_length=100)
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)
    direction = forms.ChoiceField(label=_("要求"), choices=Indicator.Direction.choices)
    target = forms.DecimalField(label=_("目标值"), max_digits=16, decimal_places=4, required=False)


class TemplateApplyForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("区考核标准"), queryset=AssessmentTemplate.objects.none()
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = AssessmentTemplate.objects.filter(
            district_id=contract.parcel.district_id, is_active=True
        )


class StartLeaseForm(forms.Form):
    agreement_reference = forms.CharField(label=_("履约监管协议编号（R17）"), max_length=100)


class ReportForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=Indicator.objects.none())
    year = forms.IntegerField(label=_("年度"))
    actual = forms.DecimalField(
        label=_("实际值（是/否类填 1 或 0）"), max_digits=16, decimal_places=4
    )
    evidence = forms.FileField(
        label=_("证明材料"),
        required=False,
        help_text=_("PDF、图片或 Office 文档，按内容检查类型"),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = contract.indicators.all()

    def clean_evidence(self):
        """The evidence file passes the upload checks (size, type by content), R17."""
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            check_evidence(evidence, name=os.path.basename(evidence.name or ""))
        return evidence


class ConfirmForm(forms.Form):
    """No fields: the action needs only the click (and the CSRF token)."""


class AssessmentDecideForm(forms.Form):
    """The district's decision (R18). Starts empty: the clerk chooses, never a default; a
    decision departing from the system's proposal needs a reason (R17); the view then asks for
    confirmation naming the consequence (selectors.decision_consequence)."""

    passed = forms.TypedChoiceField(
        label=_("考核结论"),
        choices=[("", _("— 请选择 —")), ("1", _("通过")), ("0", _("未通过"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        error_messages={"required": _("请选择考核结论（通过或未通过）。")},
    )
    notice_number = forms.CharField(label=_("书面通知编号"), max_length=100)
    remarks = forms.CharField(
        label=_("考核意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("考核结论与系统建议不一致时必填，说明理由。"),
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = selectors.assessment_proposal(contract)
        self.proposed_pass = selectors.assessment_proposed_pass(self.proposal)

    def clean(self):
        data = super().clean()
        passed = data.get("passed")
        if (
            passed is not None
            and passed != self.proposed_pass
            and not data.get("remarks", "").strip()
        ):
            self.add_error(
                "remarks",
                _(
                    "考核意见：结论（%(decided)s）与系统建议（%(proposed)s）不一致，须填写理由（R17）。"
                )
                % {
                    "decided": _("通过") if passed else _("未通过"),
                    "proposed": _("通过") if self.proposed_pass else _("不通过"),
                },
            )
        return data


class RenewalApplyForm(forms.Form):
    years = forms.IntegerField(label=_("续租年期（年）"), min_value=1)
    reason = forms.CharField(label=_("特殊情况说明"), widget=forms.Textarea(attrs={"rows": 2}))


class RenewalDecideForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=_("决定"), choices=[("1", _("批准")), ("0", _("不予批准"))], coerce=lambda v: v == "1"
    )
    approval_reference = forms.CharField(label=_("批准文号"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ExitApplyForm(forms.Form):
    exit_date = forms.DateField(label=_("拟退出日期"), widget=DATE, validators=DATE_VALIDATORS)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ExitCompleteForm(forms.Form):
    exit_date = forms.DateField(
        label=_("退出（收回）日期"), widget=DATE, required=False, validators=DATE_VALIDATORS
    )
    penalty = forms.DecimalField(
        label=_("违约金（元）"), max_digits=16, decimal_places=2, min_value=0, initial=0
    )
    replacement_cost = forms.DecimalField(
        label=_("可继续使用建筑物重置价格（元）"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        initial=0,
    )
    newness = forms.DecimalField(
        label=_("成新率（0–1）"),
        max_digits=5,
        decimal_places=4,
        min_value=0,
        max_value=1,
        initial=0,
    )
    demolition_charge = forms.DecimalField(
        label=_("拆除成本（元）"), max_digits=16, decimal_places=2, min_value=0, initial=0
    )
    ecological_damage = forms.DecimalField(
        label=_("生态环境损害赔偿（元）"), max_digits=16, decimal_places=2, min_value=0, initial=0
    )
    reason = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ViolationForm(forms.Form):
    kind = forms.ChoiceField(label=_("违约类型"), choices=Violation.Kind.choices)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        if contract.is_converted:  # R22: lease-only breaches no longer apply
            self.fields["kind"].choices = [
                (value, label)
                for value, label in Violation.Kind.choices
                if value not in rules.LEASE_ONLY_VIOLATIONS
            ]

    found_on = forms.DateField(label=_("发现日期"), widget=DATE, validators=DATE_VALIDATORS)
    description = forms.CharField(label=_("情况"), widget=forms.Textarea(attrs={"rows": 2}))
    disposal = forms.CharField(label=_("处置决定"), widget=forms.Textarea(attrs={"rows": 2}))
    serious = forms.BooleanField(label=_("情节严重：解除合同、收回土地"), required=False)


class NoticeReceiptForm(forms.Form):
    received_on = forms.DateField(
        label=_("收到书面通知日期"), widget=DATE, validators=DATE_VALIDATORS
    )


class TransferContractForm(forms.Form):
    contract_number = forms.CharField(label=_("出让合同编号"), max_length=100)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE, validators=DATE_VALIDATORS)


class LandPriceForm(forms.Form):
    amount = forms.DecimalField(
        label=_("地价款（元）"), max_digits=16, decimal_places=2, min_value=0
    )
    paid_on = forms.DateField(label=_("缴纳日期"), widget=DATE, validators=DATE_VALIDATORS)
    receipt = forms.CharField(label=_("缴纳凭证号"), max_length=100)


class TitleRegisterForm(forms.Form):
    registered_on = forms.DateField(label=_("登记日期"), widget=DATE, validators=DATE_VALIDATORS)
    certificate_number = forms.CharField(label=_("不动产权证书号"), max_length=100)
