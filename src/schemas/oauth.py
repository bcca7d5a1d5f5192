"""OAuth 2.0 token endpoint responses (RFC 6749 §5.1, §5.2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 successful response; `scope` is always present (it may be narrower than the client's)."""

    model_config = ConfigDict(frozen=True)

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str


class TokenErrorResponse(BaseModel):
    """RFC 6749 §5.2 error response; the RFC 9457 members repeat it for clients that read problem details."""

    model_config = ConfigDict(frozen=True)

    error: Literal[
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    ]
    error_description: str
    type: str
    title: str
    status: int
    detail: str
    code: str
