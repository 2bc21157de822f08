"""Errors as RFC 9457 problem details: application/problem+json with type, title, status
and detail (and, for invalid input, the message of each field)."""

from __future__ import annotations

from http import HTTPStatus

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "https://ifss.example/problems/"
CONTENT_TYPE = "application/problem+json"


def _flat(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flat(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_flat(v)}" for k, v in detail.items())
    return str(detail)


def problem(status: int, detail: str, *, errors: dict | None = None, **headers: str) -> Response:
    phrase = HTTPStatus(status).phrase
    body = {
        "type": PROBLEM_TYPE + phrase.lower().replace(" ", "-"),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status, content_type=CONTENT_TYPE, headers=headers)
    return response


def problem_exception_handler(exc, context) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handler (and the error log) take it
    data = response.data
    errors = None
    if isinstance(data, dict) and set(data) != {"detail"}:
        errors = data
        detail = "The request is not valid: see errors."
    elif isinstance(data, dict):
        detail = _flat(data["detail"])
    else:
        errors = {"non_field_errors": data}
        detail = "The request is not valid: see errors."
    out = problem(response.status_code, detail, errors=errors)
    for name, value in response.items():
        if name.lower() in ("www-authenticate", "retry-after", "allow"):
            out[name] = value
    return out


class ProblemSerializer(serializers.Serializer):
    """The body of every error (RFC 9457)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Messages per field.")
