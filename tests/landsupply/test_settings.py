"""Production settings (issue 8): DEBUG and SECRET_KEY refuse unsafe defaults, HTTPS switches,
`check --deploy` clean, storage backend by setting. Each case runs Django in a subprocess with
its own environment, as a server would start."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "land.example.gov.cn",
}
READ_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({n: getattr(settings, n, None) for n in %r}, default=str))"
)


def _env(**overrides) -> dict:
    """The test's environment without any setting a production server would pass, plus
    `overrides` (a value of None removes the variable)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "AXES_", "LANDSUPPLY_", "SESSION_", "CSRF_"))
        and k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest
        }
    }
    env["DJANGO_SETTINGS_MODULE"] = "landsupply.settings"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _run(args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(names, **env) -> dict:
    result = _run(["-c", READ_SETTINGS % (list(names),)], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_in_production():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret_key", [None, "", "dev-only-insecure-key-change-me-in-production"])
def test_debug_off_refuses_to_start_without_a_secret_key_of_its_own(secret_key):
    result = _run(["manage.py", "check"], **{**PRODUCTION, "SECRET_KEY": secret_key})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # says how to make one


def test_debug_off_refuses_to_start_without_allowed_hosts():
    result = _run(["manage.py", "check"], **{**PRODUCTION, "ALLOWED_HOSTS": None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "ALLOWED_HOSTS" in result.stderr


def test_debug_defaults_off_once_a_secret_key_is_given_and_on_only_for_development():
    production = _settings(["DEBUG"], SECRET_KEY=PRODUCTION["SECRET_KEY"], ALLOWED_HOSTS="x.cn")
    development = _settings(["DEBUG", "SECRET_KEY"])
    explicit = _settings(["DEBUG"], DEBUG="1", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert production["DEBUG"] is False
    assert development["DEBUG"] is True and development["SECRET_KEY"].startswith("dev-only")
    assert explicit["DEBUG"] is True


def test_a_wsgi_server_is_production_unless_told_otherwise():
    """gunicorn loads landsupply.wsgi: with no DEBUG and no SECRET_KEY it refuses to start."""
    refused = _run(["-c", "import landsupply.wsgi"])
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr
    served = _run(["-c", "import landsupply.wsgi"], **PRODUCTION)
    assert served.returncode == 0, served.stderr


HTTPS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
]


def test_https_settings_are_on_in_production_and_off_in_development():
    on = _settings(HTTPS, **PRODUCTION)
    assert on == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": ["https://land.example.gov.cn"],
    }
    off = _settings(HTTPS)
    assert not any(off[name] for name in HTTPS if name != "CSRF_TRUSTED_ORIGINS")


def test_each_https_setting_has_its_own_switch():
    switched = _settings(
        HTTPS,
        **PRODUCTION,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_PROXY_SSL_HEADER="",
        CSRF_TRUSTED_ORIGINS="https://land.example.gov.cn:8443,https://gis.example.gov.cn",
    )
    assert switched["CSRF_TRUSTED_ORIGINS"] == [
        "https://land.example.gov.cn:8443",
        "https://gis.example.gov.cn",
    ]
    assert not any(switched[name] for name in HTTPS if name != "CSRF_TRUSTED_ORIGINS")
    custom_header = _settings(
        ["SECURE_PROXY_SSL_HEADER"], **PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Scheme"
    )
    assert custom_header["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_SCHEME", "https"]


def test_static_files_are_compressed_with_hashed_names_in_production():
    production = _settings(["STORAGES", "MIDDLEWARE"], **PRODUCTION)
    development = _settings(["STORAGES", "MIDDLEWARE"])
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert production["MIDDLEWARE"][1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in development["MIDDLEWARE"]


@pytest.mark.parametrize(
    ("choice", "backend"),
    [
        (None, "landsupply.storage.PrivateFileSystemStorage"),
        ("database", "landsupply.storage.DatabaseStorage"),
        ("s3", "storages.backends.s3.S3Storage"),
    ],
)
def test_upload_storage_backend_is_chosen_by_setting(choice, backend):
    env = {"LANDSUPPLY_STORAGE": choice, "AWS_STORAGE_BUCKET_NAME": "landsupply-uploads"}
    script = (  # the storage the upload fields of the models really use
        "import django; django.setup(); from parcels.models import ParcelImport; "
        "from assessments.models import IndicatorReport; "
        "fields = [ParcelImport._meta.get_field('file'), IndicatorReport._meta.get_field('evidence')]; "
        "kinds = {(type(f.storage._wrapped).__module__, type(f.storage._wrapped).__qualname__) for f in fields}; "
        "assert len(kinds) == 1, kinds; print(*kinds.pop())"
    )
    chosen = _settings(["STORAGES"], **env)["STORAGES"]["private"]
    assert chosen["BACKEND"] == backend
    if choice == "s3":
        assert chosen["OPTIONS"]["bucket_name"] == "landsupply-uploads"
        assert chosen["OPTIONS"]["default_acl"] == "private"
    result = _run(["-c", script], **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == backend.rsplit(".", 1)


def test_unknown_storage_backend_is_refused_with_the_choices():
    result = _run(["manage.py", "check"], LANDSUPPLY_STORAGE="ftp")
    assert result.returncode != 0
    assert "LANDSUPPLY_STORAGE" in result.stderr and "filesystem, database, s3" in result.stderr


def test_client_address_source_for_the_login_throttle_follows_the_proxy_count():
    names = ["AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT", "IPWARE_STRICT"]
    direct = _settings(names, **PRODUCTION)
    behind_two = _settings(names, **PRODUCTION, LANDSUPPLY_TRUSTED_PROXIES="2")
    assert direct["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]
    assert behind_two == {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        "AXES_IPWARE_PROXY_COUNT": 1,  # the 2nd entry from the right of X-Forwarded-For
        "IPWARE_STRICT": False,
    }
