"""OpenID4VCI 1.0 and OAuth 2.0 error answers: `{"error", "error_description"}` (RFC 6749 §5.2, OpenID4VCI §6.3,
§8.3.1.2, §11.3), not RFC 9457 problem details, because wallets read these members and no others."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NO_STORE = {"Cache-Control": "no-store"}
_MAX_DESCRIPTION = 300


def ascii_description(text: str) -> str:
    """RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and `\\`)."""
    cleaned = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text)
    return cleaned[:_MAX_DESCRIPTION]


@dataclass
class Oid4vciError(Exception):
    """A refused request: HTTP `status`, the spec's `error` code, an ASCII description, extra response headers.

    `with_c_nonce`: the body must carry a fresh c_nonce (WALLETS.md §2.8: Digital Bazaar's client retries only when
    an invalid_proof answer has one; OpenID4VCI 1.0 §8.3.1.2 allows extra members).
    """

    error: str
    description: str
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)
    with_c_nonce: bool = False
    # The fresh c_nonce, set by whoever made it (issuer.wallets.oid4vci.credential) when `with_c_nonce`.
    c_nonce: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.description)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "error_description": ascii_description(self.description)}
        if self.c_nonce is not None:
            body["c_nonce"] = self.c_nonce
        return body


def token_error(error: str, description: str) -> Oid4vciError:
    """RFC 6749 §5.2 / OpenID4VCI §6.3 Token Error Response (400)."""
    return Oid4vciError(error, description)


def credential_error(error: str, description: str) -> Oid4vciError:
    """OpenID4VCI 1.0 §8.3.1.2 Credential Error Response (400); invalid_proof and invalid_nonce carry a c_nonce."""
    return Oid4vciError(error, description, with_c_nonce=error in ("invalid_proof", "invalid_nonce"))


def invalid_token(description: str, *, token_sent: bool = True) -> Oid4vciError:
    """RFC 6750 §3.1 `invalid_token` (401); without any token the challenge carries no error code (§3)."""
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return Oid4vciError("invalid_token", description, status=401, headers={"WWW-Authenticate": challenge})
