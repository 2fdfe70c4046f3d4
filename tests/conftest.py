import os

import pytest

from landsupply.seed import seed_jurisdictions
from parcels.seed import seed_land_use_categories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each PostgreSQL test run its own database, so that runs side by side don't collide."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{os.getpid()}"
    elif os.environ.get("LANDSUPPLY_TEST_DB_FILE"):
        # make mutation: a file database that --reuse-db keeps, so each mutant's run skips
        # the migrations.
        db.setdefault("TEST", {})["NAME"] = os.environ["LANDSUPPLY_TEST_DB_FILE"]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 costs ~0.2 s per user the factories make; no test here is about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def upload_folders(settings, tmp_path):
    """Uploads (ledgers, evidence) go to temporary folders, not the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def reference_data(db):
    """Beijing and Zhengzhou with rings and districts, and the land-use categories."""
    jurisdictions = seed_jurisdictions()
    categories = seed_land_use_categories()
    return {"jurisdictions": jurisdictions, "categories": categories}
