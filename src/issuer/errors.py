"""Domain errors the API reports as RFC 9457 problem details (`urn:credstack:problem:<code>`).

Each class is one meaning with a stable `code`; the HTTP layer maps them without reading messages.
"""

from __future__ import annotations

from typing import ClassVar

REALM = "credstack"


class IssuerError(Exception):
    """Base class: `code` names the problem type, `status` the HTTP status, `title` the short summary."""

    code: ClassVar[str] = "ISSUER_ERROR"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "The request cannot be carried out"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail

    def headers(self) -> dict[str, str]:
        return {}


class NotFound(IssuerError):
    """Also what another organization's rows look like: their existence is not revealed."""

    code = "NOT_FOUND"
    status = 404
    title = "Not found"


class Conflict(IssuerError):
    code = "CONFLICT"
    status = 409
    title = "Conflicts with the current state"


class InvalidInput(IssuerError):
    code = "VALIDATION_ERROR"
    status = 422
    title = "The request is not valid"


class AuthenticationRequired(IssuerError):
    """RFC 6750 §3: no bearer token was sent; the challenge carries no error code then."""

    code = "AUTHENTICATION_REQUIRED"
    status = 401
    title = "Authentication required"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Bearer realm="{REALM}"'}


class InvalidToken(AuthenticationRequired):
    """RFC 6750 §3.1 `invalid_token`: malformed, unknown, expired, or its client was revoked."""

    code = "INVALID_TOKEN"
    title = "The access token is not valid"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token"'}


class InsufficientScope(IssuerError):
    """RFC 6750 §3.1 `insufficient_scope`: the token is valid but lacks the scope the route requires."""

    code = "INSUFFICIENT_SCOPE"
    status = 403
    title = "The access token lacks the required scope"

    def __init__(self, required: str) -> None:
        super().__init__(f"this operation requires the scope {required}")
        self.required = required

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", scope="{self.required}"'}
