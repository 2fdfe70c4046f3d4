"""Every API error as JSON: {"detail": text, "errors": [{"field", "rule", "message"}]}.

`field` names the input field (null for the whole request), `rule` the rule id (R1–R25) when
the service's message names one, `message` is in the caller's language (Accept-Language, via
Django's LocaleMiddleware). A service's django ValidationError becomes 400 and its
PermissionDenied 403, so the API says what the page says.
"""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

RULE_ID = re.compile(r"\b(R\d{1,2})\b")


def rule_of(message: str) -> str | None:
    """Return the rule id a message names ("…（R18）" → "R18"), or None."""
    match = RULE_ID.search(str(message))
    return match.group(1) if match else None


def _entry(field, message) -> dict:
    message = str(message)
    return {"field": field, "rule": rule_of(message), "message": message}


def _flatten(detail, field=None) -> list[dict]:
    if isinstance(detail, dict):
        out = []
        for name, value in detail.items():
            name = None if name in ("__all__", "non_field_errors") else name
            out += _flatten(value, name if field is None else f"{field}.{name}" if name else field)
        return out
    if isinstance(detail, list | tuple):
        return [entry for item in detail for entry in _flatten(item, field)]
    return [_entry(field, detail)]


def errors_of(exc: DjangoValidationError, *, fields: dict[str, str] | None = None) -> list[dict]:
    """Return a django ValidationError's messages as error entries; `fields` renames model
    fields to the API's (e.g. {"area_ha": "area"})."""
    fields = fields or {}
    if hasattr(exc, "error_dict"):
        return [
            _entry(None if name == "__all__" else fields.get(name, name), message)
            for name, errors in exc.error_dict.items()
            for error in errors
            for message in error.messages
        ]
    return [_entry(None, message) for message in exc.messages]


def error_response(errors: list[dict], code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    detail = errors[0]["message"] if errors else ""
    return Response({"detail": detail, "errors": errors}, status=code)


def exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError (400) and the error list added."""
    if isinstance(exc, DjangoValidationError):
        return error_response(errors_of(exc))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(data)
        response.data = {"detail": errors[0]["message"] if errors else "", "errors": errors}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"]), "errors": [_entry(None, data["detail"])]}
    return response
