"""The lease-then-transfer contracts register as .xlsx, with the contract list's filters, and the
written assessment notice as PDF."""

from django.contrib.auth.decorators import login_required
from django.utils import timezone

from assessments import selectors
from assessments.filters import ContractFilter
from landsupply.export_jobs import bounded_count
from landsupply.exports import Export
from landsupply.views import export_download
from parcels.selectors import district_list_for_user

HEADERS = [
    "合同编号", "区", "地块编号", "地块名称", "土地使用权人", "存量/新增", "确定方式", "状态",
    "基准价（元）", "租赁年期（年）", "出让年期（年）", "租赁起始日", "租赁期届满日",
    "租赁期租金（元）", "年租金（元）", "竞买保证金（元）", "转出让地价款（元）",
    "考核申请截止日", "续租申请截止日", "转出让申请截止日", "出让期起始日", "出让期届满日",
]  # fmt: skip


def _register_rows(queryset):
    for c in queryset.iterator(chunk_size=2000):
        yield [
            c.number, c.parcel.district.name, c.parcel.code, c.parcel.name, c.enterprise.name,
            c.get_land_source_display(), c.get_award_method_display(), c.get_state_display(),
            c.base_price, c.lease_years, c.transfer_years, c.lease_start, c.lease_end,
            c.lease_rent, c.annual_rent, c.deposit, c.transfer_price,
            c.assessment_application_due, c.renewal_application_due,
            c.transfer_application_due, c.transfer_term_start, c.transfer_term_end,
        ]  # fmt: skip


def _filtered(*, user, query):
    return ContractFilter(
        query,
        queryset=selectors.contract_list(user=user),
        districts=district_list_for_user(user=user),
    ).qs


def contract_register_count(*, user, query, limit: int) -> int:
    """Return how many contracts the register would hold, counting at most `limit` + 1."""
    return bounded_count(_filtered(user=user, query=query), limit)


def contract_register(*, user, query) -> Export:
    """Return the register of every contract `user` may see (enterprise: its own), filtered
    like the list page (`query`), as an Export (amounts in yuan, dates)."""
    queryset = _filtered(user=user, query=query)
    return Export(
        name=f"先租后让合同台账-{timezone.localdate().isoformat()}",
        title="先租后让合同台账",
        headers=HEADERS,
        rows=_register_rows(queryset),
        total=queryset.count(),
    )


@login_required
def contract_register_export(request):
    """Every contract the user may see, filtered like the list page; a large register is
    prepared in the background (landsupply.export_jobs)."""
    return export_download(request, kind="contracts", file_format="xlsx")


class PdfUnavailable(RuntimeError):
    """The machine lacks the system libraries WeasyPrint needs (Pango)."""


def pdf_available() -> bool:
    """Return whether notices can be rendered as PDF here (WeasyPrint and Pango load)."""
    try:
        import weasyprint  # noqa: F401  imported on use: loading Pango takes a moment
    except (ImportError, OSError):
        return False
    return True


NOTICE_FONT_FAMILY = "Noto Sans SC"


def notice_font_css() -> str:
    """Return the @font-face rule that gives the notice its Chinese font: Noto Sans SC (SIL OFL
    1.1) from the pylopdf-fonts-zh-cn package, by file URL, so the PDF never depends on the
    fonts the server happens to have."""
    from pylopdf_fonts_zh_cn import sans_path

    return (
        f'@font-face {{ font-family: "{NOTICE_FONT_FAMILY}"; src: url("{sans_path().as_uri()}"); }}'
    )


def notice_pdf(html: str) -> bytes:
    """Return the written assessment notice (R18), rendered as HTML, as A4 PDF bytes.

    WeasyPrint lays it out with Noto Sans SC from a Python package (notice_font_css), embedded
    as a subset, so the text renders on a server without any Chinese font.
    Raises PdfUnavailable when Pango is not installed (the printable page still works).
    """
    if not pdf_available():
        raise PdfUnavailable("PDF 需要系统库 Pango（Debian：libpango-1.0-0 libpangoft2-1.0-0）。")
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return HTML(string=html).write_pdf(
        stylesheets=[CSS(string=notice_font_css(), font_config=fonts)], font_config=fonts
    )
