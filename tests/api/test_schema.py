"""The OpenAPI schema (issue 13): it validates as OpenAPI 3, and a property-based run of every
operation with schemathesis against the app (WSGI, demo data, a district token) finds no 500
and no response that breaks the schema. Examples per operation are few so CI stays fast."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api import services

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 3
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_the_schema_validates_as_openapi_3(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    spec = response.json()
    validate_schema(spec)  # drf-spectacular's copy of the OpenAPI 3.0 JSON schema
    assert spec["openapi"].startswith("3.")
    assert (
        "/api/parcels/" in spec["paths"]
        and "/api/contracts/{id}/assessment-apply/" in spec["paths"]
    )
    assert not any(path.startswith("/api/v1/") for path in spec["paths"])  # the alias, once


def test_the_docs_page_loads_its_files_from_our_own_static(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "unpkg" not in html


@pytest.fixture
def tokens(demo):
    return {
        name: services.token_create(user=demo[name], name="schemathesis")[1]
        for name in ("haidian", "enterprise")
    }


def test_no_server_error_and_responses_match_the_schema(demo, tokens):
    """Every operation of the schema, a few generated requests each (valid and invalid
    parameters and bodies), with a district token (an enterprise token on contracts)."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        role = "enterprise" if "/contracts/" in operation.path else "haidian"
        _run(operation, {"Authorization": f"Token {tokens[role]}"})


def _run(operation, headers):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
