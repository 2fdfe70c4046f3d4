"""Bad input gets a clear message naming the field, row or limit, and changes nothing; never a
500 or a traceback (issue 8): areas past the column's digits, NUL bytes and huge fields in a
ledger, dates past what the date arithmetic can hold, NaN/Infinity/1e30 on the command line,
the ParcelImport admin pages."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.seed import seed_rule_sets
from parcels.models import Parcel, ParcelImport
from tests.factories import ParcelFactory, PlatformAdminFactory
from tests.parcels.conftest import ledger_row

pytestmark = pytest.mark.django_db


def parcel_form(beijing, **changes):
    return {
        "district": beijing["haidian"].pk,
        "code": "HD-BIG",
        "name": "大地块",
        "category": beijing["categories"]["industrial"].pk,
        "land_source": "new",
        "supply_method": "listing",
        "plan_year": 2024,
        "planned_quarter": 2,
        "area": "1",
        "area_unit": "ha",
        **changes,
    }


LIMIT = "超过上限 99999999.9999 公顷"


@pytest.mark.parametrize(
    ("area", "unit", "message"),
    [
        ("99999999.9999", "ha", None),
        ("100000000", "ha", LIMIT),
        ("999999999999", "m2", None),  # 99,999,999.9999 ha exactly
        ("999999999999.5", "m2", LIMIT),  # 100,000,000.0000 ha after rounding
        ("1500000000", "mu", LIMIT),
        ("10000000000000", "m2", "小数点前不超过 12 位"),  # the field's own digits
    ],
)
def test_parcel_area_limit_on_the_form(client, beijing, area, unit, message):
    client.force_login(beijing["haidian_user"])

    response = client.post(
        reverse("parcels:create"), parcel_form(beijing, area=area, area_unit=unit)
    )

    assert Parcel.objects.exists() is (message is None)
    if message:
        assert response.status_code == 200
        assert message in response.text


def test_parcel_area_limit_in_the_ledger(client, beijing, write_ledger, upload_ledger):
    client.force_login(beijing["haidian_user"])

    upload_ledger(
        write_ledger(
            [
                ledger_row(地块编号="OK", 面积="99999999.9999"),
                ledger_row(地块编号="BIG", 面积="100000000"),
                ledger_row(地块编号="HUGE", 面积="1e30"),
            ]
        )
    )

    errors = {e["row"]: e for e in ParcelImport.objects.get().errors}
    assert set(errors) == {3, 4}
    assert errors[3]["column"] == "面积"
    assert "上限 99999999.9999 公顷" in errors[3]["message"]
    assert "上限 99999999.9999 公顷" in errors[4]["message"]


def test_huge_field_and_control_characters_in_a_ledger_are_cell_errors(
    client, beijing, write_ledger, upload_ledger
):
    client.force_login(beijing["haidian_user"])

    upload_ledger(
        write_ledger(
            [
                ledger_row(地块编号="A", 地块名称="x" * 131_072),
                ledger_row(地块编号="B", 坐落="某路\x01号"),
                ledger_row(地块编号="C", 供应日期="9999-12-31", 状态="已供应"),
            ],
            ".csv",
        )
    )

    parcel_import = ParcelImport.objects.get()
    assert parcel_import.status == ParcelImport.Status.INVALID
    messages = {(e["row"], e["column"]): e["message"] for e in parcel_import.errors}
    assert messages[(2, "地块名称")] == "超过 200 个字（131072 个字）"
    assert messages[(3, "坐落")].startswith("含有不可见的控制字符")
    assert messages[(4, "供应日期")] == "日期 9999-12-31 超出范围（1900-01-01 至 2100-12-31）"
    assert not Parcel.objects.exists()


def test_every_parcel_import_admin_page_opens_and_changes_nothing(client, beijing, write_ledger):
    admin_user = PlatformAdminFactory()
    client.force_login(admin_user)
    path = write_ledger([ledger_row()])
    for status in ParcelImport.Status.values:
        parcel_import = ParcelImport.objects.create(
            user=beijing["haidian_user"], original_name=f"{status}.xlsx", status=status
        )
        parcel_import.file.save("台账.xlsx", open(path, "rb"))  # noqa: SIM115

        response = client.get(reverse("admin:parcels_parcelimport_change", args=[parcel_import.pk]))

        assert response.status_code == 200
        assert "parcel_imports/" in response.text  # the stored name, shown, not linked
    assert client.get(reverse("admin:parcels_parcelimport_add")).status_code == 403
    response = client.post(
        reverse("admin:parcels_parcelimport_change", args=[parcel_import.pk]), {"status": "done"}
    )
    assert response.status_code == 403
    assert ParcelImport.objects.get(pk=parcel_import.pk).status == "failed"


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "1e30", "100000000000000"])
def test_lease_quote_refuses_prices_it_cannot_compute(reference_data, price):
    seed_rule_sets()
    args = ["--jurisdiction", "beijing", "--lease-years", "5", "--transfer-years", "15"]

    with pytest.raises(CommandError) as info:
        call_command("lease_quote", *args, f"--base-price={price}")

    assert info.value.returncode == 2
    assert "--base-price 须为不超过 99,999,999,999,999.99 元的金额" in str(info.value)


def test_lease_quote_takes_the_largest_price(reference_data, capsys):
    seed_rule_sets()
    call_command(
        "lease_quote",
        *["--jurisdiction", "beijing", "--lease-years", "5", "--transfer-years", "15"],
        "--base-price=99999999999999.99",
    )
    assert "25000000000000.00" in capsys.readouterr().out  # rent = price ÷ 20 × 5, rounded


@pytest.mark.parametrize(
    ("option", "value"), [("lease_quote", "9999-12-31"), ("send_reminders", "9999-12-31")]
)
def test_commands_refuse_dates_past_2100(reference_data, option, value):
    seed_rule_sets()
    if option == "lease_quote":
        args = ["--jurisdiction", "beijing", "--base-price", "1", "--lease-years", "5",
                "--transfer-years", "15", "--lease-start", value]  # fmt: skip
    else:
        args = ["--today", value]

    with pytest.raises(CommandError, match="须在 1900-01-01 至 2100-12-31 之间") as info:
        call_command(option, *args)

    assert info.value.returncode == 2


def test_send_reminders_runs_on_the_last_day_it_takes(reference_data, capsys):
    call_command("send_reminders", "--today", "2100-12-31")
    assert "没有需要发送的提醒" in capsys.readouterr().out


def test_dates_out_of_range_on_forms_are_field_errors(client, beijing, worked_example):
    parcel = ParcelFactory(district=beijing["haidian"])
    client.force_login(beijing["haidian_user"])
    response = client.post(
        reverse("parcels:record_supply", args=[parcel.pk]),
        {"supplied_on": "9999-12-31", "contract_number": "HT-1", "awardee": "某公司"},
    )
    assert response.status_code == 200
    assert "2100-12-31" in response.text
    parcel.refresh_from_db()
    assert parcel.status == Parcel.Status.PLANNED

    staff = worked_example["district_user"]
    from tests.factories import LeaseThenTransferParcelFactory

    lease_parcel = LeaseThenTransferParcelFactory(district=staff.district)
    client.force_login(staff)
    response = client.post(
        reverse("assessments:contract_create"),
        {
            "number": "HD-9",
            "parcel": lease_parcel.pk,
            "enterprise": worked_example["contract"].enterprise_id,
            "award_method": "listing",
            "award_reference": "成交确认书9",
            "base_price": "30000000",
            "lease_years": "5",
            "transfer_years": "15",
            "lease_start": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "2100-12-31" in response.text
