"""Pages of the ledger import (upload → check → preview → confirm → progress, retry) and the
.xlsx/.csv downloads (written by landsupply.exports)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landsupply.access import staff_required
from landsupply.exports import Sheet, csv_response, dataset_sheet, xlsx_response
from landsupply.models import User
from landsupply.uploads import limits_for
from parcels import imports, selectors
from parcels.filters import ParcelFilter
from parcels.models import ParcelImport
from parcels.resources import LEDGER_COLUMNS, ParcelResource

PAGE_ERRORS = 1000


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("台账文件（.xlsx / .csv）"))
    district = forms.ModelChoiceField(
        label=gettext_lazy("只导入该区"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("本辖区任一区（按文件中「区」列）"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = selectors.district_list_for_user(user=user)
        if user.role == User.Role.DISTRICT:
            del self.fields["district"]


def _get_import(request, pk) -> ParcelImport:
    parcel_import = selectors.parcel_import_list(user=request.user).filter(pk=pk).first()
    if parcel_import is None:
        raise Http404(_("没有这个导入记录，或您无权查看。"))
    return parcel_import


@staff_required
def import_start(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            parcel_import = imports.parcel_import_create(
                user=request.user,
                uploaded_file=form.cleaned_data["file"],
                district=form.cleaned_data.get("district"),
            )
        except ValidationError as exc:  # UploadRejected names the limit the file broke
            form.add_error("file", exc.messages)
        except PermissionDenied as exc:
            form.add_error("district" if "district" in form.fields else "file", str(exc))
        else:
            return redirect(parcel_import)
    return render(
        request,
        "parcels/import_start.html",
        {
            "form": form,
            "columns": LEDGER_COLUMNS,
            "limits": limits_for("ledger"),
            "limit_rows": f"{limits_for('ledger').max_rows:,}",
            "recent": selectors.parcel_import_list(user=request.user)[:10],
        },
    )


@staff_required
def import_detail(request, pk):
    parcel_import = _get_import(request, pk)
    return render(
        request,
        "parcels/import_detail.html",
        {
            "imp": parcel_import,
            "errors": parcel_import.errors[:PAGE_ERRORS],
            "errors_cut": max(len(parcel_import.errors) - PAGE_ERRORS, 0),
            "running": parcel_import.in_progress,
            "checking": parcel_import.status
            in (ParcelImport.Status.PENDING, ParcelImport.Status.CHECKING),
        },
    )


def _import_action(request, pk, service):
    """Run `service` (confirm, retry) on one of the user's imports; a refusal is a message."""
    parcel_import = _get_import(request, pk)
    try:
        service(user=request.user, parcel_import=parcel_import)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect(parcel_import)


@staff_required
@require_POST
def import_confirm(request, pk):
    return _import_action(request, pk, imports.parcel_import_confirm)


@staff_required
@require_POST
def import_retry(request, pk):
    """Start a failed import again from the check of its stored file."""
    return _import_action(request, pk, imports.parcel_import_retry)


@staff_required
def import_status(request, pk):
    parcel_import = _get_import(request, pk)
    return JsonResponse(
        {
            "status": parcel_import.status,
            "status_display": parcel_import.get_status_display(),
            "phase": _(parcel_import.phase) if parcel_import.phase else "",
            "processed": parcel_import.processed_rows,
            "total": parcel_import.total_rows,
            "percent": parcel_import.percent,
            "finished": not parcel_import.in_progress,
        }
    )


@staff_required
def import_template(request):
    """The empty ledger with its Chinese headers, and a sheet explaining each column."""
    headers = [header for header, *_ in LEDGER_COLUMNS]
    example = ["HD-2024-001", "示例地块", "海淀区", "某某路1号", "工业用地", "2.5", "公顷", "新增",
               "挂牌", 2024, 2, "是", "否", "已供应", "2024/6/30", "HT-001", "10,000,000.00",
               "某某公司"]  # fmt: skip
    notes = [
        *[
            [header, "必填" if required else "选填", note]
            for header, _a, required, note in LEDGER_COLUMNS
        ],
        [],
        ["示例（请在「地块台账」表中填写，第 1 行列名不要改动）"],
        headers,
        example,
    ]
    return xlsx_response(
        [
            Sheet("地块台账", headers, [], widths=[14] * len(headers)),
            Sheet("填写说明", ["列名", "是否必填", "填写说明"], notes, widths=[16, 10, 70]),
        ],
        "地块台账模板.xlsx",
    )


@staff_required
def import_errors(request, pk):
    """Every error of an import as .xlsx: 行, 列, 错误."""
    parcel_import = _get_import(request, pk)
    rows = ([e["row"], e["column"], e["message"]] for e in parcel_import.errors)
    return xlsx_response(
        [Sheet("错误", ["行", "列", "错误"], rows)], f"导入错误-{parcel_import.pk}.xlsx"
    )


@staff_required
def parcel_export(request, file_format="xlsx"):
    """The parcel list as .xlsx (or .csv), with the list page's filters, in the import
    template's columns (so an exported file can be edited and imported back)."""
    districts = selectors.district_list_for_user(user=request.user)
    parcel_filter = ParcelFilter(
        request.GET, queryset=selectors.parcel_list(user=request.user), districts=districts
    )
    dataset = ParcelResource(districts=districts).export(queryset=parcel_filter.qs)
    name = f"地块清单-{timezone.localdate().isoformat()}"
    if file_format == "csv":
        return csv_response(dataset.headers, dataset, f"{name}.csv")
    return xlsx_response([dataset_sheet(dataset, _("地块台账"))], f"{name}.xlsx")
