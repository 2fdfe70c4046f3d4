"""Private file storage: uploads that only views with an access check may serve."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files kept under settings.PRIVATE_MEDIA_ROOT, outside any public URL. They are served
    only by views that load their object through a scoped selector (evidence of indicator
    reports, uploaded parcel ledgers)."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no public URL; link to the view that checks access")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """Callable for FileField(storage=…), so migrations don't freeze a path."""
    return private_storage
