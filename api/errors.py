"""One JSON shape for every error of the API, with a translated message (Vietnamese unless the client asks for
English with Accept-Language):

    {"code": "not_found", "message": "Không tìm thấy hồ sơ.", "fields": {"reason": ["…"]}}

`fields` is present for invalid input only. Domain errors of the dossier services map here too: a refused action
(`DossierActionError`) is 409 Conflict, a missing role or jurisdiction (`DossierPermissionError`) is 403."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from dossiers.errors import DossierActionError, DossierPermissionError

CODES = {
    400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 429: "throttled",
}


def body(code: str, message, fields: dict | None = None) -> dict:
    data = {"code": code, "message": str(message)}
    if fields:
        data["fields"] = fields
    return data


def _flatten(detail) -> dict:
    """DRF's nested error details as {field: [messages]} ("non_field_errors" for the whole body)."""
    if isinstance(detail, dict):
        return {str(key): [str(item) for item in (value if isinstance(value, list) else [value])]
                for key, value in detail.items()}
    items = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [str(item) for item in items]}


def exception_handler(exc, context):
    if isinstance(exc, DossierPermissionError):
        return Response(body("permission_denied", exc.message), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DossierActionError):
        fields = {exc.field: [str(exc.message)]} if exc.field else None
        return Response(body("action_refused", exc.message, fields), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling logs it
    code = CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        response.data = body("invalid", _("Dữ liệu gửi lên không hợp lệ."), _flatten(exc.detail))
    elif isinstance(exc, exceptions.Throttled):
        response.data = body(code, _("Quá nhiều yêu cầu. Vui lòng thử lại sau %(seconds)d giây.")
                             % {"seconds": int(exc.wait or 1)})
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        message = detail if isinstance(detail, str) else " ".join(sum(_flatten(detail).values(), []))
        response.data = body(code, message)
    return response
