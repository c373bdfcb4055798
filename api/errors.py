"""The one error response of the API, and the handlers that turn exceptions into it.

Every error body is `ErrorOut`: {"error", "message", "details": [...]}; bad input is 4xx,
an unavailable store is 503, never a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import ErrorOut

log = logging.getLogger("otklik.api")
NOT_JSON = "request body is not valid JSON"


class StoreUnavailable(Exception):
    """The message store could not be opened; the message says why."""


class RateLimited(Exception):
    """A key spent its request rate; `retry_after` whole seconds until the next one."""

    def __init__(self, retry_after: int):
        super().__init__("rate limit exceeded")
        self.retry_after = retry_after


class AuthError(Exception):
    """401 (no usable key) or 403 (a key without the role); raised by api.auth."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def error_response(
    status: int, error: str, message: str, details: list | None = None
) -> JSONResponse:
    body = ErrorOut(error=error, message=message, details=details or [])
    return JSONResponse(status_code=status, content=body.model_dump())


def _field_path(loc: tuple) -> str:
    path = ""
    for part in (str(p) for p in loc if p != "body"):
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or "body"


def validation_details(exc: RequestValidationError) -> list[dict]:
    details = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        kind = error.get("type", "")
        if kind == "json_invalid":
            message = NOT_JSON
        elif kind == "model_attributes_type":
            message = "request body must be a JSON object"
        details.append({"field": _field_path(tuple(error.get("loc", ()))), "message": message})
    return details


def install(app: FastAPI) -> None:
    """Route every known exception to `error_response`."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.scheduler import DeadlineExceeded, QueueFull, SchedulerStopped
    from insights.metrics import MetricsError
    from insights.painmap import PainMapError
    from insights.periods import PeriodError

    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(exc)
        status = 400 if any(d["message"] == NOT_JSON for d in details) else 422
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        return error_response(status, "invalid_request", message, details)

    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 400 and "parsing the body" in message:
            message = "request body could not be parsed: send UTF-8 encoded JSON"
        return error_response(exc.status_code, "http_error", message)

    async def bad_encoding(request: Request, exc: UnicodeDecodeError) -> JSONResponse:
        return error_response(400, "invalid_encoding", "request body is not valid UTF-8")

    async def bad_query(request: Request, exc: Exception) -> JSONResponse:
        return error_response(422, "invalid_request", str(exc))

    async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return error_response(503, "store_unavailable", str(exc))

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("database error: %s", type(exc).__name__)
        return error_response(503, "store_error", "the message store failed; retry later")

    async def auth_error(request: Request, exc: Exception) -> JSONResponse:
        response = error_response(exc.status, exc.error, exc.message)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    async def rate_limited(request: Request, exc: Exception) -> JSONResponse:
        response = error_response(
            429, "rate_limited", f"too many requests for this key; retry in {exc.retry_after} s"
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def busy(request: Request, exc: Exception) -> JSONResponse:
        kinds = {QueueFull: "queue_full", DeadlineExceeded: "deadline_exceeded",
                 SchedulerStopped: "shutting_down"}  # fmt: skip
        response = error_response(503, kinds[type(exc)], f"{exc}; retry later")
        response.headers["Retry-After"] = "5"
        return response

    app.add_exception_handler(AuthError, auth_error)
    app.add_exception_handler(RateLimited, rate_limited)
    for kind in (QueueFull, DeadlineExceeded, SchedulerStopped):
        app.add_exception_handler(kind, busy)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(UnicodeDecodeError, bad_encoding)
    for kind in (PeriodError, PainMapError, MetricsError):
        app.add_exception_handler(kind, bad_query)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(SQLAlchemyError, database_error)
