"""One error shape for the whole API: {"error": {"code": "...", "detail": "...", "fields": {...}}}."""
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .ratelimit import RateLimited
from .services import DomainError


# The shape error_body() builds, as the schema's `Error` component: every documented error answer uses it
# (support/schema.py). The docstrings are the components' descriptions.
class ErrorDetailSerializer(serializers.Serializer):
    """What went wrong: a stable code for programs, a detail for people and, for invalid input, the fields."""

    code = serializers.CharField(help_text="stable, for programs: invalid, not_authenticated, not_found, ...")
    detail = serializers.CharField(help_text="for people, in the request's language")
    fields = serializers.DictField(
        child=serializers.JSONField(), required=False,
        help_text="field errors only: per field, a list of messages (an object of them for nested fields)")


class ErrorSerializer(serializers.Serializer):
    """Every error answer of the API has this shape."""

    error = ErrorDetailSerializer()


def error_body(code, detail, fields=None):
    body = {"error": {"code": code, "detail": str(detail)}}
    if fields:
        body["error"]["fields"] = fields
    return body


def _flatten(detail):
    """DRF error details (nested lists/dicts of ErrorDetail) as plain strings per field."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, RateLimited):
        response = Response(error_body(exc.code, exc.detail), status=status.HTTP_429_TOO_MANY_REQUESTS)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.detail]} if exc.field else None
        return Response(error_body(exc.code, exc.detail, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handler answers (JSON for API paths, see views.py)

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _flatten(detail)
            non_field = fields.pop("non_field_errors", None)
            message = non_field[0] if non_field else _("The request has invalid fields.")
            body = error_body("invalid", message, fields or None)
        else:
            messages = _flatten(detail)
            body = error_body("invalid", messages[0] if messages else _("Invalid request."))
    else:
        code = getattr(exc, "default_code", "error")
        if isinstance(exc.detail, (list, dict)):
            body = error_body(code, "Request failed.", _flatten(exc.detail))
        else:
            code = getattr(exc.detail, "code", None) or code
            body = error_body(code, exc.detail)
    response.data = body
    return response


def json_error_response(code, detail, status_code):
    return JsonResponse(error_body(code, detail), status=status_code)
