"""Uniform error bodies: {"error": {"code", "message", "problems": [...]}} for every failure."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from sincerity.api.logs import current_request_id
from sincerity.core.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    ConsentError,
    IdempotencyConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RateLimitedError,
    SincerityError,
    TooLargeError,
)

log = logging.getLogger("sincerity.api")


class ProblemOut(BaseModel):
    message: str
    where: str | None = None
    line: int | None = None
    field: str | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    problems: list[ProblemOut] = []
    request_id: str | None = Field(
        default=None, description="Quote it to the operator: the logs carry the same id."
    )


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "No valid API key"),
        (403, "Not allowed for this caller, or no consent"),
        (404, "Not found (or not yours to see)"),
        (409, "Conflict"),
        (413, "Body or batch too large"),
        (422, "Invalid input"),
        (429, "Rate limit exceeded"),
    )
}


def links(status: int, **targets: tuple[str, str, dict[str, str]]) -> dict[int | str, Any]:
    """OpenAPI links from one operation's response to the operations that use what it made
    (for clients, and for schemathesis's stateful tests): name=(path, method, parameters)."""
    return {
        status: {
            "description": "Success",
            "links": {
                name: {
                    "operationRef": "#/paths/"
                    + path.replace("~", "~0").replace("/", "~1")
                    + f"/{method}",
                    "parameters": parameters,
                }
                for name, (path, method, parameters) in targets.items()
            },
        }
    }


_STATUS: list[tuple[type[Exception], int, str]] = [
    (AuthenticationError, 401, "unauthenticated"),
    (PermissionDeniedError, 403, "forbidden"),
    (ConsentError, 403, "no_consent"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (IdempotencyConflictError, 409, "idempotency_key_reused"),
    (TooLargeError, 413, "too_large"),
    (RateLimitedError, 429, "rate_limited"),
    (InvalidInputError, 422, "invalid_input"),
    (ConfigurationError, 503, "unavailable"),
]


def error_response(
    status: int,
    code: str,
    message: str,
    problems: list[Problem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(
        error=ErrorDetail(
            code=code,
            message=message,
            request_id=current_request_id(),
            problems=[
                ProblemOut(message=p.message, where=p.where or None, line=p.line, field=p.field)
                for p in problems or []
            ],
        )
    )
    request_id = current_request_id()
    if request_id:
        headers = {**(headers or {}), "X-Request-ID": request_id}
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


API_PATHS = ("/v1/", "/.well-known/")


def status_of(exc: SincerityError) -> int:
    """The HTTP status an error answers with (500 for one the tree does not map)."""
    return next((status for kind, status, _ in _STATUS if isinstance(exc, kind)), 500)


def json_error(exc: SincerityError) -> Response:
    """An error of the tree as the uniform JSON body."""
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            headers = (
                {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
            )
            if isinstance(exc, InvalidInputError):
                return error_response(status, code, exc.summary, list(exc.problems), headers)
            return error_response(status, code, str(exc), None, headers)
    log.error("an error the API does not map: %s", type(exc).__name__, exc_info=exc)
    return error_response(500, "internal", "unexpected error: the operator's logs have it")


def json_validation_error(exc: RequestValidationError) -> Response:
    """FastAPI's validation errors as the uniform JSON body, a problem per field."""
    problems = [
        Problem(
            str(e.get("msg", "invalid")).removeprefix("Value error, "),
            field=".".join(str(p) for p in e.get("loc", ())),
        )
        for e in exc.errors()
    ]
    return error_response(422, "invalid_input", "the request is not valid", problems)


def unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug, not an input problem: log the traceback with the request id, answer plainly."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "unexpected error: the operator's logs have it")


def install_error_handlers(app: FastAPI) -> None:
    """Map the exception tree, FastAPI's validation errors and HTTP errors to uniform bodies.
    (The web pages install their own handlers over these for the paths they serve.)"""

    @app.exception_handler(SincerityError)
    async def _sincerity(_: Request, exc: SincerityError) -> Response:
        return json_error(exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return unexpected_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        return json_validation_error(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return http_error(exc)


def http_error(exc: StarletteHTTPException) -> JSONResponse:
    """Routing's own errors (no such path, method not allowed) as the API's JSON errors."""
    if exc.status_code == 400:  # a body that is not even text: as invalid as any bad input
        return error_response(
            422, "invalid_input", f"the request body could not be read: {exc.detail}"
        )
    return error_response(exc.status_code, "http_error", str(exc.detail))
