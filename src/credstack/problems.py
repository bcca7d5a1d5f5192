"""Every error the HTTP API returns is RFC 9457 problem details (`application/problem+json`).

Handlers for FastAPI validation errors (422), Starlette HTTP errors (404, 405, 413, ...), the issuer's domain
errors and, last, anything unexpected (500, without internals). Types are `urn:credstack:problem:<CODE>`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from issuer.achievements import FieldError
from issuer.errors import IssuerError
from schemas.problem import PROBLEM_MEDIA_TYPE, Problem, problem_type

logger = logging.getLogger("credstack")

# Stable codes for plain HTTP errors; any other status becomes HTTP_<status>.
_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "AUTHENTICATION_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    code: str,
    *,
    title: str | None = None,
    detail: str = "",
    headers: Mapping[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """RFC 9457 §3: one problem object; `title` defaults to the status phrase."""
    problem = Problem(
        type=problem_type(code), title=title or _phrase(status), status=status, detail=detail, code=code, errors=errors
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def http_status_code(status: int) -> str:
    return _HTTP_CODES.get(status, f"HTTP_{status}")


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Location, message and type of each error; never the input (it may hold secrets) nor `ctx` objects."""
    return [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": error.get("type"),
        }
        for error in exc.errors()
    ]


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors = _validation_errors(exc) if isinstance(exc, RequestValidationError) else []
    return problem_response(
        422, "VALIDATION_ERROR", title="The request is not valid", detail="see errors", errors=errors
    )


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        return await _on_unexpected(_request, exc)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _phrase(exc.status_code) else ""
    return problem_response(exc.status_code, http_status_code(exc.status_code), detail=detail, headers=exc.headers)


async def _on_issuer_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, IssuerError):
        return await _on_unexpected(_request, exc)
    errors = exc.errors() if isinstance(exc, FieldError) else None
    return problem_response(
        exc.status, exc.code, title=exc.title, detail=exc.detail, headers=exc.headers(), errors=errors
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "INTERNAL_ERROR", detail="an internal error occurred; it has been logged")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(IssuerError, _on_issuer_error)
    app.add_exception_handler(Exception, _on_unexpected)
