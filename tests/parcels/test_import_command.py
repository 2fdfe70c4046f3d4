"""python manage.py import_parcels FILE --district CODE [--dry-run]."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parcels.models import Parcel
from tests.parcels.conftest import ledger_row

pytestmark = pytest.mark.django_db


def test_dry_run_previews_and_writes_nothing(beijing, write_ledger, capsys):
    path = write_ledger([ledger_row(地块编号="A"), ledger_row(地块编号="B")])

    call_command("import_parcels", str(path), "--district", "haidian", "--dry-run")

    assert "预览（未写入）：共 2 行，新增 2" in capsys.readouterr().out
    assert not Parcel.objects.exists()


def test_import_writes_the_rows(beijing, write_ledger, capsys):
    path = write_ledger([ledger_row(地块编号="A", 区="")], ".csv", "gbk")

    call_command("import_parcels", str(path), "--district", "haidian")

    assert "已导入：共 1 行，新增 1" in capsys.readouterr().out
    assert Parcel.objects.get().district == beijing["haidian"]


def test_errors_print_the_table_and_exit_non_zero(beijing, write_ledger, capsys):
    path = write_ledger(
        [ledger_row(地块编号="A"), ledger_row(地块编号="B", 区="大兴区", 面积="-1")]
    )

    with pytest.raises(CommandError) as info:
        call_command("import_parcels", str(path), "--district", "haidian")

    assert info.value.returncode == 1
    out = capsys.readouterr().out
    assert "3  区" in out and "本次导入只限「海淀区」" in out
    assert "3  面积" in out and "面积不能为负数（-1）" in out
    assert not Parcel.objects.exists()


def test_unknown_district_code_exits_with_status_2(beijing, write_ledger):
    with pytest.raises(CommandError) as info:
        call_command("import_parcels", str(write_ledger([ledger_row()])), "--district", "atlantis")
    assert info.value.returncode == 2
