"""Contract pages: thin views that load through scoped selectors and call services."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import exports, forms, selectors, services
from assessments.filters import ContractFilter, PublicContractFilter, PublicOfferedFilter
from assessments.models import Contract, ExitRecord, IndicatorReport
from landsupply.access import role_required
from landsupply.forms import add_service_error
from landsupply.models import User
from landsupply.paging import keyset_page
from parcels.selectors import district_list_for_user, parcel_list

S = Contract.State
PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 25  # per list: two lists on one public page


def _get_contract(request, pk) -> Contract:
    try:
        return selectors.contract_get(user=request.user, pk=pk)
    except Contract.DoesNotExist as exc:
        raise Http404(_("没有这个合同，或您无权查看。")) from exc


@role_required("city", "district", "enterprise")
def contract_list(request):
    """The enterprise's home page; staff see their district's / jurisdiction's contracts."""
    districts = district_list_for_user(user=request.user)
    contract_filter = ContractFilter(
        request.GET, queryset=selectors.contract_list(user=request.user), districts=districts
    )
    page = Paginator(contract_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(c, selectors.contract_next_deadline(c, today=today)) for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/contract_list.html",
        {
            "filter": contract_filter,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "today": today,
        },
    )


# action → (form class, who may act, service call, success message)
ACTIONS = {
    "indicator": (
        forms.IndicatorForm,
        "district",
        lambda u, c, d: services.indicator_set(actor=u, contract=c, **d),
        _("考核指标已保存。"),
    ),
    "template": (
        forms.TemplateApplyForm,
        "district",
        lambda u, c, d: services.indicators_apply_template(actor=u, contract=c, **d),
        _("已按区考核标准设定考核指标。"),
    ),
    "start_lease": (
        forms.StartLeaseForm,
        "district",
        lambda u, c, d: services.contract_start_lease(actor=u, contract=c, **d),
        _("已进入租赁期。"),
    ),
    "report": (
        forms.ReportForm,
        "enterprise",
        lambda u, c, d: services.indicator_report_submit(actor=u, **d),
        _("指标填报已保存。"),
    ),
    "assessment_apply": (
        forms.ConfirmForm,
        "enterprise",
        lambda u, c, d: services.assessment_apply(actor=u, contract=c),
        _("考核申请已提交。"),
    ),
    "assessment_decide": (
        forms.AssessmentDecideForm,
        "district",
        lambda u, c, d: services.assessment_decide(actor=u, contract=c, **d),
        _("考核结论已确认，书面通知已生成。"),
    ),
    "transfer_apply": (
        forms.ConfirmForm,
        "enterprise",
        lambda u, c, d: services.transfer_apply(actor=u, contract=c),
        _("已申请签订出让合同。"),
    ),
    "notice_receipt": (
        forms.NoticeReceiptForm,
        "either",
        lambda u, c, d: services.notice_receipt_record(actor=u, contract=c, **d),
        _("已记录收到书面通知日期。"),
    ),
    "transfer_contract": (
        forms.TransferContractForm,
        "district",
        lambda u, c, d: services.transfer_contract_sign(actor=u, contract=c, **d),
        _("出让合同已登记。"),
    ),
    "land_price": (
        forms.LandPriceForm,
        "district",
        lambda u, c, d: services.land_price_pay(actor=u, contract=c, **d),
        _("地价款缴纳已登记。"),
    ),
    "title_register": (
        forms.TitleRegisterForm,
        "either",
        lambda u, c, d: services.title_register(actor=u, contract=c, **d),
        _("不动产登记已记录。"),
    ),
    "renewal_apply": (
        forms.RenewalApplyForm,
        "enterprise",
        lambda u, c, d: services.renewal_apply(actor=u, contract=c, **d),
        _("续租申请已提交。"),
    ),
    "renewal_decide": (
        forms.RenewalDecideForm,
        "district",
        lambda u, c, d: services.renewal_decide(actor=u, contract=c, **d),
        _("续租决定已记录。"),
    ),
    "exit_apply": (
        forms.ExitApplyForm,
        "enterprise",
        lambda u, c, d: services.exit_apply(actor=u, contract=c, **d),
        _("退出申请已提交。"),
    ),
    "exit_complete": (
        forms.ExitCompleteForm,
        "district",
        lambda u, c, d: services.exit_complete(actor=u, contract=c, **d),
        _("已收回土地使用权。"),
    ),
    "violation": (
        forms.ViolationForm,
        "district",
        lambda u, c, d: services.violation_record(actor=u, contract=c, **d),
        _("违约处置已记录。"),
    ),
}

# Which actions each side may take in each state (services check again).
AVAILABLE = {
    "district": {
        S.AWARDED: ["template", "indicator", "start_lease"],
        S.LEASING: ["template", "indicator", "violation"],
        S.RENEWAL_APPLIED: ["renewal_decide", "violation"],
        S.ASSESSMENT_APPLIED: ["assessment_decide", "violation"],
        S.PASSED: ["notice_receipt"],
        S.FAILED: ["exit_complete"],
        S.EXIT_APPLIED: ["exit_complete"],
        S.TRANSFER_APPLIED: ["transfer_contract", "violation"],
        S.TRANSFER_SIGNED: ["land_price", "violation"],
        S.TRANSFERRED: ["title_register", "violation"],
        S.REGISTERED: ["violation"],
    },
    "enterprise": {
        S.LEASING: ["report", "assessment_apply", "renewal_apply", "exit_apply"],
        S.RENEWAL_APPLIED: ["report"],
        S.ASSESSMENT_APPLIED: ["report"],
        S.PASSED: ["notice_receipt", "transfer_apply"],
        S.TRANSFERRED: ["title_register"],
    },
}


def _form(action, contract, data=None, files=None):
    form_class = ACTIONS[action][0]
    kwargs = {"prefix": action}
    if form_class in (
        forms.ReportForm,
        forms.TemplateApplyForm,
        forms.ViolationForm,
        forms.AssessmentDecideForm,
    ):
        kwargs["contract"] = contract
    return form_class(data, files, **kwargs)


def _detail(request, contract, bound=None, status=200, confirm=None):
    today = timezone.localdate()
    side = selectors.contract_side(request.user)
    actions = AVAILABLE.get(side, {}).get(contract.state, [])
    overdue = None
    if side == "enterprise":
        # Past the application day no form can help the holder: one message says what follows.
        overdue = selectors.enterprise_overdue_notice(contract, today=today)
        if overdue:
            actions = []
    action_forms = {
        a: (bound if bound and bound.prefix == a else _form(a, contract)) for a in actions
    }
    exit_record = ExitRecord.objects.filter(contract=contract).first()
    assessment = getattr(contract, "assessment", None) if hasattr(contract, "assessment") else None
    context = {
        "contract": contract,
        "today": today,
        "deadlines": selectors.contract_deadlines(contract),
        "next": selectors.contract_next_deadline(contract, today=today),
        "events": contract.events.select_related("actor"),
        "indicators": contract.indicators.prefetch_related("reports"),
        "proposal": selectors.assessment_proposal(contract),
        "assessment": assessment,
        "renewals": contract.renewals.all(),
        "exit_record": exit_record,
        "violations": contract.violations.all(),
        "forms": action_forms,
        "is_enterprise": request.user.role == User.Role.ENTERPRISE,
        "overdue": overdue,
        "confirm": confirm,
    }
    return render(request, "assessments/contract_detail.html", context, status=status)


@login_required
def contract_detail(request, pk):
    return _detail(request, _get_contract(request, pk))


@login_required
@require_POST
def contract_action(request, pk, action):
    """Run one lifecycle action on a contract the user may see; errors re-render the page."""
    if action not in ACTIONS:
        raise Http404
    contract = _get_contract(request, pk)
    form_class, side, call, success = ACTIONS[action]
    if side not in ("either", selectors.contract_side(request.user)):
        raise PermissionDenied
    today = timezone.localdate()
    if side == "enterprise" and selectors.enterprise_overdue_notice(contract, today=today):
        return redirect(contract)  # the page says once what happens next; no form can help
    form = _form(action, contract, request.POST, request.FILES)
    if form.is_valid():
        consequence = selectors.decision_consequence(
            contract, action=action, data=form.cleaned_data, today=today
        )
        if consequence and request.POST.get(f"{action}-confirmed") != consequence[0]:
            # A decision with consequences is made only once they were named and confirmed.
            return _detail(
                request,
                contract,
                bound=form,
                confirm={"action": action, "key": consequence[0], "text": consequence[1]},
            )
        try:
            call(request.user, contract, form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(contract)
    contract = _get_contract(request, pk)
    if action in AVAILABLE[side].get(contract.state, []):
        messages.error(request, _("未办理：请按提示修改。"))
    else:  # the contract moved on meanwhile (someone else acted): the form is gone, say why
        messages.error(request, _("未办理：%(why)s") % {"why": "；".join(form.non_field_errors())})
    return _detail(request, contract, bound=form, status=400)


@role_required("district")
def contract_create(request):
    """District staff record an award on one of their lease-then-transfer parcels (R12)."""
    form = forms.AwardForm(request.POST or None, parcels=parcel_list(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_award(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("合同已登记，请设定履约监管协议考核指标。"))
            return redirect(contract)
    return render(request, "assessments/contract_form.html", {"form": form})


def _decided(request, pk):
    contract = _get_contract(request, pk)
    assessment = getattr(contract, "assessment", None) if hasattr(contract, "assessment") else None
    if assessment is None or assessment.passed is None:
        raise Http404(_("尚未作出考核结论。"))
    return contract, assessment


@login_required
def assessment_notice(request, pk):
    """The printable written notice of the assessment result (R18)."""
    contract, assessment = _decided(request, pk)
    return render(
        request, "assessments/notice.html", {"contract": contract, "assessment": assessment}
    )


@login_required
def assessment_notice_pdf(request, pk):
    """The written notice of the assessment result (R18) as an A4 PDF download."""
    contract, assessment = _decided(request, pk)
    try:
        pdf = exports.notice_pdf(
            render_to_string(
                "assessments/notice_pdf.html",
                {"contract": contract, "assessment": assessment},
                request=request,
            )
        )
    except exports.PdfUnavailable as exc:
        messages.error(request, _("此服务器无法生成 PDF：%(why)s 请使用打印页面。") % {"why": exc})
        return redirect("assessments:notice", pk=contract.pk)
    filename = f"考核结果通知书-{contract.number}.pdf"
    return FileResponse(
        io.BytesIO(pdf), as_attachment=True, filename=filename, content_type="application/pdf"
    )


@login_required
def evidence_download(request, pk):
    """Stream the evidence file of an indicator report to the holder, the district's staff or
    the jurisdiction's city staff; anyone else gets 404 (files live in private storage)."""
    try:
        report = selectors.indicator_report_get(user=request.user, pk=pk)
    except IndicatorReport.DoesNotExist as exc:
        raise Http404(_("没有这个文件，或您无权查看。")) from exc
    if not report.evidence:
        raise Http404(_("没有这个文件，或您无权查看。"))
    try:
        handle = report.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("没有这个文件，或您无权查看。")) from exc
    return FileResponse(handle, as_attachment=True, filename=report.evidence_name)


def public_list(request):
    """Public disclosure (R24), no login: land offered and supplied by lease-then-transfer and
    the execution status; no payments, contacts or indicator reports. Both lists are filtered
    (district; status) and paged by keyset (landsupply.paging), each with its own cursor, so
    any page costs one index seek."""
    offered_filter = PublicOfferedFilter(
        request.GET, queryset=selectors.parcel_list_offered_public()
    )
    contract_filter = PublicContractFilter(request.GET, queryset=selectors.contract_list_public())
    return render(
        request,
        "assessments/public_list.html",
        {
            "filter": contract_filter,
            "offered": keyset_page(
                offered_filter.qs, keys=selectors.PUBLIC_OFFERED_ORDER, query=request.GET,
                prefix="o_", size=PUBLIC_PAGE_SIZE,
            ),
            "contracts": keyset_page(
                contract_filter.qs, keys=selectors.PUBLIC_CONTRACT_ORDER, query=request.GET,
                prefix="c_", size=PUBLIC_PAGE_SIZE,
            ),
        },
    )  # fmt: skip
