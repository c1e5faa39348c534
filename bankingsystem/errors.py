"""One application error type, and one handler that renders every API error as RFC 9457
problem details: `type`, `title`, `status`, `detail`, a stable machine `code`, and
per-field `errors` where a field was wrong.

Services raise `ApplicationError`; views never build error responses by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApplicationError(Exception):
    """A refusal by a business rule. `code` is stable and documented; `detail` is for people."""

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        status: int = status.HTTP_422_UNPROCESSABLE_ENTITY,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status
        self.field = field
        self.extra = extra or {}


def problem(
    *, status_code: int, code: str, detail: str, errors: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:bankingsystem:problem:{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors like its data; problem JSON keeps one level with dotted names."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
    elif isinstance(errors, list) and errors and all(isinstance(e, (dict, list)) for e in errors):
        for index, value in enumerate(errors):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(errors, list):
        flat[prefix or "non_field_errors"] = [str(e) for e in errors]
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


def _codes(detail: Any) -> set[str]:
    if isinstance(detail, dict):
        return set().union(*(_codes(value) for value in detail.values()))
    if isinstance(detail, list):
        return set().union(*(_codes(value) for value in detail))
    return {getattr(detail, "code", None) or "invalid"}


_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        set_rollback()
        errors = {exc.field: [exc.detail]} if exc.field else None
        body = problem(status_code=exc.status, code=exc.code, detail=exc.detail, errors=errors, **exc.extra)
        return Response(body, status=exc.status, content_type=PROBLEM_CONTENT_TYPE)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer 500

    set_rollback()
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        # One stable top-level code; the per-field messages say what was wrong with each.
        codes = _codes(exc.detail)
        code = "unknown_field" if codes == {"unknown_field"} else "validation_error"
        fields = ", ".join(sorted(errors))
        body = problem(status_code=400, code=code, detail=f"The request has invalid fields: {fields}.", errors=errors)
    else:
        # A raiser's own code ("no_active_account") beats the class's generic one.
        specific = exc.get_codes() if isinstance(exc.get_codes(), str) else None
        code = specific if specific and specific != exc.default_code else _CODES.get(type(exc), exc.default_code)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if isinstance(exc.detail, dict):  # simplejwt puts its message under "detail"
            detail = str(exc.detail.get("detail", detail))
            code = str(exc.detail.get("code", code))
        body = problem(status_code=exc.status_code, code=code, detail=str(detail))
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _json_problem(request: HttpRequest, status_code: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        problem(status_code=status_code, code=code, detail=detail),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's own refusals outside DRF (a SuspiciousOperation): a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is 413, anything else (a bad Host, too many fields) 400.
    Problem JSON for the API; Django's pages for the admin and the web app."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _json_problem(request, 413, "request_too_large", f"The request body is larger than {limit} bytes.")
    return _json_problem(request, 400, "bad_request", "The request could not be understood.")


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not request.path.startswith("/api/"):
        return defaults.permission_denied(request, exception)
    return _json_problem(request, 403, "permission_denied", "You do not have permission to do this.")


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_problem(request, 404, "not_found", "No such resource.")


def handler500(request: HttpRequest) -> JsonResponse:
    return _json_problem(request, 500, "server_error", "An unexpected error occurred on our side; it has been logged.")
