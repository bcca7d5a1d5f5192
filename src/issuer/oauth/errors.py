"""Token endpoint error responses (RFC 6749 §5.2)."""

from __future__ import annotations

from enum import StrEnum

from issuer.errors import REALM


class OAuthErrorCode(StrEnum):
    """RFC 6749 §5.2 error codes. `unauthorized_client` never occurs: every client may use this grant."""

    INVALID_REQUEST = "invalid_request"
    INVALID_CLIENT = "invalid_client"
    INVALID_GRANT = "invalid_grant"
    UNAUTHORIZED_CLIENT = "unauthorized_client"
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    INVALID_SCOPE = "invalid_scope"


class OAuthError(Exception):
    """A refused token request; `basic_challenge` when the client tried HTTP Basic (§5.2 requires 401 then)."""

    def __init__(self, error: OAuthErrorCode, description: str, *, basic_challenge: bool = False) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.basic_challenge = basic_challenge

    @property
    def status(self) -> int:
        """§5.2: 400, except client authentication failures, which we always answer with 401."""
        return 401 if self.error is OAuthErrorCode.INVALID_CLIENT else 400

    def headers(self) -> dict[str, str]:
        if self.error is OAuthErrorCode.INVALID_CLIENT and self.basic_challenge:
            return {"WWW-Authenticate": f'Basic realm="{REALM}"'}
        return {}


def invalid_request(description: str) -> OAuthError:
    return OAuthError(OAuthErrorCode.INVALID_REQUEST, description)


def invalid_client(description: str, *, basic: bool) -> OAuthError:
    return OAuthError(OAuthErrorCode.INVALID_CLIENT, description, basic_challenge=basic)
