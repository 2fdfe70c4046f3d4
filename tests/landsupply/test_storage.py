"""Upload storage backends (issue 8): the database backend keeps files as rows, so processes
on separate machines share them through the database alone; the private storage follows the
setting; private files never get a public URL; landsupply.uploads.local_copy reads through the storage API."""

import pytest
from django.core.files.base import ContentFile

from landsupply.models import StoredFile
from landsupply.storage import DatabaseStorage, private_storage
from landsupply.uploads import local_copy
from parcels.models import ParcelImport
from tests.factories import DistrictUserFactory

pytestmark = pytest.mark.django_db
DATABASE = {"BACKEND": "landsupply.storage.DatabaseStorage"}


@pytest.fixture
def database_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "private": DATABASE}
    return private_storage


def test_database_storage_saves_opens_sizes_and_deletes():
    storage = DatabaseStorage()
    name = storage.save("parcel_imports/2025/03/台账.xlsx", ContentFile(b"PK\x03\x04 ledger"))
    assert name == "parcel_imports/2025/03/台账.xlsx"
    assert storage.exists(name) and storage.size(name) == len(b"PK\x03\x04 ledger")
    with storage.open(name) as handle:
        assert handle.read() == b"PK\x03\x04 ledger"
    assert storage.listdir("parcel_imports/2025") == (["03"], [])
    assert storage.listdir("parcel_imports/2025/03") == ([], ["台账.xlsx"])
    storage.delete(name)
    assert not storage.exists(name) and not StoredFile.objects.exists()


def test_database_storage_never_overwrites_a_taken_name():
    storage = DatabaseStorage()
    first = storage.save("evidence/报告.pdf", ContentFile(b"one"))
    second = storage.save("evidence/报告.pdf", ContentFile(b"two"))
    assert first != second and second.startswith("evidence/报告_")
    assert storage.open(first).read() == b"one" and storage.open(second).read() == b"two"


def test_database_storage_missing_file_is_file_not_found():
    storage = DatabaseStorage()
    with pytest.raises(FileNotFoundError):
        storage.open("nothing.pdf")
    with pytest.raises(FileNotFoundError):
        storage.size("nothing.pdf")


def test_private_files_have_no_public_url(database_storage, settings):
    with pytest.raises(ValueError, match="no public URL"):
        DatabaseStorage().url("x.pdf")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "landsupply.storage.PrivateFileSystemStorage"},
    }
    with pytest.raises(ValueError, match="no public URL"):
        private_storage.url("x.pdf")


def test_upload_fields_follow_the_setting(database_storage, reference_data, tmp_path):
    parcel_import = ParcelImport(user=DistrictUserFactory(), original_name="台账.csv")
    parcel_import.file.save("台账.csv", ContentFile("地块编号\nHD-1\n".encode()), save=False)
    parcel_import.save()
    stored = StoredFile.objects.get()
    assert stored.name == parcel_import.file.name and bytes(stored.content).startswith(
        "地块".encode()
    )
    assert not (tmp_path / "private").exists()  # nothing on the local disk
    with local_copy(parcel_import.file, max_bytes=1024, suffix=".csv") as path:
        assert path.suffix == ".csv" and path.read_bytes() == bytes(stored.content)
    assert not path.exists()  # the temporary copy is gone


def test_filesystem_is_the_default_backend(reference_data, tmp_path):
    parcel_import = ParcelImport(user=DistrictUserFactory(), original_name="a.csv")
    parcel_import.file.save("a.csv", ContentFile(b"x"), save=False)
    assert (tmp_path / "private" / parcel_import.file.name).read_bytes() == b"x"
    assert not StoredFile.objects.exists()
