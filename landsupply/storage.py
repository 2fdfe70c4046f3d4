"""Private file storage: uploads that only views with an access check may serve.

Every upload (parcel ledgers, evidence of indicator reports) goes through `private_storage`,
which is the storage settings.STORAGES["private"] names, chosen by LANDSUPPLY_STORAGE:

- `PrivateFileSystemStorage` (default): a folder, settings.PRIVATE_MEDIA_ROOT. Right for one
  machine, or for several that mount one shared folder.
- `DatabaseStorage`: the bytes in the database (table landsupply_storedfile), so web servers
  and workers on separate machines share nothing but the database.
- django-storages' S3Storage: an S3-compatible object store (settings.STORAGE_BACKENDS["s3"]).

Readers open files through the storage API (`field.open("rb")`), never through a local path:
with the database or S3 backend there is none.
"""

import os

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty

NO_PUBLIC_URL = "private files have no public URL; link to the view that checks access"


@deconstructible(path="landsupply.storage.PrivateFileSystemStorage")
class PrivateFileSystemStorage(FileSystemStorage):
    """Files kept under settings.PRIVATE_MEDIA_ROOT (read on every use, so a test may move it),
    outside any public URL."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(NO_PUBLIC_URL)


@deconstructible(path="landsupply.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    """Files kept as rows of landsupply.StoredFile (name, bytes, size, time).

    A file is read whole into memory on open, so it suits uploads of bounded size (the upload
    checks cap them); PostgreSQL stores the bytes compressed out of line (TOAST). Names are
    unique: saving under a taken name gets a free one (Storage.get_available_name), and two
    processes racing for one name are told by the unique constraint and retried.
    """

    def _model(self):
        from landsupply.models import StoredFile

        return StoredFile

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode:
            raise ValueError(
                "DatabaseStorage files are written with save(), not opened for writing"
            )
        row = self._model().objects.filter(name=name).only("content").first()
        if row is None:
            raise FileNotFoundError(name)
        content = ContentFile(bytes(row.content), name=name)
        return content

    def _save(self, name, content):
        model = self._model()
        if hasattr(content, "seek"):
            content.seek(0)
        data = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
        while True:
            try:
                with transaction.atomic():
                    model.objects.create(name=name, content=data, size=len(data))
                return name
            except IntegrityError:
                name = self.get_available_name(name)

    def exists(self, name):
        return self._model().objects.filter(name=name).exists()

    def delete(self, name):
        self._model().objects.filter(name=name).delete()

    def size(self, name):
        row = self._model().objects.filter(name=name).only("size").first()
        if row is None:
            raise FileNotFoundError(name)
        return row.size

    def get_created_time(self, name):
        row = self._model().objects.filter(name=name).only("created_at").first()
        if row is None:
            raise FileNotFoundError(name)
        return timezone.localtime(row.created_at) if settings.USE_TZ else row.created_at

    get_modified_time = get_created_time

    def listdir(self, path):
        prefix = path.rstrip("/") + "/" if path else ""
        names = self._model().objects.filter(name__startswith=prefix).values_list("name", flat=True)
        dirs, files = set(), []
        for name in names:
            head, sep, tail = name[len(prefix) :].partition("/")
            if sep:
                dirs.add(head)
            else:
                files.append(head)
        return sorted(dirs), sorted(files)

    def url(self, name):
        raise ValueError(NO_PUBLIC_URL)


class PrivateStorage(LazyObject):
    """The storage settings.STORAGES["private"] configures, looked up on first use."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage = PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    """Tests that switch STORAGES get the new backend (Django resets its own handler too)."""
    if setting == "STORAGES":
        private_storage._wrapped = empty


def get_private_storage():
    """Callable for FileField(storage=…), so migrations don't freeze a backend or a path."""
    return private_storage
