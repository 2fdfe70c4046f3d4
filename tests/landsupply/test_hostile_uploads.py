"""Hostile and broken uploads: each gets a clear error naming the limit, the process survives,
its peak memory stays under 300 MB, and nothing is written.

Every file is built here (tests/hostile.py). The check and the reader that would come next
(python-calamine for the ledger, openpyxl for the plan, the coordinate-file reader or pyogrio
for a boundary file) run in a child process with a 1 GiB
address-space limit (tests/hostile_child.py); its peak RSS comes from os.wait4. Then the same
file goes through the real page as a user would send it, in this process, with the Celery
worker not run: the upload must be refused at the form, so no ParcelImport, no parcel, no
plan, no boundary import or boundary, no stored file exists. Run with -s to see each file's time and peak memory.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.spreadsheet import COLUMNS
from tests import hostile

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MB = 300
ADDRESS_SPACE_MB = 1024
PLAN_HEADERS = [label for _key, label in COLUMNS]


def run_child(kind: str, path: Path, name: str) -> dict:
    """Return the child's JSON outcome with its peak RSS in MB and exit status."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.hostile_child", kind, str(path), name, str(ADDRESS_SPACE_MB)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    out, err = process.stdout.read(), process.stderr.read()
    _pid, status, _usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, f"child died ({process.returncode}): {err.decode()[-2000:]}"
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb"] = result.pop("peak_kb") / 1024  # the child's own VmHWM
    print(
        f"\n  {kind:8} {name:40} {path.stat().st_size:>12,} B  {result['seconds']:7.3f} s"
        f"  peak {result['peak_mb']:6.1f} MB  {result['message'][:70]}"
    )
    return result


def _ledger_csv(folder, name, rows):
    return hostile.csv_file(folder, name, hostile.ledger_csv(rows))


def _too_many_rows_csv(folder, rows=200_001):
    path = folder / "too-many-rows.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(hostile.HEADERS) + "\n")
        handle.write("A,\n" * rows)
    return path


# (id, kind, builder(folder) -> path, name sent, words the message must contain)
CASES = [
    ("dimension bomb, ledger", "ledger", hostile.dimension_bomb, "台账.xlsx",
     ["A1:XFD1048576", "200,000 行"]),
    ("dimension bomb, plan", "plan", lambda f: hostile.dimension_bomb(f, PLAN_HEADERS), "计划.xlsx",
     ["A1:XFD1048576", "5,000 行"]),
    ("undeclared cell at XFD1048576, ledger", "ledger",
     lambda f: hostile.dimension_bomb(f, declare=False), "台账.xlsx", ["1,048,576", "200,000 行"]),
    ("undeclared cell at XFD1048576, plan", "plan",
     lambda f: hostile.dimension_bomb(f, PLAN_HEADERS, declare=False), "计划.xlsx",
     ["1,048,576", "5,000 行"]),
    ("zip bomb 164 MB sheet, ledger", "ledger", hostile.zip_bomb, "台账.xlsx",
     ["压缩比超过 100:1", "疑似压缩炸弹"]),
    ("zip bomb 164 MB sheet, plan", "plan", lambda f: hostile.zip_bomb(f, PLAN_HEADERS),
     "计划.xlsx", ["压缩比超过 100:1"]),
    ("zip bomb declaring a 1 KB sheet", "ledger", hostile.lying_zip_bomb, "台账.xlsx",
     ["大于其声明的大小"]),
    ("billion laughs (XML entities)", "ledger", hostile.billion_laughs, "台账.xlsx", ["DTD"]),
    ("random bytes named .xlsx", "ledger", hostile.random_bytes, "台账.xlsx",
     ["不是有效的 .xlsx"]),
    ("random bytes named .xlsx, plan", "plan", hostile.random_bytes, "计划.xlsx",
     ["不是有效的 .xlsx"]),
    ("truncated zip", "ledger",
     lambda f: hostile.truncated(hostile.dimension_bomb(f), f), "台账.xlsx", ["不是有效的 .xlsx"]),
    ("2,002 zip members", "ledger", hostile.many_members, "台账.xlsx", ["超过上限 1,000 个"]),
    ("oversized file (60 MB)", "ledger",
     lambda f: hostile.oversized(f, "big.xlsx", 60 * 1024 * 1024), "台账.xlsx",
     ["60.0 MB", "超过上限 50.0 MB"]),
    ("oversized plan (6 MB)", "plan", lambda f: hostile.oversized(f, "big.csv", 6 * 1024 * 1024),
     "计划.csv", ["超过上限 5.0 MB"]),
    ("CSV with a NUL byte", "ledger",
     lambda f: _ledger_csv(f, "nul.csv", [{"地块编号": "HD\x00-1"}]), "台账.csv", ["第 2 行", "NUL"]),
    ("CSV with a NUL byte, plan", "plan",
     lambda f: hostile.csv_file(f, "nul.csv", "类型,代码\n总量\x00,total\n"), "计划.csv", ["NUL"]),
    ("CSV field of 131,073 characters", "ledger",
     lambda f: _ledger_csv(f, "field.csv", [{"地块名称": "x" * 131_073}]), "台账.csv",
     ["第 2 行", "131,072 个字符"]),
    ("CSV row of 2,000,000 commas", "ledger",
     lambda f: hostile.csv_file(f, "commas.csv", hostile.ledger_csv([]) + "," * 2_000_000),
     "台账.csv", ["第 2 行", "1,000,000 个字符"]),
    ("CSV of 200,001 data rows", "ledger", _too_many_rows_csv, "台账.csv", ["200,000 行数据"]),
    ("random bytes named .csv", "ledger", lambda f: hostile.random_bytes(f, "r.csv"), "台账.csv",
     ["台账.csv"]),
    (".xls (cannot be checked)", "ledger", lambda f: hostile.random_bytes(f, "old.xls"),
     "台账.xls", ["的 .xls 格式", "另存为 .xlsx"]),
    (".html named .pdf", "evidence",
     lambda f: hostile.csv_file(f, "a.pdf", hostile.html_page().decode()), "审计报告.pdf",
     ["不在允许的类型之内"]),
    (".svg named .pdf", "evidence",
     lambda f: hostile.csv_file(f, "b.pdf", hostile.svg_image().decode()), "审计报告.pdf",
     ["不在允许的类型之内"]),
    (".exe named .pdf", "evidence",
     lambda f: hostile.csv_file(f, "c.pdf", hostile.windows_exe().decode("latin-1"), "latin-1"),
     "审计报告.pdf", ["application/x-msdownload", "不在允许的类型之内"]),
    ("PDF named .exe", "evidence",
     lambda f: hostile.csv_file(f, "d.exe", hostile.pdf_document().decode()), "审计报告.exe",
     ["扩展名与内容（PDF）不符"]),
    ("zip bomb named .docx", "evidence",
     lambda f: hostile.zip_bomb(f, megabytes=40, name="bomb.docx"), "报告.docx",
     ["压缩比超过 100:1"]),
    ("oversized evidence (21 MB)", "evidence",
     lambda f: hostile.oversized(f, "big.pdf", 21 * 1024 * 1024), "审计报告.pdf",
     ["超过上限 20.0 MB"]),
    ("zip bomb Shapefile (40 MB .shp)", "boundary", hostile.shapefile_zip_bomb, "界址.zip",
     ["「parcels.shp」压缩比超过 100:1", "疑似压缩炸弹"]),
    ("Shapefile zip bomb declaring a 1 KB .shp", "boundary", hostile.lying_shapefile_zip_bomb,
     "界址.zip", ["「parcels.shp」解压后大于其声明的大小"]),
    ("KML with nested entities", "boundary", hostile.kml_billion_laughs, "界址.kml", ["DTD"]),
    ("oversized boundary file (11 MB)", "boundary",
     lambda f: hostile.oversized(f, "big.zip", 11 * 1024 * 1024), "界址.zip",
     ["11.0 MB", "超过上限 10.0 MB"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "build", "name", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_hostile_file_is_refused_in_bounded_memory(tmp_path, kind, build, name, words):
    path = build(tmp_path)

    result = run_child(kind, path, name)

    assert result["ok"] is False
    for word in words:
        assert word in result["message"]
    assert name in result["message"]  # the message names the file
    assert result["peak_mb"] < PEAK_LIMIT_MB


def test_a_good_ledger_and_plan_pass_the_same_child_in_bounded_memory(tmp_path):
    """The control: the child reads good files, so the refusals above are the checks'."""
    ledger = tmp_path / "good.xlsx"
    hostile.write_xlsx(
        ledger,
        ["<sheetData>", hostile.row_xml(1, hostile.HEADERS)]
        + [hostile.row_xml(n, [f"HD-{n}", "地块"]) for n in range(2, 2002)]
        + ["</sheetData>"],
    )
    plan = hostile.csv_file(tmp_path, "plan.csv", "类型,代码,下限（公顷）\n总量,total,3240\n")

    assert run_child("ledger", ledger, "台账.xlsx") | {"peak_mb": 0} == {
        "ok": True, "message": "", "rows": 2001, "seconds": pytest.approx(0, abs=60), "peak_mb": 0
    }  # fmt: skip
    assert run_child("plan", plan, "计划.csv")["rows"] == 1
    assert run_child("evidence", hostile.docx_document(tmp_path), "报告.docx")["ok"] is True


def test_good_boundary_files_pass_the_same_child_in_bounded_memory(tmp_path):
    """The control for boundary files: a zipped Shapefile and a KML file are read by pyogrio."""
    from tests.boundaries.conftest import kml_bytes, zipped_shapefile

    ring = [(500_000, 4_400_000), (500_100, 4_400_000), (500_100, 4_400_100), (500_000, 4_400_000)]
    shapefile = tmp_path / "good.zip"
    shapefile.write_bytes(zipped_shapefile({"S1": ring, "S2": ring}, crs="EPSG:4548"))
    kml = tmp_path / "good.kml"
    kml.write_bytes(
        kml_bytes({"K1": [(116.3, 39.9), (116.31, 39.9), (116.3, 39.91), (116.3, 39.9)]})
    )

    for path, name, rows in ((shapefile, "界址.zip", 2), (kml, "界址.kml", 1)):
        result = run_child("boundary", path, name)
        assert (result["ok"], result["rows"]) == (True, rows), result["message"]
        assert result["peak_mb"] < PEAK_LIMIT_MB


# --- through the pages, in this process: refused at the form, nothing written --------------


def as_upload(build, tmp_path, name) -> SimpleUploadedFile:
    """The hostile file built in tmp_path, as a browser sends it under `name`."""
    with open(build(tmp_path), "rb") as handle:
        return SimpleUploadedFile(name, handle.read())


def assert_refused(response, words, status=200):
    """The form came back with `status`, its message holding every one of `words`."""
    assert response.status_code == status
    for word in words:
        assert word in response.text


def stored_files(settings) -> list[Path]:
    """Every file under the public and the private media folders."""
    folders = (Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT))
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


LEDGER_CASES = [case for case in CASES if case[1] == "ledger" and "oversized" not in case[0]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "name", "words"),
    [case[2:] for case in LEDGER_CASES],
    ids=[case[0] for case in LEDGER_CASES],
)
def test_hostile_ledger_upload_writes_nothing(
    client, beijing, settings, tmp_path, build, name, words
):
    from parcels.models import Parcel, ParcelImport

    client.force_login(beijing["haidian_user"])

    upload = as_upload(build, tmp_path, name)
    response = client.post(reverse("parcels:import_start"), {"file": upload})

    assert_refused(response, words)
    assert not ParcelImport.objects.exists()
    assert not Parcel.objects.exists()
    assert not stored_files(settings)


def test_oversized_upload_is_cut_on_disk_and_refused_with_its_size(
    client, beijing, settings, tmp_path, db
):
    """The upload handler keeps at most UPLOAD_REQUEST_MAX_BYTES of a file on disk; the form
    still says how large the file was and what the limit is."""
    from parcels.models import ParcelImport

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes through the disk handler
    settings.UPLOAD_REQUEST_MAX_BYTES = 1024 * 1024
    settings.UPLOAD_LIMITS = {
        **settings.UPLOAD_LIMITS,
        "ledger": {**settings.UPLOAD_LIMITS["ledger"], "max_bytes": 1024 * 1024},
    }
    client.force_login(beijing["haidian_user"])
    body = hostile.ledger_csv([hostile_row(n) for n in range(30_000)]).encode()
    assert len(body) > 1024 * 1024 + 1

    response = client.post(
        reverse("parcels:import_start"), {"file": SimpleUploadedFile("台账.csv", body)}
    )

    assert "超过上限 1.0 MB" in response.text
    assert not ParcelImport.objects.exists()


def hostile_row(n):
    from tests.parcels.conftest import ledger_row

    return ledger_row(地块编号=f"HD-{n}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case", [c for c in CASES if c[1] == "plan" and "oversized" not in c[0]], ids=lambda c: c[0]
)
def test_hostile_plan_upload_writes_nothing(client, settings, tmp_path, case):
    from landsupply.seed import seed_jurisdictions
    from plans.models import AnnualPlan
    from tests.factories import CityUserFactory

    _id, _kind, build, name, words = case
    jurisdictions = seed_jurisdictions()
    client.force_login(CityUserFactory(jurisdiction=jurisdictions["beijing"]))
    upload = as_upload(build, tmp_path, name)

    response = client.post(
        reverse("plans:plan_import"), {"year": 2030, "name": "恶意计划", "file": upload}
    )

    assert_refused(response, words)
    assert not AnnualPlan.objects.filter(year=2030).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case", [c for c in CASES if c[1] == "evidence" and "oversized" not in c[0]], ids=lambda c: c[0]
)
def test_hostile_evidence_upload_writes_nothing(client, worked_example, tmp_path, case):
    from assessments.models import IndicatorReport

    _id, _kind, build, name, words = case
    contract, holder = worked_example["contract"], worked_example["holder"]
    client.force_login(holder)
    upload = as_upload(build, tmp_path, name)

    response = client.post(
        reverse("assessments:action", args=[contract.pk, "report"]),
        {
            "report-indicator": contract.indicators.get(name="投资强度").pk,
            "report-year": 2025,
            "report-actual": "8200",
            "report-evidence": upload,
        },
    )

    assert_refused(response, words, status=400)
    assert not IndicatorReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case", [c for c in CASES if c[1] == "boundary" and "oversized" not in c[0]], ids=lambda c: c[0]
)
def test_hostile_boundary_upload_writes_nothing(client, beijing, settings, tmp_path, case):
    from boundaries.models import BoundaryImport, ParcelBoundary

    _id, _kind, build, name, words = case
    client.force_login(beijing["haidian_user"])
    upload = as_upload(build, tmp_path, name)

    response = client.post(reverse("boundaries:import_start"), {"file": upload})

    assert_refused(response, words)
    assert not BoundaryImport.objects.exists()
    assert not ParcelBoundary.objects.exists()
    assert not stored_files(settings)
