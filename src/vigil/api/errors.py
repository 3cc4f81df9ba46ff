"""One shape for every error the API answers: ``{"error": code, "detail": ...}``, whatever raised it (a refused
token, a missing scope, need-to-know, a bad parameter, a rate limit, a too large body)."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import structlog
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import StringConstraints

log = structlog.get_logger("vigil.api")
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 422: "invalid", 429: "rate_limited"}


# Text from a partner: PostgreSQL cannot store U+0000, so it is refused up front (422) rather than failing later.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


class ErrorOut(Schema):
    error: str
    detail: Any = None  # a sentence, or for 422 the list of problems (where, what)


class ApiError(HttpError):
    """An error with our own code and optional extra fields in the body (``field``, ``results``)."""

    def __init__(self, status: int, detail, *, code: str = "", headers: dict | None = None, **extra):
        super().__init__(status, str(detail))
        self.detail = detail
        self.code = code or CODES.get(status, "error")
        self.headers = headers or {}
        self.extra = extra


class RateLimited(ApiError):
    def __init__(self, what: str, limit: int, retry_after: int):
        super().__init__(429, f"this token may make {limit} {what} per minute; try again in {retry_after} s",
                         headers={"Retry-After": str(retry_after)}, limit=what)


def errors(*codes: int) -> dict:
    """The error responses of an operation, for its OpenAPI description."""
    return {code: ErrorOut for code in codes}


def install(api) -> None:
    def respond(request, status: int, detail, code: str = "", headers: dict | None = None, **extra):
        response = api.create_response(request, {"error": code or CODES.get(status, "error"), "detail": detail,
                                                 **extra}, status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    def http_error(request, exc: HttpError):
        if isinstance(exc, ApiError):
            return respond(request, exc.status_code, exc.detail, exc.code, exc.headers, **exc.extra)
        if isinstance(exc, AuthenticationError):
            return respond(request, 401, "send a valid, unrevoked API token: 'Authorization: Bearer vgl_…'",
                           headers={"WWW-Authenticate": 'Bearer realm="vigil"'})
        headers = {"Retry-After": str(exc.wait)} if getattr(exc, "wait", None) else None
        return respond(request, exc.status_code, exc.message, headers=headers)

    def validation_error(request, exc: ValidationError):
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                    for e in exc.errors]
        return respond(request, 422, problems)

    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(Http404, lambda request, exc: respond(request, 404, str(exc) or "not found"))
    api.add_exception_handler(PermissionDenied, lambda request, exc: respond(
        request, 403, f"the role of this token's user lacks the capability '{exc}'" if str(exc) else "not allowed"))

    def server_error(request, exc: Exception):
        log.exception("API request failed", path=request.path)
        return respond(request, 500, "something went wrong on our side; it was logged", code="server_error")

    api.add_exception_handler(Exception, server_error)
    api.add_exception_handler(RequestDataTooBig, lambda request, exc: respond(request, 413, str(exc)))


def refuse_unknown_query(view_func):
    """Operation decorator for the whole API: a query parameter the operation does not take is an error (422), so a
    partner's typo (``?directon=sent``) fails loudly instead of being silently ignored."""
    operation = getattr(view_func, "_ninja_operation", None)
    if operation is None:
        return view_func
    known = {name for model in operation.models if model.__ninja_param_source__ == "query"
             for name in getattr(model, "__ninja_flatten_map__", {}) or model.model_fields}

    @functools.wraps(view_func)
    def checked(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - known)
        if unknown:
            takes = ", ".join(sorted(known)) or "none"
            raise ApiError(422, [{"where": f"query.{name}", "problem": f"unknown parameter (this endpoint takes: "
                                  f"{takes})"} for name in unknown])
        return view_func(request, *args, **kwargs)

    return checked
